"""Azure: AKS, MySQL Flexible Server, Blob storage, ACR and Azure DNS (`gitpod:cloud: azure`).

This module only declares what Azure offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-azure-native. The package follows the layout every cloud package shares:

    settings.py   the `gitpod:azure` section: keys, defaults, validation and Azure-only rules
    platform.py   `AzurePlatform` (resource group, kubelet identity) and the frozen `AzurePlatformInfo`
                  built once by `build(settings, name)`; `AzureContext` is what every other builder receives
    network.py    the VNet and its subnets, declared under `AzurePlatform` (`AzureNetwork`)
    cluster.py    `AksCluster`          + `build(ctx, dns) -> ClusterInfo`
    database.py   `MysqlFlexibleServer` + `build(ctx) -> DatabaseInfo`
    storage.py    `BlobStorage`         + `build(ctx) -> StorageInfo`
    registry.py   `ContainerRegistry`   + `build(ctx, storage) -> RegistryInfo`
    dns.py        `AzureDnsZone`        + `build(ctx) -> DnsInfo`
    build.py      `BUILDERS`: the table `architecture` reads (imported only when Azure is selected)
    naming, roles: helpers of the above (globally unique names, built-in role grants)

Each concern's builder lives next to its component and is the only code there that reads
settings: the components take plain, required arguments, so other programs can reuse them.
"""

from ..clouds import CloudOffer, ManagedCluster
from . import settings

OFFER: CloudOffer[settings.AzureSettings] = CloudOffer(
    name="azure",
    databases=("managed",),
    storages=("managed",),
    registries=("acr",),
    dns01=("azuredns",),
    parse=settings.parse,
    rules=settings.rules,
    cluster=ManagedCluster(
        distribution="aks",
        services_pool=settings.SERVICES_POOL,
        workspace_pool=settings.WORKSPACE_POOL,
        kubernetes_version=settings.DEFAULT_KUBERNETES_VERSION,
        maintenance=True,
    ),
    database_instance=settings.DEFAULT_MYSQL_SKU,
    builders_module=f"{__name__}.build",
)
