"""A kubeconfig for an AKS cluster with Entra ID sign-in, through kubelogin's Azure CLI mode.

With local accounts disabled AKS hands out no credential at all: its user kubeconfig names the API
server and its CA, and every client (kubectl, Helm, the Pulumi Kubernetes provider) runs the
kubelogin exec plugin for an Entra ID token. The program keeps only the server and CA from AKS'
user kubeconfig and writes the exec stanza itself, in the non-interactive `azurecli` mode (the
token of whoever is signed in to `az`: a person, a service principal, a managed identity, or a CI
workload identity), instead of AKS' default interactive `devicecode`, which would hang `pulumi up`.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..contracts import exec_kubeconfig

AUTH_PLUGIN = "kubelogin"
#: The Entra ID application every AKS-managed Entra ID cluster's API server accepts tokens for ("AKS
#: AAD Server"), the same in every tenant: https://learn.microsoft.com/azure/aks/kubelogin-authentication
#: (its `--server-id` examples; read 2026-11).
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
#: kubelogin's login mode that reuses the Azure CLI's sign-in; "only works with managed AAD in AKS"
#: (https://azure.github.io/kubelogin/concepts/login-modes/azurecli.html, read 2026-11).
LOGIN_MODE = "azurecli"
INSTALL_HINT = "Install kubelogin (`az aks install-cli`, or https://azure.github.io/kubelogin/install.html) and sign in with `az login`."


def kubeconfig(context: str, aks_kubeconfig: str) -> str:
    """kubeconfig YAML for the API server named in AKS' user kubeconfig, signing in through kubelogin.

    Only `server` and `certificate-authority-data` are read from `aks_kubeconfig`; its users (an
    exec stanza for device-code sign-in, or on older clusters a legacy auth provider) are dropped.
    """
    source: dict[str, Any] = yaml.safe_load(aks_kubeconfig) or {}
    clusters = source.get("clusters") or [{}]
    cluster = dict(clusters[0].get("cluster") or {})
    server = {key: cluster[key] for key in ("server", "certificate-authority-data") if key in cluster}
    exec_config = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": AUTH_PLUGIN,
        "args": ["get-token", "--login", LOGIN_MODE, "--server-id", AKS_SERVER_ID],
        "installHint": INSTALL_HINT,
        "provideClusterInfo": False,
        "interactiveMode": "Never",
    }
    return yaml.safe_dump(exec_kubeconfig(context, server, exec_config), sort_keys=False)
