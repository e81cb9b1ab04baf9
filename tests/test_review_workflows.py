"""The GitHub workflows: valid YAML, real action inputs, the README's commands, fork-safe previews."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"

#: The inputs each action documents (action.yml / README of the major version used); a typo in a
#: `with:` key is silently ignored by GitHub, so the test holds every key to these lists.
ACTION_INPUTS: dict[str, set[str]] = {
    "actions/checkout@v4": {"fetch-depth", "ref", "repository", "path", "token", "persist-credentials"},
    "actions/setup-python@v5": {"python-version", "cache", "cache-dependency-path"},
    # actions/setup-go action.yml at v5.6.0
    "actions/setup-go@v5": {"go-version", "go-version-file", "check-latest", "token", "cache", "cache-dependency-path", "architecture"},
    # pulumi/actions README "Configuration" and "Extra options" (v6/v7)
    "pulumi/actions@v7": {
        "command",
        "stack-name",
        "work-dir",
        "cloud-url",
        "comment-on-pr",
        "comment-on-summary",
        "github-token",
        "refresh",
        "secrets-provider",
        "color",
        "config-map",
        "diff",
        "comment-on-pr-number",
        "edit-pr-comment",
        "expect-no-changes",
        "message",
        "parallel",
        "policyPacks",
        "policyPackConfigs",
        "pulumi-version",
        "pulumi-version-file",
        "replace",
        "target",
        "target-dependents",
        "upsert",
        "suppress-outputs",
        "suppress-progress",
        "plan",
        "always-include-summary",
        "continue-on-error",
    },
    "google-github-actions/auth@v2": {"workload_identity_provider", "service_account", "project_id", "audience", "token_format"},
    "aws-actions/configure-aws-credentials@v4": {"role-to-assume", "aws-region", "role-session-name", "role-duration-seconds", "audience"},
    "azure/login@v2": {"client-id", "tenant-id", "subscription-id", "environment", "allow-no-subscriptions", "audience"},
    "pulumi/auth-actions@v1": {"organization", "requested-token-type", "scope", "token-expiration"},
}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", ["ci.yml", "preview.yml"])
def test_every_action_is_pinned_to_a_major_and_uses_documented_inputs(name):
    for step in _steps(_load(name)):
        if "uses" not in step:
            continue
        assert step["uses"] in ACTION_INPUTS, f"{step['uses']}: unknown action or version"
        unknown = set(step.get("with", {})) - ACTION_INPUTS[step["uses"]]
        assert not unknown, f"{step['uses']} has no input(s) {unknown}"


def _readme_commands(heading: str) -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = re.search(rf"^## {heading}$(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert section, f"README has no '## {heading}' section"
    block = re.search(r"```\n(.*?)```", section.group(1), re.DOTALL)
    assert block, f"README '## {heading}' has no command block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _ci_run_commands() -> list[str]:
    """The commands of .ci/run, without comments and shell plumbing."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "set -", "cd "))]


def test_ci_runs_exactly_the_readme_commands_like_ci_run():
    workflow = _load("ci.yml")
    lines = [line.strip() for step in _steps(workflow) for line in step.get("run", "").splitlines()]
    commands = _readme_commands("Test")
    assert commands == ["make test"]
    for command in commands:
        assert command in lines, f"README command not run by ci.yml: {command}"
    for command in _ci_run_commands():
        assert command in lines, f"ci.yml does not mirror .ci/run: {command}"
    assert "for file in stacks/Pulumi.*.yaml; do" in lines  # every stack file, never a fixed list
    assert workflow["permissions"] == {"contents": "read"}


def test_preview_permissions_and_fork_handling():
    workflow = _load("preview.yml")
    assert list(workflow["on"]) == ["pull_request"]
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    jobs = workflow["jobs"]
    fork_guard = "github.event.pull_request.head.repo.full_name == github.repository"
    assert jobs["stacks"]["if"] == fork_guard
    assert jobs["preview"]["if"].startswith(fork_guard) and jobs["preview"]["needs"] == "stacks"
    assert "if" not in jobs["offline-review"], "the offline review must run for forks"
    assert jobs["offline-review"]["permissions"] == {"contents": "read"}


def test_preview_runs_pulumi_preview_with_the_policy_pack_per_stack():
    preview = _load("preview.yml")["jobs"]["preview"]
    assert preview["strategy"]["matrix"] == "${{ fromJSON(needs.stacks.outputs.matrix) }}"
    [pulumi] = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions")]
    assert pulumi["uses"] == "pulumi/actions@v7"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack_name }}"
    logins = {s["uses"]: s["if"] for s in preview["steps"] if "if" in s}
    assert logins["google-github-actions/auth@v2"] == "matrix.cloud == 'gcp'"
    assert logins["aws-actions/configure-aws-credentials@v4"] == "matrix.cloud == 'aws'"
    assert logins["azure/login@v2"] == "matrix.cloud == 'azure'"


def test_no_long_lived_cloud_keys():
    text = (WORKFLOWS / "preview.yml").read_text()
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"PULUMI_CONFIG_PASSPHRASE"}
    for key_input in ("credentials_json", "aws-access-key-id", "aws-secret-access-key", "creds", "client-secret"):
        assert key_input not in text


def test_every_repository_variable_is_documented():
    docs = (ROOT / "docs" / "review.md").read_text()
    variables = set(re.findall(r"vars\.(\w+)", (WORKFLOWS / "preview.yml").read_text()))
    assert variables >= {"GCP_WORKLOAD_IDENTITY_PROVIDER", "AWS_ROLE_ARN", "AZURE_CLIENT_ID", "PULUMI_BACKEND_URL"}
    assert {v for v in variables if f"`{v}`" not in docs} == set()


# -- the preview matrix -----------------------------------------------------------------------------------
def _matrix_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("preview_matrix", ROOT / "scripts" / "preview_matrix.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preview_matrix = _matrix_module()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks").mkdir()
    for stack, cloud in (("local", "existing"), ("gcp", "gcp"), ("aws", "aws"), ("azure", "azure")):
        (tmp_path / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": {"gitpod:cloud": cloud}}))
    return tmp_path


GCP_VARS = {
    "GCP_WORKLOAD_IDENTITY_PROVIDER": "projects/1/locations/global/workloadIdentityPools/gh/providers/gh",
    "GCP_SERVICE_ACCOUNT": "sa",
}


def test_matrix_has_one_entry_per_stack_file_with_credentials(project):
    env = {**GCP_VARS, "PULUMI_BACKEND_URL": "gs://state/gitpod", "AWS_ROLE_ARN": "arn:aws:iam::1:role/preview"}
    entries, skipped = preview_matrix.matrix(project, env)
    assert entries == [
        {"stack": "gcp", "cloud": "gcp", "stack_name": "gcp", "backend": "gs://state/gitpod", "pulumi_cloud": False, "policy_config": ""}
    ]
    assert [line.split(":")[0] for line in skipped] == ["`aws`", "`azure`", "`local`"]
    assert "AWS_REGION" in skipped[0] and "AWS_ROLE_ARN" not in skipped[0]
    assert "gitpod:cloud is `existing`" in skipped[2]


def test_matrix_backends_pulumi_cloud_and_policy_config(project):
    (project / "policy").mkdir()
    (project / "policy" / "config.json").write_text("{}")
    (project / "policy" / "config.aws.json").write_text("{}")
    env = {
        **GCP_VARS,
        "AWS_ROLE_ARN": "r",
        "AWS_REGION": "eu-west-1",
        "PULUMI_BACKEND_URL_AWS": "s3://state",
        "PULUMI_CLOUD_ORGANIZATION": "acme",
    }
    entries = {e["stack"]: e for e in preview_matrix.matrix(project, env)[0]}
    assert entries["aws"]["backend"] == "s3://state" and entries["aws"]["stack_name"] == "aws"
    assert entries["aws"]["policy_config"] == "policy/config.aws.json"
    assert entries["gcp"] == {
        "stack": "gcp",
        "cloud": "gcp",
        "stack_name": "acme/gitpod/gcp",
        "backend": "",
        "pulumi_cloud": True,
        "policy_config": "policy/config.json",
    }


def test_matrix_without_a_backend_skips_with_the_fix(project):
    entries, skipped = preview_matrix.matrix(project, GCP_VARS)
    assert entries == []
    assert any("no state backend; set PULUMI_BACKEND_URL" in line for line in skipped)


def test_matrix_of_this_repository_lists_every_stack_file():
    entries, skipped = preview_matrix.matrix(ROOT, {})
    stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
    assert entries == [] and len(skipped) == len(stacks)


# -- the fork-safe offline review ----------------------------------------------------------------------------
def test_offline_review_flags_data_loss_against_the_base(tmp_path):
    """One fresh-interpreter run per side and stack, as in CI (the slowest test here, ~2 s)."""
    base = tmp_path / "base"
    base.mkdir()
    for item in ("Pulumi.yaml", "stacks"):
        (shutil.copytree if (ROOT / item).is_dir() else shutil.copy)(ROOT / item, base / item)
    for code in ("components", "tooling"):
        shutil.copytree(ROOT / code, base / code, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for stack_file in (base / "stacks").glob("Pulumi.*.yaml"):
        stack_file.unlink()
    local = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text())
    local["config"]["gitpod:namespace"] = "gitpod-old"
    (base / "stacks" / "Pulumi.local.yaml").write_text(yaml.safe_dump(local))
    result = subprocess.run(
        [str(ROOT / "scripts" / "offline_review.sh"), str(base), sys.executable], capture_output=True, text=True, check=False
    )
    assert result.returncode == 3, result.stderr
    assert "plan local: exit 3" in result.stderr
    assert "**REPLACED** | `gitpod-installer-namespace`" in result.stdout
    assert "### Offline plan: stack `local`" in result.stdout
