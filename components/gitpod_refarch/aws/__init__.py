"""AWS: EKS on Ubuntu nodes, RDS for MySQL, S3, the S3-backed in-cluster registry and Route53.

This module only declares what AWS offers (`OFFER`: pure data, no SDK), so validating settings
never imports pulumi-aws. The package has every cloud package's modules (see `clouds`); `platform`
builds `AwsPlatform` (provider, region, partition, `AwsNetwork`). Helpers: ami, calico, irsa,
kubeconfig, policies, userdata, descriptions.
"""

from .. import dbtls
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
    # The server's roots for TLS by default (`dbtls`; docs/security.md, "Database TLS").
    database_ca=lambda aws: dbtls.rds_roots(aws.region),
    database_instance=settings.DEFAULT_DB_INSTANCE,
)
