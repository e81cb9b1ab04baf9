"""The Compute Engine quota a GKE stack needs, computed from its pools (the table in docs/gcp.md).

A fresh project's regional quotas are often smaller than Gitpod's reference pools, and GKE fails
the node-pool creation when they are, after the cluster (about 10 minutes) already exists. These
numbers let a user check and raise the quotas before `pulumi up`. Which quota a resource uses
(https://cloud.google.com/compute/resource-usage, checked 2026-11):

* vCPUs: E2 and N1 machines count against the region's `CPUS`; the newer families have their own
  regional quota, `<FAMILY>_CPUS` (e.g. `N2D_CPUS`); every vCPU also counts against the project's
  global `CPUS_ALL_REGIONS`.
* Boot disks: `pd-ssd` and `pd-balanced` count against `SSD_TOTAL_GB`, `pd-standard` against
  `DISKS_TOTAL_GB`.

GKE creates a pool with `initial_node_count` nodes in each of its zones and only then lets the
autoscaler remove nodes, so "at creation" is what quota must allow on the first `up`.

Planning aid, not part of the components: it reads the pool shapes of `gitpod_refarch.gcp.cluster`,
so importing it needs pulumi-gcp (`gitpod-refarch[gcp]`), unlike the rest of the tooling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gitpod_refarch.gcp.cluster import DISK_TYPE, REGIONAL_NODE_ZONES, TEMPORARY_POOL, GkeNodePool, initial_nodes_per_zone

#: Machine families whose vCPUs count against the region's plain `CPUS` quota.
PLAIN_CPU_FAMILIES = frozenset({"e2", "n1", "f1", "g1"})
#: Disk types by the regional quota they count against.
DISK_QUOTA = {"pd-ssd": "SSD_TOTAL_GB", "pd-balanced": "SSD_TOTAL_GB", "pd-standard": "DISKS_TOTAL_GB"}
_PREDEFINED = re.compile(r"(?P<family>[a-z][a-z0-9]*)-(?:standard|highmem|highcpu)-(?P<vcpus>\d+)")


def vcpus(machine_type: str) -> int:
    """vCPUs of a predefined `<family>-{standard,highmem,highcpu}-<N>` machine type."""
    match = _PREDEFINED.fullmatch(machine_type)
    if match is None:
        raise ValueError(f"{machine_type!r} is not a predefined <family>-standard|highmem|highcpu-<vCPUs> machine type")
    return int(match["vcpus"])


def cpu_quota(machine_type: str) -> str:
    """The regional quota metric a machine type's vCPUs count against."""
    family = machine_type.split("-", 1)[0]
    return "CPUS" if family in PLAIN_CPU_FAMILIES else f"{family.upper()}_CPUS"


@dataclass(frozen=True)
class PoolQuota:
    """What one pool uses when it is created and at its largest."""

    name: str
    machine_type: str
    disk_type: str
    disk_size_gb: int
    nodes_at_creation: int
    max_nodes: int

    @property
    def vcpus_at_creation(self) -> int:
        return self.nodes_at_creation * vcpus(self.machine_type)

    @property
    def disk_gb_at_creation(self) -> int:
        return self.nodes_at_creation * self.disk_size_gb

    @property
    def vcpus_at_max(self) -> int:
        return self.max_nodes * vcpus(self.machine_type)

    @property
    def disk_gb_at_max(self) -> int:
        return self.max_nodes * self.disk_size_gb


def pool_quotas(pools: Sequence[GkeNodePool], zones: int) -> list[PoolQuota]:
    """The temporary default pool (deleted before the others are created), then Gitpod's pools."""
    shape = TEMPORARY_POOL
    temporary = PoolQuota("default-pool (temporary)", shape["machine_type"], shape["disk_type"], shape["disk_size_gb"], zones, zones)
    return [temporary] + [
        PoolQuota(
            p["name"],
            p["machine_type"],
            DISK_TYPE,
            p["disk_size_gb"],
            initial_nodes_per_zone(p["min_nodes"], zones) * zones,
            p["max_nodes"],
        )
        for p in pools
    ]


def markdown_table(pools: Sequence[GkeNodePool]) -> list[str]:
    """docs/gcp.md's quota table: per layout and pool, at creation and at `maxNodes`."""
    lines = [
        "| Layout | Pool | Machine | Nodes at creation | vCPUs at creation (quota) | Boot disk at creation (quota) | vCPUs / disk at `maxNodes` |",
        "|---|---|---|---|---|---|---|",
    ]
    for layout, zones in (("zonal", 1), ("regional", REGIONAL_NODE_ZONES)):
        for q in pool_quotas(pools, zones):
            lines.append(
                f"| {layout} | {q.name} | `{q.machine_type}` | {q.nodes_at_creation} | {q.vcpus_at_creation} (`{cpu_quota(q.machine_type)}`) "
                f"| {q.disk_gb_at_creation} GB (`{DISK_QUOTA[q.disk_type]}`) | {q.vcpus_at_max} / {q.disk_gb_at_max} GB |"
            )
        gitpod = pool_quotas(pools, zones)[1:]
        families = sorted({cpu_quota(q.machine_type) for q in gitpod})
        disks = sorted({DISK_QUOTA[q.disk_type] for q in gitpod})
        lines.append(
            f"| {layout} | **Gitpod's pools together** | | {sum(q.nodes_at_creation for q in gitpod)} "
            f"| **{sum(q.vcpus_at_creation for q in gitpod)}** (`{'`, `'.join(families)}`) "
            f"| **{sum(q.disk_gb_at_creation for q in gitpod)} GB** (`{'`, `'.join(disks)}`) "
            f"| {sum(q.vcpus_at_max for q in gitpod)} / {sum(q.disk_gb_at_max for q in gitpod)} GB |"
        )
    return lines
