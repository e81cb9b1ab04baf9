"""The stack outputs operators look up (URL, cluster, database, buckets, registry), on every target,
wired to the resources that hold them, documented, and never a secret in clear."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from gitpod_refarch_tools.harness import Plan
from gitpod_refarch_tools.render import render_json, render_text

from .conftest import ROOT, PlanStack, plan_stack_file, unwrap
from .test_byo import ALL_SECRETS, DB, DB_SECRET, REGISTRY, REGISTRY_SECRET, S3, S3_SECRET

LOOKUPS = (
    "url",
    "clusterName",
    "databaseHost",
    "databaseInstance",
    "storageBucket",
    "storageAccount",
    "registryUrl",
    "registryServer",
    "registryBucket",
)


def lookups(plan: Plan) -> dict[str, Any]:
    return {k: plan.outputs[k] for k in LOOKUPS if k in plan.outputs}


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        (
            "aws",
            {
                "url": "https://gitpod.example.com",
                "clusterName": "gitpod",
                "databaseHost": "${gitpod-database-mysql.address}",
                "storageBucket": "${gitpod-storage-bucket.bucket}",
                "registryUrl": "registry.gitpod.example.com",
                "registryServer": "registry.gitpod.example.com",
                "registryBucket": "${gitpod-registry-bucket.bucket}",
            },
        ),
        (
            "gcp",
            {
                "url": "https://gitpod.example.com",
                "clusterName": "gitpod",
                "databaseInstance": "my-gitpod-project:europe-west1:${gitpod-cloudsql-instance.name}",
                "registryUrl": "europe-west1-docker.pkg.dev/my-gitpod-project/gitpod",
                "registryServer": "europe-west1-docker.pkg.dev",
            },
        ),
        (
            "azure",
            {
                "url": "https://gitpod.example.com",
                "clusterName": "${gitpod-cluster-aks.name}",
                "databaseHost": "${gitpod-database-server.fullyQualifiedDomainName}",
                "storageAccount": "${gitpod-storage-account.name}",
                "registryUrl": "${gitpod-registry-acr.loginServer}",
                "registryServer": "${gitpod-registry-acr.loginServer}",
            },
        ),
        (
            "local",
            {
                "url": "https://gitpod.lab.example.com",
                "registryUrl": "registry.gitpod.lab.example.com",
                "registryServer": "registry.gitpod.lab.example.com",
            },
        ),
    ],
)
def test_each_example_stack_exports_where_its_services_are(stack, expected):
    plan = plan_stack_file(stack)
    assert lookups(plan) == expected
    assert not set(expected) & plan.secret_outputs


def test_your_own_database_bucket_and_registry_are_exported_as_given(plan_stack: PlanStack):
    plan = plan_stack("local", {**DB, **S3, **REGISTRY}, {**DB_SECRET, **S3_SECRET, **REGISTRY_SECRET})
    assert lookups(plan) == {
        "url": "https://gitpod.lab.example.com",
        "databaseHost": "mysql.internal",
        "storageBucket": "gitpod",
        "registryUrl": "registry.example.com/gitpod",
        "registryServer": "registry.example.com",
    }


def test_the_in_cluster_registry_on_your_bucket_exports_the_bucket(plan_stack: PlanStack):
    plan = plan_stack("local", {**S3, "registry.kind": "s3", "registry.reuseStorageBucket": "true"}, S3_SECRET)
    assert plan.outputs["registryBucket"] == "gitpod"
    assert plan.outputs["registryUrl"] == "registry.gitpod.lab.example.com"


def test_no_output_carries_a_secret_in_clear(plan_stack: PlanStack):
    """Every credential given as a secret: no output that is not itself secret holds one, and
    neither the JSON nor the text plan prints one."""
    plan = plan_stack("local", {**DB, **S3, **REGISTRY}, {**DB_SECRET, **S3_SECRET, **REGISTRY_SECRET})
    for key, value in plan.outputs.items():
        if key not in plan.secret_outputs:
            text = json.dumps(unwrap(value))
            assert not [s for s in ALL_SECRETS if s in text], key
    for rendered in (render_json(plan), render_text(plan)):
        assert not [s for s in ALL_SECRETS if s in rendered]


def test_every_output_is_documented():
    documented = set(
        re.findall(r"^\| `(\w+)` \|", (ROOT / "docs" / "configuration.md").read_text().split("## Stack outputs")[1], re.MULTILINE)
    )
    outputs = {key for stack in ("aws", "gcp", "azure", "local") for key in plan_stack_file(stack).outputs}
    assert outputs <= documented, outputs - documented
