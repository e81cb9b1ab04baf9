"""What every AWS concern builds on: the explicit provider, the region's partition and the network.

`build` runs first and once; every other AWS builder receives the frozen `AwsPlatform` it returns
(`AwsContext`), so nothing is looked up, cached or downcast later.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..architecture import Context
from ..settings import Settings
from .network import Network
from .settings import AwsSettings


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


@dataclass(frozen=True)
class AwsNetwork:
    """What the cluster and the database need of the VPC (built by `network.Network`)."""

    vpc_id: pulumi.Output[str]
    #: Private subnets (nodes, database), one per zone.
    private_subnet_ids: tuple[pulumi.Output[str], ...]
    #: The security group every node carries; the database admits it.
    node_security_group_id: pulumi.Output[str]


@dataclass(frozen=True)
class AwsPlatform:
    """The AWS platform of one stack, built once by `build`."""

    provider: aws.Provider
    region: str
    partition: Partition
    network: AwsNetwork

    def opts(self) -> pulumi.ResourceOptions:
        """Options for a component built on this platform: the AWS provider, explicitly."""
        return pulumi.ResourceOptions(providers=[self.provider])


#: What every AWS builder receives: the settings with `gitpod:aws`, the name prefix and the platform.
AwsContext = Context[AwsSettings, AwsPlatform]


def _zones(aws_settings: AwsSettings, opts: pulumi.InvokeOptions) -> list[str]:
    """Explicit zones, or the region's first N standard zones (no Local/Wavelength zones).

    Deliberately not filtered by state: a zone AWS marks impaired for a while must not shift the
    list, or every subnet (and with them the node groups and RDS) would be replaced.
    """
    if aws_settings.availability_zones:
        return list(aws_settings.availability_zones)
    found = aws.get_availability_zones(
        region=aws_settings.region,
        filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
        opts=opts,
    )
    names = sorted(found.names or [])
    if len(names) < aws_settings.availability_zone_count:
        raise pulumi.RunError(
            f"gitpod:aws.availabilityZoneCount: {aws_settings.availability_zone_count} zones requested, but "
            f"{aws_settings.region} offers {len(names)} ({', '.join(names) or 'none'}). Fix: lower the count."
        )
    return names[: aws_settings.availability_zone_count]


def build(settings: Settings[AwsSettings], name: str, parent: pulumi.Resource | None = None) -> AwsPlatform:
    """The explicit AWS provider (region from settings, stack tags) and the network."""
    aws_settings = settings.cloud_settings
    provider = aws.Provider(
        f"{name}-aws",
        region=aws_settings.region,
        profile=aws_settings.profile,
        default_tags={"tags": {"app.kubernetes.io/part-of": "gitpod", "gitpod.io/stack": f"{settings.project}/{settings.stack}"}},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    zones = _zones(aws_settings, pulumi.InvokeOptions(provider=provider))
    network = Network(
        f"{name}-network",
        {"cidr": aws_settings.vpc_cidr, "availability_zones": zones, "cluster_name": settings.cluster.name},
        opts=pulumi.ResourceOptions(parent=parent, providers=[provider]),
    )
    return AwsPlatform(
        provider=provider,
        region=aws_settings.region,
        partition=Partition.of(aws_settings.region),
        network=AwsNetwork(
            vpc_id=network.vpc_id,
            private_subnet_ids=tuple(network.private_subnet_ids),
            node_security_group_id=network.node_security_group_id,
        ),
    )
