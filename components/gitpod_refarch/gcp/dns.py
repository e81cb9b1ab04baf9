"""`CloudDnsZone`: the public zone Let's Encrypt's DNS-01 challenges are answered in.

cert-manager writes `_acme-challenge` TXT records here as a Google service account it impersonates
through Workload Identity. That account holds `dns.admin` on this zone only (zone-level IAM), and
the solver names the zone (`hostedZoneName`), so cert-manager never needs to list the project's
zones. The zone is protected: deleting it changes its name servers, breaking the delegation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from ..contracts import CloudDnsZoneInfo, DnsInfo
from .naming import account_id, zone_name
from .platform import GcpContext

TYPE = "gitpod:index:CloudDnsZone"


class CloudDnsZoneArgs(TypedDict, total=False):
    project: str
    """Project ID (required)."""
    dns_name: str
    """DNS name of the zone, e.g. `gitpod.example.com` (the domain or a parent of it) (required)."""
    zone_name: str
    """Cloud DNS name of the zone to create (required unless `existing_zone`)."""
    existing_zone: str
    """Cloud DNS name of an existing zone to use instead of creating one."""
    solver_service_account: pulumi.Input[str]
    """E-mail of the Google service account cert-manager acts as (required)."""
    protect: bool
    """Protect a created zone from deletion (default true)."""
    apis: Sequence[pulumi.Resource]
    """Project APIs (dns) that must be enabled first."""


class CloudDnsZone(pulumi.ComponentResource):
    """A public Cloud DNS zone (created or looked up) that cert-manager may edit."""

    zone_name: pulumi.Output[str]
    """Cloud DNS name of the zone (the solver's `hostedZoneName`)."""
    name_servers: pulumi.Output[list[str]]
    """Name servers to delegate the domain to at its parent zone or registrar."""
    info: CloudDnsZoneInfo
    """The DNS contract (`clouddns`, solver `{project, hostedZoneName}`) for cert-manager."""

    def __init__(self, name: str, args: CloudDnsZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        child = pulumi.ResourceOptions(parent=self, depends_on=list(args.get("apis", ())))
        dns_name = args["dns_name"].rstrip(".") + "."

        existing = args.get("existing_zone")
        if existing:
            found = gcp.dns.get_managed_zone_output(
                name=existing, project=project, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=list(args.get("apis", ())))
            )
            self.zone_name = pulumi.Output.from_input(existing)
            self.name_servers = found.name_servers.apply(lambda servers: list(servers or []))
        else:
            zone = gcp.dns.ManagedZone(
                f"{name}-zone",
                project=project,
                name=args["zone_name"],
                dns_name=dns_name,
                visibility="public",
                description=f"Gitpod Self-Hosted: {dns_name} (Let's Encrypt DNS-01 challenges)",
                force_destroy=False,
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.get("protect", True))),
            )
            self.zone_name = zone.name
            self.name_servers = zone.name_servers.apply(lambda servers: list(servers or []))

        gcp.dns.DnsManagedZoneIamMember(
            f"{name}-dns01-solver",
            project=project,
            managed_zone=self.zone_name,
            role="roles/dns.admin",
            member=pulumi.Output.from_input(args["solver_service_account"]).apply(lambda email: f"serviceAccount:{email}"),
            opts=child,
        )

        self.info = CloudDnsZoneInfo(
            zone_name=self.zone_name, name_servers=self.name_servers, project=project, service_account=args["solver_service_account"]
        )
        self.register_outputs({"zoneName": self.zone_name, "nameServers": self.name_servers})


def build(ctx: GcpContext) -> DnsInfo:
    settings, p = ctx.settings, ctx.platform
    # In the platform component, where it has always been (its URN), though only DNS-01 needs it.
    solver = gcp.serviceaccount.Account(
        f"{p.name}-dns01-sa",
        project=p.project,
        account_id=account_id(settings.cluster.name, "dns01"),
        display_name="cert-manager DNS-01 (Gitpod)",
        description="Impersonated by cert-manager through Workload Identity; may edit Gitpod's Cloud DNS zone only.",
        opts=p.identity_opts,
    )
    zone = settings.certificate.zone
    dns_name = settings.dns_zone_name.rstrip(".")
    args: CloudDnsZoneArgs = {
        "project": p.project,
        "dns_name": dns_name,
        "solver_service_account": solver.email,
        "protect": settings.protect,
        "apis": p.apis_named("dns.googleapis.com"),
    }
    # The settings allow exactly one of zone.create and zone.existingId.
    if zone.existing_id:
        args["existing_zone"] = zone.existing_id
    else:
        args["zone_name"] = zone_name(dns_name)
    return CloudDnsZone(f"{ctx.name}-dns", args, opts=ctx.opts(p.opts())).info
