"""Canonical's Ubuntu EKS image for a Kubernetes minor, from its public SSM parameter.

Gitpod supports Ubuntu nodes (kernel 5.15 on 22.04), not Amazon Linux or Bottlerocket, so the
node groups use Canonical's EKS images as custom AMIs. Canonical publishes one per Ubuntu
release, Kubernetes minor and region under `/aws/service/canonical/ubuntu/eks/...`, and not every
combination exists (24.04 starts at EKS 1.31). The lookup runs while the program is declared, so
a missing image is a one-line error before anything is created, not a failed node group later.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

PARAMETER_ROOT = "/aws/service/canonical/ubuntu/eks"


def parameter_path(ubuntu_release: str, kubernetes_minor: str, arch: str = "amd64", volume: str = "ebs-gp3") -> str:
    """The SSM path holding the current image id (the parameter itself is `<path>/ami-id`)."""
    return f"{PARAMETER_ROOT}/{ubuntu_release}/{kubernetes_minor}/stable/current/{arch}/hvm/{volume}"


def ubuntu_eks_ami(ubuntu_release: str, kubernetes_minor: str, region: str, opts: pulumi.InvokeOptions) -> str:
    """The current image id, or a `RunError` that says which combination is not published.

    `GetParametersByPath` answers an unknown path with an empty list (a missing parameter would
    be an API error indistinguishable from a credentials problem), so absence is unambiguous.
    """
    path = parameter_path(ubuntu_release, kubernetes_minor)
    found = aws.ssm.get_parameters_by_path(path=path, region=region, opts=opts)
    ids = [value for key, value in zip(found.names or [], found.values or [], strict=False) if key == f"{path}/ami-id"]
    if not ids or not ids[0].startswith("ami-"):
        raise pulumi.RunError(
            f"Canonical hasn't published an Ubuntu {ubuntu_release} EKS image for Kubernetes {kubernetes_minor} in {region} "
            f"(SSM parameter {path}/ami-id not found). Fix: choose another gitpod:cluster.kubernetesVersion or "
            f"gitpod:aws.ubuntuRelease (22.04 is published for EKS 1.29+, 24.04 for 1.31+)."
        )
    return ids[0]
