"""Measure how long the offline plan of each example stack takes (a benchmark, not a test).

    venv/bin/python benchmarks/plan_time.py [--runs 5]

Each run is a fresh interpreter, as a user or CI would run it, so SDK import time counts.
Target: under 3 seconds per stack on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    worst = 0.0
    for path in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "gitpod_refarch", "plan", "--stack", stack, "--format", "json"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
        worst = max(worst, max(times))
        print(f"{stack:8} median {statistics.median(times):.2f}s  min {min(times):.2f}s  max {max(times):.2f}s  ({args.runs} runs)")
    return 0 if worst < 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
