"""GCP: GKE, Cloud SQL, GCS, Artifact Registry / gcr.io and Cloud DNS (`gitpod:cloud: gcp`).

This module only declares what GCP offers (pure data, no SDK); `build.py` creates the resources
and is imported only when GCP is selected. Components: `platform.GcpPlatform`,
`network.GcpNetwork`, `cluster.GkeCluster`, `cloudsql.CloudSqlDatabase`, `gcs.GcsStorageAccess`,
`registry.ArtifactRegistry`, `clouddns.CloudDnsZone`.
"""

from ..clouds import CloudOffer, ManagedCluster
from . import settings

OFFER: CloudOffer[settings.GcpSettings] = CloudOffer(
    name="gcp",
    databases=("managed",),
    storages=("managed",),
    registries=("artifact-registry", "gcr"),
    dns01=("clouddns",),
    parse=settings.parse,
    rules=settings.rules,
    cluster=ManagedCluster(
        distribution="gke",
        services_pool=settings.SERVICES_POOL,
        workspace_pool=settings.WORKSPACE_POOL,
        machine_type=settings.MACHINE_TYPE,
        maintenance=True,
        options=settings.CLUSTER_OPTIONS,
    ),
    database_instance=settings.DEFAULT_SQL_TIER,
    cloud_sql_proxy=True,
    builders_module=f"{__name__}.build",
)
