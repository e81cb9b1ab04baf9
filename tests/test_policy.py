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
from gitpod_refarch.compatibility import ALL_NODE_LABELS
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
        # As the engine passes them: the resources each input's value comes from.
        resource.property_dependencies = {key: [resources[u] for u in urns if u in resources] for key, urns in r.input_dependencies.items()}
    return list(resources.values())


def plan_violations(plan: Plan, config: Mapping[str, Mapping[str, Any]] | None = None, *, level: str | None = None) -> dict[str, list[str]]:
    """Every violation every policy (of `level`, if given) reports on a plan, keyed `policy: resource`.

    `config` is the policy config `--policy-pack-config` would pass, by policy name."""
    found: dict[str, list[str]] = {}
    for policy in pack.POLICIES:
        if level is not None and policy.enforcement_level != EnforcementLevel(level):
            continue
        settings = dict((config or {}).get(policy.name, {}))
        if isinstance(policy, ResourceValidationPolicy):
            for r in plan.resources:
                report = Violations()
                inputs = unknown_checking_proxy(unwrap(r.inputs))
                policy.validate(ResourceValidationArgs(r.type, inputs, r.urn, r.name, _opts(r.protect, r.parent), None, settings), report)
                if report:
                    found[f"{policy.name}: {r.name}"] = report
        else:
            stack_report = StackViolations(plan)
            policy.validate(StackValidationArgs(stack_resources(plan), settings), stack_report)
            for name, messages in stack_report.by_resource.items():
                found[f"{policy.name}: {name}"] = messages
    return found


class StackViolations:
    """A stack policy's `report_violation`: messages by the name of the resource they are about."""

    def __init__(self, plan: Plan) -> None:
        self.names = {r.urn: r.name for r in plan.resources}
        self.by_resource: dict[str, list[str]] = {}

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.by_resource.setdefault(self.names.get(urn or "", "(stack)"), []).append(message)


# -- every example stack passes at the default enforcement ------------------------------------------------
#: What the advisory rules report on each example stack as it is today (each a documented trade-off
#: or a setting the example leaves at its default; docs/security.md). A change here is a review item.
EXAMPLE_ADVISORIES: dict[str, set[str]] = {
    "local": set(),
    "aws": {
        "key-based-identities: gitpod-storage-access-key",
        "key-based-identities: gitpod-registry-access-key",
    },
    "gcp": {
        "key-based-identities: gitpod-gcs-key",
        "key-based-identities: gitpod-cloudsql-client-key",
        "key-based-identities: gitpod-registry-writer-key",
    },
    "azure": {
        "key-based-identities: gitpod-registry-acr",
    },
}


@pytest.mark.parametrize("stack", STACKS)
def test_every_example_stack_passes_the_mandatory_policies(plan_stack, stack):
    plan = plan_stack(stack)
    assert plan.resources
    assert plan_violations(plan, level="mandatory") == {}
    assert set(plan_violations(plan, level="advisory")) == EXAMPLE_ADVISORIES[stack]


# -- each rule fires on a real plan variant ------------------------------------------------------------------
#: (policy, stack, config overrides, policy config, the resource it reports, text of the message). Each
#: is a plan of an example stack with config a user can set, never a hand-built resource: a rule that
#: no config can make fire checks something the code fixes, and belongs in the program's tests.
FIRES: list[tuple[str, str, dict[str, str], dict[str, Any], str, str]] = [
    ("cluster-api-exposure", "aws", {"aws.publicAccessCidrs": "0.0.0.0/0"}, {}, "gitpod-cluster-eks", "gitpod:aws.publicAccessCidrs"),
    (
        "cluster-api-exposure",
        "gcp",
        {"gcp.masterAuthorizedNetworks": "10.0.0.0/8,0.0.0.0/0"},
        {},
        "gitpod-gke-cluster",
        "gitpod:gcp.masterAuthorizedNetworks",
    ),
    (
        "cluster-api-exposure",
        "azure",
        {"azure.authorizedIpRanges": "0.0.0.0/0"},
        {},
        "gitpod-cluster-aks",
        "gitpod:azure.authorizedIpRanges",
    ),
    ("database-tls", "aws", {"database.requireTls": "false"}, {}, "gitpod-database-parameters", "require_secure_transport"),
    ("database-tls", "azure", {"database.requireTls": "false"}, {}, "gitpod-database-require-secure-transport", "turned OFF"),
    ("no-public-nodes", "gcp", {"gcp.privateNodes": "false"}, {}, "gitpod-gke-cluster", "public IP addresses"),
    ("key-based-identities", "gcp", {}, {}, "gitpod-gcs-key", "service-account key"),
    ("key-based-identities", "aws", {}, {}, "gitpod-storage-access-key", "IAM access key"),
    ("key-based-identities", "azure", {}, {}, "gitpod-registry-acr", "admin user"),
    ("database-deletion-protection", "gcp", {"database.deletionProtection": "false"}, {}, "gitpod-cloudsql-instance", "deletionProtection"),
    ("database-deletion-protection", "aws", {"database.deletionProtection": "false"}, {}, "gitpod-database-mysql", "deletionProtection"),
    ("database-deletion-protection", "azure", {"database.deletionProtection": "false"}, {}, "gitpod-database-server", "CanNotDelete"),
    ("stateful-resources-protected", "local", {"protect": "false"}, {}, "gitpod-installer-namespace", "not protected"),
    ("mysql-version", "gcp", {"database.version": "8.0"}, {"allowedVersions": ["5.7"]}, "gitpod-cloudsql-instance", "MySQL 8.0"),
    ("cert-manager-chart-pinned", "local", {}, {"minimumVersion": "1.99"}, "gitpod-cert-manager-chart", "older than 1.99"),
]


@pytest.mark.parametrize(
    ("policy", "stack", "config", "policy_config", "resource", "expected"),
    FIRES,
    ids=[f"{f[0]}-{f[1]}-{i}" for i, f in enumerate(FIRES)],
)
def test_each_rule_fires_on_a_real_plan_variant(plan_stack, policy, stack, config, policy_config, resource, expected):
    found = plan_violations(plan_stack(stack, config), {policy: policy_config})
    mine = {key: messages for key, messages in found.items() if key.startswith(f"{policy}: ")}
    assert f"{policy}: {resource}" in mine, found
    assert expected in mine[f"{policy}: {resource}"][0]


def test_public_nodes_are_reported_on_the_cluster_and_every_pool(plan_stack):
    found = plan_violations(plan_stack("gcp", {"gcp.privateNodes": "false"}))
    assert sorted(key for key in found if key.startswith("no-public-nodes: ")) == [
        "no-public-nodes: gitpod-gke-cluster",
        "no-public-nodes: gitpod-gke-headless-workspaces",
        "no-public-nodes: gitpod-gke-regular-workspaces",
        "no-public-nodes: gitpod-gke-services",
    ]


#: Rules whose control the program now sets in code on every stack (issue 15: EKS control-plane logs,
#: AKS local accounts disabled), so no stack config makes them fire; they stay in the pack to guard
#: programs that import the components with other args, and their checks are tested on the resource
#: shapes in `test_unknown_values_are_not_judged`.
FIXED_IN_CODE = {"control-plane-logs", "aks-local-accounts"}


def test_every_rule_has_a_firing_variant():
    assert {p.name for p in pack.POLICIES} == {f[0] for f in FIRES} | FIXED_IN_CODE


@pytest.mark.parametrize("rule", sorted(FIXED_IN_CODE))
def test_controls_fixed_in_code_hold_on_every_example_stack(plan_stack, rule):
    for stack in STACKS:
        assert not [k for k in plan_violations(plan_stack(stack), level="advisory") if k.startswith(rule + ":")], stack


#: The same settings, chosen well: the rule is quiet.
QUIET: list[tuple[str, str, dict[str, str]]] = [
    ("cluster-api-exposure", "aws", {"aws.publicAccessCidrs": "203.0.113.0/24"}),
    ("cluster-api-exposure", "gcp", {"gcp.masterAuthorizedNetworks": "203.0.113.0/24"}),
    ("cluster-api-exposure", "azure", {"azure.authorizedIpRanges": "203.0.113.0/24"}),
    ("database-tls", "gcp", {}),
    ("database-tls", "aws", {}),
    ("database-tls", "azure", {}),
    ("no-public-nodes", "gcp", {}),
    ("key-based-identities", "local", {}),
]


@pytest.mark.parametrize(("policy", "stack", "config"), QUIET, ids=[f"{q[0]}-{q[1]}" for q in QUIET])
def test_rules_are_quiet_when_the_setting_is_chosen_well(plan_stack, policy, stack, config):
    found = plan_violations(plan_stack(stack, config))
    assert [key for key in found if key.startswith(f"{policy}: ")] == []


def test_the_azure_lock_must_be_on_the_database_server():
    """A CanNotDelete lock on something else (or a read-only one elsewhere) does not protect the server."""
    server = _resource(AZURE_MYSQL, "db", {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.DBforMySQL/flexibleServers/db"})
    elsewhere = _resource(AZURE_LOCK, "lock", {"level": "CanNotDelete", "scope": "/subscriptions/s/resourceGroups/other"})
    assert len(check_stack("database-deletion-protection", [server, elsewhere])) == 1
    on_server = _resource(AZURE_LOCK, "lock", {"level": "CanNotDelete", "scope": server.props["id"]})
    assert check_stack("database-deletion-protection", [server, on_server]) == []
    read_only = _resource(AZURE_LOCK, "lock", {"level": "ReadOnly", "scope": server.props["id"]})
    assert len(check_stack("database-deletion-protection", [server, read_only])) == 1


# -- stack policies --------------------------------------------------------------------------------------
def _resource(type_: str, name: str, props: Mapping[str, Any], *deps: PolicyResource) -> PolicyResource:
    urn = f"urn:pulumi:test::gitpod::{type_}::{name}"
    return PolicyResource(type_, unknown_checking_proxy(dict(props)), urn, name, _opts(), None, None, list(deps), {})


GCP_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
RDS = "aws:rds/instance:Instance"
AZURE_MYSQL = "azure-native:dbformysql:Server"
AZURE_LOCK = "azure-native:authorization:ManagementLockByScope"
GKE = "gcp:container/cluster:Cluster"
EKS = "aws:eks/cluster:Cluster"
AKS = "azure-native:containerservice:ManagedCluster"
RELEASE = "kubernetes:helm.sh/v3:Release"
PRIVATE_SQL = {"settings": {"ipConfiguration": {"ipv4Enabled": False, "sslMode": "ENCRYPTED_ONLY"}}}


# -- values unknown at preview never crash a policy or count as a violation ---------------------------------
UNKNOWN_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("cluster-api-exposure", EKS, {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": UNKNOWN_OBJECT_VALUE}}),
    ("cluster-api-exposure", GKE, {"masterAuthorizedNetworksConfig": UNKNOWN_OBJECT_VALUE}),
    ("cluster-api-exposure", AKS, {"apiServerAccessProfile": {"authorizedIPRanges": [UNKNOWN_STRING_VALUE]}}),
    ("control-plane-logs", EKS, {"enabledClusterLogTypes": [UNKNOWN_STRING_VALUE]}),
    ("aks-local-accounts", AKS, {"disableLocalAccounts": UNKNOWN_BOOLEAN_VALUE}),
    ("database-tls", GCP_SQL, {"settings": {"ipConfiguration": {"sslMode": UNKNOWN_STRING_VALUE}}}),
    ("database-tls", "aws:rds/parameterGroup:ParameterGroup", {"family": UNKNOWN_STRING_VALUE}),
    ("mysql-version", GCP_SQL, {"databaseVersion": UNKNOWN_STRING_VALUE}),
    ("mysql-version", RDS, {"engine": "mysql", "engineVersion": UNKNOWN_STRING_VALUE}),
    ("cert-manager-chart-pinned", RELEASE, {"chart": "cert-manager", "version": UNKNOWN_STRING_VALUE}),
]


@pytest.mark.parametrize(("policy", "type_", "props"), UNKNOWN_CASES, ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(UNKNOWN_CASES)])
def test_unknown_values_are_not_judged(policy, type_, props):
    assert check(policy, type_, props) == []


def test_unknown_values_do_not_fail_the_stack_checks():
    server = _resource(AZURE_MYSQL, "db", {})
    lock = _resource(AZURE_LOCK, "lock", {"level": UNKNOWN_STRING_VALUE, "scope": UNKNOWN_STRING_VALUE})
    assert check_stack("database-deletion-protection", [server, lock]) == []
    assert check_stack("database-deletion-protection", [_resource(RDS, "db", {"deletionProtection": UNKNOWN_BOOLEAN_VALUE})]) == []


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


def test_default_enforcement_levels():
    mysql = _analyze(_analyzer(), GCP_SQL, {"databaseVersion": "MYSQL_8_4", **PRIVATE_SQL})
    assert [(d.policyName, d.enforcementLevel) for d in mysql] == [("mysql-version", proto.MANDATORY)]
    unprotected = _analyze(_analyzer(), "random:index/randomBytes:RandomBytes", {"length": 32}, protect=False)
    assert [(d.policyName, d.enforcementLevel) for d in unprotected] == [("stateful-resources-protected", proto.ADVISORY)]


def test_enforcement_levels_are_configurable():
    props = {"databaseVersion": "MYSQL_8_4", **PRIVATE_SQL}
    advisory = _analyze(_analyzer({"mysql-version": (proto.ADVISORY, {})}), GCP_SQL, props)
    assert [d.enforcementLevel for d in advisory] == [proto.ADVISORY]
    assert _analyze(_analyzer({"mysql-version": (proto.DISABLED, {})}), GCP_SQL, props) == []


def test_policy_config_reaches_the_policies_through_the_analyzer():
    props = {"databaseVersion": "MYSQL_8_0", **PRIVATE_SQL, "deletionProtection": True}
    assert _analyze(_analyzer(), GCP_SQL, props) == []
    found = _analyze(_analyzer({"mysql-version": (proto.MANDATORY, {"allowedVersions": ["5.7"]})}), GCP_SQL, props)
    assert [d.policyName for d in found] == ["mysql-version"]


def test_unknown_values_never_reach_the_engine_as_cannot_run_diagnostics():
    props = {"settings": UNKNOWN_OBJECT_VALUE, "databaseVersion": UNKNOWN_STRING_VALUE, "deletionProtection": UNKNOWN_BOOLEAN_VALUE}
    assert _analyze(_analyzer(), GCP_SQL, props) == []


def test_stack_policies_run_through_the_analyzer():
    database = proto.AnalyzerResource(type=RDS, properties=_struct({"deletionProtection": False}), urn="urn:db", name="db")
    response = _analyzer().AnalyzeStack(proto.AnalyzeStackRequest(resources=[database]), None)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [("database-deletion-protection", proto.MANDATORY)]


# -- the pack itself --------------------------------------------------------------------------------------
def test_policy_names_are_unique_and_levels_explicit():
    names = [p.name for p in pack.POLICIES]
    assert len(names) == len(set(names))
    assert pack.DEFAULT_ENFORCEMENT == EnforcementLevel.MANDATORY
    advisory = {p.name for p in pack.POLICIES if p.enforcement_level == EnforcementLevel.ADVISORY}
    assert advisory == {
        "stateful-resources-protected",
        "cluster-api-exposure",
        "control-plane-logs",
        "aks-local-accounts",
        "no-public-nodes",
        "key-based-identities",
    }
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
    assert int(result.stdout) == len(pack.POLICIES) == 10
