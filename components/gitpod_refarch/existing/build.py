"""The builders of an existing cluster: no platform, and the cluster connection itself."""

from __future__ import annotations

from ..architecture import CloudBuilders, Context
from ..contracts import ClusterInfo, DnsInfo
from ..settings import Settings
from .cluster import ExistingCluster, ExistingClusterArgs


def platform(settings: Settings[None], name: str) -> None:
    """Nothing to build: the cluster, its network and its identities are someone else's."""
    return None


def cluster(ctx: Context[None, None], dns: DnsInfo | None) -> ClusterInfo:
    c = ctx.settings.cluster
    args: ExistingClusterArgs = {"distribution": c.distribution, "label_nodes": c.label_nodes}
    if c.kubeconfig:
        args["kubeconfig"] = c.kubeconfig
    if c.context:
        args["context"] = c.context
    return ExistingCluster(ctx.name, args).info


BUILDERS: CloudBuilders[None, None] = CloudBuilders(platform=platform, cluster=cluster)
