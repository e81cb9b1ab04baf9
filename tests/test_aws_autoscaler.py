"""EKS node scaling: the cluster-autoscaler's chart, its IRSA role, and the Auto Scaling group tags."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from gitpod_refarch.aws import autoscaler
from gitpod_refarch.aws import settings as aws_settings
from gitpod_refarch.compatibility import POOL_LABELS
from gitpod_refarch_tools.harness import Plan

from .conftest import plan_stack_file, unwrap

TODAY = date(2026, 11, 20)
RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(aws_settings, "today", lambda: TODAY)


@pytest.fixture(scope="module")
def plan() -> Plan:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aws_settings, "today", lambda: TODAY)
        return plan_stack_file("aws")


def release(plan: Plan) -> Any:
    return plan.one(RELEASE, "gitpod-cluster-cluster-autoscaler")


def role_policy(plan: Plan) -> dict[str, Any]:
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", "gitpod-cluster-cluster-autoscaler-policy")
    return json.loads(policy.inputs["policy"])


def leaf_paths(values: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Value paths down to a leaf, stopping at maps the chart takes whole (extraArgs, annotations, nodeSelector)."""
    found: set[tuple[str, ...]] = set()
    for key, value in values.items():
        path = (*prefix, key)
        if isinstance(value, dict) and path not in autoscaler.VALUE_KEYS:
            found |= leaf_paths(value, path)
        else:
            found.add(path)
    return found


def test_every_eks_minor_has_a_chart_of_its_own_autoscaler_minor():
    assert set(aws_settings.EKS_CALENDAR) <= set(autoscaler.CHARTS)
    for minor, chart in autoscaler.CHARTS.items():
        assert chart.app_version.startswith(minor + "."), (minor, chart)


def test_the_release_matches_the_clusters_minor(plan):
    eks = plan.one("aws:eks/cluster:Cluster")
    minor = eks.inputs["version"]
    r = release(plan)
    assert r.inputs["chart"] == "cluster-autoscaler"
    assert r.inputs["repositoryOpts"] == {"repo": "https://kubernetes.github.io/autoscaler"}
    assert r.inputs["version"] == autoscaler.CHARTS[minor].version
    assert r.inputs["namespace"] == "kube-system"


def test_an_older_minor_gets_its_own_chart():
    older = plan_stack_file("aws", {"cluster.kubernetesVersion": "1.34"})
    assert release(older).inputs["version"] == "9.53.0"


def test_a_minor_newer_than_the_table_gets_the_newest_chart_and_a_warning():
    assert autoscaler.chart_for("1.36") == autoscaler.CHARTS["1.35"]
    with pytest.raises(ValueError, match=r"1\.20"):
        autoscaler.chart_for("1.20")
    warnings: list[str] = []
    aws_settings._autoscaler_rules("1.36", lambda kind, key, message: warnings.append(f"{kind} {key} {message}"))
    assert len(warnings) == 1 and "9.59.0" in warnings[0] and "1.36" in warnings[0]
    warnings.clear()
    aws_settings._autoscaler_rules("1.35", lambda kind, key, message: warnings.append(message))
    assert warnings == []


def test_values_use_only_keys_the_chart_has_and_gitpods_flags(plan):
    values = unwrap(release(plan).inputs["values"])
    assert leaf_paths(values) <= autoscaler.VALUE_KEYS
    assert values["cloudProvider"] == "aws"
    assert values["awsRegion"] == "eu-west-1"
    assert values["autoDiscovery"] == {"clusterName": plan.one("aws:eks/cluster:Cluster").inputs["name"]}
    assert values["extraArgs"] == {"balance-similar-node-groups": "true", "skip-nodes-with-local-storage": "false"}
    assert values["nodeSelector"] == {"gitpod.io/workload_services": "true"}
    account = values["rbac"]["serviceAccount"]
    assert account["name"] == "cluster-autoscaler" and account["create"] is True
    assert account["annotations"]["eks.amazonaws.com/role-arn"] == "${gitpod-cluster-cluster-autoscaler.arn}"


def test_the_leaf_check_catches_a_misspelled_key():
    assert ("autoDiscovery", "clustername") in leaf_paths({"autoDiscovery": {"clustername": "x"}}) - autoscaler.VALUE_KEYS


def test_the_role_trusts_only_the_autoscalers_service_account(plan):
    role = plan.one("aws:iam/role:Role", "gitpod-cluster-cluster-autoscaler")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert "system:serviceaccount:kube-system:cluster-autoscaler" in statement["Condition"]["StringEquals"].values()


def test_the_policy_scales_only_the_clusters_own_groups(plan):
    statements = {s["Sid"]: s for s in role_policy(plan)["Statement"]}
    assert set(statements) == {"Read", "ReadNodeGroups", "ScaleOwnGroups"}
    # `*` only where AWS offers no resource scope: Describe*/Get* calls.
    for statement in statements.values():
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in resources:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in actions), statement
            assert not any(a.endswith("DescribeNodegroup") for a in actions)
    groups = [n for n in plan.by_type("aws:eks/nodeGroup:NodeGroup")]
    assert sorted(statements["ReadNodeGroups"]["Resource"]) == sorted(f"${{{g.name}.arn}}" for g in groups)
    scale = statements["ScaleOwnGroups"]
    assert sorted(scale["Action"]) == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    assert sorted(scale["Resource"]) == sorted(
        f"arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/eks-{g.name}-${{{g.name}.uuid}}"
        for g in groups
    )
    assert scale["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/gitpod": "owned"}}


def test_every_group_carries_its_labels_as_node_template_tags(plan):
    tags = plan.by_type("aws:autoscaling/tag:Tag")
    by_group: dict[str, dict[str, str]] = {}
    for tag in tags:
        assert tag.inputs["tag"]["propagateAtLaunch"] is False
        by_group.setdefault(tag.inputs["autoscalingGroupName"], {})[tag.inputs["tag"]["key"]] = tag.inputs["tag"]["value"]
    pools = {"services": "services", "regularWorkspaces": "regular-workspaces", "headlessWorkspaces": "headless-workspaces"}
    assert len(by_group) == len(pools)
    for key, pool in pools.items():
        group = f"eks-gitpod-cluster-{pool}-${{gitpod-cluster-{pool}.uuid}}"
        assert by_group[group] == {f"k8s.io/cluster-autoscaler/node-template/label/{label}": "true" for label in POOL_LABELS[key]}
        node_group = plan.one("aws:eks/nodeGroup:NodeGroup", f"gitpod-cluster-{pool}")
        # The same labels the nodes really get, so a scale-up from zero picks the right group.
        assert set(node_group.inputs["labels"]) == set(POOL_LABELS[key])
