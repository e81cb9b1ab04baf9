"""cert-manager: pinned chart with CRDs kept, pluggable issuers, and the Certificate for Gitpod's three names."""

from __future__ import annotations

import json

from pulumi.runtime import rpc

from gitpod_refarch_tools.render import installer_checks, render_json

from .conftest import installer_config, secrets_in, unwrap

CERT = "kubernetes:cert-manager.io/v1:Certificate"
ISSUER = "kubernetes:cert-manager.io/v1:Issuer"
CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
RELEASE = "kubernetes:helm.sh/v3:Release"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def gitpod_certificate(plan):
    return next(r for r in plan.by_type(CERT) if r.inputs["spec"]["secretName"] == "https-certificates")


def test_chart_is_pinned_with_crds_enabled_and_kept(plan_stack):
    release = plan_stack("local").one(RELEASE)
    assert release.inputs["chart"] == "oci://quay.io/jetstack/charts/cert-manager"
    assert release.inputs["version"] == "v1.21.1"
    assert release.inputs["namespace"] == "cert-manager"
    assert release.inputs["createNamespace"] is True
    values = release.inputs["values"]
    assert values["crds"] == {"enabled": True, "keep": True}
    assert "--dns01-recursive-nameservers-only" in values["extraArgs"]


def test_certificate_covers_the_three_names_with_an_rsa_key(plan_stack):
    spec = gitpod_certificate(plan_stack("local")).inputs["spec"]
    assert spec["dnsNames"] == ["gitpod.lab.example.com", "*.gitpod.lab.example.com", "*.ws.gitpod.lab.example.com"]
    assert spec["privateKey"]["algorithm"] == "RSA"


def test_issuers_and_certificates_wait_for_the_chart(plan_stack):
    plan = plan_stack("local")
    release = plan.one(RELEASE)
    for r in plan.by_type(CERT) + plan.by_type(ISSUER) + plan.by_type(CLUSTER_ISSUER):
        assert release.urn in r.depends_on, r.name


def test_self_signed_chain_avoids_the_installers_own_issuer_names(plan_stack):
    plan = plan_stack("local")
    names = {r.inputs["metadata"]["name"] for r in plan.by_type(ISSUER) + plan.by_type(CERT)}
    assert not names & {"gitpod-selfsigned-issuer", "ca-issuer", "ca-issuer-ca"}  # rendered by the installer itself
    spec = gitpod_certificate(plan).inputs["spec"]
    assert spec["issuerRef"]["kind"] == "Issuer"


def test_letsencrypt_with_cloudflare(plan_stack):
    plan = plan_stack(
        "local",
        {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare", "certificate.email": "ops@example.com"},
        {"certificate.cloudflare.apiToken": "cf-token-value"},
    )
    issuer = plan.one(CLUSTER_ISSUER)
    acme = issuer.inputs["spec"]["acme"]
    assert acme["server"] == "https://acme-v02.api.letsencrypt.org/directory"
    assert acme["email"] == "ops@example.com"
    assert acme["solvers"] == [{"dns01": {"cloudflare": {"apiTokenSecretRef": {"name": "cloudflare-api-token", "key": "api-token"}}}}]
    token = next(r for r in plan.by_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == "cloudflare-api-token")
    assert token.inputs["metadata"]["namespace"] == "cert-manager"
    assert unwrap(token.inputs["stringData"]) == {"api-token": "cf-token-value"}
    spec = gitpod_certificate(plan).inputs["spec"]
    assert spec["issuerRef"] == {"name": "gitpod-issuer", "kind": "ClusterIssuer", "group": "cert-manager.io"}
    config = installer_config(plan)
    assert "customCACert" not in config  # publicly trusted
    assert installer_checks(plan) == []
    assert "cf-token-value" not in render_json(plan)


def test_letsencrypt_staging_uses_the_staging_directory_and_its_own_account_key(plan_stack):
    plan = plan_stack(
        "local", {"certificate.issuer": "letsencrypt-staging", "certificate.dns01": "cloudflare"}, {"certificate.cloudflare.apiToken": "t"}
    )
    acme = plan.one(CLUSTER_ISSUER).inputs["spec"]["acme"]
    assert acme["server"] == "https://acme-staging-v02.api.letsencrypt.org/directory"
    assert acme["privateKeySecretRef"]["name"] == "gitpod-issuer-letsencrypt-staging-account-key"


def test_existing_certificate_becomes_the_tls_secret(plan_stack):
    plan = plan_stack(
        "local",
        {"certificate.issuer": "existing", "certificate.existing.tlsCert": PEM, "certificate.existing.caCert": PEM},
        {"certificate.existing.tlsKey": "-----BEGIN PRIVATE KEY-----secret"},
    )
    assert plan.by_type(CERT) == [] and plan.by_type(ISSUER) == []
    secrets = secrets_in(plan)
    assert secrets["https-certificates"] == {"tls.crt": PEM, "tls.key": "-----BEGIN PRIVATE KEY-----secret"}
    assert secrets["gitpod-custom-ca"] == {"ca.crt": PEM}
    tls = next(r for r in plan.by_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == "https-certificates")
    assert tls.inputs["type"] == "kubernetes.io/tls"
    assert installer_config(plan)["customCACert"] == {"kind": "secret", "name": "gitpod-custom-ca"}
    assert installer_checks(plan) == []
    assert "-----BEGIN PRIVATE KEY-----secret" not in render_json(plan)


def test_secret_maps_keep_their_keys_but_not_their_values_in_the_plan(plan_stack):
    plan = plan_stack(
        "local",
        {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare"},
        {"certificate.cloudflare.apiToken": "cf-token-value"},
    )
    data = json.loads(render_json(plan))
    token = next(r for r in data["resources"] if r["name"].endswith("cloudflare-token"))
    assert token["inputs"]["stringData"] == {"api-token": "[secret]"}
    raw = next(r for r in plan.resources if r.name.endswith("cloudflare-token")).inputs["stringData"]
    assert unwrap(raw) == {"api-token": "cf-token-value"}
    assert rpc.is_rpc_secret(raw) or all(rpc.is_rpc_secret(v) for v in raw.values())
