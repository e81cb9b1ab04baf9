"""What every AWS concern shares: the explicit provider, the partition and the network.

`Foundation` rides in `Platform.network` (the architecture's slot for cloud-wide pieces). It
also remembers the two components more than one concern uses, so each is declared once and in
the concern that owns it: the storage bucket (reused by the registry when
`gitpod:registry.reuseStorageBucket` is set) and the DNS zone (whose ARN scopes cert-manager's
service-account role, which the cluster builds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

if TYPE_CHECKING:
    from .bucket import S3Bucket
    from .dns import Route53Zone
    from .network import Network


@dataclass(frozen=True)
class Partition:
    """ARN partition and DNS suffix of a region (public, China or GovCloud)."""

    name: str
    dns_suffix: str

    @classmethod
    def of(cls, region: str) -> Partition:
        if region.startswith("cn-"):
            return cls("aws-cn", "amazonaws.com.cn")
        if region.startswith("us-gov-"):
            return cls("aws-us-gov", "amazonaws.com")
        return cls("aws", "amazonaws.com")

    def arn(self, service: str, resource: str, region: str = "", account: str = "") -> str:
        return f"arn:{self.name}:{service}:{region}:{account}:{resource}"

    def managed_policy(self, path: str) -> str:
        """An AWS managed policy ARN, e.g. `AmazonEKSClusterPolicy` or `service-role/...`."""
        return self.arn("iam", f"policy/{path}", account="aws")

    def s3_endpoint(self, region: str) -> str:
        """The regional S3 endpoint host the installer's S3 clients need (never the global one)."""
        return f"s3.{region}.{self.dns_suffix}"


@dataclass
class Foundation:
    """The AWS provider and network, plus components shared between concerns (built once)."""

    provider: aws.Provider
    region: str
    partition: Partition
    network: Network
    storage: S3Bucket | None = field(default=None)
    zone: Route53Zone | None = field(default=None)

    def invoke_opts(self) -> pulumi.InvokeOptions:
        return pulumi.InvokeOptions(provider=self.provider)
