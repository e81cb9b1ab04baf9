"""Stateful resources keep their URNs: a changed URN is a delete-and-recreate, i.e. lost data.

`tests/snapshots/urns/<stack>.json` records the URNs of every stack's stateful resources. A URN
may only disappear if some resource lists it in its `aliases`. After a deliberate change, review
the new URNs and regenerate: `python -m gitpod_refarch urns --stack <stack> --write`.
"""

from __future__ import annotations

import json
import shutil

import pulumi
import pulumi_random as random
import pytest

from gitpod_refarch_tools import urns
from gitpod_refarch_tools.cli import main
from gitpod_refarch_tools.harness import run_program
from gitpod_refarch_tools.render import to_json

from .conftest import ROOT

STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
SNAPSHOTS = ROOT / urns.SNAPSHOT_DIR


@pytest.mark.parametrize("stack", STACKS)
def test_stateful_urns_match_the_committed_snapshot(plan_stack, stack):
    path = urns.snapshot_path(ROOT, stack)
    assert path.is_file(), (
        f"stack {stack!r} has no URN snapshot ({path.relative_to(ROOT)}). Create it with `{urns.regenerate_command(stack)}`, "
        "check that every URN is the name you want forever, and commit it."
    )
    doc = to_json(plan_stack(stack))
    problems = urns.compare(json.loads(path.read_text()), doc)
    assert problems == [], "\n".join(problems)
    # generated, not hand-edited, so the regenerate command stays the only way to change it
    assert path.read_text() == urns.render(urns.snapshot(doc))


def test_every_snapshot_belongs_to_a_stack():
    stale = sorted(p.stem for p in SNAPSHOTS.glob("*.json") if p.stem not in STACKS)
    assert stale == [], f"snapshots without a stack file (remove them): {stale}"


def test_local_snapshot_holds_the_protected_namespace():
    saved = json.loads(urns.snapshot_path(ROOT, "local").read_text())
    assert saved["resources"] == {
        "urn:pulumi:local::gitpod::gitpod:index:InstallerConfig$kubernetes:core/v1:Namespace::gitpod-installer-namespace": "kubernetes:core/v1:Namespace"
    }


# -- compare(): renames fail, aliases pass, new stateful resources must be recorded --------------------------
def _plan(*, name: str = "encryption-key", aliases: list[pulumi.Alias] | None = None, extra: bool = False) -> dict:
    class Installer(pulumi.ComponentResource):
        def __init__(self) -> None:
            super().__init__("gitpod:index:InstallerConfig", "gitpod-installer")
            random.RandomBytes(name, length=32, opts=pulumi.ResourceOptions(parent=self, protect=True, aliases=aliases))
            if extra:
                random.RandomPassword("db-password", length=24, opts=pulumi.ResourceOptions(parent=self))
            self.register_outputs({})

    def program() -> None:
        Installer()

    return to_json(run_program(program, {}, project="gitpod", stack="t"))


def test_unchanged_urns_pass():
    saved = urns.snapshot(_plan())
    assert urns.compare(saved, _plan()) == []


def test_a_renamed_stateful_resource_fails_with_what_to_do():
    saved = urns.snapshot(_plan())
    problems = urns.compare(saved, _plan(name="installer-key"))
    assert len(problems) == 2
    assert "RandomBytes::encryption-key (random:index/randomBytes:RandomBytes) is gone" in problems[0]
    assert "aliases=[pulumi.Alias(...)]" in problems[0] and urns.regenerate_command("t") in problems[0]
    assert "RandomBytes::installer-key" in problems[1] and "missing from the snapshot" in problems[1]


def test_an_alias_for_the_old_urn_keeps_the_snapshot_valid():
    saved = urns.snapshot(_plan())
    moved = _plan(name="installer-key", aliases=[pulumi.Alias(name="encryption-key")])
    problems = urns.compare(saved, moved)
    assert [p for p in problems if "is gone" in p] == []  # the old URN is aliased: the engine keeps the resource


def test_moving_out_of_the_component_needs_an_alias_to_the_old_parent():
    saved = urns.snapshot(_plan())

    def top_level(aliases: list[pulumi.Alias] | None) -> dict:
        def program() -> None:
            random.RandomBytes("encryption-key", length=32, opts=pulumi.ResourceOptions(protect=True, aliases=aliases))

        return to_json(run_program(program, {}, project="gitpod", stack="t"))

    old_parent = "urn:pulumi:t::gitpod::gitpod:index:InstallerConfig::gitpod-installer"
    assert any("is gone" in p for p in urns.compare(saved, top_level(None)))
    assert not any("is gone" in p for p in urns.compare(saved, top_level([pulumi.Alias(parent=old_parent)])))


def test_a_new_stateful_resource_must_be_recorded():
    problems = urns.compare(urns.snapshot(_plan()), _plan(extra=True))
    assert len(problems) == 1 and "RandomPassword::db-password" in problems[0]


# -- the harness resolves aliases as the engine does --------------------------------------------------------
def test_alias_specs_resolve_to_engine_urns():
    class Component(pulumi.ComponentResource):
        def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
            super().__init__("gitpod:index:Storage", name, None, opts)
            random.RandomBytes("key", length=8, opts=pulumi.ResourceOptions(parent=self))
            self.register_outputs({})

    def program() -> None:
        Component("storage", pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="gitpod:index:Bucket")]))
        random.RandomBytes(
            "top", length=8, opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old", parent=pulumi.ROOT_STACK_RESOURCE)])
        )
        random.RandomBytes(
            "literal", length=8, opts=pulumi.ResourceOptions(aliases=["urn:pulumi:other::gitpod::random:index/randomBytes:RandomBytes::x"])
        )

    plan = run_program(program, {}, project="gitpod", stack="t")
    aliases = {r.name: r.aliases for r in plan.resources}
    assert aliases["storage"] == ["urn:pulumi:t::gitpod::gitpod:index:Bucket::storage"]
    # children follow their parent's alias (same name, under the old parent type)
    assert aliases["key"] == ["urn:pulumi:t::gitpod::gitpod:index:Bucket$random:index/randomBytes:RandomBytes::key"]
    assert aliases["top"] == ["urn:pulumi:t::gitpod::random:index/randomBytes:RandomBytes::old"]
    assert aliases["literal"] == ["urn:pulumi:other::gitpod::random:index/randomBytes:RandomBytes::x"]
    assert "aliases" in next(r for r in to_json(plan)["resources"] if r["name"] == "top")


# -- the regenerate command -------------------------------------------------------------------------------
def test_urns_command_writes_and_checks_a_snapshot(tmp_path, capsys):
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    args = ["urns", "--project-dir", str(tmp_path), "--stack", "local"]
    assert main(args) == 3
    assert "create it with: python -m gitpod_refarch urns --stack local --write" in capsys.readouterr().err
    assert main([*args, "--write"]) == 0
    assert (tmp_path / "tests/snapshots/urns/local.json").read_text() == urns.snapshot_path(ROOT, "local").read_text()
    capsys.readouterr()
    assert main(args) == 0
    assert "gitpod-installer-namespace" in capsys.readouterr().out
