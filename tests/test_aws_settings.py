"""`gitpod:aws` and the AWS rules: defaults, one-line errors naming the key, dated cost findings."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gitpod_refarch import compatibility as compat
from gitpod_refarch.aws import settings as aws_settings
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """The EKS/RDS calendar is judged against today's date; pin it so results never drift."""
    monkeypatch.setattr(aws_settings, "today", lambda: TODAY)


def load(**config):
    values = {"gitpod:cloud": "aws", "gitpod:domain": "gitpod.example.com"}
    for key, value in config.items():
        values[f"gitpod:{key}"] = value if isinstance(value, str) else json.dumps(value)
    return load_settings(ConfigSource(values))


def problems(**config) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(**config)
    return [str(p) for p in error.value.problems]


def warnings(**config) -> list[str]:
    return [str(f) for f in load(**config).warnings]


def test_defaults():
    s = load()
    assert s.cloud_settings == aws_settings.AwsSettings()
    a = s.cloud_settings
    assert (a.region, a.availability_zone_count, a.vpc_cidr, a.ubuntu_release, a.support_type, a.calico) == (
        "eu-west-1",
        2,
        "10.100.0.0/16",
        "24.04",
        "STANDARD",
        True,
    )
    assert a.node_image is None
    assert s.cluster.kubernetes_version == "1.35"
    assert s.cluster.distribution == "eks"
    assert (s.cluster.services_pool.machine_type, s.cluster.regular_pool.machine_type, s.cluster.headless_pool.machine_type) == (
        "m6i.xlarge",
        "m6i.4xlarge",
        "m6i.4xlarge",
    )
    assert s.certificate.issuer == "letsencrypt"
    assert s.certificate.dns01 == "route53"


def test_every_bad_value_is_reported_at_once_with_its_key():
    found = problems(
        aws={
            "region": "Europe",
            "vpcCidr": "10.0.0.0/8",
            "ubuntuRelease": "20.04",
            "supportType": "extended",
            "availabilityZones": ["us-east-1a", "us-east-1a"],
            "availabilityZoneCount": 3,
            "adminRoleArns": ["arn:aws:sts::123456789012:assumed-role/admins/alice"],
            "calicoVersion": "3.32",
            "publicAccessCidrs": ["everyone"],
            "regoin": "eu-west-1",
        }
    )
    keys = [p.split(": ", 1)[0] for p in found]
    assert set(keys) == {
        "gitpod:aws.region",
        "gitpod:aws.vpcCidr",
        "gitpod:aws.ubuntuRelease",
        "gitpod:aws.supportType",
        "gitpod:aws.availabilityZones",
        "gitpod:aws.availabilityZoneCount",
        "gitpod:aws.adminRoleArns",
        "gitpod:aws.calicoVersion",
        "gitpod:aws.publicAccessCidrs",
        "gitpod:aws.regoin",
    }
    assert all("\n" not in p for p in found)
    assert any("'extended' is not allowed (allowed: STANDARD, EXTENDED)" in p for p in found)
    assert any("is a /8 (allowed: /16 to /20)" in p for p in found)
    assert any("session ARN" in p for p in found)
    assert any("Did you mean 'region'?" in p for p in found)


def test_vpc_range_must_not_overlap_the_service_range():
    assert problems(aws={"vpcCidr": "172.20.0.0/16"}) == [
        "gitpod:aws.vpcCidr: '172.20.0.0/16' overlaps the cluster's Service range 172.20.0.0/16; choose a range in 10.0.0.0/8."
    ]


def test_ubuntu_release_as_a_yaml_number_says_to_quote_it():
    # YAML reads an unquoted 24.10 as 24.1: a number never stands for text, whichever release it looks like.
    [problem] = problems(aws={"ubuntuRelease": 24.04})
    assert problem.startswith("gitpod:aws.ubuntuRelease: is the number 24.04, but text is expected")
    assert 'Quote it in the stack file: ubuntuRelease: "..."' in problem


def test_ecr_is_refused_with_the_reason_and_the_alternative():
    found = problems(registry={"kind": "ecr"})
    assert len(found) == 1
    assert found[0].startswith("gitpod:registry.kind: 'ecr' is not allowed")
    assert compat.ECR_REASON in found[0]
    assert "kind 's3'" in found[0]


def test_aws_section_on_another_cloud_is_refused():
    with pytest.raises(SettingsError) as error:
        load_settings(ConfigSource({"gitpod:domain": "gitpod.example.com", "gitpod:aws": json.dumps({"region": "eu-west-1"})}))
    assert str(error.value).startswith("gitpod:aws: is set but gitpod:cloud is 'existing'")


# -- EKS support calendar --------------------------------------------------------------------------
def test_extended_support_version_is_refused_with_standard_support_type():
    found = problems(cluster={"kubernetesVersion": "1.32"})
    assert len(found) == 1
    assert found[0].startswith("gitpod:aws.supportType: 'STANDARD' cannot run Kubernetes 1.32: it left EKS standard support on 23 Mar 2026")
    assert "$0.60 per cluster-hour instead of $0.10" in found[0]
    assert "23 Mar 2027" in found[0]


def test_extended_support_version_is_costed_when_chosen():
    found = [w for w in warnings(cluster={"kubernetesVersion": "1.32"}, aws={"supportType": "EXTENDED"}) if "extended support" in w]
    assert found == [
        "gitpod:cluster.kubernetesVersion: Kubernetes 1.32 is in EKS extended support: the control plane costs $0.60 per "
        "cluster-hour instead of $0.10, about +$365 per month, until 23 Mar 2027, when EKS upgrades it automatically. "
        "1.35 is in standard support."
    ]


@pytest.mark.parametrize("version", ["1.30", "1.28"])
def test_versions_eks_no_longer_creates_are_refused(version):
    found = [p for p in problems(cluster={"kubernetesVersion": version}, aws={"supportType": "EXTENDED"}) if "kubernetesVersion:" in p]
    assert len(found) == 1
    assert found[0].startswith("gitpod:cluster.kubernetesVersion:")
    assert "no longer creates" in found[0]


def test_approaching_end_of_standard_support_is_announced():
    found = [w for w in warnings(cluster={"kubernetesVersion": "1.34"}) if "standard support" in w]
    assert len(found) == 1
    assert "ends on 02 Dec 2026 (12 days)" in found[0]
    assert "upgrades the control plane to the next minor automatically" in found[0]


def test_default_version_has_no_cost_finding_but_is_untested():
    found = warnings()
    assert not any("extended support" in w and "kubernetesVersion" in w for w in found)
    assert any(w.startswith("gitpod:cluster.kubernetesVersion: Kubernetes 1.35 is outside the versions Gitpod") for w in found)


def test_version_newer_than_the_calendar_is_advice():
    found = [w for w in warnings(cluster={"kubernetesVersion": "1.36"}) if "calendar" in w]
    assert len(found) == 1
    assert "aws eks describe-cluster-versions" in found[0]


def test_patch_versions_use_their_minor():
    s = load(cluster={"kubernetesVersion": "1.35.2"})
    assert aws_settings.eks_version(s) == "1.35"


# -- nodes, network policy, database, registry, zone ------------------------------------------------
def test_ubuntu_24_04_and_calico_off_are_untested():
    found = warnings(aws={"ubuntuRelease": "24.04", "calico": False})
    assert any(w.startswith("gitpod:aws.ubuntuRelease: Ubuntu 24.04 EKS images run a kernel newer than Gitpod's tested") for w in found)
    assert any(w.startswith("gitpod:aws.calico: Gitpod was tested with Calico") and "VPC CNI's own network policy" in w for w in found)
    strict = problems(aws={"ubuntuRelease": "24.04"}, compatibility="strict")
    assert any(p.startswith("gitpod:aws.ubuntuRelease:") and "strict" in p for p in strict)


def test_rds_mysql_5_7_warns_about_extended_support_and_the_forced_upgrade():
    found = [w for w in warnings(database={"mode": "managed"}) if "RDS bills" in w]
    assert len(found) == 1
    assert "$292 per month" in found[0]
    assert "30 Jun 2029" in found[0]  # extended from 28 Feb 2027 (AWS Database Blog, MySQL 9.7 GA)
    assert not any("RDS bills" in w for w in warnings(database={"mode": "managed", "version": "8.0"}))


def test_rds_mysql_8_0_says_it_is_in_extended_support_too():
    found = [w for w in warnings(database={"mode": "managed", "version": "8.0"}) if "RDS Extended Support since" in w]
    assert found == [
        "gitpod:database.version: RDS for MySQL 8.0 has been in paid RDS Extended Support since 01 Aug 2026; Gitpod 2022.11's "
        "database layer was only tested on 5.7, and this program offers no newer major."
    ]


# -- node image ----------------------------------------------------------------------------------
def test_default_release_is_published_for_the_default_version():
    assert aws_settings.DEFAULT_KUBERNETES_VERSION in aws_settings.UBUNTU_EKS[aws_settings.DEFAULT_UBUNTU_RELEASE].minors
    assert not [p for p in warnings() if "Canonical publishes no" in p]


def test_an_unpublished_release_and_minor_is_refused_with_the_pairs_that_exist():
    found = problems(aws={"ubuntuRelease": "22.04"})  # 22.04 stops at 1.34; the default minor is 1.35
    assert found == [
        "gitpod:aws.ubuntuRelease: Canonical publishes no Ubuntu 22.04 EKS image for Kubernetes 1.35 (Canonical's table as of "
        "24 Jul 2026; release/minor pairs: 22.04/1.31, 22.04/1.32, 22.04/1.33, 22.04/1.34, 24.04/1.31, 24.04/1.32, 24.04/1.33, "
        "24.04/1.34, 24.04/1.35, 26.04/1.35). Fix: choose a release published for gitpod:cluster.kubernetesVersion, or pin "
        "gitpod:aws.nodeImage to an AMI id."
    ]
    assert problems(aws={"ubuntuRelease": "26.04"}, cluster={"kubernetesVersion": "1.34"})[0].startswith(
        "gitpod:aws.ubuntuRelease: Canonical publishes no Ubuntu 26.04 EKS image for Kubernetes 1.34"
    )


@pytest.mark.parametrize(
    ("release", "minor"), [(r, m) for r, info in aws_settings.UBUNTU_EKS.items() for m in info.minors if m in ("1.34", "1.35")]
)
def test_every_published_pair_in_standard_support_is_accepted(release, minor):
    s = load(aws={"ubuntuRelease": release}, cluster={"kubernetesVersion": minor})
    assert (s.cloud_settings.ubuntu_release, aws_settings.eks_version(s)) == (release, minor)


def test_a_minor_newer_than_canonicals_table_is_left_to_the_lookup():
    found = warnings(cluster={"kubernetesVersion": "1.36"})
    assert not any("Canonical publishes no" in w for w in found)
    assert any("Canonical publishes an Ubuntu EKS image" in w for w in found)


@pytest.mark.parametrize("pin", ["ami-0123456789abcdef0", "ami-12345678", "20260715", "20260715.1"])
def test_node_image_takes_an_ami_id_or_a_serial(pin):
    assert load(aws={"nodeImage": pin}).cloud_settings.node_image == pin


@pytest.mark.parametrize("pin", ["latest", "ami-XYZ", "2026-07-15", "/aws/service/canonical/ubuntu/eks/24.04/1.35/stable/current"])
def test_node_image_refuses_anything_else_naming_the_key(pin):
    (found,) = problems(aws={"nodeImage": pin})
    assert found.startswith(f"gitpod:aws.nodeImage: {pin!r} is neither an AMI id")
    assert "aws ssm get-parameters-by-path" in found


def test_an_ami_pin_skips_canonicals_table_but_says_what_it_cannot_check():
    found = warnings(aws={"ubuntuRelease": "22.04", "nodeImage": "ami-0123456789abcdef0"})
    assert not any("Canonical publishes no" in w for w in found)
    assert any(w.startswith("gitpod:aws.nodeImage: pins ami-0123456789abcdef0") and "kubernetesVersion" in w for w in found)


def test_rds_instance_class_must_be_an_rds_class():
    assert problems(database={"mode": "managed", "instanceSize": "m5.large"}) == [
        "gitpod:database.instanceSize: 'm5.large' is not an RDS instance class; use e.g. db.m5.large."
    ]


def test_reusing_the_storage_bucket_needs_a_bucket():
    found = problems(registry={"kind": "s3", "reuseStorageBucket": True}, storage={"mode": "incluster"})
    assert len(found) == 1
    assert found[0].startswith("gitpod:registry.reuseStorageBucket: needs a bucket to reuse")


def test_registry_s3_section_is_refused_on_aws():
    found = problems(registry={"kind": "s3", "s3": {"bucket": "my-bucket"}})
    assert found == ["gitpod:registry.s3: is only used with kind 's3' outside AWS (AWS creates the bucket); remove it."]


@pytest.mark.parametrize(
    ("zone", "key", "text"),
    [
        ({"name": "other.example.org"}, "gitpod:certificate.zone.name", "does not contain gitpod:domain 'gitpod.example.com'"),
        ({"create": False}, "gitpod:certificate.zone.create", "no zone.existingId is given"),
        ({"create": False, "existingId": "/hostedzone/Z123"}, "gitpod:certificate.zone.existingId", "is not a Route53 hosted zone id"),
        (
            {"existingId": "Z0123456789ABCDEFGHIJ"},
            "gitpod:certificate.zone.existingId",
            "'Z0123456789ABCDEFGHIJ' is given while zone.create is true",
        ),
    ],
)
def test_route53_zone_settings_that_cannot_hold_the_domain_are_refused(zone, key, text):
    found = problems(certificate={"zone": zone})
    assert len(found) == 1
    assert found[0].startswith(key + ": ")
    assert text in found[0]


def test_parent_zone_and_existing_zone_are_accepted():
    s = load(certificate={"zone": {"name": "example.com", "create": False, "existingId": "Z0123456789ABCDEFGHIJ"}})
    assert (s.certificate.zone.name, s.certificate.zone.existing_id) == ("example.com", "Z0123456789ABCDEFGHIJ")
    # The existing zone is used under its own name; the given name only says so.
    assert [f.key for f in s.findings if f.key.startswith("gitpod:certificate.zone")] == ["gitpod:certificate.zone.name"]


def test_extended_support_type_on_a_standard_version_explains_the_later_cost():
    found = [w for w in warnings(aws={"supportType": "EXTENDED"}) if w.startswith("gitpod:aws.supportType")]
    assert found == [
        "gitpod:aws.supportType: 'EXTENDED': when standard support for 1.35 ends on 27 Mar 2027, the cluster stays on it and "
        "the control plane costs $0.60 per cluster-hour instead of $0.10, about +$365 per month, until you upgrade."
    ]
