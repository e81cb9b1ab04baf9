"""The Azure builders: settings in, components declared, contracts out.

The components never read settings. Only the platform (resource group, network, identities) is
shared: the database, storage, registry and DNS zone depend on it, never on the cluster.
"""

from __future__ import annotations

from ..architecture import CloudBuilders, Context
from ..certmanager.issuers import SERVICE_ACCOUNT
from ..contracts import ClusterInfo, DatabaseInfo, DnsInfo, RegistryInfo, StorageInfo
from ..settings import NodePoolSettings, Settings
from ..settings.model import required
from . import settings as az
from .cluster import AgentPoolSpec, AksCluster, AksClusterArgs, MaintenanceWindowSpec
from .database import MysqlFlexibleServer
from .dns import AzureDnsZone, AzureDnsZoneArgs
from .platform import AzureFoundation, AzurePlatform
from .registry import ContainerRegistry
from .settings import AzureSettings
from .storage import BlobStorage

AzureContext = Context[AzureSettings, AzureFoundation]


def _uses_azure_dns(settings: Settings[AzureSettings]) -> bool:
    cert = settings.certificate
    return cert.issuer.startswith("letsencrypt") and cert.dns01 == "azuredns"


def platform(settings: Settings[AzureSettings], name: str) -> AzureFoundation:
    azure = az.azure(settings)
    net = azure.network
    built = AzurePlatform(
        f"{name}-azure",
        {
            "location": azure.location,
            "resource_group_name": az.resource_group_name(settings),
            "create_resource_group": azure.create_resource_group,
            "prefix": settings.cluster.name,
            "vnet_cidr": net.vnet_cidr,
            "node_subnet_cidr": net.node_subnet_cidr,
            "database_subnet_cidr": net.database_subnet_cidr,
            "cert_manager_identity": _uses_azure_dns(settings),
            "protect": settings.protect,
        },
    )
    return built.foundation


def _pool(pool: NodePoolSettings | None, key: str) -> AgentPoolSpec:
    pool = required(pool, f"gitpod:cluster.nodePools.{key}")
    return {"vm_size": pool.machine_type, "min_count": pool.min_nodes, "max_count": pool.max_nodes, "os_disk_size_gb": pool.disk_size_gb}


def _maintenance(settings: Settings[AzureSettings]) -> MaintenanceWindowSpec:
    window = settings.cluster.maintenance
    return {
        "day": window.day,
        "start_time": window.start_time,
        "duration_hours": window.duration_hours,
        "not_allowed": [(e.start.isoformat(), e.end.isoformat()) for e in window.exclusions],
    }


def cluster(ctx: AzureContext, dns: DnsInfo | None) -> ClusterInfo:
    s, azure, f = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    args: AksClusterArgs = {
        "resource_group_name": f.resource_group_name,
        "location": f.location,
        "cluster_name": s.cluster.name,
        "kubernetes_version": az.kubernetes_version(s),
        "subscription_id": f.subscription_id,
        "node_subnet_id": f.node_subnet_id,
        "kubelet_identity": f.kubelet_identity,
        "services_pool": _pool(s.cluster.services_pool, "services"),
        "regular_pool": _pool(s.cluster.regular_pool, "regularWorkspaces"),
        "headless_pool": _pool(s.cluster.headless_pool, "headlessWorkspaces"),
        "os_sku": az.node_os_sku(s),
        "network_plugin": azure.network_plugin,
        "pod_cidr": azure.network.pod_cidr,
        "service_cidr": azure.network.service_cidr,
        "dns_service_ip": azure.network.dns_service_ip,
        "tier": azure.cluster_tier,
        "authorized_ip_ranges": azure.authorized_ip_ranges,
        "upgrade_channel": az.UPGRADE_CHANNEL,
        "node_os_upgrade_channel": az.NODE_OS_UPGRADE_CHANNEL,
        "maintenance": _maintenance(s),
    }
    if f.cert_manager_identity is not None:
        args["cert_manager_identity"] = f.cert_manager_identity
        args["cert_manager_subject"] = f"system:serviceaccount:{s.cert_manager.namespace}:{SERVICE_ACCOUNT}"
    return AksCluster(f"{ctx.name}-cluster", args).info


def database(ctx: AzureContext) -> DatabaseInfo:
    s, f = ctx.settings, ctx.platform
    db = s.database
    sku, tier = az.mysql_sku(s)
    server = MysqlFlexibleServer(
        f"{ctx.name}-database",
        {
            "resource_group_name": f.resource_group_name,
            "location": f.location,
            "prefix": s.cluster.name,
            "vnet_id": f.vnet_id,
            "subnet_id": f.database_subnet_id,
            "version": db.version,
            "sku_name": sku,
            "sku_tier": tier,
            "high_availability": db.high_availability,
            "backup_retention_days": db.backup_retention_days,
            "deletion_protection": db.deletion_protection,
            "protect": s.protect,
        },
    )
    return server.info


def storage(ctx: AzureContext) -> StorageInfo:
    f = ctx.platform
    account = BlobStorage(
        f"{ctx.name}-storage",
        {
            "resource_group_name": f.resource_group_name,
            "location": f.location,
            "prefix": ctx.settings.cluster.name,
            "node_subnet_id": f.node_subnet_id,
            "protect": ctx.settings.protect,
        },
    )
    return account.info


def registry(ctx: AzureContext, storage: StorageInfo) -> RegistryInfo:
    f = ctx.platform
    acr = ContainerRegistry(
        f"{ctx.name}-registry",
        {
            "resource_group_name": f.resource_group_name,
            "location": f.location,
            "prefix": ctx.settings.cluster.name,
            "sku": ctx.settings.cloud_settings.registry_sku,
            "subscription_id": f.subscription_id,
            "kubelet_principal_id": f.kubelet_identity.principal_id,
            "protect": ctx.settings.protect,
        },
    )
    return acr.info


def dns_zone(ctx: AzureContext) -> DnsInfo:
    s, f = ctx.settings, ctx.platform
    if f.cert_manager_identity is None:
        raise ValueError("the platform creates cert-manager's identity whenever dns01 is 'azuredns'")
    args: AzureDnsZoneArgs = {
        "zone_name": az.zone_name(s),
        "resource_group_name": f.resource_group_name,
        "subscription_id": f.subscription_id,
        "cert_manager_identity": f.cert_manager_identity,
        "protect": s.protect,
    }
    existing = az.existing_zone(s)
    if existing is not None:
        args["resource_group_name"] = existing.resource_group
        args["subscription_id"] = existing.subscription_id
        args["existing_zone_id"] = s.certificate.zone.existing_id or ""
    return AzureDnsZone(f"{ctx.name}-dns", args).info


BUILDERS: CloudBuilders[AzureSettings, AzureFoundation] = CloudBuilders(
    platform=platform,
    cluster=cluster,
    dns=dns_zone,
    database=database,
    storage=storage,
    registry=registry,
)
