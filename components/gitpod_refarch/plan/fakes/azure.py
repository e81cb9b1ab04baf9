"""Plan-time stand-ins for what Azure computes: nested AKS outputs and credential lookups.

The program parses or indexes these values (it base64-decodes the kubeconfig, reads the OIDC
issuer out of a nested object, takes the first key or password of a list), so they need the
real shape; the values themselves are recognisable fakes that must never reach plain output.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ..harness import placeholder

#: Fake credentials the tests look for in rendered plans (they must only ever appear redacted).
STORAGE_KEY = "fake-azure-storage-account-key=="
REGISTRY_PASSWORD = "fake-acr-admin-password"
KUBECONFIG_TOKEN = "fake-aks-client-key-data"

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "11111111-1111-1111-1111-111111111111"


def _managed_cluster(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    identity = dict(inputs.get("identity") or {})
    # The input lists identity IDs; Azure answers with a map of ID -> client and principal IDs.
    identity["userAssignedIdentities"] = {
        str(identity_id): {"clientId": placeholder(name, "identity.clientId"), "principalId": placeholder(name, "identity.principalId")}
        for identity_id in identity.get("userAssignedIdentities") or []
    }
    return {
        "identity": identity,
        "oidcIssuerProfile": {"enabled": True, "issuerURL": placeholder(name, "oidcIssuerProfile.issuerURL")},
        "fqdn": placeholder(name, "fqdn"),
    }


def _kubeconfig(args: Mapping[str, Any]) -> dict[str, Any]:
    cluster = args.get("resourceName", "aks")
    text = (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {cluster}\n  cluster:\n    server: https://{cluster}.hcp.example.azmk8s.io:443\n"
        f"users:\n- name: clusterUser\n  user:\n    client-key-data: {KUBECONFIG_TOKEN}\n"
        f"contexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: clusterUser\n"
        f"current-context: {cluster}\n"
    )
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(text.encode()).decode()}]}


OUTPUTS = {
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
}

INVOKES = {
    "azure-native:authorization:getClientConfig": lambda args: {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": _kubeconfig,
    "azure-native:storage:listStorageAccountKeys": lambda args: {
        "keys": [{"keyName": "key1", "value": STORAGE_KEY, "permissions": "FULL", "creationTime": "2026-01-01T00:00:00Z"}]
    },
    "azure-native:containerregistry:listRegistryCredentials": lambda args: {
        "username": args.get("registryName", "acr"),
        "passwords": [{"name": "password", "value": REGISTRY_PASSWORD}, {"name": "password2", "value": REGISTRY_PASSWORD + "-2"}],
    },
}
