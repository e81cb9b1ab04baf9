"""Azure: AKS, MySQL Flexible Server, Blob storage, ACR and Azure DNS (`gitpod:cloud: azure`).

This module only declares what Azure offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-azure-native. The package has every cloud package's modules (see `clouds`);
`platform` builds `AzurePlatformInfo` (resource group, `AzureNetwork`, kubelet identity). Helpers:
naming (globally unique names), roles (built-in role grants).
"""

from .. import dbtls
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
    # The server's roots for TLS by default (`dbtls`; docs/security.md, "Database TLS").
    database_ca=lambda _: dbtls.flexible_server_roots(),
    database_instance=settings.DEFAULT_MYSQL_SKU,
    provider_config=("azure-native",),
)
