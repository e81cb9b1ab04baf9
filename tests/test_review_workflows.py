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

#: Every action is pinned to the commit of a release tag, with the tag in a comment (a tag can be
#: moved; a commit cannot). Read from each repository's tags (`git rev-parse <tag>^{commit}`) on
#: 2026-11-30; each was also the commit of the major tag (v4, v5, ...) that day.
PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/setup-go": ("40f1582b2485089dde7abd97c1529aa768e1baff", "v5.6.0"),
    "pulumi/actions": ("8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
    "google-github-actions/auth": ("c200f3691d83b41bf9bbd8638997a462592937ed", "v2.1.13"),
    "aws-actions/configure-aws-credentials": ("7474bc4690e29a8392af63c5b98e7449536d5c3a", "v4.3.1"),
    "azure/login": ("7184910d9eb2b1c5e48f7073824a90609bb9b6d6", "v2.3.1"),
    "pulumi/auth-actions": ("1c89817aab0c66407723cdef72b05266e7376640", "v1.0.1"),
}

#: The inputs each action documents (action.yml / README of the pinned release); a typo in a
#: `with:` key is silently ignored by GitHub, so the test holds every key to these lists.
ACTION_INPUTS: dict[str, set[str]] = {
    "actions/checkout": {"fetch-depth", "ref", "repository", "path", "token", "persist-credentials"},
    "actions/setup-python": {"python-version", "cache", "cache-dependency-path"},
    # actions/setup-go action.yml at v5.6.0
    "actions/setup-go": {"go-version", "go-version-file", "check-latest", "token", "cache", "cache-dependency-path", "architecture"},
    # pulumi/actions README "Configuration" and "Extra options" (v6/v7)
    "pulumi/actions": {
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
    "google-github-actions/auth": {"workload_identity_provider", "service_account", "project_id", "audience", "token_format"},
    "aws-actions/configure-aws-credentials": {"role-to-assume", "aws-region", "role-session-name", "role-duration-seconds", "audience"},
    "azure/login": {"client-id", "tenant-id", "subscription-id", "environment", "allow-no-subscriptions", "audience"},
    "pulumi/auth-actions": {"organization", "requested-token-type", "scope", "token-expiration"},
}


def _load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _action(uses: str) -> str:
    return uses.split("@", 1)[0]


@pytest.mark.parametrize("name", ["ci.yml", "preview.yml"])
def test_every_action_is_pinned_to_a_release_commit_and_uses_documented_inputs(name):
    text = (WORKFLOWS / name).read_text()
    for step in _steps(_load(name)):
        if "uses" not in step:
            continue
        action = _action(step["uses"])
        assert action in PINS, f"{step['uses']}: unknown action"
        commit, version = PINS[action]
        assert step["uses"] == f"{action}@{commit}", f"{step['uses']}: not pinned to the commit of {version}"
        unknown = set(step.get("with", {})) - ACTION_INPUTS[action]
        assert not unknown, f"{step['uses']} has no input(s) {unknown}"
    for line in (line for line in text.splitlines() if "uses:" in line):
        action = _action(line.split("uses:", 1)[1].strip())
        assert line.endswith(f" # {PINS[action][1]}"), f"{line.strip()}: the release belongs in a comment"


@pytest.mark.parametrize("name", ["ci.yml", "preview.yml"])
def test_checkouts_do_not_persist_credentials(name):
    """A persisted token sits in .git/config, where every later step (and any artifact) can read it."""
    checkouts = [s for s in _steps(_load(name)) if _action(s.get("uses", "")) == "actions/checkout"]
    assert checkouts
    assert all(s.get("with", {}).get("persist-credentials") is False for s in checkouts)


def test_zizmor_finds_nothing_in_the_workflows():
    """zizmor's offline audits (unpinned actions, broad permissions, persisted credentials, template
    injection...) pass, so a workflow change that reintroduces one fails the tests."""
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", str(WORKFLOWS)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    # Only the job that comments and logs in with OIDC gets more than reading the repository.
    assert jobs["preview"]["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    assert jobs["stacks"]["permissions"] == {"contents": "read"}
    fork_guard = "github.event.pull_request.head.repo.full_name == github.repository"
    assert jobs["stacks"]["if"] == fork_guard
    assert jobs["preview"]["if"].startswith(fork_guard) and jobs["preview"]["needs"] == "stacks"
    assert "if" not in jobs["offline-review"], "the offline review must run for forks"
    assert jobs["offline-review"]["permissions"] == {"contents": "read"}


def test_preview_runs_pulumi_preview_with_the_policy_pack_per_stack():
    preview = _load("preview.yml")["jobs"]["preview"]
    assert preview["strategy"]["matrix"] == "${{ fromJSON(needs.stacks.outputs.matrix) }}"
    [pulumi] = [s for s in preview["steps"] if _action(s.get("uses", "")) == "pulumi/actions"]
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack_name }}"
    logins = {_action(s["uses"]): s["if"] for s in preview["steps"] if "if" in s and "uses" in s}
    assert logins["google-github-actions/auth"] == "matrix.cloud == 'gcp'"
    assert logins["aws-actions/configure-aws-credentials"] == "matrix.cloud == 'aws'"
    assert logins["azure/login"] == "matrix.cloud == 'azure'"


def test_preview_takes_the_policy_pack_and_its_config_from_the_base_commit():
    """A pull request must not review itself: were the pack read from its checkout, it could
    weaken or delete the rules (or their config) in the same change that breaks them."""
    steps = _load("preview.yml")["jobs"]["preview"]["steps"]
    [base] = [s for s in steps if _action(s.get("uses", "")) == "actions/checkout" and "ref" in s.get("with", {})]
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    pack = f"{base['with']['path']}/policy"
    [install] = [s for s in steps if "pip install" in s.get("run", "") and s.get("working-directory") == pack]
    [config] = [s for s in steps if s.get("id") == "policy"]
    assert f"{pack}/config.$STACK.json" in config["run"] and f"{pack}/config.json" in config["run"]
    assert "${{" not in config["run"], "the stack name reaches the script through env, never a template"
    [pulumi] = [s for s in steps if _action(s.get("uses", "")) == "pulumi/actions"]
    assert pulumi["with"]["policyPacks"] == pack
    assert pulumi["with"]["policyPackConfigs"] == "${{ steps.policy.outputs.config }}"
    assert steps.index(base) < steps.index(install) < steps.index(config) < steps.index(pulumi)


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
    assert entries == [{"stack": "gcp", "cloud": "gcp", "stack_name": "gcp", "backend": "gs://state/gitpod", "pulumi_cloud": False}]
    assert [line.split(":")[0] for line in skipped] == ["`aws`", "`azure`", "`local`"]
    assert "AWS_REGION" in skipped[0] and "AWS_ROLE_ARN" not in skipped[0]
    assert "gitpod:cloud is `existing`" in skipped[2]


def test_matrix_backends_and_pulumi_cloud(project):
    env = {
        **GCP_VARS,
        "AWS_ROLE_ARN": "r",
        "AWS_REGION": "eu-west-1",
        "PULUMI_BACKEND_URL_AWS": "s3://state",
        "PULUMI_CLOUD_ORGANIZATION": "acme",
    }
    entries = {e["stack"]: e for e in preview_matrix.matrix(project, env)[0]}
    assert entries["aws"]["backend"] == "s3://state" and entries["aws"]["stack_name"] == "aws"
    # No policy config from the pull request's script: the preview job reads it from the base.
    assert entries["gcp"] == {"stack": "gcp", "cloud": "gcp", "stack_name": "acme/gitpod/gcp", "backend": "", "pulumi_cloud": True}


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
