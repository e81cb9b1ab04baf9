"""The `gcp` stack end to end through the offline plan: what `pulumi up --stack gcp` declares.

One plan of the example stack is shared by the tests that only read it (a plan takes a few hundred
milliseconds once the Google SDK is imported); tests that change a setting plan their own.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

import kubernetes_validate
import pytest
import yaml

from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, NODE_LABELS_SERVICES
from gitpod_refarch.nodesysctl import host_script
from gitpod_refarch.program import main as program
from gitpod_refarch_tools import diff
from gitpod_refarch_tools.graph import waits_for
from gitpod_refarch_tools.harness import Plan, Registration, run_program
from gitpod_refarch_tools.render import installer_checks, render_json, to_json
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, installer_config, secrets_in, unwrap

PROJECT = "my-gitpod-project"
REGION = "europe-west1"
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
SQL = "gcp:sql/databaseInstance:DatabaseInstance"
SERVICE = "gcp:projects/service:Service"
PROJECT_IAM = "gcp:projects/iAMMember:IAMMember"
REPOSITORY = "gcp:artifactregistry/repository:Repository"
REPOSITORY_IAM = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
ZONE = "gcp:dns/managedZone:ManagedZone"
ZONE_IAM = "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember"
SA_IAM = "gcp:serviceaccount/iAMMember:IAMMember"
K8S_PROVIDER = "pulumi:providers:kubernetes"
DAEMONSET = "kubernetes:apps/v1:DaemonSet"


def plan_gcp(config: dict[str, str] | None = None) -> Plan:
    project, cfg = build_config(ROOT, "gcp", [f"{k}={v}" for k, v in (config or {}).items()])
    return run_program(program, cfg.values, cfg.secret_keys, project=project, stack="gcp")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_gcp()


def by_name(plan: Plan, name: str) -> Registration:
    return next(r for r in plan.resources if r.name == name)


def in_component(plan: Plan, component: str) -> list[Registration]:
    return plan.descendants(plan.urn_of(component))


def names_waited_for(plan: Plan, resources: Iterable[Registration]) -> set[str]:
    """Names of everything the given resources wait for (`waits_for`)."""
    return {r.name for r in plan.resources if r.urn in waits_for(plan.resources, *(r.urn for r in resources))}


# -- installer config and Secrets ---------------------------------------------------------------
def test_plan_is_valid_for_the_2022_11_installer(plan):
    assert installer_checks(plan) == []
    config = installer_config(plan)
    assert config["metadata"]["region"] == REGION
    assert config["database"] == {
        "inCluster": False,
        "cloudSQL": {
            "instance": f"{PROJECT}:{REGION}:${{gitpod-cloudsql-instance.name}}",
            "serviceAccount": {"kind": "secret", "name": "cloudsql"},
        },
    }
    assert config["objectStorage"] == {
        "inCluster": False,
        "cloudStorage": {"project": PROJECT, "serviceAccount": {"kind": "secret", "name": "storage-gcp"}},
    }
    assert config["containerRegistry"]["inCluster"] is False
    assert config["containerRegistry"]["external"]["url"] == f"{REGION}-docker.pkg.dev/{PROJECT}/gitpod"
    runtime = config["workspace"]["runtime"]
    assert runtime["containerdSocket"] == "/run/containerd/containerd.sock"
    assert runtime["containerdRuntimeDir"] == "/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io"


def fake_key_json(key_resource: str) -> dict:
    """What the plan fake's key decodes to (the program must flatten it, not alter it)."""
    from gitpod_refarch_tools.fakes.gcp import OUTPUTS

    encoded = OUTPUTS["gcp:serviceaccount/key:Key"](key_resource, {})["privateKey"]
    return json.loads(base64.b64decode(encoded))


def test_cloudsql_secret_holds_the_proxy_key_and_the_generated_credentials(plan):
    secret = secrets_in(plan)["cloudsql"]
    assert set(secret) == {"credentials.json", "encryptionKeys", "username", "password"}
    assert secret["username"] == "gitpod"
    assert secret["password"] == "${gitpod-cloudsql-password.result}"
    assert "\n" not in secret["credentials.json"]
    assert json.loads(secret["credentials.json"]) == fake_key_json("gitpod-cloudsql-client-key")
    assert json.loads(secret["encryptionKeys"])[0]["primary"] is True


def test_storage_secret_holds_the_scoped_service_account_key(plan):
    secret = secrets_in(plan)["storage-gcp"]
    assert set(secret) == {"service-account.json"}
    assert json.loads(secret["service-account.json"]) == fake_key_json("gitpod-gcs-key")


def test_registry_credentials_are_keyed_by_the_bare_host_with_a_single_line_json_key(plan):
    secret = by_name(plan, "gitpod-installer-container-registry")
    assert secret.inputs["type"] == "kubernetes.io/dockerconfigjson"
    auths = json.loads(unwrap(secret.inputs["stringData"])[".dockerconfigjson"])["auths"]
    assert list(auths) == [f"{REGION}-docker.pkg.dev"]
    entry = auths[f"{REGION}-docker.pkg.dev"]
    assert entry["username"] == "_json_key"
    assert "\n" not in entry["password"]
    assert json.loads(entry["password"]) == fake_key_json("gitpod-registry-writer-key")
    assert base64.b64decode(entry["auth"]).decode() == f"_json_key:{entry['password']}"


def test_no_secret_appears_in_plain_text_anywhere_in_the_plan(plan):
    rendered = render_json(plan)
    secret_values = [v for s in secrets_in(plan).values() for v in s.values() if v not in ("gitpod",)] + [
        "BEGIN PRIVATE KEY",
        "${gitpod-cloudsql-password.result}",
    ]
    for value in secret_values:
        assert value not in rendered
    assert {"kubeconfig"} <= plan.secret_outputs
    assert "installerConfig" not in plan.secret_outputs
    user = by_name(plan, "gitpod-cloudsql-user")
    assert json.loads(rendered)["resources"][plan.resources.index(user)]["inputs"]["password"] == "[secret]"


# -- APIs and network ---------------------------------------------------------------------------
def test_apis_are_enabled_and_never_disabled_on_destroy(plan):
    services = plan.by_type(SERVICE)
    assert {s.inputs["service"] for s in services} == {
        "compute.googleapis.com",
        "container.googleapis.com",
        "iam.googleapis.com",
        "cloudresourcemanager.googleapis.com",
        "sqladmin.googleapis.com",
        "servicenetworking.googleapis.com",
        "storage.googleapis.com",
        "artifactregistry.googleapis.com",
        "dns.googleapis.com",
        "iamcredentials.googleapis.com",
    }
    assert all(s.inputs["disableOnDestroy"] is False and s.inputs["project"] == PROJECT for s in services)


def test_in_cluster_choices_enable_only_what_they_use():
    plan = plan_gcp({"database.mode": "incluster", "storage.mode": "incluster", "registry.kind": "incluster"})
    enabled = {s.inputs["service"] for s in plan.by_type(SERVICE)}
    assert not enabled & {
        "sqladmin.googleapis.com",
        "servicenetworking.googleapis.com",
        "storage.googleapis.com",
        "artifactregistry.googleapis.com",
    }
    assert plan.by_type(SQL) == [] and plan.by_type(REPOSITORY) == []
    assert plan.by_type("gcp:servicenetworking/connection:Connection") == []
    assert installer_checks(plan) == []


def test_network_has_secondary_ranges_private_service_access_and_nat(plan):
    vpc = plan.one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    subnet = plan.one("gcp:compute/subnetwork:Subnetwork")
    assert subnet.inputs["ipCidrRange"] == "10.255.0.0/16"
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert subnet.inputs["secondaryIpRanges"] == [
        {"rangeName": "pods", "ipCidrRange": "10.0.0.0/12"},
        {"rangeName": "services", "ipCidrRange": "10.64.0.0/12"},
    ]
    reserved = plan.one("gcp:compute/globalAddress:GlobalAddress")
    assert (reserved.inputs["purpose"], reserved.inputs["addressType"], reserved.inputs["prefixLength"]) == ("VPC_PEERING", "INTERNAL", 16)
    connection = plan.one("gcp:servicenetworking/connection:Connection")
    assert connection.inputs["service"] == "servicenetworking.googleapis.com"
    assert connection.inputs["reservedPeeringRanges"] == ["gitpod-private-services"]
    nat = plan.one("gcp:compute/routerNat:RouterNat")
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"


def test_private_nodes_toggle_changes_every_pool_and_keeps_the_nat():
    """Turning privateNodes off must not delete the NAT the still-private nodes need, and must reach the pools.

    The provider keeps an omitted `private_cluster_config` (Optional+Computed), and GKE applies a
    changed cluster default only to new pools; so the setting is sent both ways, and per pool.
    """
    private = plan_gcp()
    public = plan_gcp({"gcp.privateNodes": "false"})
    for plan, value in ((private, True), (public, False)):
        assert len(plan.by_type("gcp:compute/router:Router")) == 1
        assert len(plan.by_type("gcp:compute/routerNat:RouterNat")) == 1
        assert plan.one(CLUSTER).inputs["privateClusterConfig"] == {"enablePrivateNodes": value, "enablePrivateEndpoint": False}
        assert [p.inputs["networkConfig"] for p in plan.by_type(NODE_POOL)] == [{"enablePrivateNodes": value}] * 3
    # Same URNs both ways: the toggle is an in-place update, never a replacement or a deletion.
    assert {r.urn for r in private.resources} == {r.urn for r in public.resources}


def plan_gcp_without(key: str) -> Plan:
    """The example stack with one `gitpod:gcp` key removed (the CLI's overrides can only set values)."""
    project, cfg = build_config(ROOT, "gcp")
    section = json.loads(cfg.values["gitpod:gcp"])
    del section[key]
    cfg.values["gitpod:gcp"] = json.dumps(section)
    return run_program(program, cfg.values, cfg.secret_keys, project=project, stack="gcp")


def test_the_example_stack_restricts_the_control_plane(plan):
    """Issue 15: the example shows an allowlist (a documentation range), and the plan does not warn."""
    assert plan.one(CLUSTER).inputs["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [{"cidrBlock": "203.0.113.0/24", "displayName": "authorized-0"}]
    }
    assert not [w for w in plan.warnings if w.startswith("gitpod:gcp.masterAuthorizedNetworks")]


def test_an_empty_authorized_network_list_is_sent_as_any_address_and_warned():
    """An omitted block would keep a previously set list (Optional+Computed in the provider)."""
    plan = plan_gcp_without("masterAuthorizedNetworks")
    assert plan.one(CLUSTER).inputs["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [{"cidrBlock": "0.0.0.0/0", "displayName": "any-address"}]
    }
    (warning,) = [w for w in plan.warnings if w.startswith("gitpod:gcp.masterAuthorizedNetworks")]
    assert "any address on the internet" in warning and "gitpod:gcp.privateEndpoint" in warning


def test_a_private_endpoint_turns_the_public_one_off_in_place():
    public, private = plan_gcp(), plan_gcp({"gcp.privateEndpoint": "true"})
    assert private.one(CLUSTER).inputs["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert not [w for w in private.warnings if "masterAuthorizedNetworks" in w]
    assert {r.urn for r in private.resources} == {r.urn for r in public.resources}
    result = _diff({}, {"gcp.privateEndpoint": "true"})
    assert result.changed and result.disruptions == [] and not result.flagged


def test_pools_boot_with_secure_boot_and_turning_it_off_replaces_them(plan):
    for pool in plan.by_type(NODE_POOL):
        assert pool.inputs["nodeConfig"]["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    result = _diff({}, {"gcp.secureBoot": "false"})
    assert {d.name for d in result.disruptions if d.kind == "replace"} == POOLS


def test_temporary_default_pool_is_small_and_runs_as_the_nodes_account(plan):
    cluster = plan.one(CLUSTER)
    assert cluster.inputs["nodeConfig"] == {
        "machineType": "e2-standard-2",
        "diskType": "pd-standard",
        "diskSizeGb": 20,
        "serviceAccount": f"gitpod-nodes@{PROJECT}.iam.gserviceaccount.com",
        "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
    }
    assert cluster.inputs["initialNodeCount"] == 1 and cluster.inputs["removeDefaultNodePool"] is True
    # Both would replace the cluster if changed after creation.
    assert {"initialNodeCount", "nodeConfig"} <= set(cluster.ignore_changes)
    assert by_name(plan, "gitpod-gcp-node-sa").urn in cluster.depends_on


@pytest.mark.parametrize(
    ("zone", "min_nodes", "per_zone"),
    [("europe-west1-b", 4, 4), ("europe-west1-b", 0, 0), ("", 1, 1), ("", 4, 2), ("", 6, 2), ("", 0, 0)],
)
def test_pools_start_at_their_minimum_counted_per_zone(zone, min_nodes, per_zone):
    """`initial_node_count` is per zone; `minNodes` is a total across the pool's zones (3 when regional)."""
    plan = plan_gcp({"gcp.zone": zone, "cluster.nodePools.regularWorkspaces.minNodes": str(min_nodes)})
    pool = next(p for p in plan.by_type(NODE_POOL) if p.inputs["name"] == "regular-workspaces")
    assert pool.inputs["initialNodeCount"] == per_zone
    assert pool.inputs["autoscaling"]["totalMinNodeCount"] == min_nodes
    assert "initialNodeCount" in pool.ignore_changes


def test_maintenance_window_is_weekly_in_utc_with_no_upgrade_exclusions():
    default = plan_gcp().one(CLUSTER).inputs["maintenancePolicy"]
    assert default == {
        "recurringWindow": {"startTime": "2024-01-07T00:00:00Z", "endTime": "2024-01-07T12:00:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=SU"}
    }
    plan = plan_gcp(
        {
            "cluster.maintenance.day": "Saturday",
            "cluster.maintenance.startTime": "22:30",
            "cluster.maintenance.durationHours": "16",
            "cluster.maintenance.exclusions[0].name": "year-end",
            "cluster.maintenance.exclusions[0].start": "2026-12-19",
            "cluster.maintenance.exclusions[0].end": "2027-01-03",
        }
    )
    assert plan.one(CLUSTER).inputs["maintenancePolicy"] == {
        "recurringWindow": {"startTime": "2024-01-06T22:30:00Z", "endTime": "2024-01-07T14:30:00Z", "recurrence": "FREQ=WEEKLY;BYDAY=SA"},
        "maintenanceExclusions": [
            {
                "exclusionName": "year-end",
                "startTime": "2026-12-19T00:00:00Z",
                "endTime": "2027-01-04T00:00:00Z",
                "exclusionOptions": {"scope": "NO_UPGRADES"},
            }
        ],
    }


# -- cluster -----------------------------------------------------------------------------------
def test_cluster_is_standard_calico_on_the_legacy_datapath_with_workload_identity(plan):
    cluster = plan.one(CLUSTER).inputs
    assert cluster["name"] == "gitpod"
    assert cluster["location"] == "europe-west1-b"
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["datapathProvider"] == "LEGACY_DATAPATH"
    assert cluster["networkPolicy"] == {"enabled": True, "provider": "CALICO"}
    assert cluster["addonsConfig"]["networkPolicyConfig"] == {"disabled": False}
    assert cluster["workloadIdentityConfig"] == {"workloadPool": f"{PROJECT}.svc.id.goog"}
    assert cluster["removeDefaultNodePool"] is True
    assert "enableAutopilot" not in cluster
    assert cluster["ipAllocationPolicy"] == {"clusterSecondaryRangeName": "pods", "servicesSecondaryRangeName": "services"}
    assert cluster["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": False}
    assert cluster["deletionProtection"] is True
    assert "minMasterVersion" not in cluster  # the channel's default


def test_regional_cluster_version_channel_and_authorized_networks_come_from_config():
    plan = plan_gcp(
        {
            "gcp.zone": "",
            "gcp.releaseChannel": "stable",
            "cluster.kubernetesVersion": "1.35",
            "gcp.masterAuthorizedNetworks": "203.0.113.0/24",
        }
    )
    cluster = plan.one(CLUSTER).inputs
    assert cluster["location"] == REGION
    assert cluster["releaseChannel"] == {"channel": "STABLE"}
    assert cluster["minMasterVersion"] == "1.35"
    assert cluster["masterAuthorizedNetworksConfig"] == {"cidrBlocks": [{"cidrBlock": "203.0.113.0/24", "displayName": "authorized-0"}]}
    assert {p.inputs["location"] for p in plan.by_type(NODE_POOL)} == {REGION}


def test_node_pools_are_ubuntu_containerd_on_ssd_with_gitpod_labels_and_autoscaling(plan):
    pools = {p.inputs["name"]: p.inputs for p in plan.by_type(NODE_POOL)}
    assert set(pools) == {"services", "regular-workspaces", "headless-workspaces"}
    expected = {
        "services": ("n2d-standard-4", 1, 4, 100, dict.fromkeys(NODE_LABELS_SERVICES, "true")),
        "regular-workspaces": ("n2d-standard-16", 1, 50, 512, {NODE_LABEL_REGULAR: "true"}),
        "headless-workspaces": ("n2d-standard-16", 1, 50, 512, {NODE_LABEL_HEADLESS: "true"}),
    }
    node_sa = f"gitpod-nodes@{PROJECT}.iam.gserviceaccount.com"
    for name, (machine, low, high, disk, labels) in expected.items():
        pool = pools[name]
        node = pool["nodeConfig"]
        assert node["machineType"] == machine
        assert node["imageType"] == "UBUNTU_CONTAINERD"
        assert node["diskType"] == "pd-ssd"
        assert node["diskSizeGb"] == disk
        assert node["labels"] == labels
        assert node["serviceAccount"] == node_sa
        assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert pool["autoscaling"]["totalMinNodeCount"] == low
        assert pool["autoscaling"]["totalMaxNodeCount"] == high
        assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert set(NODE_LABELS_SERVICES) == {
        "gitpod.io/workload_meta",
        "gitpod.io/workload_ide",
        "gitpod.io/workload_workspace_services",
        "gitpod.io/workload_services",
    }


def workspace_sysctls(plan: Plan) -> dict:
    """The DaemonSet that sets the workspace nodes' kernel, as the provider would send it, checked
    against the Kubernetes API schema of the versions the REGULAR channel runs (unknown fields fail)."""
    (daemonset,) = plan.by_type(DAEMONSET)
    manifest = unwrap(daemonset.inputs)
    for version in ("1.34", "1.35"):
        kubernetes_validate.validate(manifest, version, strict=True)
    return manifest


def test_workspace_nodes_turn_off_ubuntu_2404s_user_namespace_restriction(plan):
    """GKE's Ubuntu nodes are 24.04, whose AppArmor restriction stops workspacekit's user namespace,
    and GKE cannot boot them with the setting: a DaemonSet on the workspace nodes (only) sets it."""
    manifest = workspace_sysctls(plan)
    assert manifest["metadata"]["namespace"] == "gitpod"
    pod = manifest["spec"]["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [
        {"matchExpressions": [{"key": NODE_LABEL_REGULAR, "operator": "Exists"}]},
        {"matchExpressions": [{"key": NODE_LABEL_HEADLESS, "operator": "Exists"}]},
    ]
    (init,) = pod["initContainers"]
    # The host's own sysctl, run in the host's namespaces (as ws-daemon's init container does).
    assert pod["hostPID"] is True and init["securityContext"] == {"privileged": True}
    assert init["command"][:-1] == ["/usr/bin/nsenter", "-t", "1", "-a", "/bin/sh", "-c"]
    assert init["command"][-1] == host_script({"kernel.apparmor_restrict_unprivileged_userns": "0"})
    # The helper image ws-daemon pulls onto the same nodes, from the same place.
    assert {c["image"] for c in [init, *pod["containers"]]} == {"docker.io/library/ubuntu:20.04"}
    (sleep,) = pod["containers"]
    assert sleep["securityContext"]["runAsNonRoot"] is True and "privileged" not in sleep["securityContext"]
    assert "imagePullSecrets" not in pod
    # GKE refuses sysctls outside its allowlist, so the pools must not ask for this one.
    assert all("linuxNodeConfig" not in p.inputs["nodeConfig"] for p in plan.by_type(NODE_POOL))


def test_workspace_sysctls_follow_gitpods_mirror_and_pull_secrets(plan_stack):
    plan = plan_stack(
        "gcp",
        {
            "installer.repository": "mirror.example.com/gitpod",
            "installer.imagePullSecrets[0].server": "mirror.example.com",
            "installer.imagePullSecrets[0].username": "puller",
        },
        {"installer.imagePullSecrets[0].password": "pull-pa55"},
    )
    pod = workspace_sysctls(plan)["spec"]["template"]["spec"]
    assert {c["image"] for c in [*pod["initContainers"], *pod["containers"]]} == {"mirror.example.com/gitpod/library/ubuntu:20.04"}
    assert pod["imagePullSecrets"] == [{"name": "image-pull-mirror-example-com"}]
    assert "image-pull-mirror-example-com" in secrets_in(plan)


def test_pool_sizes_come_from_config():
    plan = plan_gcp(
        {"cluster.nodePools.headlessWorkspaces.machineType": "n2d-standard-8", "cluster.nodePools.headlessWorkspaces.maxNodes": "5"}
    )
    pool = next(p.inputs for p in plan.by_type(NODE_POOL) if p.inputs["name"] == "headless-workspaces")
    assert pool["nodeConfig"]["machineType"] == "n2d-standard-8"
    assert pool["autoscaling"]["totalMaxNodeCount"] == 5


def test_node_service_account_is_least_privilege(plan):
    node_member = f"serviceAccount:gitpod-nodes@{PROJECT}.iam.gserviceaccount.com"
    roles = {r.inputs["role"] for r in plan.by_type(PROJECT_IAM) if r.inputs["member"] == node_member}
    assert roles == {
        "roles/logging.logWriter",
        "roles/monitoring.metricWriter",
        "roles/monitoring.viewer",
        "roles/stackdriver.resourceMetadata.writer",
    }
    pull = [r.inputs for r in plan.by_type(REPOSITORY_IAM) if r.inputs["member"] == node_member]
    assert pull == [{**pull[0], "role": "roles/artifactregistry.reader", "repository": "${gitpod-registry-repository.name}"}]
    granted = {r.inputs["role"] for r in plan.by_type(PROJECT_IAM)}
    assert not granted & {"roles/container.admin", "roles/storage.admin", "roles/owner", "roles/editor", "roles/dns.admin"}


def test_kubernetes_provider_waits_for_the_node_pools_and_deploys_everything(plan):
    provider = plan.one(K8S_PROVIDER)
    pools = {p.urn for p in plan.by_type(NODE_POOL)}
    assert len(pools) == 3
    assert pools <= set(provider.depends_on)
    k8s = [r for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider == provider.urn for r in k8s)


def test_kubeconfig_is_a_secret_output_using_the_gke_auth_plugin(plan):
    assert "kubeconfig" in plan.secret_outputs
    kubeconfig = yaml.safe_load(plan.outputs["kubeconfig"])
    assert kubeconfig["current-context"] == f"gke_{PROJECT}_europe-west1-b_gitpod"
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://${gitpod-gke-cluster.endpoint}"
    exec_ = kubeconfig["users"][0]["user"]["exec"]
    assert exec_["command"] == "gke-gcloud-auth-plugin"
    assert exec_["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert "token" not in json.dumps(kubeconfig["users"])


# -- Cloud SQL ---------------------------------------------------------------------------------
def test_cloud_sql_is_private_mysql_5_7_with_backups_flags_and_protection(plan):
    instance = plan.one(SQL)
    assert instance.protect
    args = instance.inputs
    assert args["databaseVersion"] == "MYSQL_5_7"
    assert args["region"] == REGION
    assert args["deletionProtection"] is True
    settings = args["settings"]
    assert settings["deletionProtectionEnabled"] is True
    assert settings["edition"] == "ENTERPRISE"
    assert settings["tier"] == "db-custom-2-7680"
    assert settings["availabilityType"] == "ZONAL"
    assert settings["ipConfiguration"]["ipv4Enabled"] is False
    assert settings["ipConfiguration"]["privateNetwork"] == "${gitpod-gcp-network-vpc.id}"
    assert settings["databaseFlags"] == [{"name": "explicit_defaults_for_timestamp", "value": "off"}]
    backups = settings["backupConfiguration"]
    assert backups["enabled"] is True and backups["binaryLogEnabled"] is True
    assert backups["backupRetentionSettings"] == {"retainedBackups": 7, "retentionUnit": "COUNT"}
    assert plan.urn_of("gitpod-gcp-network-private-service-access") in instance.depends_on


def test_database_and_user_gitpod_with_a_generated_password(plan):
    database = plan.one("gcp:sql/database:Database")
    assert database.inputs["name"] == "gitpod" and database.protect
    user = plan.one("gcp:sql/user:User")
    assert (user.inputs["name"], user.inputs["host"]) == ("gitpod", "%")
    assert unwrap(user.inputs["password"]) == "${gitpod-cloudsql-password.result}"
    password = plan.one("random:index/randomPassword:RandomPassword")
    assert password.inputs["length"] >= 32 and password.inputs["special"] is False


def test_mysql_8_high_availability_and_retention_come_from_config():
    plan = plan_gcp(
        {
            "database.version": "8.0",
            "database.highAvailability": "true",
            "database.backupRetentionDays": "14",
            "database.instanceSize": "db-custom-4-15360",
        }
    )
    args = plan.one(SQL).inputs
    assert args["databaseVersion"] == "MYSQL_8_0"
    assert args["settings"]["availabilityType"] == "REGIONAL"
    assert args["settings"]["tier"] == "db-custom-4-15360"
    assert args["settings"]["backupConfiguration"]["backupRetentionSettings"]["retainedBackups"] == 14
    assert args["settings"]["backupConfiguration"]["transactionLogRetentionDays"] == 7
    assert any(w.startswith("gitpod:database.version: MySQL 8.0 is outside") for w in plan.warnings)


def test_cloud_sql_proxy_account_may_connect_to_this_instance_only(plan):
    grant = by_name(plan, "gitpod-cloudsql-client-sa-cloudsql-client").inputs
    assert grant["role"] == "roles/cloudsql.client"
    assert grant["member"] == f"serviceAccount:gitpod-cloudsql@{PROJECT}.iam.gserviceaccount.com"
    assert grant["condition"]["expression"] == f'resource.name == "projects/{PROJECT}/instances/${{gitpod-cloudsql-instance.name}}"'


# -- storage, registry, DNS ----------------------------------------------------------------------
def test_storage_account_may_create_buckets_and_use_only_gitpods(plan):
    member = f"serviceAccount:gitpod-storage@{PROJECT}.iam.gserviceaccount.com"
    roles = {r.inputs["roleId"]: r.inputs["permissions"] for r in plan.by_type("gcp:projects/iAMCustomRole:IAMCustomRole")}
    assert roles["gitpod_bucket_creator"] == ["storage.buckets.create"]
    assert "storage.objects.get" in roles["gitpod_bucket_user"]
    assert not any(p.startswith(("storage.hmacKeys", "storage.buckets.setIamPolicy")) for p in roles["gitpod_bucket_user"])
    grants = {r.inputs["role"]: r.inputs.get("condition") for r in plan.by_type(PROJECT_IAM) if r.inputs["member"] == member}
    assert grants == {
        f"projects/{PROJECT}/roles/gitpod_bucket_creator": None,
        f"projects/{PROJECT}/roles/gitpod_bucket_user": {
            "title": "gitpod-buckets-only",
            "description": "Buckets named gitpod-* (Gitpod's per-user buckets) and their objects.",
            "expression": 'resource.name.startsWith("projects/_/buckets/gitpod-")',
        },
    }


def test_artifact_registry_repository_is_regional_docker_and_protected(plan):
    repository = plan.one(REPOSITORY)
    assert repository.protect
    assert (repository.inputs["location"], repository.inputs["repositoryId"], repository.inputs["format"]) == (REGION, "gitpod", "DOCKER")
    writer = by_name(plan, "gitpod-registry-writer").inputs
    assert writer["role"] == "roles/artifactregistry.writer"
    assert writer["member"] == f"serviceAccount:gitpod-registry@{PROJECT}.iam.gserviceaccount.com"


@pytest.mark.parametrize(("host", "location"), [(None, "us"), ("eu.gcr.io", "europe")])
def test_gcr_kind_creates_a_gcr_io_repository_served_under_the_old_host(host, location):
    config = {"registry.kind": "gcr"} | ({"gcp.gcrHost": host} if host else {})
    plan = plan_gcp(config)
    served = host or "gcr.io"
    repository = plan.one(REPOSITORY).inputs
    assert (repository["repositoryId"], repository["location"]) == (served, location)
    assert installer_config(plan)["containerRegistry"]["external"]["url"] == f"{served}/{PROJECT}"
    auths = json.loads(secrets_in(plan)["container-registry"][".dockerconfigjson"])["auths"]
    assert list(auths) == [served]
    assert any(w.startswith("gitpod:registry.kind: Google Container Registry stopped accepting pushes") for w in plan.warnings)


def test_dns_zone_is_created_protected_and_its_name_servers_are_an_output(plan):
    zone = plan.one(ZONE)
    assert zone.protect
    assert zone.inputs["dnsName"] == "gitpod.example.com."
    assert zone.inputs["name"] == "gitpod-example-com"
    assert zone.inputs["visibility"] == "public"
    assert plan.outputs["nameServers"] == ["${gitpod-dns-zone.nameServers}"]


def test_cert_manager_solves_dns01_in_cloud_dns_through_workload_identity(plan):
    solver_email = f"gitpod-dns01@{PROJECT}.iam.gserviceaccount.com"
    grant = plan.one(ZONE_IAM, "gitpod-dns-dns01-solver").inputs
    solver = by_name(plan, "gitpod-dns-dns01-solver-role")
    assert (grant["role"], grant["managedZone"], grant["member"]) == (
        f"projects/{PROJECT}/roles/gitpod_dns01_solver",
        "gitpod-example-com",
        f"serviceAccount:{solver_email}",
    )
    # Issue 15: only what cert-manager's docs list for a least-privilege solver, not roles/dns.admin.
    assert solver.inputs["roleId"] == "gitpod_dns01_solver"
    assert set(solver.inputs["permissions"]) == {
        "dns.changes.create",
        "dns.changes.get",
        "dns.changes.list",
        "dns.managedZones.list",
        "dns.resourceRecordSets.create",
        "dns.resourceRecordSets.delete",
        "dns.resourceRecordSets.get",
        "dns.resourceRecordSets.list",
        "dns.resourceRecordSets.update",
    }
    binding = plan.one(SA_IAM, "gitpod-gke-cert-manager-workload-identity")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    # The account comes to the cluster in the zone's contract; the binding names it by resource name.
    assert binding.inputs["serviceAccountId"] == f"projects/{PROJECT}/serviceAccounts/{solver_email}"
    assert plan.urn_of("gitpod-gcp-dns01-sa") in binding.depends_on
    assert binding.inputs["member"] == f"serviceAccount:{PROJECT}.svc.id.goog[cert-manager/cert-manager]"
    # The workload pool exists only once the cluster does: a real dependency.
    assert plan.urn_of("gitpod-gke-cluster") in binding.depends_on
    release = plan.one("kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart")
    assert release.inputs["values"]["serviceAccount"]["annotations"] == {"iam.gke.io/gcp-service-account": solver_email}
    assert binding.urn in release.depends_on
    issuer = plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"]["acme"]
    assert issuer["solvers"] == [{"dns01": {"cloudDNS": {"project": PROJECT, "hostedZoneName": "gitpod-example-com"}}}]
    assert "serviceAccountSecretRef" not in json.dumps(issuer)


def test_existing_zone_is_looked_up_not_created():
    plan = plan_gcp(
        {"certificate.zone.create": "false", "certificate.zone.existingId": "example-com", "certificate.zone.name": "example.com"}
    )
    assert plan.by_type(ZONE) == []
    assert "gcp:dns/getManagedZone:getManagedZone" in plan.invokes
    assert plan.one(ZONE_IAM, "gitpod-dns-dns01-solver").inputs["managedZone"] == "example-com"
    assert plan.outputs["nameServers"] == [f"${{example-com.nameServers[{i}]}}" for i in range(4)]
    issuer = plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"]["acme"]
    assert issuer["solvers"][0]["dns01"]["cloudDNS"]["hostedZoneName"] == "example-com"


def test_cloudflare_dns01_needs_no_google_dns_identity():
    project, cfg = build_config(ROOT, "gcp", ["certificate.dns01=cloudflare"], ["certificate.cloudflare.apiToken=t"])
    plan = run_program(program, cfg.values, cfg.secret_keys, project=project, stack="gcp")
    assert plan.by_type(ZONE) == [] and plan.by_type(SA_IAM) == []
    assert "dns.googleapis.com" not in {s.inputs["service"] for s in plan.by_type(SERVICE)}
    assert "serviceAccount" not in plan.one("kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart").inputs["values"]


# -- dependencies and protection -----------------------------------------------------------------
def test_database_storage_registry_and_zone_never_wait_for_the_cluster(plan):
    cluster_side = {r.name for r in plan.resources if r.type in (CLUSTER, NODE_POOL, K8S_PROVIDER)}
    for component in ("gitpod-cloudsql", "gitpod-gcs", "gitpod-registry", "gitpod-dns"):
        resources = in_component(plan, component)
        assert resources
        waiting = names_waited_for(plan, resources)
        assert not waiting & cluster_side, f"{component} waits for {waiting & cluster_side}"


def test_the_cluster_waits_for_none_of_them(plan):
    cluster = [r for r in in_component(plan, "gitpod-gke") if r.type != SA_IAM and r.type != K8S_PROVIDER]
    others = {r.name for c in ("gitpod-cloudsql", "gitpod-gcs", "gitpod-registry", "gitpod-dns") for r in in_component(plan, c)}
    assert cluster and others
    assert not names_waited_for(plan, cluster) & others


def test_stateful_resources_are_protected_and_nothing_else_needs_to_be(plan):
    protected = {r.name for r in plan.resources if r.protect}
    assert protected == {
        "gitpod-cloudsql-instance",
        "gitpod-cloudsql-database",
        "gitpod-cloudsql-password",  # a new password would no longer match the user's
        "gitpod-registry-repository",
        "gitpod-dns-zone",
        "gitpod-installer-namespace",
        "gitpod-installer-encryption-key",
    }
    assert not [r for r in plan.by_type("gcp:serviceaccount/key:Key") if r.protect]  # keys rotate with `pulumi up --replace`


def test_protect_false_releases_everything_including_the_cluster():
    plan = plan_gcp({"protect": "false", "database.deletionProtection": "false"})
    assert not any(r.protect for r in plan.resources)
    assert plan.one(CLUSTER).inputs["deletionProtection"] is False
    assert plan.one(SQL).inputs["settings"]["deletionProtectionEnabled"] is False


def test_every_gcp_resource_uses_the_explicit_provider_and_is_named_from_its_component(plan):
    gcp_provider = plan.one("pulumi:providers:gcp")
    assert gcp_provider.inputs["project"] == PROJECT and gcp_provider.inputs["region"] == REGION
    assert all(r.provider == gcp_provider.urn for r in plan.resources if r.custom and r.type.startswith("gcp:"))
    components = {r.urn: r for r in plan.resources if not r.custom}
    for r in plan.resources:
        if r.custom:
            assert r.parent in components and r.name.startswith(components[r.parent].name), r.name


def test_only_the_private_service_peering_waits_for_the_servicenetworking_api(plan):
    api = next(r for r in plan.resources if r.name.endswith("api-servicenetworking"))
    waiting = {r.name for r in plan.resources if api.urn in r.depends_on}
    assert waiting == {"gitpod-gcp-agent-servicenetworking", "gitpod-gcp-network-private-service-access"}, waiting
    assert "gitpod-gcp-api-servicenetworking" not in names_waited_for(plan, [plan.one(CLUSTER)])


def test_the_peering_waits_for_the_service_networking_agent_and_its_role(plan):
    """Right after enablement the agent and its role may not exist yet; the program makes both first."""
    agent = by_name(plan, "gitpod-gcp-agent-servicenetworking")
    assert agent.type == "gcp:projects/serviceIdentity:ServiceIdentity"
    assert agent.inputs == {"project": PROJECT, "service": "servicenetworking.googleapis.com"}
    grant = by_name(plan, "gitpod-gcp-agent-servicenetworking-servicenetworking-serviceagent")
    assert grant.inputs["role"] == "roles/servicenetworking.serviceAgent"
    assert grant.inputs["member"] == "${gitpod-gcp-agent-servicenetworking.member}"
    # Google grants it too and other workloads rely on it: destroy leaves it.
    assert grant.retain_on_delete
    connection = plan.one("gcp:servicenetworking/connection:Connection")
    assert grant.urn in connection.depends_on
    assert by_name(plan, "gitpod-gcp-api-cloudresourcemanager").urn in grant.depends_on


def test_the_database_reserves_private_service_access_inside_the_vpcs_component(plan):
    """The database builder asks for the peering; it stays a child of the network, where its URN has always been."""
    network = plan.urn_of("gitpod-gcp-network")
    for resource in (plan.one("gcp:compute/globalAddress:GlobalAddress"), plan.one("gcp:servicenetworking/connection:Connection")):
        assert resource.parent == network, resource.name
        assert resource.provider == plan.one(SQL).provider


def test_a_reused_network_reserves_private_service_access_only_when_asked():
    import pulumi_gcp as gcp

    from gitpod_refarch.gcp.network import GcpNetwork

    ranges = {"subnet_cidr": "10.255.0.0/16", "pods_cidr": "10.0.0.0/12", "services_cidr": "10.64.0.0/12"}

    def program(reserve: bool) -> None:
        ready = gcp.projects.Service("ready", service="servicenetworking.googleapis.com")
        network = GcpNetwork("net", {"prefix": "lab", "region": REGION, **ranges})
        if reserve:
            network.reserve_private_service_access([ready])

    assert run_program(lambda: program(False), {}).by_type("gcp:servicenetworking/connection:Connection") == []
    plan = run_program(lambda: program(True), {})
    connection = plan.one("gcp:servicenetworking/connection:Connection")
    assert connection.name == "net-private-service-access" and connection.parent == plan.urn_of("net")
    assert plan.urn_of("ready") in connection.depends_on
    assert plan.one("gcp:compute/globalAddress:GlobalAddress").inputs["name"] == "lab-private-services"


# -- day 2 through `plan --diff` -------------------------------------------------------------------
def _diff(base: dict[str, str], head: dict[str, str]) -> diff.PlanDiff:
    return diff.diff_plans(to_json(plan_gcp(base)), to_json(plan_gcp(head)))


POOLS = {"gitpod-gke-services", "gitpod-gke-regular-workspaces", "gitpod-gke-headless-workspaces"}


def test_the_5_7_to_8_0_upgrade_is_an_in_place_restart_not_a_new_database():
    """terraform-provider-google patches `database_version` in place (it is not ForceNew); Cloud SQL keeps the data."""
    result = _diff({}, {"database.version": "8.0"})
    assert not result.flagged and result.dangers == []
    assert [(d.kind, d.name) for d in result.disruptions] == [("restart", "gitpod-cloudsql-instance")]
    assert "databaseVersion: 'MYSQL_5_7' -> 'MYSQL_8_0'" in result.disruptions[0].reason


def test_a_new_tier_or_high_availability_restarts_the_database_and_retention_does_not():
    resized = _diff({}, {"database.instanceSize": "db-custom-4-15360", "database.highAvailability": "true"})
    assert not resized.flagged
    [restart] = resized.disruptions
    assert restart.kind == "restart" and "settings.tier" in restart.reason and "settings.availabilityType" in restart.reason
    retention = _diff({}, {"database.backupRetentionDays": "14"})
    assert retention.disruptions == [] and not retention.flagged
    assert {c.name for c in retention.changed} == {"gitpod-cloudsql-instance"}


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("cluster.nodePools.regularWorkspaces.machineType", "n2d-standard-32", "nodeConfig.machineType"),
        ("cluster.nodePools.regularWorkspaces.diskSizeGb", "1024", "nodeConfig.diskSizeGb"),
    ],
)
def test_a_new_machine_type_or_disk_size_rolls_only_that_pool(key, value, path):
    """The provider updates both in place (UpdateNodePool), which recreates every node of the pool."""
    result = _diff({}, {key: value})
    assert [(d.kind, d.name) for d in result.disruptions] == [("roll", "gitpod-gke-regular-workspaces")]
    assert path in result.disruptions[0].reason and "workspaces running there stop" in result.disruptions[0].reason
    assert not result.flagged and result.added == [] and result.removed == []


def test_toggling_private_nodes_rolls_every_pool():
    result = _diff({}, {"gcp.privateNodes": "false"})
    assert {d.name for d in result.disruptions if d.kind == "roll"} == POOLS
    assert {d.kind for d in result.disruptions} == {"roll"}


@pytest.mark.parametrize(
    "change",
    [
        {"cluster.nodePools.regularWorkspaces.minNodes": "3", "cluster.nodePools.regularWorkspaces.maxNodes": "80"},
        {"cluster.kubernetesVersion": "1.35"},
        {"gcp.masterAuthorizedNetworks[0]": "198.51.100.0/24"},
        {"cluster.maintenance.day": "Saturday", "cluster.maintenance.startTime": "22:00"},
    ],
    ids=["pool-bounds", "kubernetes-version", "authorized-network", "maintenance-window"],
)
def test_ordinary_cluster_changes_disrupt_nothing(change):
    """Raising minNodes changes `initialNodeCount` too, which would replace the pool but is ignored after creation."""
    result = _diff({}, change)
    assert result.changed and result.disruptions == [] and not result.flagged


def test_a_new_location_rebuilds_the_cluster_and_replaces_its_pools():
    """`location` is ForceNew on both: a zonal cluster cannot become regional in place."""
    result = _diff({}, {"gcp.zone": ""})
    kinds = {(d.kind, d.name) for d in result.disruptions}
    assert ("rebuild", "gitpod-gke-cluster") in kinds
    assert {name for kind, name in kinds if kind == "replace"} == POOLS
    rebuild = next(d for d in result.disruptions if d.kind == "rebuild")
    assert "location: 'europe-west1-b' -> 'europe-west1'" in rebuild.reason
    assert "REBUILD gcp:container/cluster:Cluster  gitpod-gke-cluster" in diff.render_text(result)
    assert "**REBUILD**" in diff.render_markdown(result)


def test_gitpod_installs_only_once_the_gitpod_database_and_its_user_exist():
    """Cloud SQL's `gitpod` database and user are resources of their own next to the instance: the
    installer's Secret (and so its Job, whose session-init and migrations log in as that user into
    that database) must wait for both, not only for the instance."""
    plan = plan_gcp()
    secret = plan.one("kubernetes:core/v1:Secret", "gitpod-installer-cloudsql")
    waited = waits_for(plan.resources, secret.urn)
    assert plan.one("gcp:sql/database:Database").urn in waited
    assert plan.one("gcp:sql/user:User").urn in waited
    assert waited <= waits_for(plan.resources, plan.one("kubernetes:batch/v1:Job", "gitpod-installation-job").urn)
