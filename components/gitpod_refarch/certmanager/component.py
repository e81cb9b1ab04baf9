"""`CertManager`: the jetstack chart, one issuer, and Gitpod's HTTPS Certificate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..contracts import CertificateInfo, CertManagerIdentity, CloudflareZoneInfo, DnsInfo
from . import CHART, ISSUER_REF, NAMESPACE, SECRET_NAME
from . import issuers as spec

TYPE = "gitpod:index:CertManager"


class CertManagerArgs(TypedDict, total=False):
    domain: str
    """Gitpod's domain; the Certificate covers `<domain>`, `*.<domain>` and `*.ws.<domain>` (required)."""
    issuer: str
    """`letsencrypt` | `letsencrypt-staging` | `selfsigned` | `existing` | `issuerRef` (default `selfsigned`)."""
    certificate_namespace: pulumi.Input[str]
    """Namespace of Gitpod's Certificate and TLS Secret, normally the Gitpod namespace (required)."""
    secret_name: str
    """Name of the TLS Secret the installer's `certificate` points at (default `https-certificates`)."""
    version: str
    """cert-manager chart version, pinned, e.g. `v1.21.1` (required; v1.15 or newer: the chart's `crds.keep`)."""
    chart: str
    """Chart reference: an OCI URL or a repository chart name (default jetstack's OCI chart)."""
    repository: str
    """Chart repository URL when `chart` is not an OCI URL (e.g. an air-gapped mirror)."""
    namespace: str
    """Namespace cert-manager runs in (default `cert-manager`)."""
    email: str
    """ACME account e-mail (optional; Let's Encrypt no longer sends expiry mail)."""
    dns01: DnsInfo
    """The zone that answers DNS-01 challenges, required for Let's Encrypt (its variant picks the solver)."""
    cloudflare_api_token: pulumi.Input[str]
    """Cloudflare API token (Zone:DNS:Edit) when `dns01` is a `CloudflareZoneInfo`; kept secret."""
    identity: CertManagerIdentity
    """Service-account annotations / pod labels that give cert-manager ambient cloud credentials."""
    existing_tls_cert: pulumi.Input[str]
    """PEM certificate chain for issuer `existing`."""
    existing_tls_key: pulumi.Input[str]
    """PEM private key for issuer `existing`; kept secret."""
    existing_ca_cert: pulumi.Input[str]
    """PEM CA of a privately issued `existing` certificate (becomes the installer's `customCACert`)."""
    image_repository: str
    """Mirror prefix for cert-manager's images (controller, webhook, cainjector, acmesolver,
    startupapicheck), for air-gapped clusters; default: quay.io/jetstack."""
    chart_values: Mapping[str, Any]
    """Extra chart values merged over the defaults."""
    issuer_ref: Mapping[str, str]
    """`{name, kind}` of an Issuer or ClusterIssuer you already run, for issuer `issuerRef`: the
    Certificate names it and the program creates no issuer of its own."""


def certificate_info(issuer: str, secret_name: str = SECRET_NAME, *, custom_ca: bool = False) -> CertificateInfo:
    """The TLS (and CA) Secret names a `CertManager` with these args will produce.

    Known before the component exists, so the installer config (and the namespace it creates)
    can be built first and the Certificate can then depend on that namespace.
    """
    if issuer == "selfsigned":
        return CertificateInfo(secret_name, spec.CA_SECRET)
    if issuer == "existing" and custom_ca:
        return CertificateInfo(secret_name, spec.CUSTOM_CA_SECRET)
    return CertificateInfo(secret_name)


class CertManager(pulumi.ComponentResource):
    """Installs cert-manager and produces the TLS Secret Gitpod's `certificate` refers to.

    Issuers and the Certificate depend on the Helm release, which waits for cert-manager's
    webhook to be ready, so their CRDs exist and admission succeeds on the first `pulumi up`.
    CRDs are kept on uninstall (`crds.keep`) so removing the chart never deletes Certificates.
    """

    issuer_name: pulumi.Output[str]
    """Name of the issuer that signs Gitpod's certificate (empty for `existing`)."""
    secret_name: pulumi.Output[str]
    """The TLS Secret for the installer's `certificate`."""
    ca_secret_name: pulumi.Output[str]
    """Secret with `ca.crt` for the installer's `customCACert`; empty when no private CA is in use."""
    namespace: pulumi.Output[str]
    """Namespace cert-manager runs in."""
    ca_resource: pulumi.Resource | None
    """What fills the CA Secret (the CA Certificate, or the custom-CA Secret); None without a private CA."""

    def __init__(self, name: str, args: CertManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        domain = args["domain"]
        issuer = args.get("issuer", "selfsigned")
        cert_ns = args["certificate_namespace"]
        secret_name = args.get("secret_name", SECRET_NAME)
        cm_ns = args.get("namespace", NAMESPACE)
        identity = args.get("identity", CertManagerIdentity())
        child = pulumi.ResourceOptions(parent=self)

        chart = args.get("chart", CHART)
        repository = args.get("repository")
        self.release = k8s.helm.v3.Release(
            f"{name}-chart",
            name="cert-manager",
            chart=chart,
            version=args["version"],
            repository_opts={"repo": repository} if repository else None,
            namespace=cm_ns,
            create_namespace=True,
            values=spec.chart_values(
                identity.service_account_annotations, identity.pod_labels, args.get("chart_values"), args.get("image_repository")
            ),
            opts=child,
        )

        ca_secret: str | None = None
        self.ca_resource = None
        issuer_name = ""
        self.certificate: pulumi.Resource
        if issuer in spec.LETSENCRYPT_SERVERS:
            zone = args["dns01"]
            if isinstance(zone, CloudflareZoneInfo):
                k8s.core.v1.Secret(
                    f"{name}-cloudflare-token",
                    metadata={"name": spec.CLOUDFLARE_SECRET, "namespace": self.release.namespace},
                    string_data={spec.CLOUDFLARE_SECRET_KEY: pulumi.Output.secret(args["cloudflare_api_token"])},
                    opts=child,
                )
            issuer_name = spec.CLUSTER_ISSUER
            cluster_issuer = self._object(
                f"{name}-cluster-issuer",
                "ClusterIssuer",
                {"name": issuer_name},
                spec.acme_issuer_spec(issuer, spec.dns01_solver(zone), args.get("email")),
            )
            self.certificate = self._certificate(name, domain, cert_ns, secret_name, issuer_name, "ClusterIssuer", cluster_issuer)
        elif issuer == "selfsigned":
            bootstrap = self._object(
                f"{name}-selfsigned-issuer", "Issuer", {"name": spec.SELFSIGNED_BOOTSTRAP_ISSUER, "namespace": cert_ns}, {"selfSigned": {}}
            )
            ca = self._object(
                f"{name}-ca-certificate",
                "Certificate",
                {"name": spec.CA_CERTIFICATE, "namespace": cert_ns},
                spec.ca_certificate_spec(domain),
                bootstrap,
            )
            issuer_name = spec.CA_ISSUER
            ca_issuer = self._object(
                f"{name}-ca-issuer", "Issuer", {"name": issuer_name, "namespace": cert_ns}, {"ca": {"secretName": spec.CA_SECRET}}, ca
            )
            ca_secret = spec.CA_SECRET
            self.ca_resource = ca
            self.certificate = self._certificate(name, domain, cert_ns, secret_name, issuer_name, "Issuer", ca_issuer)
        elif issuer == ISSUER_REF:
            ref = args["issuer_ref"]
            issuer_name = ref["name"]
            metadata = {"name": secret_name, "namespace": cert_ns}
            self.certificate = self._object(
                f"{name}-certificate", "Certificate", metadata, spec.certificate_spec(domain, secret_name, ref["name"], ref["kind"])
            )
        elif issuer == "existing":
            self.certificate = k8s.core.v1.Secret(
                f"{name}-tls",
                metadata={"name": secret_name, "namespace": cert_ns},
                type="kubernetes.io/tls",
                string_data={
                    "tls.crt": args["existing_tls_cert"],
                    "tls.key": pulumi.Output.secret(args["existing_tls_key"]),
                },
                opts=child,
            )
            if args.get("existing_ca_cert") is not None:
                self.ca_resource = k8s.core.v1.Secret(
                    f"{name}-custom-ca",
                    metadata={"name": spec.CUSTOM_CA_SECRET, "namespace": cert_ns},
                    string_data={"ca.crt": args["existing_ca_cert"]},
                    opts=child,
                )
                ca_secret = spec.CUSTOM_CA_SECRET
        else:
            raise ValueError(f"unknown issuer {issuer!r} (known: letsencrypt, letsencrypt-staging, selfsigned, existing, {ISSUER_REF})")

        self.info = CertificateInfo(secret_name=secret_name, ca_secret_name=ca_secret)
        self.issuer_name = pulumi.Output.from_input(issuer_name)
        self.secret_name = pulumi.Output.from_input(secret_name)
        self.ca_secret_name = pulumi.Output.from_input(ca_secret or "")
        self.namespace = self.release.namespace.apply(lambda ns: ns or cm_ns)
        self.register_outputs(
            {
                "issuerName": self.issuer_name,
                "secretName": self.secret_name,
                "caSecretName": self.ca_secret_name,
                "namespace": self.namespace,
            }
        )

    def _object(
        self, name: str, kind: str, metadata: Mapping[str, Any], object_spec: Mapping[str, Any], *after: pulumi.Resource
    ) -> pulumi.Resource:
        """A cert-manager object; it waits for the chart (whose webhook admits it) and for `after`."""
        return k8s.apiextensions.CustomResource(
            name,
            api_version="cert-manager.io/v1",
            kind=kind,
            metadata=metadata,
            spec=object_spec,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.release, *after]),
        )

    def _certificate(
        self,
        name: str,
        domain: str,
        namespace: pulumi.Input[str],
        secret_name: str,
        issuer: str,
        kind: str,
        issuer_resource: pulumi.Resource,
    ) -> pulumi.Resource:
        metadata = {"name": secret_name, "namespace": namespace}
        return self._object(
            f"{name}-certificate", "Certificate", metadata, spec.certificate_spec(domain, secret_name, issuer, kind), issuer_resource
        )
