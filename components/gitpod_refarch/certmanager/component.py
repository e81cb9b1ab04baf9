"""`CertManager`: the jetstack chart, one issuer, and Gitpod's HTTPS Certificate."""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..contracts import CertificateInfo
from ..plainargs import missing_required, refuse, schema_path, variant
from . import CHART, ISSUER_REF, NAMESPACE, SECRET_NAME
from . import issuers as spec
from .args import DNS01_FIELDS, CertManagerArgs, DnsZoneKind

TYPE = "gitpod:index:CertManager"
#: Every value of the `issuer` arg: the stack's `gitpod:certificate.issuer` values, and the one
#: meaning "the issuer you name" (`gitpod:certificate.issuerRef`).
ISSUERS = (*spec.LETSENCRYPT_SERVERS, "selfsigned", "existing", ISSUER_REF)
ISSUER_REF_KINDS = ("ClusterIssuer", "Issuer")


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


def problems(args: Mapping[str, Any]) -> list[str]:
    """What is wrong with these args, all at once; each names the arg as the schema does (camelCase).

    Values are echoed only for choices (`issuer`, `dns01.kind`, `issuerRef.kind`), never for a
    credential.
    """
    found = missing_required(args, CertManagerArgs)
    issuer = args.get("issuer", "selfsigned")
    if issuer not in ISSUERS:
        found.append(f"issuer: {issuer!r} is not one of {', '.join(ISSUERS)}")
    dns01 = args.get("dns01")
    if issuer in spec.LETSENCRYPT_SERVERS and dns01 is None:
        found.append(f"dns01: required with issuer {issuer!r} (the zone that answers the DNS-01 challenge)")
    if dns01 is not None:
        kind, wrong = variant("dns01", dns01, DNS01_FIELDS)
        found += wrong
        if kind == DnsZoneKind.CLOUDFLARE and args.get("cloudflare_api_token") is None:
            found.append("cloudflareApiToken: required with dns01.kind 'cloudflare' (a token with Zone:DNS:Edit)")
    if issuer == "existing":
        found += [
            f"{schema_path(k)}: required with issuer 'existing'" for k in ("existing_tls_cert", "existing_tls_key") if args.get(k) is None
        ]
    ref = args.get("issuer_ref")
    if issuer == ISSUER_REF and ref is None:
        found.append(f"issuerRef: required with issuer {ISSUER_REF!r} (the `name` and `kind` of your issuer)")
    if ref is not None and ref.get("kind") not in ISSUER_REF_KINDS:
        found.append(f"issuerRef.kind: {ref.get('kind')!r} is not one of {', '.join(ISSUER_REF_KINDS)}")
    return found


class CertManager(pulumi.ComponentResource):
    """Installs cert-manager and produces the TLS Secret Gitpod's `certificate` refers to.

    Issuers and the Certificate depend on the Helm release, which waits for cert-manager's
    webhook to be ready, so their CRDs exist and admission succeeds on the first `pulumi up`.
    CRDs are kept on uninstall (`crds.keep`) so removing the chart never deletes Certificates.

    The args are plain (`args.CertManagerArgs`), so programs in every language can use it; the
    stack's program passes the same shape (`args.dns01_args` turns its zone contract into it), so
    there is one implementation and the resources keep their names.
    """

    issuer_name: pulumi.Output[str]
    """Name of the issuer that signs Gitpod's certificate (empty for `existing`)."""
    secret_name: pulumi.Output[str]
    """The TLS Secret for the installer's `certificate`."""
    ca_secret_name: pulumi.Output[str]
    """Secret with `ca.crt` for the installer's `customCACert`; empty when no private CA is in use."""
    namespace: pulumi.Output[str]
    """Namespace cert-manager runs in."""

    def __init__(self, name: str, args: CertManagerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        refuse("CertManager", problems(args))
        super().__init__(TYPE, name, None, opts)
        domain = args["domain"]
        issuer = str(args.get("issuer", "selfsigned"))
        cert_ns = args["certificate_namespace"]
        secret_name = args.get("secret_name", SECRET_NAME)
        cm_ns = args.get("namespace", NAMESPACE)
        identity = args.get("identity", {})
        child = pulumi.ResourceOptions(parent=self)
        #: What fills the CA Secret (the CA Certificate, or the custom-CA Secret); None without a
        #: private CA. Not an output: a resource reference other languages could not use.
        self.ca_resource: pulumi.Resource | None = None

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
                identity.get("service_account_annotations", {}),
                identity.get("pod_labels", {}),
                args.get("chart_values"),
                args.get("image_repository"),
            ),
            opts=child,
        )

        ca_secret: str | None = None
        issuer_name = ""
        self.certificate: pulumi.Resource
        if issuer in spec.LETSENCRYPT_SERVERS:
            zone = args["dns01"]
            if zone["kind"] == DnsZoneKind.CLOUDFLARE:
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
        else:  # "existing" (`problems` refused any other issuer)
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
