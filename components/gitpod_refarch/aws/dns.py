"""`Route53Zone`: the public hosted zone DNS-01 challenges are answered in (created or looked up)."""

from typing import TypedDict

import pulumi
import pulumi_aws as aws

from ..contracts import DnsInfo, Route53ZoneInfo
from .platform import AwsContext

TYPE = "gitpod:index:Route53Zone"


class Route53ZoneArgs(TypedDict, total=False):
    name: str
    """Zone name: Gitpod's domain or a parent of it (required)."""
    existing_id: str
    """Use this existing hosted zone instead of creating one (it is never modified or deleted)."""
    protect: bool
    """Protect a created zone from deletion (default true); its NS delegation lives elsewhere."""


class Route53Zone(pulumi.ComponentResource):
    """A public hosted zone for Gitpod's domain.

    A created zone is protected and never force-destroyed: recreating it would assign new name
    servers and silently break the delegation in the parent zone. Its name servers are a stack
    output so the delegation can be set up once.
    """

    zone_id: pulumi.Output[str]
    """Hosted zone id (`Z...`), the ClusterIssuer's `hostedZoneID`."""
    zone_name: pulumi.Output[str]
    """The zone's name, without a trailing dot."""
    arn: pulumi.Output[str]
    """Hosted zone ARN, which cert-manager's role is limited to."""
    name_servers: pulumi.Output[list[str]]
    """Name servers to delegate the zone to from its parent."""

    def __init__(self, name: str, args: Route53ZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        existing = args.get("existing_id")
        if existing:
            found = aws.route53.get_zone_output(zone_id=existing, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self))
            self.zone_id = found.zone_id
            self.zone_name = found.name.apply(lambda n: n.rstrip("."))
            self.arn = found.arn
            self.name_servers = found.name_servers.apply(list)
        else:
            zone = aws.route53.Zone(
                f"{name}-zone",
                name=args["name"],
                comment="Gitpod: DNS-01 challenges and Gitpod's records",
                force_destroy=False,
                opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
            )
            self.zone_id = zone.zone_id
            self.zone_name = zone.name
            self.arn = zone.arn
            self.name_servers = zone.name_servers.apply(list)
        self.register_outputs({"zoneId": self.zone_id, "zoneName": self.zone_name, "arn": self.arn, "nameServers": self.name_servers})


def build(ctx: AwsContext) -> DnsInfo:
    settings, platform = ctx.settings, ctx.platform
    args: Route53ZoneArgs = {"name": settings.dns_zone_name, "protect": settings.protect}
    if settings.certificate.zone.existing_id:
        args["existing_id"] = settings.certificate.zone.existing_id
    zone = Route53Zone(f"{ctx.name}-dns", args, opts=ctx.opts(platform.opts()))
    return Route53ZoneInfo(
        zone_name=zone.zone_name, name_servers=zone.name_servers, zone_id=zone.zone_id, zone_arn=zone.arn, region=platform.region
    )
