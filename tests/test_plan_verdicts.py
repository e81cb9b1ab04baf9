"""`plan --diff` tells the truth: what replaces what, and the verdict (data loss 3, outage 4, in place 0).

Each case is a change a reviewer would wave through if the diff stayed quiet: a region move that
takes the data stores with it, a cluster or node pool the provider cannot change in place, a VPC
whose new id only shows as a placeholder, and a MySQL major upgrade that each provider applies in
place. The plans are the real program's, the diff is the one the CLI prints.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gitpod_refarch_tools import diff, markdown, render
from gitpod_refarch_tools.cli import main

from .conftest import ROOT, plan_stack_file
from .test_kubernetes_objects import VARIANTS, plan_of

Doc = dict[str, Any]


@functools.cache
def _plan_doc(stack: str, config: tuple[tuple[str, str], ...] = ()) -> str:
    return json.dumps(render.to_json(plan_stack_file(stack, dict(config))))


def plan_doc(stack: str, config: Mapping[str, str] | None = None) -> Doc:
    """An example stack's plan document, planned once per config for the module."""
    return json.loads(_plan_doc(stack, tuple(sorted((config or {}).items()))))


def verdict(stack: str, head: Mapping[str, str], base: Mapping[str, str] | None = None) -> diff.PlanDiff:
    return diff.diff_plans(plan_doc(stack, base), plan_doc(stack, {**(base or {}), **head}))


def by_name(items: list[Any]) -> dict[str, Any]:
    return {i.name: i for i in items}


def cli(capsys: pytest.CaptureFixture[str], stack: str, *args: str) -> tuple[int, str]:
    code = main(["plan", "--project-dir", str(ROOT), "--stack", stack, *args])
    out, _ = capsys.readouterr()
    return code, out


@pytest.fixture
def base_file(tmp_path: Path):
    def write(stack: str, config: Mapping[str, str] | None = None) -> str:
        path = tmp_path / f"{stack}-base.json"
        path.write_text(json.dumps(plan_doc(stack, config)))
        return str(path)

    return write


# -- every type the program creates has its replace rules, with their source -------------------------
def test_every_type_the_program_declares_has_replace_rules_with_a_source():
    from gitpod_refarch_tools.effects import TYPES

    plans = [plan_of(v) for v in VARIANTS] + [plan_stack_file("aws", {"aws.adminRoleArns": "arn:aws:iam::123456789012:role/admins"})]
    declared = {r.type for plan in plans for r in plan.resources if r.custom and not r.read}
    assert "aws:eks/accessEntry:AccessEntry" in declared and "azure-native:containerservice:AgentPool" in declared
    missing = sorted(declared - set(TYPES))
    assert not missing, f"add these types to effects.TYPES, with their provider's replace-forcing inputs and source: {missing}"
    assert all(TYPES[t].source for t in declared)


# -- a provider's region is every resource's region ---------------------------------------------------
def test_an_aws_region_move_is_data_loss_for_rds_and_both_buckets(capsys, base_file):
    code, out = cli(capsys, "aws", "--diff", base_file("aws"), "--format", "json", "--config", "aws.region=eu-central-1")
    assert code == 3
    result = json.loads(out)["diff"]
    assert result["verdict"] == "data-loss"
    lost = {d["name"]: d for d in result["dangers"]}
    assert {"gitpod-database-mysql", "gitpod-storage-bucket", "gitpod-registry-bucket"} <= set(lost)
    # Neither sets `region` itself: the provider's moves them.
    assert all(lost[n]["fields"] == ["region"] for n in ("gitpod-database-mysql", "gitpod-storage-bucket"))
    assert "(from provider `gitpod-aws`)" in lost["gitpod-database-mysql"]["reason"]


# -- clusters and node pools the provider replaces ----------------------------------------------------
def test_gke_zonal_to_regional_replaces_the_cluster_and_exits_4(capsys, base_file):
    code, out = cli(capsys, "gcp", "--diff", base_file("gcp"), "--config", "gcp.zone=")
    assert code == 4
    assert "Plan diff for stack 'gcp': OUTAGE (exit 4)" in out
    assert "REBUILD gcp:container/cluster:Cluster  gitpod-gke-cluster: location: 'europe-west1-b' -> 'europe-west1'" in out


def test_a_new_azure_network_plugin_replaces_the_cluster_and_its_pools():
    result = verdict("azure", {"azure.networkPlugin": "kubenet"})
    assert result.verdict == "outage" and result.exit_code == 4
    outages = by_name(result.outages)
    assert outages["gitpod-cluster-aks"].kind == "rebuild"
    assert "networkProfile.networkPlugin" in outages["gitpod-cluster-aks"].fields
    # The user pools live in the old cluster: their `resourceName` names it.
    assert {n for n, d in outages.items() if d.kind == "replace"} == {"gitpod-cluster-regularws-pool", "gitpod-cluster-headlessws-pool"}


def test_a_new_cluster_name_replaces_the_eks_cluster():
    result = verdict("aws", {"cluster.name": "gitpod2"})
    assert result.verdict == "outage"
    assert by_name(result.outages)["gitpod-cluster-eks"].fields == ("name",)
    # The Kubernetes provider's kubeconfig (a secret) comes from the cluster: everything in it is recreated.
    assert by_name(result.replaced)["gitpod-cluster-k8s"].fields == ("kubeconfig",)
    assert by_name(result.replaced)["gitpod-installer-namespace"].fields == ("provider",)


def test_a_new_cluster_name_on_gcp_also_replaces_the_vpc_but_cloud_sql_moves_in_place():
    result = verdict("gcp", {"cluster.name": "gitpod2"})
    assert result.verdict == "outage"
    assert by_name(result.outages)["gitpod-gke-cluster"].kind == "rebuild"
    replaced = by_name(result.replaced)
    assert replaced["gitpod-gcp-network-vpc"].fields == ("name",)
    assert replaced["gitpod-gcp-network-private-service-access"].fields == ("network",)
    # Cloud SQL's private network may change in place (only removing it is ForceNew): its data stays.
    assert result.dangers == []
    assert "settings.ipConfiguration.privateNetwork" in {
        p for c in result.changed if c.name == "gitpod-cloudsql-instance" for p in c.inputs
    }


def test_replacing_the_cluster_loses_the_in_cluster_stores_volumes(capsys, base_file):
    in_cluster = {"database.mode": "incluster", "storage.mode": "incluster"}
    result = verdict("aws", {"cluster.name": "gitpod2"}, base=in_cluster)
    assert result.verdict == "data-loss" and result.in_cluster_stores == ("MySQL database", "MinIO object storage")
    lost = by_name(result.dangers)
    assert "MySQL database, MinIO object storage" in lost["gitpod-installer-namespace"].reason
    assert lost["gitpod-cluster-eks"].fields == ("name",)
    # With the data outside the cluster the same change is an outage, not data loss.
    assert verdict("aws", {"cluster.name": "gitpod2"}).verdict == "outage"


def test_a_new_vpc_cidr_replaces_the_node_groups_through_their_placeholder_subnet_ids():
    """Both plans show `${subnet.id}`; the subnets are replaced, so the node groups get new ids."""
    result = verdict("aws", {"aws.vpcCidr": "10.200.0.0/16"})
    assert result.verdict == "outage"
    groups = {d.name: d for d in result.outages if d.type == "aws:eks/nodeGroup:NodeGroup"}
    assert set(groups) == {"gitpod-cluster-services", "gitpod-cluster-regular-workspaces", "gitpod-cluster-headless-workspaces"}
    assert all(d.kind == "replace" and d.fields == ("subnetIds",) for d in groups.values())
    assert "gitpod-network-private-eu-west-1a" in groups["gitpod-cluster-services"].reason
    replaced = by_name(result.replaced)
    assert replaced["gitpod-network-vpc"].fields == ("cidrBlock",)
    assert replaced["gitpod-database-security-group"].fields == ("vpcId",)
    assert result.dangers == []  # RDS moves subnets and security groups in place


@pytest.mark.parametrize(
    ("stack", "config", "pool", "field"),
    [
        ("azure", {"cluster.nodePools.regularWorkspaces.machineType": "Standard_D16_v4"}, "gitpod-cluster-regularws-pool", "vmSize"),
        ("aws", {"cluster.nodePools.headlessWorkspaces.machineType": "m6i.8xlarge"}, "gitpod-cluster-headless-workspaces", "instanceTypes"),
        (
            "aws",
            {"aws.availabilityZones": "eu-west-1a,eu-west-1c", "aws.availabilityZoneCount": ""},
            "gitpod-cluster-services",
            "subnetIds",
        ),
    ],
    ids=["aks-vm-size", "eks-instance-types", "eks-subnets"],
)
def test_a_replaced_node_pool_is_an_outage(stack, config, pool, field):
    result = verdict(stack, config)
    assert result.verdict == "outage" and not result.flagged
    replaced = by_name(result.outages)[pool]
    assert replaced.kind == "replace" and field in replaced.fields


def test_azure_deletes_the_old_pool_before_its_replacement():
    result = verdict("azure", {"cluster.nodePools.regularWorkspaces.machineType": "Standard_D16_v4"})
    assert "(the old pool is deleted first)" in by_name(result.outages)["gitpod-cluster-regularws-pool"].reason


# -- the MySQL 5.7 -> 8.0 upgrade: in place on every cloud --------------------------------------------
@pytest.mark.parametrize(
    ("stack", "database", "field"),
    [
        ("gcp", "gitpod-cloudsql-instance", "databaseVersion"),
        ("aws", "gitpod-database-mysql", "engineVersion"),
        ("azure", "gitpod-database-server", "version"),
    ],
)
def test_the_mysql_major_upgrade_is_in_place_with_a_restart(capsys, base_file, stack, database, field):
    """Cloud SQL patches `database_version`; RDS upgrades `engine_version` with allow_major_version_upgrade;
    Flexible Server's `version` is updatable. None of them is ForceNew or create-only."""
    code, out = cli(capsys, stack, "--diff", base_file(stack), "--format", "json", "--config", "database.version=8.0")
    assert code == 0
    result = json.loads(out)["diff"]
    assert result["verdict"] == "in-place" and result["dangers"] == []
    [restart] = [d for d in result["disruptions"] if d["name"] == database]
    assert restart["kind"] == "restart" and field in restart["fields"]


def test_the_rds_upgrade_names_the_parameter_group_it_replaces():
    """A new family is a new group (`family` is ForceNew); the instance restarts onto it."""
    result = verdict("aws", {"database.version": "8.0"})
    assert result.verdict == "in-place"
    assert "family" in by_name(result.replaced)["gitpod-database-parameters"].fields
    restart = by_name(result.downtime)["gitpod-database-mysql"]
    assert set(restart.fields) == {"engineVersion", "parameterGroupName"}


# -- the reports name the fields, the verdict and the exit code ---------------------------------------
def test_text_and_markdown_name_the_fields_that_force_each_replacement():
    result = verdict("aws", {"aws.region": "eu-central-1"})
    text, md = diff.render_text(result), diff.render_markdown(result)
    assert text.startswith("Plan diff for stack 'aws': DATA LOSS (exit 3)\n")
    assert "**Verdict: DATA LOSS (exit 3)**" in md
    assert "| **REPLACED** | `gitpod-database-mysql` | `aws:rds/instance:Instance` | `region` |" in md
    assert "| **REBUILD** | `gitpod-cluster-eks` | `aws:eks/cluster:Cluster` | `region` |" in md
    assert "| `gitpod-network-vpc` | `aws:ec2/vpc:Vpc` | `region` |" in md  # replaced, nothing held is lost


# -- propagation and provider defaults on small documents ---------------------------------------------
def _doc(*resources: dict[str, Any]) -> Doc:
    return {"stack": "t", "resources": list(resources), "outputs": {}, "warnings": [], "checks": []}


def _res(type_: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return (
        {"urn": f"urn:pulumi:t::p::{type_}::{name}", "type": type_, "name": name, "parent": None, "provider": None}
        | {
            "dependsOn": [],
            "protect": False,
            "inputs": inputs,
        }
        | extra
    )


def test_a_secret_kubeconfig_from_a_replaced_cluster_replaces_everything_on_its_provider():
    cluster = _res("gcp:container/cluster:Cluster", "c", {"name": "a", "location": "europe-west1-b"})
    provider = _res("pulumi:providers:kubernetes", "k8s", {"kubeconfig": "[secret]"}, inputDependencies={"kubeconfig": [cluster["urn"]]})
    namespace = _res("kubernetes:core/v1:Namespace", "ns", {"metadata": {"name": "gitpod"}}, provider=provider["urn"])
    head_cluster = copy.deepcopy(cluster)
    head_cluster["inputs"]["location"] = "europe-west1"
    result = diff.diff_plans(_doc(cluster, provider, namespace), _doc(head_cluster, provider, namespace))
    assert [(d.kind, d.name) for d in result.outages] == [("rebuild", "c")]
    assert by_name(result.replaced)["k8s"].fields == ("kubeconfig",)
    # No installer config in the base plan: whether data lived in the namespace is unknown, so it counts.
    assert [(d.name, d.fields) for d in result.dangers] == [("ns", ("provider",))]


def test_a_gcp_project_change_reaches_resources_that_do_not_set_one():
    provider = _res("pulumi:providers:gcp", "gcp", {"project": "a", "region": "europe-west1"})
    network = _res("gcp:compute/network:Network", "vpc", {"name": "vpc"}, provider=provider["urn"])
    explicit = _res("gcp:compute/network:Network", "other", {"name": "other", "project": "fixed"}, provider=provider["urn"])
    moved = copy.deepcopy(provider)
    moved["inputs"]["project"] = "b"
    result = diff.diff_plans(_doc(provider, network, explicit), _doc(moved, network, explicit))
    assert [(r.name, r.fields) for r in result.replaced] == [("vpc", ("project",))]
    assert [(c.name, c.inputs) for c in result.changed if c.name == "vpc"] == [("vpc", ("project",))]


def test_ignored_inputs_never_force_a_replacement():
    pool = _res("gcp:container/nodePool:NodePool", "p", {"initialNodeCount": 1}, ignoreChanges=["initialNodeCount"])
    grown = copy.deepcopy(pool)
    grown["inputs"]["initialNodeCount"] = 3
    result = diff.diff_plans(_doc(pool), _doc(grown))
    assert result.changed == [] and result.disruptions == []  # Pulumi never sends the change
    assert result.verdict == "in-place"


# -- the same inputs give the same bytes ----------------------------------------------------------------
@pytest.mark.parametrize("stack", ["aws", "gcp", "azure"])
def test_the_plan_is_byte_identical_from_run_to_run(stack):
    """The SDK registers resources from worker threads; their order must not leak into the output."""
    outputs = set()
    for _ in range(3):
        plan = plan_stack_file(stack)
        doc = render.to_json(plan)
        outputs.add((render.render_text(plan), render.render_json(plan), markdown.render_markdown(doc)))
    assert len(outputs) == 1
    doc = json.loads(next(iter(outputs))[1])
    urns = [r["urn"] for r in doc["resources"]]
    assert urns == sorted(urns)
    assert all(r["dependsOn"] == sorted(r["dependsOn"]) for r in doc["resources"])
