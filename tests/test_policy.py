"""The policy pack (policy/): every rule passes on every example stack and fails on bad resources.

Policies run in-process: directly (`policy.validate(args, report)`, props wrapped in the engine's
unknown-checking proxy) and through pulumi-policy's own analyzer servicer, which applies the
enforcement levels and config `pulumi preview --policy-pack-config` would pass.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomllib
import yaml
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

import gitpod_refarch.compatibility
import gitpod_refarch_tools.stateful
from gitpod_refarch.compatibility import ALL_NODE_LABELS, ECR_REASON
from gitpod_refarch_tools.harness import Plan

from .conftest import ROOT, unwrap

POLICY_DIR = ROOT / "policy"
STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def _import_pack() -> ModuleType:
    """Import the pack as `pulumi preview` does: its directory first on the path (runpy.run_path)."""
    if str(POLICY_DIR) not in sys.path:
        sys.path.insert(0, str(POLICY_DIR))
    return importlib.import_module("gitpod_policies")


pack = _import_pack()


class Violations(list[str]):
    """A `report_violation` callback that keeps the messages."""

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append(message)


def _opts(protect: bool = False, parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def check(name: str, type_: str, props: Mapping[str, Any], *, protect: bool = False, config: Mapping[str, Any] | None = None) -> list[str]:
    """Violations one resource policy reports, with props behind the engine's unknown-checking proxy."""
    policy = pack.policy(name)
    assert isinstance(policy, ResourceValidationPolicy)
    found = Violations()
    args = ResourceValidationArgs(
        type_, unknown_checking_proxy(dict(props)), f"urn:pulumi:test::gitpod::{type_}::r", "r", _opts(protect), None, config
    )
    assert policy.validate(args, found) is None
    return found


def check_stack(name: str, resources: list[PolicyResource], config: Mapping[str, Any] | None = None) -> list[str]:
    policy = pack.policy(name)
    assert isinstance(policy, StackValidationPolicy)
    found = Violations()
    assert policy.validate(StackValidationArgs(resources, config), found) is None
    return found


def stack_resources(plan: Plan) -> list[PolicyResource]:
    """The plan's registrations as the engine hands them to stack policies (parents and dependencies linked)."""
    resources = {
        r.urn: PolicyResource(
            r.type, unknown_checking_proxy(unwrap(r.inputs)), r.urn, r.name, _opts(r.protect, r.parent), None, None, [], {}
        )
        for r in plan.resources
    }
    for r in plan.resources:
        resource = resources[r.urn]
        resource.parent = resources.get(r.parent or "")
        resource.dependencies = [resources[d] for d in r.depends_on if d in resources]
    return list(resources.values())


def plan_violations(plan: Plan) -> dict[str, list[str]]:
    """Every violation every policy reports on a plan, keyed `policy: resource`."""
    found: dict[str, list[str]] = {}
    for policy in pack.POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            for r in plan.resources:
                report = Violations()
                inputs = unknown_checking_proxy(unwrap(r.inputs))
                policy.validate(ResourceValidationArgs(r.type, inputs, r.urn, r.name, _opts(r.protect, r.parent), None, {}), report)
                if report:
                    found[f"{policy.name}: {r.name}"] = report
        else:
            report = Violations()
            policy.validate(StackValidationArgs(stack_resources(plan), {}), report)
            if report:
                found[f"{policy.name}: (stack)"] = report
    return found


# -- every example stack passes ---------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_passes_on_every_example_stack(plan_stack, stack):
    plan = plan_stack(stack)
    assert plan.resources
    assert plan_violations(plan) == {}


def test_the_local_stack_is_actually_checked(plan_stack):
    """The example passes for the right reasons: breaking it makes the policies report."""
    found = plan_violations(plan_stack("local", {"protect": "false", "cluster.labelNodes": ""}))
    assert list(found) == ["stateful-resources-protected: gitpod-installer-namespace"]
    partial = plan_stack("local")
    patch = partial.one("kubernetes:core/v1:NodePatch")
    del patch.inputs["metadata"]["labels"]["gitpod.io/workload_workspace_headless"]
    assert list(plan_violations(partial)) == ["gitpod-node-labels-complete: (stack)"]


# -- bad resources fail, good ones pass ----------------------------------------------------------------
GCP_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
RDS = "aws:rds/instance:Instance"
AZURE_MYSQL = "azure-native:dbformysql:Server"
GCS = "gcp:storage/bucket:Bucket"
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3 = "aws:s3/bucket:Bucket"
S3_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
GKE = "gcp:container/cluster:Cluster"
GKE_POOL = "gcp:container/nodePool:NodePool"
EKS_GROUP = "aws:eks/nodeGroup:NodeGroup"
AKS = "azure-native:containerservice:ManagedCluster"
AKS_POOL = "azure-native:containerservice:AgentPool"
RELEASE = "kubernetes:helm.sh/v3:Release"
CHART = "kubernetes:helm.sh/v4:Chart"
SERVICES = {label: "true" for label in ALL_NODE_LABELS[:4]}
PRIVATE_SQL = {"settings": {"ipConfiguration": {"ipv4Enabled": False, "privateNetwork": "projects/p/global/networks/gitpod"}}}

BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("no-public-database", GCP_SQL, {"settings": {"ipConfiguration": {"ipv4Enabled": True}}}, "public IPv4"),
    ("no-public-database", GCP_SQL, {"settings": {"tier": "db-custom-2-7680"}}, "public IPv4"),
    ("no-public-database", RDS, {"publiclyAccessible": True}, "publicly accessible"),
    ("no-public-database", AZURE_MYSQL, {"network": {"publicNetworkAccess": "Enabled"}}, "public network access"),
    ("no-public-database", AZURE_MYSQL, {"version": "8.0.21"}, "Azure enables it"),
    ("no-public-bucket", GCS, {"uniformBucketLevelAccess": False, "publicAccessPrevention": "enforced"}, "uniformBucketLevelAccess"),
    ("no-public-bucket", GCS, {"uniformBucketLevelAccess": True}, "publicAccessPrevention"),
    (
        "no-public-bucket",
        S3_PAB,
        {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": False},
        "restrictPublicBuckets",
    ),
    ("no-public-bucket", S3, {"bucket": "gitpod", "acl": "public-read"}, "public-read"),
    ("no-public-bucket", STORAGE_ACCOUNT, {"allowBlobPublicAccess": True}, "allowBlobPublicAccess"),
    ("no-public-bucket", STORAGE_ACCOUNT, {"kind": "StorageV2"}, "allowBlobPublicAccess"),
    ("no-public-bucket", BLOB_CONTAINER, {"publicAccess": "Blob"}, "publicAccess"),
    ("encryption-at-rest", RDS, {"storageEncrypted": False}, "not encrypted"),
    ("encryption-at-rest", RDS, {"engine": "mysql"}, "not encrypted"),
    ("encryption-at-rest", S3_SSE, {"bucket": "gitpod", "rules": [{"bucketKeyEnabled": True}]}, "sseAlgorithm"),
    ("database-deletion-protection", GCP_SQL, {"deletionProtection": False, "settings": {"deletionProtectionEnabled": False}}, "deletion"),
    ("database-deletion-protection", RDS, {"deletionProtection": False}, "deletionProtection"),
    ("gitpod-node-pool-labels", GKE_POOL, {"name": "pool", "nodeConfig": {"labels": {"team": "gitpod"}}}, "no Gitpod workload label"),
    ("gitpod-node-pool-labels", EKS_GROUP, {"nodeGroupName": "workspaces"}, "no Gitpod workload label"),
    ("gitpod-node-pool-labels", AKS_POOL, {"agentPoolName": "ws", "nodeLabels": {"gitpod.io/workload_meta": "false"}}, "'ws'"),
    ("gitpod-node-pool-labels", AKS, {"agentPoolProfiles": [{"name": "system", "mode": "System"}]}, "'system'"),
    ("gitpod-node-pool-labels", GKE, {"nodeConfig": {"imageType": "UBUNTU_CONTAINERD"}}, "'default-pool'"),
    ("no-ecr-registry", "aws:ecr/repository:Repository", {"name": "gitpod"}, ECR_REASON),
    (
        "gke-calico-network-policy",
        GKE,
        {"datapathProvider": "ADVANCED_DATAPATH", "networkPolicy": {"enabled": True, "provider": "CALICO"}},
        "Dataplane V2",
    ),
    ("gke-calico-network-policy", GKE, {"networkPolicy": {"enabled": False}}, "not Calico"),
    ("gke-calico-network-policy", GKE, {"removeDefaultNodePool": True}, "not Calico"),
    (
        "gke-calico-network-policy",
        GKE,
        {"networkPolicy": {"enabled": True, "provider": "CALICO"}, "addonsConfig": {"networkPolicyConfig": {"disabled": True}}},
        "add-on is disabled",
    ),
    ("gke-no-autopilot", GKE, {"enableAutopilot": True}, "Autopilot"),
    ("gke-ubuntu-containerd", GKE_POOL, {"nodeConfig": {"imageType": "COS_CONTAINERD"}}, "COS_CONTAINERD"),
    ("gke-ubuntu-containerd", GKE_POOL, {"name": "pool"}, "defaults to COS_CONTAINERD"),
    ("gke-ubuntu-containerd", GKE, {"removeDefaultNodePool": False, "nodeConfig": {"imageType": "COS"}}, "COS"),
    ("mysql-version", GCP_SQL, {"databaseVersion": "MYSQL_8_4"}, "MySQL 8.4 is not one of 5.7, 8.0"),
    ("mysql-version", GCP_SQL, {"databaseVersion": "POSTGRES_16"}, "needs MySQL"),
    ("mysql-version", RDS, {"engine": "mysql"}, "not pinned"),
    ("mysql-version", RDS, {"engine": "postgres", "engineVersion": "16.4"}, "needs MySQL"),
    ("mysql-version", RDS, {"engine": "mysql", "engineVersion": "8.4.3"}, "MySQL 8.4"),
    ("mysql-version", AZURE_MYSQL, {"version": "8.4"}, "MySQL 8.4"),
    (
        "cert-manager-chart-pinned",
        RELEASE,
        {"chart": "oci://quay.io/jetstack/charts/cert-manager", "version": "^1.15"},
        "pin an exact release",
    ),
    ("cert-manager-chart-pinned", RELEASE, {"chart": "cert-manager"}, "unset"),
    ("cert-manager-chart-pinned", CHART, {"chart": "cert-manager", "version": "v1.14.5"}, "older than 1.15"),
]

GOOD: list[tuple[str, str, dict[str, Any]]] = [
    ("no-public-database", GCP_SQL, PRIVATE_SQL),
    ("no-public-database", RDS, {"engine": "mysql"}),
    ("no-public-database", AZURE_MYSQL, {"network": {"delegatedSubnetResourceId": "/subscriptions/s/.../subnets/db"}}),
    ("no-public-database", AZURE_MYSQL, {"network": {"publicNetworkAccess": "Disabled"}}),
    ("no-public-bucket", GCS, {"uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced"}),
    (
        "no-public-bucket",
        S3_PAB,
        dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True),
    ),
    ("no-public-bucket", S3, {"bucket": "gitpod"}),
    ("no-public-bucket", STORAGE_ACCOUNT, {"allowBlobPublicAccess": False}),
    ("no-public-bucket", BLOB_CONTAINER, {"publicAccess": "None"}),
    ("encryption-at-rest", RDS, {"storageEncrypted": True}),
    ("encryption-at-rest", S3_SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}),
    ("database-deletion-protection", GCP_SQL, {"deletionProtection": False, "settings": {"deletionProtectionEnabled": True}}),
    ("database-deletion-protection", GCP_SQL, {"deletionProtection": True}),
    ("database-deletion-protection", RDS, {"deletionProtection": True}),
    ("gitpod-node-pool-labels", GKE_POOL, {"nodeConfig": {"labels": SERVICES}}),
    ("gitpod-node-pool-labels", EKS_GROUP, {"labels": {"gitpod.io/workload_workspace_regular": "true"}}),
    ("gitpod-node-pool-labels", AKS, {"agentPoolProfiles": [{"name": "services", "nodeLabels": SERVICES}]}),
    ("gitpod-node-pool-labels", GKE, {"removeDefaultNodePool": True}),
    ("gke-calico-network-policy", GKE, {"datapathProvider": "LEGACY_DATAPATH", "networkPolicy": {"enabled": True, "provider": "CALICO"}}),
    ("gke-no-autopilot", GKE, {"enableAutopilot": False}),
    ("gke-ubuntu-containerd", GKE_POOL, {"nodeConfig": {"imageType": "ubuntu_containerd"}}),
    ("gke-ubuntu-containerd", GKE, {"removeDefaultNodePool": True}),
    ("mysql-version", GCP_SQL, {"databaseVersion": "MYSQL_5_7"}),
    ("mysql-version", GCP_SQL, {"databaseVersion": "MYSQL_8_0_31"}),
    ("mysql-version", RDS, {"engine": "mysql", "engineVersion": "8.0.39"}),
    ("mysql-version", "aws:rds/cluster:Cluster", {"engine": "aurora-mysql", "engineVersion": "5.7.mysql_aurora.2.12.0"}),
    ("mysql-version", AZURE_MYSQL, {"version": "8.0.21"}),
    ("cert-manager-chart-pinned", RELEASE, {"chart": "oci://quay.io/jetstack/charts/cert-manager", "version": "v1.21.1"}),
    ("cert-manager-chart-pinned", RELEASE, {"chart": "ingress-nginx"}),
]


@pytest.mark.parametrize(
    ("policy", "type_", "props", "expected"), BAD, ids=[f"{p}-{t.split(':')[-1]}-{i}" for i, (p, t, _, _) in enumerate(BAD)]
)
def test_bad_resources_are_reported(policy, type_, props, expected):
    found = check(policy, type_, props)
    assert len(found) == 1, found
    assert expected in found[0]


@pytest.mark.parametrize(("policy", "type_", "props"), GOOD, ids=[f"{p}-{t.split(':')[-1]}-{i}" for i, (p, t, _) in enumerate(GOOD)])
def test_good_resources_pass(policy, type_, props):
    assert check(policy, type_, props) == []


def test_every_policy_has_bad_fixtures():
    resource_policies = {p.name for p in pack.POLICIES if isinstance(p, ResourceValidationPolicy)}
    assert resource_policies - {"stateful-resources-protected"} == {policy for policy, *_ in BAD}


def test_stateful_resources_must_be_protected_but_passwords_may_be_regenerated():
    assert check("stateful-resources-protected", "random:index/randomBytes:RandomBytes", {"length": 32}) != []
    assert check("stateful-resources-protected", GCP_SQL, PRIVATE_SQL, protect=True) == []
    assert check("stateful-resources-protected", "random:index/randomPassword:RandomPassword", {"length": 32}) == []
    assert check("stateful-resources-protected", "kubernetes:core/v1:ConfigMap", {}) == []


def test_node_pools_can_be_exempted_by_config():
    props = {"agentPoolName": "system", "nodeLabels": {}}
    assert check("gitpod-node-pool-labels", AKS_POOL, props) != []
    assert check("gitpod-node-pool-labels", AKS_POOL, props, config={"exemptPools": ["system"]}) == []


def test_allowed_mysql_versions_are_configurable():
    props = {"databaseVersion": "MYSQL_8_0"}
    assert check("mysql-version", GCP_SQL, props) == []
    assert "MySQL 8.0 is not one of 5.7" in check("mysql-version", GCP_SQL, props, config={"allowedVersions": ["5.7"]})[0]


# -- stack policies --------------------------------------------------------------------------------------
def _resource(type_: str, name: str, props: Mapping[str, Any], *deps: PolicyResource) -> PolicyResource:
    urn = f"urn:pulumi:test::gitpod::{type_}::{name}"
    return PolicyResource(type_, unknown_checking_proxy(dict(props)), urn, name, _opts(), None, None, list(deps), {})


def test_every_s3_bucket_needs_a_public_access_block_and_encryption():
    bucket = _resource(S3, "gitpod-storage", {"bucket": "gitpod-storage-1234"})
    found = check_stack("s3-bucket-guards", [bucket])
    assert len(found) == 2
    assert "no BucketPublicAccessBlock" in found[0] and "no BucketServerSideEncryptionConfiguration" in found[1]

    block = _resource(S3_PAB, "gitpod-storage-block", {"bucket": "${gitpod-storage.id}"}, bucket)
    encryption = _resource(S3_SSE, "gitpod-storage-sse", {"bucket": "gitpod-storage-1234"})  # matched by name
    assert check_stack("s3-bucket-guards", [bucket, block, encryption]) == []
    other = _resource(S3, "other", {"bucket": "other"})
    assert len(check_stack("s3-bucket-guards", [bucket, block, encryption, other])) == 2


def test_node_pools_together_must_carry_every_gitpod_label():
    services = _resource(GKE_POOL, "services", {"nodeConfig": {"labels": SERVICES}})
    regular = _resource(GKE_POOL, "regular", {"nodeConfig": {"labels": {"gitpod.io/workload_workspace_regular": "true"}}})
    headless = _resource(EKS_GROUP, "headless", {"labels": {"gitpod.io/workload_workspace_headless": "true"}})
    found = check_stack("gitpod-node-labels-complete", [services, regular])
    assert len(found) == 1 and "gitpod.io/workload_workspace_headless=true" in found[0]
    assert check_stack("gitpod-node-labels-complete", [services, regular, headless]) == []
    assert check_stack("gitpod-node-labels-complete", [_resource("kubernetes:core/v1:Namespace", "ns", {})]) == []


# -- values unknown at preview never crash a policy or count as a violation ---------------------------------
UNKNOWN_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("no-public-database", GCP_SQL, {"settings": {"ipConfiguration": {"ipv4Enabled": UNKNOWN_BOOLEAN_VALUE}}}),
    ("no-public-database", GCP_SQL, {"settings": UNKNOWN_OBJECT_VALUE}),
    ("no-public-database", AZURE_MYSQL, {"network": {"publicNetworkAccess": UNKNOWN_STRING_VALUE}}),
    ("no-public-bucket", GCS, {"uniformBucketLevelAccess": UNKNOWN_BOOLEAN_VALUE, "publicAccessPrevention": UNKNOWN_STRING_VALUE}),
    (
        "no-public-bucket",
        S3_PAB,
        dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), UNKNOWN_BOOLEAN_VALUE),
    ),
    ("no-public-bucket", STORAGE_ACCOUNT, {"allowBlobPublicAccess": UNKNOWN_BOOLEAN_VALUE}),
    ("encryption-at-rest", RDS, {"storageEncrypted": UNKNOWN_BOOLEAN_VALUE}),
    ("encryption-at-rest", S3_SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN_STRING_VALUE}}]}),
    ("database-deletion-protection", GCP_SQL, {"deletionProtection": UNKNOWN_BOOLEAN_VALUE}),
    ("gitpod-node-pool-labels", GKE_POOL, {"nodeConfig": {"labels": UNKNOWN_OBJECT_VALUE}}),
    ("gitpod-node-pool-labels", EKS_GROUP, {"labels": {"gitpod.io/workload_meta": UNKNOWN_STRING_VALUE}}),
    ("gitpod-node-pool-labels", AKS, {"agentPoolProfiles": [UNKNOWN_OBJECT_VALUE]}),
    ("gke-calico-network-policy", GKE, {"networkPolicy": {"enabled": UNKNOWN_BOOLEAN_VALUE, "provider": "CALICO"}}),
    ("gke-ubuntu-containerd", GKE_POOL, {"nodeConfig": {"imageType": UNKNOWN_STRING_VALUE}}),
    ("mysql-version", GCP_SQL, {"databaseVersion": UNKNOWN_STRING_VALUE}),
    ("mysql-version", RDS, {"engine": "mysql", "engineVersion": UNKNOWN_STRING_VALUE}),
    ("cert-manager-chart-pinned", RELEASE, {"chart": "cert-manager", "version": UNKNOWN_STRING_VALUE}),
]


@pytest.mark.parametrize(("policy", "type_", "props"), UNKNOWN_CASES, ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(UNKNOWN_CASES)])
def test_unknown_values_are_not_judged(policy, type_, props):
    assert check(policy, type_, props) == []


def test_unknown_labels_do_not_fail_the_stack_check():
    pool = _resource(GKE_POOL, "services", {"nodeConfig": {"labels": UNKNOWN_OBJECT_VALUE}})
    assert check_stack("gitpod-node-labels-complete", [pool]) == []


# -- through the analyzer: enforcement levels and config, as `pulumi preview` applies them ---------------------
#: protobuf ships no type stubs; the module is only used to build the engine's property structs.
struct_pb2 = importlib.import_module("google.protobuf.struct_pb2")


def _struct(value: Mapping[str, Any]) -> Any:
    struct = struct_pb2.Struct()
    struct.update(dict(value))
    return struct


def _analyzer(config: Mapping[str, tuple[Any, Mapping[str, Any]]] | None = None) -> _PolicyAnalyzerServicer:
    servicer = _PolicyAnalyzerServicer(pack.PACK_NAME, "0.1.0", pack.POLICIES, pack.DEFAULT_ENFORCEMENT)
    if config is not None:
        policy_config = {
            name: proto.PolicyConfig(enforcementLevel=level, properties=_struct(props)) for name, (level, props) in config.items()
        }
        servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=policy_config), None)
    return servicer


def _analyze(servicer: _PolicyAnalyzerServicer, type_: str, props: Mapping[str, Any], *, protect: bool = True) -> list[Any]:
    request = proto.AnalyzeRequest(
        type=type_,
        properties=_struct(props),
        urn=f"urn:pulumi:test::gitpod::{type_}::r",
        name="r",
        options=proto.AnalyzerResourceOptions(protect=protect),
    )
    return list(servicer.Analyze(request, None).diagnostics)


ECR = "aws:ecr/repository:Repository"


def test_default_enforcement_levels():
    ecr = _analyze(_analyzer(), ECR, {"name": "gitpod"})
    assert [(d.policyName, d.enforcementLevel) for d in ecr] == [("no-ecr-registry", proto.MANDATORY)]
    unprotected = _analyze(_analyzer(), "random:index/randomBytes:RandomBytes", {"length": 32}, protect=False)
    assert [(d.policyName, d.enforcementLevel) for d in unprotected] == [("stateful-resources-protected", proto.ADVISORY)]


def test_enforcement_levels_are_configurable():
    advisory = _analyze(_analyzer({"no-ecr-registry": (proto.ADVISORY, {})}), ECR, {"name": "gitpod"})
    assert [d.enforcementLevel for d in advisory] == [proto.ADVISORY]
    assert _analyze(_analyzer({"no-ecr-registry": (proto.DISABLED, {})}), ECR, {"name": "gitpod"}) == []


def test_policy_config_reaches_the_policies_through_the_analyzer():
    props = {"databaseVersion": "MYSQL_8_0", **PRIVATE_SQL, "deletionProtection": True}
    assert _analyze(_analyzer(), GCP_SQL, props) == []
    found = _analyze(_analyzer({"mysql-version": (proto.MANDATORY, {"allowedVersions": ["5.7"]})}), GCP_SQL, props)
    assert [d.policyName for d in found] == ["mysql-version"]


def test_unknown_values_never_reach_the_engine_as_cannot_run_diagnostics():
    props = {"settings": UNKNOWN_OBJECT_VALUE, "databaseVersion": UNKNOWN_STRING_VALUE, "deletionProtection": UNKNOWN_BOOLEAN_VALUE}
    assert _analyze(_analyzer(), GCP_SQL, props) == []


def test_stack_policies_run_through_the_analyzer():
    pool = proto.AnalyzerResource(
        type=GKE_POOL,
        properties=_struct({"nodeConfig": {"labels": SERVICES, "imageType": "UBUNTU_CONTAINERD"}}),
        urn="urn:a",
        name="services",
    )
    response = _analyzer().AnalyzeStack(proto.AnalyzeStackRequest(resources=[pool]), None)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [("gitpod-node-labels-complete", proto.MANDATORY)]


# -- the pack itself --------------------------------------------------------------------------------------
def test_policy_names_are_unique_and_levels_explicit():
    names = [p.name for p in pack.POLICIES]
    assert len(names) == len(set(names))
    assert pack.DEFAULT_ENFORCEMENT == EnforcementLevel.MANDATORY
    advisory = {p.name for p in pack.POLICIES if p.enforcement_level == EnforcementLevel.ADVISORY}
    assert advisory == {"stateful-resources-protected"}
    # Each policy states its level next to its check, rather than inheriting the pack's.
    assert [p.name for p in pack.POLICIES if p.enforcement_level is None] == []


def test_main_only_constructs_the_pack():
    """PolicyPack(...) serves gRPC forever, so __main__.py must hold nothing else worth testing."""
    tree = ast.parse((POLICY_DIR / "__main__.py").read_text())
    body = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    docstring, call = body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "PolicyPack"


def test_pack_metadata_and_pins():
    meta = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert meta["runtime"]["name"] == "python" and meta["version"]
    pins = dict(line.split("==") for line in (POLICY_DIR / "requirements.txt").read_text().splitlines() if "==" in line)
    program = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    assert pins["pulumi-policy"] == importlib.metadata.version("pulumi-policy") == "1.21.0"
    assert pins["pulumi"] == program["pulumi"]
    # The components' own dependencies are pinned as in the program, so both run the same versions.
    assert {name: pins[name] for name in ("pulumi-kubernetes", "pulumi-random", "PyYAML")} == {
        name: program[name] for name in ("pulumi-kubernetes", "pulumi-random", "PyYAML")
    }


def test_example_policy_config_names_real_policies_and_settings():
    config = json.loads((POLICY_DIR / "config.example.json").read_text())
    levels = {level.value for level in EnforcementLevel}
    for name, value in config.items():
        policy = pack.policy(name)
        if isinstance(value, str):
            assert value in levels
            continue
        assert value.get("enforcementLevel", "advisory") in levels
        settings = set(value) - {"enforcementLevel"}
        assert settings <= set(policy.config_schema.properties if policy.config_schema else {}), name


def test_pack_imports_what_it_shares_from_the_program_not_a_copy():
    """Gitpod's rules and the stateful types are the program's modules, imported normally."""
    gitpod = importlib.import_module("gitpod_policies.gitpod")
    data_safety = importlib.import_module("gitpod_policies.data_safety")
    assert gitpod.compatibility is gitpod_refarch.compatibility
    assert Path(gitpod.compatibility.__file__).resolve() == (ROOT / "components/gitpod_refarch/compatibility.py").resolve()
    assert gitpod.compatibility.ALL_NODE_LABELS == ALL_NODE_LABELS
    assert data_safety.stateful is gitpod_refarch_tools.stateful
    assert "gcp:sql/databaseInstance:DatabaseInstance" in data_safety.stateful.STATEFUL_TYPES
    # ... and nothing loads a file by path any more.
    for module in POLICY_DIR.rglob("*.py"):
        if "venv" in module.relative_to(POLICY_DIR).parts:
            continue
        imported = {
            alias.name.partition(".")[0]
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {(node.module or "").partition(".")[0] for node in ast.walk(ast.parse(module.read_text())) if isinstance(node, ast.ImportFrom)}
        assert "importlib" not in imported, module


def test_pack_requirements_install_the_shared_packages_from_this_checkout_without_cloud_sdks():
    """`pulumi install` runs pip in the pack's directory, so `-e` paths are relative to policy/."""
    lines = [line.split("#")[0].strip() for line in (POLICY_DIR / "requirements.txt").read_text().splitlines()]
    editable = [line.removeprefix("-e").strip() for line in lines if line.startswith("-e")]
    names = {tomllib.loads((POLICY_DIR / path / "pyproject.toml").read_text())["project"]["name"] for path in editable}
    assert names == {"gitpod-refarch", "gitpod-refarch-tools"}
    assert not [path for path in editable if "[" in path], "an extra would install a cloud SDK into the pack's virtualenv"


def test_pack_loads_without_any_cloud_sdk():
    """The pack's virtualenv has no cloud SDK: importing the pack must not need one."""
    script = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in ('pulumi_aws', 'pulumi_gcp', 'pulumi_azure_native'):\n"
        "            raise ImportError(f'no cloud SDK in the pack: {name}')\n"
        "sys.meta_path.insert(0, Block())\n"
        f"sys.path.insert(0, {str(POLICY_DIR)!r})\n"
        "import gitpod_policies\n"
        "print(len(gitpod_policies.POLICIES))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=POLICY_DIR)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(pack.POLICIES) == 14


def _break(plan: Plan, name: str, path: str, value: Any) -> None:
    """Set `path` (dotted) in one registration's inputs, unwrapping secret markers on the way."""
    registration = next(r for r in plan.resources if r.name == name)
    registration.inputs = unwrap(registration.inputs)
    node = registration.inputs
    *parents, leaf = path.split(".")
    for part in parents:
        node = node[part]
    node[leaf] = value


@pytest.mark.parametrize(
    ("stack", "name", "path", "value", "expected"),
    [
        ("gcp", "gitpod-cloudsql-instance", "settings.ipConfiguration.ipv4Enabled", True, "no-public-database: gitpod-cloudsql-instance"),
        ("gcp", "gitpod-gke-cluster", "datapathProvider", "ADVANCED_DATAPATH", "gke-calico-network-policy: gitpod-gke-cluster"),
        ("aws", "gitpod-database-mysql", "publiclyAccessible", True, "no-public-database: gitpod-database-mysql"),
        ("aws", "gitpod-database-mysql", "storageEncrypted", False, "encryption-at-rest: gitpod-database-mysql"),
        ("azure", "gitpod-storage-account", "allowBlobPublicAccess", True, "no-public-bucket: gitpod-storage-account"),
    ],
)
def test_each_cloud_stack_is_actually_checked(plan_stack, stack, name, path, value, expected):
    """Each cloud's example passes for the right reasons: one insecure input makes exactly its policy report."""
    plan = plan_stack(stack)
    _break(plan, name, path, value)
    assert list(plan_violations(plan)) == [expected]
