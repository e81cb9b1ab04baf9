"""`CloudDnsZone`: the public zone Let's Encrypt's DNS-01 challenges are answered in.

cert-manager writes `_acme-challenge` TXT records here as a Google service account it impersonates
through Workload Identity. That account holds a custom role with only the record and change
permissions DNS-01 needs (`SOLVER_PERMISSIONS`), on this zone only (zone-level IAM), and the solver
names the zone (`hostedZoneName`), so cert-manager never needs to list the project's zones. The zone is protected: deleting it changes its name servers, breaking the delegation.
"""

from typing import Required, TypedDict

import pulumi
import pulumi_gcp as gcp

from ..contracts import CloudDnsZoneInfo, DnsInfo
from .naming import account_id, role_prefix, zone_name
from .platform import ApiDependencies, GcpContext, wait_for

TYPE = "gitpod:index:CloudDnsZone"

#: What cert-manager's Cloud DNS solver needs instead of `roles/dns.admin`: cert-manager's docs
#: list `dns.resourceRecordSets.*`, `dns.changes.*` and `dns.managedZones.list` for a least-privilege
#: custom role (cert-manager/website content/docs/configuration/acme/dns01/google.md, read 2026-11);
#: custom roles take no wildcards, so each permission is spelled out (Cloud DNS permissions:
#: https://cloud.google.com/dns/docs/access-control, read 2026-11). No zone creation or deletion,
#: no DNSSEC keys, no IAM on the zone.
SOLVER_PERMISSIONS = (
    "dns.changes.create",
    "dns.changes.get",
    "dns.changes.list",
    "dns.managedZones.list",
    "dns.resourceRecordSets.create",
    "dns.resourceRecordSets.delete",
    "dns.resourceRecordSets.get",
    "dns.resourceRecordSets.list",
    "dns.resourceRecordSets.update",
)


class CloudDnsZoneArgs(TypedDict, total=False):
    project: Required[str]
    """Project ID (required)."""
    dns_name: Required[str]
    """DNS name of the zone, e.g. `gitpod.example.com` (the domain or a parent of it) (required)."""
    zone_name: str
    """Cloud DNS name of the zone to create (required unless `existing_zone`)."""
    existing_zone: str
    """Cloud DNS name of an existing zone to use instead of creating one."""
    solver_service_account: Required[pulumi.Input[str]]
    """E-mail of the Google service account cert-manager acts as (required)."""
    records_service_account: pulumi.Input[str]
    """E-mail of the Google service account external-dns acts as, to publish Gitpod's records (optional)."""
    role_id: Required[str]
    """ID of the project custom role holding `SOLVER_PERMISSIONS` (required)."""
    protect: bool
    """Protect a created zone from deletion (default true)."""
    apis: ApiDependencies
    """What the project APIs (dns) need before use, e.g. their `gcp.projects.Service`s."""


class CloudDnsZone(pulumi.ComponentResource):
    """A public Cloud DNS zone (created or looked up) that cert-manager may edit."""

    zone_name: pulumi.Output[str]
    """Cloud DNS name of the zone (the solver's `hostedZoneName`)."""
    name_servers: pulumi.Output[list[str]]
    """Name servers to delegate the domain to at its parent zone or registrar."""
    dns_name: pulumi.Output[str]
    """The zone's DNS name, without the trailing dot."""

    def __init__(self, name: str, args: CloudDnsZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        child = pulumi.ResourceOptions(parent=self, depends_on=wait_for(args.get("apis", ())))
        dns_name = args["dns_name"].rstrip(".") + "."

        existing = args.get("existing_zone")
        if existing:
            found = gcp.dns.get_managed_zone_output(
                name=existing, project=project, opts=pulumi.InvokeOutputOptions(parent=self, depends_on=wait_for(args.get("apis", ())))
            )
            self.zone_name = pulumi.Output.from_input(existing)
            self.name_servers = found.name_servers.apply(lambda servers: list(servers or []))
            self.dns_name = found.dns_name.apply(lambda n: n.rstrip("."))
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
            self.dns_name = zone.dns_name.apply(lambda n: n.rstrip("."))

        solver_role = gcp.projects.IAMCustomRole(
            f"{name}-dns01-solver-role",
            project=project,
            role_id=args["role_id"],
            title="Gitpod DNS-01 solver",
            description="cert-manager's ACME DNS-01 challenges: record sets and changes only; granted on Gitpod's zone.",
            permissions=list(SOLVER_PERMISSIONS),
            stage="GA",
            opts=child,
        )
        # Replacing the former `roles/dns.admin` binding creates this one before deleting that one,
        # so cert-manager never loses access in between.
        gcp.dns.DnsManagedZoneIamMember(
            f"{name}-dns01-solver",
            project=project,
            managed_zone=self.zone_name,
            role=solver_role.name,
            member=pulumi.Output.from_input(args["solver_service_account"]).apply(lambda email: f"serviceAccount:{email}"),
            opts=child,
        )

        publisher = args.get("records_service_account")
        if publisher is not None:
            member = pulumi.Output.from_input(publisher).apply(lambda email: f"serviceAccount:{email}")
            # Writes on this zone only; external-dns' own Workload Identity example grants the same
            # pair (kubernetes-sigs/external-dns v0.21.0 docs/tutorials/gke.md, Terraform tab).
            gcp.dns.DnsManagedZoneIamMember(
                f"{name}-records-publisher", project=project, managed_zone=self.zone_name, role="roles/dns.admin", member=member, opts=child
            )

        # The DNS contract (`clouddns`, solver `{project, hostedZoneName}`) for cert-manager. (Python only: not in the package

        # schema, see provider.py.)

        self.info: CloudDnsZoneInfo = CloudDnsZoneInfo(
            zone_name=self.zone_name,
            name_servers=self.name_servers,
            project=project,
            service_account=args["solver_service_account"],
            dns_name=self.dns_name,
            records_service_account=publisher,
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
        "role_id": f"{role_prefix(settings.cluster.name)}_dns01_solver",
        "protect": settings.protect,
        "apis": p.apis_named("dns.googleapis.com"),
    }
    if settings.certificate.zone.records:
        publisher = gcp.serviceaccount.Account(
            f"{p.name}-external-dns-sa",
            project=p.project,
            account_id=account_id(settings.cluster.name, "records"),
            display_name="external-dns (Gitpod)",
            description="Impersonated by external-dns through Workload Identity; may edit Gitpod's Cloud DNS zone only.",
            opts=p.identity_opts,
        )
        args["records_service_account"] = publisher.email
        # external-dns finds its zone by listing the project's zones on every sync
        # (provider/google/google.go at v0.21.0, `Zones`: `ManagedZones.List(project)`), and Cloud DNS
        # authorizes that list on the project only: read-only, no record or zone changes. As external-dns'
        # own Workload Identity example does (docs/tutorials/gke.md at v0.21.0, Terraform tab).
        gcp.projects.IAMMember(
            f"{p.name}-external-dns-zone-reader",
            project=p.project,
            role="roles/dns.reader",
            member=publisher.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=p.identity_opts,
        )
    # The settings allow exactly one of zone.create and zone.existingId.
    if zone.existing_id:
        args["existing_zone"] = zone.existing_id
    else:
        args["zone_name"] = zone_name(dns_name)
    return CloudDnsZone(f"{ctx.name}-dns", args, opts=ctx.opts(p.opts())).info
