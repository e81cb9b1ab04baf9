"""The Kubernetes cluster-autoscaler for the EKS managed node groups (Helm chart, IRSA role).

Without it nothing grows a node group past its initial size: EKS managed node groups do not scale
themselves. With it, `minNodes`/`maxNodes` mean on EKS what they mean on GKE and AKS.

How it finds and sizes the groups (kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md,
read at 55c37cd, Aug 2026):

* **Discovery.** `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,
  k8s.io/cluster-autoscaler/<cluster>`, which the chart derives from `autoDiscovery.clusterName`.
  EKS puts both tags on the Auto Scaling group of every managed node group itself ("Amazon EKS tags
  managed node group resources so that they are configured to use the Kubernetes Cluster Autoscaler",
  https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html), the second with the value
  `owned`; so the program adds no discovery tags.
* **Scale-up from zero.** With no node to copy, the autoscaler learns a group's labels from the
  Auto Scaling group's `k8s.io/cluster-autoscaler/node-template/label/<label>` tags, and, for EKS
  managed node groups, from `eks:DescribeNodegroup`, but only while the group "has never had any
  nodes" (README, "Auto-Discovery Setup" and "IAM Policy"). EKS does not copy node-group tags to
  the Auto Scaling group, so the label templates are written on the group itself (`node_template_tags`,
  `aws.autoscaling.Tag` in `cluster.py`) and `eks:DescribeNodegroup` is allowed too. The Gitpod node
  groups carry no taints, so there is no `.../node-template/taint/...` tag to write.
* **Region.** The nodes allow IMDSv2 with one hop only, so pods cannot ask the instance metadata for
  the region: the chart's `awsRegion` sets `AWS_REGION`; credentials come from the IRSA role.

Scale-down never removes a node with a running workspace: ws-manager annotates every workspace pod
`cluster-autoscaler.kubernetes.io/safe-to-evict: "false"` (gitpod-io/gitpod@2022.11.3
components/ws-manager/pkg/manager/create.go), which the autoscaler honours unless told otherwise;
the program passes no flag that overrides it and nothing in it rewrites workspace pods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .. import compatibility as compat

REPOSITORY = "https://kubernetes.github.io/autoscaler"
CHART = "cluster-autoscaler"
NAMESPACE = "kube-system"
#: The service account the IRSA role trusts (the chart's `rbac.serviceAccount.name`), as Gitpod's
#: Terraform named it (install/infra/modules/tools/aws-cluster-autoscaler/main.tf at 2022.11.3).
SERVICE_ACCOUNT = "cluster-autoscaler"
RELEASE = "cluster-autoscaler"
#: The tag EKS sets on a managed node group's Auto Scaling group (value `owned`); the scaling
#: actions are limited to groups carrying it.
OWNER_TAG = "k8s.io/cluster-autoscaler/{cluster}"
OWNER_TAG_VALUE = "owned"
NODE_TEMPLATE_LABEL = "k8s.io/cluster-autoscaler/node-template/label/{label}"


@dataclass(frozen=True)
class AutoscalerChart:
    """A chart release and the autoscaler version it deploys (its `appVersion`)."""

    version: str
    app_version: str


#: Kubernetes minor -> the newest chart whose `appVersion` is that minor's autoscaler (the autoscaler's
#: README asks for the release that corresponds to the cluster's Kubernetes minor).
#: From `Chart.yaml` at each `cluster-autoscaler-chart-<version>` tag of kubernetes/autoscaler
#: (charts/cluster-autoscaler/ until 9.51.0, cluster-autoscaler/charts/cluster-autoscaler/ since
#: 9.52.0), read Aug 2026; every version in EKS_CALENDAR has one.
CHARTS: dict[str, AutoscalerChart] = {
    "1.29": AutoscalerChart("9.36.0", "1.29.0"),
    "1.30": AutoscalerChart("9.37.0", "1.30.0"),
    "1.31": AutoscalerChart("9.44.0", "1.31.0"),
    "1.32": AutoscalerChart("9.46.6", "1.32.0"),
    "1.33": AutoscalerChart("9.51.0", "1.33.0"),
    "1.34": AutoscalerChart("9.53.0", "1.34.2"),
    "1.35": AutoscalerChart("9.59.0", "1.35.0"),
}
CHARTS_AS_OF = date(2026, 8, 22)

#: The chart values the program sets, each present with the same meaning in `values.yaml` of every
#: chart in CHARTS (checked at each tag): `cloudProvider`, `awsRegion`, `autoDiscovery.clusterName`,
#: `rbac.serviceAccount.{create,name,annotations}`, `extraArgs` (rendered as `--<key>=<value>`),
#: `nodeSelector`. The chart ships no values.schema.json, so tests check against this list.
VALUE_KEYS = frozenset(
    {
        ("cloudProvider",),
        ("awsRegion",),
        ("autoDiscovery", "clusterName"),
        ("rbac", "serviceAccount", "create"),
        ("rbac", "serviceAccount", "name"),
        ("rbac", "serviceAccount", "annotations"),
        ("extraArgs",),
        ("nodeSelector",),
    }
)

#: Gitpod's Terraform passed exactly these (aws-cluster-autoscaler/main.tf at 2022.11.3): workspace
#: nodes use local storage (emptyDir) for every workspace, which must not make a node unremovable
#: once its workspaces are gone; and the two workspace groups are alike, so scale-ups spread over them.
EXTRA_ARGS: dict[str, str] = {"balance-similar-node-groups": "true", "skip-nodes-with-local-storage": "false"}


def chart_for(minor: str) -> AutoscalerChart:
    """The chart for a Kubernetes minor; a minor newer than the table gets the newest (rules warn)."""
    if minor in CHARTS:
        return CHARTS[minor]
    newest = max(CHARTS, key=lambda m: compat.parse_version(m) or (0, 0))
    parsed, newest_parsed = compat.parse_version(minor), compat.parse_version(newest)
    if parsed is not None and newest_parsed is not None and parsed > newest_parsed:
        return CHARTS[newest]
    raise ValueError(f"no cluster-autoscaler chart known for Kubernetes {minor} (known: {', '.join(CHARTS)})")


def node_template_tags(labels: Sequence[str]) -> dict[str, str]:
    """Auto Scaling group tags telling the autoscaler which labels (all "true") a new node will carry."""
    return {NODE_TEMPLATE_LABEL.format(label=label): "true" for label in labels}


def values(cluster_name: str, region: str, role_arn: pulumi.Input[str], node_selector: Mapping[str, str]) -> dict[str, Any]:
    """The chart values: AWS auto-discovery for this cluster, the IRSA role, Gitpod's flags."""
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": SERVICE_ACCOUNT,
                "annotations": {"eks.amazonaws.com/role-arn": role_arn},
            }
        },
        "extraArgs": dict(EXTRA_ARGS),
        # On the services group, never on a workspace node it might want to remove.
        "nodeSelector": dict(node_selector),
    }


def install(
    name: str,
    *,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    minor: str,
    cluster_name: str,
    region: str,
    role_arn: pulumi.Input[str],
    node_selector: Mapping[str, str],
) -> k8s.helm.v3.Release:
    """The Helm release, in kube-system, at the chart matched to `minor`."""
    return k8s.helm.v3.Release(
        f"{name}-cluster-autoscaler",
        name=RELEASE,
        chart=CHART,
        version=chart_for(minor).version,
        repository_opts={"repo": REPOSITORY},
        namespace=NAMESPACE,
        values=values(cluster_name, region, role_arn, node_selector),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider),
    )
