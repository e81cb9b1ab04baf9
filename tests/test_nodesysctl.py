"""The workspace-node kernel settings: the host script the GKE DaemonSet runs, and its image."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from gitpod_refarch.compatibility import WORKSPACE_NODE_SYSCTLS
from gitpod_refarch.nodesysctl import SYSCTL_FILE, helper_image, host_script


def run_on_fake_host(root: Path, script: str) -> list[str]:
    """Run `script` with /proc/sys and /etc/sysctl.d under `root` and a `sysctl` that records its calls."""
    bin_dir = root / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = root / "sysctl.log"
    fake = bin_dir / "sysctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    local = script.replace("/proc/sys/", f"{root}/proc/sys/").replace("/etc/sysctl.d/", f"{root}/etc/sysctl.d/")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run(["sh", "-c", local], check=True, env=env)
    return log.read_text().splitlines() if log.exists() else []


def test_the_host_script_can_run_again_and_again(tmp_path):
    (tmp_path / "proc/sys/kernel").mkdir(parents=True)
    (tmp_path / "proc/sys/kernel/apparmor_restrict_unprivileged_userns").write_text("1\n")
    (tmp_path / "etc/sysctl.d").mkdir(parents=True)
    script = host_script(WORKSPACE_NODE_SYSCTLS)
    for _ in range(3):  # a DaemonSet pod's init container runs again after every reboot
        calls = run_on_fake_host(tmp_path, script)
    conf = tmp_path / SYSCTL_FILE.lstrip("/")
    assert conf.read_text() == "kernel.apparmor_restrict_unprivileged_userns = 0\n"
    assert calls == [f"--load={tmp_path}{SYSCTL_FILE}"] * 3


def test_a_kernel_without_the_knob_is_left_alone(tmp_path):
    (tmp_path / "proc/sys/kernel").mkdir(parents=True)
    (tmp_path / "etc/sysctl.d").mkdir(parents=True)
    (tmp_path / SYSCTL_FILE.lstrip("/")).write_text("kernel.apparmor_restrict_unprivileged_userns = 0\n")
    assert run_on_fake_host(tmp_path, host_script(WORKSPACE_NODE_SYSCTLS)) == []
    assert not (tmp_path / SYSCTL_FILE.lstrip("/")).exists()


def test_a_failing_sysctl_fails_the_script(tmp_path):
    (tmp_path / "proc/sys/kernel").mkdir(parents=True)
    (tmp_path / "proc/sys/kernel/apparmor_restrict_unprivileged_userns").write_text("1\n")
    (tmp_path / "etc/sysctl.d").mkdir(parents=True)
    script = host_script(WORKSPACE_NODE_SYSCTLS).replace("sysctl --load", "false --load")
    with pytest.raises(subprocess.CalledProcessError):
        run_on_fake_host(tmp_path, script)


@pytest.mark.parametrize(
    ("repository", "image"),
    [
        ("eu.gcr.io/gitpod-core-dev/build", "docker.io/library/ubuntu:20.04"),
        ("eu.gcr.io/gitpod-core-dev/build/", "docker.io/library/ubuntu:20.04"),
        ("mirror.example.com/gitpod", "mirror.example.com/gitpod/library/ubuntu:20.04"),
    ],
)
def test_the_helper_image_comes_from_where_the_installer_takes_third_party_images(repository, image):
    assert helper_image(repository) == image
