"""GKE's `maintenance_policy` from one weekly window and whole-day exclusions.

GKE takes a recurring window as an RFC 3339 start and end (the first occurrence; the end only sets
the length) plus an RFC 5545 RRULE, and exclusions as RFC 3339 start and end times, all in UTC
("Zulu"): GKE returns other forms in UTC, which the provider would show as a permanent diff
(terraform-provider-google, `website/docs/r/container_cluster.html.markdown`, `maintenance_policy`).
Nothing here reads the clock, so the same settings always give the same policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from pulumi_gcp.container import (
        ClusterMaintenancePolicyArgsDict,
        ClusterMaintenancePolicyMaintenanceExclusionArgsDict,
        ClusterMaintenancePolicyRecurringWindowArgsDict,
    )

#: RFC 5545 BYDAY codes by English week day.
BYDAY = {"Monday": "MO", "Tuesday": "TU", "Wednesday": "WE", "Thursday": "TH", "Friday": "FR", "Saturday": "SA", "Sunday": "SU"}
#: A Monday in the past: the first occurrence of a weekly window is this week's matching day, so
#: the start date agrees with the RRULE (RFC 5545 leaves a DTSTART outside the rule undefined).
ANCHOR_MONDAY = date(2024, 1, 1)
#: What an exclusion blocks: every upgrade, control plane and nodes, minor and patch (GKE's
#: `MaintenanceExclusionOptions.Scope`; also the API's default).
EXCLUSION_SCOPE = "NO_UPGRADES"


class GkeMaintenanceWindow(TypedDict):
    day: str
    """English week day the window opens on, e.g. `Sunday`."""
    start_time: str
    """`HH:MM`, UTC."""
    duration_hours: int
    """Length of each window."""


class GkeMaintenanceExclusion(TypedDict):
    name: str
    start: date
    """First day without upgrades (from 00:00 UTC)."""
    end: date
    """Last day without upgrades (until 24:00 UTC)."""


def _zulu(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def recurring_window(window: GkeMaintenanceWindow) -> ClusterMaintenancePolicyRecurringWindowArgsDict:
    """`recurring_window`: the window's first occurrence on a fixed past date, repeating weekly."""
    weekday = list(BYDAY).index(window["day"])
    hours, minutes = (int(part) for part in window["start_time"].split(":"))
    start = datetime.combine(ANCHOR_MONDAY + timedelta(days=weekday), datetime.min.time()) + timedelta(hours=hours, minutes=minutes)
    end = start + timedelta(hours=window["duration_hours"])
    return {"start_time": _zulu(start), "end_time": _zulu(end), "recurrence": f"FREQ=WEEKLY;BYDAY={BYDAY[window['day']]}"}


def exclusion(item: GkeMaintenanceExclusion) -> ClusterMaintenancePolicyMaintenanceExclusionArgsDict:
    """A no-upgrades exclusion covering whole UTC days, `end` included."""
    start = datetime.combine(item["start"], datetime.min.time())
    end = datetime.combine(item["end"] + timedelta(days=1), datetime.min.time())
    return {
        "exclusion_name": item["name"],
        "start_time": _zulu(start),
        "end_time": _zulu(end),
        "exclusion_options": {"scope": EXCLUSION_SCOPE},
    }


def maintenance_policy(
    window: GkeMaintenanceWindow, exclusions: Sequence[GkeMaintenanceExclusion] = ()
) -> ClusterMaintenancePolicyArgsDict:
    """The cluster's `maintenance_policy` input."""
    policy: ClusterMaintenancePolicyArgsDict = {"recurring_window": recurring_window(window)}
    if exclusions:
        policy["maintenance_exclusions"] = [exclusion(item) for item in exclusions]
    return policy
