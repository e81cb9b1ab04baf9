"""GCP: GKE, Cloud SQL, GCS, Artifact Registry / gcr.io and Cloud DNS (imported only for `gitpod:cloud: gcp`).

This module is the wiring: it turns validated settings into component args. The components
(`platform`, `network`, `cluster`, `cloudsql`, `gcs`, `registry`, `clouddns`) never read settings,
so other programs can use them directly.

Dependencies are real ones only: the database, storage access, registry and DNS zone depend on the
platform (APIs, network, shared service accounts) and never on the cluster, so they are created in
parallel with it; the cluster waits for none of them.
"""

from __future__ import annotations

from .. import compatibility as compat
from ..architecture import CloudImplementations, Context
from ..certmanager.issuers import SERVICE_ACCOUNT as CERT_MANAGER_SERVICE_ACCOUNT
from ..contracts import ClusterInfo, DatabaseInfo, DnsInfo, RegistryInfo, StorageInfo
from ..settings import GcpSettings, Settings
from ..settings.gcp import DEFAULT_SQL_TIER, GCR_HOSTS
from .apis import required_apis, uses_cloud_dns
from .clouddns import CloudDnsZone, CloudDnsZoneArgs
from .cloudsql import CloudSqlDatabase
from .cluster import GkeCluster, GkeClusterArgs, GkeNodePoolArgs
from .gcs import GcsStorageAccess
from .naming import account_id, role_prefix, zone_name
from .platform import GcpPlatform, GcpPlatformArgs, GcpPlatformInfo
from .registry import ArtifactRegistry

#: GKE node-pool names, in the order of the services, regular-workspace and headless-workspace pools.
POOL_NAMES = ("services", "regular-workspaces", "headless-workspaces")


def _gcp(settings: Settings) -> GcpSettings:
    assert settings.gcp is not None, "settings guarantee gitpod:gcp with gitpod:cloud gcp"
    return settings.gcp


def _platform_info(ctx: Context) -> GcpPlatformInfo:
    assert isinstance(ctx.platform, GcpPlatformInfo), "the gcp platform factory builds every gcp stack's platform"
    return ctx.platform


def platform(settings: Settings, name: str) -> GcpPlatformInfo:
    gcp = _gcp(settings)
    cluster = settings.cluster.name
    args: GcpPlatformArgs = {
        "project": gcp.project,
        "region": gcp.region,
        "apis": required_apis(settings),
        "network": {
            "prefix": cluster,
            "region": gcp.region,
            "subnet_cidr": gcp.subnet_cidr,
            "pods_cidr": gcp.pods_cidr,
            "services_cidr": gcp.services_cidr,
            # Always, whatever privateNodes says now: the program cannot see what the nodes were created
            # with, and private nodes without NAT have no egress at all. Nodes with external IPs do not use it.
            "nat": True,
            "private_service_access": settings.database.mode == "managed",
        },
        "node_account_id": account_id(cluster, "nodes"),
    }
    if uses_cloud_dns(settings):
        args["dns_solver_account_id"] = account_id(cluster, "dns01")
    resources = GcpPlatform(f"{name}-gcp", args)
    return GcpPlatformInfo(
        providers=(resources.provider,),
        network=resources.network,
        project=gcp.project,
        region=gcp.region,
        resources=resources,
    )


def cluster(ctx: Context) -> ClusterInfo:
    settings = ctx.settings
    gcp = _gcp(settings)
    p = _platform_info(ctx)
    c = settings.cluster
    assert c.services_pool and c.regular_pool and c.headless_pool, "settings give managed clusters all three pools"
    labels = (
        dict.fromkeys(compat.NODE_LABELS_SERVICES, "true"),
        {compat.NODE_LABEL_REGULAR: "true"},
        {compat.NODE_LABEL_HEADLESS: "true"},
    )
    pools: list[GkeNodePoolArgs] = [
        {
            "name": pool_name,
            "machine_type": pool.machine_type,
            "min_nodes": pool.min_nodes,
            "max_nodes": pool.max_nodes,
            "disk_size_gb": pool.disk_size_gb,
            "labels": pool_labels,
        }
        for pool_name, pool, pool_labels in zip(POOL_NAMES, (c.services_pool, c.regular_pool, c.headless_pool), labels, strict=True)
    ]
    args: GkeClusterArgs = {
        "project": gcp.project,
        "cluster_name": c.name,
        "location": gcp.location,
        "release_channel": gcp.release_channel,
        "network": p.resources.network.network_id,
        "subnetwork": p.resources.network.subnetwork_id,
        "pods_range_name": p.resources.network.pods_range_name,
        "services_range_name": p.resources.network.services_range_name,
        "private_nodes": gcp.private_nodes,
        "master_authorized_networks": list(gcp.master_authorized_networks),
        "node_service_account": p.resources.node_service_account.email,
        "node_pools": pools,
        "deletion_protection": settings.protect,
        "cert_manager_namespace": settings.cert_manager.namespace,
        "cert_manager_service_account_name": CERT_MANAGER_SERVICE_ACCOUNT,
        "apis": p.resources.apis_named("container.googleapis.com", "compute.googleapis.com", "iam.googleapis.com"),
    }
    m = c.maintenance
    args["maintenance_window"] = {"day": m.day, "start_time": m.start_time, "duration_hours": m.duration_hours}
    args["maintenance_exclusions"] = [{"name": e.name, "start": e.start, "end": e.end} for e in m.exclusions]
    if c.kubernetes_version:
        args["kubernetes_version"] = c.kubernetes_version
    if p.resources.dns_solver_service_account is not None:
        args["cert_manager_service_account"] = p.resources.dns_solver_service_account
    return GkeCluster(f"{ctx.name}-gke", args, opts=p.opts()).info


def database(ctx: Context) -> DatabaseInfo:
    settings = ctx.settings
    gcp = _gcp(settings)
    p = _platform_info(ctx)
    db = settings.database
    connection = p.resources.network.private_service_access
    assert connection is not None, "the platform reserves private service access whenever database.mode is managed"
    return CloudSqlDatabase(
        f"{ctx.name}-cloudsql",
        {
            "project": gcp.project,
            "region": gcp.region,
            "version": db.version,
            "tier": db.instance_size or DEFAULT_SQL_TIER,
            "high_availability": db.high_availability,
            "deletion_protection": db.deletion_protection,
            "backup_retention_days": db.backup_retention_days,
            "network": p.resources.network.network_id,
            "private_service_access": connection,
            "client_account_id": account_id(settings.cluster.name, "cloudsql"),
            "protect": settings.protect,
            "apis": p.resources.apis_named("sqladmin.googleapis.com", "iam.googleapis.com", "cloudresourcemanager.googleapis.com"),
        },
        opts=p.opts(),
    ).info


def storage(ctx: Context) -> StorageInfo:
    settings = ctx.settings
    gcp = _gcp(settings)
    p = _platform_info(ctx)
    return GcsStorageAccess(
        f"{ctx.name}-gcs",
        {
            "project": gcp.project,
            "region": gcp.region,
            "account_id": account_id(settings.cluster.name, "storage"),
            "role_prefix": role_prefix(settings.cluster.name),
            "apis": p.resources.apis_named("storage.googleapis.com", "iam.googleapis.com", "cloudresourcemanager.googleapis.com"),
        },
        opts=p.opts(),
    ).info


def registry(ctx: Context) -> RegistryInfo:
    settings = ctx.settings
    gcp = _gcp(settings)
    p = _platform_info(ctx)
    if settings.registry.kind == "gcr":
        host = gcp.gcr_host or "gcr.io"
        location, repository_id, server, url = GCR_HOSTS[host], host, host, f"{host}/{gcp.project}"
    else:
        server = f"{gcp.region}-docker.pkg.dev"
        location, repository_id, url = gcp.region, gcp.repository, f"{server}/{gcp.project}/{gcp.repository}"
    nodes = p.resources.node_service_account.member
    return ArtifactRegistry(
        f"{ctx.name}-registry",
        {
            "project": gcp.project,
            "location": location,
            "repository_id": repository_id,
            "server": server,
            "url": url,
            "writer_account_id": account_id(settings.cluster.name, "registry"),
            "readers": {"nodes": nodes},
            "protect": settings.protect,
            "apis": p.resources.apis_named("artifactregistry.googleapis.com", "iam.googleapis.com"),
        },
        opts=p.opts(),
    ).info


def dns_zone(ctx: Context) -> DnsInfo:
    settings = ctx.settings
    gcp = _gcp(settings)
    p = _platform_info(ctx)
    solver = p.resources.dns_solver_service_account
    assert solver is not None, "the platform creates cert-manager's account whenever dns01 is clouddns"
    zone = settings.certificate.zone
    dns_name = (zone.name or settings.domain).rstrip(".")
    args: CloudDnsZoneArgs = {
        "project": gcp.project,
        "dns_name": dns_name,
        "solver_service_account": solver.email,
        "protect": settings.protect,
        "apis": p.resources.apis_named("dns.googleapis.com"),
    }
    if zone.create:
        args["zone_name"] = zone_name(dns_name)
    else:
        args["existing_zone"] = zone.existing_id or ""
    return CloudDnsZone(f"{ctx.name}-dns", args, opts=p.opts()).info


IMPLEMENTATIONS = CloudImplementations(
    platform=platform,
    cluster=cluster,
    databases={"managed": database},
    storages={"managed": storage},
    registries={"artifact-registry": registry, "gcr": registry},
    dns_zones={"clouddns": dns_zone},
)

__all__ = [
    "IMPLEMENTATIONS",
    "ArtifactRegistry",
    "CloudDnsZone",
    "CloudSqlDatabase",
    "GcpPlatform",
    "GcsStorageAccess",
    "GkeCluster",
]
