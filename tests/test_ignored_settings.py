"""Nothing set is silently ignored: a key without effect where it is says so and why, a number where
text is expected says to quote it, and keys outside `gitpod:` are named once as not read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings

from .conftest import PlanStack

GCP = {"cloud": "gcp", "gcp": {"project": "my-gitpod-project"}}
AZURE_ZONE = "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com"
EXTERNAL_DB = {"mode": "external", "external": {"host": "mysql.internal", "password": "pw"}}


def load(other_keys: tuple[str, ...] = (), **config: Any):
    values = {"gitpod:domain": "gitpod.example.com"}
    values |= {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return load_settings(ConfigSource(values, {"gitpod:database"}, other_keys))


def advice(**config: Any) -> dict[str, str]:
    return {f.key: f.message for f in load(**config).warnings}


def problems(**config: Any) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(**config)
    return [str(p) for p in error.value.problems]


# -- managed-only database keys ----------------------------------------------------------------
MANAGED_ONLY = {"highAvailability": True, "deletionProtection": False, "backupRetentionDays": 14, "instanceSize": "db.m6i.large"}


@pytest.mark.parametrize(("mode", "extra"), [("incluster", {}), ("external", EXTERNAL_DB)])
@pytest.mark.parametrize(("key", "value"), list(MANAGED_ONLY.items()))
def test_managed_only_database_keys_warn_in_the_other_modes(mode, extra, key, value):
    found = advice(database={**extra, "mode": mode, key: value})
    message = found[f"gitpod:database.{key}"]
    assert message.startswith(f"has no effect with database.mode {mode!r}: it applies to the database the program creates")


def test_managed_database_keys_say_nothing_where_they_apply():
    found = advice(cloud="aws", database={"mode": "managed", **MANAGED_ONLY})
    assert not [m for m in found.values() if "has no effect" in m]


def test_a_database_version_with_the_in_cluster_mysql_says_it_is_always_5_7():
    found = advice(database={"version": "8.0"})
    assert found["gitpod:database.version"] == (
        "has no effect with database.mode 'incluster': the Gitpod 2022.11 installer always runs MySQL 5.7 in the cluster. "
        "Remove it, or use 'managed' or 'external' for another version."
    )
    # ... and it is not judged as a version the installer would run: strict mode does not refuse it.
    assert load(compatibility="strict", database={"version": "8.0"}).database.version == "8.0"


def test_a_database_version_with_your_own_mysql_is_judged():
    assert "MySQL 8.0 is outside" in advice(database={**EXTERNAL_DB, "version": "8.0"})["gitpod:database.version"]


# -- the DNS zone ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["create", "name", "existingId"])
def test_zone_keys_without_a_letsencrypt_issuer_warn(key):
    value = {"create": False, "name": "example.com", "existingId": "example-com"}[key]
    found = advice(certificate={"zone": {key: value}})
    assert found[f"gitpod:certificate.zone.{key}"] == (
        "has no effect: issuer is 'selfsigned': only the letsencrypt issuers answer DNS-01 challenges in a zone. Remove it."
    )


def test_zone_keys_with_cloudflare_warn_on_an_existing_cluster_and_on_a_cloud():
    cloudflare = {"issuer": "letsencrypt", "dns01": "cloudflare", "cloudflare": {"apiToken": "t"}, "zone": {"name": "example.com"}}
    for config in ({}, GCP):
        values = {"gitpod:domain": "gitpod.example.com", "gitpod:certificate": json.dumps(cloudflare)}
        values |= {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
        settings = load_settings(ConfigSource(values, {"gitpod:certificate"}))
        [message] = [f.message for f in settings.warnings if f.key == "gitpod:certificate.zone.name"]
        assert message.startswith("has no effect: dns01 is 'cloudflare': the program neither creates nor looks up a cloudflare zone")


@pytest.mark.parametrize(
    ("config", "zone"),
    [
        (GCP, {"create": False, "existingId": "example-com", "name": "example.com"}),
        ({"cloud": "aws"}, {"create": False, "existingId": "Z0123456789ABCDEFGHIJ", "name": "example.com"}),
        ({"cloud": "azure"}, {"create": False, "existingId": AZURE_ZONE, "name": "example.com"}),
    ],
)
def test_a_zone_name_with_an_existing_zone_warns(config, zone):
    found = advice(**config, certificate={"issuer": "letsencrypt", "zone": zone})
    assert found["gitpod:certificate.zone.name"].startswith("has no effect with zone.create false: the program uses the existing zone")


def test_zone_keys_that_are_used_say_nothing():
    found = advice(**GCP, certificate={"zone": {"name": "example.com"}})
    assert not [k for k in found if k.startswith("gitpod:certificate.zone")]


# -- strict mode where the cloud picks the version -------------------------------------------------
def test_strict_refuses_the_gke_channel_default_version_as_any_untested_version():
    [problem] = problems(**GCP, compatibility="strict")
    assert problem.startswith("gitpod:cluster.kubernetesVersion: is not set, so GKE picks the version (its release channel's default)")
    assert problem.endswith("(gitpod:compatibility is 'strict'; set it to 'warn' to accept this.)")
    assert "every version it creates today is outside" in advice(**GCP)["gitpod:cluster.kubernetesVersion"]


# -- Azure's services pool is fixed at creation ----------------------------------------------------
@pytest.mark.parametrize(("key", "value"), [("machineType", "Standard_D8_v4"), ("diskSizeGb", 256)])
def test_azure_services_pool_size_says_it_is_fixed_at_creation(key, value):
    found = advice(cloud="azure", cluster={"nodePools": {"services": {key: value}}})
    message = found[f"gitpod:cluster.nodePools.services.{key}"]
    assert message.startswith("takes effect only when the cluster is created: the services pool is AKS' system pool")
    assert "a later change makes `pulumi up` fail" in message


def test_azure_workspace_pool_sizes_do_not_get_the_system_pool_warning():
    found = advice(cloud="azure", cluster={"nodePools": {"regularWorkspaces": {"machineType": "Standard_D16_v4"}}})
    assert not [k for k in found if k.startswith("gitpod:cluster.nodePools")]


# -- numbers where text is expected ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "key", "shown"),
    [
        ({"cloud": "aws", "cluster": {"kubernetesVersion": 1.3}}, "gitpod:cluster.kubernetesVersion", "1.3"),
        ({"database": {"version": 8}}, "gitpod:database.version", "8"),
        ({"cluster": {"kernelVersion": 5.15}}, "gitpod:cluster.kernelVersion", "5.15"),
        ({"cloud": "aws", "aws": {"ubuntuRelease": 24.1}}, "gitpod:aws.ubuntuRelease", "24.1"),
    ],
)
def test_a_number_where_a_version_is_expected_says_to_quote_it(config, key, shown):
    [problem] = [p for p in problems(**config) if p.startswith(key)]
    leaf = key.rsplit(".", 1)[1]
    assert problem == (
        f"{key}: is the number {shown}, but text is expected: YAML reads unquoted numbers as numbers and drops digits "
        f'(1.30 becomes 1.3, 8.0 becomes 8). Quote it in the stack file: {leaf}: "..." '
        "(`pulumi config set --path` stores a value such as 1.30 as text already)."
    )


def test_an_unquoted_version_in_a_stack_file_is_refused_as_the_engine_would_pass_it(tmp_path, capsys):
    from gitpod_refarch_tools.cli import main

    (tmp_path / "Pulumi.yaml").write_text("name: gitpod\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  gitpod:domain: gitpod.example.com\n  gitpod:cluster:\n    kubernetesVersion: 1.30\n  gitpod:database:\n    version: 8.0\n"
    )
    code = main(["plan", "--project-dir", str(tmp_path), "--stack", "dev"])
    err = capsys.readouterr().err
    assert code == 2
    assert "gitpod:cluster.kubernetesVersion: is the number 1.3, but text is expected" in err
    assert "gitpod:database.version: is the number 8, but text is expected" in err


# -- keys in other namespaces ----------------------------------------------------------------------
def test_keys_outside_gitpod_are_listed_once_as_not_read(plan_stack: PlanStack):
    plan = plan_stack("aws", {"aws:region": "eu-central-1", "kubernetes:context": "kind", "pulumi:disable-default-providers": '["*"]'})
    [line] = [w for w in plan.warnings if "not read by this program" in w]
    assert line.startswith("aws:region, kubernetes:context: not read by this program: it reads only gitpod:* settings")


def test_a_providers_own_keys_are_not_reported_where_its_default_provider_is_used():
    # Azure builds on the default azure-native provider, which reads its stack config (subscription, credentials).
    settings = load(("azure-native:subscriptionId", "aws:region"), cloud="azure")
    [finding] = [f for f in settings.warnings if "not read by this program" in f.message]
    assert finding.key == "aws:region"
