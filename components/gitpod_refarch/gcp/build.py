"""The GCP builders: settings in, components declared, contracts out.

The components (`platform`, `network`, `cluster`, `cloudsql`, `gcs`, `registry`, `clouddns`) never
read settings, so other programs can use them directly. Dependencies are real ones only: the
database, storage access, registry and DNS zone depend on the platform (APIs, network, shared
service accounts) and never on the cluster, so they are created in parallel with it; the cluster
waits for none of them.
"""

from __future__ import annotations

from .. import compatibility as compat
from ..architecture import CloudBuilders, Context
from ..certmanager.issuers import SERVICE_ACCOUNT as CERT_MANAGER_SERVICE_ACCOUNT
from ..contracts import ClusterInfo, DatabaseInfo, DnsInfo, RegistryInfo, StorageInfo
from ..settings import Settings
from ..settings.model import required
from .apis import required_apis, uses_cloud_dns
from .clouddns import CloudDnsZone, CloudDnsZoneArgs
from .cloudsql import CloudSqlDatabase
from .cluster import GkeCluster, GkeClusterArgs, GkeNodePoolArgs
from .gcs import GcsStorageAccess
from .naming import POOL_NAMES, account_id, role_prefix, zone_name
from .platform import GcpPlatform, GcpPlatformArgs, GcpPlatformInfo
from .registry import ArtifactRegistry
from .settings import GCR_HOSTS, GcpSettings

GcpContext = Context[GcpSettings, GcpPlatformInfo]


def platform(settings: Settings[GcpSettings], name: str) -> GcpPlatformInfo:
    gcp = settings.cloud_settings
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
    return GcpPlatformInfo(project=gcp.project, region=gcp.region, resources=resources)


def cluster(ctx: GcpContext, dns: DnsInfo | None) -> ClusterInfo:
    settings, gcp, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    c = settings.cluster
    pools_settings = (
        required(c.services_pool, "gitpod:cluster.nodePools.services"),
        required(c.regular_pool, "gitpod:cluster.nodePools.regularWorkspaces"),
        required(c.headless_pool, "gitpod:cluster.nodePools.headlessWorkspaces"),
    )
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
        for pool_name, pool, pool_labels in zip(POOL_NAMES, pools_settings, labels, strict=True)
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


def database(ctx: GcpContext) -> DatabaseInfo:
    settings, gcp, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    db = settings.database
    connection = p.resources.network.private_service_access
    assert connection is not None, "the platform reserves private service access whenever database.mode is managed"
    return CloudSqlDatabase(
        f"{ctx.name}-cloudsql",
        {
            "project": gcp.project,
            "region": gcp.region,
            "version": db.version,
            "tier": required(db.instance_size, "gitpod:database.instanceSize"),
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


def storage(ctx: GcpContext) -> StorageInfo:
    settings, gcp, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
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


def registry(ctx: GcpContext, storage: StorageInfo) -> RegistryInfo:
    settings, gcp, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
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


def dns_zone(ctx: GcpContext) -> DnsInfo:
    settings, gcp, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
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


BUILDERS: CloudBuilders[GcpSettings, GcpPlatformInfo] = CloudBuilders(
    platform=platform,
    cluster=cluster,
    dns=dns_zone,
    database=database,
    storage=storage,
    registry=registry,
)
