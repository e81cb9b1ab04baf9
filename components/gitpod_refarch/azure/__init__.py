"""Azure: AKS, MySQL Flexible Server, Blob storage, ACR and Azure DNS (`gitpod:cloud: azure`).

This module only declares what Azure offers (pure data, no SDK); `build.py` creates the resources
and is imported only when Azure is selected. Components: `platform.AzurePlatform`,
`cluster.AksCluster`, `database.MysqlFlexibleServer`, `storage.BlobStorage`,
`registry.ContainerRegistry`, `dns.AzureDnsZone`.
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
    provider_config=("azure-native",),
)
