"""No traceback, ever: a corpus of malformed stack files, project files, flags, overrides and base
plans, generated from the example stacks. Each unreadable input exits 2 with a line naming the file
or key; a mutated value either plans or is refused (exit 2) naming its key; nothing exits above 3."""

from __future__ import annotations

import copy
import datetime
import json
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from gitpod_refarch_tools.cli import main
from gitpod_refarch_tools.harness import PlanError, run_program

from .conftest import ROOT

STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's Pulumi.yaml and example stacks, to add malformed stacks beside them."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", root / "stacks")
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The CLI in-process; argparse's own refusals arrive as SystemExit."""
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.err


def plan_text(capsys: pytest.CaptureFixture[str], project: Path, name: str, text: str | bytes, *extra: str) -> tuple[int, str]:
    path = project / "stacks" / f"Pulumi.{name}.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return run(capsys, "plan", "--project-dir", str(project), "--stack", name, "--format", "json", *extra)


def refused(code: int, err: str, *names: str) -> None:
    """Exit 2 with an error naming the file or key (one of `names`)."""
    assert code == 2, err
    assert "Traceback" not in err
    assert any(name in err for name in names), err


# -- whole files that cannot be stack files --------------------------------------------------------
def _broken_files(stack: str) -> Iterator[tuple[str, str | bytes]]:
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    junk = random.Random(stack).randbytes(300)
    yield "list", "- " + "\n- ".join(text.splitlines()[:3]) + "\n"
    yield "scalar", "just text\n"
    yield "number", "42\n"
    yield "config-list", "config:\n  - gitpod:domain\n"
    yield "config-scalar", "config: gitpod\n"
    yield "binary", junk
    yield "latin-1", text.replace("gitpod:domain", "gitpod:domaine # café").encode("latin-1")
    yield "utf-16", text.encode("utf-16")
    yield "tabs", text.replace("\n  ", "\n\t")
    yield "duplicate-key", text.replace("config:\n", "config:\n  gitpod:domain: a.example.com\n", 1)
    yield "unclosed-flow", text.replace("config:\n", "config:\n  gitpod:x: [a, {b: c\n", 1)
    yield "nan", text.replace("config:\n", "config:\n  gitpod:x: {deep: [.nan]}\n", 1)
    yield "non-string-key", text.replace("config:\n", "config:\n  42: x\n", 1)
    yield "bad-key", text.replace("config:\n", "config:\n  a:b:c: x\n", 1)
    yield "deep", "config:\n  gitpod:x: " + "[" * 3000 + "\n"
    yield "self-alias", "config:\n  gitpod:x: &a {k: *a}\n"
    bomb = ["config:", "  gitpod:a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"  gitpod:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    yield "alias-bomb", "\n".join(bomb) + "\n"


@pytest.mark.parametrize("stack", STACKS)
def test_unreadable_stack_files_exit_2_naming_the_file(capsys, project, stack):
    for case, text in _broken_files(stack):
        name = f"broken-{stack}-{case}"
        code, err = plan_text(capsys, project, name, text)
        refused(code, err, f"Pulumi.{name}.yaml")


def test_an_empty_stack_file_asks_for_the_domain(capsys, project):
    for text in ("", "# nothing yet\n", "config:\n", "config: {}\n"):
        code, err = plan_text(capsys, project, "empty", text)
        refused(code, err, "gitpod:domain: is required but not set")


# -- values of the wrong kind, at every level of every example stack -------------------------------
def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


#: Values of every kind but "unset" (null, ""), which is no mistake: it plans the defaults.
REPLACEMENTS: list[Any] = [
    [],
    {},
    _nested(40),
    {"unexpected": {"deeper": [1, 2]}},
    10**30,
    -(2**70),
    1e300,
    float("nan"),
    -1,
    0,
    1.30,
    True,
    "x" * 5000,
    "\u202e\u0000 control",
    datetime.date(2026, 1, 31),
    b"\x00\xff",
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _mutations(stack: str) -> Iterator[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    for i, path in enumerate(p for p in _paths(data) if p and p[0] == "config"):
        # Every path gets two replacements, rotating through the list so every kind lands at every depth.
        for value in (REPLACEMENTS[i % len(REPLACEMENTS)], REPLACEMENTS[(i * 7 + 3) % len(REPLACEMENTS)]):
            yield ".".join(map(str, path)), yaml.safe_dump(_replaced(data, path, value), allow_unicode=True)
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    for cut in (len(text) // 3, len(text) // 2, 2 * len(text) // 3):
        yield f"truncated at {cut}", text[:cut]


@pytest.mark.parametrize("stack", STACKS)
def test_values_of_every_kind_at_every_level_plan_or_are_refused_by_key(capsys, project, stack):
    name = f"mutated-{stack}"
    counted = 0
    for where, text in _mutations(stack):
        code, err = plan_text(capsys, project, name, text)
        assert code in (0, 1, 2), f"{where}: exit {code}\n{err}"
        assert "Traceback" not in err, where
        if code == 2:
            lines = [line.strip() for line in err.splitlines() if line.strip()]
            problems = lines[1:] if lines and lines[0].startswith("Stack ") else lines
            assert problems and all(("gitpod:" in p or "Pulumi." in p or "problem(s)" in p) for p in problems), f"{where}: {err}"
        counted += 1
    assert counted > 20


# -- flags and overrides ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("--bogus",),
        ("--format", "yaml"),
        ("--stack",),
        ("--diff",),
        ("--config", "registry.kind"),
        ("--config", "=x"),
        ("--config", "a..b=1"),
        ("--config", "a:b:c=1"),
        ("--config", "authProviders[7].id=x"),
        ("--config", "authProviders[123456789012].id=x"),
        ("--config", "cluster.labelNodes.first=x"),
        ("--secret", "database.external.password"),
        ("--config", "cluster=[1]", "--config", "cluster.name=x"),
    ],
)
def test_bad_flags_and_overrides_exit_2(capsys, args):
    code, err = run(capsys, "plan", "--project-dir", str(ROOT), "--stack", "local", *args)
    assert code == 2, err
    assert "Traceback" not in err and err.strip()


# -- the project file and directory ----------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        None,
        "name: [gitpod\n",
        "- name: gitpod\n",
        "runtime: python\n",
        "name: 42\n",
        "name: gitpod\nstackConfigDir: [stacks]\n",
        b"\xff\xfe\x00junk",
        "name: gitpod\nname: other\n",
    ],
)
def test_a_missing_or_broken_pulumi_yaml_exits_2_naming_it(capsys, tmp_path, content):
    if content is not None:
        (tmp_path / "Pulumi.yaml").write_bytes(content.encode() if isinstance(content, str) else content)
    code, err = run(capsys, "plan", "--project-dir", str(tmp_path), "--stack", "local")
    refused(code, err, str(tmp_path))


def test_a_project_dir_that_does_not_exist_exits_2(capsys, tmp_path):
    code, err = run(capsys, "urns", "--project-dir", str(tmp_path / "nowhere"), "--stack", "local")
    refused(code, err, str(tmp_path / "nowhere"))


# -- base plans for --diff, and URN snapshots ------------------------------------------------------
def _bases() -> Iterator[tuple[str, str | bytes]]:
    resource = {"urn": "urn:pulumi:local::gitpod::t::n", "type": "t", "name": "n", "inputs": {}}
    plan = {"stack": "local", "resources": [resource], "outputs": {}}
    yield "not json", "{resources: nope"
    yield "empty", ""
    yield "binary", b"\x89PNG\r\n\x1a\n\x00"
    yield "a list", "[]"
    yield "no resources", json.dumps({"stack": "local"})
    yield "resources not a list", json.dumps({**plan, "resources": {}})
    for key in ("urn", "type", "name"):
        yield f"no {key}", json.dumps({**plan, "resources": [{k: v for k, v in resource.items() if k != key}]})
    yield "urn a number", json.dumps({**plan, "resources": [{**resource, "urn": 7}]})
    yield "inputs a list", json.dumps({**plan, "resources": [{**resource, "inputs": []}]})
    yield "dependsOn a string", json.dumps({**plan, "resources": [{**resource, "dependsOn": "x"}]})
    yield "aliases of numbers", json.dumps({**plan, "resources": [{**resource, "aliases": [1]}]})
    yield "resource a string", json.dumps({**plan, "resources": ["x"]})
    yield "stack a number", json.dumps({**plan, "stack": 1})
    yield "deep", "[" * 100_000 + "]" * 100_000


def test_malformed_base_plans_exit_2_naming_the_file(capsys, tmp_path):
    for case, content in _bases():
        base = tmp_path / f"base-{case.replace(' ', '-')}.json"
        base.write_bytes(content.encode() if isinstance(content, str) else content)
        for fmt in ("text", "json", "markdown"):
            code, err = run(capsys, "plan", "--project-dir", str(ROOT), "--stack", "local", "--diff", str(base), "--format", fmt)
            refused(code, err, str(base))
    code, err = run(capsys, "plan", "--project-dir", str(ROOT), "--stack", "local", "--diff", str(tmp_path / "missing.json"))
    refused(code, err, "missing.json")


def test_a_malformed_urn_snapshot_exits_2_with_the_command_that_rewrites_it(capsys, project):
    snapshots = project / "tests" / "snapshots" / "urns"
    snapshots.mkdir(parents=True, exist_ok=True)
    for content in ("", "[]", '{"resources": []}', "{nope"):
        (snapshots / "local.json").write_text(content)
        code, err = run(capsys, "urns", "--project-dir", str(project), "--stack", "local")
        refused(code, err, "python -m gitpod_refarch urns --stack local --write")


# -- failures inside the program -------------------------------------------------------------------
def test_a_lookup_the_cloud_cannot_answer_is_a_clean_error(capsys):
    code, err = run(
        capsys,
        "plan", "--project-dir", str(ROOT), "--stack", "aws",
        "--config", "aws.nodeImage=ami-0123456789abcdef0", "--config", "cluster.kubernetesVersion=1.36",
    )  # fmt: skip
    refused(code, err, "aws:eks/getAddonVersion:getAddonVersion: EKS publishes no")
    assert "so `pulumi up` would fail here too" in err


def _failing(error: Exception) -> Callable[[], None]:
    """A program whose exported value fails inside an apply, as a provider lookup or a bug would."""

    def fail(_: object) -> str:
        raise error

    def program() -> None:
        pulumi.export("value", pulumi.Output.from_input("x").apply(fail))

    return program


@pytest.mark.parametrize(
    ("error", "lines"),
    [
        (
            pulumi.RunError("the subnet has no free addresses\nFix: use a larger range"),
            ["the subnet has no free addresses", "Fix: use a larger range"],
        ),
        (KeyError("urn"), ["the program failed: KeyError: 'urn'", "this is a bug in the program; rerun with --traceback to see where"]),
    ],
)
def test_failures_inside_an_apply_become_plan_errors(error, lines):
    with pytest.raises(PlanError) as raised:
        run_program(_failing(error), {})
    assert raised.value.lines == lines
    # The harness stays usable: the next plan in the same process succeeds.
    assert run_program(lambda: pulumi.export("ok", 1), {}).outputs == {"ok": 1}


def test_a_bug_in_the_program_is_one_line_and_traceback_shows_where(capsys, monkeypatch):
    import gitpod_refarch.program

    monkeypatch.setattr(gitpod_refarch.program, "main", _failing(ZeroDivisionError("division by zero")))
    code, err = run(capsys, "plan", "--project-dir", str(ROOT), "--stack", "local")
    refused(code, err, "the program failed: ZeroDivisionError: division by zero")
    code, err = run(capsys, "plan", "--project-dir", str(ROOT), "--stack", "local", "--traceback")
    assert code == 2 and "Traceback (most recent call last)" in err and err.rstrip().endswith("ZeroDivisionError: division by zero")


# -- the real command line -------------------------------------------------------------------------
def test_the_command_line_prints_no_traceback(project, tmp_path):
    """What a user runs: `python -m gitpod_refarch`, through its shim, in a fresh process."""
    (project / "stacks" / "Pulumi.cli-list.yaml").write_text("- a\n")
    (tmp_path / "base.json").write_text('{"stack": "local", "resources": [{"type": "t"}]}')
    cases = [
        ("plan", "--project-dir", str(project), "--stack", "cli-list"),
        ("plan", "--project-dir", str(tmp_path), "--stack", "local"),
        ("plan", "--project-dir", str(ROOT), "--stack", "local", "--diff", str(tmp_path / "base.json")),
        ("plan", "--stack", "local", "--nope"),
    ]
    for args in cases:
        result = subprocess.run([sys.executable, "-m", "gitpod_refarch", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip(), args
