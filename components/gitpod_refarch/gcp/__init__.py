"""GCP: GKE, Cloud SQL, GCS, Artifact Registry / gcr.io and Cloud DNS (`gitpod:cloud: gcp`).

This module only declares what GCP offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-gcp. The package follows the layout every cloud package shares:

    settings.py   the `gitpod:gcp` section: keys, defaults, validation and GKE-only rules
    platform.py   `GcpPlatform` (provider, project, region, APIs, `GcpNetwork`, the nodes' service
                  account), frozen, built once by `build(settings, name)`; `GcpContext` is what
                  every other builder receives
    network.py    `GcpNetwork`        (VPC, node subnet, NAT; private service access on request)
    cluster.py    `GkeCluster`        + `build(ctx, dns) -> ClusterInfo`
    database.py   `CloudSqlDatabase`  + `build(ctx) -> DatabaseInfo`
    storage.py    `GcsStorageAccess`  + `build(ctx) -> StorageInfo`
    registry.py   `ArtifactRegistry`  + `build(ctx, storage) -> RegistryInfo`
    dns.py        `CloudDnsZone`      + `build(ctx) -> DnsInfo`
    build.py      `BUILDERS`: the table `architecture` reads (imported only when GCP is selected)
    apis, keys, naming, quota, maintenance, kubeconfig: helpers of the above

Each concern's builder lives next to its component and is the only code there that reads
settings: the components take plain, required arguments, so other programs can reuse them.
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
    builders_module=f"{__name__}.build",
)
