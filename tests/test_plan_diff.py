"""`plan --diff BASE.json`: what a change adds, removes and changes, and loud flags for lost data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi_gcp import sql

from gitpod_refarch_tools import diff
from gitpod_refarch_tools.cli import main
from gitpod_refarch_tools.effects import TYPES
from gitpod_refarch_tools.harness import run_program
from gitpod_refarch_tools.markdown import render_markdown
from gitpod_refarch_tools.render import to_json
from gitpod_refarch_tools.stateful import STATEFUL_TYPES

from .conftest import ROOT

SQL = "gcp:sql/databaseInstance:DatabaseInstance"


def _database_program(name: str, region: str = "europe-west1", **opts: Any) -> Callable[[], None]:
    def program() -> None:
        sql.DatabaseInstance(
            name,
            database_version="MYSQL_8_0",
            region=region,
            settings={"tier": "db-custom-2-7680", "ip_configuration": {"ipv4_enabled": False}},
            opts=pulumi.ResourceOptions(protect=True, **opts),
        )

    return program


def _plan(program: Callable[[], None]) -> dict[str, Any]:
    return to_json(run_program(program, {"gcp:project": "gitpod-test"}, project="gitpod", stack="gcp"))


def test_a_renamed_database_is_flagged_as_data_loss():
    base = _plan(_database_program("gitpod-db"))
    head = _plan(_database_program("gitpod-database"))
    result = diff.diff_plans(base, head)
    assert result.flagged
    [danger] = result.dangers
    assert (danger.kind, danger.name, danger.type) == ("renamed", "gitpod-db", SQL)
    assert danger.replacement == "urn:pulumi:gcp::gitpod::gcp:sql/databaseInstance:DatabaseInstance::gitpod-database"
    assert 'aliases=[pulumi.Alias(name="gitpod-db"' in danger.reason
    assert [r["name"] for r in result.added] == ["gitpod-database"]
    assert [r["name"] for r in result.removed] == ["gitpod-db"]
    report = diff.render_markdown(result)
    assert "DATA LOSS" in report and "**RENAMED**" in report and "`gitpod-db`" in report


def test_a_renamed_database_with_an_alias_is_a_safe_move():
    base = _plan(_database_program("gitpod-db"))
    head = _plan(_database_program("gitpod-database", aliases=[pulumi.Alias(name="gitpod-db")]))
    result = diff.diff_plans(base, head)
    assert not result.flagged
    assert result.moved == [(base["resources"][0]["urn"], head["resources"][0]["urn"])]
    assert result.added == [] and result.removed == [] and result.changed == []


def test_a_replace_triggering_input_is_flagged_even_when_the_urn_stays():
    base = _plan(_database_program("gitpod-db"))
    head = _plan(_database_program("gitpod-db", region="us-central1"))
    result = diff.diff_plans(base, head)
    [danger] = result.dangers
    assert danger.kind == "replaced"
    assert "region: 'europe-west1' -> 'us-central1'" in danger.reason
    assert [(c.name, c.inputs) for c in result.changed] == [("gitpod-db", ("region",))]


def test_a_rename_under_a_new_parent_is_flagged():
    class Database(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("gitpod:index:Database", name)
            _database_program("gitpod-db", parent=self)()
            self.register_outputs({})

    base = _plan(_database_program("gitpod-db"))
    head = _plan(lambda: Database("gitpod"))
    assert [(d.kind, d.name) for d in diff.diff_plans(base, head).dangers] == [("renamed", "gitpod-db")]


def _doc(*resources: dict[str, Any], stack: str = "aws") -> dict[str, Any]:
    return {"stack": stack, "resources": list(resources), "outputs": {}, "warnings": [], "checks": []}


def _resource(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    urn = f"urn:pulumi:aws::gitpod::gitpod:index:Database${type_}::{name}"
    return {
        "urn": urn,
        "type": type_,
        "name": name,
        "parent": None,
        "provider": None,
        "dependsOn": [],
        "protect": True,
        "inputs": inputs,
    } | extra


@pytest.mark.parametrize(
    ("type_", "key", "before", "after"),
    [
        ("aws:rds/instance:Instance", "identifier", "gitpod", "gitpod-2"),
        ("aws:rds/instance:Instance", "engine", "mysql", "mariadb"),
        ("aws:s3/bucket:Bucket", "bucket", "gitpod-storage", "gitpod-blobs"),
        ("azure-native:storage:StorageAccount", "accountName", "gitpodstorage", "gitpodblobs"),
        ("gcp:dns/managedZone:ManagedZone", "dnsName", "gitpod.example.com.", "gitpod.example.org."),
        ("random:index/randomBytes:RandomBytes", "length", 32, 64),
    ],
)
def test_replace_triggering_inputs_of_the_main_stateful_types(type_, key, before, after):
    base = _doc(_resource(type_, "data", {key: before, "tags": {"a": "b"}}))
    head = _doc(_resource(type_, "data", {key: after, "tags": {"a": "b"}}))
    result = diff.diff_plans(base, head)
    assert [(d.kind, d.name) for d in result.dangers] == [("replaced", "data")]
    assert key in result.dangers[0].reason


def test_in_place_changes_to_stateful_resources_are_listed_but_not_flagged():
    base = _doc(_resource("aws:rds/instance:Instance", "db", {"identifier": "gitpod", "instanceClass": "db.t3.medium"}))
    head = _doc(_resource("aws:rds/instance:Instance", "db", {"identifier": "gitpod", "instanceClass": "db.t3.large"}))
    result = diff.diff_plans(base, head)
    assert not result.flagged
    assert [(c.name, c.inputs) for c in result.changed] == [("db", ("instanceClass",))]


def test_a_removed_stateful_resource_is_flagged_as_deleted(plan_stack):
    external = {"database.mode": "external", "database.external.host": "mysql.internal"}
    base = to_json(plan_stack("local", external, {"database.external.password": "pw"}))
    head = to_json(plan_stack("local"))
    result = diff.diff_plans(base, head)
    assert [(d.kind, d.name) for d in result.dangers] == [("deleted", "gitpod-installer-encryption-key")]
    assert {r["name"] for r in result.removed} == {"gitpod-installer-encryption-key", "gitpod-installer-database"}


def test_ordinary_changes_show_their_input_paths_and_are_not_flagged(plan_stack):
    base = to_json(plan_stack("local"))
    head = to_json(plan_stack("local", {"certManager.version": "v1.22.0"}))
    result = diff.diff_plans(base, head)
    assert not result.flagged
    assert [(c.name, c.inputs) for c in result.changed] == [("gitpod-cert-manager-chart", ("version",))]


def test_lost_protection_is_a_warning_not_a_flag(plan_stack):
    result = diff.diff_plans(to_json(plan_stack("local")), to_json(plan_stack("local", {"protect": "false"})))
    assert not result.flagged
    assert result.warnings == [
        "gitpod-installer-namespace (kubernetes:core/v1:Namespace) is no longer protected: `pulumi destroy` or a later rename can delete it."
    ]
    assert [(c.name, c.options) for c in result.changed] == [("gitpod-installer-namespace", ("protect",))]


def test_identical_plans_have_no_changes(plan_stack):
    doc = to_json(plan_stack("local"))
    result = diff.diff_plans(doc, copy.deepcopy(doc))
    assert result.empty and not result.flagged
    assert "No resource is added, removed or changed." in diff.render_markdown(result)


def test_plans_of_different_stacks_are_refused():
    with pytest.raises(diff.DiffError, match="stack 'gcp'"):
        diff.diff_plans(_doc(stack="gcp"), _doc(stack="aws"))


def test_changed_paths():
    assert diff.changed_paths({"a": {"b": 1, "c": [1]}, "d": None}, {"a": {"b": 2, "c": [1]}}) == ["a.b"]
    assert diff.changed_paths({"a": {"b": 1}}, {"a": "x"}) == ["a"]


def test_every_stateful_type_documents_its_replace_triggers():
    assert all(TYPES[t].replace for t in STATEFUL_TYPES)
    assert {"name", "region"} <= set(TYPES[SQL].replace)
    # A major upgrade is an in-place patch of the same instance (see test_gcp_stack), not a new database.
    assert "databaseVersion" not in TYPES[SQL].replace


@pytest.mark.parametrize(
    "stack", sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
)
def test_every_protected_type_of_every_stack_has_replace_triggers(plan_stack, stack):
    """Otherwise --diff could not tell when a change to it replaces (destroys) the resource."""
    protected = {r.type for r in plan_stack(stack).resources if r.protect}
    assert protected, f"{stack} protects nothing"
    assert protected <= STATEFUL_TYPES, f"{stack}: no replace triggers for {sorted(protected - STATEFUL_TYPES)}"


# -- the CLI ------------------------------------------------------------------------------------------
def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", "--project-dir", str(ROOT), "--stack", "local", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def base_plan(tmp_path, capsys) -> str:
    code, out, _ = _cli(capsys, "--format", "json")
    assert code == 0
    path = tmp_path / "base.json"
    path.write_text(out)
    return str(path)


def test_cli_diff_exits_3_and_says_why_in_markdown(capsys, base_plan):
    code, out, _ = _cli(capsys, "--diff", base_plan, "--format", "markdown", "--config", "namespace=gitpod-2")
    assert code == 3
    assert out.startswith("### Plan diff for stack `local` against the base plan `base.json`")
    assert "**REPLACED** | `gitpod-installer-namespace`" in out
    assert "### Offline plan: stack `local`" in out  # followed by the plan itself


def test_cli_diff_of_an_unchanged_stack_exits_0(capsys, base_plan):
    code, out, _ = _cli(capsys, "--diff", base_plan)
    assert code == 0
    assert out.endswith("Plan diff for stack 'local': IN PLACE (exit 0)\n  no changes\n")


def test_cli_diff_as_json(capsys, base_plan):
    code, out, _ = _cli(capsys, "--diff", base_plan, "--format", "json", "--config", "certManager.version=v1.22.0")
    assert code == 0
    data = json.loads(out)
    assert data["diff"]["flagged"] is False
    assert data["diff"]["changed"][0]["inputs"] == ["version"]


def test_cli_refuses_an_unreadable_or_foreign_base(capsys, tmp_path):
    code, out, err = _cli(capsys, "--diff", str(tmp_path / "missing.json"))
    assert (code, out) == (2, "") and "cannot read the base plan" in err
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(_doc(stack="gcp")))
    code, _, err = _cli(capsys, "--diff", str(foreign))
    assert code == 2 and "the base plan is for stack 'gcp'" in err


# -- the markdown plan (what the job summary shows next to the diff) -----------------------------------------
def test_markdown_plan_of_the_local_stack(plan_stack):
    text = render_markdown(to_json(plan_stack("local")))
    assert text.startswith("### Offline plan: stack `local`\n\n21 resources, 1 protected, 5 warning(s); ✅ installer checks pass.")
    assert "| `kubernetes:cert-manager.io/v1:Certificate` | 2 |" in text
    assert (
        "#### Protected resources\n\n| Resource | Type |\n|---|---|\n| `gitpod-installer-namespace` | `kubernetes:core/v1:Namespace` |"
        in text
    )
    assert "- gitpod:cluster.distribution: K3s has only 'limited support'" in text
    assert "```yaml\napiVersion: v1\nkind: Full\ndomain: gitpod.lab.example.com\n" in text
    assert '| `namespace` | `"gitpod"` |' in text
    assert "without `protect`" not in text and "#### Installer checks" not in text


def test_markdown_plan_warns_about_unprotected_data_and_failed_checks(plan_stack):
    text = render_markdown(to_json(plan_stack("local", {"protect": "false"})))
    assert "#### Protected resources\n\nNone." in text
    assert (
        "> Stateful resources without `protect` (a `pulumi destroy` or a rename deletes their data): `gitpod-installer-namespace`" in text
    )
    password = _resource("random:index/randomPassword:RandomPassword", "db-password", {"length": 24}, protect=False)
    doc = _doc(password) | {"checks": ["database: Secret 'database' lacks key 'password'"]}
    text = render_markdown(doc)
    assert "without `protect`" not in text  # a regenerated password is rotated, not lost
    assert "❌ 1 installer check(s) fail" in text and "- database: Secret 'database' lacks key 'password'" in text
