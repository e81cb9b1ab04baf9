"""The `local` stack end to end through the offline plan: what `pulumi up --stack local` declares."""

from __future__ import annotations

from gitpod_refarch.compatibility import ALL_NODE_LABELS
from gitpod_refarch.installer.schema import validate_config
from gitpod_refarch_tools.render import installer_checks, to_json

from .conftest import installer_config, unwrap


def test_local_plan_is_valid_for_the_2022_11_installer(plan_stack):
    plan = plan_stack("local")
    config = installer_config(plan)
    assert validate_config(config) == []
    assert installer_checks(plan) == []
    assert config["apiVersion"] == "v1"
    assert config["domain"] == "gitpod.lab.example.com"
    assert config["database"] == {"inCluster": True}
    assert config["objectStorage"]["inCluster"] is True
    assert config["containerRegistry"]["inCluster"] is True
    assert config["metadata"]["region"] == "local"
    assert config["certificate"] == {"kind": "secret", "name": "https-certificates"}


def test_local_uses_k3s_containerd_paths(plan_stack):
    runtime = installer_config(plan_stack("local"))["workspace"]["runtime"]
    assert runtime["containerdRuntimeDir"] == "/run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io"
    assert runtime["containerdSocket"] == "/run/k3s/containerd/containerd.sock"
    assert runtime["fsShiftMethod"] == "fuse"


def test_generic_distribution_uses_default_containerd_paths(plan_stack):
    runtime = installer_config(plan_stack("local", {"cluster.distribution": "generic"}))["workspace"]["runtime"]
    assert runtime["containerdRuntimeDir"] == "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io"
    assert runtime["containerdSocket"] == "/run/containerd/containerd.sock"


def test_named_nodes_get_every_gitpod_label(plan_stack):
    plan = plan_stack("local")
    patch = plan.one("kubernetes:core/v1:NodePatch")
    assert patch.inputs["metadata"]["name"] == "k3s-server-0"
    assert patch.inputs["metadata"]["labels"] == dict.fromkeys(ALL_NODE_LABELS, "true")
    assert len(ALL_NODE_LABELS) == 6  # five the 2022.11 installer checks, plus workload_services


def test_unlabelled_cluster_tells_the_user_what_to_label(plan_stack):
    plan = plan_stack("local", {"cluster.labelNodes": ""})
    assert plan.by_type("kubernetes:core/v1:NodePatch") == []
    note = next(w for w in plan.warnings if w.startswith("gitpod:cluster.labelNodes"))
    assert "kubectl label node <node> gitpod.io/workload_meta=true" in note


def test_everything_deploys_through_the_existing_cluster_provider(plan_stack):
    plan = plan_stack("local")
    provider = plan.one("pulumi:providers:kubernetes")
    k8s = [r for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider == provider.urn for r in k8s)


def test_gitpod_namespace_is_protected_and_created_before_the_certificate(plan_stack):
    plan = plan_stack("local")
    namespace = plan.one("kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["name"] == "gitpod"
    assert namespace.protect
    certificate = next(
        r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if r.name.endswith("-certificate") and "ca-" not in r.name
    )
    assert namespace.urn in certificate.depends_on


def test_self_signed_ca_backs_custom_ca_cert(plan_stack):
    plan = plan_stack("local")
    config = installer_config(plan)
    ca = next(r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if unwrap(r.inputs["spec"]).get("isCA"))
    assert config["customCACert"] == {"kind": "secret", "name": ca.inputs["spec"]["secretName"]}
    assert ca.inputs["metadata"]["namespace"] == "gitpod"


def test_outputs(plan_stack):
    plan = plan_stack("local")
    assert plan.outputs["namespace"] == "gitpod"
    assert plan.outputs["certificateSecret"] == "https-certificates"
    assert "installerConfig" not in plan.secret_outputs
    assert "kubeconfig" not in plan.outputs  # the user's own kubeconfig is never re-exported


def test_no_duplicate_urns_and_every_child_has_its_component_as_parent(plan_stack):
    plan = plan_stack("local")
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns))
    components = {r.urn: r for r in plan.resources if not r.custom}
    for r in plan.resources:
        if r.custom:
            assert r.parent in components, f"{r.name} is not parented to a component"
            assert r.name.startswith(components[r.parent].name), f"{r.name} is not named from its component"


def test_plan_json_shape(plan_stack):
    data = to_json(plan_stack("local"))
    assert set(data) >= {"stack", "resources", "outputs", "warnings"}
    for resource in data["resources"]:
        # Plus, only when set: aliases, ignoreChanges, replacementTrigger, replaceOnChanges,
        # deleteBeforeReplace and inputDependencies (see docs/review.md).
        assert set(resource) - {"inputDependencies", "aliases"} == {
            "urn",
            "type",
            "name",
            "parent",
            "provider",
            "dependsOn",
            "protect",
            "inputs",
        }
