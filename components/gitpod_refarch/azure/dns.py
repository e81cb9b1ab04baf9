"""`AzureDnsZone`: the public zone cert-manager answers DNS-01 challenges in, via workload identity.

`build` also declares cert-manager's identity (under the platform component), which the cluster
federates with cert-manager's service account.
"""

from typing import Required, TypedDict

import pulumi
import pulumi_azure_native.dns as dns

from ..contracts import AzureDnsZoneInfo, DnsInfo
from . import roles
from .platform import AzureContext, Identity, ManagedIdentity
from .settings import existing_zone, zone_name

TYPE = "gitpod:index:AzureDnsZone"


class AzureDnsZoneArgs(TypedDict, total=False):
    zone_name: Required[str]
    """The zone, Gitpod's domain or a parent of it (required)."""
    resource_group_name: Required[pulumi.Input[str]]
    """Resource group of the zone (required)."""
    subscription_id: Required[pulumi.Input[str]]
    """Subscription of the zone (required)."""
    cert_manager_identity: Required[ManagedIdentity]
    """Identity granted DNS Zone Contributor on this zone only (required)."""
    records_identity: ManagedIdentity
    """external-dns' identity: DNS Zone Contributor on this zone, Reader on its resource group (optional)."""
    existing_zone_id: str
    """Resource ID of an existing zone to use instead of creating one."""
    protect: bool
    """Protect a created zone in Pulumi (default true); its records and delegation are lost with it."""


class AzureDnsZone(pulumi.ComponentResource):
    """Creates (or adopts) a public Azure DNS zone and lets cert-manager's identity edit it.

    The solver fields are what cert-manager's `azureDNS` solver needs with workload identity: no
    secret, only the zone's coordinates and the identity's client ID. A created zone's name
    servers must be delegated from the parent zone before Let's Encrypt can validate.
    """

    zone_id: pulumi.Output[str]
    """Resource ID of the zone (the scope of cert-manager's role)."""
    name_servers: pulumi.Output[list[str]] | None
    """Name servers to delegate to; None for an existing zone (already delegated)."""

    def __init__(self, name: str, args: AzureDnsZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        zone_name = args["zone_name"]
        identity = Identity.of(args["cert_manager_identity"])

        existing = args.get("existing_zone_id")
        if existing:
            self.zone_id = pulumi.Output.from_input(existing)
            self.name_servers = None
        else:
            zone = dns.Zone(
                f"{name}-zone",
                zone_name=zone_name,
                resource_group_name=args["resource_group_name"],
                location="global",
                zone_type=dns.ZoneType.PUBLIC,
                opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
            )
            self.zone_id = zone.id
            self.name_servers = zone.name_servers.apply(list)
        roles.grant(
            f"{name}-cert-manager-dns",
            role=roles.DNS_ZONE_CONTRIBUTOR,
            scope=self.zone_id,
            principal_id=identity.principal_id,
            subscription_id=args["subscription_id"],
            opts=pulumi.ResourceOptions(parent=self),
        )

        records = args.get("records_identity")
        publisher = Identity.of(records) if records is not None else None
        if publisher is not None:
            roles.grant(
                f"{name}-records-dns",
                role=roles.DNS_ZONE_CONTRIBUTOR,
                scope=self.zone_id,
                principal_id=publisher.principal_id,
                subscription_id=args["subscription_id"],
                opts=pulumi.ResourceOptions(parent=self),
            )
            # external-dns finds its zone by listing the resource group's zones on every sync
            # (provider/azure/azure.go at v0.21.0: `NewListByResourceGroupPager`), which Azure
            # authorizes on the group, and no built-in role narrower than Reader grants
            # `Microsoft.Network/dnszones/read` there; external-dns' workload-identity tutorial
            # grants the same pair (docs/tutorials/azure.md at v0.21.0). Reader changes nothing.
            roles.grant(
                f"{name}-records-zone-reader",
                role=roles.READER,
                scope=pulumi.Output.concat("/subscriptions/", args["subscription_id"], "/resourceGroups/", args["resource_group_name"]),
                principal_id=publisher.principal_id,
                subscription_id=args["subscription_id"],
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.info = AzureDnsZoneInfo(
            zone_name=zone_name,
            name_servers=self.name_servers,
            resource_group_name=args["resource_group_name"],
            subscription_id=args["subscription_id"],
            identity_client_id=identity.client_id,
            identity_name=identity.name,
            records_identity_client_id=publisher.client_id if publisher is not None else None,
            records_identity_name=publisher.name if publisher is not None else None,
        )
        self.register_outputs({"zoneId": self.zone_id, "nameServers": self.name_servers})


def build(ctx: AzureContext) -> DnsInfo:
    settings, platform = ctx.settings, ctx.platform
    args: AzureDnsZoneArgs = {
        "zone_name": zone_name(settings),
        "resource_group_name": platform.resource_group_name,
        "subscription_id": platform.subscription_id,
        "cert_manager_identity": platform.resources.identity("cert-manager").args(),
        "protect": settings.protect,
    }
    if settings.certificate.zone.records:
        args["records_identity"] = platform.resources.identity("external-dns").args()
    existing = existing_zone(settings)
    if existing is not None:
        args |= {
            "resource_group_name": existing.resource_group,
            "subscription_id": existing.subscription_id,
            "existing_zone_id": existing.id,
        }
    return AzureDnsZone(f"{ctx.name}-dns", args, opts=ctx.opts()).info
