"""The AWS factories `architecture` looks up: settings in, components declared, contracts out.

This is the only AWS module that reads `Settings`; the components take plain arguments so other
programs can reuse them. Nothing here waits for the cluster unless it must: the database needs
the network, the buckets and the zone need nothing.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .. import byo
from ..architecture import Context, Platform
from ..certmanager.issuers import SERVICE_ACCOUNT
from ..compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, NODE_LABELS_SERVICES, WORKSPACE_NODE_SYSCTLS
from ..contracts import (
    ClusterInfo,
    DatabaseInfo,
    DnsInfo,
    ExternalDatabase,
    RegistryInfo,
    Route53ZoneInfo,
    S3Registry,
    S3Storage,
    StorageInfo,
)
from ..settings import Settings
from ..settings.aws import CLUSTER_DNS_IP, DEFAULT_DB_INSTANCE, SERVICE_CIDR, AwsSettings, eks_version
from .ami import node_image
from .bucket import S3Bucket
from .cluster import EksCluster, EksClusterArgs, NodePool
from .database import RdsMysql
from .dns import Route53Zone, Route53ZoneArgs
from .foundation import Foundation, Partition
from .network import Network


def _aws(settings: Settings) -> AwsSettings:
    return settings.aws or AwsSettings()


def foundation(ctx: Context) -> Foundation:
    found = ctx.platform.network
    if not isinstance(found, Foundation):
        raise TypeError("the AWS implementations need the AWS platform (gitpod:cloud 'aws')")
    return found


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


def platform(settings: Settings, name: str) -> Platform:
    """The explicit AWS provider (region from settings, stack tags) and the network."""
    aws_settings = _aws(settings)
    provider = aws.Provider(
        f"{name}-aws",
        region=aws_settings.region,
        profile=aws_settings.profile,
        default_tags={"tags": {"app.kubernetes.io/part-of": "gitpod", "gitpod.io/stack": f"{settings.project}/{settings.stack}"}},
    )
    zones = _zones(aws_settings, pulumi.InvokeOptions(provider=provider))
    network = Network(
        f"{name}-network",
        {"cidr": aws_settings.vpc_cidr, "availability_zones": zones, "cluster_name": settings.cluster.name},
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    found = Foundation(provider=provider, region=aws_settings.region, partition=Partition.of(aws_settings.region), network=network)
    return Platform(providers=(provider,), network=found)


def _pools(settings: Settings) -> list[NodePool]:
    c = settings.cluster
    assert c.services_pool and c.regular_pool and c.headless_pool, "settings give managed clusters three pools"
    workspaces = tuple(WORKSPACE_NODE_SYSCTLS.items())
    spec = (
        ("services", c.services_pool, NODE_LABELS_SERVICES, ()),
        ("regular-workspaces", c.regular_pool, (NODE_LABEL_REGULAR,), workspaces),
        ("headless-workspaces", c.headless_pool, (NODE_LABEL_HEADLESS,), workspaces),
    )
    return [
        NodePool(key, p.machine_type, p.min_nodes, p.max_nodes, p.disk_size_gb, tuple(labels), sysctls) for key, p, labels, sysctls in spec
    ]


def _uses_route53(settings: Settings) -> bool:
    cert = settings.certificate
    return cert.issuer.startswith("letsencrypt") and cert.dns01 == "route53"


def cluster(ctx: Context) -> ClusterInfo:
    settings, found = ctx.settings, foundation(ctx)
    aws_settings = _aws(settings)
    version = eks_version(settings)
    image = node_image(aws_settings.ubuntu_release, version, aws_settings.node_image, found.region, found.invoke_opts())
    args: EksClusterArgs = {
        "cluster_name": settings.cluster.name,
        "kubernetes_version": version,
        "support_type": aws_settings.support_type,
        "region": found.region,
        "partition": found.partition,
        "private_subnet_ids": found.network.private_subnet_ids,
        "node_security_group_id": found.network.node_security_group_id,
        "public_access_cidrs": list(aws_settings.public_access_cidrs),
        "admin_role_arns": list(aws_settings.admin_role_arns),
        "ami_id": image.ami_id,
        "node_pools": _pools(settings),
        "service_cidr": SERVICE_CIDR,
        "cluster_dns_ip": CLUSTER_DNS_IP,
        "calico": aws_settings.calico,
        "calico_version": aws_settings.calico_version,
        "cert_manager_namespace": settings.cert_manager.namespace,
        "cert_manager_service_account": SERVICE_ACCOUNT,
    }
    if image.parameter is not None:
        args["ami_parameter"] = image.parameter
    if aws_settings.profile:
        args["profile"] = aws_settings.profile
    if _uses_route53(settings):
        # The zone is declared by (and belongs to) the DNS concern; the cluster only needs its ARN
        # to scope cert-manager's role, so the zone never waits for the cluster.
        args["dns01_zone_arn"] = _zone(ctx).arn
    return EksCluster(f"{ctx.name}-cluster", args, opts=ctx.platform.opts()).info


def database(ctx: Context) -> DatabaseInfo:
    settings, found = ctx.settings, foundation(ctx)
    db = settings.database
    rds = RdsMysql(
        f"{ctx.name}-database",
        {
            "vpc_id": found.network.vpc_id,
            "subnet_ids": found.network.private_subnet_ids,
            "client_security_group_id": found.network.node_security_group_id,
            "version": db.version,
            "instance_class": db.instance_size or DEFAULT_DB_INSTANCE,
            "multi_az": db.high_availability,
            "deletion_protection": db.deletion_protection,
            "backup_retention_days": db.backup_retention_days,
            "protect": settings.protect,
        },
        opts=ctx.platform.opts(),
    )
    return ExternalDatabase(host=rds.address, port=rds.port, username=rds.username, password=rds.password)


def _storage_bucket(ctx: Context) -> S3Bucket:
    found = foundation(ctx)
    if found.storage is None:
        found.storage = S3Bucket(
            f"{ctx.name}-storage", {"purpose": "workspace content and backups", "protect": ctx.settings.protect}, opts=ctx.platform.opts()
        )
    return found.storage


def storage(ctx: Context) -> StorageInfo:
    found = foundation(ctx)
    bucket = _storage_bucket(ctx)
    return S3Storage(
        region=found.region,
        endpoint=found.partition.s3_endpoint(found.region),
        bucket=bucket.bucket,
        access_key_id=bucket.access_key_id,
        secret_access_key=bucket.secret_access_key,
    )


def registry(ctx: Context) -> RegistryInfo:
    """The installer's in-cluster registry storing image layers in S3 (Gitpod cannot use ECR)."""
    settings, found = ctx.settings, foundation(ctx)
    if settings.registry.reuse_storage_bucket:
        if settings.storage.mode == "external":
            return byo.s3_registry(settings)
        bucket = _storage_bucket(ctx)
    else:
        bucket = S3Bucket(
            f"{ctx.name}-registry", {"purpose": "container registry layers", "protect": settings.protect}, opts=ctx.platform.opts()
        )
    return S3Registry(
        bucket=bucket.bucket,
        region=found.region,
        endpoint=found.partition.s3_endpoint(found.region),
        access_key=bucket.access_key_id,
        secret_key=bucket.secret_access_key,
    )


def _zone(ctx: Context) -> Route53Zone:
    found = foundation(ctx)
    if found.zone is None:
        zone = ctx.settings.certificate.zone
        args: Route53ZoneArgs = {"name": zone.name or ctx.settings.domain, "protect": ctx.settings.protect}
        if zone.existing_id:
            args["existing_id"] = zone.existing_id
        found.zone = Route53Zone(f"{ctx.name}-dns", args, opts=ctx.platform.opts())
    return found.zone


def dns_zone(ctx: Context) -> DnsInfo:
    found = foundation(ctx)
    zone = _zone(ctx)
    return Route53ZoneInfo(
        zone_name=zone.zone_name, name_servers=zone.name_servers, zone_id=zone.zone_id, zone_arn=zone.arn, region=found.region
    )
