"""`python -m gitpod_refarch plan --stack NAME`: the program's resource graph, offline.

    plan --stack NAME [--format text|json|markdown] [--critical-path] [--diff BASE.json]
    urns --stack NAME [--write]

Exit codes:
0 planned (for `urns`: the URN snapshot matches, or was written); with `--diff`, the verdict is
  "in place": nothing that holds data, runs Gitpod or hosts workspaces is replaced (rolls and
  restarts are named, but do not change the code);
1 planned, but the installer would reject the config (a program bug);
2 no plan: the stack's config is invalid (one line per problem on stderr), a file (Pulumi.yaml,
  the stack file, the `--diff` base plan) or a flag cannot be read, or the program failed (the
  message names the file, key or lookup; `--traceback` shows where a failure came from);
3 data loss: `--diff` found a resource holding data that this change would delete or replace
  (in-cluster volumes included when the namespace or cluster goes), or `urns` found the stack's
  stateful URNs differ from its snapshot (or it has none);
4 outage: `--diff` found the cluster, a node pool or Gitpod's namespace replaced or removed.
3 wins over 4, and both win over 1.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import traceback
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
    parser.add_argument("--traceback", action="store_true", help="on a failure inside the program or the tooling, show where it came from")


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
        if args.traceback and error.__cause__ is not None:
            traceback.print_exception(error.__cause__, file=sys.stderr)
        return EXIT_INVALID


#: What `plan --diff` reads of each base resource, and the JSON type each must have.
_BASE_FIELDS: dict[str, tuple[type, ...]] = {
    "urn": (str,),
    "type": (str,),
    "name": (str,),
    "parent": (str, type(None)),
    "provider": (str, type(None)),
    "dependsOn": (list,),
    "protect": (bool,),
    "inputs": (dict,),
    "aliases": (list,),
    "ignoreChanges": (list,),
}
_BASE_REQUIRED = ("urn", "type", "name")
_JSON_TYPES = {str: "a string", list: "a list", dict: "an object", bool: "true or false", type(None): "null"}


def base_plan_problems(data: Any) -> list[str]:
    """Why `data` is not a plan document `plan --diff` can compare with (empty: it is one)."""
    if not isinstance(data, dict):
        return ["expected the JSON object `plan --format json` writes"]
    problems = []
    if not isinstance(data.get("stack"), str):
        problems.append("'stack' must be the stack's name (a string)")
    resources = data.get("resources")
    if not isinstance(resources, list):
        return [*problems, "'resources' must be the list of planned resources"]
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict):
            problems.append(f"resources[{i}] must be an object")
            continue
        for key in _BASE_REQUIRED:
            if key not in resource:
                problems.append(f"resources[{i}] has no {key!r}")
        for key, types in _BASE_FIELDS.items():
            value = resource.get(key)
            if key in resource and not isinstance(value, types):
                problems.append(f"resources[{i}].{key} must be {' or '.join(_JSON_TYPES[t] for t in types)}")
            elif isinstance(value, list) and not all(isinstance(item, str) for item in value):
                problems.append(f"resources[{i}].{key} must be a list of strings")
    return problems


def _read_base(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except OSError as error:
        print(f"error: cannot read the base plan {path}: {error.strerror or error}", file=sys.stderr)
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"error: the base plan {path} is not JSON: {error}", file=sys.stderr)
        return None
    except RecursionError:
        print(f"error: the base plan {path} nests too deeply to be a plan", file=sys.stderr)
        return None
    problems = base_plan_problems(data)
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        print(f"error: {path} is not a plan `plan --diff` can compare with (write it with `plan --format json`):", file=sys.stderr)
        for problem in shown:
            print(f"  {problem}", file=sys.stderr)
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
    try:
        saved = json.loads(path.read_bytes())
        reason = "" if isinstance(saved, dict) and isinstance(saved.get("resources"), dict) else "no 'resources' mapping"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        reason = str(error) or type(error).__name__
    if reason:
        print(f"error: {path} is not a URN snapshot ({reason}); regenerate it: {urns.regenerate_command(args.stack)}", file=sys.stderr)
        return EXIT_INVALID
    problems = urns.compare(saved, doc)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_DATA_AT_RISK if problems else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        # From a shell (`plan ... | head`): end quietly when the reader goes away, as other tools do,
        # rather than with a BrokenPipeError.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = _parser().parse_args(argv)
    try:
        if args.command == "urns":
            return _urns_command(args)
        return _plan_command(args)
    except Exception as error:
        # Whatever slipped past the checks above is a bug in the tooling; say so in one line.
        print(f"error: {type(error).__name__}: {error} (a bug in the plan tooling; rerun with --traceback to see where)", file=sys.stderr)
        if args.traceback:
            traceback.print_exception(error, file=sys.stderr)
        return EXIT_INVALID
