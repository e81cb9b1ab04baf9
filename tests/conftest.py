"""Shared fixtures: run the real program through the offline-plan harness, as the CLI does."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc

from gitpod_refarch.program import main as program
from gitpod_refarch_tools.harness import Plan, run_program
from gitpod_refarch_tools.stackfile import build_config

ROOT = Path(__file__).resolve().parent.parent


def unwrap(value: Any) -> Any:
    """A resource input with the engine's secret markers removed (for asserting real values)."""
    if rpc.is_rpc_secret(value):
        return unwrap(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def installer_config(plan: Plan) -> dict[str, Any]:
    return yaml.safe_load(plan.outputs["installerConfig"])


def secrets_in(plan: Plan, namespace: str = "gitpod") -> dict[str, dict[str, Any]]:
    """Secret name -> stringData (unwrapped) for every Secret created in `namespace`."""
    found = {}
    for r in plan.by_type("kubernetes:core/v1:Secret"):
        if r.inputs["metadata"].get("namespace") == namespace:
            found[r.inputs["metadata"]["name"]] = unwrap(r.inputs.get("stringData", {}))
    return found


PlanStack = Callable[..., Plan]


def plan_stack_file(stack: str, config: Mapping[str, str] | None = None, secrets: Mapping[str, str] | None = None) -> Plan:
    """Plan an example stack file, with `pulumi config set`-style overrides (also for module-scoped caches)."""
    project, cfg = build_config(
        ROOT,
        stack,
        [f"{k}={v}" for k, v in (config or {}).items()],
        [f"{k}={v}" for k, v in (secrets or {}).items()],
    )
    return run_program(program, cfg.values, cfg.secret_keys, project=project, stack=stack)


@pytest.fixture
def plan_stack() -> PlanStack:
    """Plan an example stack file, with `pulumi config set`-style overrides."""
    return plan_stack_file


@pytest.fixture
def plan_config() -> PlanStack:
    """Plan an explicit config: keys without a namespace go to `gitpod:`, objects as dicts."""

    def run(config: Mapping[str, Any], secret_keys: set[str] | None = None, stack: str = "test") -> Plan:
        values = {}
        for key, value in config.items():
            full = key if ":" in key else f"gitpod:{key}"
            values[full] = value if isinstance(value, str) else json.dumps(value)
        secret = {k if ":" in k else f"gitpod:{k}" for k in (secret_keys or set())}
        return run_program(program, values, secret, project="gitpod", stack=stack)

    return run
