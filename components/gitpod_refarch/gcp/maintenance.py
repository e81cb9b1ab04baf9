"""GKE's `maintenance_policy` from one weekly window and whole-day exclusions.

GKE takes a recurring window as an RFC 3339 start and end (the first occurrence; the end only sets
the length) plus an RFC 5545 RRULE, and exclusions as RFC 3339 start and end times, all in UTC
("Zulu"): GKE returns other forms in UTC, which the provider would show as a permanent diff
(terraform-provider-google, `website/docs/r/container_cluster.html.markdown`, `maintenance_policy`).
Nothing here reads the clock, so the same settings always give the same policy.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..settings.model import WEEKDAYS, MaintenanceExclusion, MaintenanceSettings

if TYPE_CHECKING:
    from pulumi_gcp.container import (
        ClusterMaintenancePolicyArgsDict,
        ClusterMaintenancePolicyMaintenanceExclusionArgsDict,
        ClusterMaintenancePolicyRecurringWindowArgsDict,
    )

#: RFC 5545 BYDAY codes by English week day (MO, TU, ...).
BYDAY = {day: day[:2].upper() for day in WEEKDAYS}
#: A Monday in the past: the first occurrence of a weekly window is this week's matching day, so
#: the start date agrees with the RRULE (RFC 5545 leaves a DTSTART outside the rule undefined).
ANCHOR_MONDAY = datetime(2024, 1, 1)
#: What an exclusion blocks: every upgrade, control plane and nodes, minor and patch (GKE's
#: `MaintenanceExclusionOptions.Scope`; also the API's default).
EXCLUSION_SCOPE = "NO_UPGRADES"


def _zulu(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def recurring_window(window: MaintenanceSettings) -> ClusterMaintenancePolicyRecurringWindowArgsDict:
    """`recurring_window`: the window's first occurrence on a fixed past date, repeating weekly."""
    hours, minutes = (int(part) for part in window.start_time.split(":"))
    start = ANCHOR_MONDAY + timedelta(days=WEEKDAYS.index(window.day), hours=hours, minutes=minutes)
    end = start + timedelta(hours=window.duration_hours)
    return {"start_time": _zulu(start), "end_time": _zulu(end), "recurrence": f"FREQ=WEEKLY;BYDAY={BYDAY[window.day]}"}


def exclusion(item: MaintenanceExclusion) -> ClusterMaintenancePolicyMaintenanceExclusionArgsDict:
    """A no-upgrades exclusion covering whole UTC days, `end` included."""
    start = datetime.combine(item.start, datetime.min.time())
    end = datetime.combine(item.end + timedelta(days=1), datetime.min.time())
    return {
        "exclusion_name": item.name,
        "start_time": _zulu(start),
        "end_time": _zulu(end),
        "exclusion_options": {"scope": EXCLUSION_SCOPE},
    }


def maintenance_policy(window: MaintenanceSettings) -> ClusterMaintenancePolicyArgsDict:
    """The cluster's `maintenance_policy` input: the weekly window and its exclusions."""
    policy: ClusterMaintenancePolicyArgsDict = {"recurring_window": recurring_window(window)}
    if window.exclusions:
        policy["maintenance_exclusions"] = [exclusion(item) for item in window.exclusions]
    return policy
