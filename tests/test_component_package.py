"""The multi-language component package: `GitpodReferenceArchitecture` and the schema other languages see.

The schema is generated in-process by the SDK's own analyzer (what `component_provider_host`
serves to `pulumi package get-schema`), so no Pulumi CLI is needed.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import sys
import typing
from collections.abc import Mapping
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.schema import generate_schema
from pulumi.provider.server import ComponentInitError, ProviderServicer
from pulumi.runtime import rpc

from gitpod_refarch import provider as package
from gitpod_refarch.certmanager.component import ISSUERS as CERT_MANAGER_ISSUERS
from gitpod_refarch.contracts import CONTAINERD_K3S
from gitpod_refarch.program import main as program
from gitpod_refarch.reference import OUTPUTS, GitpodReferenceArchitecture, GitpodReferenceArchitectureArgs
from gitpod_refarch_tools.harness import Plan, PlanError, run_program
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, plan_stack_file, unwrap
from .test_urn_stability import STACKS

COMPONENT = "gitpod:index:GitpodReferenceArchitecture"
#: protobuf ships no type stubs; the module is only used to build the engine's property structs.
struct_pb2 = importlib.import_module("google.protobuf.struct_pb2")


def schema() -> dict[str, Any]:
    result = Analyzer(package.NAME).analyze(package.COMPONENTS)
    deps = sorted(result["dependencies"], key=lambda d: d.name)
    return generate_schema(package.NAME, package.VERSION, None, result["component_definitions"], result["type_definitions"], deps).to_json()


# -- the schema ------------------------------------------------------------------------------------
def test_the_package_exports_the_architecture_and_the_reusable_components():
    assert {"gitpod:index:ExistingCluster", COMPONENT, "gitpod:index:CertManager", "gitpod:index:InstallerConfig"} <= set(
        schema()["resources"]
    )


def test_architecture_inputs_mirror_the_stack_settings():
    resource = schema()["resources"][COMPONENT]
    inputs = resource["inputProperties"]
    # every top-level setting, under its config key
    from gitpod_refarch.settings.load import TOP_LEVEL_KEYS

    assert set(TOP_LEVEL_KEYS) | {"gcp", "aws", "azure"} == set(inputs)
    assert resource["requiredInputs"] == ["domain"]
    # settings are plain (they decide which resources exist); credentials may be Outputs
    assert inputs["domain"] == {"type": "string", "plain": True, "description": inputs["domain"]["description"]}
    types = schema()["types"]
    assert types["gitpod:index:ExternalDatabaseOptions"]["properties"]["password"]["type"] == "string"
    assert "plain" not in types["gitpod:index:ExternalDatabaseOptions"]["properties"]["password"]
    assert types["gitpod:index:ExternalDatabaseOptions"]["properties"]["port"]["type"] == "integer"
    assert types["gitpod:index:ClusterOptions"]["properties"]["labelNodes"]["items"]["type"] == "string"
    assert inputs["authProviders"]["items"]["$ref"] == "#/types/gitpod:index:AuthProviderOptions"
    assert inputs["aws"]["additionalProperties"]["$ref"] == "pulumi.json#/Any"
    # every property documented
    for name, prop in [*inputs.items(), *((f"{t}.{p}", v) for t, d in types.items() for p, v in d.get("properties", {}).items())]:
        assert prop.get("description"), f"{name} has no description"


def test_architecture_outputs_are_the_stack_outputs():
    resource = schema()["resources"][COMPONENT]
    assert set(resource["properties"]) == set(OUTPUTS)
    assert sorted(resource["required"]) == [
        "certificateSecret",
        "installerConfig",
        "issuer",
        "namespace",
        "registryServer",
        "registryUrl",
        "url",
        "warnings",
    ]
    assert resource["properties"]["kubeconfig"]["type"] == "string"
    assert resource["properties"]["nameServers"] == {
        "type": "array",
        "items": {"type": "string", "description": resource["properties"]["nameServers"]["description"]},
        "description": resource["properties"]["nameServers"]["description"],
    }


def test_the_schema_depends_only_on_the_kubernetes_package():
    # ExistingCluster's `provider` output is a reference to the kubernetes provider resource.
    assert [d["name"] for d in schema().get("dependencies", [])] == ["kubernetes"]


# -- one implementation: the component builds what the program builds --------------------------------
def _snake(config_key: str, shape: Any) -> tuple[str, Any]:
    hints = shape.__annotations__ if typing.is_typeddict(shape) else {}
    for key, hint in hints.items():
        if pulumi.provider.experimental.util.camel_case(key) == config_key:
            return key, hint
    return config_key, None


def _args(value: Any, shape: Any) -> Any:
    """Stack config (camelCase, objects as JSON text) -> the component's args (snake_case TypedDicts)."""
    if isinstance(value, Mapping) and shape is not None and typing.is_typeddict(shape):
        out = {}
        for key, item in value.items():
            name, hint = _snake(key, shape)
            out[name] = _args(item, hint)
        return out
    if isinstance(value, list) and typing.get_origin(shape) is list:
        return [_args(v, typing.get_args(shape)[0]) for v in value]
    return value


def stack_args(stack: str) -> dict[str, Any]:
    _, cfg = build_config(ROOT, stack, [], [])
    top = {}
    for key, raw in cfg.values.items():
        if not key.startswith("gitpod:"):
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        if not isinstance(value, dict | list):
            value = raw if key != "gitpod:protect" else value
        top[key.removeprefix("gitpod:")] = value
    return _args(top, GitpodReferenceArchitectureArgs)


def plan_component(args: Mapping[str, Any], stack: str, config: Mapping[str, str] | None = None) -> Plan:
    def run() -> None:
        arch = GitpodReferenceArchitecture("gitpod", typing.cast(GitpodReferenceArchitectureArgs, args))
        for key, attribute in OUTPUTS.items():
            value = getattr(arch, attribute)
            if value is not None:
                pulumi.export(key, value)

    return run_program(run, dict(config or {}), project="gitpod", stack=stack)


def _program_plan(stack: str) -> Plan:
    project, cfg = build_config(ROOT, stack, [], [])
    return run_program(program, cfg.values, cfg.secret_keys, project=project, stack=stack)


@pytest.mark.parametrize("stack", STACKS)
def test_component_declares_what_the_program_declares(stack):
    base = _program_plan(stack)
    # settings of non-gitpod namespaces (none today) would still be the program's
    extra = {k: v for k, v in build_config(ROOT, stack, [], [])[1].values.items() if not k.startswith("gitpod:")}
    comp = plan_component(stack_args(stack), stack, extra)

    root = comp.one(COMPONENT, "gitpod")
    assert root.urn == f"urn:pulumi:{stack}::gitpod::{COMPONENT}::gitpod"
    # the same resources (type, name, inputs), each one under the component
    assert sorted((r.type, r.name) for r in comp.resources if r is not root) == sorted((r.type, r.name) for r in base.resources)
    assert {r.urn for r in comp.descendants(root.urn)} == {r.urn for r in comp.resources} - {root.urn}
    by_key = {(r.type, r.name): r for r in base.resources}
    for r in comp.resources:
        if r is not root:
            assert r.inputs == by_key[(r.type, r.name)].inputs, f"{r.type} {r.name}"
    # the same outputs, secret where the program's are secret
    assert comp.outputs == base.outputs
    assert set(base.outputs) <= set(OUTPUTS), f"outputs the component does not declare: {set(base.outputs) - set(OUTPUTS)}"
    assert comp.secret_outputs == base.secret_outputs


def test_kubeconfig_is_a_secret_output():
    comp = plan_component(stack_args("aws"), "aws")
    assert "kubeconfig" in comp.outputs
    assert "kubeconfig" in comp.secret_outputs


def test_credentials_may_be_outputs_and_stay_secret():
    args = stack_args("local")
    args["auth_providers"] = [{"client_id": "abc", "client_secret": pulumi.Output.from_input("s3cr3t-from-elsewhere")}]
    comp = plan_component(args, "local")
    found = [r for r in comp.by_type("kubernetes:core/v1:Secret") if "s3cr3t-from-elsewhere" in json.dumps(unwrap(r.inputs))]
    assert len(found) == 1
    data = found[0].inputs["stringData"]
    assert rpc.is_rpc_secret(data) or rpc.is_rpc_secret(data["provider"]), "the client secret reached a Secret in clear"


def test_bad_args_fail_before_any_resource_with_every_problem_and_no_secret():
    args = dict(stack_args("local"))
    args["cluster"] = {**args["cluster"], "distribution": "k4s"}
    args["domain"] = "Not A Domain"
    args["database"] = {"mode": "external", "external": {"host": "db", "password": pulumi.Output.secret("hunter2")}}
    with pytest.raises(PlanError) as failed:
        plan_component(args, "local")
    text = "\n".join(failed.value.args[0]) if isinstance(failed.value.args[0], list) else str(failed.value)
    assert "invalid GitpodReferenceArchitecture args" in text
    assert "gitpod:cluster.distribution" in text and "gitpod:domain" in text
    assert "hunter2" not in text


def test_settings_given_as_outputs_are_refused_clearly():
    args = dict(stack_args("local"))
    args["namespace"] = pulumi.Output.from_input("gitpod")
    with pytest.raises(PlanError) as failed:
        plan_component(args, "local")
    assert "gitpod:namespace" in str(failed.value) and "an Output" in str(failed.value)


# -- the plugin --------------------------------------------------------------------------------------
def _pins(path: str) -> list[str]:
    lines = (ROOT / path).read_text().splitlines()
    return sorted(line for line in lines if "==" in line and not line.startswith("#"))


def test_plugin_runs_python_with_the_program_pins():
    import yaml

    plugin = yaml.safe_load((ROOT / "provider" / "PulumiPlugin.yaml").read_text())
    assert plugin["runtime"]["name"] == "python"
    assert _pins("provider/requirements.txt") == _pins("requirements.txt")


def test_plugin_entry_point_hosts_the_package_components(monkeypatch):
    import runpy

    hosted: list[tuple[Any, ...]] = []
    monkeypatch.setattr(package, "component_provider_host", lambda *a, **kw: hosted.append((*a, kw)))
    runpy.run_path(str(ROOT / "provider"), run_name="__main__")
    assert hosted == [(package.COMPONENTS, "gitpod", {"version": package.VERSION})]


# -- the YAML example against the schema (the CLI that would run it is not available here) ----------
def _check(value: Any, prop: dict[str, Any], types: dict[str, Any], path: str) -> list[str]:
    if isinstance(value, str) and value.startswith("${"):
        return []  # a config reference, checked by the YAML runtime
    ref = prop.get("$ref", "")
    if ref.startswith("#/types/") and "enum" in types[ref.removeprefix("#/types/")]:
        allowed = [e["value"] for e in types[ref.removeprefix("#/types/")]["enum"]]
        return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
    if ref.startswith("#/types/"):
        shape = types[ref.removeprefix("#/types/")]["properties"]
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        return [
            p
            for k, v in value.items()
            for p in (_check(v, shape[k], types, f"{path}.{k}") if k in shape else [f"{path}.{k}: not in the schema"])
        ]
    expected = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}.get(prop.get("type", ""))
    if expected is not None and not isinstance(value, expected):
        return [f"{path}: expected {prop['type']}, got {value!r}"]
    if prop.get("type") == "array":
        return [p for i, v in enumerate(value) for p in _check(v, prop["items"], types, f"{path}[{i}]")]
    return []


def test_yaml_example_matches_the_schema():
    import yaml

    doc = yaml.safe_load((ROOT / "examples" / "yaml_existing_cluster" / "Pulumi.yaml").read_text())
    generated = schema()
    resource = doc["resources"]["gitpod"]
    assert resource["type"] == "gitpod:GitpodReferenceArchitecture"
    spec = generated["resources"][COMPONENT]
    props = resource["properties"]
    assert set(spec["requiredInputs"]) <= set(props)
    problems = [
        p
        for k, v in props.items()
        for p in (
            _check(v, spec["inputProperties"][k], generated["types"], k) if k in spec["inputProperties"] else [f"{k}: not in the schema"]
        )
    ]
    assert problems == []
    outputs = {v.removeprefix("${gitpod.").removesuffix("}") for v in doc["outputs"].values()}
    assert outputs <= set(spec["properties"])


def test_newer_settings_are_typed_args_and_reach_the_config():
    """Options added after the component (installer, certificate, storage, database) are in the schema
    with their config key, and an arg given in snake_case lands where the stack setting does."""
    types = schema()["types"]
    assert {"deploy", "blockNewUsers", "openVsxUrl", "sshGateway", "httpProxy", "license", "configPatch"} <= set(
        types["gitpod:index:InstallerOptions"]["properties"]
    )
    assert {"trustOnNodes", "issuerRef"} <= set(types["gitpod:index:CertificateOptions"]["properties"])
    assert "records" in types["gitpod:index:DnsZoneOptions"]["properties"]
    assert {"provider", "serviceAccountKey", "accountKey"} <= set(types["gitpod:index:ExternalStorageOptions"]["properties"])
    assert {"caCert", "requireTls"} <= set(types["gitpod:index:DatabaseOptions"]["properties"])
    args = {
        **stack_args("local"),
        "installer": {"deploy": False, "block_new_users": {"enabled": True, "passlist": ["example.com"]}},
    }
    plan = plan_component(args, "local")
    assert not [r for r in plan.resources if r.type == "kubernetes:batch/v1:Job"]
    config = yaml.safe_load(plan.outputs["installerConfig"])
    assert config["blockNewUsers"] == {"enabled": True, "passlist": ["example.com"]}


# -- the cloud components (issue 17: each cloud's cluster, database, storage, registry and DNS) -----
#: Each exported cloud component and the inputs its docstrings call required (camelCase, as the schema).
CLOUD_COMPONENTS: dict[str, tuple[str, list[str]]] = {
    "EksCluster": (
        "aws",
        [
            "amiId",
            "calico",
            "clusterDnsIp",
            "clusterName",
            "kubernetesVersion",
            "logRetentionDays",
            "nodePools",
            "nodeSecurityGroupId",
            "privateSubnetIds",
            "publicAccessCidrs",
            "region",
            "serviceCidr",
            "supportType",
        ],
    ),
    "RdsMysql": ("aws", ["clientSecurityGroupId", "instanceClass", "subnetIds", "version", "vpcId"]),
    "S3Bucket": ("aws", []),
    "Route53Zone": ("aws", []),
    "GkeCluster": (
        "gcp",
        [
            "clusterName",
            "location",
            "maintenance",
            "network",
            "nodePools",
            "nodeServiceAccount",
            "podsRangeName",
            "privateNodes",
            "project",
            "releaseChannel",
            "servicesRangeName",
            "subnetwork",
        ],
    ),
    "CloudSqlDatabase": (
        "gcp",
        [
            "backupRetentionDays",
            "clientAccountId",
            "highAvailability",
            "network",
            "privateServiceAccess",
            "project",
            "region",
            "tier",
            "version",
        ],
    ),
    "GcsStorageAccess": ("gcp", ["accountId", "project", "region", "rolePrefix"]),
    "ArtifactRegistry": ("gcp", ["location", "project", "repositoryId", "server", "url", "writerAccountId"]),
    "CloudDnsZone": ("gcp", ["dnsName", "project", "roleId", "solverServiceAccount"]),
    "AksCluster": (
        "azure",
        [
            "adminPrincipalId",
            "adminPrincipalType",
            "authorizedIpRanges",
            "clusterName",
            "dnsServiceIp",
            "headlessPool",
            "kubeletIdentity",
            "kubernetesVersion",
            "location",
            "networkPlugin",
            "nodeOsUpgradeChannel",
            "nodeSubnetId",
            "osSku",
            "podCidr",
            "regularPool",
            "resourceGroupName",
            "serviceCidr",
            "servicesPool",
            "subscriptionId",
            "tier",
            "upgradeChannel",
        ],
    ),
    "MysqlFlexibleServer": (
        "azure",
        [
            "backupRetentionDays",
            "deletionProtection",
            "highAvailability",
            "location",
            "prefix",
            "resourceGroupName",
            "skuName",
            "skuTier",
            "subnetId",
            "version",
            "vnetId",
        ],
    ),
    "BlobStorage": ("azure", ["location", "nodeSubnetId", "prefix", "resourceGroupName"]),
    "ContainerRegistry": ("azure", ["kubeletPrincipalId", "location", "prefix", "resourceGroupName", "sku", "subscriptionId"]),
    "AzureDnsZone": ("azure", ["certManagerIdentity", "resourceGroupName", "subscriptionId", "zoneName"]),
}
#: The outputs whose value is a secret Output. The schema cannot say so (the analyzer has no way to
#: mark an output secret), so their descriptions and docs/components.md must.
SECRET_OUTPUTS: dict[str, set[str]] = {
    "EksCluster": {"kubeconfig"},
    "RdsMysql": {"password"},
    "S3Bucket": {"accessKeyId", "secretAccessKey"},
    "GkeCluster": {"kubeconfig"},
    "CloudSqlDatabase": {"password", "credentialsJson"},
    "GcsStorageAccess": {"serviceAccountJson"},
    "ArtifactRegistry": {"password"},
    "AksCluster": {"kubeconfig"},
    "MysqlFlexibleServer": {"password"},
    "BlobStorage": {"accountKey"},
    "ContainerRegistry": {"password"},
}


def _component(name: str) -> type[pulumi.ComponentResource]:
    return next(c for c in package.COMPONENTS if c.__name__ == name)


def test_every_cloud_component_is_exported_with_its_required_inputs():
    resources = schema()["resources"]
    assert sorted(resources) == sorted(f"gitpod:index:{c.__name__}" for c in package.COMPONENTS)
    for name, (cloud, required) in CLOUD_COMPONENTS.items():
        component = _component(name)
        assert component.__module__.startswith(f"gitpod_refarch.{cloud}."), name
        token = f"gitpod:index:{name}"
        assert token in resources, f"{name} is not in the schema"
        assert sorted(resources[token].get("requiredInputs", [])) == required, name
        # the type token the component registers with is the schema's
        assert token == sys.modules[component.__module__].TYPE


def test_every_cloud_component_property_is_described():
    generated = schema()
    used: set[str] = set()

    def refs(prop: Mapping[str, Any]) -> None:
        for nested in (prop, prop.get("items") or {}, prop.get("additionalProperties") or {}):
            ref = nested.get("$ref", "")
            if ref.startswith("#/types/") and ref not in used:
                used.add(ref)
                for inner in generated["types"][ref.removeprefix("#/types/")]["properties"].values():
                    refs(inner)

    for name in CLOUD_COMPONENTS:
        resource = generated["resources"][f"gitpod:index:{name}"]
        assert resource.get("description"), name
        for kind in ("inputProperties", "properties"):
            for key, prop in resource[kind].items():
                assert prop.get("description"), f"{name}.{key} has no description"
                refs(prop)
    for ref in used:
        for key, prop in generated["types"][ref.removeprefix("#/types/")]["properties"].items():
            assert prop.get("description"), f"{ref}.{key} has no description"


def test_cloud_schema_types_are_plain_objects():
    """What the components take instead of dataclasses, and the Any their resource dependencies are."""
    types = schema()["types"]
    assert set(types["gitpod:index:EksNodePool"]["properties"]) == {
        "key",
        "machineType",
        "minNodes",
        "maxNodes",
        "diskSizeGb",
        "labels",
        "sysctls",
    }
    assert set(types["gitpod:index:ManagedIdentity"]["properties"]) == {"id", "name", "clientId", "principalId"}
    assert types["gitpod:index:MaintenanceWindow"]["properties"]["exclusions"]["items"]["$ref"] == (
        "#/types/gitpod:index:MaintenanceExclusionPeriod"
    )
    gke = schema()["resources"]["gitpod:index:GkeCluster"]["inputProperties"]
    assert gke["apis"]["items"]["$ref"] == "pulumi.json#/Any"
    # the Azure Placement fields keep their descriptions (repeated, not inherited)
    blob = schema()["resources"]["gitpod:index:BlobStorage"]["inputProperties"]
    assert "metadata.region" in blob["location"]["description"]


def test_no_schema_type_name_ends_in_args():
    """Pulumi's codegen appends `Args` to every input type, so a nested `TypedDict` named `...Args`
    becomes `...ArgsArgs` in every generated SDK; the components' own `<Component>Args` are not types."""
    doubled = sorted(name for name in schema()["types"] if name.endswith("Args"))
    assert doubled == [], f"these become ...ArgsArgs in the generated SDKs, drop the suffix: {doubled}"


def test_secret_outputs_are_named_in_their_descriptions_and_the_docs():
    resources = schema()["resources"]
    docs = (ROOT / "docs" / "components.md").read_text()
    for name in CLOUD_COMPONENTS:
        props = resources[f"gitpod:index:{name}"]["properties"]
        described = {k for k, p in props.items() if "(secret" in p["description"]}
        assert described == SECRET_OUTPUTS.get(name, set()), name
        row = next((line for line in docs.splitlines() if line.startswith(f"| `gitpod:index:{name}`")), "")
        assert row, f"docs/components.md has no row for {name}"
        for key in SECRET_OUTPUTS.get(name, ()):
            assert f"`{key}` (secret)" in row, f"docs/components.md does not call {name}.{key} secret"


def test_exported_modules_keep_annotations_evaluable():
    """The analyzer reads annotations at run time: a module of an exported component (or of a type its
    args use) that regains `from __future__ import annotations` fails the schema with a bare
    `'str' object has no attribute '__mro__'`; this names the module instead."""

    def check(modules: set[str]) -> None:
        for module in sorted(modules):
            tree = ast.parse(inspect.getsource(sys.modules[module]))
            future = {a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__" for a in n.names}
            assert "annotations" not in future, f"{module} uses `from __future__ import annotations`"

    check({c.__module__ for c in package.COMPONENTS})
    result = Analyzer(package.NAME).analyze(package.COMPONENTS)
    check({t.module for t in result["type_definitions"].values() if t.module})


# -- the provider host's path: dict inputs as the engine sends them ---------------------------------
def _engine_form(value: Any, hint: Any) -> Any:
    """Python args -> what another language's program sends: camelCase keys of typed objects, numbers as floats."""
    while typing.get_origin(hint) in (typing.Required, typing.NotRequired):
        hint = typing.get_args(hint)[0]
    if isinstance(value, Mapping) and typing.is_typeddict(hint):
        hints = hint.__annotations__
        return {pulumi.provider.experimental.util.camel_case(k): _engine_form(v, hints[k]) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = typing.get_args(hint)
        return [_engine_form(v, items[0] if items else None) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _construct_both_ways(component: type[pulumi.ComponentResource], args: Mapping[str, Any]) -> tuple[Plan, Plan]:
    from pulumi.provider.experimental.component import ComponentProvider

    token = f"gitpod:index:{component.__name__}"
    hint = inspect.get_annotations(component.__init__)["args"]

    def from_python() -> None:
        made = component("c", typing.cast(Any, args))
        definition = Analyzer(package.NAME).analyze([component])["component_definitions"][component.__name__]
        for key, attribute in definition.outputs_mapping.items():
            value = getattr(made, attribute, None)
            if value is not None:
                pulumi.export(key, value)

    def from_engine() -> None:
        provider = ComponentProvider(package.COMPONENTS, package.NAME, version=package.VERSION)
        result = provider.construct("c", token, _engine_form(args, hint))
        for key, value in result.state.items():
            pulumi.export(key, value)

    return run_program(from_python, {}, stack="construct"), run_program(from_engine, {}, stack="construct")


def _same(python: Plan, engine: Plan) -> None:
    assert sorted((r.type, r.name) for r in engine.resources) == sorted((r.type, r.name) for r in python.resources)
    by_key = {(r.type, r.name): r for r in python.resources}
    for r in engine.resources:
        assert r.urn == by_key[(r.type, r.name)].urn
        assert r.inputs == by_key[(r.type, r.name)].inputs, f"{r.type} {r.name}"
    assert _named(engine.outputs) == _named(python.outputs)
    assert engine.secret_outputs == python.secret_outputs


def _named(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs, with a resource (the `kubernetes` provider) as its type and name: two runs make two objects."""
    return {k: (v.pulumi_resource_type, v.pulumi_resource_name) if isinstance(v, pulumi.Resource) else v for k, v in outputs.items()}


POOL_LABELS = ["gitpod.io/workload_workspace_regular"]
MAINTENANCE = {
    "day": "Saturday",
    "start_time": "02:00",
    "duration_hours": 8,
    "exclusions": [{"name": "year-end", "start": "2026-12-20", "end": "2027-01-03"}],
}


def test_eks_cluster_through_the_provider_host_declares_what_python_declares():
    from gitpod_refarch.aws.cluster import EksCluster

    args = {
        "cluster_name": "gitpod",
        "kubernetes_version": "1.33",
        "support_type": "STANDARD",
        "region": "eu-west-1",
        "private_subnet_ids": ["subnet-a", "subnet-b"],
        "node_security_group_id": "sg-nodes",
        "public_access_cidrs": ["0.0.0.0/0"],
        "log_retention_days": 30,
        "ami_id": "ami-0123456789abcdef0",
        "ami_parameter": "/aws/service/canonical/ubuntu/eks/22.04/1.33/stable/current/amd64/hvm/ebs-gp2/ami-id",
        "node_pools": [
            {"key": "services", "machine_type": "m6i.xlarge", "min_nodes": 1, "max_nodes": 3, "disk_size_gb": 100, "labels": POOL_LABELS},
            {
                "key": "regular-workspaces",
                "machine_type": "m6i.4xlarge",
                "min_nodes": 2,
                "max_nodes": 10,
                "disk_size_gb": 512,
                "labels": POOL_LABELS,
                "sysctls": {"kernel.apparmor_restrict_unprivileged_userns": "0"},
            },
        ],
        "service_cidr": "172.20.0.0/16",
        "cluster_dns_ip": "172.20.0.10",
        "calico": False,
        "dns01_zone_arn": "arn:aws:route53:::hostedzone/Z123",
    }
    python, engine = _construct_both_ways(EksCluster, args)
    _same(python, engine)
    groups = {r.name: r for r in engine.by_type("aws:eks/nodeGroup:NodeGroup")}
    assert groups["c-regular-workspaces"].inputs["scalingConfig"]["minSize"] == 2
    assert engine.secret_outputs >= {"kubeconfig"}


def test_gke_cluster_through_the_provider_host_declares_what_python_declares():
    from gitpod_refarch.gcp.cluster import GkeCluster

    args = {
        "project": "my-project",
        "cluster_name": "gitpod",
        "location": "europe-west1",
        "release_channel": "REGULAR",
        "network": "projects/my-project/global/networks/gitpod",
        "subnetwork": "projects/my-project/regions/europe-west1/subnetworks/gitpod-nodes",
        "pods_range_name": "pods",
        "services_range_name": "services",
        "private_nodes": True,
        "node_service_account": "nodes@my-project.iam.gserviceaccount.com",
        "node_pools": [
            {
                "name": "regular-workspaces",
                "machine_type": "n2d-standard-16",
                "min_nodes": 1,
                "max_nodes": 10,
                "disk_size_gb": 512,
                "labels": {POOL_LABELS[0]: "true"},
            }
        ],
        "maintenance": MAINTENANCE,
        "cert_manager_service_account": "cert-manager@my-project.iam.gserviceaccount.com",
        "cert_manager_namespace": "cert-manager",
        "cert_manager_service_account_name": "cert-manager",
    }
    python, engine = _construct_both_ways(GkeCluster, args)
    _same(python, engine)
    cluster = engine.one("gcp:container/cluster:Cluster")
    exclusion = cluster.inputs["maintenancePolicy"]["maintenanceExclusions"][0]
    assert exclusion["exclusionName"] == "year-end"
    assert engine.secret_outputs >= {"kubeconfig"}


def test_aks_cluster_through_the_provider_host_declares_what_python_declares():
    from gitpod_refarch.azure.cluster import AksCluster

    pool = {"machine_type": "Standard_D8s_v5", "min_nodes": 1, "max_nodes": 5, "disk_size_gb": 128}
    identity = {"id": "/subscriptions/s/resourceGroups/g/providers/x/kubelet", "name": "kubelet", "client_id": "c1", "principal_id": "p1"}
    args = {
        "resource_group_name": "gitpod",
        "location": "westeurope",
        "cluster_name": "gitpod",
        "kubernetes_version": "1.33",
        "subscription_id": "00000000-0000-0000-0000-000000000000",
        "node_subnet_id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes",
        "kubelet_identity": identity,
        "services_pool": pool,
        "regular_pool": {**pool, "max_nodes": 10},
        "headless_pool": pool,
        "os_sku": "Ubuntu2204",
        "network_plugin": "azure-overlay",
        "pod_cidr": "10.244.0.0/16",
        "service_cidr": "10.0.0.0/16",
        "dns_service_ip": "10.0.0.10",
        "tier": "Standard",
        "authorized_ip_ranges": [],
        "admin_principal_id": "11111111-1111-1111-1111-111111111111",
        "admin_principal_type": "User",
        "upgrade_channel": "patch",
        "node_os_upgrade_channel": "NodeImage",
        "maintenance": MAINTENANCE,
        "cert_manager": {"identity_name": "cert-manager", "client_id": "c2", "subject": "system:serviceaccount:cert-manager:cert-manager"},
    }
    python, engine = _construct_both_ways(AksCluster, args)
    _same(python, engine)
    regular = engine.one("azure-native:containerservice:AgentPool", "c-regularws-pool")
    assert regular.inputs["maxCount"] == 10
    cluster = engine.one("azure-native:containerservice:ManagedCluster")
    assert cluster.inputs["identityProfile"]["kubeletidentity"]["clientId"] == "c1"
    assert engine.secret_outputs >= {"kubeconfig"}


IDENTITY = {"id": "/subscriptions/s/resourceGroups/g/providers/x/id", "name": "cert-manager", "client_id": "c2", "principal_id": "p2"}
SMALLER = {
    "S3Bucket": {"purpose": "workspace content", "noncurrent_version_days": 14, "key_rotation": "2026-11"},
    "RdsMysql": {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "client_security_group_id": "sg-nodes",
        "version": "8.0",
        "instance_class": "db.m5.large",
        "backup_retention_days": 14,
        "require_tls": True,
    },
    "GcsStorageAccess": {"project": "my-project", "region": "europe-west1", "account_id": "gitpod-storage", "role_prefix": "gitpod"},
    "ContainerRegistry": {
        "resource_group_name": "gitpod",
        "location": "westeurope",
        "prefix": "gitpod",
        "sku": "Standard",
        "subscription_id": "00000000-0000-0000-0000-000000000000",
        "kubelet_principal_id": "p1",
    },
    "AzureDnsZone": {
        "zone_name": "gitpod.example.com",
        "resource_group_name": "gitpod",
        "subscription_id": "00000000-0000-0000-0000-000000000000",
        "cert_manager_identity": IDENTITY,
        "records_identity": {**IDENTITY, "name": "external-dns", "principal_id": "p3"},
    },
}


@pytest.mark.parametrize("name", sorted(SMALLER))
def test_smaller_components_through_the_provider_host_declare_what_python_declares(name):
    python, engine = _construct_both_ways(_component(name), SMALLER[name])
    _same(python, engine)
    assert engine.resources, name
    assert engine.secret_outputs == SECRET_OUTPUTS.get(name, set()) & set(engine.outputs)


# -- resources another language passes (the GCP components' `apis`, `privateServiceAccess`) ---------
def _resource_ref(type_token: str, name: str, resource_id: str, sdk_version: str) -> dict[str, Any]:
    """A resource reference as a Node.js, Go or .NET program sends one (rpc `_special_resource_sig`)."""
    urn = f"urn:pulumi:construct::gitpod::{type_token}::{name}"
    return {rpc._special_sig_key: rpc._special_resource_sig, "urn": urn, "id": resource_id, "packageVersion": sdk_version}


def _as_the_host_hands_over(value: Any, deps: set[str]) -> Any:
    """One input as `ProviderServicer._construct_inputs` (pulumi/provider/server.py) hands it to the
    component: a resource that depends only on itself as is, anything else that depends on
    resources as an Output of the value whose resources are those dependencies (`_select_value`,
    async, so it runs on the program's loop here)."""
    if isinstance(value, pulumi.Resource) and len(deps) == 1:
        return value
    return pulumi.Output.from_input(asyncio.ensure_future(ProviderServicer._select_value(value, deps)))


@pytest.mark.parametrize(
    "sdk_version",
    [
        "10.2.0",  # the program's pulumi-gcp: the provider rebuilds each reference as a resource
        "11.0.0",  # another major (or a newer minor): the provider gets only the resource's ID
    ],
)
def test_gcp_components_wait_for_resources_another_language_passes(sdk_version):
    """A TypeScript program passes its `gcp.projects.Service`s as `apis` and its service-networking
    connection as `privateServiceAccess`; the list reaches the component as one Output (it depends on
    resources), and a reference whose SDK version the provider's pulumi-gcp does not serve arrives
    as an ID. Either way the instance must wait for exactly those resources."""
    from gitpod_refarch.gcp.database import CloudSqlDatabase

    apis = [_resource_ref("gcp:projects/service:Service", n, f"my-project/{n}.googleapis.com", sdk_version) for n in ("sqladmin", "iam")]
    psa = _resource_ref("gcp:servicenetworking/connection:Connection", "psa", "projects/my-project/global/networks/gitpod", sdk_version)
    args = {
        "project": "my-project",
        "region": "europe-west1",
        "version": "8.0",
        "tier": "db-custom-2-7680",
        "high_availability": False,
        "backup_retention_days": 7,
        "network": "projects/my-project/global/networks/gitpod",
        "client_account_id": "gitpod-sql-client",
    }

    def run() -> None:
        import pulumi_gcp as gcp

        # The other program's own resources, which the references name.
        services = [gcp.projects.Service(n, project="my-project", service=f"{n}.googleapis.com") for n in ("sqladmin", "iam")]
        connection = gcp.servicenetworking.Connection(
            "psa", network=args["network"], service="servicenetworking.googleapis.com", reserved_peering_ranges=["gitpod-psa"]
        )
        if sdk_version == "10.2.0":
            # `rpc.deserialize_resource` rebuilds each as a resource with its URN, which looks the
            # resource up (`pulumi:pulumi:getResource`); the program's own objects stand in for those.
            received: dict[str, Any] = {"apis": services, "privateServiceAccess": connection}
        else:
            sent = struct_pb2.Struct()
            sent.update({"apis": apis, "privateServiceAccess": psa})
            received = rpc.deserialize_properties(sent, keep_unknowns=True)
            assert received["apis"] == [a["id"] for a in apis]  # IDs: pulumi-gcp 10.2.0 cannot serve 11.0.0's references
        inputs = {
            **_engine_form(args, inspect.get_annotations(CloudSqlDatabase.__init__)["args"]),
            "apis": _as_the_host_hands_over(received["apis"], {a["urn"] for a in apis}),
            "privateServiceAccess": _as_the_host_hands_over(received["privateServiceAccess"], {psa["urn"]}),
        }
        provider = ComponentProvider(package.COMPONENTS, package.NAME, version=package.VERSION)
        try:
            provider.construct("c", "gitpod:index:CloudSqlDatabase", inputs, None)
        except ComponentInitError as error:
            raise error.inner from None

    plan = run_program(run, {}, stack="construct")
    instance = plan.one("gcp:sql/databaseInstance:DatabaseInstance")
    assert {a["urn"] for a in apis} | {psa["urn"]} <= set(instance.depends_on)
    key = plan.one("gcp:serviceaccount/key:Key")
    assert {a["urn"] for a in apis} <= set(key.depends_on)


# -- CertManager and InstallerConfig: plain args, built through the provider host ------------------
CERT_MANAGER = "gitpod:index:CertManager"
INSTALLER = "gitpod:index:InstallerConfig"
LOCAL_DOMAIN = "gitpod.lab.example.com"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def _described(resource: dict[str, Any], types: dict[str, Any], prefix: str) -> list[str]:
    """Inputs, outputs and the fields and enum values of the component's own types without a description."""
    props = [*resource["inputProperties"].items(), *resource["properties"].items()]
    for name, spec in types.items():
        if name.startswith(f"gitpod:index:{prefix}"):
            props += [(f"{name}.{p}", v) for p, v in spec.get("properties", {}).items()]
            props += [(f"{name}.{e['value']}", e) for e in spec.get("enum", [])]
            props.append((name, spec))
    return [name for name, spec in props if not spec.get("description")]


def _enum(types: dict[str, Any], name: str) -> set[str]:
    return {e["value"] for e in types[f"gitpod:index:{name}"]["enum"]}


def test_cert_manager_schema():
    generated = schema()
    resource, types = generated["resources"][CERT_MANAGER], generated["types"]
    assert sorted(resource["requiredInputs"]) == ["certificateNamespace", "domain", "version"]
    assert set(resource["properties"]) == {"issuerName", "secretName", "caSecretName", "namespace"}  # no resource reference
    assert _described(resource, types, "CertManager") == [] and _described(resource, types, "DnsZoneKind") == []
    inputs = resource["inputProperties"]
    assert inputs["dns01"]["$ref"] == "#/types/gitpod:index:CertManagerDns01"
    dns01 = types["gitpod:index:CertManagerDns01"]
    assert dns01["required"] == ["kind"]
    assert dns01["properties"]["kind"]["$ref"] == "#/types/gitpod:index:DnsZoneKind"
    # the kinds are `gitpod:certificate.dns01`'s values; each object is its kind's
    assert _enum(types, "DnsZoneKind") == {"clouddns", "route53", "azuredns", "cloudflare"}
    assert set(dns01["properties"]) == {"kind", "cloudDns", "route53", "azureDns"}
    assert sorted(types["gitpod:index:CertManagerRoute53"]["required"]) == ["region", "zoneId"]
    # the issuer stays a string (Python callers pass one); its values are the component's
    assert inputs["issuer"]["type"] == "string" and all(i in inputs["issuer"]["description"] for i in CERT_MANAGER_ISSUERS)
    # credentials may be Outputs; choices are plain (they decide which resources exist)
    for name in ("cloudflareApiToken", "existingTlsKey", "certificateNamespace"):
        assert "plain" not in inputs[name], name
    assert inputs["issuer"]["plain"] is True and inputs["version"]["plain"] is True


def test_cert_manager_issuers_are_the_stack_settings():
    from gitpod_refarch.certmanager import ISSUER_REF
    from gitpod_refarch.settings.model import ISSUERS

    assert set(CERT_MANAGER_ISSUERS) == {*ISSUERS, ISSUER_REF}


def test_installer_config_schema():
    generated = schema()
    resource, types = generated["resources"][INSTALLER], generated["types"]
    assert resource["requiredInputs"] == ["domain"]
    assert set(resource["properties"]) == {"namespace", "configYaml", "secretNames"}  # no resource references
    assert _described(resource, types, "Installer") == []
    inputs = resource["inputProperties"]
    assert "inputs" not in inputs and "namespaceDependsOn" not in inputs  # the contracts stay Python-only
    for concern, kinds, objects in (
        ("Database", {"incluster", "external", "cloudsql"}, {"external", "cloudSql"}),
        ("Storage", {"incluster", "s3", "gcs", "azure"}, {"s3", "gcs", "azure"}),
        ("Registry", {"incluster", "external", "s3"}, {"external", "s3"}),
    ):
        shape = types[f"gitpod:index:Installer{concern}"]
        assert shape["properties"]["kind"]["$ref"] == f"#/types/gitpod:index:Installer{concern}Kind"
        assert "required" not in shape  # kind defaults to `incluster`
        assert _enum(types, f"Installer{concern}Kind") == kinds
        assert set(shape["properties"]) == {"kind", *objects}  # one object per kind that needs one
    assert sorted(types["gitpod:index:InstallerExternalDatabase"]["required"]) == ["host", "password", "username"]
    assert types["gitpod:index:InstallerExternalDatabase"]["properties"]["port"] == {
        "type": "integer",
        "plain": True,
        "description": types["gitpod:index:InstallerExternalDatabase"]["properties"]["port"]["description"],
    }
    assert "allowInsecureConnection" not in types["gitpod:index:InstallerS3Storage"]["required"]
    for shape, field in (
        ("InstallerExternalDatabase", "password"),
        ("InstallerS3Storage", "secretAccessKey"),
        ("InstallerExternalRegistry", "password"),
        ("InstallerAuthProvider", "clientSecret"),
    ):
        assert "plain" not in types[f"gitpod:index:{shape}"]["properties"][field], f"{shape}.{field} must accept an Output"
    assert "plain" not in inputs["license"] and "plain" not in inputs["encryptionKeys"]


def host_plan(component: str, name: str, inputs: Mapping[str, Any], stack: str = "local") -> Plan:
    """Construct `component` as the provider host does for another language's program: camelCase
    dict inputs (secrets as secret Outputs) mapped by the host, then the component's `__init__`."""

    def run() -> None:
        provider = ComponentProvider(package.COMPONENTS, package.NAME, version=package.VERSION)
        try:
            result = provider.construct(name, f"gitpod:index:{component}", dict(inputs), None)
        except ComponentInitError as error:
            raise error.inner from None  # what the engine shows the user
        for key, value in result.state.items():
            pulumi.export(key, value)

    return run_program(run, {}, project="gitpod", stack=stack)


def _local_program(config: Mapping[str, Any], secrets: Mapping[str, str], secret_objects: Mapping[str, Any] | None = None) -> Plan:
    """The program on the `local` stack with these overrides: dotted keys as `pulumi config set`;
    an object (in `config`, or secret in `secret_objects`) replaces the stack's value of its key."""
    objects = {k: v for k, v in config.items() if not isinstance(v, str)}
    if not objects and not secret_objects:
        return plan_stack_file("local", config, secrets)
    project, cfg = build_config(ROOT, "local", [f"{k}={v}" for k, v in config.items() if k not in objects], [])
    values = {**cfg.values, **{f"gitpod:{k}": json.dumps(v) for k, v in {**objects, **(secret_objects or {})}.items()}}
    secret_keys = {*cfg.secret_keys, *(f"gitpod:{k}" for k in secret_objects or {})}
    return run_program(program, values, secret_keys, project=project, stack="local")


def _children(plan: Plan, type_token: str, name: str) -> list[tuple[str, str, Any]]:
    root = plan.one(type_token, name)
    return sorted(((r.type, r.name, r.inputs) for r in plan.descendants(root.urn)), key=lambda t: (t[0], t[1]))


def _assert_same(host: Plan, program: Plan, type_token: str, name: str) -> None:
    got, want = _children(host, type_token, name), _children(program, type_token, name)
    assert [(t, n) for t, n, _ in got] == [(t, n) for t, n, _ in want]
    for (t, n, inputs), (_, _, expected) in zip(got, want, strict=True):
        assert inputs == expected, f"{t} {n}"  # secret markers included


CERT_MANAGER_CASES = {
    # stack overrides (config, secret config) -> the same cert-manager in another language's inputs
    "selfsigned": ({}, {}, {}),
    "cloudflare": (
        {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare", "certificate.email": "ops@example.com"},
        {"certificate.cloudflare.apiToken": "cf-token-value"},
        {
            "issuer": "letsencrypt",
            "email": "ops@example.com",
            "dns01": {"kind": "cloudflare"},
            "cloudflareApiToken": pulumi.Output.secret("cf-token-value"),
        },
    ),
    "existing": (
        {"certificate.issuer": "existing", "certificate.existing.tlsCert": PEM, "certificate.existing.caCert": PEM},
        {"certificate.existing.tlsKey": "-----BEGIN PRIVATE KEY-----secret"},
        # a key given in clear is stored as a secret all the same
        {"issuer": "existing", "existingTlsCert": PEM, "existingTlsKey": "-----BEGIN PRIVATE KEY-----secret", "existingCaCert": PEM},
    ),
    "issuerRef": (
        {"certificate": {"issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer"}}},  # a whole object replaces the stack's
        {},
        {"issuer": "issuerRef", "issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer"}},
    ),
}


@pytest.mark.parametrize("case", CERT_MANAGER_CASES)
def test_cert_manager_from_another_language_declares_what_the_program_declares(case):
    config, secrets, extra = CERT_MANAGER_CASES[case]
    program_plan = _local_program(config, secrets)
    inputs = {"domain": LOCAL_DOMAIN, "certificateNamespace": "gitpod", "version": "v1.21.1", **extra}
    host = host_plan("CertManager", "gitpod-cert-manager", inputs)
    _assert_same(host, program_plan, CERT_MANAGER, "gitpod-cert-manager")
    assert host.outputs["secretName"] == "https-certificates"
    assert host.outputs["issuerName"] == unwrap(program_plan.outputs["issuer"])


@pytest.mark.parametrize(
    ("kind", "zone", "solver"),
    [
        ("clouddns", {"cloudDns": {"project": "p", "zoneName": "z"}}, {"cloudDNS": {"project": "p", "hostedZoneName": "z"}}),
        ("route53", {"route53": {"region": "eu-west-1", "zoneId": "Z1"}}, {"route53": {"region": "eu-west-1", "hostedZoneID": "Z1"}}),
        (
            "azuredns",
            {"azureDns": {"zoneName": "z", "resourceGroupName": "rg", "subscriptionId": "s", "identityClientId": "c"}},
            {
                "azureDNS": {
                    "hostedZoneName": "z",
                    "resourceGroupName": "rg",
                    "subscriptionID": "s",
                    "environment": "AzurePublicCloud",
                    "managedIdentity": {"clientID": "c"},
                }
            },
        ),
    ],
)
def test_cert_manager_dns01_kinds_become_their_solvers(kind, zone, solver):
    inputs = {"domain": "gitpod.example.com", "certificateNamespace": "gitpod", "version": "v1.21.1", "issuer": "letsencrypt"}
    identity = {"serviceAccountAnnotations": {"iam.gke.io/gcp-service-account": "sa@p.iam.gserviceaccount.com"}}
    plan = host_plan("CertManager", "certs", {**inputs, "dns01": {"kind": kind, **zone}, "identity": identity})
    issuer = plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer")
    assert issuer.inputs["spec"]["acme"]["solvers"] == [{"dns01": solver}]
    values = plan.one("kubernetes:helm.sh/v3:Release").inputs["values"]
    assert values["serviceAccount"] == {"annotations": identity["serviceAccountAnnotations"]}


def test_cert_manager_bad_args_fail_with_every_problem_and_no_secret():
    inputs = {
        "domain": "gitpod.example.com",
        "certificateNamespace": "gitpod",
        "version": "v1.21.1",
        "issuer": "letsencrypt",
        "dns01": {"kind": "route53", "cloudDns": {"project": "p", "zoneName": "z"}},
        "issuerRef": {"name": "x", "kind": "Bogus"},
        "cloudflareApiToken": pulumi.Output.secret("hunter2"),
        "existingTlsKey": "hunter3",
    }
    with pytest.raises(PlanError) as failed:
        host_plan("CertManager", "certs", inputs)
    text = str(failed.value)
    assert "invalid CertManager args (3 problem(s))" in text
    assert "dns01.route53: required with dns01.kind 'route53'" in text
    assert "dns01.cloudDns: only for dns01.kind 'clouddns'" in text
    assert "issuerRef.kind: 'Bogus' is not one of ClusterIssuer, Issuer" in text
    assert "hunter" not in text


def test_cert_manager_in_python_names_missing_args():
    from gitpod_refarch import CertManager

    def run() -> None:
        CertManager("certs", typing.cast(Any, {"domain": "gitpod.example.com", "issuer": "existing"}))

    with pytest.raises(PlanError) as failed:
        run_program(run, {})
    text = str(failed.value)
    for name in ("certificateNamespace: required", "version: required", "existingTlsCert: required", "existingTlsKey: required"):
        assert name in text


def secret(value: str) -> pulumi.Output[str]:
    return pulumi.Output.secret(value)


#: The `local` stack with every external concern and the options that make Secrets, as the stack's
#: (secret) config objects, and the same as another language's `InstallerConfig` inputs.
INSTALLER_STACK = {
    "database": {"mode": "external", "external": {"host": "mysql.internal", "password": "db-pass"}},
    "storage": {
        "mode": "external",
        "external": {
            "endpoint": "s3.eu-west-1.amazonaws.com",
            "bucket": "gitpod-bucket",
            "region": "eu-west-1",
            "accessKeyId": "AKIAEXAMPLE",
            "secretAccessKey": "s3-secret",
        },
    },
    "registry": {"kind": "external", "external": {"url": "registry.example.com/gitpod", "username": "pusher", "password": "reg-pass"}},
    "authProviders": [{"clientId": "abc", "clientSecret": "oauth-secret"}],
    "installer": {
        "license": "license-key",
        "imagePullSecrets": [{"server": "mirror.example.com", "username": "puller", "password": "mirror-pass"}],
        "blockNewUsers": {"enabled": True, "passlist": ["example.com"]},
        "httpProxy": {"httpProxy": "http://proxy.internal:3128", "httpsProxy": "http://proxy.internal:3128", "noProxy": ["10.0.0.0/8"]},
    },
}
INSTALLER_INPUTS: dict[str, Any] = {
    "domain": LOCAL_DOMAIN,
    "caSecretName": "gitpod-refarch-ca",  # CertManager's `caSecretName` with issuer `selfsigned`
    "containerdRuntimeDir": CONTAINERD_K3S.runtime_dir,
    "containerdSocket": CONTAINERD_K3S.socket,
    "database": {"kind": "external", "external": {"host": "mysql.internal", "username": "gitpod", "password": secret("db-pass")}},
    "storage": {
        "kind": "s3",
        "s3": {
            "region": "eu-west-1",
            "endpoint": "s3.eu-west-1.amazonaws.com",
            "bucket": "gitpod-bucket",
            "accessKeyId": "AKIAEXAMPLE",  # in clear: stored as a secret all the same
            "secretAccessKey": secret("s3-secret"),
        },
    },
    "registry": {
        "kind": "external",
        "external": {"url": "registry.example.com/gitpod", "server": "registry.example.com", "username": "pusher", "password": "reg-pass"},
    },
    "authProviders": [{"type": "GitHub", "host": "github.com", "clientId": "abc", "clientSecret": secret("oauth-secret")}],
    "license": secret("license-key"),
    "imagePullSecrets": [{"server": "mirror.example.com", "username": "puller", "password": secret("mirror-pass")}],
    "blockNewUsers": True,
    "passlist": ["example.com"],
    "httpProxy": {"httpProxy": "http://proxy.internal:3128", "httpsProxy": "http://proxy.internal:3128", "noProxy": ["10.0.0.0/8"]},
}


def test_installer_config_from_another_language_declares_what_the_program_declares():
    program_plan = _local_program({}, {}, INSTALLER_STACK)
    host = host_plan("InstallerConfig", "gitpod-installer", INSTALLER_INPUTS)
    _assert_same(host, program_plan, INSTALLER, "gitpod-installer")
    assert host.outputs["configYaml"] == program_plan.outputs["installerConfig"]
    names = {r.inputs["metadata"]["name"] for r in host.by_type("kubernetes:core/v1:Secret")}
    assert {"database", "storage-s3", "container-registry", "gitpod-license", "http-proxy-settings"} <= names, names
    for r in host.by_type("kubernetes:core/v1:Secret"):
        data = r.inputs["stringData"]
        assert rpc.is_rpc_secret(data) or all(rpc.is_rpc_secret(v) for v in data.values()), r.name
    text = json.dumps([unwrap(r.inputs) for r in host.resources])
    assert all(v in text for v in ("db-pass", "reg-pass", "oauth-secret"))  # they did reach the Secrets


def test_installer_config_defaults_are_the_programs():
    """Only the domain (and the CA the self-signed issuer makes): the installer's in-cluster MySQL,
    MinIO and registry, as the `local` stack builds them."""
    program_plan = plan_stack_file("local")
    inputs = {k: INSTALLER_INPUTS[k] for k in ("domain", "caSecretName", "containerdRuntimeDir", "containerdSocket")}
    host = host_plan("InstallerConfig", "gitpod-installer", inputs)
    _assert_same(host, program_plan, INSTALLER, "gitpod-installer")
    assert host.outputs["configYaml"] == program_plan.outputs["installerConfig"]
    assert host.outputs["namespace"] == "gitpod"


def test_installer_config_bad_args_fail_with_every_problem_and_no_secret():
    inputs = {
        "domain": "gitpod.example.com",
        "database": {"kind": "external"},
        "storage": {"kind": "incluster", "gcs": {"region": "r", "project": "p", "serviceAccountJson": secret("hunter2")}},
        "registry": {"kind": "s3"},
        "configPatch": {"database": {"inCluster": True}},
    }
    with pytest.raises(PlanError) as failed:
        host_plan("InstallerConfig", "gitpod-installer", inputs)
    text = str(failed.value)
    assert "invalid InstallerConfig args (4 problem(s))" in text
    assert "database.external: required with database.kind 'external'" in text
    assert "storage.gcs: only for storage.kind 'gcs'; remove it" in text
    assert "registry.s3: required with registry.kind 's3'" in text
    assert "configPatch.database: is managed by the program" in text
    assert "hunter2" not in text


def test_installer_config_unknown_kind_is_refused_by_the_host_naming_the_arg():
    from pulumi.errors import InputPropertyError

    with pytest.raises(PlanError) as failed:
        host_plan("InstallerConfig", "gitpod-installer", {"domain": "gitpod.example.com", "registry": {"kind": "ecr"}})
    cause = failed.value.__cause__
    assert isinstance(cause, InputPropertyError) and cause.property_path == "registry.kind"


def test_installer_config_in_python_names_missing_fields_and_points_contracts_to_of():
    from gitpod_refarch import InClusterDatabase, InstallerConfig

    def run() -> None:
        args = {"inputs": InClusterDatabase(), "database": {"kind": "external", "external": {"host": "h", "password": "hunter2"}}}
        InstallerConfig("gitpod-installer", typing.cast(Any, args))

    with pytest.raises(PlanError) as failed:
        run_program(run, {})
    text = str(failed.value)
    assert "inputs: contracts go to `InstallerConfig.of(" in text
    assert "domain: required" in text and "database.external.username: required" in text
    assert "hunter2" not in text


# -- ExternalDns ----------------------------------------------------------------------------------
EXTERNAL_DNS = "gitpod:index:ExternalDns"


def test_external_dns_schema():
    generated = schema()
    resource, types = generated["resources"][EXTERNAL_DNS], generated["types"]
    assert sorted(resource["requiredInputs"]) == ["ownerId", "sourceNamespace", "zone"]
    assert set(resource["properties"]) == {"namespace"}
    assert _described(resource, types, "ExternalDns") == []
    zone = types["gitpod:index:ExternalDnsZone"]
    assert zone["properties"]["kind"]["$ref"] == "#/types/gitpod:index:DnsZoneKind"  # the kinds CertManager's dns01 has
    assert set(zone["properties"]) == {"kind", "route53", "cloudDns", "azureDns", "cloudflare"}
    assert resource["inputProperties"]["identity"]["$ref"] == "#/types/gitpod:index:CertManagerWorkloadIdentity"
    assert "plain" not in resource["inputProperties"]["cloudflareApiToken"]


def test_external_dns_from_another_language_declares_what_the_program_declares():
    program_plan = plan_stack_file(
        "local", {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare"}, {"certificate.cloudflare.apiToken": "cf-token"}
    )
    inputs = {
        "zone": {"kind": "cloudflare", "cloudflare": {"zoneName": LOCAL_DOMAIN}},
        "sourceNamespace": "gitpod",
        "ownerId": "gitpod-local",  # the stack's `<project>-<stack>`
        "cloudflareApiToken": "cf-token",  # in clear: stored as a secret all the same
    }
    host = host_plan("ExternalDns", "gitpod-external-dns", inputs)
    _assert_same(host, program_plan, EXTERNAL_DNS, "gitpod-external-dns")
    token = next(r for r in host.by_type("kubernetes:core/v1:Secret") if r.name == "gitpod-external-dns-external-dns-cloudflare")
    data = token.inputs["stringData"]
    assert rpc.is_rpc_secret(data) or all(rpc.is_rpc_secret(v) for v in data.values())


def test_external_dns_zone_kinds_become_their_providers():
    inputs = {"sourceNamespace": "gitpod", "ownerId": "o"}
    route53 = {"kind": "route53", "route53": {"zoneName": "example.com", "zoneId": "Z1", "region": "eu-west-1"}}
    plan = host_plan("ExternalDns", "records", {**inputs, "zone": route53})
    values = unwrap(plan.one("kubernetes:helm.sh/v3:Release").inputs["values"])
    assert values["provider"] == {"name": "aws"} and values["domainFilters"] == ["example.com"]
    assert values["extraArgs"]["zone-id-filter"] == "Z1" and values["env"] == [{"name": "AWS_REGION", "value": "eu-west-1"}]


def test_external_dns_bad_args_fail_with_every_problem_and_no_secret():
    inputs = {
        "zone": {"kind": "cloudflare", "route53": {"zoneName": "example.com", "zoneId": "Z1", "region": "eu-west-1"}},
        "sourceNamespace": "gitpod",
        "ownerId": "o",
    }
    with pytest.raises(PlanError) as failed:
        host_plan("ExternalDns", "records", inputs)
    text = str(failed.value)
    assert "invalid ExternalDns args (3 problem(s))" in text
    assert "zone.cloudflare: required with zone.kind 'cloudflare'" in text
    assert "zone.route53: only for zone.kind 'route53'; remove it" in text
    assert "cloudflareApiToken: required with zone.kind 'cloudflare'" in text
