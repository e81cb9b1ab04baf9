"""Plain (`TypedDict`) args of the exported components, and the checks they share.

The component package (`provider.py`) serves the components to other languages; the schema
analyzer models `TypedDict`s but neither dataclasses nor unions, and the provider hands nested args
over as dicts. So:

- a component whose arg is a settings record (`settings.model.MaintenanceSettings`,
  `NodePoolSettings`) takes it in the plain form below and turns it back into the record with the
  functions here; the builders hand the records over with `*_args`. The defaults stay the records' own.
- a union of contract variants (`CertManager`, `InstallerConfig`, `ExternalDns`) is exported as a
  `kind` plus one optional object per kind; the checks below run in Python, where the provider
  host's own checks (required inputs, enum values) do not: every problem at once, each naming the
  arg as the schema does (camelCase), never echoing a value that is not a choice.

No `from __future__ import annotations` here: the analyzer reads these annotations at run time.
"""

import typing
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any, TypedDict, TypeVar

import pulumi
from pulumi.provider.experimental.util import camel_case
from typing_extensions import NotRequired, Required

from .settings.model import MaintenanceExclusion, MaintenanceSettings, NodePoolSettings

K = TypeVar("K", bound=Enum)


class MaintenanceExclusionPeriod(TypedDict):
    """A period in which the cloud must not upgrade anything (dates in UTC, both inclusive)."""

    name: str
    """Name of the exclusion, e.g. `year-end`."""
    start: str
    """First day, an ISO date (`2026-12-20`)."""
    end: str
    """Last day, an ISO date (`2027-01-03`)."""


class MaintenanceWindow(TypedDict, total=False):
    """The weekly window in which GKE or AKS may upgrade and drain nodes on its own."""

    day: str
    """Week day the window opens on, `Monday` ... `Sunday` (default `Sunday`)."""
    start_time: str
    """`HH:MM` in UTC (default `00:00`)."""
    duration_hours: int
    """Length of the window (default 12)."""
    exclusions: Sequence[MaintenanceExclusionPeriod]
    """Periods without any upgrade (default none)."""


class NodePoolSize(TypedDict):
    """Size of one managed node pool."""

    machine_type: str
    """The cloud's machine (VM) size, e.g. `Standard_D8s_v5`."""
    min_nodes: int
    """Autoscaling minimum."""
    max_nodes: int
    """Autoscaling maximum."""
    disk_size_gb: int
    """OS disk per node."""


def maintenance_args(window: MaintenanceSettings) -> MaintenanceWindow:
    """The plain form of a maintenance window, as the cloud components take it."""
    return {
        "day": window.day,
        "start_time": window.start_time,
        "duration_hours": window.duration_hours,
        "exclusions": [{"name": e.name, "start": e.start.isoformat(), "end": e.end.isoformat()} for e in window.exclusions],
    }


def maintenance_settings(args: MaintenanceWindow) -> MaintenanceSettings:
    """The window a component's plain `maintenance` arg describes; what it leaves out keeps the default."""
    window = MaintenanceSettings()
    return MaintenanceSettings(
        day=args.get("day", window.day),
        start_time=args.get("start_time", window.start_time),
        duration_hours=int(args.get("duration_hours", window.duration_hours)),
        exclusions=tuple(
            MaintenanceExclusion(name=e["name"], start=date.fromisoformat(e["start"]), end=date.fromisoformat(e["end"]))
            for e in args.get("exclusions", ())
        ),
    )


def node_pool_args(pool: NodePoolSettings) -> NodePoolSize:
    """The plain form of a pool's size, as the cloud components take it."""
    return {"machine_type": pool.machine_type, "min_nodes": pool.min_nodes, "max_nodes": pool.max_nodes, "disk_size_gb": pool.disk_size_gb}


def node_pool_settings(args: NodePoolSize) -> NodePoolSettings:
    """The pool a component's plain pool arg describes (integers may arrive as floats from the engine)."""
    return NodePoolSettings(
        machine_type=args["machine_type"],
        min_nodes=int(args["min_nodes"]),
        max_nodes=int(args["max_nodes"]),
        disk_size_gb=int(args["disk_size_gb"]),
    )


def schema_path(*parts: str) -> str:
    """`database.cloud_sql` -> `database.cloudSql`: the name an arg has in the schema (and in other languages)."""
    return ".".join(camel_case(p) for p in parts if p)


def _unwrap(hint: Any) -> Any:
    while typing.get_origin(hint) in (Required, NotRequired):
        hint = typing.get_args(hint)[0]
    return hint


def missing_required(value: Mapping[str, Any], shape: type, path: str = "") -> list[str]:
    """Required keys of `shape` (a TypedDict) absent from `value`, in nested objects and lists too."""
    found: list[str] = []
    required: frozenset[str] = getattr(shape, "__required_keys__", frozenset())
    hints: dict[str, Any] = shape.__annotations__  # inherited keys included, `Input` left unevaluated
    for key, hint in hints.items():
        name = f"{path}.{camel_case(key)}" if path else camel_case(key)
        item = value.get(key)
        if item is None:
            if key in required:
                found.append(f"{name}: required")
            continue
        hint = _unwrap(hint)
        if typing.is_typeddict(hint) and isinstance(item, Mapping):
            found += missing_required(item, hint, name)
        elif typing.get_origin(hint) is list and isinstance(item, list):
            (inner,) = typing.get_args(hint)
            if typing.is_typeddict(inner):
                for i, element in enumerate(item):
                    if isinstance(element, Mapping):
                        found += missing_required(element, inner, f"{name}[{i}]")
    return found


def variant(path: str, value: Mapping[str, Any], kinds: Mapping[K, str | None], default: K | None = None) -> tuple[K | None, list[str]]:
    """The `kind` of a variant arg at `path`, and its problems: an unknown kind, the kind's object
    missing, another kind's object present. `kinds` maps each kind to the field holding its object
    (None: the kind needs none)."""
    enum = type(next(iter(kinds)))
    raw = value.get("kind", default)
    if raw is None:
        return None, [f"{schema_path(path, 'kind')}: required"]
    try:
        kind: K = enum(raw)
    except ValueError:
        allowed = ", ".join(str(k.value) for k in kinds)
        return None, [f"{schema_path(path, 'kind')}: {raw!r} is not one of {allowed}"]
    found: list[str] = []
    for k, field in kinds.items():
        if field is None:
            continue
        if k == kind and value.get(field) is None:
            found.append(f"{schema_path(path, field)}: required with {schema_path(path, 'kind')} {k.value!r}")
        elif k != kind and value.get(field) is not None:
            found.append(f"{schema_path(path, field)}: only for {schema_path(path, 'kind')} {k.value!r}; remove it")
    return kind, found


def refuse(component: str, problems: list[str]) -> None:
    """Raise every problem at once, before the component registers anything."""
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise pulumi.RunError(f"invalid {component} args ({len(problems)} problem(s)):\n{lines}")
