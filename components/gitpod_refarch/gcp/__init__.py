"""GCP: GKE, Cloud SQL, GCS, Artifact Registry / gcr.io and Cloud DNS (`gitpod:cloud: gcp`).

This module only declares what GCP offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-gcp. The package has every cloud package's modules (see `clouds`); `platform`
builds `GcpPlatform` (provider, project, region, APIs, `GcpNetwork`, the nodes' service account).
Helpers: apis, keys, naming, maintenance, kubeconfig.

Dependencies are real ones only: the database, storage access, registry and DNS zone depend on
the platform (APIs, network, shared service accounts) and never on the cluster.
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
)
