"""Build the installer's `gitpod.config.yaml` and its Secrets from the per-concern contracts.

Pure: no resources, no cloud knowledge, no config reads. It maps each contract variant onto the
2022.11 schema (`apiVersion: v1`) and returns the Secrets the config references, each with the
exact keys `gitpod-installer validate cluster` checks (see `secrets.REQUIRED_KEYS`).

Two installer traps are handled here once for every cloud: `inCluster` defaults to true for the
database, object storage and registry, and silently overrides any external block, so external
settings always set it false; and the docker auth entry must be keyed by the bare registry host.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml

from ..contracts import (
    CONTAINERD_DEFAULT,
    AuthProvider,
    AzureStorage,
    CertificateInfo,
    CloudSqlConnection,
    ContainerdPaths,
    DatabaseInfo,
    ExternalDatabase,
    ExternalRegistry,
    GcsStorage,
    InClusterDatabase,
    InClusterRegistry,
    InClusterStorage,
    RegistryCredential,
    RegistryInfo,
    S3Registry,
    S3Storage,
    SecretSpec,
    StorageInfo,
)
from . import DEFAULT_OPEN_VSX_URL, DEFAULT_REPOSITORY, WorkspaceOptions
from . import secrets as s
from .schema import deep_merge


@dataclass(frozen=True)
class HttpProxy:
    """The proxy Gitpod's components use for outbound HTTP(S); `no_proxy` as the user gave it plus the
    cluster's pod and Service ranges (the builder adds the domain and the in-cluster suffixes)."""

    http_proxy: pulumi.Input[str]
    https_proxy: pulumi.Input[str]
    no_proxy: Sequence[str] = ()


@dataclass(frozen=True)
class InstallerInputs:
    """Everything the installer config is made of; each field documents the config it drives."""

    #: Gitpod's domain (`domain`); the certificate must cover it, `*.` it and `*.ws.` it.
    domain: str
    database: DatabaseInfo
    storage: StorageInfo
    registry: RegistryInfo
    certificate: CertificateInfo
    #: `workspace.runtime` paths; K3s differs from every other distribution.
    containerd: ContainerdPaths = CONTAINERD_DEFAULT
    #: `repository`: where Gitpod's (and third-party) images are pulled from; set for mirrors.
    repository: str = DEFAULT_REPOSITORY
    #: `metadata.region`; defaults to the storage's region (`local` for in-cluster MinIO).
    region: pulumi.Input[str] | None = None
    log_level: str = "info"
    fs_shift_method: str = "fuse"
    #: The `encryptionKeys` JSON for external databases (see `secrets.encryption_keys_json`).
    encryption_keys: pulumi.Input[str] | None = None
    #: Credentials for pulling Gitpod's images from a mirror (`imagePullSecrets`), one Secret each.
    image_pull_secrets: Sequence[RegistryCredential] = ()
    #: OAuth providers pre-configured for sign-in (`authProviders`), one Secret each.
    auth_providers: Sequence[AuthProvider] = ()
    #: `blockNewUsers`: when enabled only these e-mail domains may sign up (the installer needs one).
    block_new_users: bool = False
    passlist: Sequence[str] = ()
    #: `openVSX.url`: the extension registry (air-gapped installs run their own).
    open_vsx_url: str = DEFAULT_OPEN_VSX_URL
    workspace: WorkspaceOptions = field(default_factory=WorkspaceOptions)
    #: PEM private key for the SSH gateway (`sshGatewayHostKey`); None leaves the gateway off.
    ssh_gateway_host_key: pulumi.Input[str] | None = None
    #: `httpProxy`: the proxy Secret every proxy-aware component reads.
    http_proxy: HttpProxy | None = None
    #: `license`: a Gitpod license key; without one 2022.11's licensor applies its default license.
    license: pulumi.Input[str] | None = None
    #: Credentials for private workspace base images: merged into the registry's pull secret when the
    #: program owns it, kept in `custom-registry-credentials` otherwise; hosts go to the allow list.
    base_image_registries: Sequence[RegistryCredential] = ()
    #: `dropImageRepo`: for mirrors that flatten image paths.
    drop_image_repo: bool | None = None
    #: `components.proxy.service.serviceType`; None keeps the installer's LoadBalancer.
    proxy_service_type: str | None = None
    #: `experimental.webapp.proxy.serviceAnnotations` (rendered with `--use-experimental-config`).
    proxy_service_annotations: Mapping[str, str] = field(default_factory=dict)
    #: `customization`: annotations, labels and env of the rendered components.
    customization: Sequence[Mapping[str, Any]] = ()
    #: Deep-merged over the generated config last (`schema.deep_merge`); checked by `schema.validate_patch`.
    config_patch: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class InstallerValues:
    """The installer config (as an Output of a plain dict) and the Secrets it references."""

    config: pulumi.Output[dict[str, Any]]
    secrets: tuple[SecretSpec, ...] = field(default_factory=tuple)

    def yaml(self) -> pulumi.Output[str]:
        return self.config.apply(render_yaml)


def render_yaml(config: dict[str, Any]) -> str:
    return yaml.safe_dump(config, sort_keys=False, default_flow_style=False)


def _ref(name: str) -> dict[str, str]:
    return {"kind": "secret", "name": name}


def _database(info: DatabaseInfo, encryption_keys: pulumi.Input[str] | None) -> tuple[dict[str, Any], list[SecretSpec]]:
    if isinstance(info, InClusterDatabase):
        return {"inCluster": True}, []
    if encryption_keys is None:
        # Not a variant field: `InstallerConfig` generates the key when the caller brings none.
        raise ValueError("installer values: an external or Cloud SQL database needs encryption_keys (InstallerConfig generates them)")
    specs: list[SecretSpec] = []
    section: dict[str, Any] = {"inCluster": False}
    match info:
        case ExternalDatabase():
            section["external"] = {"certificate": _ref(s.DATABASE_SECRET)}
            specs.append(
                SecretSpec(
                    s.DATABASE_SECRET,
                    {
                        "host": info.host,
                        "port": pulumi.Output.from_input(info.port).apply(str),
                        "username": info.username,
                        "password": info.password,
                        "encryptionKeys": encryption_keys,
                    },
                )
            )
            if info.ca_cert is not None:
                section["ssl"] = {"caCert": _ref(s.DATABASE_CA_SECRET)}
                specs.append(SecretSpec(s.DATABASE_CA_SECRET, {"ca.crt": info.ca_cert}))
        case CloudSqlConnection():
            section["cloudSQL"] = {"instance": info.instance, "serviceAccount": _ref(s.CLOUDSQL_SECRET)}
            specs.append(
                SecretSpec(
                    s.CLOUDSQL_SECRET,
                    {
                        "credentials.json": info.credentials_json,
                        "username": info.username,
                        "password": info.password,
                        "encryptionKeys": encryption_keys,
                    },
                )
            )
    return section, specs


def _storage(info: StorageInfo) -> tuple[dict[str, Any], list[SecretSpec]]:
    match info:
        case InClusterStorage():
            return {"inCluster": True, "resources": {"requests": {"memory": "2Gi"}}}, []
        case S3Storage():
            section = {
                "inCluster": False,
                "s3": {
                    "endpoint": info.endpoint,
                    "bucket": info.bucket,
                    "credentials": _ref(s.STORAGE_S3_SECRET),
                    "allowInsecureConnection": info.allow_insecure_connection,
                },
            }
            keys = {"accessKeyId": info.access_key_id, "secretAccessKey": info.secret_access_key}
            return section, [SecretSpec(s.STORAGE_S3_SECRET, keys)]
        case GcsStorage():
            section = {"inCluster": False, "cloudStorage": {"project": info.project, "serviceAccount": _ref(s.STORAGE_GCS_SECRET)}}
            return section, [SecretSpec(s.STORAGE_GCS_SECRET, {"service-account.json": info.service_account_json})]
        case AzureStorage():
            section = {"inCluster": False, "azure": {"credentials": _ref(s.STORAGE_AZURE_SECRET)}}
            return section, [SecretSpec(s.STORAGE_AZURE_SECRET, {"accountName": info.account_name, "accountKey": info.account_key})]


def allow_list(credentials: Sequence[RegistryCredential]) -> list[str]:
    """`privateBaseImageAllowList` for these registries, as the 2022.11 KOTS build made it
    (`BuildFromEnvvars`, envvars.go@2022.11.3): the hosts sorted, then `docker.io`, which stays
    allowed whenever the list is not empty (an empty list allows every registry)."""
    hosts = sorted({c.server for c in credentials})
    return [*hosts, "docker.io"] if hosts and "docker.io" not in hosts else hosts


def _registry(info: RegistryInfo, extra: Sequence[RegistryCredential] = ()) -> tuple[dict[str, Any], list[SecretSpec]]:
    match info:
        case InClusterRegistry():
            return {"inCluster": True, "privateBaseImageAllowList": []}, []
        case S3Registry():
            section = {
                "inCluster": True,
                "s3storage": {
                    "bucket": info.bucket,
                    "region": info.region,
                    "endpoint": info.endpoint,
                    "certificate": _ref(s.REGISTRY_S3_SECRET),
                },
                "privateBaseImageAllowList": [],
            }
            return section, [SecretSpec(s.REGISTRY_S3_SECRET, {"s3AccessKey": info.access_key, "s3SecretKey": info.secret_key})]
        case ExternalRegistry():
            section = {
                "inCluster": False,
                "external": {"url": info.url, "certificate": _ref(s.REGISTRY_SECRET)},
                "privateBaseImageAllowList": [],
            }
            auth = s.docker_config_output(info.server, info.username, info.password)
            if extra:
                # As kots-install.sh merged `reg_docker_config` (`jq -s '.[0] * .[1]' user current`):
                # the registry's own entry wins over a base-image credential for the same host.
                auth = s.merge_docker_configs([*(s.docker_config_output(c.server, c.username, c.password) for c in extra), auth])
            return section, [SecretSpec(s.REGISTRY_SECRET, {".dockerconfigjson": auth}, type=s.DOCKERCONFIGJSON)]


def _k8s_suffix(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def pull_secret_name(credential: RegistryCredential) -> str:
    return f"image-pull-{_k8s_suffix(credential.server)}"


def auth_provider_secret_name(provider: AuthProvider) -> str:
    return f"auth-provider-{_k8s_suffix(provider.id)}"


def app_url(domain: str) -> str:
    """Where users open Gitpod: its domain, over HTTPS (the installer serves nothing on plain HTTP)."""
    return f"https://{domain}"


def callback_url(domain: str, host: str) -> str:
    """The OAuth callback Gitpod serves for a provider host; register it with the OAuth app."""
    return f"{app_url(domain)}/auth/{host}/callback"


#: The installer's own registry (`inCluster: true`, also on an S3 bucket) serves at
#: `registry.<domain>`, where image-builder pushes workspace images
#: (install/installer/pkg/components/image-builder-mk3/configmap.go and docker-registry/constants.go
#: `RegistryName`, gitpod-io/gitpod@2022.11.3).
IN_CLUSTER_REGISTRY_HOST = "registry"


def registry_address(domain: str, info: RegistryInfo) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
    """(url, server) of the registry Gitpod pushes workspace images to: the repository prefix, and
    the host its docker credentials are for."""
    match info:
        case InClusterRegistry() | S3Registry():
            host = f"{IN_CLUSTER_REGISTRY_HOST}.{domain}"
            return host, host
        case ExternalRegistry():
            return info.url, info.server


def _auth_provider(domain: str, provider: AuthProvider) -> SecretSpec:
    def document(values: list[Any]) -> str:
        client_id, client_secret = values
        oauth = {"clientId": client_id, "clientSecret": client_secret, "callBackUrl": callback_url(domain, provider.host)}
        return yaml.safe_dump({"id": provider.id, "host": provider.host, "type": provider.type, "oauth": oauth}, sort_keys=False)

    content: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.all(provider.client_id, provider.client_secret).apply(document))
    return SecretSpec(auth_provider_secret_name(provider), {"provider": content})


def build_installer_values(inputs: InstallerInputs) -> InstallerValues:
    """Map the contracts onto the 2022.11 installer schema."""
    database, db_secrets = _database(inputs.database, inputs.encryption_keys)
    storage, storage_secrets = _storage(inputs.storage)
    registry, registry_secrets = _registry(inputs.registry, inputs.base_image_registries)
    region = inputs.region if inputs.region is not None else inputs.storage.region
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Full",
        "domain": inputs.domain,
        "metadata": {"region": region, "shortname": "default"},
        "repository": inputs.repository,
        "observability": {"logLevel": inputs.log_level},
        "certificate": _ref(inputs.certificate.secret_name),
        "database": database,
        "objectStorage": storage,
        "containerRegistry": registry,
        "workspace": {
            "runtime": {
                "fsShiftMethod": inputs.fs_shift_method,
                "containerdRuntimeDir": inputs.containerd.runtime_dir,
                "containerdSocket": inputs.containerd.socket,
            },
            **_workspace(inputs.workspace),
        },
        "openVSX": {"url": inputs.open_vsx_url},
        "authProviders": [_ref(auth_provider_secret_name(p)) for p in inputs.auth_providers],
        "blockNewUsers": {"enabled": inputs.block_new_users, "passlist": list(inputs.passlist)},
        "disableDefinitelyGp": True,
    }
    if inputs.base_image_registries:
        registry["privateBaseImageAllowList"] = allow_list(inputs.base_image_registries)
    option_secrets = _option_secrets(inputs, config)
    if inputs.certificate.ca_secret_name:
        config["customCACert"] = _ref(inputs.certificate.ca_secret_name)
    pull_secrets = [
        SecretSpec(
            pull_secret_name(c), {".dockerconfigjson": s.docker_config_output(c.server, c.username, c.password)}, type=s.DOCKERCONFIGJSON
        )
        for c in inputs.image_pull_secrets
    ]
    if pull_secrets:
        config["imagePullSecrets"] = [_ref(spec.name) for spec in pull_secrets]
    auth_secrets = [_auth_provider(inputs.domain, p) for p in inputs.auth_providers]
    if inputs.drop_image_repo is not None:
        config["dropImageRepo"] = inputs.drop_image_repo
    if inputs.proxy_service_type is not None:
        config["components"] = {"proxy": {"service": {"serviceType": inputs.proxy_service_type}}}
    if inputs.proxy_service_annotations:
        config["experimental"] = {"webapp": {"proxy": {"serviceAnnotations": dict(inputs.proxy_service_annotations)}}}
    if inputs.customization:
        config["customization"] = [dict(c) for c in inputs.customization]
    output: pulumi.Output[dict[str, Any]] = pulumi.Output.from_input(config)
    patch = inputs.config_patch
    if patch:
        output = output.apply(lambda c: deep_merge(c, patch))
    return InstallerValues(
        config=output,
        secrets=tuple(db_secrets + storage_secrets + registry_secrets + pull_secrets + auth_secrets + option_secrets),
    )


def _workspace(w: WorkspaceOptions) -> dict[str, Any]:
    resources: dict[str, Any] = {"requests": dict(w.requests)}
    if w.limits:
        resources["limits"] = dict(w.limits)
    section: dict[str, Any] = {
        "resources": resources,
        "prebuildPVC": {
            "size": w.prebuild_pvc.size,
            "storageClass": w.prebuild_pvc.storage_class,
            "snapshotClass": w.prebuild_pvc.snapshot_class,
        },
        "pvc": {"size": w.pvc.size, "storageClass": w.pvc.storage_class, "snapshotClass": w.pvc.snapshot_class},
        "maxLifetime": w.max_lifetime,
    }
    for key, value in (
        ("timeoutDefault", w.timeout_default),
        ("timeoutExtended", w.timeout_extended),
        ("timeoutAfterClose", w.timeout_after_close),
    ):
        if value is not None:
            section[key] = value
    return section


#: What Gitpod's components must reach without the proxy, whatever the user lists: the in-cluster
#: service suffixes and loopback. The installer adds only `ws-manager,wsdaemon` itself
#: (`ProxyEnv`, pkg/common/common.go@2022.11.3), and the cluster's ranges come with `HttpProxy`.
IN_CLUSTER_NO_PROXY: tuple[str, ...] = (".svc", ".cluster.local", "localhost", "127.0.0.1")


def no_proxy(domain: str, proxy: HttpProxy) -> str:
    """The `noProxy` value: the user's entries, the cluster's ranges, Gitpod's domain (and every name
    under it, for Go's and Node's matchers alike) and the in-cluster suffixes, without duplicates."""
    entries = [*proxy.no_proxy, domain, f".{domain}", *IN_CLUSTER_NO_PROXY]
    return ",".join(dict.fromkeys(entries))


def _option_secrets(inputs: InstallerInputs, config: dict[str, Any]) -> list[SecretSpec]:
    """The Secrets of the optional features, each referenced from `config` as the 2022.11 installer reads it."""
    specs: list[SecretSpec] = []
    if inputs.http_proxy is not None:
        # Keys as KOTS's `http-proxy-settings` and `ProxyEnv` read them (HTTP_PROXY, HTTPS_PROXY, CUSTOM_NO_PROXY).
        proxy = inputs.http_proxy
        data = {"httpProxy": proxy.http_proxy, "httpsProxy": proxy.https_proxy, "noProxy": no_proxy(inputs.domain, proxy)}
        specs.append(SecretSpec(s.HTTP_PROXY_SECRET, data))
        config["httpProxy"] = _ref(s.HTTP_PROXY_SECRET)
    if inputs.license is not None:
        # `type: gitpod`: a Gitpod-signed key, checked offline; `replicated` asks kotsadm, which is not here.
        specs.append(SecretSpec(s.LICENSE_SECRET, {"license": inputs.license, "type": "gitpod"}))
        config["license"] = _ref(s.LICENSE_SECRET)
    if inputs.ssh_gateway_host_key is not None:
        specs.append(SecretSpec(s.SSH_GATEWAY_SECRET, {"host.key": inputs.ssh_gateway_host_key}))
        config["sshGatewayHostKey"] = _ref(s.SSH_GATEWAY_SECRET)
    if inputs.base_image_registries:
        auth = s.merge_docker_configs([s.docker_config_output(c.server, c.username, c.password) for c in inputs.base_image_registries])
        specs.append(SecretSpec(s.BASE_IMAGE_REGISTRIES_SECRET, {".dockerconfigjson": auth}, type=s.DOCKERCONFIGJSON))
    return specs
