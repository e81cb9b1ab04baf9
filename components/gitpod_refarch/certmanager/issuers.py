"""cert-manager object specs (pure data): issuers, DNS-01 solvers and Gitpod's Certificate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from .args import CertManagerDns01, DnsZoneKind

LETSENCRYPT_SERVERS = {
    "letsencrypt": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
}

#: Name of the ClusterIssuer, as in Gitpod's Terraform and KOTS manifests.
CLUSTER_ISSUER = "gitpod-issuer"
#: Self-signed chain; distinct from the installer's own `gitpod-selfsigned-issuer`/`ca-issuer`
#: (which it renders into the same namespace), so the two never fight over an object.
SELFSIGNED_BOOTSTRAP_ISSUER = "gitpod-refarch-selfsigned"
CA_CERTIFICATE = "gitpod-refarch-ca"
CA_SECRET = "gitpod-refarch-ca"
CA_ISSUER = "gitpod-refarch-ca-issuer"
#: Secret holding a user-supplied CA for an existing certificate.
CUSTOM_CA_SECRET = "gitpod-custom-ca"
CLOUDFLARE_SECRET = "cloudflare-api-token"
CLOUDFLARE_SECRET_KEY = "api-token"
#: The chart's service account; workload-identity bindings name it before the chart exists.
SERVICE_ACCOUNT = "cert-manager"

#: Recursive resolvers for the DNS-01 self-check: avoids split-horizon DNS inside clusters
#: answering for a zone that is not yet delegated (Gitpod's Terraform passed the same flags).
EXTRA_ARGS = ["--dns01-recursive-nameservers-only", "--dns01-recursive-nameservers=8.8.8.8:53,1.1.1.1:53"]


def dns_names(domain: str) -> list[str]:
    """The names Gitpod serves: the app, its subdomains (registry, ...) and workspace hosts."""
    return [domain, f"*.{domain}", f"*.ws.{domain}"]


def dns01_solver(zone: CertManagerDns01) -> dict[str, Any]:
    """The entry for `spec.acme.solvers` that answers challenges in `zone`, with its provider's own keys
    (https://cert-manager.io/docs/configuration/acme/dns01/)."""
    kind = DnsZoneKind(zone["kind"])
    if kind == DnsZoneKind.CLOUDDNS:
        gcp = zone["cloud_dns"]
        return {"dns01": {"cloudDNS": {"project": gcp["project"], "hostedZoneName": gcp["zone_name"]}}}
    if kind == DnsZoneKind.ROUTE53:
        aws = zone["route53"]
        return {"dns01": {"route53": {"region": aws["region"], "hostedZoneID": aws["zone_id"]}}}
    if kind == DnsZoneKind.AZUREDNS:
        z = zone["azure_dns"]
        azure = {
            "hostedZoneName": z["zone_name"],
            "resourceGroupName": z["resource_group_name"],
            "subscriptionID": z["subscription_id"],
            "environment": "AzurePublicCloud",
            "managedIdentity": {"clientID": z["identity_client_id"]},
        }
        return {"dns01": {"azureDNS": azure}}
    return {"dns01": {"cloudflare": {"apiTokenSecretRef": {"name": CLOUDFLARE_SECRET, "key": CLOUDFLARE_SECRET_KEY}}}}


def acme_issuer_spec(issuer: str, solver: Mapping[str, Any], email: str | None) -> dict[str, Any]:
    acme: dict[str, Any] = {
        "server": LETSENCRYPT_SERVERS[issuer],
        "privateKeySecretRef": {"name": f"{CLUSTER_ISSUER}-{issuer}-account-key"},
        "solvers": [dict(solver)],
    }
    if email:
        acme["email"] = email
    return {"acme": acme}


def certificate_spec(domain: str, secret_name: str, issuer_name: str, issuer_kind: str) -> dict[str, Any]:
    """Gitpod's HTTPS certificate. RSA because Gitpod's support-bundle check compares RSA moduli."""
    return {
        "secretName": secret_name,
        "dnsNames": dns_names(domain),
        "issuerRef": {"name": issuer_name, "kind": issuer_kind, "group": "cert-manager.io"},
        "privateKey": {"algorithm": "RSA", "size": 2048, "rotationPolicy": "Always"},
    }


def ca_certificate_spec(domain: str) -> dict[str, Any]:
    return {
        "isCA": True,
        "commonName": f"Gitpod CA for {domain}",
        "secretName": CA_SECRET,
        "duration": "87600h",
        "privateKey": {"algorithm": "RSA", "size": 4096},
        "issuerRef": {"name": SELFSIGNED_BOOTSTRAP_ISSUER, "kind": "Issuer", "group": "cert-manager.io"},
    }


#: Chart value paths of each cert-manager image, and the image name under quay.io/jetstack.
IMAGES = {
    ("image",): "cert-manager-controller",
    ("webhook", "image"): "cert-manager-webhook",
    ("cainjector", "image"): "cert-manager-cainjector",
    ("acmesolver", "image"): "cert-manager-acmesolver",
    ("startupapicheck", "image"): "cert-manager-startupapicheck",
}


def chart_values(
    annotations: Mapping[str, pulumi.Input[str]],
    pod_labels: Mapping[str, str],
    extra: Mapping[str, Any] | None = None,
    image_repository: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {"crds": {"enabled": True, "keep": True}, "extraArgs": list(EXTRA_ARGS)}
    if image_repository:
        for path, image in IMAGES.items():
            node = values
            for part in path:
                node = node.setdefault(part, {})
            node["repository"] = f"{image_repository}/{image}"
    if annotations:
        values["serviceAccount"] = {"annotations": dict(annotations)}
    if pod_labels:
        values["podLabels"] = dict(pod_labels)
    for key, value in (extra or {}).items():
        values[key] = value
    return values
