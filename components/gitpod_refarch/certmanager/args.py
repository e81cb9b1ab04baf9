"""`CertManager`'s args: plain shapes the schema analyzer can model, so the component is exported.

No `from __future__ import annotations` here: the Pulumi SDK's schema analyzer
(`pulumi.provider.experimental.analyzer`) reads these annotations at run time and cannot resolve
string annotations. The analyzer models neither dataclasses nor unions, so the DNS-01 zone, a
union of contracts inside the program (`contracts.DnsInfo`), is a `kind` plus one optional object
per kind here; `dns01_args` turns the program's contract into this shape, and the component reads
nothing else (`issuers.dns01_solver` holds cert-manager's own keys, once).

Type names start with `CertManager`: every exported type shares the package's one namespace.
"""

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypedDict

import pulumi
from typing_extensions import Required  # typing.Required is 3.11+; typing-extensions comes with pulumi

from ..contracts import AzureDnsZoneInfo, CertManagerIdentity, CloudDnsZoneInfo, CloudflareZoneInfo, DnsInfo, Route53ZoneInfo


class DnsZoneKind(str, Enum):
    """Which DNS service holds a public zone (`dns01` of `CertManager`, `zone` of `ExternalDns`);
    the values are `gitpod:certificate.dns01`'s."""

    CLOUDDNS = "clouddns"
    """A Google Cloud DNS zone (`cloudDns`); ambient credentials through GKE Workload Identity (`identity`)."""
    ROUTE53 = "route53"
    """An AWS Route53 hosted zone (`route53`); ambient credentials through an IRSA role (`identity`)."""
    AZUREDNS = "azuredns"
    """An Azure DNS zone (`azureDns`); ambient credentials through AKS workload identity (`identity`)."""
    CLOUDFLARE = "cloudflare"
    """A Cloudflare zone; the API token is `cloudflareApiToken`."""


class CertManagerCloudDns(TypedDict):
    """A Cloud DNS zone (`dns01.kind: clouddns`)."""

    project: pulumi.Input[str]
    """The Google Cloud project that holds the zone."""
    zone_name: pulumi.Input[str]
    """The zone's Cloud DNS resource name (not its DNS name)."""


class CertManagerRoute53(TypedDict):
    """A Route53 hosted zone (`dns01.kind: route53`)."""

    region: pulumi.Input[str]
    """The AWS region cert-manager calls Route53 through."""
    zone_id: pulumi.Input[str]
    """The hosted zone's id."""


class CertManagerAzureDns(TypedDict):
    """An Azure DNS zone (`dns01.kind: azuredns`), reached with a user-assigned managed identity."""

    zone_name: pulumi.Input[str]
    """The zone's name."""
    resource_group_name: pulumi.Input[str]
    """The resource group that holds the zone."""
    subscription_id: pulumi.Input[str]
    """The subscription that holds the zone."""
    identity_client_id: pulumi.Input[str]
    """Client id of the managed identity cert-manager's service account is federated with."""


class CertManagerDns01(TypedDict, total=False):
    """The zone that answers DNS-01 challenges: its `kind`, and the object of the same name."""

    kind: Required[DnsZoneKind]
    """Which DNS service holds the zone; the object for it is required, the others must be absent."""
    cloud_dns: CertManagerCloudDns
    """With kind `clouddns`."""
    route53: CertManagerRoute53
    """With kind `route53`."""
    azure_dns: CertManagerAzureDns
    """With kind `azuredns`."""


#: Kind -> the arg holding its zone (None: the kind needs no object).
DNS01_FIELDS: dict[DnsZoneKind, str | None] = {
    DnsZoneKind.CLOUDDNS: "cloud_dns",
    DnsZoneKind.ROUTE53: "route53",
    DnsZoneKind.AZUREDNS: "azure_dns",
    DnsZoneKind.CLOUDFLARE: None,
}


class CertManagerIssuerRef(TypedDict):
    """An Issuer or ClusterIssuer you already run (issuer `issuerRef`)."""

    name: str
    """Its name."""
    kind: str
    """`ClusterIssuer` or `Issuer` (an Issuer must be in `certificateNamespace`)."""


class CertManagerWorkloadIdentity(TypedDict, total=False):
    """What gives cert-manager's pods ambient cloud credentials for DNS-01 (none for Cloudflare)."""

    service_account_annotations: Mapping[str, pulumi.Input[str]]
    """Annotations on cert-manager's service account, e.g. GKE's `iam.gke.io/gcp-service-account`
    or EKS's `eks.amazonaws.com/role-arn`."""
    pod_labels: Mapping[str, str]
    """Labels on cert-manager's pods, e.g. AKS's `azure.workload.identity/use: "true"`."""


class CertManagerArgs(TypedDict, total=False):
    """cert-manager's chart, the issuer and Gitpod's Certificate."""

    domain: Required[str]
    """Gitpod's domain; the Certificate covers `<domain>`, `*.<domain>` and `*.ws.<domain>`."""
    issuer: str
    """`letsencrypt`, `letsencrypt-staging` (both need `dns01`), `selfsigned` (the default),
    `existing` (needs `existingTlsCert` and `existingTlsKey`) or `issuerRef` (needs `issuerRef`)."""
    certificate_namespace: Required[pulumi.Input[str]]
    """Namespace of Gitpod's Certificate and TLS Secret, normally the Gitpod namespace."""
    secret_name: str
    """Name of the TLS Secret the installer's `certificate` points at (default `https-certificates`)."""
    version: Required[str]
    """cert-manager chart version, pinned, e.g. `v1.21.1` (v1.15 or newer: the chart's `crds.keep`)."""
    chart: str
    """Chart reference: an OCI URL or a repository chart name (default jetstack's OCI chart)."""
    repository: str
    """Chart repository URL when `chart` is not an OCI URL (e.g. an air-gapped mirror)."""
    namespace: str
    """Namespace cert-manager runs in (default `cert-manager`)."""
    email: str
    """ACME account e-mail (optional; Let's Encrypt no longer sends expiry mail)."""
    dns01: CertManagerDns01
    """The zone that answers DNS-01 challenges; required with the Let's Encrypt issuers."""
    cloudflare_api_token: pulumi.Input[str]
    """Cloudflare API token (Zone:DNS:Edit) with `dns01.kind: cloudflare`; always stored as a secret."""
    identity: CertManagerWorkloadIdentity
    """Service-account annotations / pod labels that give cert-manager ambient cloud credentials."""
    existing_tls_cert: pulumi.Input[str]
    """PEM certificate chain for issuer `existing`."""
    existing_tls_key: pulumi.Input[str]
    """PEM private key for issuer `existing`; always stored as a secret."""
    existing_ca_cert: pulumi.Input[str]
    """PEM CA of a privately issued `existing` certificate (becomes the installer's `customCACert`)."""
    image_repository: str
    """Mirror prefix for cert-manager's images (controller, webhook, cainjector, acmesolver,
    startupapicheck), for air-gapped clusters; default: quay.io/jetstack."""
    chart_values: Mapping[str, Any]
    """Extra chart values merged over the defaults."""
    issuer_ref: CertManagerIssuerRef
    """For issuer `issuerRef`: the Issuer or ClusterIssuer you already run; the Certificate names it
    and the component creates no issuer of its own."""


def dns01_args(zone: DnsInfo) -> CertManagerDns01:
    """The program's zone contract as the component's plain arg (only what the solver needs)."""
    match zone:
        case CloudDnsZoneInfo():
            return {"kind": DnsZoneKind.CLOUDDNS, "cloud_dns": {"project": zone.project, "zone_name": zone.zone_name}}
        case Route53ZoneInfo():
            return {"kind": DnsZoneKind.ROUTE53, "route53": {"region": zone.region, "zone_id": zone.zone_id}}
        case AzureDnsZoneInfo():
            azure: CertManagerAzureDns = {
                "zone_name": zone.zone_name,
                "resource_group_name": zone.resource_group_name,
                "subscription_id": zone.subscription_id,
                "identity_client_id": zone.identity_client_id,
            }
            return {"kind": DnsZoneKind.AZUREDNS, "azure_dns": azure}
        case CloudflareZoneInfo():
            return {"kind": DnsZoneKind.CLOUDFLARE}


def identity_args(identity: CertManagerIdentity) -> CertManagerWorkloadIdentity:
    """The program's identity contract as the component's plain arg."""
    return {"service_account_annotations": dict(identity.service_account_annotations), "pod_labels": dict(identity.pod_labels)}
