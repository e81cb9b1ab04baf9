"""`python -m gitpod_refarch plan --stack NAME`: the program's resource graph, offline.

Exit codes: 0 planned; 1 planned, but the installer would reject the config (a program bug);
2 the stack's config is invalid (one line per problem on stderr) or the stack file is unreadable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .plan import render
from .plan.harness import PlanError, run_program
from .plan.stackfile import StackFileError, build_config, find_project_dir


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gitpod_refarch", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="run the program under mocks with a stack's config and show what it would create")
    plan.add_argument("--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    plan.add_argument("--format", choices=("text", "json"), default="text")
    plan.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", help="override a setting, e.g. registry.kind=external")
    plan.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE", help="override a setting as a secret")
    plan.add_argument("--project-dir", type=Path, default=None, help="directory holding Pulumi.yaml (default: nearest above cwd)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        project_dir = args.project_dir or find_project_dir()
        project, config = build_config(project_dir, args.stack, args.config, args.secret)
    except StackFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from .program import main as program

    try:
        plan = run_program(program, config.values, config.secret_keys, project=project, stack=args.stack)
    except PlanError as error:
        print(f"Stack {args.stack!r} cannot be planned:", file=sys.stderr)
        for line in error.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    print(render.render_json(plan) if args.format == "json" else render.render_text(plan), end="" if args.format == "text" else "\n")
    return 1 if render.installer_checks(plan) else 0
