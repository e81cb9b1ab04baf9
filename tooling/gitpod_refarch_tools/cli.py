"""`python -m gitpod_refarch plan --stack NAME`: the program's resource graph, offline.

    plan --stack NAME [--format text|json|markdown] [--critical-path] [--diff BASE.json]
    urns --stack NAME [--write]

Exit codes:
0 planned (for `urns`: the URN snapshot matches, or was written); with `--diff`, the verdict is
  "in place": nothing that holds data, runs Gitpod or hosts workspaces is replaced (rolls and
  restarts are named, but do not change the code);
1 planned, but the installer would reject the config (a program bug);
2 the stack's config is invalid (one line per problem on stderr), or the stack file or the
  `--diff` base plan is unreadable;
3 data loss: `--diff` found a resource holding data that this change would delete or replace
  (in-cluster volumes included when the namespace or cluster goes), or `urns` found the stack's
  stateful URNs differ from its snapshot (or it has none);
4 outage: `--diff` found the cluster, a node pool or Gitpod's namespace replaced or removed.
3 wins over 4, and both win over 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import critical_path, diff, markdown, render, urns
from .harness import Plan, PlanError, run_program
from .stackfile import StackFileError, build_config, find_project_dir

EXIT_OK, EXIT_INSTALLER, EXIT_INVALID = 0, 1, 2
EXIT_DATA_AT_RISK, EXIT_OUTAGE = diff.EXIT_CODES["data-loss"], diff.EXIT_CODES["outage"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gitpod_refarch", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the program under mocks with a stack's config and show what it would create")
    _stack_arguments(plan)
    plan.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="markdown: for pull requests and CI summaries")
    plan.add_argument(
        "--critical-path",
        action="store_true",
        help="add the estimated `pulumi up` duration and its critical chain (always in markdown)",
    )
    plan.add_argument(
        "--diff",
        type=Path,
        metavar="BASE.json",
        help="compare with a saved `plan --format json` (e.g. of the base branch); exit 3 on data loss, 4 on an outage",
    )
    plan.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", help="override a setting, e.g. registry.kind=external")
    plan.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE", help="override a setting as a secret")
    snapshot = commands.add_parser("urns", help="show the stack's stateful URNs and compare them with (or --write) its committed snapshot")
    _stack_arguments(snapshot)
    snapshot.add_argument("--write", action="store_true", help=f"write {urns.SNAPSHOT_DIR}/<stack>.json from the current plan")
    return parser


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    parser.add_argument("--project-dir", type=Path, default=None, help="directory holding Pulumi.yaml (default: nearest above cwd)")


def _plan(args: argparse.Namespace) -> tuple[Path, Plan] | int:
    try:
        project_dir = args.project_dir or find_project_dir()
        project, config = build_config(project_dir, args.stack, getattr(args, "config", []), getattr(args, "secret", []))
    except StackFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID

    from gitpod_refarch.program import main as program

    try:
        return project_dir, run_program(program, config.values, config.secret_keys, project=project, stack=args.stack)
    except PlanError as error:
        print(f"Stack {args.stack!r} cannot be planned:", file=sys.stderr)
        for line in error.lines:
            print(f"  {line}", file=sys.stderr)
        return EXIT_INVALID


def _read_base(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        print(f"error: cannot read the base plan {path}: {error}", file=sys.stderr)
        return None
    if not isinstance(data, dict):
        print(f"error: {path} is not a plan document (expected the output of `plan --format json`)", file=sys.stderr)
        return None
    return data


def _plan_command(args: argparse.Namespace) -> int:
    base = None
    if args.diff is not None and (base := _read_base(args.diff)) is None:
        return EXIT_INVALID
    planned = _plan(args)
    if isinstance(planned, int):
        return planned
    _, plan = planned
    doc = render.to_json(plan)
    changes = None
    if base is not None:
        try:
            changes = diff.diff_plans(base, doc)
        except diff.DiffError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_INVALID

    if args.format == "json":
        if args.critical_path:
            path = critical_path.critical_path(doc["resources"])
            doc["criticalPath"] = {"seconds": path.total_seconds, "chain": [step.__dict__ for step in path.chain]}
        if changes is not None:
            doc["diff"] = diff.to_json(changes)
        print(json.dumps(doc, indent=2))
    elif args.format == "markdown":
        if changes is not None:
            print(diff.render_markdown(changes, f"the base plan `{args.diff.name}`"))
        print(markdown.render_markdown(doc), end="")
    else:
        print(render.render_text(plan), end="")
        if args.critical_path:
            print("\n" + critical_path.render_text(critical_path.critical_path(doc["resources"])), end="")
        if changes is not None:
            print("\n" + diff.render_text(changes), end="")

    if changes is not None and changes.verdict != "in-place":
        return changes.exit_code
    return EXIT_INSTALLER if doc["checks"] else EXIT_OK


def _urns_command(args: argparse.Namespace) -> int:
    planned = _plan(args)
    if isinstance(planned, int):
        return planned
    project_dir, plan = planned
    doc = render.to_json(plan)
    path = urns.snapshot_path(project_dir, args.stack)
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(urns.render(urns.snapshot(doc)))
        print(f"wrote {path} ({len(urns.stateful_urns(doc))} stateful resources); review and commit it")
        return EXIT_OK
    for urn, type_ in sorted(urns.stateful_urns(doc).items()):
        print(f"{type_}  {urn}")
    if not path.is_file():
        print(f"no snapshot at {path}; create it with: {urns.regenerate_command(args.stack)}", file=sys.stderr)
        return EXIT_DATA_AT_RISK
    problems = urns.compare(json.loads(path.read_text()), doc)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_DATA_AT_RISK if problems else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "urns":
        return _urns_command(args)
    return _plan_command(args)
