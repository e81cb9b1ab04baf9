"""Gitpod's compatibility table applied to settings: hard requirements, untested versions, strict mode."""

from __future__ import annotations

import json

import pytest

from gitpod_refarch import compatibility as compat
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings


def load(**config):
    values = {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    # The external database's password must come from secret config, as `--secret` gives it.
    return load_settings(ConfigSource({"gitpod:domain": "gitpod.example.com", **values}, ["gitpod:database"]))


#: MySQL 8.0 where it is used: your own server (the installer's in-cluster one is always 5.7).
EXTERNAL_8 = {"mode": "external", "version": "8.0", "external": {"host": "mysql.internal", "password": "pw"}}


def warnings_for(**config) -> dict[str, str]:
    return {f.key: f.message for f in load(**config).warnings}


def errors_for(**config) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(**config)
    return [str(p) for p in error.value.problems]


def test_the_table_encodes_gitpods_compatibility_matrix():
    statuses = {e.component: e.status for e in compat.TABLE}
    assert statuses["Amazon ECR"] == "unsupported"
    assert statuses["Artifactory"] == statuses["Sonatype Nexus"] == statuses["K3s"] == "limited"
    assert statuses["GKE"] == statuses["EKS"] == statuses["AKS"] == "supported"
    assert compat.TESTED_KUBERNETES == ("1.22", "1.23", "1.24")
    assert compat.TESTED_CONTAINERD == ("1.4", "1.5", "1.6")
    assert compat.TESTED_MYSQL == ("5.7",)
    assert {"GitHub.com", "GitLab.com", "Bitbucket.org", "GitLab Self-Managed", "Bitbucket Server", "GitHub Enterprise"} <= set(statuses)


@pytest.mark.parametrize(
    ("text", "parsed"), [("1.24.17+k3s1", (1, 24)), ("v1.35", (1, 35)), ("5.15.0-1102-azure", (5, 15)), ("latest", None)]
)
def test_versions_parse_like_the_installer_reads_them(text, parsed):
    assert compat.parse_version(text) == parsed


def test_tested_versions_produce_no_compatibility_warning():
    warnings = warnings_for(
        cluster={
            "kubernetesVersion": "1.24.17",
            "kernelVersion": "5.15.0",
            "containerdVersion": "1.6.8",
            "nodeOs": "ubuntu-22.04",
            "cni": "calico",
        }
    )
    assert not any(
        key in warnings
        for key in (
            "gitpod:cluster.kubernetesVersion",
            "gitpod:cluster.kernelVersion",
            "gitpod:cluster.containerdVersion",
            "gitpod:cluster.nodeOs",
            "gitpod:cluster.cni",
        )
    )


def test_untested_versions_warn_and_say_what_was_tested():
    warnings = warnings_for(
        cluster={
            "kubernetesVersion": "1.35",
            "kernelVersion": "6.8.0",
            "containerdVersion": "2.0.1",
            "nodeOs": "ubuntu-24.04",
            "cni": "flannel",
        }
    )
    assert "(1.22, 1.23, 1.24)" in warnings["gitpod:cluster.kubernetesVersion"]
    assert "only requires >= 1.21" in warnings["gitpod:cluster.kubernetesVersion"]
    assert "5.4 to 5.15" in warnings["gitpod:cluster.kernelVersion"]
    assert "1.4, 1.5, 1.6" in warnings["gitpod:cluster.containerdVersion"]
    assert "ubuntu-18.04, ubuntu-20.04, ubuntu-22.04" in warnings["gitpod:cluster.nodeOs"]
    assert "Calico" in warnings["gitpod:cluster.cni"]


def test_strict_mode_turns_untested_versions_into_errors():
    lines = errors_for(compatibility="strict", cluster={"kubernetesVersion": "1.35"}, database=EXTERNAL_8)
    assert len(lines) == 2
    assert all("gitpod:compatibility is 'strict'" in line for line in lines)
    assert lines[0].startswith("gitpod:cluster.kubernetesVersion: Kubernetes 1.35 is outside")
    assert lines[1].startswith("gitpod:database.version: MySQL 8.0 is outside")


def test_strict_mode_keeps_advice_as_warnings():
    settings = load(compatibility="strict", cluster={"distribution": "k3s", "kubernetesVersion": "1.24"})
    assert "gitpod:cluster.distribution" in {f.key for f in settings.warnings}


@pytest.mark.parametrize(
    ("cluster", "key", "text"),
    [
        ({"kubernetesVersion": "1.20"}, "gitpod:cluster.kubernetesVersion", "requires Kubernetes >= 1.21"),
        ({"kernelVersion": "4.19.0"}, "gitpod:cluster.kernelVersion", "requires a Linux kernel >= 5.4"),
        ({"containerRuntime": "docker"}, "gitpod:cluster.containerRuntime", "requires containerd"),
    ],
)
def test_hard_requirements_are_errors_even_when_not_strict(cluster, key, text):
    [line] = errors_for(cluster=cluster)
    assert line.startswith(key) and text in line


def test_mysql_8_is_allowed_with_a_warning():
    assert "MySQL 8.0 is outside" in warnings_for(database=EXTERNAL_8)["gitpod:database.version"]


def test_in_cluster_database_warns_about_the_installers_fixed_key():
    assert "publicly known encryptionKeys" in warnings_for()["gitpod:database.mode"]


def test_k3s_is_limited_support():
    assert "limited support" in warnings_for(cluster={"distribution": "k3s"})["gitpod:cluster.distribution"]
