"""`gitpod:gcp` settings and GKE rules: defaults in code, and refusals that name the key and the fix."""

from __future__ import annotations

import json

import pytest

from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings

BASE = {"domain": "gitpod.example.com", "cloud": "gcp", "gcp": {"project": "my-gitpod-project"}}


def load(**overrides):
    config = {**BASE, **overrides}
    values = {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return load_settings(ConfigSource(values, set()))


def problems(**overrides) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(**overrides)
    return [str(p) for p in error.value.problems]


def test_defaults_follow_the_reference_and_todays_gke():
    s = load()
    gcp = s.cloud_settings
    assert gcp is not None
    assert (gcp.region, gcp.zone, gcp.location) == ("europe-west1", None, "europe-west1")
    assert gcp.release_channel == "REGULAR"
    assert gcp.private_nodes is True
    assert gcp.master_authorized_networks == ()
    assert (gcp.subnet_cidr, gcp.pods_cidr, gcp.services_cidr) == ("10.255.0.0/16", "10.0.0.0/12", "10.64.0.0/12")
    assert (gcp.repository, gcp.gcr_host) == ("gitpod", None)
    assert (s.certificate.issuer, s.certificate.dns01) == ("letsencrypt", "clouddns")
    assert (s.cluster.services_pool.machine_type, s.cluster.regular_pool.machine_type) == ("n2d-standard-4", "n2d-standard-16")


def test_zone_makes_the_cluster_zonal():
    assert load(gcp={**BASE["gcp"], "zone": "europe-west1-d"}).cloud_settings.location == "europe-west1-d"


def test_project_is_required_with_the_command_to_set_it():
    assert problems(gcp={}) == ["gitpod:gcp.project: is required but not set. Set it: pulumi config set --path gcp.project <project-id>"]


@pytest.mark.parametrize("project", ["My Project", "123456789012", "-gitpod"])
def test_project_must_be_an_id(project):
    [line] = problems(gcp={"project": project})
    assert line.startswith(f"gitpod:gcp.project: {project!r} is not valid: expected a project ID")


@pytest.mark.parametrize("channel", ["UNSPECIFIED", "unspecified", "None", "no channel", "static"])
def test_no_channel_is_refused_because_gke_removes_it(channel):
    [line] = problems(gcp={**BASE["gcp"], "releaseChannel": channel})
    assert line.startswith(f"gitpod:gcp.releaseChannel: {channel!r} is not allowed (allowed: REGULAR, STABLE, RAPID, EXTENDED).")
    assert "removed on 14 Jun 2027" in line


def test_release_channel_is_case_insensitive_and_checked():
    assert load(gcp={**BASE["gcp"], "releaseChannel": "extended"}).cloud_settings.release_channel == "EXTENDED"
    [line] = problems(gcp={**BASE["gcp"], "releaseChannel": "beta"})
    assert line.startswith("gitpod:gcp.releaseChannel: 'beta' is not allowed")


def test_zone_must_be_in_the_region():
    [line] = problems(gcp={**BASE["gcp"], "zone": "us-central1-a"})
    assert (
        line
        == "gitpod:gcp.zone: 'us-central1-a' is not in gitpod:gcp.region 'europe-west1'. Fix: use a zone such as europe-west1-b, or change the region."
    )


def test_network_ranges_must_be_private_and_disjoint():
    lines = problems(gcp={**BASE["gcp"], "podsCidr": "10.255.128.0/17", "servicesCidr": "8.8.8.0/24", "subnetCidr": "10.0.0.1/16"})
    assert any(
        line.startswith("gitpod:gcp.subnetCidr: '10.0.0.1/16' is not valid: expected an IPv4 network in CIDR notation") for line in lines
    )
    assert any(
        line.startswith("gitpod:gcp.servicesCidr: '8.8.8.0/24' is not valid: expected a range inside a private RFC 1918 block")
        for line in lines
    )
    assert any(line.startswith("gitpod:gcp.podsCidr: '10.255.128.0/17' overlaps gitpod:gcp.subnetCidr") for line in lines)


def test_master_authorized_networks_must_be_cidrs():
    assert load(gcp={**BASE["gcp"], "masterAuthorizedNetworks": ["203.0.113.0/24"]}).cloud_settings.master_authorized_networks == (
        "203.0.113.0/24",
    )
    [line] = problems(gcp={**BASE["gcp"], "masterAuthorizedNetworks": ["office"]})
    assert line.startswith("gitpod:gcp.masterAuthorizedNetworks: 'office' is not valid")


def test_registry_keys_only_apply_to_their_kind():
    [line] = problems(gcp={**BASE["gcp"], "gcrHost": "eu.gcr.io"}, registry={"kind": "artifact-registry"})
    assert line == "gitpod:gcp.gcrHost: is only used with gitpod:registry.kind 'gcr', but kind is 'artifact-registry'; remove it."
    [line] = problems(gcp={**BASE["gcp"], "registryRepository": "images"}, registry={"kind": "gcr"})
    assert line.startswith("gitpod:gcp.registryRepository: is only used with gitpod:registry.kind 'artifact-registry'")
    [line] = problems(gcp={**BASE["gcp"], "gcrHost": "europe.gcr.io"}, registry={"kind": "gcr"})
    assert line.startswith("gitpod:gcp.gcrHost: 'europe.gcr.io' is not allowed (allowed: gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io).")


def test_autopilot_and_dataplane_v2_are_refused():
    lines = problems(cluster={"mode": "autopilot", "datapath": "dataplane-v2"})
    assert any(line.startswith("gitpod:cluster.mode: 'autopilot' is not allowed (allowed: standard).") for line in lines)
    assert any(line.startswith("gitpod:cluster.datapath: 'dataplane-v2' is not allowed (allowed: legacy).") for line in lines)


def test_private_certificates_are_refused_on_gke():
    [line] = problems(certificate={"issuer": "selfsigned"})
    assert line.startswith("gitpod:certificate.issuer: 'selfsigned' is not allowed on GKE.")
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    values = {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in BASE.items()}
    values["gitpod:certificate"] = json.dumps({"issuer": "existing", "existing": {"tlsCert": pem, "tlsKey": "k", "caCert": pem}})
    with pytest.raises(SettingsError) as error:
        load_settings(ConfigSource(values, {"gitpod:certificate"}))
    [problem] = error.value.problems
    assert str(problem).startswith("gitpod:certificate.existing.caCert: a privately issued certificate is not allowed on GKE.")


def test_existing_zone_needs_its_cloud_dns_name():
    [line] = problems(certificate={"zone": {"create": False}})
    assert line.startswith("gitpod:certificate.zone.existingId: is required when zone.create is false")
    [line] = problems(certificate={"zone": {"existingId": "example-com"}})
    assert line.startswith("gitpod:certificate.zone.existingId: is only used with zone.create false")


def test_zone_must_contain_the_domain():
    [line] = problems(certificate={"zone": {"name": "example.org"}})
    assert (
        line
        == "gitpod:certificate.zone.name: 'example.org' does not contain gitpod:domain 'gitpod.example.com'; the zone must be the domain or one of its parents."
    )
    assert load(certificate={"zone": {"name": "example.com"}}).certificate.zone.name == "example.com"


def test_cloud_sql_tier_is_checked():
    [line] = problems(database={"mode": "managed", "instanceSize": "db.m5.large"})
    assert line.startswith("gitpod:database.instanceSize: 'db.m5.large' is not a Cloud SQL Enterprise tier")
    assert load(database={"mode": "managed", "instanceSize": "db-n1-standard-2"}).database.instance_size == "db-n1-standard-2"


def test_mysql_8_0_is_allowed_with_a_warning_and_newer_majors_are_refused():
    s = load(database={"mode": "managed", "version": "8.0"})
    assert any(f.key == "gitpod:database.version" and "outside what Gitpod 2022.11 was tested on" in f.message for f in s.warnings)
    [line] = problems(database={"mode": "managed", "version": "8.4"})
    assert line.startswith("gitpod:database.version: '8.4' is not allowed (allowed: 5.7, 8.0).")


def test_kubernetes_version_advice_explains_the_channel():
    s = load(cluster={"kubernetesVersion": "1.35"})
    [advice] = [f for f in s.warnings if f.key == "gitpod:cluster.kubernetesVersion" and "release channel" in f.message]
    assert "minimum control-plane version" in advice.message
    s = load(cluster={"kubernetesVersion": "1.24"})
    assert any("no longer create 1.24" in f.message for f in s.warnings)


def test_other_clouds_sections_are_refused_on_gcp():
    [line] = problems(aws={"region": "eu-west-1"})
    assert line.startswith("gitpod:aws: is set but gitpod:cloud is 'gcp'")


def test_ranges_must_be_rfc1918_not_just_non_public():
    for cidr in ("127.0.0.0/16", "169.254.0.0/16", "198.18.0.0/16"):
        lines = problems(gcp={"project": "p", "podsCidr": cidr})
        assert any(
            line.startswith(f"gitpod:gcp.podsCidr: {cidr!r} is not valid: expected a range inside a private RFC 1918 block")
            for line in lines
        ), lines


def test_zone_is_not_judged_against_a_default_region_the_user_did_not_give():
    lines = problems(gcp={"project": "p", "region": "us-central", "zone": "us-central1-a"})
    assert [line.split(":")[1] for line in lines] == ["gcp.region"]


# -- GKE's limits on gitpod:cluster.maintenance ------------------------------------------------------
def maintenance(**m):
    return {"maintenance": m}


def test_a_window_too_short_for_gkes_48_hours_in_32_days_is_refused():
    """A weekly window occurs only 4 times in some 32-day periods: 12 hours is the least GKE accepts."""
    [line] = problems(cluster=maintenance(durationHours=11))
    assert line.startswith("gitpod:cluster.maintenance.durationHours: 11 is too short for GKE: it needs at least 48 hours")
    assert line.endswith("Fix: set durationHours to 12 or more (GKE upgrades only inside the window).")
    assert load(cluster=maintenance(durationHours=12)).cluster.maintenance.duration_hours == 12


def test_a_no_upgrades_exclusion_lasts_at_most_30_days():
    ok = [{"name": "freeze", "start": "2026-12-01", "end": "2026-12-30"}]  # 30 days, both ends included
    assert len(load(cluster=maintenance(exclusions=ok)).cluster.maintenance.exclusions) == 1
    [line] = problems(cluster=maintenance(exclusions=[{"name": "freeze", "start": "2026-12-01", "end": "2026-12-31"}]))
    assert line == (
        "gitpod:cluster.maintenance.exclusions[0]: 'freeze' (2026-12-01 to 2026-12-31) lasts 31 days; GKE allows a "
        "no-upgrades exclusion of at most 30 days. Fix: end it by 2026-12-30."
    )


def test_exclusions_must_leave_48_hours_in_any_32_days():
    back_to_back = [
        {"name": "first", "start": "2026-12-01", "end": "2026-12-20"},
        {"name": "second", "start": "2026-12-22", "end": "2027-01-05"},
    ]
    [line] = problems(cluster=maintenance(exclusions=back_to_back))
    assert line.startswith("gitpod:cluster.maintenance.exclusions: leave less than 48 hours without an exclusion in the 32 days from")
    two_days_apart = [back_to_back[0], {**back_to_back[1], "start": "2026-12-23", "end": "2027-01-01"}]
    assert len(load(cluster=maintenance(exclusions=two_days_apart)).cluster.maintenance.exclusions) == 2


def test_a_cluster_holds_at_most_20_exclusions():
    many = [
        {"name": f"day-{i}", "start": f"2027-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d}", "end": f"2027-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d}"}
        for i in range(21)
    ]
    assert problems(cluster=maintenance(exclusions=many)) == [
        "gitpod:cluster.maintenance.exclusions: lists 21 exclusions; a GKE cluster holds at most 20."
    ]
    assert len(load(cluster=maintenance(exclusions=many[:20])).cluster.maintenance.exclusions) == 20


def test_authorized_networks_are_limited_by_gke():
    cidrs = [f"203.0.{i}.0/24" for i in range(51)]
    [line] = problems(gcp={**BASE["gcp"], "privateNodes": False, "masterAuthorizedNetworks": cidrs})
    assert line.startswith("gitpod:gcp.masterAuthorizedNetworks: lists 51 CIDRs; GKE accepts at most 50 (public nodes).")
    assert len(load(gcp={**BASE["gcp"], "masterAuthorizedNetworks": cidrs}).cloud_settings.master_authorized_networks) == 51


# -- what the plan cannot see, said where it matters ---------------------------------------------------
def test_managed_storage_warns_about_the_uniform_bucket_level_access_policy():
    [advice] = [f for f in load(storage={"mode": "managed"}).warnings if f.key == "gitpod:storage.mode"]
    assert "storage.uniformBucketLevelAccess" in advice.message
    assert (
        "gcloud resource-manager org-policies describe storage.uniformBucketLevelAccess --project my-gitpod-project --effective"
        in advice.message
    )
    assert not [f for f in load(storage={"mode": "incluster"}).warnings if f.key == "gitpod:storage.mode"]


def test_the_cloud_sql_proxy_image_is_named_because_repository_does_not_redirect_it():
    image = "b.gcr.io/cloudsql-docker/gce-proxy:1.11"
    [default] = [f for f in load(database={"mode": "managed"}).warnings if f.key == "gitpod:installer.repository"]
    assert image in default.message
    [mirror] = [
        f
        for f in load(database={"mode": "managed"}, installer={"repository": "mirror.example.com/gitpod"}).warnings
        if f.key == "gitpod:installer.repository"
    ]
    assert mirror.message.startswith(f"does not redirect the Cloud SQL proxy image {image}")
    # No Cloud SQL, no proxy: nothing to say about a mirror.
    assert not [f for f in load(installer={"repository": "mirror.example.com/gitpod"}).warnings if f.key == "gitpod:installer.repository"]
    [plain] = [f for f in load(database={"mode": "incluster"}).warnings if f.key == "gitpod:installer.repository"]
    assert image not in plain.message
