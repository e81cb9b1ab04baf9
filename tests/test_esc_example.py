"""examples/esc: the ESC environment's `pulumiConfig` is configuration the program accepts.

ESC itself (a Pulumi Cloud service) cannot run here; what it hands the program can: each
`pulumiConfig` key becomes a `gitpod:` config value, secret when it holds a `fn::secret`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from gitpod_refarch_tools.harness import PlanError

from .conftest import ROOT

ENV = ROOT / "examples" / "esc" / "gitpod-secrets.env.yaml"


def _resolve(value: Any) -> tuple[Any, bool]:
    """The value ESC would hand over, and whether it holds a secret."""
    if isinstance(value, dict) and set(value) == {"fn::secret"}:
        return value["fn::secret"], True
    if isinstance(value, dict):
        pairs = {k: _resolve(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_resolve(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def esc_config(*, drop_secret_marks: bool = False) -> tuple[dict[str, Any], set[str]]:
    config: dict[str, Any] = {"cloud": "existing", "domain": "gitpod.example.com"}
    secret: set[str] = set()
    for key, raw in yaml.safe_load(ENV.read_text())["values"]["pulumiConfig"].items():
        value, is_secret = _resolve(raw)
        config[key.removeprefix("gitpod:")] = value
        if is_secret and not drop_secret_marks:
            secret.add(key)
    return config, secret


def test_the_environment_gives_every_credential_the_issue_names():
    text = json.dumps(yaml.safe_load(ENV.read_text()))
    for credential in ("clientSecret", "apiToken", "password", "aws-login", "oidc"):
        assert credential in text


def test_the_program_accepts_the_environment_config(plan_config):
    config, secret = esc_config()
    plan = plan_config(config, secret)
    assert plan.by_type("kubernetes:core/v1:Secret")


def test_without_fn_secret_the_program_refuses_the_credentials(plan_config):
    config, secret = esc_config(drop_secret_marks=True)
    with pytest.raises(PlanError) as failed:
        plan_config(config, secret)
    text = str(failed.value)
    assert "stored in plain text" in text
    assert "replace-with" not in text
