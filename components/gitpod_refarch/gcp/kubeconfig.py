"""A kubeconfig for a GKE cluster that authenticates through `gke-gcloud-auth-plugin`.

GKE dropped the built-in `gcp` auth provider of client-go (Kubernetes 1.26); kubectl, Helm and the
Pulumi Kubernetes provider now exec the plugin, which uses the caller's gcloud credentials. The
kubeconfig therefore holds no credential at all, only the endpoint and the cluster's CA.
"""

from __future__ import annotations

import yaml

from ..contracts import exec_kubeconfig

AUTH_PLUGIN = "gke-gcloud-auth-plugin"
INSTALL_HINT = (
    "Install gke-gcloud-auth-plugin for use with kubectl by following "
    "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"
)


def context_name(project: str, location: str, cluster: str) -> str:
    """The context name `gcloud container clusters get-credentials` would write."""
    return f"gke_{project}_{location}_{cluster}"


def kubeconfig(context: str, endpoint: str, ca_certificate: str) -> str:
    """kubeconfig YAML for `https://<endpoint>`; `ca_certificate` is the base64 PEM GKE returns."""
    cluster = {"server": f"https://{endpoint}", "certificate-authority-data": ca_certificate}
    exec_config = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": AUTH_PLUGIN,
        "installHint": INSTALL_HINT,
        "provideClusterInfo": True,
        "interactiveMode": "Never",
    }
    return yaml.safe_dump(exec_kubeconfig(context, cluster, exec_config), sort_keys=False)
