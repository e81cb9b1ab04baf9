"""The AWS package's pure pieces: subnet layout, partitions, IAM documents, node bootstrap, kubeconfig."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json

import pytest

from gitpod_refarch.aws import policies
from gitpod_refarch.aws.ami import parameter_path
from gitpod_refarch.aws.cluster import NodePool
from gitpod_refarch.aws.descriptions import GROUP_DESCRIPTION_CHARS, RULE_DESCRIPTION_CHARS, ec2_description, invalid_characters
from gitpod_refarch.aws.kubeconfig import kubeconfig
from gitpod_refarch.aws.network import subnet_plan
from gitpod_refarch.aws.platform import Partition
from gitpod_refarch.aws.userdata import bootstrap_script, sysctl_script, user_data
from gitpod_refarch.compatibility import WORKSPACE_NODE_SYSCTLS
from gitpod_refarch_tools.fakes.aws import _ubuntu_eks_parameters


@pytest.mark.parametrize(("cidr", "zones"), [("10.100.0.0/16", 2), ("10.100.0.0/16", 6), ("10.0.16.0/20", 3)])
def test_subnets_fit_the_vpc_without_overlapping(cidr, zones):
    vpc = ipaddress.IPv4Network(cidr)
    plan = subnet_plan(cidr, zones)
    networks = [ipaddress.IPv4Network(n) for pair in plan for n in pair]
    assert len(plan) == zones
    assert all(n.subnet_of(vpc) for n in networks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(networks, 2))
    private, public = (ipaddress.IPv4Network(n) for n in plan[0])
    assert private.num_addresses == vpc.num_addresses // 8  # pods take VPC addresses
    assert public.num_addresses == vpc.num_addresses // 64


def test_adding_a_zone_never_moves_an_existing_subnet():
    assert subnet_plan("10.100.0.0/16", 3)[:2] == subnet_plan("10.100.0.0/16", 2)


@pytest.mark.parametrize("zones", [1, 7])
def test_subnet_plan_refuses_unsupported_zone_counts(zones):
    with pytest.raises(ValueError, match="between 2 and 6 zones"):
        subnet_plan("10.100.0.0/16", zones)


@pytest.mark.parametrize(
    ("region", "partition", "endpoint"),
    [
        ("eu-west-1", "aws", "s3.eu-west-1.amazonaws.com"),
        ("cn-north-1", "aws-cn", "s3.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "s3.us-gov-west-1.amazonaws.com"),
    ],
)
def test_partition_of_a_region(region, partition, endpoint):
    p = Partition.of(region)
    assert p.name == partition
    assert p.s3_endpoint(region) == endpoint
    assert p.managed_policy("AmazonEKSClusterPolicy") == f"arn:{partition}:iam::aws:policy/AmazonEKSClusterPolicy"


def test_service_account_trust_names_one_service_account_of_one_cluster():
    trust = policies.service_account_trust(
        "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/AB",
        "kube-system",
        "aws-node",
    )
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        "oidc.eks.eu-west-1.amazonaws.com/id/AB:sub": "system:serviceaccount:kube-system:aws-node",
        "oidc.eks.eu-west-1.amazonaws.com/id/AB:aud": "sts.amazonaws.com",
    }


def test_bucket_access_grants_no_bucket_administration():
    document = policies.bucket_access("arn:aws:s3:::b")
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert not [a for a in actions if a.startswith(("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucket", "s3:PutLifecycle"))]
    assert "s3:*" not in actions
    assert {s["Resource"] for s in document["Statement"]} == {"arn:aws:s3:::b", "arn:aws:s3:::b/*"}


@pytest.mark.parametrize(
    ("release", "minor", "serial", "path"),
    [
        ("22.04", "1.34", "current", "/aws/service/canonical/ubuntu/eks/22.04/1.34/stable/current/amd64/hvm/ebs-gp2"),
        ("24.04", "1.35", "current", "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/current/amd64/hvm/ebs-gp3"),
        ("26.04", "1.35", "20260715", "/aws/service/canonical/ubuntu/eks/26.04/1.35/stable/20260715/amd64/hvm/ebs-gp3"),
    ],
)
def test_ubuntu_parameter_path_uses_canonicals_volume_segment_per_release(release, minor, serial, path):
    assert parameter_path(release, minor, serial) == path


@pytest.mark.parametrize(
    "path",
    [
        "/aws/service/canonical/ubuntu/eks/22.04/1.34/stable/current/amd64/hvm/ebs-gp3",  # jammy images are gp2
        "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/current/amd64/hvm/ebs-gp2",  # noble images are gp3
        "/aws/service/canonical/ubuntu/eks/22.04/1.35/stable/current/amd64/hvm/ebs-gp2",  # no jammy image for 1.35
        "/aws/service/canonical/ubuntu/eks/24.04/1.30/stable/current/amd64/hvm/ebs-gp3",  # not in the table any more
        "/aws/service/canonical/ubuntu/eks/noble/1.35/stable/current/amd64/hvm/ebs-gp3",  # the program uses numbers
        "/aws/service/canonical/ubuntu/eks/24.04/1.35/current/amd64/hvm/ebs-gp3",  # no stable/
    ],
)
def test_the_ssm_fake_answers_only_paths_canonical_publishes(path):
    assert _ubuntu_eks_parameters({"path": path, "region": "eu-west-1"})["values"] == []
    good = parameter_path("24.04", "1.35")
    assert _ubuntu_eks_parameters({"path": good, "region": "eu-west-1"})["names"] == [f"{good}/ami-id"]


def test_desired_size_keeps_the_current_size_within_the_new_bounds():
    pool = NodePool("regular", "m6i.4xlarge", min_nodes=3, max_nodes=10, disk_size_gb=512, labels=())
    assert pool.desired_size(None) == 3  # a new group starts at its minimum
    assert pool.desired_size(5) == 5  # what an autoscaler chose is kept
    assert pool.desired_size(1) == 3  # raising min_nodes above the current size raises the size with it
    assert pool.desired_size(12) == 10  # lowering max_nodes below it lowers it
    assert NodePool("x", "m", 0, 5, 10, ()).desired_size(None) == 1


def test_bootstrap_quotes_every_value():
    script = bootstrap_script(
        "gitpod", "https://x.eks.amazonaws.com", "Q0E=", "172.20.0.10", ["gitpod.io/workload_meta", "gitpod.io/workload_ide"]
    )
    assert script.startswith("#!/bin/bash\nset -o errexit -o nounset -o pipefail\n/etc/eks/bootstrap.sh")
    assert "--kubelet-extra-args \\\n  --node-labels=gitpod.io/workload_meta=true,gitpod.io/workload_ide=true\n" in script
    hostile = bootstrap_script("gitpod", "https://x'; rm -rf / #", "Q0E=", "172.20.0.10", [])
    assert "'https://x'\"'\"'; rm -rf / #'" in hostile


def test_sysctls_are_persisted_and_applied_only_where_the_kernel_has_them():
    script = sysctl_script({"kernel.apparmor_restrict_unprivileged_userns": "0"})
    assert script == (
        "if [ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]; then "
        "echo 'kernel.apparmor_restrict_unprivileged_userns = 0' >> /etc/sysctl.d/90-gitpod.conf; fi\n"
        "if [ -e /etc/sysctl.d/90-gitpod.conf ]; then sysctl --load=/etc/sysctl.d/90-gitpod.conf; fi\n"
    )
    assert sysctl_script({}) == ""
    with pytest.raises(ValueError, match="not a sysctl setting"):
        sysctl_script({"kernel.x; rm -rf /": "0"})


def test_workspace_sysctls_run_before_the_node_joins():
    script = bootstrap_script("gitpod", "https://x", "Q0E=", "172.20.0.10", [], WORKSPACE_NODE_SYSCTLS)
    assert script.index("apparmor_restrict_unprivileged_userns = 0") < script.index("/etc/eks/bootstrap.sh")
    assert "sysctl" not in bootstrap_script("gitpod", "https://x", "Q0E=", "172.20.0.10", [])


def test_ec2_description_sets():
    assert "&" in GROUP_DESCRIPTION_CHARS and "&" not in RULE_DESCRIPTION_CHARS
    assert invalid_characters("MySQL from Gitpod's nodes", "rule") == "'"
    assert invalid_characters("a & b", "group") == ""
    assert ec2_description("pods (VPC CNI): 3306/tcp") == "pods (VPC CNI): 3306/tcp"
    with pytest.raises(ValueError, match="characters '&'"):
        ec2_description("nodes & pods")
    with pytest.raises(ValueError, match="length 256"):
        ec2_description("x" * 256, "group")


def test_user_data_is_base64_mime_multipart():
    document = base64.b64decode(user_data(bootstrap_script("gitpod", "https://x", "Q0E=", "172.20.0.10", ["a"]))).decode()
    assert document.startswith("MIME-Version: 1.0\nContent-Type: multipart/mixed;")
    assert document.rstrip().endswith("--==GITPOD==--")


def test_kubeconfig_uses_aws_eks_get_token_and_optionally_a_profile():
    config = json.loads(kubeconfig("gitpod", "https://x", "Q0E=", "eu-west-1"))
    exec_config = config["users"][0]["user"]["exec"]
    assert exec_config["command"] == "aws"
    assert "--cluster-name" in exec_config["args"]
    assert "env" not in exec_config
    with_profile = json.loads(kubeconfig("gitpod", "https://x", "Q0E=", "eu-west-1", profile="admin"))
    assert with_profile["users"][0]["user"]["exec"]["env"] == [{"name": "AWS_PROFILE", "value": "admin"}]
    assert config["clusters"][0]["cluster"]["certificate-authority-data"] == "Q0E="
