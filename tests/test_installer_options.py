"""Issue 14: every installer option KOTS offered lands in the config and Secrets as the 2022.11 installer reads them."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import yaml

from gitpod_refarch.installer.schema import MANAGED_BY_PROGRAM, deep_merge, validate_config, validate_patch
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings
from gitpod_refarch_tools.render import installer_checks, render_json

from .conftest import installer_config, secrets_in, unwrap

DOMAIN = "gitpod.example.com"
PROXY = "http://proxy-user:proxy-pa55@proxy.corp.example.com:3128"
LICENSE = "bGljZW5zZS1rZXktZm9yLXRlc3Rz"
OPTIONS: dict[str, Any] = {
    "blockNewUsers": {"enabled": True, "passlist": ["example.com", "corp.example.org"]},
    "openVsxUrl": "https://open-vsx.corp.example.com",
    "workspace": {
        "requests": {"cpu": "500m", "memory": "4Gi", "ephemeral-storage": "5Gi"},
        "limits": {"cpu": "4", "memory": "8Gi"},
        "maxLifetime": "12h",
        "timeoutDefault": "30m",
        "timeoutExtended": "3h",
        "timeoutAfterClose": "2m",
        "pvc": {"size": "50Gi", "storageClass": "fast-ssd", "snapshotClass": "csi-snap"},
        "prebuildPVC": {"size": "40Gi"},
    },
    "sshGateway": True,
    "httpProxy": {"httpProxy": PROXY, "noProxy": ["internal.corp", "10.42.0.0/16", "10.43.0.0/16"]},
    "license": LICENSE,
    "baseImageRegistries": [
        {"server": "registry.corp.example.com", "username": "builder", "password": "base-pa55"},
        {"server": "ghcr.io", "username": "bot", "password": "ghcr-pa55"},
    ],
    "dropImageRepo": True,
    "proxyService": {"type": "ClusterIP", "annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}},
    "customization": [
        {
            "apiVersion": "*",
            "kind": "*",
            "metadata": {"name": "*", "labels": {"team": "platform"}},
            "spec": {"env": [{"name": "X", "value": "1"}]},
        }
    ],
    "configPatch": {"workspace": {"workspaceImage": "registry.corp.example.com/workspace-full:2022"}, "disableDefinitelyGp": False},
}
SECRET_VALUES = ("proxy-pa55", LICENSE, "base-pa55", "ghcr-pa55", "reg-pa55")
REGISTRY = {"kind": "external", "external": {"url": "registry.example.com/gitpod", "username": "gitpod", "password": "reg-pa55"}}


@pytest.fixture(scope="module")
def plan_with_options():
    from gitpod_refarch.program import main as program
    from gitpod_refarch_tools.harness import run_program

    values = {"gitpod:domain": DOMAIN, "gitpod:installer": json.dumps(OPTIONS), "gitpod:registry": json.dumps(REGISTRY)}
    return run_program(program, values, {"gitpod:installer", "gitpod:registry"}, project="gitpod", stack="options")


def test_each_option_lands_in_the_config_where_the_installer_reads_it(plan_with_options):
    config = installer_config(plan_with_options)
    assert config["blockNewUsers"] == {"enabled": True, "passlist": ["example.com", "corp.example.org"]}
    assert config["openVSX"] == {"url": "https://open-vsx.corp.example.com"}
    ws = config["workspace"]
    assert ws["resources"] == {
        "requests": {"cpu": "500m", "memory": "4Gi", "ephemeral-storage": "5Gi"},
        "limits": {"cpu": "4", "memory": "8Gi"},
    }
    assert (ws["maxLifetime"], ws["timeoutDefault"], ws["timeoutExtended"], ws["timeoutAfterClose"]) == ("12h", "30m", "3h", "2m")
    assert ws["pvc"] == {"size": "50Gi", "storageClass": "fast-ssd", "snapshotClass": "csi-snap"}
    assert ws["prebuildPVC"] == {"size": "40Gi", "storageClass": "", "snapshotClass": ""}
    assert config["sshGatewayHostKey"] == {"kind": "secret", "name": "ssh-gateway-host-key"}
    assert config["httpProxy"] == {"kind": "secret", "name": "http-proxy-settings"}
    assert config["license"] == {"kind": "secret", "name": "gitpod-license"}
    assert config["dropImageRepo"] is True
    assert config["components"] == {"proxy": {"service": {"serviceType": "ClusterIP"}}}
    assert config["experimental"] == {
        "webapp": {"proxy": {"serviceAnnotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}}}
    }
    assert config["customization"] == OPTIONS["customization"]
    # The patch is merged last, over the generated values, and keeps what it does not name.
    assert ws["workspaceImage"] == "registry.corp.example.com/workspace-full:2022"
    assert config["disableDefinitelyGp"] is False
    assert ws["runtime"]["fsShiftMethod"] == "fuse"
    # The base-image hosts (sorted) and docker.io, as KOTS's build-from-envvars.
    assert config["containerRegistry"]["privateBaseImageAllowList"] == ["ghcr.io", "registry.corp.example.com", "docker.io"]
    assert installer_checks(plan_with_options) == []


def test_the_option_secrets_hold_the_keys_the_installer_reads(plan_with_options):
    secrets = secrets_in(plan_with_options)
    proxy = secrets["http-proxy-settings"]
    assert set(proxy) == {"httpProxy", "httpsProxy", "noProxy"}
    assert proxy["httpProxy"] == proxy["httpsProxy"] == PROXY  # httpsProxy defaults to httpProxy
    no_proxy = proxy["noProxy"].split(",")
    for entry in ("internal.corp", "10.42.0.0/16", "10.43.0.0/16", DOMAIN, f".{DOMAIN}", ".svc", ".cluster.local"):
        assert entry in no_proxy
    assert secrets["gitpod-license"] == {"license": LICENSE, "type": "gitpod"}
    assert set(secrets["ssh-gateway-host-key"]) == {"host.key"}
    auths = json.loads(secrets["custom-registry-credentials"][".dockerconfigjson"])["auths"]
    assert sorted(auths) == ["ghcr.io", "registry.corp.example.com"]
    assert base64.b64decode(auths["ghcr.io"]["auth"]).decode() == "bot:ghcr-pa55"


def test_the_ssh_host_key_is_generated_once_and_protected(plan_with_options):
    key = plan_with_options.one("tls:index/privateKey:PrivateKey")
    assert key.inputs["algorithm"] == "RSA" and key.inputs["rsaBits"] == 4096
    assert key.protect
    [secret] = [r for r in plan_with_options.by_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == "ssh-gateway-host-key"]
    assert unwrap(secret.inputs["stringData"])["host.key"] == "${gitpod-installer-ssh-gateway-host-key.privateKeyPem}"


def test_no_option_secret_is_printed(plan_with_options):
    text = render_json(plan_with_options)
    assert not [s for s in SECRET_VALUES if s in text]
    assert "installerConfig" not in plan_with_options.secret_outputs


@pytest.mark.parametrize(("stack", "cidrs"), [("gcp", ("10.0.0.0/12", "10.64.0.0/12")), ("aws", ("10.100.0.0/16", "172.20.0.0/16"))])
def test_no_proxy_always_holds_the_clusters_ranges_the_domain_and_in_cluster_names(plan_stack, stack, cidrs):
    plan = plan_stack(stack, {}, {"installer.httpProxy.httpProxy": "http://proxy.corp:3128"})
    proxy = secrets_in(plan)["http-proxy-settings"]
    entries = proxy["noProxy"].split(",")
    assert set(cidrs) <= set(entries)
    domain = installer_config(plan)["domain"]
    assert {domain, f".{domain}", ".svc", ".cluster.local"} <= set(entries)
    assert installer_config(plan)["httpProxy"] == {"kind": "secret", "name": "http-proxy-settings"}


def test_base_image_credentials_merge_into_the_external_registrys_pull_secret(plan_config):
    plan = plan_config(
        {
            "domain": DOMAIN,
            "registry": REGISTRY,
            "installer": {
                "baseImageRegistries": [
                    {"server": "ghcr.io", "username": "bot", "password": "ghcr-pa55"},
                    # Same host as the registry: the registry's own entry wins, as kots-install.sh's jq merge.
                    {"server": "registry.example.com", "username": "other", "password": "other-pa55"},
                ]
            },
        },
        {"registry", "installer"},
    )
    auths = json.loads(secrets_in(plan)["container-registry"][".dockerconfigjson"])["auths"]
    assert sorted(auths) == ["ghcr.io", "registry.example.com"]
    assert auths["registry.example.com"]["username"] == "gitpod"
    assert installer_config(plan)["containerRegistry"]["privateBaseImageAllowList"] == ["ghcr.io", "registry.example.com", "docker.io"]
    assert installer_checks(plan) == []


def _base_image_settings(registry: dict[str, Any], deploy: bool) -> Any:
    storage = {
        "mode": "external",
        "external": {"endpoint": "s3.example.com", "bucket": "bkt", "region": "r", "accessKeyId": "a", "secretAccessKey": "s"},
    }
    installer = {"deploy": deploy, "baseImageRegistries": [{"server": "ghcr.io", "username": "u", "password": "p"}]}
    values = {
        "gitpod:domain": DOMAIN,
        "gitpod:installer": json.dumps(installer),
        "gitpod:registry": json.dumps(registry),
        "gitpod:storage": json.dumps(storage),
    }
    return load_settings(ConfigSource(values, set(values)))


@pytest.mark.parametrize("registry", [{"kind": "incluster"}, {"kind": "s3", "reuseStorageBucket": True}])
def test_base_image_credentials_work_where_the_installer_renders_the_pull_secret(registry):
    # The installer Job merges them into the rendered builtin-registry-auth: no error, no warning.
    settings = _base_image_settings(registry, deploy=True)
    assert not [f for f in settings.findings if f.key == "gitpod:installer.baseImageRegistries"]
    # Without the Job, whoever runs the installer must merge them: a warning naming both Secrets and the key.
    settings = _base_image_settings(registry, deploy=False)
    (finding,) = [f for f in settings.findings if f.key == "gitpod:installer.baseImageRegistries"]
    assert finding.level == "warning"
    for text in ("custom-registry-credentials", "builtin-registry-auth", ".dockerconfigjson", "the rendered entries winning"):
        assert text in finding.message


def test_defaults_render_what_the_installer_would_and_warn_about_open_sign_up(plan_config):
    plan = plan_config({"domain": DOMAIN})
    config = installer_config(plan)
    assert config["blockNewUsers"] == {"enabled": False, "passlist": []}
    assert config["openVSX"] == {"url": "https://open-vsx.org"}
    assert config["workspace"]["resources"] == {"requests": {"cpu": "1", "memory": "2Gi"}}
    assert config["workspace"]["maxLifetime"] == "36h"
    for key in ("httpProxy", "license", "sshGatewayHostKey", "dropImageRepo", "components", "customization", "experimental"):
        assert key not in config
    assert not plan.by_type("tls:index/privateKey:PrivateKey")
    warning = [w for w in plan.outputs["warnings"] if w.startswith("gitpod:installer.blockNewUsers:")]
    assert warning and "anyone" in warning[0]
    plan = plan_config({"domain": DOMAIN, "installer": {"blockNewUsers": {"enabled": False}}})
    assert not [w for w in plan.outputs["warnings"] if w.startswith("gitpod:installer.blockNewUsers:")]


# -- refusals ----------------------------------------------------------------------------------
def problems(installer: dict[str, Any] | None = None, secret: bool = True, **top: Any) -> list[str]:
    values = {"gitpod:domain": DOMAIN, **{f"gitpod:{k}": json.dumps(v) for k, v in top.items()}}
    if installer is not None:
        values["gitpod:installer"] = json.dumps(installer)
    try:
        load_settings(ConfigSource(values, set(values) if secret else {"gitpod:domain"}))
    except SettingsError as error:
        return [str(p) for p in error.problems]
    return []


@pytest.mark.parametrize(
    ("installer", "key", "expected"),
    [
        ({"workspace": {"requests": {"cpu": "two"}}}, "gitpod:installer.workspace.requests.cpu", "Kubernetes quantity"),
        ({"workspace": {"limits": {"memory": "8GB"}}}, "gitpod:installer.workspace.limits.memory", "Kubernetes quantity"),
        ({"workspace": {"pvc": {"size": "-1Gi"}}}, "gitpod:installer.workspace.pvc.size", "Kubernetes quantity"),
        ({"workspace": {"maxLifetime": "2d"}}, "gitpod:installer.workspace.maxLifetime", "duration"),
        # Given as a secret (as Pulumi marks the whole key once any part is), an unknown key's name is withheld too.
        ({"workspace": {"requests": {"gpu": "1"}}}, "gitpod:installer.workspace.requests", "not a known setting"),
        ({"blockNewUsers": {"enabled": True, "passlist": ["@example.com"]}}, "gitpod:installer.blockNewUsers.passlist", "e-mail domain"),
        (
            {"blockNewUsers": {"enabled": True, "passlist": ["https://example.com"]}},
            "gitpod:installer.blockNewUsers.passlist",
            "e-mail domain",
        ),
        ({"blockNewUsers": {"enabled": True}}, "gitpod:installer.blockNewUsers.passlist", "at least one e-mail domain"),
        ({"openVsxUrl": "open-vsx.corp"}, "gitpod:installer.openVsxUrl", "http(s) URL"),
        ({"proxyService": {"type": "Ingress"}}, "gitpod:installer.proxyService.type", "not allowed"),
        (
            {"customization": [{"kind": "Deployment", "metadata": {"name": "server"}}]},
            "gitpod:installer.customization",
            "apiVersion' is required",
        ),
        (
            {"configPatch": {"workspace": {"pvc": {"size": "big"}}}},
            "gitpod:installer.configPatch.workspace.pvc.size",
            "not a resource quantity",
        ),
        ({"configPatch": {"workspase": {}}}, "gitpod:installer.configPatch.workspase", "unknown"),
    ],
)
def test_bad_installer_options_are_refused_by_key(installer, key, expected):
    found = [p for p in problems(installer) if p.startswith(key + ":")]
    assert found and expected in found[0], problems(installer)


@pytest.mark.parametrize("block", sorted(MANAGED_BY_PROGRAM))
def test_a_config_patch_touching_a_managed_block_is_refused_with_the_reason(block):
    [found] = [p for p in problems({"configPatch": {block: {"inCluster": True}}}) if p.startswith("gitpod:installer.configPatch.")]
    assert found.startswith(f"gitpod:installer.configPatch.{block}: is managed by the program: ")
    assert MANAGED_BY_PROGRAM[block] in found


@pytest.mark.parametrize("url", ["proxy.corp:3128", "proxy.corp", "ftp://proxy.corp:21"])
def test_a_proxy_url_without_a_scheme_is_refused_without_echoing_it(url):
    found = [p for p in problems({"httpProxy": {"httpProxy": url}}) if p.startswith("gitpod:installer.httpProxy.httpProxy:")]
    assert found and "with a scheme" in found[0]
    assert not [p for p in problems({"httpProxy": {"httpProxy": url}}) if "proxy.corp" in p]


def test_option_secrets_must_be_stored_encrypted_and_are_never_echoed():
    found = problems({"license": "plain-license", "httpProxy": {"httpProxy": PROXY}}, secret=False)
    assert any(p.startswith("gitpod:installer.license: holds a credential but is stored in plain text") for p in found)
    assert any(p.startswith("gitpod:installer.httpProxy.httpProxy: holds a credential") for p in found)
    assert not [p for p in found if "plain-license" in p or "proxy-pa55" in p]


# -- bring your own GCS or Azure storage, issuer, encryption key ---------------------------------
def test_external_gcs_and_azure_storage(plan_config):
    gcs = {
        "mode": "external",
        "external": {"provider": "gcs", "project": "corp-gitpod", "region": "europe-west1", "serviceAccountKey": "{}"},
    }
    plan = plan_config({"domain": DOMAIN, "storage": gcs}, {"storage"})
    config = installer_config(plan)
    assert config["objectStorage"] == {
        "inCluster": False,
        "cloudStorage": {"project": "corp-gitpod", "serviceAccount": {"kind": "secret", "name": "storage-gcp"}},
    }
    assert config["metadata"]["region"] == "europe-west1"
    assert secrets_in(plan)["storage-gcp"] == {"service-account.json": "{}"}
    assert installer_checks(plan) == []
    azure = {
        "mode": "external",
        "external": {"provider": "azure", "accountName": "corpgitpod", "accountKey": "az-key", "region": "westeurope"},
    }
    plan = plan_config({"domain": DOMAIN, "storage": azure}, {"storage"})
    assert installer_config(plan)["objectStorage"] == {
        "inCluster": False,
        "azure": {"credentials": {"kind": "secret", "name": "storage-azure"}},
    }
    assert secrets_in(plan)["storage-azure"] == {"accountName": "corpgitpod", "accountKey": "az-key"}
    assert installer_checks(plan) == []


def test_each_storage_provider_asks_for_its_own_credentials():
    found = problems(storage={"mode": "external", "external": {"provider": "gcs", "region": "europe-west1"}})
    assert any(p.startswith("gitpod:storage.external.project: is required") for p in found)
    assert any(p.startswith("gitpod:storage.external.serviceAccountKey: is required") for p in found)
    found = problems(storage={"mode": "external", "external": {"provider": "azure", "region": "westeurope", "bucket": "b"}})
    assert any(p.startswith("gitpod:storage.external.accountKey: is required") for p in found)
    # Given as a secret, an unknown key's name is withheld (the whole `storage` key is secret).
    assert any(p.startswith("gitpod:storage.external:") and "not a known setting" in p for p in found)
    assert any(
        p.startswith("gitpod:storage.external.provider:") for p in problems(storage={"mode": "external", "external": {"provider": "minio"}})
    )


def test_issuer_ref_signs_with_the_users_issuer_and_creates_none(plan_config):
    plan = plan_config({"domain": DOMAIN, "certificate": {"issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer"}}})
    [cert] = plan.by_type("kubernetes:cert-manager.io/v1:Certificate")
    assert cert.inputs["spec"]["issuerRef"] == {"name": "corp-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}
    assert cert.inputs["spec"]["secretName"] == "https-certificates"
    assert not plan.by_type("kubernetes:cert-manager.io/v1:ClusterIssuer") and not plan.by_type("kubernetes:cert-manager.io/v1:Issuer")
    assert installer_checks(plan) == []
    found = problems(certificate={"issuer": "selfsigned", "issuerRef": {"name": "corp-ca"}})
    assert any(p.startswith("gitpod:certificate.issuer: is set together with certificate.issuerRef") for p in found)
    assert any(
        p.startswith("gitpod:certificate.issuerRef.kind:") for p in problems(certificate={"issuerRef": {"name": "x", "kind": "Vault"}})
    )


KEY = base64.b64encode(bytes(range(32))).decode()
EXTERNAL_DB = {"mode": "external", "external": {"host": "mysql.corp", "password": "db-pa55"}}


def test_an_existing_encryption_key_is_kept_and_none_generated(plan_config):
    db = {**EXTERNAL_DB, "external": {**EXTERNAL_DB["external"], "encryptionKey": KEY}}
    plan = plan_config({"domain": DOMAIN, "database": db}, {"database"})
    [entry] = json.loads(secrets_in(plan)["database"]["encryptionKeys"])
    assert entry == {"name": "general", "version": 1, "primary": True, "material": KEY}
    assert not plan.by_type("random:index/randomBytes:RandomBytes")
    keys = json.dumps(
        [
            {"name": "general", "version": 1, "primary": False, "material": KEY},
            {"name": "general", "version": 2, "primary": True, "material": KEY},
        ]
    )
    plan = plan_config({"domain": DOMAIN, "database": {**db, "external": {**db["external"], "encryptionKey": keys}}}, {"database"})
    assert json.loads(secrets_in(plan)["database"]["encryptionKeys"]) == json.loads(keys)
    assert KEY not in render_json(plan)


def test_a_malformed_encryption_key_is_refused_without_echoing_it():
    db = {**EXTERNAL_DB, "external": {**EXTERNAL_DB["external"], "encryptionKey": "c2hvcnQta2V5"}}
    [found] = [p for p in problems(database=db) if p.startswith("gitpod:database.external.encryptionKey:")]
    assert "32 bytes" in found and "c2hvcnQta2V5" not in found


# -- the schema checker ------------------------------------------------------------------------
def test_deep_merge_merges_objects_and_replaces_lists():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2, "d": None}) == {"a": {"b": 1, "c": [3]}, "e": 2}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


def test_the_schema_checker_reads_the_new_fields_as_the_installer_does(plan_with_options):
    config = installer_config(plan_with_options)
    for mutate, expected in [
        (lambda c: c["workspace"]["resources"]["requests"].update({"cpu": "1 core"}), "not resource quantities: cpu='1 core'"),
        (lambda c: c["workspace"].update({"timeoutDefault": "forever"}), "not a duration"),
        (lambda c: c["blockNewUsers"]["passlist"].append("not a domain"), "block_new_users_passlist"),
        (lambda c: c["components"]["proxy"]["service"].update({"serviceType": "Ingress"}), "not in LoadBalancer"),
        (lambda c: c["openVSX"].update({"url": "open-vsx.org"}), "url validation"),
    ]:
        copy = yaml.safe_load(yaml.safe_dump(config))
        mutate(copy)
        assert any(expected in p for p in validate_config(copy)), (expected, validate_config(copy))
    assert validate_patch({"workspace": {"pvc": {"storageClass": "fast"}}}) == []
