"""Calico as a policy-only engine on top of the VPC CNI (Tigera operator, Helm).

AWS supports only the VPC CNI for pod networking on EC2 nodes; Calico enforces NetworkPolicy on
top of it (Policy: Calico, IPAM/CNI: AWS, no overlay), which is what Gitpod's compatibility
table tested. The VPC CNI's own policy engine must stay off (they conflict), and the VPC CNI
must annotate pods with their IPs (`ANNOTATE_POD_IP`, set on the add-on) so Calico learns them
quickly; that needs `patch` on pods for `aws-node`, granted here in addition to the add-on's own
role so the add-on never fights over it. From 3.32 the operator chart no longer ships CRDs, so
they come from their own chart first.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

CHARTS = "https://docs.tigera.io/calico/charts"
NAMESPACE = "tigera-operator"

VALUES: dict[str, Any] = {
    "installation": {
        "kubernetesProvider": "EKS",
        "cni": {"type": "AmazonVPC"},
        "calicoNetwork": {"bgp": "Disabled", "linuxDataplane": "Iptables"},
    },
    # Flow aggregation and its UI are not needed to enforce policy; fewer privileged pods.
    "goldmane": {"enabled": False},
    "whisker": {"enabled": False},
}

#: What the VPC CNI add-on is configured with when Calico enforces policy.
VPC_CNI_WITH_CALICO: dict[str, Any] = {"enableNetworkPolicy": "false", "env": {"ANNOTATE_POD_IP": "true"}}
#: Without Calico, the VPC CNI's own engine enforces the NetworkPolicies Gitpod installs.
VPC_CNI_WITHOUT_CALICO: dict[str, Any] = {"enableNetworkPolicy": "true"}


def install(name: str, *, parent: pulumi.Resource, provider: pulumi.ProviderResource, version: str) -> k8s.helm.v3.Release:
    """Declare the RBAC grant, the CRD chart and the operator chart; return the operator release."""
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    role = k8s.rbac.v1.ClusterRole(
        f"{name}-calico-pod-ip",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="gitpod-aws-node-annotate-pod-ip"),
        rules=[k8s.rbac.v1.PolicyRuleArgs(api_groups=[""], resources=["pods"], verbs=["patch"])],
        opts=opts,
    )
    k8s.rbac.v1.ClusterRoleBinding(
        f"{name}-calico-pod-ip",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="gitpod-aws-node-annotate-pod-ip"),
        role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=role.metadata.name),
        subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name="aws-node", namespace="kube-system")],
        opts=opts,
    )
    crds = k8s.helm.v3.Release(
        f"{name}-calico-crds",
        name="calico-crds",
        chart="crd.projectcalico.org.v1",
        version=version,
        repository_opts={"repo": CHARTS},
        namespace=NAMESPACE,
        create_namespace=True,
        opts=opts,
    )
    return k8s.helm.v3.Release(
        f"{name}-calico",
        name="calico",
        chart="tigera-operator",
        version=version,
        repository_opts={"repo": CHARTS},
        namespace=crds.namespace,
        values=VALUES,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[crds]),
    )
