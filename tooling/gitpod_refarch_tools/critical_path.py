"""How long the first `pulumi up` will take, and which chain of resources decides it.

The engine creates a resource as soon as everything it waits for exists, so a deployment takes as
long as its slowest chain, not the sum of its parts. From a plan's graph and a table of typical
creation times this module finds that chain (the critical path) and the estimated duration.

A resource waits for its `dependsOn`, its `provider` and its `parent` (`graph`, which says why).

The times below are rounded typical figures for creating each resource with default settings in
one region (2025-2026 experience and the providers' own "this takes several minutes" notes); they
are estimates for comparing designs, not promises. Measure real runs (`pulumi up` prints each
resource's duration; `pulumi stack history` keeps the total) and correct the table when a figure
is off. A type not listed takes `DEFAULT_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .graph import direct_waits, waits_for
from .stateful import CLUSTER_TYPES, DATA_TYPES

Resource = Mapping[str, Any]

#: type token -> typical seconds to create it.
TYPICAL_SECONDS: dict[str, float] = {
    # -- GCP ----------------------------------------------------------------------------------
    "gcp:container/cluster:Cluster": 420,  # GKE Standard control plane, default pool removed: 5-8 min
    "gcp:container/nodePool:NodePool": 240,  # node pool with a few Ubuntu nodes: 3-5 min
    "gcp:sql/databaseInstance:DatabaseInstance": 600,  # Cloud SQL MySQL with private IP: 5-15 min
    "gcp:sql/database:Database": 20,
    "gcp:sql/user:User": 20,
    "gcp:servicenetworking/connection:Connection": 90,  # private services access peering
    "gcp:projects/service:Service": 60,  # enabling an API
    "gcp:compute/network:Network": 30,
    "gcp:compute/subnetwork:Subnetwork": 30,
    "gcp:compute/router:Router": 20,
    "gcp:compute/routerNat:RouterNat": 30,
    "gcp:compute/globalAddress:GlobalAddress": 15,
    "gcp:storage/bucket:Bucket": 5,
    "gcp:artifactregistry/repository:Repository": 15,
    "gcp:dns/managedZone:ManagedZone": 10,
    "gcp:serviceaccount/account:Account": 5,
    # -- AWS ----------------------------------------------------------------------------------
    "aws:eks/cluster:Cluster": 600,  # EKS control plane: 8-12 min
    "aws:eks/nodeGroup:NodeGroup": 240,  # managed node group: 3-5 min
    "aws:eks/addon:Addon": 60,
    "aws:rds/instance:Instance": 600,  # RDS MySQL single-AZ: 5-10 min (Multi-AZ longer)
    "aws:rds/cluster:Cluster": 600,
    "aws:ec2/natGateway:NatGateway": 120,
    "aws:route53/zone:Zone": 45,  # waits for the zone to be INSYNC
    "aws:kms/key:Key": 10,
    "aws:s3/bucket:Bucket": 5,
    "aws:s3/bucketV2:BucketV2": 5,
    "aws:ecr/repository:Repository": 5,
    # -- Azure --------------------------------------------------------------------------------
    "azure-native:containerservice:ManagedCluster": 420,  # AKS with its system pool: 5-8 min
    "azure-native:containerservice:AgentPool": 240,  # user node pool: 3-5 min
    "azure-native:dbformysql:Server": 600,  # MySQL Flexible Server with VNet integration: 5-10 min
    "azure-native:dbformysql:Database": 20,
    "azure-native:dbformysql:Configuration": 20,
    "azure-native:storage:StorageAccount": 30,
    "azure-native:storage:BlobContainer": 3,
    "azure-native:containerregistry:Registry": 30,
    "azure-native:dns:Zone": 30,
    "azure-native:network:Zone": 30,
    "azure-native:privatedns:PrivateZone": 45,
    "azure-native:privatedns:VirtualNetworkLink": 45,
    "azure-native:network:VirtualNetwork": 10,
    "azure-native:network:Subnet": 10,
    "azure-native:authorization:RoleAssignment": 20,  # includes propagation retries
    # -- Kubernetes ---------------------------------------------------------------------------
    # cert-manager's chart: Helm waits for the deployments and the webhook to be ready.
    "kubernetes:helm.sh/v3:Release": 120,
    "kubernetes:helm.sh/v4:Chart": 120,
    # The installer Job (`installer.deploy`): pull the installer, wait for the TLS Secret (about a
    # minute self-signed, 2-3 with Let's Encrypt DNS-01), validate, render, then `helm --wait` until
    # Gitpod's pods are ready on fresh nodes (image pulls, MySQL and MinIO volumes, migrations):
    # 8-12 minutes; not yet measured on this program.
    "kubernetes:batch/v1:Job": 600,
}

#: type prefix -> seconds, for whole families; the first matching prefix wins.
PREFIX_SECONDS: tuple[tuple[str, float], ...] = (
    ("gitpod:", 0),  # our components are groupings; their children carry the time
    ("pulumi:providers:", 0),  # configuring a provider is instant (its dependencies are not)
    ("random:", 1),
    ("tls:", 1),  # key generation, local to the provider
    # Plain objects; Pulumi does not wait for cert-manager to issue a Certificate (the installer
    # Job does, and its time includes it).
    ("kubernetes:", 2),
    ("aws:iam/", 5),
    ("aws:ec2/", 5),
    ("aws:s3/", 3),
    ("gcp:projects/", 10),
    ("gcp:serviceaccount/", 10),
    ("gcp:storage/", 5),
    ("azure-native:managedidentity:", 5),
    ("azure-native:resources:", 5),
)

DEFAULT_SECONDS: float = 10


def typical_seconds(type_token: str) -> float:
    """The table's estimate for creating one resource of this type."""
    if type_token in TYPICAL_SECONDS:
        return TYPICAL_SECONDS[type_token]
    return next((seconds for prefix, seconds in PREFIX_SECONDS if type_token.startswith(prefix)), DEFAULT_SECONDS)


@dataclass(frozen=True)
class Step:
    urn: str
    name: str
    type: str
    seconds: float
    finish: float
    """Estimated seconds from the start of `pulumi up` until this resource exists."""


@dataclass(frozen=True)
class CriticalPath:
    total_seconds: float
    chain: tuple[Step, ...]
    """From the first resource to the last one created, each waiting for the one before."""
    finish: Mapping[str, float]
    """Estimated finish time of every resource, by URN."""

    def slow_steps(self, minimum: float = 1) -> tuple[Step, ...]:
        """The chain without the instant steps (components, providers, plain objects)."""
        return tuple(s for s in self.chain if s.seconds >= minimum)


def critical_path(resources: Sequence[Resource]) -> CriticalPath:
    """Earliest finish of every resource, and the longest chain, for a plan's resources."""
    by_urn = {r["urn"]: r for r in resources}
    finish: dict[str, float] = {}
    before: dict[str, str | None] = {}
    visiting: set[str] = set()

    def visit(urn: str) -> float:
        if urn in finish:
            return finish[urn]
        if urn in visiting:
            raise ValueError(f"dependency cycle through {urn}")
        visiting.add(urn)
        start, first = 0.0, None
        for pred in direct_waits(by_urn[urn], by_urn):
            done = visit(pred)
            if first is None or done > start:
                start, first = done, pred
        visiting.discard(urn)
        before[urn] = first
        finish[urn] = start + typical_seconds(str(by_urn[urn]["type"]))
        return finish[urn]

    for urn in by_urn:
        visit(urn)
    if not finish:
        return CriticalPath(0, (), {})
    last: str | None = max(finish, key=lambda u: finish[u])
    chain: list[Step] = []
    while last is not None:
        r = by_urn[last]
        chain.append(Step(last, str(r["name"]), str(r["type"]), typical_seconds(str(r["type"])), finish[last]))
        last = before[last]
    return CriticalPath(max(finish.values()), tuple(reversed(chain)), finish)


#: Data-store types allowed to wait for the cluster because they truly need it. None do today: a
#: database, bucket, registry or DNS zone needs a network and IAM, never the cluster.
MAY_WAIT_FOR_CLUSTER: frozenset[str] = frozenset()


def waiting_for_cluster(resources: Sequence[Resource]) -> dict[str, list[str]]:
    """Data stores (databases, buckets, registries, DNS zones) that wait for the cluster or a node pool.

    Each such wait adds the cluster's ten-odd minutes to the data store's creation for nothing,
    and ties the two lifecycles together. Maps a data store's name to the cluster resources it
    (transitively) waits for.
    """
    by_urn = {r["urn"]: r for r in resources}
    found = {}
    for r in resources:
        if r["type"] not in DATA_TYPES or r["type"] in MAY_WAIT_FOR_CLUSTER:
            continue
        clusters = sorted(str(by_urn[u]["name"]) for u in waits_for(resources, r["urn"]) if by_urn[u]["type"] in CLUSTER_TYPES)
        if clusters:
            found[str(r["name"])] = clusters
    return found


def duration(seconds: float) -> str:
    """`14m 30s` style, for reports."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def render_text(path: CriticalPath) -> str:
    lines = [f"Critical path: about {duration(path.total_seconds)} for a first `pulumi up` (estimate)"]
    for step in path.slow_steps():
        lines.append(f"  {duration(step.finish):>8}  {step.type}  {step.name}  (+{duration(step.seconds)})")
    return "\n".join(lines) + "\n"
