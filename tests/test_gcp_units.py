"""Pure pieces of the GCP implementation: names, the kubeconfig, key handling, APIs, lazy import."""

from __future__ import annotations

import ast
import base64
import json

import pytest
import yaml

from gitpod_refarch.gcp.apis import required_apis
from gitpod_refarch.gcp.keys import key_json
from gitpod_refarch.gcp.kubeconfig import context_name, kubeconfig
from gitpod_refarch.gcp.naming import account_id, role_prefix, zone_name
from gitpod_refarch.settings import ConfigSource, load_settings

from .conftest import ROOT


@pytest.mark.parametrize(
    ("cluster", "purpose", "expected"),
    [
        ("gitpod", "nodes", "gitpod-nodes"),
        ("a", "dns01", "a-dns01"),
        ("gitpod-production-europe-west", "cloudsql", "gitpod-production-eur-cloudsql"),
        ("gitpod-production-eu-west", "cloudsql", "gitpod-production-eu-cloudsql"),  # no "--" where the cut falls
        ("abcdefghijklmnopqrstu-wxyz", "registry", "abcdefghijklmnopqrstu-registry"),
    ],
)
def test_service_account_ids_fit_the_iam_rules(cluster, purpose, expected):
    result = account_id(cluster, purpose)
    assert result == expected
    assert 6 <= len(result) <= 30 and "--" not in result


def test_role_prefix_and_zone_names():
    assert role_prefix("gitpod-eu") == "gitpod_eu"
    assert zone_name("gitpod.example.com") == "gitpod-example-com"
    assert zone_name("1password.example.com.") == "zone-1password-example-com"
    assert len(zone_name("a" * 60 + ".example.com")) <= 63


def test_kubeconfig_uses_the_auth_plugin_and_holds_no_credential():
    text = kubeconfig(context_name("p", "europe-west1-b", "gitpod"), "203.0.113.10", "Q0E=")
    config = yaml.safe_load(text)
    assert config["current-context"] == "gke_p_europe-west1-b_gitpod"
    assert config["clusters"][0]["cluster"] == {"server": "https://203.0.113.10", "certificate-authority-data": "Q0E="}
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert user["exec"]["provideClusterInfo"] is True


def test_service_account_key_becomes_one_line_of_equivalent_json():
    document = {
        "type": "service_account",
        "private_key": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
        "client_email": "x@p.iam.gserviceaccount.com",
    }
    encoded = base64.b64encode(json.dumps(document, indent=2).encode()).decode()
    flat = key_json(encoded)
    assert "\n" not in flat
    assert json.loads(flat) == document


def settings(**config):
    base = {"domain": "gitpod.example.com", "cloud": "gcp", "gcp": {"project": "my-gitpod-project"}}
    values = {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in {**base, **config}.items()}
    return load_settings(ConfigSource(values, {"gitpod:certificate"}))


def test_apis_follow_what_the_stack_uses():
    assert required_apis(settings()) == (
        "compute.googleapis.com",
        "container.googleapis.com",
        "iam.googleapis.com",
        "cloudresourcemanager.googleapis.com",
        "dns.googleapis.com",
        "iamcredentials.googleapis.com",
    )
    managed = required_apis(settings(database={"mode": "managed"}, storage={"mode": "managed"}, registry={"kind": "gcr"}))
    assert {
        "sqladmin.googleapis.com",
        "servicenetworking.googleapis.com",
        "storage.googleapis.com",
        "artifactregistry.googleapis.com",
    } <= set(managed)
    existing_cert = settings(certificate={"issuer": "existing", "existing": {"tlsCert": "-----BEGIN CERTIFICATE-----", "tlsKey": "k"}})
    assert "dns.googleapis.com" not in required_apis(existing_cert)


def test_the_google_sdk_is_imported_only_inside_the_gcp_package():
    """Other stacks must not pay for (or need) pulumi_gcp: only the gcp package's building modules (imported when gcp is selected) load it."""
    package = ROOT / "components" / "gitpod_refarch"
    offenders = []
    for path in package.rglob("*.py"):
        if path.is_relative_to(package / "gcp"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "pulumi_gcp" or n.startswith("pulumi_gcp.") for n in names):
                offenders.append(str(path.relative_to(package)))
    assert offenders == []


# -- maintenance policy ---------------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
def test_the_window_starts_on_a_date_that_matches_its_rrule(day):
    from datetime import datetime

    from gitpod_refarch.gcp.maintenance import BYDAY, recurring_window
    from gitpod_refarch.settings.model import MaintenanceSettings

    window = recurring_window(MaintenanceSettings(day=day, start_time="23:15", duration_hours=13))
    start = datetime.strptime(window["start_time"], "%Y-%m-%dT%H:%M:%SZ")
    end = datetime.strptime(window["end_time"], "%Y-%m-%dT%H:%M:%SZ")
    assert start.strftime("%A") == day and (start.hour, start.minute) == (23, 15)
    assert (end - start).total_seconds() == 13 * 3600
    assert window["recurrence"] == f"FREQ=WEEKLY;BYDAY={BYDAY[day]}"


def test_an_exclusion_covers_its_last_day_in_full():
    from datetime import date

    from gitpod_refarch.gcp.maintenance import exclusion
    from gitpod_refarch.settings.model import MaintenanceExclusion

    assert exclusion(MaintenanceExclusion("leap", date(2028, 2, 28), date(2028, 2, 29))) == {
        "exclusion_name": "leap",
        "start_time": "2028-02-28T00:00:00Z",
        "end_time": "2028-03-01T00:00:00Z",
        "exclusion_options": {"scope": "NO_UPGRADES"},
    }


# -- quota ------------------------------------------------------------------------------------------------
def test_quota_counts_vcpus_per_family_and_disks_per_type():
    from gitpod_refarch.gcp.cluster import GkeNodePool
    from gitpod_refarch_tools.gcp_quota import cpu_quota, pool_quotas, vcpus

    assert (vcpus("n2d-standard-16"), cpu_quota("n2d-standard-16")) == (16, "N2D_CPUS")
    assert (vcpus("e2-standard-2"), cpu_quota("e2-standard-2")) == (2, "CPUS")
    assert (vcpus("c2d-highmem-8"), cpu_quota("c2d-highmem-8")) == (8, "C2D_CPUS")
    with pytest.raises(ValueError, match="not a predefined"):
        vcpus("e2-medium")
    pools: list[GkeNodePool] = [
        {"name": "ws", "machine_type": "n2d-standard-16", "min_nodes": 1, "max_nodes": 50, "disk_size_gb": 512, "labels": {}}
    ]
    temporary, regional = pool_quotas(pools, 3)
    assert (temporary.machine_type, temporary.disk_type, temporary.nodes_at_creation) == ("e2-standard-2", "pd-standard", 3)
    assert (regional.nodes_at_creation, regional.vcpus_at_creation, regional.disk_gb_at_creation) == (3, 48, 1536)
    assert (regional.vcpus_at_max, regional.disk_gb_at_max) == (800, 25600)


def test_the_quota_table_in_docs_is_the_one_the_code_computes():
    from gitpod_refarch.gcp.cluster import node_pools
    from gitpod_refarch_tools.gcp_quota import markdown_table

    table = "\n".join(markdown_table(node_pools(settings().cluster)))
    doc = (ROOT / "docs" / "gcp.md").read_text()
    assert table in doc, "regenerate the quota table in docs/gcp.md from gitpod_refarch_tools.gcp_quota.markdown_table"
    # The figures the issue names, from the defaults: 36 N2D vCPUs and 1124 GB of SSD for a zonal cluster.
    assert "| zonal | **Gitpod's pools together** | | 3 | **36** (`N2D_CPUS`) | **1124 GB** (`SSD_TOTAL_GB`)" in table
