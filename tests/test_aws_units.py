"""The AWS package's pure pieces: subnet layout, partitions, IAM documents, node bootstrap, kubeconfig."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import json

import pytest

from gitpod_refarch.aws import policies
from gitpod_refarch.aws.ami import parameter_path
from gitpod_refarch.aws.foundation import Partition
from gitpod_refarch.aws.kubeconfig import kubeconfig
from gitpod_refarch.aws.network import subnet_plan
from gitpod_refarch.aws.userdata import bootstrap_script, user_data


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


def test_ubuntu_parameter_path():
    assert parameter_path("22.04", "1.35") == "/aws/service/canonical/ubuntu/eks/22.04/1.35/stable/current/amd64/hvm/ebs-gp3"


def test_bootstrap_quotes_every_value():
    script = bootstrap_script(
        "gitpod", "https://x.eks.amazonaws.com", "Q0E=", "172.20.0.10", ["gitpod.io/workload_meta", "gitpod.io/workload_ide"]
    )
    assert script.startswith("#!/bin/bash\nset -o errexit -o nounset -o pipefail\n/etc/eks/bootstrap.sh")
    assert "--kubelet-extra-args \\\n  --node-labels=gitpod.io/workload_meta=true,gitpod.io/workload_ide=true\n" in script
    hostile = bootstrap_script("gitpod", "https://x'; rm -rf / #", "Q0E=", "172.20.0.10", [])
    assert "'https://x'\"'\"'; rm -rf / #'" in hostile


def test_user_data_is_base64_mime_multipart():
    document = base64.b64decode(user_data("gitpod", "https://x", "Q0E=", "172.20.0.10", ["a"])).decode()
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
