"""`python -m gitpod_refarch plan`: formats, overrides, redaction, and clean failures for bad config."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gitpod_refarch_tools.cli import main

from .conftest import ROOT


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["plan", "--project-dir", str(ROOT), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_plan_of_the_local_stack(capsys):
    code, out, err = run(capsys, "--stack", "local", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["stack"] == "local"
    assert data["checks"] == []
    assert data["outputs"]["namespace"] == "gitpod"
    protected = [r["name"] for r in data["resources"] if r["protect"]]
    assert protected == ["gitpod-installer-namespace"]


def test_text_plan_marks_protected_resources_and_reports_checks(capsys):
    code, out, _ = run(capsys, "--stack", "local")
    assert code == 0
    assert "kubernetes:core/v1:Namespace  gitpod-installer-namespace  [protected;" in out
    assert "Installer checks (2022.11 schema and Secret keys): ok" in out


def test_invalid_config_fails_with_one_line_per_problem_and_no_traceback(capsys):
    code, out, err = run(
        capsys, "--stack", "local", "--config", "registry.kind=ecr", "--config", "domain=https://gitpod", "--config", "cloud=gpc"
    )
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    problems = [line.strip() for line in err.splitlines() if line.strip().startswith("gitpod:")]
    assert [p.split(":")[1] for p in problems] == ["cloud", "domain", "registry.kind"]
    assert all(len(p.splitlines()) == 1 for p in problems)


def test_missing_stack_file_is_a_clear_error(capsys):
    code, _, err = run(capsys, "--stack", "nope")
    assert code == 2
    assert "stacks/Pulumi.nope.yaml does not exist" in err


def test_secret_overrides_never_reach_the_output(capsys):
    code, out, _ = run(
        capsys,
        "--stack", "local", "--format", "json",
        "--config", "database.mode=external", "--config", "database.external.host=mysql.internal",
        "--secret", "database.external.password=s3cr3t-pa55",
    )  # fmt: skip
    assert code == 0
    assert "s3cr3t-pa55" not in out
    for fmt in ("text", "markdown"):
        code, other, err = run(
            capsys,
            "--stack", "local", "--format", fmt, "--critical-path",
            "--config", "database.mode=external", "--config", "database.external.host=mysql.internal",
            "--secret", "database.external.password=s3cr3t-pa55",
        )  # fmt: skip
        assert code == 0 and other, err
        assert "s3cr3t-pa55" not in other + err
    database = next(
        r
        for r in json.loads(out)["resources"]
        if r["type"] == "kubernetes:core/v1:Secret" and r["inputs"]["metadata"]["name"] == "database"
    )
    assert database["inputs"]["stringData"] == dict.fromkeys(("host", "port", "username", "password", "encryptionKeys"), "[secret]")


def test_plain_text_password_override_is_refused(capsys):
    code, _, err = run(
        capsys,
        "--stack",
        "local",
        "--config",
        "database.mode=external",
        "--config",
        "database.external.host=db",
        "--config",
        "database.external.password=oops",
    )
    assert code == 2
    assert "stored in plain text" in err and "oops" not in err


def test_module_entry_point_runs_as_documented():
    result = subprocess.run(
        [sys.executable, "-m", "gitpod_refarch", "plan", "--stack", "local", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["checks"] == []


@pytest.mark.parametrize("stack_file", sorted(p.name for p in (ROOT / "stacks").glob("Pulumi.*.yaml")))
def test_every_example_stack_plans_cleanly(capsys, stack_file):
    stack = stack_file.removeprefix("Pulumi.").removesuffix(".yaml")
    code, out, err = run(capsys, "--stack", stack, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["checks"] == []
    urns = [r["urn"] for r in data["resources"]]
    assert len(urns) == len(set(urns))
    for resource in data["resources"]:
        if resource["type"] == "kubernetes:core/v1:Secret":
            assert set(resource["inputs"]["stringData"].values()) == {"[secret]"}, resource["name"]
    if "kubeconfig" in data["outputs"]:
        assert data["outputs"]["kubeconfig"] == "[secret]"
