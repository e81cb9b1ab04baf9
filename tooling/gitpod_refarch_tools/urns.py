"""Committed snapshots of the URNs of each example stack's stateful resources.

A URN is a resource's identity in Pulumi's state. Renaming a resource or its component, or giving
it a new parent, changes the URN, and the engine then deletes the old resource and creates a new,
empty one. Nothing in an ordinary code review shows that, so `tests/test_urn_stability.py` checks
every stack against `tests/snapshots/urns/<stack>.json`: a snapshot URN must still exist or be
listed in some resource's `aliases`.

Regenerate a snapshot after a deliberate change (a new stateful resource, or an alias that has been
deployed everywhere) with:

    python -m gitpod_refarch urns --stack <stack> --write
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .stateful import is_stateful

SNAPSHOT_DIR = Path("tests") / "snapshots" / "urns"


def regenerate_command(stack: str) -> str:
    return f"python -m gitpod_refarch urns --stack {stack} --write"


def snapshot_path(project_dir: Path, stack: str) -> Path:
    return project_dir / SNAPSHOT_DIR / f"{stack}.json"


def stateful_urns(doc: Mapping[str, Any]) -> dict[str, str]:
    """URN -> type of every stateful resource in a plan document."""
    return {r["urn"]: r["type"] for r in doc.get("resources") or [] if is_stateful(r)}


def snapshot(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot document for a plan: what `--write` commits."""
    return {
        "stack": doc.get("stack"),
        "about": (
            "URNs of this stack's stateful resources. A change to one deletes and recreates the resource "
            f"(data loss) unless the new resource lists the old URN in its aliases. Regenerate: {regenerate_command(str(doc.get('stack')))}"
        ),
        "resources": dict(sorted(stateful_urns(doc).items())),
    }


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"


def compare(saved: Mapping[str, Any], doc: Mapping[str, Any]) -> list[str]:
    """Problems with the current plan against a saved snapshot; empty when the URNs are stable."""
    stack = str(doc.get("stack"))
    resources = doc.get("resources") or []
    current = {r["urn"] for r in resources}
    aliased = {alias: r["urn"] for r in resources for alias in r.get("aliases") or []}
    expected: Mapping[str, str] = saved.get("resources") or {}
    problems = []
    for urn, type_ in expected.items():
        if urn in current or urn in aliased:
            continue
        problems.append(
            f"{urn} ({type_}) is gone from stack {stack!r}: Pulumi would delete it and create any renamed resource empty (data loss). "
            "Keep the old name, or add `aliases=[pulumi.Alias(...)]` for the old URN to the new resource. "
            f"If the removal is intended, regenerate the snapshot: {regenerate_command(stack)}"
        )
    for urn, type_ in stateful_urns(doc).items():
        if urn not in expected:
            problems.append(
                f"{urn} ({type_}) is a stateful resource missing from the snapshot of stack {stack!r}; review its name "
                f"(it must never change) and record it: {regenerate_command(stack)}"
            )
    return problems
