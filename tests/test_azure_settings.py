"""gitpod:azure and the Azure rules: defaults, refused values (one line, naming the key), warnings."""

from __future__ import annotations

import json

import pytest

from gitpod_refarch.azure import settings as az
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings

ZONE_ID = "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com"


def load(**config):
    values = {"gitpod:domain": "gitpod.example.com", "gitpod:cloud": "azure"}
    values |= {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return load_settings(ConfigSource(values))


def errors_for(**config) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(**config)
    return [str(p) for p in error.value.problems]


def warnings_for(**config) -> dict[str, str]:
    return {f.key: f.message for f in load(**config).warnings}


def test_defaults():
    s = load()
    a = s.cloud_settings
    assert (a.location, a.network_plugin, a.cluster_tier, a.registry_sku) == ("northeurope", "azure-overlay", "Standard", "Standard")
    assert a.create_resource_group is True
    assert az.resource_group_name(s) == "gitpod"
    assert az.kubernetes_version(s) == "1.35"
    assert az.node_os_sku(s) == "Ubuntu2204"
    assert (s.database.instance_size, az.mysql_tier("Standard_D2ds_v4")) == ("Standard_D2ds_v4", "GeneralPurpose")
    assert (a.network.vnet_cidr, a.network.node_subnet_cidr, a.network.database_subnet_cidr) == (
        "10.2.0.0/16",
        "10.2.0.0/20",
        "10.2.16.0/24",
    )
    assert a.network.dns_service_ip == "10.0.0.10"
    assert az.zone_name(s) == "gitpod.example.com"
    # Shared keys with their Azure defaults.
    assert s.certificate.issuer == "letsencrypt" and s.certificate.dns01 == "azuredns"
    assert s.cluster.services_pool is not None and s.cluster.services_pool.machine_type == "Standard_D4_v4"
    assert s.cluster.regular_pool is not None and s.cluster.regular_pool.machine_type == "Standard_D8_v4"


def test_resource_group_defaults_to_the_cluster_name_and_can_be_named():
    assert az.resource_group_name(load(cluster={"name": "gp"})) == "gp"
    assert az.resource_group_name(load(azure={"resourceGroup": "gitpod-prod"})) == "gitpod-prod"


@pytest.mark.parametrize("version", ["1.34", "1.35", "1.36"])
def test_the_default_node_os_does_not_follow_the_kubernetes_version(version):
    # A version bump must never change the OS of every pool in the same `pulumi up`.
    assert az.node_os_sku(load(cluster={"kubernetesVersion": version})) == "Ubuntu2204"
    assert az.node_os_sku(load(cluster={"kubernetesVersion": version}, azure={"osSku": "Ubuntu"})) == "Ubuntu"


def test_above_ubuntu_2204_the_os_change_is_its_own_step():
    [error] = errors_for(cluster={"kubernetesVersion": "1.37"})
    assert error.startswith(
        "gitpod:azure.osSku: is not set, and its default 'Ubuntu2204' is not available with Kubernetes 1.37 (AKS offers it for 1.25-1.36)."
    )
    assert "first set gitpod:azure.osSku to 'Ubuntu'" in error and "then raise gitpod:cluster.kubernetesVersion" in error
    assert az.node_os_sku(load(cluster={"kubernetesVersion": "1.37"}, azure={"osSku": "Ubuntu"})) == "Ubuntu"


def test_the_os_table_is_aks_own():
    # MicrosoftDocs/azure-aks-docs articles/aks/upgrade-os-version.md, 2026-07-13.
    assert az.OS_SKU_VERSIONS["Ubuntu2204"] == ((1, 25), (1, 36))
    assert az.UBUNTU_2404_FROM == (1, 35)
    assert set(az.OS_SKU_VERSIONS) == set(az.OS_SKUS)


@pytest.mark.parametrize("version", ["1.35.3", "v1.35.3", "1.35.3-hotfix"])
def test_a_patch_version_is_refused_because_aks_patches_by_itself(version):
    [error] = errors_for(cluster={"kubernetesVersion": version})
    assert error.startswith(f"gitpod:cluster.kubernetesVersion: {version!r} pins more than the minor, but the cluster runs AKS' 'patch'")
    assert error.endswith("Fix: give the minor only, '1.35' (AKS picks its newest patch).")
    assert az.kubernetes_version(load(cluster={"kubernetesVersion": "1.35"})) == "1.35"  # a minor loads


def test_maintenance_windows_outside_aks_limits_are_refused() -> None:
    # The shared reader keeps durations to 4-24 and times to HH:MM; settings built by another
    # program (the dataclasses are public) still meet AKS' own limits here.
    from dataclasses import replace

    from gitpod_refarch.settings.model import MaintenanceSettings

    s = load()
    bad = replace(s, cluster=replace(s.cluster, maintenance=MaintenanceSettings(start_time="7:00", duration_hours=3)))
    found: list[tuple[str, str, str]] = []
    az.rules(bad, lambda kind, key, message: found.append((kind, key, message)))
    hard = {key: message for kind, key, message in found if kind == "hard"}
    assert hard == {
        "gitpod:cluster.maintenance.durationHours": "3 is not allowed by AKS maintenance windows (allowed: 4-24 hours).",
        "gitpod:cluster.maintenance.startTime": "'7:00' is not a time AKS accepts (expected HH:MM, e.g. 22:00, in UTC).",
    }
    ok: list[tuple[str, str, str]] = []
    az.rules(s, lambda kind, key, message: ok.append((kind, key, message)))
    assert not [f for f in ok if f[1].startswith("gitpod:cluster.maintenance")]


def test_mysql_tier_follows_the_sku_family():
    for sku, tier in (("Standard_B2ms", "Burstable"), ("Standard_E4ds_v5", "MemoryOptimized")):
        assert (load(database={"mode": "managed", "instanceSize": sku}).database.instance_size, az.mysql_tier(sku)) == (sku, tier)
    assert az.mysql_tier("db.m5.large") is None


def test_the_default_kubernetes_version_is_reported_untested_and_strict_refuses_it():
    note = warnings_for()["gitpod:cluster.kubernetesVersion"]
    assert "Kubernetes 1.35 is outside" in note and "1.22, 1.23, 1.24" in note
    errors = errors_for(compatibility="strict")
    assert any(e.startswith("gitpod:cluster.kubernetesVersion: Kubernetes 1.35 is outside") and "'strict'" in e for e in errors)


def test_old_kubernetes_versions_get_the_aks_support_window():
    notes = [f.message for f in load(cluster={"kubernetesVersion": "1.31"}).warnings if f.key == "gitpod:cluster.kubernetesVersion"]
    assert len(notes) == 2  # untested by Gitpod (shared rule), and outside AKS' creation window
    assert any("three newest GA minors" in n and "az aks get-versions --location northeurope" in n for n in notes)
    assert not any("three newest" in f.message for f in load(cluster={"kubernetesVersion": "1.34"}).warnings)


def test_ubuntu_2204_is_refused_where_aks_does_not_offer_it():
    [error] = errors_for(cluster={"kubernetesVersion": "1.37"}, azure={"osSku": "Ubuntu2204"})
    assert error.startswith("gitpod:azure.osSku: 'Ubuntu2204' is not available with Kubernetes 1.37 (AKS offers it for 1.25-1.36).")
    assert 'See docs/azure.md, "Upgrades".' in error


def test_newer_kernels_are_warned_about():
    assert "kernel 6.8" in warnings_for(cluster={"kubernetesVersion": "1.37"}, azure={"osSku": "Ubuntu"})["gitpod:azure.osSku"]
    assert "gitpod:azure.osSku" not in warnings_for(cluster={"kubernetesVersion": "1.34"}, azure={"osSku": "Ubuntu"})  # 22.04
    assert "kernel 6.8" in warnings_for(azure={"osSku": "Ubuntu"})["gitpod:azure.osSku"]
    assert "Azure Linux 3" in warnings_for(azure={"osSku": "AzureLinux"})["gitpod:azure.osSku"]
    assert "gitpod:azure.osSku" not in warnings_for()


def test_kubenet_is_allowed_with_its_retirement_date():
    assert "31 Mar 2028" in warnings_for(azure={"networkPlugin": "kubenet"})["gitpod:azure.networkPlugin"]
    assert "gitpod:azure.networkPlugin" not in warnings_for()


def test_blob_storage_warns_about_the_minio_gateway_image():
    note = warnings_for(storage={"mode": "managed"})["gitpod:storage.mode"]
    assert "bitnami/minio:2022.4.29-debian-10-r0" in note and "bitnamilegacy" in note and "installer.repository" in note


def test_unknown_and_invalid_azure_keys_name_the_key():
    errors = errors_for(azure={"locaton": "westeurope", "networkPlugin": "cilium", "clusterTier": "Gold", "osSku": "Ubuntu2404"})
    assert "gitpod:azure.locaton: is not a known setting" in errors[-1] and "Did you mean 'location'?" in errors[-1]
    assert "gitpod:azure.networkPlugin: 'cilium' is not allowed (allowed: azure-overlay, kubenet)." in errors
    assert "gitpod:azure.clusterTier: 'Gold' is not allowed (allowed: Free, Standard, Premium)." in errors
    assert any(e.startswith("gitpod:azure.osSku: 'Ubuntu2404' is not allowed (allowed: Ubuntu2204, Ubuntu, AzureLinux).") for e in errors)


def test_location_and_authorized_ranges_are_checked():
    errors = errors_for(azure={"location": "North Europe", "authorizedIpRanges": ["203.0.113.0/24", "203.0.113.7/24"]})
    assert errors[0].startswith("gitpod:azure.location: 'North Europe' is not valid: expected an Azure region name")
    assert errors[1] == "gitpod:azure.authorizedIpRanges: '203.0.113.7/24' is not an IPv4 address or CIDR range such as 203.0.113.0/24."


def test_network_plan_is_checked_before_anything_exists():
    errors = errors_for(
        azure={
            "network": {
                "vnetCidr": "10.2.0.1/16",
                "nodeSubnetCidr": "10.3.0.0/20",
                "databaseSubnetCidr": "10.2.0.0/29",
                "podCidr": "10.2.128.0/17",
            }
        }
    )
    assert errors == [
        "gitpod:azure.network.vnetCidr: '10.2.0.1/16' is not an IPv4 network in CIDR form such as 10.2.0.0/16. Did you mean 10.2.0.0/16?",
        "gitpod:azure.network.nodeSubnetCidr: 10.3.0.0/20 is not inside vnetCidr (10.2.0.0/16); pick a range within it.",
        "gitpod:azure.network.databaseSubnetCidr: 10.2.0.0/29 is too small for a delegated MySQL subnet (allowed: /28 or larger).",
        "gitpod:azure.network.podCidr: 10.2.128.0/17 overlaps vnetCidr (10.2.0.0/16); cluster-internal ranges must not overlap the VNet.",
    ]


def test_node_subnet_and_pod_range_must_fit_the_pools():
    errors = errors_for(azure={"network": {"nodeSubnetCidr": "10.2.0.0/26", "podCidr": "10.244.0.0/20"}})
    assert errors == [
        "gitpod:azure.network.nodeSubnetCidr: 10.2.0.0/26 has 59 usable addresses, but the node pools can grow to 104 nodes plus "
        "one upgrade surge node each (107). Fix: use a larger subnet (e.g. /25 or larger) or lower the pools' maxNodes.",
        "gitpod:azure.network.podCidr: 10.244.0.0/20 gives 16 nodes a /24 pod range each, but the node pools can grow to 104 nodes. "
        "Fix: use a larger range (e.g. /16) or lower the pools' maxNodes.",
    ]
    # Smaller pools fit the same subnet.
    small = {"maxNodes": 10}
    load(
        azure={"network": {"nodeSubnetCidr": "10.2.0.0/26"}},
        cluster={"nodePools": {"services": {"maxNodes": 4}, "regularWorkspaces": small, "headlessWorkspaces": small}},
    )


def test_node_pools_need_azure_vm_sizes_and_a_system_node():
    errors = errors_for(cluster={"nodePools": {"services": {"minNodes": 0}, "regularWorkspaces": {"machineType": "n2d-standard-16"}}})
    assert errors == [
        "gitpod:cluster.nodePools.regularWorkspaces.machineType: 'n2d-standard-16' is not an Azure VM size (expected e.g. "
        "Standard_D4_v4 or Standard_D8_v4; list them with `az vm list-sizes --location <location>`).",
        "gitpod:cluster.nodePools.services.minNodes: 0 is not allowed on AKS: the services pool is the cluster's system pool, "
        "which needs at least 1 node (allowed: 1 or more).",
    ]
    load(cluster={"nodePools": {"regularWorkspaces": {"minNodes": 0}}})  # user pools may scale to zero


def test_mysql_sku_and_high_availability():
    assert errors_for(database={"mode": "managed", "instanceSize": "db.m5.large"})[0].startswith(
        "gitpod:database.instanceSize: 'db.m5.large' is not an Azure Database for MySQL Flexible Server SKU"
    )
    assert errors_for(database={"mode": "managed", "instanceSize": "Standard_B2ms", "highAvailability": True}) == [
        "gitpod:database.highAvailability: true is not available with the Burstable SKU 'Standard_B2ms'. Fix: use a General "
        "Purpose SKU such as Standard_D2ds_v4, or set highAvailability to false."
    ]
    # The SKU only matters when the program creates the server.
    load(database={"mode": "incluster", "instanceSize": "db.m5.large"})


def test_mysql_8_is_allowed_with_a_warning():
    assert (
        "outside what Gitpod 2022.11 was tested on"
        in warnings_for(database={"mode": "managed", "version": "8.0"})["gitpod:database.version"]
    )


def test_existing_zone_is_read_from_its_resource_id():
    s = load(certificate={"zone": {"create": False, "existingId": ZONE_ID}})
    zone = az.existing_zone(s)
    assert zone == az.ExistingZone(ZONE_ID, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "dns-rg", "example.com")
    assert az.zone_name(s) == "example.com"
    assert az.existing_zone(load()) is None


@pytest.mark.parametrize(
    ("zone", "error"),
    [
        ({"create": False}, "gitpod:certificate.zone.existingId: is required when zone.create is false"),
        (
            {"create": False, "existingId": "example.com"},
            "gitpod:certificate.zone.existingId: 'example.com' is not an Azure DNS zone resource ID",
        ),
        ({"existingId": ZONE_ID}, "gitpod:certificate.zone.existingId: is only used when zone.create is false"),
        (
            {"name": "example.org"},
            "gitpod:certificate.zone.name: zone 'example.org' cannot hold records for gitpod:domain 'gitpod.example.com'",
        ),
    ],
)
def test_dns_zone_settings_are_refused_when_they_cannot_work(zone, error):
    errors = errors_for(certificate={"zone": zone})
    assert len(errors) == 1 and errors[0].startswith(error)


def test_a_parent_zone_is_accepted():
    assert az.zone_name(load(certificate={"zone": {"name": "example.com"}})) == "example.com"


def test_azure_section_is_refused_on_other_clouds():
    with pytest.raises(SettingsError) as error:
        load_settings(ConfigSource({"gitpod:domain": "gitpod.example.com", "gitpod:azure": json.dumps({"location": "westeurope"})}))
    assert str(error.value) == "gitpod:azure: is set but gitpod:cloud is 'existing'; remove it or set gitpod:cloud to 'azure'."
