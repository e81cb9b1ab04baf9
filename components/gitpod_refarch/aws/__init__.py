"""AWS: EKS on Ubuntu nodes, RDS for MySQL, S3, the S3-backed in-cluster registry and Route53.

Imported only when `gitpod:cloud` is `aws` (pulumi-aws is large). Keys of the tables are the
setting values they serve (see `architecture.CloudImplementations`).
"""

from ..architecture import CloudImplementations
from .implementations import cluster, database, dns_zone, platform, registry, storage

IMPLEMENTATIONS = CloudImplementations(
    platform=platform,
    cluster=cluster,
    databases={"managed": database},
    storages={"managed": storage},
    registries={"s3": registry},
    dns_zones={"route53": dns_zone},
)
