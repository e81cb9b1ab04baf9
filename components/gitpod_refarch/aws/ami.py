"""Canonical's Ubuntu EKS image for a Kubernetes minor, from its public SSM parameters.

Gitpod supports Ubuntu nodes, not Amazon Linux or Bottlerocket, so the node groups use
Canonical's EKS images as custom AMIs. Canonical publishes them per Ubuntu release, Kubernetes
minor, build serial and architecture under `/aws/service/canonical/ubuntu/eks/...`
(`aws.settings.UBUNTU_EKS` holds which combinations exist and the volume segment of the path).
The lookup runs while the program is declared, so a missing image is a one-line error before
anything is created, not a failed node group later.

`stable/current` moves whenever Canonical publishes a refresh. Reading it on every run would
change the launch templates and roll every node group (evicting running workspaces) on an
unrelated `pulumi up`, so `EksCluster` keeps the image it first resolved for a given parameter
path (a `pulumi.Stash`) until that path changes: a new Kubernetes minor or release, or a pinned
serial (`stable/<serial>/...`). An AMI id pin skips the lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .settings import UBUNTU_EKS, is_ami_id, published_pairs

PARAMETER_ROOT = "/aws/service/canonical/ubuntu/eks"
CURRENT = "current"


def parameter_path(ubuntu_release: str, kubernetes_minor: str, serial: str = CURRENT, arch: str = "amd64") -> str:
    """The SSM path holding an image id (the parameter itself is `<path>/ami-id`).

    The volume segment is Canonical's per release (`ebs-gp2` up to 22.04, `ebs-gp3` from 24.04).
    """
    volume = UBUNTU_EKS[ubuntu_release].volume
    return f"{PARAMETER_ROOT}/{ubuntu_release}/{kubernetes_minor}/stable/{serial}/{arch}/hvm/{volume}"


@dataclass(frozen=True)
class NodeImage:
    """The image the node groups should run, and where it came from."""

    ami_id: str
    """The image id read now (or the pinned id)."""
    parameter: str | None
    """The SSM parameter path it was read from; None for an AMI id pin. What the nodes' image is
    keyed by (`EksCluster`): a change of it, or of a pinned id, rolls the node groups."""


def ubuntu_eks_ami(ubuntu_release: str, kubernetes_minor: str, region: str, opts: pulumi.InvokeOptions, serial: str = CURRENT) -> str:
    """The image id at that path, or a `RunError` that says which combination is not published.

    `GetParametersByPath` answers an unknown path with an empty list (a missing parameter would
    be an API error indistinguishable from a credentials problem), so absence is unambiguous.
    """
    path = parameter_path(ubuntu_release, kubernetes_minor, serial)
    found = aws.ssm.get_parameters_by_path(path=path, region=region, opts=opts)
    ids = [value for key, value in zip(found.names or [], found.values or [], strict=False) if key == f"{path}/ami-id"]
    if not ids or not ids[0].startswith("ami-"):
        what = "" if serial == CURRENT else f" with serial {serial}"
        raise pulumi.RunError(
            f"Canonical hasn't published an Ubuntu {ubuntu_release} EKS image for Kubernetes {kubernetes_minor}{what} in {region} "
            f"(SSM parameter {path}/ami-id not found). Fix: choose another gitpod:cluster.kubernetesVersion, "
            f"gitpod:aws.ubuntuRelease or gitpod:aws.nodeImage (published release/minor pairs: {', '.join(published_pairs())})."
        )
    return ids[0]


def node_image(ubuntu_release: str, kubernetes_minor: str, pin: str | None, region: str, opts: pulumi.InvokeOptions) -> NodeImage:
    """Resolve `gitpod:aws.nodeImage`: an AMI id as given, a serial or (unset) `current` from SSM."""
    if pin is not None and is_ami_id(pin):
        return NodeImage(ami_id=pin, parameter=None)
    serial = pin or CURRENT
    ami = ubuntu_eks_ami(ubuntu_release, kubernetes_minor, region, opts, serial)
    return NodeImage(ami_id=ami, parameter=parameter_path(ubuntu_release, kubernetes_minor, serial))
