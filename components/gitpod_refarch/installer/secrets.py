"""The Secrets the 2022.11 installer validates, and the values that go into them.

`REQUIRED_KEYS` restates `install/installer/pkg/config/v1/validation.go` (`ClusterValidation`):
a referenced Secret missing one of these keys fails `gitpod-installer validate cluster`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi

#: Config path of an ObjectRef -> keys its Secret must hold.
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "certificate": ("tls.crt", "tls.key"),
    "customCACert": ("ca.crt",),
    "database.external.certificate": ("encryptionKeys", "host", "password", "port", "username"),
    "database.cloudSQL.serviceAccount": ("credentials.json", "encryptionKeys", "password", "username"),
    "database.ssl.caCert": ("ca.crt",),
    "objectStorage.s3.credentials": ("accessKeyId", "secretAccessKey"),
    "objectStorage.cloudStorage.serviceAccount": ("service-account.json",),
    "objectStorage.azure.credentials": ("accountName", "accountKey"),
    "containerRegistry.external.certificate": (".dockerconfigjson",),
    "containerRegistry.s3storage.certificate": ("s3AccessKey", "s3SecretKey"),
    "imagePullSecrets[]": (".dockerconfigjson",),
    "authProviders[]": ("provider",),
    # `license` is required; `type` (gitpod | replicated) is recommended, server reads it optionally.
    "license": ("license",),
}

#: Secret names, as Gitpod's own KOTS manifests named them, so operators recognise them.
DATABASE_SECRET = "database"
CLOUDSQL_SECRET = "cloudsql"
DATABASE_CA_SECRET = "database-ca"
STORAGE_S3_SECRET = "storage-s3"
STORAGE_GCS_SECRET = "storage-gcp"
STORAGE_AZURE_SECRET = "storage-azure"
REGISTRY_SECRET = "container-registry"
REGISTRY_S3_SECRET = "container-registry-s3-backend"
HTTP_PROXY_SECRET = "http-proxy-settings"
LICENSE_SECRET = "gitpod-license"
SSH_GATEWAY_SECRET = "ssh-gateway-host-key"
#: The base-image credentials on their own, for the installer Job to merge into the in-cluster
#: registry's `builtin-registry-auth` after render (as kots-install.sh did).
BASE_IMAGE_REGISTRIES_SECRET = "custom-registry-credentials"

DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"


def encryption_keys_json(material_base64: str) -> str:
    """The `encryptionKeys` value Gitpod's DB layer reads (aes-256-cbc, one primary key).

    The material must be 32 random bytes, base64-encoded, and must never change once data is
    written: Gitpod cannot decrypt rows encrypted with a previous key it no longer has.
    """
    return json.dumps([{"name": "general", "version": 1, "primary": True, "material": material_base64}])


def docker_config_json(server: str, username: str, password: str) -> str:
    """A `.dockerconfigjson` whose auth entry is keyed by the bare registry host.

    Docker clients look auth up by host, so on Google registries the key must be
    `<region>-docker.pkg.dev` / `gcr.io`, never the repository URL Gitpod pushes under.
    """
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    return json.dumps({"auths": {server: {"username": username, "password": password, "auth": auth}}})


def docker_config_output(server: pulumi.Input[str], username: pulumi.Input[str], password: pulumi.Input[str]) -> pulumi.Output[str]:
    """`docker_config_json` over Outputs; secret because it embeds the password."""
    return pulumi.Output.secret(
        pulumi.Output.all(server, username, password).apply(lambda v: docker_config_json(str(v[0]), str(v[1]), str(v[2])))
    )


def merge_docker_configs(configs: list[pulumi.Output[str]]) -> pulumi.Output[str]:
    """One `.dockerconfigjson` with every `auths` entry; a later config wins for the same host."""

    def merge(texts: list[str]) -> str:
        auths: dict[str, Any] = {}
        for text in texts:
            auths.update(json.loads(text)["auths"])
        return json.dumps({"auths": auths})

    return pulumi.Output.secret(pulumi.Output.all(*configs).apply(merge))


def referenced_secrets(config: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (config path, Secret name) an installer config points at, for checks and the plan."""
    refs: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if node.get("kind") == "secret" and isinstance(node.get("name"), str) and set(node) == {"kind", "name"}:
                refs.append((path, node["name"]))
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for item in node:
                walk(item, f"{path}[]")

    walk(config, "")
    return refs
