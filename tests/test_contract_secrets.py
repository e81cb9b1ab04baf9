"""Credentials leave every cloud's components already marked secret.

The installer component wraps Secret values again, which would hide a missing wrapper from the
plan; but a component's own outputs (register_outputs) are stored in state as they are, so each
contract field holding a credential must be secret at the source.
"""

from __future__ import annotations

import pulumi
import pytest

from gitpod_refarch.architecture import build
from gitpod_refarch.settings import load_settings
from gitpod_refarch_tools.harness import run_program
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT

CREDENTIALS = {
    "database": ("password", "credentials_json"),
    "storage": ("secret_access_key", "access_key_id", "service_account_json", "account_key"),
    "registry": ("password", "secret_key", "access_key"),
    "cluster": ("kubeconfig",),
}


@pytest.mark.parametrize("stack", ["gcp", "aws", "azure"])
def test_contract_credentials_are_secret_at_the_source(stack):
    project, config = build_config(ROOT, stack)
    exported: list[str] = []

    def program() -> None:
        architecture = build(load_settings())
        for concern, fields in CREDENTIALS.items():
            info = getattr(architecture, concern)
            for field in fields:
                value = getattr(info, field, None)  # each variant holds only its own fields
                if value is not None and not isinstance(value, str):
                    pulumi.export(f"{concern}.{field}", value)
                    exported.append(f"{concern}.{field}")

    plan = run_program(program, config.values, config.secret_keys, project=project, stack=stack)
    assert len(exported) >= 3, exported
    assert set(exported) <= plan.secret_outputs, sorted(set(exported) - plan.secret_outputs)
