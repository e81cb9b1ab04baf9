"""Plan stand-ins for what AWS answers: EKS's nested outputs and the data-source lookups.

Plain data keyed by type/invoke token: no pulumi-aws import, so loading the fakes stays cheap
for stacks of other clouds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from gitpod_refarch.aws.settings import EKS_CALENDAR, UBUNTU_EKS

from ..harness import placeholder

#: The shape of Canonical's EKS image parameters, written out here rather than taken from the
#: program's path builder so that a wrong segment fails the plan: release and minor, then
#: `stable/<serial>` (`current` or a build date), the architecture, and the volume type, which is
#: `ebs-gp2` for releases up to 22.04 and `ebs-gp3` from 24.04 ("VOL_TYPE: ebs-gp2 (for <= 22.04)
#: and ebs-gp3 (for >= 24.04)", canonical/ubuntu-cloud-docs find-ubuntu-images.rst, Jul 2026).
#: Which (release, minor) pairs exist comes from the program's copy of Canonical's table.
_UBUNTU_PATH = re.compile(
    r"/aws/service/canonical/ubuntu/eks/(?P<release>\d\d\.\d\d)/(?P<minor>1\.\d+)/stable/(?P<serial>current|\d{8}(?:\.\d+)?)"
    r"/(?P<arch>amd64|arm64)/hvm/(?P<volume>ebs-gp2|ebs-gp3)"
)


def _volume(release: str) -> str:
    major, minor = (int(x) for x in release.split("."))
    return "ebs-gp2" if (major, minor) <= (22, 4) else "ebs-gp3"


def _eks_cluster(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "certificateAuthority": {"data": placeholder(name, "certificateAuthority.data")},
        "identities": [{"oidcs": [{"issuer": "https://" + placeholder(name, "oidcIssuer")}]}],
        "vpcConfig": {**(inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": placeholder(name, "clusterSecurityGroupId")},
    }


def _node_group(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """EKS names the node group's Auto Scaling group `eks-<node group>-<uuid>` and reports it under `resources`."""
    return {"resources": [{"autoscalingGroups": [{"name": f"eks-{name}-" + placeholder(name, "uuid")}], "remoteAccessSecurityGroupId": ""}]}


def _caller_identity(args: Mapping[str, Any]) -> dict[str, Any]:
    """STS GetCallerIdentity: a 12-digit account id, as AWS answers it."""
    return {"id": "123456789012", "accountId": "123456789012", "arn": "arn:aws:iam::123456789012:user/deployer", "userId": "AIDAEXAMPLE"}


def _launch_template(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1}


def _ubuntu_eks_parameters(args: Mapping[str, Any]) -> dict[str, Any]:
    """The Canonical AMI parameter, if Canonical publishes that release for that minor."""
    path = str(args.get("path", ""))
    match = _UBUNTU_PATH.fullmatch(path)
    published = (
        match is not None
        and match["release"] in UBUNTU_EKS
        and match["minor"] in UBUNTU_EKS[match["release"]].minors
        and match["volume"] == _volume(match["release"])
    )
    if not published:
        return {"id": path, "path": path, "names": [], "values": [], "types": [], "arns": []}
    ami = "ami-0" + hashlib.sha256(f"{path}@{args.get('region')}".encode()).hexdigest()[:16]
    return {
        "id": path,
        "path": path,
        "names": [f"{path}/ami-id"],
        "values": [ami],
        "types": ["String"],
        "arns": [f"arn:aws:ssm:::parameter{path}/ami-id"],
    }


#: Version shapes of EKS's add-ons (plausible, not AWS's current defaults): kube-proxy follows the
#: cluster's minor (https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html), the
#: others are versioned on their own.
_ADDON_VERSIONS = {
    "vpc-cni": lambda minor: "v1.20.4-eksbuild.1",
    "kube-proxy": lambda minor: f"v{minor}.0-eksbuild.1",
    "coredns": lambda minor: "v1.12.4-eksbuild.1" if tuple(map(int, minor.split("."))) < (1, 35) else "v1.13.2-eksbuild.1",
    "aws-ebs-csi-driver": lambda minor: "v1.50.1-eksbuild.1",
}


def _addon_version(args: Mapping[str, Any]) -> dict[str, Any]:
    """EKS's default version of an add-on for a cluster minor; EKS knows none for other minors."""
    addon, minor = str(args.get("addonName")), str(args.get("kubernetesVersion"))
    if addon not in _ADDON_VERSIONS or minor not in EKS_CALENDAR:
        raise ValueError(f"EKS publishes no {addon} add-on version for Kubernetes {minor}")
    return {"id": addon, "addonName": addon, "kubernetesVersion": minor, "version": _ADDON_VERSIONS[addon](minor)}


def _node_groups(args: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh account: the cluster has no node groups yet."""
    return {"id": str(args.get("clusterName")), "clusterName": str(args.get("clusterName")), "names": []}


def _availability_zones(args: Mapping[str, Any]) -> dict[str, Any]:
    region = str(args.get("region") or "eu-west-1")
    names = [f"{region}{suffix}" for suffix in "abc"]
    return {"id": region, "names": names, "zoneIds": [f"{region[:3]}{i}-az{i}" for i in range(1, 4)], "state": "available"}


def _route53_zone(args: Mapping[str, Any]) -> dict[str, Any]:
    zone_id = str(args.get("zoneId"))
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": placeholder(f"zone {zone_id}", "name") + ".",
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "nameServers": [placeholder(f"zone {zone_id}", "nameServers")],
        "privateZone": False,
    }


OUTPUTS = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
}
INVOKES = {
    "aws:ssm/getParametersByPath:getParametersByPath": _ubuntu_eks_parameters,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:route53/getZone:getZone": _route53_zone,
    "aws:eks/getAddonVersion:getAddonVersion": _addon_version,
    "aws:eks/getNodeGroups:getNodeGroups": _node_groups,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
}
