"""`installer.deploy`: the installer Job, its ConfigMap and RBAC, on every stack (under mocks)."""

from __future__ import annotations

import json

import pytest

from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR
from gitpod_refarch.installer import deploy
from gitpod_refarch_tools.graph import waits_for
from gitpod_refarch_tools.harness import Plan
from gitpod_refarch_tools.stateful import CLUSTER_TYPES, DATA_TYPES

from .conftest import ROOT, installer_config, secrets_in, unwrap

STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
JOB = "kubernetes:batch/v1:Job"
INSTALLATION_TYPES = {
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    JOB,
}


def installation(plan: Plan) -> dict[str, dict]:
    component = plan.one("gitpod:index:GitpodInstallation")
    return {r.type: unwrap(r.inputs) for r in plan.descendants(component.urn)}


@pytest.fixture(scope="module", params=STACKS)
def stack_plan(request) -> Plan:
    from .conftest import plan_stack_file

    return plan_stack_file(request.param)


def test_job_config_map_and_rbac_on_every_stack(stack_plan):
    objects = installation(stack_plan)
    assert set(objects) == INSTALLATION_TYPES
    namespace = stack_plan.outputs["namespace"]
    config_map = objects["kubernetes:core/v1:ConfigMap"]
    # Exactly the installer config, byte for byte.
    assert config_map["data"] == {"gitpod.config.yaml": stack_plan.outputs["installerConfig"]}
    job = objects[JOB]
    assert job["metadata"]["namespace"] == namespace
    assert job["metadata"]["name"] == stack_plan.outputs["installerJob"]
    assert stack_plan.outputs["installerLog"] == f"kubectl -n {namespace} logs job/{job['metadata']['name']}"
    assert stack_plan.outputs["url"] == f"https://{installer_config(stack_plan)['domain']}"


def test_the_job_runs_the_pinned_installer_and_can_be_read_afterwards(stack_plan):
    job = installation(stack_plan)[JOB]
    assert job["metadata"]["annotations"] == {"pulumi.com/replaceUnready": "true"}
    spec = job["spec"]
    assert "ttlSecondsAfterFinished" not in spec
    assert spec["backoffLimit"] == 0
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == "eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3"
    assert container["command"] == ["/bin/bash", "-c", deploy.job_script(), "job.sh"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["HELM_TIMEOUT"] == "20m" and env["TLS_SECRET"] == "https-certificates"
    assert pod["serviceAccountName"] == "gitpod-installer"
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert [t["matchExpressions"][0]["key"] for t in terms] == [NODE_LABEL_REGULAR, NODE_LABEL_HEADLESS]
    mounts = {m["mountPath"]: m.get("readOnly", False) for m in container["volumeMounts"]}
    assert mounts == {"/config": True, "/tmp": False, "/mnt/node/run": True, "/mnt/node/var/lib": True}


def test_pulumi_waits_at_least_as_long_as_helm_and_the_job(stack_plan):
    job = stack_plan.one(JOB)
    minutes = int(job.custom_timeouts["create"].removesuffix("m"))
    spec = unwrap(job.inputs)["spec"]
    assert minutes * 60 >= spec["activeDeadlineSeconds"] >= deploy.HELM_TIMEOUT_MINUTES * 60
    assert job.delete_before_replace


def test_the_job_runs_after_secrets_certificate_and_namespace_and_nothing_stateful(stack_plan):
    plan = stack_plan
    job = plan.one(JOB)
    after = set(job.depends_on)
    secrets = [r for r in plan.by_type("kubernetes:core/v1:Secret") if r.parent and "InstallerConfig" in r.parent]
    assert {s.urn for s in secrets} <= after
    assert plan.urn_of("gitpod-cert-manager-certificate") in after
    assert plan.urn_of("gitpod-installer-namespace") in after
    assert {plan.urn_of("gitpod-installation-role-binding"), plan.urn_of("gitpod-installation-cluster-role-binding")} <= after
    # The only data stores it waits for are those the config text itself names (a bucket's name):
    # no database, zone or registry beyond what the ConfigMap already waits for.
    by_urn = {r.urn: r for r in plan.resources}
    config_map = plan.one("kubernetes:core/v1:ConfigMap", "gitpod-installation-config")
    stores = {u for u in job.depends_on if u in by_urn and by_urn[u].type in DATA_TYPES}
    assert stores <= set(config_map.depends_on)
    # Nothing waits for it, and on managed clusters it runs once the node pools exist.
    assert not [r.name for r in plan.resources if job.urn in waits_for(plan.resources, r.urn)]
    if plan.stack != "local":
        assert {by_urn[u].type for u in waits_for(plan.resources, job.urn) if u in by_urn} & CLUSTER_TYPES


def test_the_name_changes_exactly_when_the_config_does(plan_stack):
    base = plan_stack("local")
    same = plan_stack("local", {"installer.deploy": "true"})
    other = plan_stack("local", {"installer.logLevel": "debug"})
    name = base.outputs["installerJob"]
    assert name.startswith("gitpod-installer-") and len(name) <= 63
    assert same.outputs["installerJob"] == name
    assert other.outputs["installerJob"] != name
    # A change outside the config (cert-manager's chart) does not re-run the installer.
    assert plan_stack("local", {"certManager.version": "v1.20.0"}).outputs["installerJob"] == name


def test_job_name_hashes_config_image_and_script():
    name = deploy.job_name("a: 1\n", "img:1", "script")
    assert deploy.job_name("a: 1\n", "img:1", "script") == name
    assert len({name, deploy.job_name("a: 2\n", "img:1", "script"), deploy.job_name("a: 1\n", "img:2", "script")}) == 3
    assert deploy.job_name("a: 1\n", "img:1", "script 2") != name


def test_mirror_and_pull_secrets_reach_the_job(plan_stack):
    plan = plan_stack(
        "local",
        {
            "installer.repository": "mirror.example.com/gitpod",
            "installer.imagePullSecrets[0].server": "mirror.example.com",
            "installer.imagePullSecrets[0].username": "puller",
        },
        {"installer.imagePullSecrets[0].password": "pull-pa55"},
    )
    pod = installation(plan)[JOB]["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "mirror.example.com/gitpod/installer:release-2022.11.3"
    assert pod["imagePullSecrets"] == [{"name": "image-pull-mirror-example-com"}]
    assert not any("imagePullSecrets" in w for w in plan.warnings)


def test_mirror_without_pull_secret_is_a_warning_not_a_failure(plan_stack):
    plan = plan_stack("local", {"installer.repository": "mirror.example.com/gitpod"})
    assert [w for w in plan.warnings if "gitpod:installer.imagePullSecrets" in w and "mirror.example.com/gitpod" in w]
    assert "imagePullSecrets" not in installation(plan)[JOB]["spec"]["template"]["spec"]
    # Without the Job, nothing pulls from the mirror at `up`: no warning.
    plan = plan_stack("local", {"installer.repository": "mirror.example.com/gitpod", "installer.deploy": "false"})
    assert not [w for w in plan.warnings if "gitpod:installer.imagePullSecrets" in w]


def test_deploy_false_keeps_todays_resources_and_outputs(plan_stack):
    plan = plan_stack("local", {"installer.deploy": "false"})
    assert not plan.by_type("gitpod:index:GitpodInstallation") and not plan.by_type(JOB)
    assert "installerJob" not in plan.outputs and "installerLog" not in plan.outputs
    assert plan.outputs["url"] == "https://gitpod.lab.example.com"


def test_pools_that_may_be_empty_are_passed_to_validate_cluster(plan_stack):
    def absent(plan: Plan) -> str:
        env = installation(plan)[JOB]["spec"]["template"]["spec"]["containers"][0]["env"]
        return next(e["value"] for e in env if e["name"] == "LABELS_MAY_BE_ABSENT")

    assert absent(plan_stack("gcp")) == ""
    assert absent(plan_stack("gcp", {"cluster.nodePools.headlessWorkspaces.minNodes": "0"})) == NODE_LABEL_HEADLESS
    assert absent(plan_stack("local")) == ""


def test_rbac_covers_validate_cluster_and_gitpods_cluster_scoped_kinds():
    cluster = {(g, r): set(rule["verbs"]) for rule in deploy.CLUSTER_RULES for g in rule["api_groups"] for r in rule["resources"]}
    for key in (("", "nodes"), ("", "namespaces"), ("cert-manager.io", "clusterissuers")):
        assert "list" in cluster[key]
    for kind in ("clusterroles", "clusterrolebindings"):
        assert {"create", "update", "patch", "delete"} <= cluster[("rbac.authorization.k8s.io", kind)]
    assert {"escalate", "bind"} <= cluster[("rbac.authorization.k8s.io", "clusterroles")]
    # No wildcard anywhere.
    for rule in deploy.CLUSTER_RULES + deploy.NAMESPACED_RULES:
        assert "*" not in rule["resources"] and "*" not in rule["verbs"] and "*" not in rule["api_groups"]


def test_destroy_deletes_the_namespace_before_the_nodes_and_the_volume_driver(stack_plan):
    """`pulumi destroy` deletes in reverse dependency order: the namespace (and with it Gitpod and
    the `proxy` load balancer) goes while the node pools, the network and, on EKS, the EBS CSI
    driver that deletes the claims' volumes still exist; and the engine waits long enough for it."""
    plan = stack_plan
    namespace = plan.one("kubernetes:core/v1:Namespace", "gitpod-installer-namespace")
    assert namespace.custom_timeouts.get("delete") == "20m"
    by_urn = {r.urn: r for r in plan.resources}
    before = {by_urn[u].name for u in waits_for(plan.resources, namespace.urn) if u in by_urn}
    if plan.stack != "local":
        assert {by_urn[u].type for u in waits_for(plan.resources, namespace.urn) if u in by_urn} & CLUSTER_TYPES
    if plan.stack == "aws":
        assert "gitpod-cluster-ebs-csi" in before


BASE_IMAGES = {"installer.baseImageRegistries[0].server": "ghcr.io", "installer.baseImageRegistries[0].username": "bot"}
BASE_IMAGES_SECRET = {"installer.baseImageRegistries[0].password": "ghcr-pa55"}


def _pod(plan: Plan) -> dict:
    return installation(plan)[JOB]["spec"]["template"]["spec"]


def test_the_job_mounts_the_base_image_credentials_where_the_installer_renders_the_pull_secret(plan_stack):
    # The local stack runs the installer's own registry (registry.kind incluster).
    plan = plan_stack("local", BASE_IMAGES, BASE_IMAGES_SECRET)
    job = installation(plan)[JOB]
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["REGISTRY_CREDENTIALS_FILE"] == "/registry-credentials/.dockerconfigjson"
    assert {"name": "registry-credentials", "mountPath": "/registry-credentials", "readOnly": True} in container["volumeMounts"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "registry-credentials"]
    assert volume["secret"] == {
        "secretName": "custom-registry-credentials",
        "items": [{"key": ".dockerconfigjson", "path": ".dockerconfigjson"}],
        "defaultMode": 0o400,
    }
    # The Secret holds what the Job reads, and the Job runs after it.
    auths = json.loads(secrets_in(plan, plan.outputs["namespace"])["custom-registry-credentials"][".dockerconfigjson"])["auths"]
    assert set(auths) == {"ghcr.io"}
    secret = plan.one("kubernetes:core/v1:Secret", "gitpod-installer-custom-registry-credentials")
    assert secret.urn in plan.one(JOB).depends_on
    # New credentials re-run the Job: their Secret's resourceVersion is in the pod template.
    annotations = job["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {
        deploy.REGISTRY_CREDENTIALS_ANNOTATION: "${gitpod-installer-custom-registry-credentials.metadata.resourceVersion}"
    }
    assert not [w for w in plan.warnings if "baseImageRegistries" in w]


def test_the_job_mounts_no_credentials_where_the_program_writes_the_pull_secret(plan_stack):
    def mounted(plan: Plan) -> bool:
        pod = _pod(plan)
        env = {e["name"] for e in pod["containers"][0]["env"]}
        return "REGISTRY_CREDENTIALS_FILE" in env or any(v["name"] == "registry-credentials" for v in pod["volumes"])

    assert not mounted(plan_stack("local"))
    assert "annotations" not in installation(plan_stack("local"))[JOB]["spec"]["template"]["metadata"]
    # An external registry: the program merged the credentials into `container-registry` itself.
    external = {
        "registry.kind": "external",
        "registry.external.url": "registry.example.com/gitpod",
        "registry.external.username": "gitpod",
        **BASE_IMAGES,
    }
    plan = plan_stack("local", external, {**BASE_IMAGES_SECRET, "registry.external.password": "registry-pa55"})
    assert not mounted(plan)
    auths = json.loads(secrets_in(plan, plan.outputs["namespace"])["container-registry"][".dockerconfigjson"])["auths"]
    assert set(auths) == {"ghcr.io", "registry.example.com"}


def test_without_the_job_the_user_is_told_to_merge_the_credentials(plan_stack):
    plan = plan_stack("local", {**BASE_IMAGES, "installer.deploy": "false"}, BASE_IMAGES_SECRET)
    assert not plan.by_type(JOB)
    assert [w for w in plan.warnings if w.startswith("gitpod:installer.baseImageRegistries:") and "custom-registry-credentials" in w]
