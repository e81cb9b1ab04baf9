"""Every Kubernetes object the program declares is one the API server accepts.

Each example stack, and each variant other tests use that adds or changes Kubernetes objects, is
planned once; every `kubernetes:*` resource it records becomes the manifest the provider sends,
validated against Kubernetes' own OpenAPI for the minor the stack runs (strict: unknown fields
fail), cert-manager's CRDs at the pinned chart version, and the chart's values schema. How
unknown values are treated, and where the schemas come from: tests/kubernetes_schemas.py.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from gitpod_refarch.externaldns import VERSION as EXTERNAL_DNS_VERSION
from gitpod_refarch.settings.model import CertManagerSettings
from gitpod_refarch_tools.harness import Plan, Registration

from . import kubernetes_schemas as ks
from .conftest import ROOT, plan_stack_file

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CLOUDFLARE = {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare", "certificate.email": "ops@example.com"}

#: name -> (stack, config, secret config). The example stacks as shipped (aws: Calico's RBAC and
#: charts, the gp3 StorageClass; azure: the workspace-node DaemonSet; local: the node-label
#: patch and the self-signed CA chain), plus every issuer and the bring-your-own Secrets.
VARIANTS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "aws": ("aws", {}, {}),
    "aws-cloudflare": ("aws", {"certificate.dns01": "cloudflare"}, {"certificate.cloudflare.apiToken": "cf-token"}),
    "azure": ("azure", {}, {}),
    "gcp": ("gcp", {}, {}),
    "local": ("local", {}, {}),
    "local-letsencrypt-cloudflare": ("local", CLOUDFLARE, {"certificate.cloudflare.apiToken": "cf-token"}),
    "local-letsencrypt-staging": (
        "local",
        {**CLOUDFLARE, "certificate.issuer": "letsencrypt-staging"},
        {"certificate.cloudflare.apiToken": "t"},
    ),
    # The installer Job with the base-image credentials Secret mounted (installer-rendered registry auth).
    "local-base-image-registries": (
        "local",
        {"installer.baseImageRegistries[0].server": "ghcr.io", "installer.baseImageRegistries[0].username": "bot"},
        {"installer.baseImageRegistries[0].password": "ghcr-pa55"},
    ),
    "local-existing": (
        "local",
        {"certificate.issuer": "existing", "certificate.existing.tlsCert": PEM, "certificate.existing.caCert": PEM},
        {"certificate.existing.tlsKey": "-----BEGIN PRIVATE KEY-----secret"},
    ),
    "local-bring-your-own": (
        "local",
        {
            "database.mode": "external",
            "database.external.host": "mysql.internal",
            "database.external.caCert": PEM,
            "storage.mode": "external",
            "storage.external.endpoint": "minio.internal:9000",
            "storage.external.bucket": "gitpod",
            "storage.external.region": "us-east-1",
            "registry.kind": "external",
            "registry.external.url": "registry.example.com/gitpod",
            "registry.external.username": "gitpod",
            "installer.repository": "mirror.example.com/gitpod",
            "installer.imagePullSecrets[0].server": "mirror.example.com",
            "installer.imagePullSecrets[0].username": "puller",
            "certManager.imageRepository": "mirror.example.com/jetstack",
            "certManager.namespace": "certs",
            "cluster.distribution": "generic",
        },
        {
            "database.external.password": "db-pa55word",
            "storage.external.accessKeyId": "AKIAEXAMPLE",
            "storage.external.secretAccessKey": "s3-secret-key",
            "registry.external.password": "registry-pa55",
            "installer.imagePullSecrets[0].password": "pull-pa55",
        },
    ),
}

#: Where the plan pins no Kubernetes version, the minors to validate against.
UNPINNED_MINORS: dict[str, tuple[str, ...]] = {
    # GKE's release channel picks the version and moves the cluster forward: the stack's
    # documented 1.35, and the newest minor kubernetes-validate knows.
    "gcp": ("1.35", ks.shipped_minors()[-1]),
    # Your own cluster: the stack says 1.24.17 (what Gitpod tested) and kubernetes-validate
    # starts at 1.25, the closest; and the newest, for a cluster installed today.
    "local": (ks.shipped_minors()[0], ks.shipped_minors()[-1]),
}

#: Helm charts without a values schema to check against (checked 2026-11-30).
NO_VALUES_SCHEMA = {
    # github.com/projectcalico/calico charts/tigera-operator and charts/crd.projectcalico.org.v1
    # (tag v3.32.1, branch release-v3.32) ship no values.schema.json; and the repository's Go
    # module path has no /v3 suffix, so its v3.x tags are not Go module versions either.
    "tigera-operator": "projectcalico/calico ships no values.schema.json for this chart",
    "crd.projectcalico.org.v1": "projectcalico/calico ships no values.schema.json for this chart",
    # kubernetes/autoscaler cluster-autoscaler/charts/cluster-autoscaler (tags cluster-autoscaler-chart-9.36.0
    # to 9.59.0) has values.yaml only; tests/test_aws_autoscaler.py checks the keys against autoscaler.VALUE_KEYS.
    "cluster-autoscaler": "kubernetes/autoscaler ships no values.schema.json for this chart",
}

CLUSTER_VERSION_INPUTS = {
    "aws:eks/cluster:Cluster": "version",
    "azure-native:containerservice:ManagedCluster": "kubernetesVersion",
    "gcp:container/cluster:Cluster": "minMasterVersion",
}


@functools.cache
def plan_of(variant: str) -> Plan:
    """Each variant is planned once for the whole module."""
    stack, config, secrets = VARIANTS[variant]
    return plan_stack_file(stack, config, secrets)


def minors(variant: str, plan: Plan) -> tuple[str, ...]:
    """The Kubernetes minors the variant's cluster runs: the cluster's pinned version, else the table's."""
    for resource in plan.resources:
        key = CLUSTER_VERSION_INPUTS.get(resource.type)
        version = resource.inputs.get(key) if key else None
        if isinstance(version, str) and (match := re.match(r"(\d+\.\d+)", version)):
            return (match.group(1),)
    stack = VARIANTS[variant][0]
    assert stack in UNPINNED_MINORS, f"the {variant} plan pins no Kubernetes version and UNPINNED_MINORS has no entry for {stack}"
    return UNPINNED_MINORS[stack]


def kubernetes_resources(plan: Plan) -> list[Registration]:
    return [r for r in plan.resources if r.type.startswith("kubernetes:") and r.custom and r.type != ks.HELM_RELEASE]


def chart_name(release: Registration) -> str:
    return str(release.inputs["chart"]).rstrip("/").rsplit("/", 1)[-1]


def cert_manager_version(plan: Plan) -> str:
    release = next(r for r in plan.by_type(ks.HELM_RELEASE) if chart_name(r) == "cert-manager")
    return str(release.inputs["version"])


def crds_for(plan: Plan) -> Mapping[tuple[str, str], ks.Crd]:
    return ks.load_crds(ks.cert_manager_dir(cert_manager_version(plan)) / "deploy" / "crds")


def check_object(resource: Registration, plan: Plan, minor: str) -> list[str]:
    """Problems of one object at one Kubernetes minor; an object nothing can check is a problem too."""
    obj = ks.manifest(resource)
    want = ks.target(resource.type)
    if (obj.get("apiVersion"), obj.get("kind")) != (want.api_version, want.kind):
        return [f"apiVersion/kind {obj.get('apiVersion')}/{obj.get('kind')} do not match the type token ({want.api_version} {want.kind})"]
    found = ks.api_server_problems(obj)
    validator = ks.kubernetes_validator(minor, want.api_version, want.kind, patch=want.patch)
    if validator is not None:
        return found + ks.problems(validator, obj)
    group = want.api_version.rpartition("/")[0]
    crd = crds_for(plan).get((group, want.kind))
    if crd is None:
        return [f"no schema: Kubernetes {minor} has no {want.api_version} {want.kind}, and no vendored CRD defines it"]
    return found + ks.custom_resource_problems(obj, crd, minor)


@pytest.mark.parametrize("variant", VARIANTS)
def test_kubernetes_objects_match_the_api(variant):
    plan = plan_of(variant)
    found = [
        f"[{minor}] {ks.describe(r)} {problem}"
        for minor in minors(variant, plan)
        for r in kubernetes_resources(plan)
        for problem in check_object(r, plan, minor)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("variant", VARIANTS)
def test_helm_values_match_the_charts_schema(variant):
    plan = plan_of(variant)
    found = []
    for release in plan.by_type(ks.HELM_RELEASE):
        chart = chart_name(release)
        if chart in NO_VALUES_SCHEMA:
            continue
        assert chart in ("cert-manager", "external-dns"), (
            f"no values schema source for chart {chart!r}: add one, or list it in NO_VALUES_SCHEMA with the reason"
        )
        if chart == "external-dns":
            directory = ks.external_dns_chart_dir(str(release.inputs["version"]))
        else:
            directory = ks.cert_manager_dir(str(release.inputs["version"])) / "deploy" / "charts" / "cert-manager"
        found += [f"{release.name}: {p}" for p in ks.values_problems(directory, release.inputs.get("values") or {})]
    assert not found, "\n".join(found)


def test_every_kind_the_program_declares_is_validated():
    """The variants reach every kind, and nothing is left unchecked for want of a schema."""
    kinds: Counter[str] = Counter()
    for variant in VARIANTS:
        plan = plan_of(variant)
        for r in kubernetes_resources(plan):
            kinds[r.type] += 1
    assert set(kinds) == {
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:NodePatch",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kubernetes:cert-manager.io/v1:Certificate",
        "kubernetes:cert-manager.io/v1:Issuer",
        "kubernetes:cert-manager.io/v1:ClusterIssuer",
        # The installer Job and its RBAC (`installer.deploy`, on by default).
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:batch/v1:Job",
    }, f"a kind appeared or disappeared: {dict(kinds)}; add a variant that declares it, or update this list"


def test_make_test_fetches_the_external_dns_chart_the_program_pins():
    """The chart's values schema comes from `go mod download` of the module shipping the pinned chart,
    which `make test` does first: the Makefile must name that module version."""
    line = f"EXTERNAL_DNS_MODULE := {ks.EXTERNAL_DNS_MODULE}@{ks.EXTERNAL_DNS_MODULE_FOR_CHART[EXTERNAL_DNS_VERSION]}"
    assert line in (ROOT / "Makefile").read_text()
    release = next(r for r in plan_of("aws").by_type(ks.HELM_RELEASE) if chart_name(r) == "external-dns")
    assert release.inputs["version"] == EXTERNAL_DNS_VERSION


def test_wrong_external_dns_values_fail():
    release = next(r for r in plan_of("local-letsencrypt-cloudflare").by_type(ks.HELM_RELEASE) if chart_name(r) == "external-dns")
    directory = ks.external_dns_chart_dir(str(release.inputs["version"]))
    values = dict(ks.manifest(release)["values"])
    assert ks.values_problems(directory, values) == []
    assert ks.values_problems(directory, {**values, "policy": "upsert"})
    # The chart's schema leaves unknown top-level keys open, but closes `image` and types the rest.
    assert ks.values_problems(directory, {**values, "image": {"repo": "mirror.example.com/external-dns"}})
    assert ks.values_problems(directory, {**values, "sources": "service"})


def test_make_test_fetches_the_cert_manager_version_the_program_pins():
    """The schemas come from `go mod download` of the chart's version, which `make test` (what the
    README and CI run) does first: the Makefile must name that version."""
    line = f"CERT_MANAGER_MODULE := {ks.CERT_MANAGER_MODULE}@{CertManagerSettings().version}"
    assert line in (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\bschemas\b", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert cert_manager_version(plan_of("local")) == CertManagerSettings().version


# -- the checks catch real mistakes (so a green run means something) -----------------------------
def _one(plan: Plan, type_token: str) -> Registration:
    return plan.by_type(type_token)[0]


def _altered(resource: Registration, path: list[Any], value: object, *, rename: str | None = None) -> Registration:
    """A copy of `resource` with one input changed (or a key renamed), as a typo would."""
    inputs = copy.deepcopy(ks.manifest(resource))
    node = inputs
    for part in path[:-1]:
        node = node[part]
    if rename is not None:
        node[rename] = node.pop(path[-1])
    else:
        node[path[-1]] = value
    return Registration(**{**resource.__dict__, "inputs": inputs})


def test_a_misspelled_daemonset_field_fails():
    plan = plan_of("azure")
    daemonset = _one(plan, "kubernetes:apps/v1:DaemonSet")
    typo = _altered(daemonset, ["spec", "template", "spec", "hostPID"], None, rename="hostPid")
    [problem] = check_object(typo, plan, "1.35")
    assert "'hostPid' was unexpected" in problem


def test_a_malformed_quantity_fails():
    plan = plan_of("azure")
    daemonset = _one(plan, "kubernetes:apps/v1:DaemonSet")
    resources = ["spec", "template", "spec", "containers", 0, "resources", "limits", "memory"]
    assert check_object(_altered(daemonset, resources, "32MiB"), plan, "1.35")
    assert check_object(_altered(daemonset, resources, "32Mi"), plan, "1.35") == []


def test_a_wrong_storage_class_value_fails():
    plan = plan_of("aws")
    storage = _one(plan, "kubernetes:storage.k8s.io/v1:StorageClass")
    assert check_object(_altered(storage, ["volumeBindingMode"], None, rename="volumeBinding"), plan, "1.35")
    assert check_object(_altered(storage, ["allowVolumeExpansion"], "yes"), plan, "1.35")


def test_an_invalid_certificate_fails_against_the_crd():
    plan = plan_of("local")
    certificate = next(r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if r.inputs["spec"].get("dnsNames"))
    wrong = check_object(_altered(certificate, ["spec", "privateKey", "algorithm"], "RSA4096"), plan, "1.35")
    assert any("privateKey.algorithm" in p and "is not one of" in p for p in wrong)
    assert check_object(_altered(certificate, ["spec", "dnsNames"], None, rename="dnsName"), plan, "1.35")
    issuer = _one(plan, "kubernetes:cert-manager.io/v1:Issuer")
    unnamespaced = _altered(issuer, ["metadata", "namespace"], None, rename="ns")
    assert any("is namespaced" in p for p in check_object(unnamespaced, plan, "1.35"))


def test_placeholders_stand_for_strings_of_unknown_content():
    plan = plan_of("local")
    certificate = _one(plan, "kubernetes:cert-manager.io/v1:Certificate")
    assert check_object(_altered(certificate, ["spec", "privateKey", "algorithm"], "${ca.algorithm}"), plan, "1.35") == []
    assert check_object(_altered(certificate, ["spec", "privateKey", "size"], "${ca.size}"), plan, "1.35")  # an integer field


def test_bad_names_and_labels_fail():
    plan = plan_of("local")
    namespace = _one(plan, "kubernetes:core/v1:Namespace")
    assert check_object(_altered(namespace, ["metadata", "name"], "Gitpod.NS"), plan, "1.35")
    assert check_object(_altered(namespace, ["metadata", "labels", "app.kubernetes.io/part-of"], "git pod"), plan, "1.35")


def test_wrong_chart_values_fail():
    plan = plan_of("local")
    release = plan.one(ks.HELM_RELEASE)
    directory = ks.cert_manager_dir(str(release.inputs["version"])) / "deploy" / "charts" / "cert-manager"
    values = dict(ks.manifest(release)["values"])
    assert ks.values_problems(directory, values) == []
    assert ks.values_problems(directory, {**values, "crds": {"enable": True}})
    assert ks.values_problems(directory, {**values, "extraArgs": "--dns01-recursive-nameservers-only"})


def test_a_missing_schema_source_fails_with_the_fix():
    with pytest.raises(
        pytest.fail.Exception, match=r"Fix \(`make test` runs it\): go mod download github.com/cert-manager/cert-manager@v0.0.1$"
    ):
        ks.cert_manager_dir("v0.0.1")


def test_kubernetes_validate_still_ships_the_minors_the_stacks_run():
    shipped = ks.shipped_minors()
    for variant in VARIANTS:
        for minor in minors(variant, plan_of(variant)):
            assert minor in shipped, f"{variant} runs Kubernetes {minor}; kubernetes-validate has {shipped}"
