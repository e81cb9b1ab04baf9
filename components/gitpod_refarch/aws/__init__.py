"""AWS: EKS on Ubuntu nodes, RDS for MySQL, S3, the S3-backed in-cluster registry and Route53.

This module only declares what AWS offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-aws. The package follows the layout every cloud package shares:

    settings.py   the `gitpod:aws` section: keys, defaults, validation and AWS-only rules
    platform.py   `AwsPlatform` (provider, region, partition, `AwsNetwork`), frozen, built once by
                  `build(settings, name)`; `AwsContext` is what every other builder receives
    network.py    `Network` (VPC, subnets, NAT, the nodes' security group)
    cluster.py    `EksCluster`    + `build(ctx, dns) -> ClusterInfo`
    database.py   `RdsMysql`      + `build(ctx) -> DatabaseInfo`
    storage.py    `S3Bucket`      + `build(ctx) -> StorageInfo`
    registry.py                     `build(ctx, storage) -> RegistryInfo`
    dns.py        `Route53Zone`   + `build(ctx) -> DnsInfo`
    build.py      `BUILDERS`: the table `architecture` reads (imported only when AWS is selected)
    ami, calico, irsa, kubeconfig, policies, userdata, descriptions: helpers of the above

Each concern's builder lives next to its component and is the only code there that reads
settings: the components take plain, required arguments, so other programs can reuse them.
"""

from ..clouds import CloudOffer, ManagedCluster
from . import settings

OFFER: CloudOffer[settings.AwsSettings] = CloudOffer(
    name="aws",
    databases=("managed",),
    storages=("managed",),
    # The in-cluster registry on buckets the program creates (Gitpod cannot use ECR).
    registries=("s3",),
    dns01=("route53",),
    parse=settings.parse,
    rules=settings.rules,
    cluster=ManagedCluster(
        distribution="eks",
        services_pool=settings.SERVICES_POOL,
        workspace_pool=settings.WORKSPACE_POOL,
        kubernetes_version=settings.DEFAULT_KUBERNETES_VERSION,
        machine_type=settings.MACHINE_TYPE,
    ),
    database_instance=settings.DEFAULT_DB_INSTANCE,
    builders_module=f"{__name__}.build",
)
