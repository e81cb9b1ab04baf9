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
from collections.abc import Sequence
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
from . import DEFAULT_REPOSITORY
from . import secrets as s


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


def _registry(info: RegistryInfo) -> tuple[dict[str, Any], list[SecretSpec]]:
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
    registry, registry_secrets = _registry(inputs.registry)
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
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}},
            "prebuildPVC": {"size": "30Gi", "storageClass": "", "snapshotClass": ""},
            "pvc": {"size": "30Gi", "storageClass": "", "snapshotClass": ""},
            "maxLifetime": "36h",
        },
        "openVSX": {"url": "https://open-vsx.org"},
        "authProviders": [_ref(auth_provider_secret_name(p)) for p in inputs.auth_providers],
        "blockNewUsers": {"enabled": False, "passlist": []},
        "disableDefinitelyGp": True,
    }
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
    return InstallerValues(
        config=pulumi.Output.from_input(config),
        secrets=tuple(db_secrets + storage_secrets + registry_secrets + pull_secrets + auth_secrets),
    )
