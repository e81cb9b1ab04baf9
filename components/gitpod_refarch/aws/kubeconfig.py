"""The kubeconfig for an EKS cluster (pure): short-lived tokens from `aws eks get-token`.

It holds no credential: whoever uses it needs AWS credentials with an EKS access entry (the
deployer gets one when the cluster is created; `gitpod:aws.adminRoleArns` adds more).
"""

from __future__ import annotations

import json

from ..contracts import exec_kubeconfig


def kubeconfig(cluster_name: str, endpoint: str, certificate_authority: str, region: str, profile: str | None = None) -> str:
    """A kubeconfig with one context named after the cluster."""
    exec_config: dict[str, object] = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"],
        "interactiveMode": "Never",
    }
    if profile:
        exec_config["env"] = [{"name": "AWS_PROFILE", "value": profile}]
    cluster = {"server": endpoint, "certificate-authority-data": certificate_authority}
    return json.dumps(exec_kubeconfig(cluster_name, cluster, exec_config), indent=2)
