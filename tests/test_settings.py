"""Settings: defaults in code, and every invalid value reported at once, naming the key."""

from __future__ import annotations

import json

import pytest

from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings


def load(secret: tuple[str, ...] = (), **config):
    values = {}
    for key, value in config.items():
        values[f"gitpod:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return load_settings(ConfigSource(values, {f"gitpod:{k}" for k in secret}))


def problems(secret: tuple[str, ...] = (), **config) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(secret, **config)
    return [str(p) for p in error.value.problems]


def test_defaults_are_applied_in_code():
    s = load(domain="gitpod.example.com")
    assert (s.cloud, s.compatibility, s.namespace, s.protect) == ("existing", "warn", "gitpod", True)
    assert (s.database.mode, s.database.version) == ("incluster", "5.7")
    assert s.storage.mode == "incluster"
    assert s.registry.kind == "incluster"
    assert s.certificate.issuer == "selfsigned"
    assert s.certificate.secret_name == "https-certificates"
    assert s.cert_manager.version == "v1.21.1"
    assert s.installer.fs_shift_method == "fuse"
    assert s.cluster.distribution == "generic"


def test_pulumi_yaml_defaults_match_the_code(tmp_path):
    """The CLI applies Pulumi.yaml defaults; mocks and the plan never do, so they must agree."""
    import yaml

    from .conftest import ROOT

    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    s = load(domain="gitpod.example.com")
    code = {"cloud": s.cloud, "compatibility": s.compatibility, "namespace": s.namespace, "protect": s.protect}
    for key, value in code.items():
        assert declared[key]["default"] == value, key
    assert "default" not in declared["domain"]


def test_missing_domain_says_how_to_set_it():
    assert problems() == ["gitpod:domain: is required but not set. Set it: pulumi config set domain gitpod.example.com"]


@pytest.mark.parametrize(
    "domain",
    [
        "https://gitpod.example.com",
        "Gitpod.example.com",
        "gitpod",
        "gitpod.example.com.",
        "*.example.com",
        "gitpod.example.com:443",
        "a" * 64 + ".com",
    ],
)
def test_malformed_domain_is_refused(domain):
    [line] = problems(domain=domain)
    assert line.startswith(f"gitpod:domain: {domain!r} is not valid: expected a lower-case DNS name")


def test_unknown_cloud_is_refused_with_a_suggestion():
    [line] = problems(domain="gitpod.example.com", cloud="gpc")
    assert line == "gitpod:cloud: 'gpc' is not allowed (allowed: existing, gcp, aws, azure). Did you mean 'gcp'?"


def test_ecr_is_refused_with_the_reason_and_the_alternative():
    [line] = problems(domain="gitpod.example.com", registry={"kind": "ecr"})
    assert line.startswith("gitpod:registry.kind: 'ecr' is not allowed (allowed: incluster, artifact-registry, gcr, s3, acr, external).")
    assert "does not create a repository when an image is pushed" in line
    assert "use kind 's3'" in line


def test_all_problems_are_reported_together_one_line_each():
    lines = problems(domain="Gitpod", cloud="gcpp", registry={"kind": "ecr"}, databse={"mode": "x"}, database={"version": "8.4"})
    keys = [line.split(":", 2)[0] + ":" + line.split(":", 2)[1] for line in lines]
    assert keys == ["gitpod:cloud", "gitpod:domain", "gitpod:databse", "gitpod:database.version", "gitpod:registry.kind"]
    assert all("\n" not in line for line in lines)


def test_typo_in_nested_key_suggests_the_known_key():
    [line] = problems(domain="gitpod.example.com", registry={"knd": "incluster"})
    assert line.startswith("gitpod:registry.knd: is not a known setting")
    assert "Did you mean 'kind'?" in line


@pytest.mark.parametrize("version", ["8.4", "9.0", "5.6"])
def test_unsupported_mysql_major_is_refused_with_the_reason(version):
    [line] = problems(domain="gitpod.example.com", database={"version": version})
    assert line.startswith(f"gitpod:database.version: {version!r} is not allowed (allowed: 5.7, 8.0).")
    assert "mysql_native_password" in line


def test_gke_dataplane_v2_and_autopilot_are_refused_with_gitpods_reason():
    lines = problems(
        domain="gitpod.example.com", cloud="gcp", gcp={"project": "p"}, cluster={"mode": "autopilot", "datapath": "dataplane-v2"}
    )
    assert any(line.startswith("gitpod:cluster.mode: 'autopilot' is not allowed (allowed: standard).") for line in lines)
    assert any(
        line.startswith("gitpod:cluster.datapath: 'dataplane-v2' is not allowed") and "Dataplane V2 as unsupported" in line
        for line in lines
    )


def test_self_signed_certificates_are_refused_on_gke():
    lines = problems(domain="gitpod.example.com", cloud="gcp", gcp={"project": "p"}, certificate={"issuer": "selfsigned"})
    assert any(line.startswith("gitpod:certificate.issuer: 'selfsigned' is not allowed on GKE.") for line in lines)


def test_credentials_in_plain_text_are_refused_without_echoing_them():
    lines = problems(domain="gitpod.example.com", database={"mode": "external", "external": {"host": "db.internal", "password": "hunter2"}})
    assert lines == [
        "gitpod:database.external.password: holds a credential but is stored in plain text (value withheld). "
        "Store it encrypted: pulumi config set --path --secret database.external.password <value>"
    ]
    assert "hunter2" not in " ".join(lines)


def test_secret_config_is_accepted_and_never_printed():
    s = load(
        ("database",),
        domain="gitpod.example.com",
        database={"mode": "external", "external": {"host": "db.internal", "password": "hunter2"}},
    )
    assert s.database.external is not None
    assert s.database.external.password.reveal() == "hunter2"
    assert "hunter2" not in repr(s)


def test_managed_modes_need_a_cloud():
    lines = problems(domain="gitpod.example.com", database={"mode": "managed"}, storage={"mode": "managed"})
    assert lines[0].startswith("gitpod:storage.mode: 'managed' needs a cloud")
    assert lines[1].startswith("gitpod:database.mode: 'managed' needs a cloud")


def test_cloud_specific_registry_kinds_need_their_cloud():
    [line] = problems(domain="gitpod.example.com", registry={"kind": "acr"})
    assert line.startswith("gitpod:registry.kind: 'acr' needs gitpod:cloud 'azure', but gitpod:cloud is 'existing'.")


def test_keys_for_another_cloud_or_target_are_refused():
    lines = problems(domain="gitpod.example.com", aws={"region": "eu-west-1"}, cluster={"nodePools": {}})
    assert "gitpod:aws: is set but gitpod:cloud is 'existing'; remove it or set gitpod:cloud to 'aws'." in lines
    assert any(line.startswith("gitpod:cluster.nodePools: only applies to a managed cluster") for line in lines)


def test_letsencrypt_on_an_existing_cluster_needs_cloudflare():
    [line] = problems(domain="gitpod.example.com", certificate={"issuer": "letsencrypt"})
    assert line.startswith("gitpod:certificate.dns01: is required for Let's Encrypt")
    [line] = problems(domain="gitpod.example.com", certificate={"issuer": "letsencrypt", "dns01": "route53"})
    assert line.startswith("gitpod:certificate.dns01: 'route53' answers challenges through the AWS cluster's workload identity")


def test_cloudflare_needs_a_secret_token():
    [line] = problems(domain="gitpod.example.com", certificate={"issuer": "letsencrypt", "dns01": "cloudflare"})
    assert line.startswith("gitpod:certificate.cloudflare.apiToken: is required but not set.")


def test_existing_certificate_needs_pem_material():
    lines = problems(
        ("certificate",), domain="gitpod.example.com", certificate={"issuer": "existing", "existing": {"tlsCert": "nope", "tlsKey": "k"}}
    )
    assert lines == ["gitpod:certificate.existing.tlsCert: is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line)."]


def test_old_cert_manager_is_refused():
    [line] = problems(domain="gitpod.example.com", certManager={"version": "v1.8.0"})
    assert line.startswith("gitpod:certManager.version: 'v1.8.0' is too old (allowed: v1.15 or newer).")


def test_node_pool_bounds_are_checked():
    lines = problems(
        domain="gitpod.example.com", cloud="gcp", gcp={"project": "p"}, cluster={"nodePools": {"services": {"minNodes": 5, "maxNodes": 2}}}
    )
    assert lines == ["gitpod:cluster.nodePools.services.minNodes: 5 is larger than maxNodes (2); set minNodes <= maxNodes."]


def test_wrong_types_are_reported_with_the_value():
    lines = problems(domain="gitpod.example.com", protect="maybe", database={"backupRetentionDays": "weekly"}, cluster={"labelNodes": 3})
    assert "gitpod:protect: must be true or false, got 'maybe'." in lines
    assert "gitpod:database.backupRetentionDays: must be a whole number, got 'weekly'." in lines
    assert "gitpod:cluster.labelNodes: must be a list of strings, got 3." in lines


def test_object_keys_given_as_plain_strings_are_explained():
    [line] = problems(domain="gitpod.example.com", database="external")
    assert line.startswith("gitpod:database: must be an object with keys, got 'external'.")


@pytest.mark.parametrize(("cloud", "extra", "machine"), [("gcp", {"gcp": {"project": "p"}}, "e2"), ("aws", {"aws": {}}, "m5.gigantic")])
def test_machine_types_are_checked_before_any_cluster_exists(cloud, extra, machine):
    lines = problems(domain="gitpod.example.com", cloud=cloud, cluster={"nodePools": {"services": {"machineType": machine}}}, **extra)
    assert any(line.startswith(f"gitpod:cluster.nodePools.services.machineType: {machine!r} is not valid: expected") for line in lines), (
        lines
    )


# -- gitpod:cluster.maintenance ------------------------------------------------------------------
GCP = {"cloud": "gcp", "domain": "gitpod.example.com", "gcp": {"project": "my-project"}}


def test_maintenance_defaults_to_a_weekly_window_long_enough_for_gke():
    m = load(**GCP).cluster.maintenance
    assert (m.day, m.start_time, m.duration_hours, m.exclusions) == ("Sunday", "00:00", 12, ())
    # GKE needs 48 hours of availability in any 32 days; a weekly window occurs at least 4 times.
    assert 4 * m.duration_hours >= 48


def test_maintenance_is_read_with_its_exclusions():
    from datetime import date

    config = {
        **GCP,
        "cluster": {
            "maintenance": {
                "day": "Saturday",
                "startTime": "22:30",
                "durationHours": "16",
                "exclusions": [{"name": "year-end", "start": "2026-12-19", "end": "2027-01-03"}],
            }
        },
    }
    m = load(**config).cluster.maintenance
    assert (m.day, m.start_time, m.duration_hours) == ("Saturday", "22:30", 16)
    assert [(e.name, e.start, e.end) for e in m.exclusions] == [("year-end", date(2026, 12, 19), date(2027, 1, 3))]


def test_maintenance_problems_are_reported_together_naming_each_key():
    bad = {
        "day": "sunday",
        "startTime": "24:00",
        "durationHours": 2,
        "exclusions": [
            {"name": "Freeze", "start": "2026-02-30", "end": "2026-03-01"},
            {"name": "x", "start": "2026-12-20", "end": "2026-12-19"},
            {"name": "y", "start": "2026-12-01", "end": "2026-12-02", "scope": "all"},
        ],
    }
    found = problems(**{**GCP, "cluster": {"maintenance": bad}})
    key = "gitpod:cluster.maintenance"
    assert any(p.startswith(f"{key}.day: 'sunday' is not allowed") and "Did you mean 'Sunday'" in p for p in found)
    assert any(p.startswith(f"{key}.startTime: '24:00' is not valid: expected a UTC time") for p in found)
    assert f"{key}.durationHours: 2 is out of range (allowed: between 4 and 24)." in found
    assert any(p.startswith(f"{key}.exclusions[0].name: 'Freeze' is not valid") for p in found)
    assert f"{key}.exclusions[0].start: '2026-02-30' is not a calendar date; expected YYYY-MM-DD." in found
    assert any(p.startswith(f"{key}.exclusions[1].end: 2026-12-19 is before start 2026-12-20") for p in found)
    assert any(p.startswith(f"{key}.exclusions[2].scope: is not a known setting") for p in found)


def test_maintenance_exclusion_names_are_unique():
    twice = [{"name": "freeze", "start": "2026-12-01", "end": "2026-12-02"}] * 2
    found = problems(**{**GCP, "cluster": {"maintenance": {"exclusions": twice}}})
    assert found == ["gitpod:cluster.maintenance.exclusions: uses name 'freeze' twice; give each exclusion its own name."]


@pytest.mark.parametrize("cloud", ["aws", "existing"])
def test_maintenance_is_refused_where_no_cloud_schedule_exists(cloud):
    found = problems(cloud=cloud, domain="gitpod.example.com", cluster={"maintenance": {"day": "Sunday"}})
    assert len(found) == 1 and found[0].startswith("gitpod:cluster.maintenance: only applies to gitpod:cloud 'gcp' and 'azure'")
