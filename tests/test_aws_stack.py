"""The `aws` stack through the offline plan: what `pulumi up --stack aws` declares, and how it is wired."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from gitpod_refarch import dbtls
from gitpod_refarch.aws import descriptions, policies
from gitpod_refarch.aws import settings as aws_settings
from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, NODE_LABELS_SERVICES
from gitpod_refarch.program import main
from gitpod_refarch_tools import diff, harness, render
from gitpod_refarch_tools.fakes.aws import _ubuntu_eks_parameters
from gitpod_refarch_tools.graph import waits_for
from gitpod_refarch_tools.harness import Plan, PlanError, Registration, run_program
from gitpod_refarch_tools.render import installer_checks, render_json
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, installer_config, secrets_in, unwrap

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(aws_settings, "today", lambda: TODAY)


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The example stack as shipped, planned once for the tests that only read it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aws_settings, "today", lambda: TODAY)
        project, cfg = build_config(ROOT, "aws")
        return run_program(main, cfg.values, cfg.secret_keys, project=project, stack="aws")


#: Every non-default option at once (they are independent), so one plan covers them all.
VARIANT = {
    "aws.adminRoleArns": "arn:aws:iam::123456789012:role/platform-admins",
    "aws.ubuntuRelease": "24.04",
    "aws.calico": "false",
    "aws.availabilityZones": "eu-west-1b,eu-west-1c,eu-west-1a",
    "aws.availabilityZoneCount": "",
    "database.version": "8.0",
    "database.highAvailability": "true",
    "database.deletionProtection": "false",
    "registry.reuseStorageBucket": "true",
    "certificate.zone.create": "false",
    "certificate.zone.existingId": "Z0123456789ABCDEFGHIJ",
    "certificate.zone.name": "example.com",
    "certManager.namespace": "certs",
    "protect": "false",
}


@pytest.fixture(scope="module")
def variant() -> Plan:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aws_settings, "today", lambda: TODAY)
        project, cfg = build_config(ROOT, "aws", [f"{k}={v}" for k, v in VARIANT.items()])
        return run_program(main, cfg.values, cfg.secret_keys, project=project, stack="aws")


# -- helpers -----------------------------------------------------------------------------------------
def one(plan: Plan, type_token: str, name: str) -> Registration:
    return plan.one(type_token, name)


def inputs(plan: Plan, type_token: str, name: str) -> dict[str, Any]:
    return unwrap(plan.one(type_token, name).inputs)


def policy_documents(plan: Plan) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM document the plan declares: user and role policies, trust and bucket policies."""
    for r in plan.resources:
        for key in ("policy", "assumeRolePolicy"):
            text = unwrap(r.inputs).get(key)
            if r.type.startswith("aws:") and isinstance(text, str):
                yield f"{r.name}.{key}", json.loads(text)


def component(plan: Plan, name: str) -> Registration:
    return next(r for r in plan.resources if not r.custom and r.name == name)


# -- installer config and Secrets ------------------------------------------------------------------
def test_installer_accepts_the_config_and_secrets(plan):
    assert installer_checks(plan) == []
    config = installer_config(plan)
    # TLS with the roots the program ships (tests/test_security_controls.py, "database TLS").
    assert config["database"] == {
        "inCluster": False,
        "external": {"certificate": {"kind": "secret", "name": "database"}},
        "ssl": {"caCert": {"kind": "secret", "name": "database-ca"}},
    }
    assert config["objectStorage"]["inCluster"] is False
    assert config["objectStorage"]["s3"] == {
        "endpoint": "s3.eu-west-1.amazonaws.com",
        "bucket": "${gitpod-storage-bucket.bucket}",
        "credentials": {"kind": "secret", "name": "storage-s3"},
        "allowInsecureConnection": False,
    }
    assert config["metadata"]["region"] == "eu-west-1"
    assert config["containerRegistry"]["inCluster"] is True
    assert config["containerRegistry"]["s3storage"] == {
        "bucket": "${gitpod-registry-bucket.bucket}",
        "region": "eu-west-1",
        "endpoint": "s3.eu-west-1.amazonaws.com",
        "certificate": {"kind": "secret", "name": "container-registry-s3-backend"},
    }
    assert config["workspace"]["runtime"]["containerdSocket"] == "/run/containerd/containerd.sock"
    assert config["workspace"]["runtime"]["containerdRuntimeDir"] == "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io"


def test_secrets_carry_the_rds_and_bucket_credentials(plan):
    secrets = secrets_in(plan)
    db = secrets["database"]
    assert set(db) == {"host", "port", "username", "password", "encryptionKeys"}
    assert (db["host"], db["port"], db["username"]) == ("${gitpod-database-mysql.address}", "3306", "gitpod")
    assert db["password"] == "${gitpod-database-password.result}"
    assert secrets["storage-s3"] == {
        "accessKeyId": "${gitpod-storage-access-key.id}",
        "secretAccessKey": "${gitpod-storage-access-key.secret}",
    }
    assert secrets["container-registry-s3-backend"] == {
        "s3AccessKey": "${gitpod-registry-access-key.id}",
        "s3SecretKey": "${gitpod-registry-access-key.secret}",
    }


@pytest.mark.parametrize("which", ["plan", "variant"])
def test_no_secret_appears_in_plain_text(plan, variant, which):
    text = render_json(plan if which == "plan" else variant)
    for value in (
        "${gitpod-database-password.result}",
        "${gitpod-storage-access-key.secret}",
        "${gitpod-registry-access-key.secret}",
        "${gitpod-storage-access-key.id}",
        "${gitpod-registry-access-key.id}",
        "${gitpod-installer-encryption-key.base64}",
    ):
        assert value not in text
    # ...yet they are there, so the check above can fail:
    assert inputs(plan, "aws:rds/instance:Instance", "gitpod-database-mysql")["password"] == "${gitpod-database-password.result}"
    assert {"kubeconfig"} <= plan.secret_outputs
    assert "installerConfig" not in plan.secret_outputs


def test_outputs_kubeconfig_with_aws_eks_get_token_and_name_servers(plan):
    kubeconfig = json.loads(plan.outputs["kubeconfig"])
    user = kubeconfig["users"][0]["user"]["exec"]
    assert user["command"] == "aws"
    assert user["args"] == ["eks", "get-token", "--cluster-name", "gitpod", "--region", "eu-west-1", "--output", "json"]
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "${gitpod-cluster-eks.endpoint}"
    assert plan.outputs["nameServers"] == ["${gitpod-dns-zone.nameServers}"]


# -- EKS -------------------------------------------------------------------------------------------
def test_eks_cluster_uses_access_entries_and_an_explicit_support_policy(plan):
    cluster = inputs(plan, "aws:eks/cluster:Cluster", "gitpod-cluster-eks")
    assert cluster["name"] == "gitpod"
    assert cluster["version"] == "1.35"
    assert cluster["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["bootstrapSelfManagedAddons"] is False
    assert cluster["kubernetesNetworkConfig"]["serviceIpv4Cidr"] == "172.20.0.0/16"
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["subnetIds"] == ["${gitpod-network-private-eu-west-1a.id}", "${gitpod-network-private-eu-west-1b.id}"]
    oidc = inputs(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "gitpod-cluster-oidc")
    assert oidc == {"url": "https://${gitpod-cluster-eks.oidcIssuer}", "clientIdLists": ["sts.amazonaws.com"]}


def test_admin_roles_get_access_entries(variant):
    plan, arn = variant, VARIANT["aws.adminRoleArns"]
    entry = plan.by_type("aws:eks/accessEntry:AccessEntry")
    association = plan.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert [unwrap(e.inputs)["principalArn"] for e in entry] == [arn]
    assert unwrap(association[0].inputs)["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    assert unwrap(association[0].inputs)["accessScope"] == {"type": "cluster"}
    assert entry[0].urn in association[0].depends_on


def _published_ami(path: str) -> str:
    (ami,) = _ubuntu_eks_parameters({"path": path, "region": "eu-west-1"})["values"]
    return ami


def _node_image_stash(plan: Plan) -> Registration:
    return one(plan, "pulumi:index:Stash", "gitpod-cluster-node-image")


def test_node_groups_use_the_canonical_ubuntu_image_from_ssm(plan):
    assert "aws:ssm/getParametersByPath:getParametersByPath" in plan.invokes
    path = "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/current/amd64/hvm/ebs-gp3"
    images = {unwrap(r.inputs)["imageId"] for r in plan.by_type("aws:ec2/launchTemplate:LaunchTemplate")}
    assert images == {_published_ami(path)}
    assert plan.outputs["nodeImage"] == {"parameter": path, "amiId": _published_ami(path), "latestAmiId": _published_ami(path)}


@pytest.mark.parametrize(("release", "minor"), [("22.04", "1.34"), ("24.04", "1.34"), ("26.04", "1.35")])
def test_each_release_reads_canonicals_path_for_it(plan_stack, release, minor):
    """22.04 images live under ebs-gp2, later ones under ebs-gp3: the fake knows, so a wrong segment fails here."""
    plan = plan_stack("aws", {"aws.ubuntuRelease": release, "cluster.kubernetesVersion": minor})
    volume = "ebs-gp2" if release == "22.04" else "ebs-gp3"
    path = f"/aws/service/canonical/ubuntu/eks/{release}/{minor}/stable/current/amd64/hvm/{volume}"
    assert {unwrap(r.inputs)["imageId"] for r in plan.by_type("aws:ec2/launchTemplate:LaunchTemplate")} == {_published_ami(path)}
    assert plan.outputs["nodeImage"]["parameter"] == path


def test_the_image_is_kept_until_its_parameter_path_changes(plan):
    """The templates take the stashed image, and only a new parameter path replaces the stash."""
    stash = _node_image_stash(plan)
    path = "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/current/amd64/hvm/ebs-gp3"
    assert stash.replacement_trigger == path
    assert unwrap(stash.inputs) == {"input": _published_ami(path)}
    for template in plan.by_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert stash.urn in template.depends_on


def test_a_serial_pin_reads_canonicals_dated_parameter(plan_stack):
    plan = plan_stack("aws", {"aws.nodeImage": "20260715"})
    path = "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/20260715/amd64/hvm/ebs-gp3"
    assert _node_image_stash(plan).replacement_trigger == path
    assert plan.outputs["nodeImage"] == {"parameter": path, "amiId": _published_ami(path), "latestAmiId": _published_ami(path)}


def test_an_ami_pin_needs_no_lookup(plan_stack):
    plan = plan_stack("aws", {"aws.nodeImage": "ami-0123456789abcdef0"})
    assert "aws:ssm/getParametersByPath:getParametersByPath" not in plan.invokes
    assert _node_image_stash(plan).replacement_trigger == "ami-0123456789abcdef0"
    assert {unwrap(r.inputs)["imageId"] for r in plan.by_type("aws:ec2/launchTemplate:LaunchTemplate")} == {"ami-0123456789abcdef0"}
    assert plan.outputs["nodeImage"] == {"parameter": None, "amiId": "ami-0123456789abcdef0", "latestAmiId": "ami-0123456789abcdef0"}


def test_a_minor_canonical_has_not_published_is_a_clear_error_before_anything_is_created(plan_stack):
    with pytest.raises(PlanError) as error:
        plan_stack("aws", {"cluster.kubernetesVersion": "1.36"})
    assert error.value.lines[0] == (
        "Canonical hasn't published an Ubuntu 24.04 EKS image for Kubernetes 1.36 in eu-west-1 (SSM parameter "
        "/aws/service/canonical/ubuntu/eks/24.04/1.36/stable/current/amd64/hvm/ebs-gp3/ami-id not found). Fix: choose another "
        "gitpod:cluster.kubernetesVersion, gitpod:aws.ubuntuRelease or gitpod:aws.nodeImage (published release/minor pairs: "
        "22.04/1.31, 22.04/1.32, 22.04/1.33, 22.04/1.34, 24.04/1.31, 24.04/1.32, 24.04/1.33, 24.04/1.34, 24.04/1.35, 26.04/1.35)."
    )


@pytest.mark.parametrize(
    ("pool", "labels", "machine", "disk", "size"),
    [
        ("services", NODE_LABELS_SERVICES, "m6i.xlarge", 300, (1, 4)),
        ("regular-workspaces", (NODE_LABEL_REGULAR,), "m6i.4xlarge", 512, (1, 50)),
        ("headless-workspaces", (NODE_LABEL_HEADLESS,), "m6i.4xlarge", 512, (1, 50)),
    ],
)
def test_node_groups_carry_their_gitpod_labels_and_sizes(plan, pool, labels, machine, disk, size):
    group = inputs(plan, "aws:eks/nodeGroup:NodeGroup", f"gitpod-cluster-{pool}")
    assert group["labels"] == dict.fromkeys(labels, "true")
    assert group["instanceTypes"] == [machine]
    assert (group["scalingConfig"]["minSize"], group["scalingConfig"]["maxSize"]) == size
    assert group["scalingConfig"]["desiredSize"] == 1
    assert group["subnetIds"] == ["${gitpod-network-private-eu-west-1a.id}", "${gitpod-network-private-eu-west-1b.id}"]
    assert group["launchTemplate"] == {"id": f"${{gitpod-cluster-{pool}-template.id}}", "version": "1"}
    assert "amiType" not in group  # the image comes from the launch template

    template = inputs(plan, "aws:ec2/launchTemplate:LaunchTemplate", f"gitpod-cluster-{pool}-template")
    (device,) = template["blockDeviceMappings"]
    assert device["deviceName"] == "/dev/sda1"
    assert device["ebs"] == {
        "volumeSize": disk,
        "volumeType": "gp3",
        "iops": 6000,
        "throughput": 500,
        "encrypted": "true",
        "deleteOnTermination": "true",
    }
    assert template["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
    assert template["vpcSecurityGroupIds"] == ["${gitpod-network-nodes.id}", "${gitpod-cluster-eks.clusterSecurityGroupId}"]

    document = base64.b64decode(template["userData"]).decode()
    assert "Content-Type: text/x-shellscript" in document
    assert "/etc/eks/bootstrap.sh \\\n  gitpod \\\n  --apiserver-endpoint \\\n  '${gitpod-cluster-eks.endpoint}'" in document
    assert "--dns-cluster-ip \\\n  172.20.0.10" in document
    assert f"--node-labels={','.join(f'{label}=true' for label in labels)}" in document
    # Ubuntu 24.04's AppArmor restriction would stop workspacekit's user namespace (compatibility.WORKSPACE_NODE_SYSCTLS).
    workspaces = pool != "services"
    assert ("echo 'kernel.apparmor_restrict_unprivileged_userns = 0' >> /etc/sysctl.d/90-gitpod.conf" in document) is workspaces


def test_nodes_boot_with_their_sysctls_so_no_daemonset_sets_them(plan):
    assert plan.by_type("kubernetes:apps/v1:DaemonSet") == []


def test_add_ons_run_in_order_with_service_account_roles(plan):
    groups = [r.urn for r in plan.by_type("aws:eks/nodeGroup:NodeGroup")]
    assert len(groups) == 3
    addon = {unwrap(r.inputs)["addonName"]: r for r in plan.by_type("aws:eks/addon:Addon")}
    assert set(addon) == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"}
    for group in plan.by_type("aws:eks/nodeGroup:NodeGroup"):
        assert {addon["vpc-cni"].urn, addon["kube-proxy"].urn} <= set(group.depends_on)
    for name in ("coredns", "aws-ebs-csi-driver"):
        assert set(groups) <= set(addon[name].depends_on)
    vpc_cni = unwrap(addon["vpc-cni"].inputs)
    assert vpc_cni["serviceAccountRoleArn"] == "${gitpod-cluster-vpc-cni.arn}"
    assert json.loads(vpc_cni["configurationValues"]) == {"enableNetworkPolicy": "false", "env": {"ANNOTATE_POD_IP": "true"}}
    assert unwrap(addon["aws-ebs-csi-driver"].inputs)["serviceAccountRoleArn"] == "${gitpod-cluster-ebs-csi.arn}"


def test_kubernetes_provider_waits_for_nodes_and_dns_but_not_the_volume_driver(plan):
    provider = one(plan, "pulumi:providers:kubernetes", "gitpod-cluster-k8s")
    waits = {plan.name_of(d) for d in provider.depends_on}
    assert {
        "gitpod-cluster-services",
        "gitpod-cluster-regular-workspaces",
        "gitpod-cluster-headless-workspaces",
        "gitpod-cluster-coredns",
    } <= waits
    # Only what provisions volumes waits for the EBS CSI add-on: the installer Job, not cert-manager.
    assert "gitpod-cluster-ebs-csi" not in waits
    ebs = plan.urn_of("gitpod-cluster-ebs-csi")
    assert ebs in one(plan, "kubernetes:batch/v1:Job", "gitpod-installation-job").depends_on
    assert ebs not in waits_for(plan.resources, one(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart").urn)
    k8s = [r for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider == provider.urn for r in k8s)
    aws = [r for r in plan.resources if r.custom and r.type.startswith("aws:")]
    assert aws and all(plan.name_of(r.provider) == "gitpod-aws" for r in aws)


def test_default_storage_class_is_encrypted_gp3(plan):
    sc = inputs(plan, "kubernetes:storage.k8s.io/v1:StorageClass", "gitpod-cluster-gp3")
    assert sc["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert sc["provisioner"] == "ebs.csi.aws.com"
    assert sc["parameters"] == {"type": "gp3", "encrypted": "true", "fsType": "ext4"}
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"


def test_calico_is_policy_only_on_the_vpc_cni(plan):
    crds = one(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cluster-calico-crds")
    operator = one(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cluster-calico")
    values = unwrap(operator.inputs)
    assert values["chart"] == "tigera-operator"
    assert values["version"] == unwrap(crds.inputs)["version"] == "v3.32.2"
    assert values["values"]["installation"]["kubernetesProvider"] == "EKS"
    assert values["values"]["installation"]["cni"] == {"type": "AmazonVPC"}
    assert crds.urn in operator.depends_on
    binding = inputs(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "gitpod-cluster-calico-pod-ip")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "aws-node", "namespace": "kube-system"}]


def test_calico_off_uses_the_vpc_cni_policy_engine(variant):
    plan = variant
    assert not [r for r in plan.resources if "calico" in r.name]  # no charts, no pod-IP RBAC
    vpc_cni = next(r for r in plan.by_type("aws:eks/addon:Addon") if unwrap(r.inputs)["addonName"] == "vpc-cni")
    assert json.loads(unwrap(vpc_cni.inputs)["configurationValues"]) == {"enableNetworkPolicy": "true"}


# -- network ---------------------------------------------------------------------------------------
def test_network_spans_two_zones_with_tagged_public_and_private_subnets(plan):
    subnets = {r.name: unwrap(r.inputs) for r in plan.by_type("aws:ec2/subnet:Subnet")}
    assert set(subnets) == {
        "gitpod-network-public-eu-west-1a",
        "gitpod-network-public-eu-west-1b",
        "gitpod-network-private-eu-west-1a",
        "gitpod-network-private-eu-west-1b",
    }
    for name, subnet in subnets.items():
        role = "kubernetes.io/role/elb" if "public" in name else "kubernetes.io/role/internal-elb"
        assert subnet["tags"][role] == "1"
        assert subnet["tags"]["kubernetes.io/cluster/gitpod"] == "shared"
        assert subnet.get("mapPublicIpOnLaunch", False) is False  # no node or NAT gets a public IP by accident
    assert subnets["gitpod-network-private-eu-west-1a"]["cidrBlock"] == "10.100.0.0/19"
    assert subnets["gitpod-network-public-eu-west-1b"]["cidrBlock"] == "10.100.228.0/22"
    assert len(plan.by_type("aws:ec2/natGateway:NatGateway")) == 2
    routes = {r.name: unwrap(r.inputs) for r in plan.by_type("aws:ec2/route:Route")}
    assert routes["gitpod-network-private-eu-west-1a-internet"]["natGatewayId"] == "${gitpod-network-nat-eu-west-1a.id}"
    assert routes["gitpod-network-public-internet"]["gatewayId"] == "${gitpod-network-igw.id}"


def test_explicit_zones_skip_the_lookup(variant):
    plan = variant
    assert "aws:index/getAvailabilityZones:getAvailabilityZones" not in plan.invokes
    zones = sorted(unwrap(r.inputs)["availabilityZone"] for r in plan.by_type("aws:ec2/subnet:Subnet") if "private" in r.name)
    assert zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_database_admits_only_the_nodes_on_3306(plan):
    db_group = one(plan, "aws:ec2/securityGroup:SecurityGroup", "gitpod-database-security-group")
    assert "ingress" not in unwrap(db_group.inputs) or not unwrap(db_group.inputs)["ingress"]
    rules = [unwrap(r.inputs) for r in plan.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    to_db = [r for r in rules if r["securityGroupId"] == "${gitpod-database-security-group.id}"]
    assert to_db == [
        {
            "securityGroupId": "${gitpod-database-security-group.id}",
            "referencedSecurityGroupId": "${gitpod-network-nodes.id}",
            "ipProtocol": "tcp",
            "fromPort": 3306,
            "toPort": 3306,
            "description": "MySQL from the Gitpod nodes",
        }
    ]
    assert not any("cidrIpv4" in r for r in rules)


# -- RDS -------------------------------------------------------------------------------------------
def test_rds_instance_is_private_encrypted_backed_up_and_protected(plan):
    db = one(plan, "aws:rds/instance:Instance", "gitpod-database-mysql")
    i = unwrap(db.inputs)
    assert db.protect
    assert (i["engine"], i["engineVersion"], i["instanceClass"]) == ("mysql", "5.7", "db.m5.large")
    assert i["dbName"] == "gitpod"
    assert i["publiclyAccessible"] is False
    assert i["storageEncrypted"] is True
    assert i["backupRetentionPeriod"] == 7
    assert i["deletionProtection"] is True
    assert i["skipFinalSnapshot"] is False
    assert i["finalSnapshotIdentifier"] == "gitpod-database-final-${gitpod-database-final-snapshot-suffix.hex}"
    assert i["multiAz"] is False
    assert i["dbSubnetGroupName"] == "${gitpod-database-subnets.name}"
    assert inputs(plan, "aws:rds/subnetGroup:SubnetGroup", "gitpod-database-subnets")["subnetIds"] == [
        "${gitpod-network-private-eu-west-1a.id}",
        "${gitpod-network-private-eu-west-1b.id}",
    ]
    password = inputs(plan, "random:index/randomPassword:RandomPassword", "gitpod-database-password")
    assert password["length"] == 32


def test_parameter_group_turns_explicit_defaults_for_timestamp_off(plan):
    group = inputs(plan, "aws:rds/parameterGroup:ParameterGroup", "gitpod-database-parameters")
    assert group["family"] == "mysql5.7"
    assert group["parameters"] == [
        {"name": "explicit_defaults_for_timestamp", "value": "0", "applyMethod": "pending-reboot"},
        # Dynamic: applied at once, no reboot.
        {"name": "require_secure_transport", "value": "1", "applyMethod": "immediate"},
    ]


def test_mysql_8_uses_native_passwords_and_multi_az_when_asked(variant):
    plan = variant
    group = inputs(plan, "aws:rds/parameterGroup:ParameterGroup", "gitpod-database-parameters")
    assert group["family"] == "mysql8.0"
    assert {p["name"]: p["value"] for p in group["parameters"]} == {
        "explicit_defaults_for_timestamp": "0",
        "default_authentication_plugin": "mysql_native_password",
        "require_secure_transport": "1",
    }
    db = inputs(plan, "aws:rds/instance:Instance", "gitpod-database-mysql")
    assert (db["engineVersion"], db["multiAz"], db["deletionProtection"]) == ("8.0", True, False)


# -- S3 and IAM ------------------------------------------------------------------------------------
@pytest.mark.parametrize("bucket", ["gitpod-storage", "gitpod-registry"])
def test_buckets_are_private_encrypted_versioned_and_tls_only(plan, bucket):
    assert one(plan, "aws:s3/bucket:Bucket", f"{bucket}-bucket").protect
    assert inputs(plan, "aws:s3/bucket:Bucket", f"{bucket}-bucket")["forceDestroy"] is False
    block = inputs(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{bucket}-public-access-block")
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    ownership = inputs(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{bucket}-ownership")
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    encryption = inputs(
        plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", f"{bucket}-encryption"
    )
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    versioning = inputs(plan, "aws:s3/bucketVersioning:BucketVersioning", f"{bucket}-versioning")
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    policy = json.loads(inputs(plan, "aws:s3/bucketPolicy:BucketPolicy", f"{bucket}-policy")["policy"])
    (statement,) = policy["Statement"]
    arn = f"${{{bucket}-bucket.arn}}"
    assert statement["Effect"] == "Deny"
    assert statement["Resource"] == [arn, f"{arn}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("bucket", ["gitpod-storage", "gitpod-registry"])
def test_bucket_users_can_reach_only_their_bucket(plan, bucket):
    policy = json.loads(inputs(plan, "aws:iam/userPolicy:UserPolicy", f"{bucket}-user-policy")["policy"])
    arn = f"${{{bucket}-bucket.arn}}"
    resources = {s["Resource"] for s in policy["Statement"]}
    assert resources == {arn, f"{arn}/*"}
    writes = next(s for s in policy["Statement"] if s["Resource"] == f"{arn}/*")
    assert "s3:PutObject" in writes["Action"]
    assert not any(a in ("s3:*", "s3:DeleteBucket", "s3:PutBucketPolicy") for s in policy["Statement"] for a in s["Action"])


def test_no_iam_document_allows_anything_on_every_resource(plan):
    documents = dict(policy_documents(plan))
    # 7 role trusts, cert-manager's, external-dns' and the autoscaler's policies, 2 user and 2 bucket policies
    assert len(documents) == 14
    for where, document in documents.items():
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow" or "Principal" in statement:
                continue
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            # Only read-only calls AWS cannot scope to a resource: external-dns' ListHostedZones and the
            # autoscaler's Describe calls.
            allowed = {"route53:ListHostedZones", *policies.AUTOSCALER_READ_ACTIONS}
            assert "*" not in resources or set(actions) <= allowed, where


def test_cert_manager_role_is_limited_to_txt_records_in_the_zone(plan):
    policy = json.loads(inputs(plan, "aws:iam/rolePolicy:RolePolicy", "gitpod-cluster-cert-manager-policy")["policy"])
    by_action = {s["Action"]: s for s in policy["Statement"]}
    change = by_action["route53:ChangeResourceRecordSets"]
    assert change["Resource"] == "${gitpod-dns-zone.arn}"
    assert change["Condition"] == {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}}
    assert by_action["route53:ListResourceRecordSets"]["Resource"] == "${gitpod-dns-zone.arn}"
    assert by_action["route53:GetChange"]["Resource"] == "arn:aws:route53:::change/*"
    trust = json.loads(inputs(plan, "aws:iam/role:Role", "gitpod-cluster-cert-manager")["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": "${gitpod-cluster-oidc.arn}"}
    assert statement["Condition"]["StringEquals"] == {
        "${gitpod-cluster-eks.oidcIssuer}:sub": "system:serviceaccount:cert-manager:cert-manager",
        "${gitpod-cluster-eks.oidcIssuer}:aud": "sts.amazonaws.com",
    }


def test_cert_manager_uses_the_role_and_the_route53_solver(plan):
    chart = inputs(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart")
    assert chart["values"]["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "${gitpod-cluster-cert-manager.arn}"}
    release = one(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart")
    assert plan.urn_of("gitpod-cluster-cert-manager-policy") in release.depends_on  # never starts with an empty role
    issuer = inputs(plan, "kubernetes:cert-manager.io/v1:ClusterIssuer", "gitpod-cert-manager-cluster-issuer")
    assert issuer["spec"]["acme"]["solvers"] == [
        {"dns01": {"route53": {"region": "eu-west-1", "hostedZoneID": "${gitpod-dns-zone.zoneId}"}}}
    ]


def test_registry_can_reuse_the_storage_bucket(variant):
    plan = variant
    assert [r.name for r in plan.by_type("aws:s3/bucket:Bucket")] == ["gitpod-storage-bucket"]
    assert installer_config(plan)["containerRegistry"]["s3storage"]["bucket"] == "${gitpod-storage-bucket.bucket}"
    assert secrets_in(plan)["container-registry-s3-backend"] == {
        "s3AccessKey": "${gitpod-storage-access-key.id}",
        "s3SecretKey": "${gitpod-storage-access-key.secret}",
    }
    assert installer_checks(plan) == []


# -- DNS -------------------------------------------------------------------------------------------
def test_zone_is_created_protected_for_the_domain(plan):
    zone = one(plan, "aws:route53/zone:Zone", "gitpod-dns-zone")
    assert zone.protect
    assert unwrap(zone.inputs)["name"] == "gitpod.example.com"
    assert unwrap(zone.inputs)["forceDestroy"] is False


def test_existing_zone_is_looked_up_not_created(variant):
    plan = variant
    assert plan.by_type("aws:route53/zone:Zone") == []
    assert "aws:route53/getZone:getZone" in plan.invokes
    issuer = inputs(plan, "kubernetes:cert-manager.io/v1:ClusterIssuer", "gitpod-cert-manager-cluster-issuer")
    assert issuer["spec"]["acme"]["solvers"][0]["dns01"]["route53"]["hostedZoneID"] == "Z0123456789ABCDEFGHIJ"
    policy = json.loads(inputs(plan, "aws:iam/rolePolicy:RolePolicy", "gitpod-cluster-cert-manager-policy")["policy"])
    change = next(s for s in policy["Statement"] if s["Action"] == "route53:ChangeResourceRecordSets")
    assert change["Resource"] == "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
    trust = json.loads(inputs(plan, "aws:iam/role:Role", "gitpod-cluster-cert-manager")["assumeRolePolicy"])
    assert (
        trust["Statement"][0]["Condition"]["StringEquals"]["${gitpod-cluster-eks.oidcIssuer}:sub"]
        == "system:serviceaccount:certs:cert-manager"
    )


def test_cloudflare_dns01_needs_no_route53(plan_stack):
    plan = plan_stack("aws", {"certificate.dns01": "cloudflare"}, {"certificate.cloudflare.apiToken": "cf-token"})
    assert plan.by_type("aws:route53/zone:Zone") == []
    assert not [r for r in plan.by_type("aws:iam/role:Role") if "cert-manager" in r.name]
    assert "serviceAccount" not in inputs(plan, "kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart")["values"]
    assert installer_checks(plan) == []


# -- wiring, protection, parallelism ----------------------------------------------------------------
def test_database_buckets_and_zone_never_wait_for_the_cluster(plan):
    cluster_side = {r.urn for r in plan.descendants(component(plan, "gitpod-cluster").urn)}
    assert plan.urn_of("gitpod-cluster-eks") in cluster_side
    for name in ("gitpod-database", "gitpod-storage", "gitpod-registry", "gitpod-dns"):
        descendants = plan.descendants(component(plan, name).urn)
        assert descendants, f"{name} declared nothing"
        for r in descendants:
            assert not waits_for(plan.resources, r.urn) & cluster_side, f"{r.name} waits for the cluster"
    # ...while the database does wait for the network it lives in (the check sees real edges):
    assert plan.urn_of("gitpod-network-nodes") in waits_for(plan.resources, plan.urn_of("gitpod-database-mysql-from-nodes"))


def test_cluster_does_not_wait_for_the_database_or_buckets(plan):
    data_side = set()
    for name in ("gitpod-database", "gitpod-storage", "gitpod-registry"):
        data_side |= {r.urn for r in plan.descendants(component(plan, name).urn)}
    for group in plan.by_type("aws:eks/nodeGroup:NodeGroup"):
        assert not waits_for(plan.resources, group.urn) & data_side


def test_stateful_resources_are_protected_and_only_they(plan, variant):
    protected = {r.name for r in plan.resources if r.protect}
    assert protected == {
        "gitpod-database-mysql",
        "gitpod-database-password",  # a new password would no longer match the database
        "gitpod-database-final-snapshot-suffix",  # names the final snapshot
        "gitpod-storage-bucket",
        "gitpod-registry-bucket",
        "gitpod-dns-zone",
        "gitpod-installer-namespace",
        "gitpod-installer-encryption-key",
    }
    assert not [r.name for r in variant.resources if r.protect]  # gitpod:protect false


def test_every_child_has_its_component_as_parent_and_urns_are_unique(plan):
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns))
    components = {r.urn: r for r in plan.resources if not r.custom}
    for r in plan.resources:
        if r.custom and r.type != "pulumi:providers:aws":
            assert r.parent in components, f"{r.name} is not parented to a component"
            assert r.name.startswith(components[r.parent].name), f"{r.name} is not named from its component"
    assert {c.type for c in components.values()} >= {
        "gitpod:index:Network",
        "gitpod:index:EksCluster",
        "gitpod:index:RdsMysql",
        "gitpod:index:S3Bucket",
        "gitpod:index:Route53Zone",
    }


# -- day 2: add-on versions, node-group sizes ------------------------------------------------------
def test_add_ons_carry_eks_default_versions_for_the_cluster_minor(plan):
    stash = one(plan, "pulumi:index:Stash", "gitpod-cluster-addon-versions")
    assert stash.replacement_trigger == "1.35"  # re-resolved when the minor changes, and only then
    versions = unwrap(stash.inputs)["input"]
    assert set(versions) == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"}
    assert versions["kube-proxy"].startswith("v1.35.")  # kube-proxy follows the cluster's minor
    for addon in plan.by_type("aws:eks/addon:Addon"):
        name = unwrap(addon.inputs)["addonName"]
        assert unwrap(addon.inputs)["addonVersion"] == versions[name]
        assert stash.urn in addon.depends_on
    assert plan.invokes.count("aws:eks/getAddonVersion:getAddonVersion") == 4


def test_a_kubernetes_upgrade_upgrades_the_add_ons(plan_stack):
    before = plan_stack("aws", {"cluster.kubernetesVersion": "1.34"})
    after = plan_stack("aws", {"cluster.kubernetesVersion": "1.35"})

    def versions(p: Plan) -> dict[str, str]:
        return {unwrap(a.inputs)["addonName"]: unwrap(a.inputs)["addonVersion"] for a in p.by_type("aws:eks/addon:Addon")}

    assert versions(before)["kube-proxy"].startswith("v1.34.") and versions(after)["kube-proxy"].startswith("v1.35.")


def test_node_groups_do_not_ignore_their_size(plan):
    for group in plan.by_type("aws:eks/nodeGroup:NodeGroup"):
        assert group.ignore_changes == []
        assert group.custom_timeouts == {"update": "6h"}  # a roll of a large group outlasts the 60-minute default
    assert "aws:eks/getNodeGroups:getNodeGroups" in plan.invokes


def _existing_groups(monkeypatch, sizes: dict[str, int]) -> None:
    """Answer the node-group lookups as EKS would for a cluster whose groups already run."""
    names = {tag: f"{tag.replace('gitpod', 'gitpod-cluster', 1)}-20260101" for tag in sizes}
    monkeypatch.setitem(harness.FAKE_INVOKES, "aws:eks/getNodeGroups:getNodeGroups", lambda args: {"names": list(names.values())})

    def group(args: dict[str, Any]) -> dict[str, Any]:
        tag = next(t for t, n in names.items() if n == args["nodeGroupName"])
        size = sizes[tag]
        return {"tags": {"Name": tag}, "scalingConfigs": [{"desiredSize": size, "minSize": 1, "maxSize": 50}]}

    monkeypatch.setitem(harness.FAKE_INVOKES, "aws:eks/getNodeGroup:getNodeGroup", group)


def _desired(plan: Plan) -> dict[str, int]:
    return {g.name: int(unwrap(g.inputs)["scalingConfig"]["desiredSize"]) for g in plan.by_type("aws:eks/nodeGroup:NodeGroup")}


def test_day_2_keeps_the_size_an_autoscaler_chose(plan_stack, monkeypatch):
    _existing_groups(monkeypatch, {"gitpod-services": 3, "gitpod-regular-workspaces": 12, "gitpod-headless-workspaces": 1})
    assert _desired(plan_stack("aws")) == {
        "gitpod-cluster-services": 3,
        "gitpod-cluster-regular-workspaces": 12,
        "gitpod-cluster-headless-workspaces": 1,
    }


def test_raising_min_nodes_above_the_current_size_raises_the_size(plan_stack, monkeypatch):
    """EKS refuses a minimum above the desired size sent with it ("Minimum capacity can't be greater than desired size")."""
    _existing_groups(monkeypatch, {"gitpod-services": 1, "gitpod-regular-workspaces": 12, "gitpod-headless-workspaces": 1})
    plan = plan_stack("aws", {"cluster.nodePools.regularWorkspaces.minNodes": "15", "cluster.nodePools.services.minNodes": "2"})
    groups = {g.name: unwrap(g.inputs)["scalingConfig"] for g in plan.by_type("aws:eks/nodeGroup:NodeGroup")}
    for config in groups.values():
        assert config["minSize"] <= config["desiredSize"] <= config["maxSize"]
    assert _desired(plan)["gitpod-cluster-regular-workspaces"] == 15
    assert _desired(plan)["gitpod-cluster-services"] == 2


# -- EC2's description rules -------------------------------------------------------------------------
SECURITY_GROUP_TYPES = {
    "aws:ec2/securityGroup:SecurityGroup": "group",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "rule",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "rule",
}


@pytest.mark.parametrize("which", ["plan", "variant"])
def test_every_security_group_and_rule_description_is_one_ec2_accepts(plan, variant, which):
    checked = 0
    for r in (plan if which == "plan" else variant).resources:
        kind = SECURITY_GROUP_TYPES.get(r.type)
        if kind is None:
            continue
        inputs_ = unwrap(r.inputs)
        texts = [(kind, inputs_.get("description"))]
        texts += [("rule", rule.get("description")) for key in ("ingress", "egress") for rule in inputs_.get(key) or []]
        for text_kind, text in texts:
            if text is None:
                continue
            checked += 1
            assert len(text) <= descriptions.MAX_LENGTH, r.name
            assert not descriptions.invalid_characters(text, text_kind), f"{r.name}: {text!r}"
    assert checked >= 5  # 2 groups and 3 rules at least: the check sees them


def test_the_instance_pins_a_ca_whose_region_root_gitpod_is_given(plan):
    """Left to RDS, the CA is the account's or AWS's default of the day, which the shipped roots may not cover."""
    db = inputs(plan, "aws:rds/instance:Instance", "gitpod-database-mysql")
    assert db["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    kind = db["caCertIdentifier"].removeprefix("rds-ca-").removesuffix("-g1").upper()  # RSA2048
    roots = secrets_in(plan)["database-ca"]["ca.crt"]
    assert any(dbtls.rds_root_name("eu-west-1", kind).encode() in der for _, der in dbtls.certificates(roots))


def test_moving_an_instance_to_the_pinned_ca_is_named_as_a_restart(plan_stack):
    """An instance created on another CA (the account's override, or rds-ca-2019 before 2024) moves in place, restarting."""
    head = render.to_json(plan_stack("aws"))
    base = json.loads(json.dumps(head))
    (db,) = [r for r in base["resources"] if r["type"] == "aws:rds/instance:Instance"]
    db["inputs"]["caCertIdentifier"] = "rds-ca-rsa4096-g1"
    result = diff.diff_plans(base, head)
    assert not result.flagged
    (restart,) = [d for d in result.disruptions if d.kind == "restart"]
    assert restart.name == "gitpod-database-mysql" and "caCertIdentifier" in restart.reason


# -- RDS major upgrade -------------------------------------------------------------------------------
def test_rds_changes_apply_during_up_not_in_a_later_window(plan):
    db = inputs(plan, "aws:rds/instance:Instance", "gitpod-database-mysql")
    assert db["applyImmediately"] is True
    assert db["allowMajorVersionUpgrade"] is True
    assert "name" not in inputs(plan, "aws:rds/parameterGroup:ParameterGroup", "gitpod-database-parameters")  # named by Pulumi


def test_the_5_7_to_8_0_upgrade_replaces_only_the_parameter_group_and_restarts_the_database(plan_stack):
    base = render.to_json(plan_stack("aws"))
    head = render.to_json(plan_stack("aws", {"database.version": "8.0"}))
    result = diff.diff_plans(base, head)
    assert not result.flagged and result.added == [] and result.removed == []
    changed = {c.name: c.inputs for c in result.changed}
    assert "family" in changed["gitpod-database-parameters"]  # ForceNew: a new group, created before the old one goes
    # The instance moves to the new group: its name is a placeholder on both sides, but it is a new one.
    assert set(changed["gitpod-database-mysql"]) == {"engineVersion", "parameterGroupName"}
    (restart,) = [d for d in result.disruptions if d.kind == "restart"]
    assert restart.name == "gitpod-database-mysql" and "engineVersion: '5.7' -> '8.0'" in restart.reason


# -- day 2 through `plan --diff` -------------------------------------------------------------------
def _diff(plan_stack, base: dict[str, str], head: dict[str, str]) -> diff.PlanDiff:
    return diff.diff_plans(render.to_json(plan_stack("aws", base)), render.to_json(plan_stack("aws", head)))


ALL_GROUPS = {"gitpod-cluster-services", "gitpod-cluster-regular-workspaces", "gitpod-cluster-headless-workspaces"}


def test_a_new_image_pin_shows_as_a_roll_of_every_node_group(plan_stack):
    result = _diff(plan_stack, {}, {"aws.nodeImage": "20260715"})
    assert {d.name for d in result.disruptions if d.kind == "roll"} == ALL_GROUPS
    assert all("imageId" in d.reason for d in result.disruptions)
    text, markdown = diff.render_text(result), diff.render_markdown(result)
    assert "ROLL aws:eks/nodeGroup:NodeGroup  gitpod-cluster-regular-workspaces" in text
    assert "**ROLL**" in markdown and "`gitpod-cluster-regular-workspaces`" in markdown and "workspaces running there stop" in markdown
    assert {d["name"] for d in diff.to_json(result)["disruptions"]} == ALL_GROUPS
    assert not result.flagged  # nothing is lost: `plan --diff` still exits 0


def test_a_kubernetes_upgrade_rolls_the_nodes_onto_the_new_minors_image(plan_stack):
    result = _diff(plan_stack, {"cluster.kubernetesVersion": "1.34"}, {"cluster.kubernetesVersion": "1.35"})
    assert {d.name for d in result.disruptions} == ALL_GROUPS
    changed = {c.name: (c.inputs, c.options) for c in result.changed}
    assert changed["gitpod-cluster-node-image"] == (("input",), ("replacementTrigger",))
    assert changed["gitpod-cluster-eks"][0] == ("version",)


def test_raising_min_nodes_rolls_nothing(plan_stack):
    result = _diff(plan_stack, {}, {"cluster.nodePools.regularWorkspaces.minNodes": "3"})
    assert result.disruptions == []
    assert {c.name for c in result.changed} == {"gitpod-cluster-regular-workspaces"}


def test_a_new_instance_type_replaces_only_that_node_group(plan_stack):
    result = _diff(plan_stack, {}, {"cluster.nodePools.headlessWorkspaces.machineType": "m6i.8xlarge"})
    assert [(d.kind, d.name) for d in result.disruptions] == [("replace", "gitpod-cluster-headless-workspaces")]
    assert "instanceTypes: ['m6i.4xlarge'] -> ['m6i.8xlarge']" in result.disruptions[0].reason


# -- what the deployer must be allowed to do --------------------------------------------------------
#: API calls terraform-provider-aws makes *besides* the create/update/delete call itself, for the
#: types this stack declares: the read-back after every create and update, and the wait on every
#: asynchronous EKS update. A deployer whose policy lacks one fails mid-`up`, after AWS has already
#: made the change. Read from hashicorp/terraform-provider-aws (Nov 2026):
#: internal/service/iam/role.go (resourceRoleRead: ListRolePolicies for the deprecated
#: `inline_policy`, ListAttachedRolePolicies; DeleteRole: ListInstanceProfilesForRole),
#: internal/service/iam/role_policy_attachment.go (findAttachedRolePolicyByTwoPartKey:
#: ListAttachedRolePolicies), internal/service/eks/{cluster,node_group,addon}.go
#: (waitClusterUpdateSuccessful, waitNodegroupUpdateSuccessful, waitAddonUpdateSuccessful: DescribeUpdate).
PROVIDER_SIDE_CALLS: dict[str, tuple[str, ...]] = {
    "aws:iam/role:Role": ("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("iam:ListAttachedRolePolicies",),
    "aws:eks/cluster:Cluster": ("eks:DescribeCluster", "eks:DescribeUpdate"),
    "aws:eks/nodeGroup:NodeGroup": ("eks:DescribeNodegroup", "eks:DescribeUpdate"),
    "aws:eks/addon:Addon": ("eks:DescribeAddon", "eks:DescribeUpdate"),
}


def _documented_actions() -> list[str]:
    """Every `service:Action` (or wildcard) in docs/aws.md's table of the deployer's permissions."""
    text = (ROOT / "docs" / "aws.md").read_text()
    section = text.split("## Required IAM permissions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([a-z0-9-]+:[A-Za-z0-9*]+)`", section)


def test_the_deployer_permissions_cover_the_providers_reads_and_waits(plan):
    documented = _documented_actions()
    declared = {r.type for r in plan.resources}
    missing = sorted(
        {
            action
            for type_, actions in PROVIDER_SIDE_CALLS.items()
            if type_ in declared
            for action in actions
            if not any(fnmatch.fnmatchcase(action, pattern) for pattern in documented)
        }
    )
    assert missing == [], f"docs/aws.md's IAM table lacks {missing}"


def test_pinning_the_ca_on_a_stack_that_left_it_to_rds_says_the_restart_depends_on_the_live_ca(plan_stack):
    """A stack from before the pin has no caCertIdentifier in its plan: RDS restarts only if the instance is on another CA."""
    head = render.to_json(plan_stack("aws"))
    base = json.loads(json.dumps(head))
    (db,) = [r for r in base["resources"] if r["type"] == "aws:rds/instance:Instance"]
    del db["inputs"]["caCertIdentifier"]
    (restart,) = [d for d in diff.diff_plans(base, head).disruptions if d.kind == "restart"]
    assert "caCertIdentifier: None -> 'rds-ca-rsa2048-g1' (unset before: only if the live value differs)" in restart.reason


def test_gitpod_installs_only_once_the_nodes_may_reach_the_database(plan):
    """The database's only ingress rule (3306 from the nodes) is a resource of its own next to the
    RDS instance: the installer's database Secret (and so its Job, whose session-init connects at
    once) must wait for it, not only for the instance."""
    secret = plan.one("kubernetes:core/v1:Secret", "gitpod-installer-database")
    waited = waits_for(plan.resources, secret.urn)
    assert plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "gitpod-database-mysql-from-nodes").urn in waited
    assert plan.one("aws:rds/instance:Instance").urn in waited
    assert waited <= waits_for(plan.resources, plan.one("kubernetes:batch/v1:Job", "gitpod-installation-job").urn)
