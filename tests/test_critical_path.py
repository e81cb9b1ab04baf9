"""The deployment's critical path: estimated `pulumi up` time, its chain, and data stores off it."""

from __future__ import annotations

from typing import Any

import pytest

from gitpod_refarch_tools import critical_path as cp
from gitpod_refarch_tools.cli import main
from gitpod_refarch_tools.graph import direct_waits, waits_for
from gitpod_refarch_tools.harness import Registration
from gitpod_refarch_tools.markdown import render_markdown
from gitpod_refarch_tools.render import to_json
from gitpod_refarch_tools.stateful import CLUSTER_TYPES, DATA_TYPES

from .conftest import ROOT

STACKS = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def _r(name: str, type_: str, *, after: tuple[str, ...] = (), provider: str | None = None, parent: str | None = None) -> dict[str, Any]:
    return {
        "urn": f"urn:{name}",
        "name": name,
        "type": type_,
        "dependsOn": [f"urn:{a}" for a in after],
        "provider": f"urn:{provider}" if provider else None,
        "parent": f"urn:{parent}" if parent else None,
    }


#: A GKE-shaped deployment: cluster -> pool -> provider -> cert-manager -> certificate, with the
#: database and bucket alongside (the database under its own component).
GKE_LIKE = [
    _r("gitpod", "gitpod:index:GkeCluster"),
    _r("cluster", "gcp:container/cluster:Cluster", parent="gitpod"),
    _r("pool", "gcp:container/nodePool:NodePool", after=("cluster",), parent="gitpod"),
    _r("k8s", "pulumi:providers:kubernetes", after=("cluster", "pool"), parent="gitpod"),
    _r("db-component", "gitpod:index:CloudSqlDatabase"),
    _r("db", "gcp:sql/databaseInstance:DatabaseInstance", parent="db-component"),
    _r("bucket", "gcp:storage/bucket:Bucket"),
    _r("cert-manager", "kubernetes:helm.sh/v3:Release", provider="k8s"),
    _r("certificate", "kubernetes:cert-manager.io/v1:Certificate", after=("cert-manager",), provider="k8s"),
    _r("db-secret", "kubernetes:core/v1:Secret", after=("db",), provider="k8s"),
]


def test_longest_chain_and_estimate():
    path = cp.critical_path(GKE_LIKE)
    assert path.total_seconds == 420 + 240 + 120 + 2  # cluster, node pool, cert-manager chart, certificate
    assert [s.name for s in path.slow_steps()] == ["cluster", "pool", "cert-manager", "certificate"]
    assert [s.name for s in path.chain] == ["gitpod", "cluster", "pool", "k8s", "cert-manager", "certificate"]
    assert path.finish["urn:db"] == 600 and path.finish["urn:bucket"] == 5
    assert path.finish["urn:db-secret"] == 660 + 2  # waits for both the database and the node pools


def test_a_slow_dependency_moves_the_chain():
    slow = [*GKE_LIKE, _r("migration", "aws:rds/instance:Instance", after=("db",))]
    path = cp.critical_path(slow)
    assert [s.name for s in path.slow_steps()] == ["db", "migration"]
    assert path.total_seconds == 1200


def test_typical_seconds_table():
    assert cp.typical_seconds("gcp:sql/databaseInstance:DatabaseInstance") == 600
    assert cp.typical_seconds("gitpod:index:Anything") == 0
    assert cp.typical_seconds("kubernetes:core/v1:ConfigMap") == 2
    assert cp.typical_seconds("example:index:Unknown") == cp.DEFAULT_SECONDS
    assert all(seconds >= 0 for seconds in cp.TYPICAL_SECONDS.values())


def test_a_cycle_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="cycle"):
        cp.critical_path([_r("a", "x:y:Z", after=("b",)), _r("b", "x:y:Z", after=("a",))])


def test_waits_for_follows_depends_on_provider_and_parent_transitively():
    assert waits_for(GKE_LIKE, "urn:certificate") == {"urn:cert-manager", "urn:k8s", "urn:cluster", "urn:pool", "urn:gitpod"}
    assert waits_for(GKE_LIKE, "urn:db-secret") >= {"urn:db", "urn:db-component", "urn:k8s", "urn:pool"}
    assert waits_for(GKE_LIKE, "urn:db") == {"urn:db-component"}  # its component waits for nothing
    assert waits_for(GKE_LIKE, "urn:bucket") == set()
    # A child starts after whatever its component waits for.
    under = [*GKE_LIKE, _r("late", "gitpod:index:Late", after=("pool",)), _r("child", "x:y:Z", parent="late")]
    assert waits_for(under, "urn:child") == {"urn:late", "urn:pool", "urn:cluster", "urn:gitpod"}
    # Several starts at once; URNs outside the plan are ignored; a start appears only through a cycle.
    assert waits_for(GKE_LIKE, "urn:db", "urn:bucket", "urn:elsewhere") == {"urn:db-component"}
    assert waits_for([_r("a", "x:y:Z", after=("b", "gone")), _r("b", "x:y:Z", after=("a",))], "urn:a") == {"urn:a", "urn:b"}


def test_waits_for_reads_recorded_registrations_like_plan_json():
    def registration(entry: dict[str, Any]) -> Registration:
        return Registration(
            entry["urn"], entry["type"], entry["name"], entry["parent"], entry["provider"], entry["dependsOn"], False, True, {}
        )

    recorded = [registration(r) for r in GKE_LIKE]
    for r in GKE_LIKE:
        assert waits_for(recorded, r["urn"]) == waits_for(GKE_LIKE, r["urn"]), r["name"]
    by_urn = {r.urn: r for r in recorded}
    assert direct_waits(by_urn["urn:k8s"], by_urn) == ["urn:cluster", "urn:pool", "urn:gitpod"]  # dependsOn, provider, parent


@pytest.mark.parametrize("stack", STACKS)
def test_recorded_dependencies_are_custom_resources(plan_stack, stack):
    """`waits_for` adds no component's descendants because the SDK already did (see graph.py)."""
    plan = plan_stack(stack)
    components = {r.urn for r in plan.resources if not r.custom}
    assert components, "the stack declares no component"
    assert [(r.name, d) for r in plan.resources for d in r.depends_on if d in components] == []


def test_data_stores_waiting_for_the_cluster_are_found():
    assert cp.waiting_for_cluster(GKE_LIKE) == {}
    tangled = [*GKE_LIKE, _r("registry", "gcp:artifactregistry/repository:Repository", provider="k8s")]
    tangled.append(_r("zone", "gcp:dns/managedZone:ManagedZone", parent="gitpod"))
    found = cp.waiting_for_cluster(tangled)
    assert found["registry"] == ["cluster", "pool"]
    assert "zone" not in found  # a component parent alone does not make it wait: the component waits for nothing
    assert "⚠️ cluster, pool" in render_markdown({"stack": "t", "resources": tangled})


# -- every example stack ---------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_critical_path_is_reported_for_every_stack(plan_stack, stack):
    doc = to_json(plan_stack(stack))
    path = cp.critical_path(doc["resources"])
    assert path.total_seconds > 0
    assert path.chain[-1].finish == path.total_seconds
    by_urn = {r["urn"]: r for r in doc["resources"]}
    for before, after in zip(path.chain, path.chain[1:], strict=False):
        assert before.urn in direct_waits(by_urn[after.urn], by_urn), f"{after.name} does not wait for {before.name}"
    assert f"takes about **{cp.duration(path.total_seconds)}**" in render_markdown(doc)


@pytest.mark.parametrize("stack", STACKS)
def test_data_stores_are_not_on_the_clusters_chain(plan_stack, stack):
    """The database, storage, registry and DNS zone never wait for the cluster or its node pools."""
    resources = to_json(plan_stack(stack))["resources"]
    assert cp.waiting_for_cluster(resources) == {}
    for r in resources:
        if r["type"] in DATA_TYPES:
            by_urn = {x["urn"]: x for x in resources}
            assert not {by_urn[u]["type"] for u in waits_for(resources, r["urn"])} & CLUSTER_TYPES, r["name"]


def test_local_chain_is_cert_manager_the_certificate_then_the_installer(plan_stack):
    path = cp.critical_path(to_json(plan_stack("local"))["resources"])
    assert path.slow_steps()[0].name == "gitpod-cert-manager-chart"
    assert [s.name for s in path.chain[-2:]] == ["gitpod-cert-manager-certificate", "gitpod-installation-job"]
    assert path.total_seconds == 120 + 4 * 2 + 600


@pytest.mark.parametrize("stack", STACKS)
def test_the_deploy_ends_the_critical_path(plan_stack, stack):
    path = cp.critical_path(to_json(plan_stack(stack))["resources"])
    assert path.chain[-1].type == "kubernetes:batch/v1:Job"
    assert path.chain[-1].name == "gitpod-installation-job"


def test_without_deploy_the_certificate_ends_it(plan_stack):
    path = cp.critical_path(to_json(plan_stack("local", {"installer.deploy": "false"}))["resources"])
    assert path.chain[-1].name == "gitpod-cert-manager-certificate"
    assert path.total_seconds == 120 + 4 * 2


def test_cli_critical_path(capsys):
    code = main(["plan", "--project-dir", str(ROOT), "--stack", "local", "--critical-path"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "Critical path: about 12m 08s for a first `pulumi up` (estimate)" in out
    assert "2m 00s  kubernetes:helm.sh/v3:Release  gitpod-cert-manager-chart  (+2m 00s)" in out


def test_duration_format():
    assert cp.duration(5) == "5s"
    assert cp.duration(782) == "13m 02s"
