"""`ExternalDns`'s args: plain shapes the schema analyzer can model, so the component is exported.

No `from __future__ import annotations` here (the analyzer reads the annotations at run time). The
zone, a union of contracts inside the program (`contracts.DnsInfo`), is a `kind` plus one object per
kind, as `CertManager`'s `dns01` (same kinds); each object holds what external-dns needs of its zone.
`zone_args` turns the program's contract into this shape, and `component.provider_config` holds
external-dns' own flags, once.
"""

from typing import TypedDict

import pulumi
from typing_extensions import Required  # typing.Required is 3.11+; typing-extensions comes with pulumi

from ..certmanager.args import CertManagerWorkloadIdentity, DnsZoneKind
from ..contracts import AzureDnsZoneInfo, CloudDnsZoneInfo, CloudflareZoneInfo, DnsInfo, Route53ZoneInfo


class ExternalDnsRoute53(TypedDict):
    """A Route53 hosted zone (`zone.kind: route53`)."""

    zone_name: pulumi.Input[str]
    """The zone's DNS name (the domain filter)."""
    zone_id: pulumi.Input[str]
    """The hosted zone's id (the zone filter)."""
    region: pulumi.Input[str]
    """The AWS region external-dns calls Route53 through."""


class ExternalDnsCloudDns(TypedDict):
    """A Cloud DNS zone (`zone.kind: clouddns`)."""

    project: pulumi.Input[str]
    """The Google Cloud project that holds the zone."""
    zone_name: pulumi.Input[str]
    """The zone's Cloud DNS resource name (the zone filter)."""
    dns_name: pulumi.Input[str]
    """The zone's DNS name without the trailing dot (the domain filter)."""


class ExternalDnsAzureDns(TypedDict):
    """An Azure DNS zone (`zone.kind: azuredns`)."""

    zone_name: pulumi.Input[str]
    """The zone's name (the domain filter)."""
    subscription_id: pulumi.Input[str]
    """The subscription that holds the zone."""
    resource_group_name: pulumi.Input[str]
    """The resource group that holds the zone; external-dns lists the zones of this group only."""


class ExternalDnsCloudflare(TypedDict):
    """A Cloudflare zone (`zone.kind: cloudflare`); the token is `cloudflareApiToken`."""

    zone_name: pulumi.Input[str]
    """The zone's name (the domain filter)."""


class ExternalDnsZone(TypedDict, total=False):
    """The zone Gitpod's records go to: its `kind`, and the object of the same name."""

    kind: Required[DnsZoneKind]
    """Which DNS service holds the zone; the object for it is required, the others must be absent."""
    route53: ExternalDnsRoute53
    """With kind `route53`."""
    cloud_dns: ExternalDnsCloudDns
    """With kind `clouddns`."""
    azure_dns: ExternalDnsAzureDns
    """With kind `azuredns`."""
    cloudflare: ExternalDnsCloudflare
    """With kind `cloudflare`."""


#: Kind -> the arg holding its zone.
ZONE_FIELDS: dict[DnsZoneKind, str | None] = {
    DnsZoneKind.CLOUDDNS: "cloud_dns",
    DnsZoneKind.ROUTE53: "route53",
    DnsZoneKind.AZUREDNS: "azure_dns",
    DnsZoneKind.CLOUDFLARE: "cloudflare",
}


class ExternalDnsArgs(TypedDict, total=False):
    """external-dns' chart, watching Gitpod's `proxy` Service and writing one zone."""

    zone: Required[ExternalDnsZone]
    """The zone to write Gitpod's records into; its kind picks external-dns' provider."""
    source_namespace: Required[pulumi.Input[str]]
    """Gitpod's namespace, where the installer creates the `proxy` Service."""
    owner_id: Required[str]
    """TXT owner id, unique per stack and never changed."""
    identity: CertManagerWorkloadIdentity
    """Service-account annotations / pod labels that give external-dns ambient cloud credentials."""
    cloudflare_api_token: pulumi.Input[str]
    """Cloudflare API token (Zone:Read, DNS:Edit) with `zone.kind: cloudflare`; always stored as a secret."""
    version: str
    """Chart version (default the pin, `externaldns.VERSION`)."""
    repository: str
    """Chart repository URL (default kubernetes-sigs'); a mirror for air-gapped clusters."""
    namespace: str
    """Namespace external-dns runs in (default `external-dns`)."""
    image_repository: str
    """Mirror prefix for the image (default registry.k8s.io/external-dns)."""


def zone_args(zone: DnsInfo) -> ExternalDnsZone:
    """The program's zone contract as the component's plain arg (only what external-dns needs)."""
    match zone:
        case Route53ZoneInfo():
            return {"kind": DnsZoneKind.ROUTE53, "route53": {"zone_name": zone.zone_name, "zone_id": zone.zone_id, "region": zone.region}}
        case CloudDnsZoneInfo():
            gcp: ExternalDnsCloudDns = {"project": zone.project, "zone_name": zone.zone_name, "dns_name": zone.dns_name}
            return {"kind": DnsZoneKind.CLOUDDNS, "cloud_dns": gcp}
        case AzureDnsZoneInfo():
            azure: ExternalDnsAzureDns = {
                "zone_name": zone.zone_name,
                "subscription_id": zone.subscription_id,
                "resource_group_name": zone.resource_group_name,
            }
            return {"kind": DnsZoneKind.AZUREDNS, "azure_dns": azure}
        case CloudflareZoneInfo():
            return {"kind": DnsZoneKind.CLOUDFLARE, "cloudflare": {"zone_name": zone.zone_name}}
