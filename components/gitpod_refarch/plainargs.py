"""Plain (`TypedDict`) forms of the settings records the cloud components take as args.

The component package (`provider.py`) serves the components to other languages; the schema
analyzer models `TypedDict`s but not dataclasses, and the provider hands nested args over as
dicts. So a component whose arg is a settings record (`settings.model.MaintenanceSettings`,
`NodePoolSettings`) takes it in the form below and turns it back into the record with the
functions here; the builders hand the records over with `*_args`. The defaults stay the
records' own.

No `from __future__ import annotations` here: the analyzer reads these annotations at run time.
"""

from collections.abc import Sequence
from datetime import date
from typing import TypedDict

from .settings.model import MaintenanceExclusion, MaintenanceSettings, NodePoolSettings


class MaintenanceExclusionArgs(TypedDict):
    """A period in which the cloud must not upgrade anything (dates in UTC, both inclusive)."""

    name: str
    """Name of the exclusion, e.g. `year-end`."""
    start: str
    """First day, an ISO date (`2026-12-20`)."""
    end: str
    """Last day, an ISO date (`2027-01-03`)."""


class MaintenanceWindowArgs(TypedDict, total=False):
    """The weekly window in which GKE or AKS may upgrade and drain nodes on its own."""

    day: str
    """Week day the window opens on, `Monday` ... `Sunday` (default `Sunday`)."""
    start_time: str
    """`HH:MM` in UTC (default `00:00`)."""
    duration_hours: int
    """Length of the window (default 12)."""
    exclusions: Sequence[MaintenanceExclusionArgs]
    """Periods without any upgrade (default none)."""


class NodePoolSizeArgs(TypedDict):
    """Size of one managed node pool."""

    machine_type: str
    """The cloud's machine (VM) size, e.g. `Standard_D8s_v5`."""
    min_nodes: int
    """Autoscaling minimum."""
    max_nodes: int
    """Autoscaling maximum."""
    disk_size_gb: int
    """OS disk per node."""


def maintenance_args(window: MaintenanceSettings) -> MaintenanceWindowArgs:
    """The plain form of a maintenance window, as the cloud components take it."""
    return {
        "day": window.day,
        "start_time": window.start_time,
        "duration_hours": window.duration_hours,
        "exclusions": [{"name": e.name, "start": e.start.isoformat(), "end": e.end.isoformat()} for e in window.exclusions],
    }


def maintenance_settings(args: MaintenanceWindowArgs) -> MaintenanceSettings:
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


def node_pool_args(pool: NodePoolSettings) -> NodePoolSizeArgs:
    """The plain form of a pool's size, as the cloud components take it."""
    return {"machine_type": pool.machine_type, "min_nodes": pool.min_nodes, "max_nodes": pool.max_nodes, "disk_size_gb": pool.disk_size_gb}


def node_pool_settings(args: NodePoolSizeArgs) -> NodePoolSettings:
    """The pool a component's plain pool arg describes (integers may arrive as floats from the engine)."""
    return NodePoolSettings(
        machine_type=args["machine_type"],
        min_nodes=int(args["min_nodes"]),
        max_nodes=int(args["max_nodes"]),
        disk_size_gb=int(args["disk_size_gb"]),
    )
