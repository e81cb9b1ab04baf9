"""The multi-language component package: `GitpodReferenceArchitecture` and the schema other languages see.

The schema is generated in-process by the SDK's own analyzer (what `component_provider_host`
serves to `pulumi package get-schema`), so no Pulumi CLI is needed.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Mapping
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema
from pulumi.runtime import rpc

from gitpod_refarch import provider as package
from gitpod_refarch.program import main as program
from gitpod_refarch.reference import OUTPUTS, GitpodReferenceArchitecture, GitpodReferenceArchitectureArgs
from gitpod_refarch_tools.harness import Plan, PlanError, run_program
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, unwrap
from .test_urn_stability import STACKS

COMPONENT = "gitpod:index:GitpodReferenceArchitecture"


def schema() -> dict[str, Any]:
    result = Analyzer(package.NAME).analyze(package.COMPONENTS)
    deps = sorted(result["dependencies"], key=lambda d: d.name)
    return generate_schema(package.NAME, package.VERSION, None, result["component_definitions"], result["type_definitions"], deps).to_json()


# -- the schema ------------------------------------------------------------------------------------
def test_the_package_exports_the_architecture_and_the_reusable_components():
    assert sorted(schema()["resources"]) == ["gitpod:index:ExistingCluster", COMPONENT]


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
    for name, prop in [*inputs.items(), *((f"{t}.{p}", v) for t, d in types.items() for p, v in d["properties"].items())]:
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
