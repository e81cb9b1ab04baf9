"""Plan stand-ins for what AWS answers: EKS's nested outputs and the data-source lookups.

Plain data keyed by type/invoke token: no pulumi-aws import, so loading the fakes stays cheap
for stacks of other clouds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from ..harness import placeholder

#: Canonical's guidance (platforms-2026 §4.2): Ubuntu 22.04 EKS images from EKS 1.29, 24.04 from 1.31.
UBUNTU_EKS_FROM = {"22.04": (1, 29), "24.04": (1, 31)}
_UBUNTU_PATH = re.compile(
    r"/aws/service/canonical/ubuntu/eks/(?P<release>[\d.]+)/(?P<major>\d+)\.(?P<minor>\d+)/stable/current/[^/]+/hvm/[^/]+"
)


def _eks_cluster(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "certificateAuthority": {"data": placeholder(name, "certificateAuthority.data")},
        "identities": [{"oidcs": [{"issuer": "https://" + placeholder(name, "oidcIssuer")}]}],
        "vpcConfig": {**(inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": placeholder(name, "clusterSecurityGroupId")},
    }


def _launch_template(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"latestVersion": 1, "defaultVersion": 1}


def _ubuntu_eks_parameters(args: Mapping[str, Any]) -> dict[str, Any]:
    """The Canonical AMI parameter, if Canonical publishes that release for that minor."""
    path = str(args.get("path", ""))
    match = _UBUNTU_PATH.fullmatch(path)
    published = match is not None and (int(match["major"]), int(match["minor"])) >= UBUNTU_EKS_FROM.get(match["release"], (99, 0))
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
}
INVOKES = {
    "aws:ssm/getParametersByPath:getParametersByPath": _ubuntu_eks_parameters,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:route53/getZone:getZone": _route53_zone,
}
