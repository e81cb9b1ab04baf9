"""Check one cloud extra in the virtualenv running this script: its SDK alone, and its example plans.

    ENV/bin/pip install './[aws]' ./tooling
    ENV/bin/python scripts/check_extra.py aws examples/s3_registry_only

`.ci/run` (and CI) install one extra for real into a fresh virtualenv and run this with its
Python: the extra's cloud SDK must be installed and the other clouds' must not (what
`pip install gitpod-refarch[aws]` promises), and that cloud's example must run under the offline
plan's mocks with only what the extra brought. Exit 0 on success, 1 with the reason otherwise.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import runpy
import sys
from pathlib import Path

#: extra -> the distribution it adds (pyproject.toml's [project.optional-dependencies]).
CLOUD_SDKS = {"aws": "pulumi-aws", "gcp": "pulumi-gcp", "azure": "pulumi-azure-native"}


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("extra", choices=sorted(CLOUD_SDKS))
    parser.add_argument("example", type=Path, help="an example program directory (holding __main__.py)")
    args = parser.parse_args(argv)
    wanted = CLOUD_SDKS[args.extra]
    problems = [] if installed(wanted) else [f"{wanted} is not installed"]
    problems += [
        f"{sdk} is installed, though only the {args.extra} extra was asked for"
        for sdk in CLOUD_SDKS.values()
        if sdk != wanted and installed(sdk)
    ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    from gitpod_refarch_tools.harness import run_program

    main_file = str(args.example / "__main__.py")
    plan = run_program(lambda: runpy.run_path(main_file), {}, set())
    components = [r for r in plan.resources if r.type.startswith("gitpod:index:")]
    clouds = {r.type.split(":")[0] for r in plan.resources if r.custom}
    if not components or args.extra not in clouds:
        print(f"{args.example} declared no gitpod component or no {args.extra} resource: {sorted(clouds)}", file=sys.stderr)
        return 1
    print(f"{args.extra} extra: {wanted} only; {args.example.name} plans {len(plan.resources)} resources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
