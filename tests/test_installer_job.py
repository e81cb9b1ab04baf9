"""The installer Job's script (`installer/job.sh`), run for real against stub tools.

The stubs stand where the installer image has the real ones (`/app/installer` through the
script's `APP_DIR`, `helm` and `kubectl` on PATH); jq, sed and the other utilities are the
machine's own, as the image ships them. Each stub records its arguments and fails on demand
(`FAIL`: a command prefix such as `installer validate cluster`), so the tests assert the order of
the steps, what each is called with, and how a failure is reported (the termination message the
Pulumi Kubernetes provider shows, and the saved log).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR
from gitpod_refarch.contracts import CONTAINERD_DEFAULT
from gitpod_refarch.installer.deploy import job_script
from gitpod_refarch.installer.values import render_yaml

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("jq") is None, reason="needs bash and jq")

_COMMON = r"""#!/bin/bash
echo "$TOOL $*" >>"$CALLS"
if [ -n "${FAIL:-}" ] && [[ "$TOOL $*" == "$FAIL"* ]]; then echo "stub: $TOOL $* failed" >&2; exit 3; fi
arg() { local want="$1"; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then echo "$2"; return; fi; shift; done; }
"""

STUBS = {
    "installer": r"""
case "$*" in
  version) echo "version: release-2022.11.3" ;;
  "config files containerd"*)
    if [ -n "${DETECTED_SOCKET:-}" ]; then sed -i "s|containerdSocket: .*|containerdSocket: $DETECTED_SOCKET|" "$(arg --config "$@")"; fi ;;
  "config cluster shiftfs"*)
    sed -i "s|fsShiftMethod: .*|fsShiftMethod: ${SHIFTFS:-fuse}|" "$(arg --config "$@")" ;;
  "validate cluster"*)
    if [ -n "${CLUSTER_RESULT:-}" ]; then echo "$CLUSTER_RESULT" >&2; exit 1; fi
    echo '{"status": "OK", "items": []}' ;;
  render*) printf 'kind: ConfigMap\ndata:\n  t: "{{ .Values.x }}"\n---\nkind: Deployment\n' ;;
esac
""",
    "helm": "",
    "kubectl": r"""
case "$*" in
  *"get secret"*) if [ -n "${NO_CERT:-}" ]; then exit 1; fi; echo secret/https-certificates ;;
  *"create configmap"*) cp "${LOG_FILE_COPY_FROM:-/dev/null}" "$LOG_COPY" 2>/dev/null; echo "kind: ConfigMap" ;;
  *apply*) cat >/dev/null ;;
esac
""",
}

CONFIG = render_yaml(
    {
        "apiVersion": "v1",
        "domain": "gitpod.example.com",
        "workspace": {
            "runtime": {
                "fsShiftMethod": "fuse",
                "containerdRuntimeDir": CONTAINERD_DEFAULT.runtime_dir,
                "containerdSocket": CONTAINERD_DEFAULT.socket,
            }
        },
    }
)


def _validation(*messages: str) -> str:
    """`validate cluster`'s JSON result with one ERROR item per message (cluster.ValidationResult)."""
    items = [{"name": "affinity labels", "status": "ERROR", "errors": [{"message": m, "type": "ERROR"} for m in messages]}]
    items.append({"name": "Linux kernel version", "status": "OK"})
    return json.dumps({"status": "ERROR", "items": items}, indent=2)


class Run:
    def __init__(self, root: Path, result: subprocess.CompletedProcess[str]) -> None:
        self.root = root
        self.returncode = result.returncode
        self.output = result.stdout + result.stderr
        calls = root / "calls"
        self.calls = calls.read_text().splitlines() if calls.exists() else []
        term = root / "termination-log"
        self.termination = term.read_text() if term.exists() else ""

    def index(self, prefix: str) -> int:
        found = [i for i, call in enumerate(self.calls) if call.startswith(prefix)]
        assert found, f"{prefix!r} was not called: {self.calls}"
        return found[0]

    def called(self, prefix: str) -> bool:
        return any(call.startswith(prefix) for call in self.calls)


@pytest.fixture
def run_job(tmp_path: Path):
    app, bin_dir, sa = tmp_path / "app", tmp_path / "bin", tmp_path / "sa"
    for d in (app, bin_dir, sa):
        d.mkdir()
    for tool, body in STUBS.items():
        path = (app if tool == "installer" else bin_dir) / tool
        path.write_text(_COMMON.replace("$TOOL", tool) + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    config = tmp_path / "gitpod.config.yaml"
    script = tmp_path / "job.sh"
    script.write_text(job_script())

    def run(config_text: str = CONFIG, **env: str) -> Run:
        config.write_text(config_text)
        base = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "CALLS": str(tmp_path / "calls"),
            "LOG_COPY": str(tmp_path / "saved.log"),
            "APP_DIR": str(app),
            "SA_DIR": str(sa),
            "WORK_DIR": str(tmp_path / "work"),
            "TERMINATION_LOG": str(tmp_path / "termination-log"),
            "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
            "NAMESPACE": "gitpod",
            "CONFIG_FILE": str(config),
            "TLS_SECRET": "https-certificates",
            "JOB_NAME": "gitpod-installer-0123456789",
            "LOG_CONFIGMAP": "gitpod-installer-log",
            "MOUNT_PATH": "/mnt/node",
            "POLL_SECONDS": "0",
            "NODE_NAME": "node-1",
        }
        result = subprocess.run(["bash", str(script)], env={**base, **env}, capture_output=True, text=True, timeout=60, check=False)
        return Run(tmp_path, result)

    return run


def test_steps_run_in_order_with_the_image_paths_and_flags(run_job, tmp_path):
    run = run_job()
    assert run.returncode == 0, run.output
    work = tmp_path / "work"
    order = [
        "installer version",
        f"installer config files containerd --config {work}/detected.yaml --mount-path /mnt/node",
        f"installer validate config --config {tmp_path}/gitpod.config.yaml",
        "kubectl --namespace gitpod get secret https-certificates",
        f"installer validate cluster --kubeconfig {work}/kubeconfig --config {tmp_path}/gitpod.config.yaml --namespace gitpod",
        f"installer render --use-experimental-config --config {tmp_path}/gitpod.config.yaml --namespace gitpod",
        f"helm upgrade --install --atomic --cleanup-on-fail --wait --timeout 20m --namespace gitpod --reset-values gitpod {work}/chart",
        "kubectl --namespace gitpod create configmap gitpod-installer-log",
    ]
    positions = [run.index(call) for call in order]
    assert positions == sorted(positions), run.calls
    # fuse needs no probe; the config itself is never rewritten.
    assert not run.called("installer config cluster shiftfs")
    assert (tmp_path / "gitpod.config.yaml").read_text() == CONFIG
    # The kubeconfig names the ServiceAccount's token file, not the token.
    kubeconfig = yaml.safe_load((work / "kubeconfig").read_text())
    assert kubeconfig["users"][0]["user"] == {"tokenFile": f"{tmp_path}/sa/token"}
    assert kubeconfig["clusters"][0]["cluster"]["server"] == "https://10.0.0.1:443"
    # Helm's templating is escaped in the rendered chart.
    rendered = (work / "chart" / "templates" / "gitpod.yaml").read_text()
    assert '{{`  t: "{{ .Values.x }}"`}}' in rendered
    assert "Gitpod is installed" in run.output


def test_failing_validate_cluster_stops_before_render_and_names_the_step(run_job):
    run = run_job(CLUSTER_RESULT=_validation("kernel version 5.3.0 does not satisfy >= 5.4.0-0 on node: n1"))
    assert run.returncode != 0
    assert not run.called("installer render") and not run.called("helm")
    assert "step 'validate_cluster' failed" in run.termination
    assert "kernel version 5.3.0 does not satisfy" in run.termination
    assert "kubectl -n gitpod logs job/gitpod-installer-0123456789" in run.termination
    # The log is saved even though the run failed.
    assert run.called("kubectl --namespace gitpod create configmap gitpod-installer-log --from-file=installer.log=")


def test_validate_cluster_without_a_result_fails(run_job):
    run = run_job(FAIL="installer validate cluster")
    assert run.returncode != 0
    assert "step 'validate_cluster' failed" in run.termination
    assert "without a result" in run.termination
    assert not run.called("helm")


def test_missing_label_of_a_pool_that_may_be_empty_is_tolerated_and_nothing_else(run_job):
    missing = f"Affinity label not found in cluster: {NODE_LABEL_HEADLESS}"
    run = run_job(CLUSTER_RESULT=_validation(missing), LABELS_MAY_BE_ABSENT=NODE_LABEL_HEADLESS)
    assert run.returncode == 0, run.output
    assert run.called("helm upgrade")

    run = run_job(CLUSTER_RESULT=_validation(missing), LABELS_MAY_BE_ABSENT=NODE_LABEL_REGULAR)
    assert run.returncode != 0
    assert missing in run.termination

    run = run_job(CLUSTER_RESULT=_validation(missing, "secret https-certificates not found"), LABELS_MAY_BE_ABSENT=NODE_LABEL_HEADLESS)
    assert run.returncode != 0
    assert "secret https-certificates not found" in run.termination and missing not in run.termination


def test_containerd_mismatch_fails_before_validation_and_keeps_the_config(run_job, tmp_path):
    run = run_job(DETECTED_SOCKET="/run/k3s/containerd/containerd.sock")
    assert run.returncode != 0
    assert "step 'check_node' failed" in run.termination
    assert f"containerdSocket is '{CONTAINERD_DEFAULT.socket}' but node node-1 has '/run/k3s/containerd/containerd.sock'" in run.termination
    assert not run.called("installer validate config")
    assert (tmp_path / "gitpod.config.yaml").read_text() == CONFIG


def test_shiftfs_is_probed_only_when_the_config_asks_for_it(run_job):
    shiftfs = CONFIG.replace("fsShiftMethod: fuse", "fsShiftMethod: shiftfs")
    run = run_job(shiftfs, SHIFTFS="fuse")
    assert run.returncode != 0
    assert run.called("installer config cluster shiftfs --config ")
    assert "--ensure-namespace=false" in run.calls[run.index("installer config cluster shiftfs")]
    assert "step 'check_node' failed" in run.termination and "no shiftfs module" in run.termination

    run = run_job(shiftfs, SHIFTFS="shiftfs")
    assert run.returncode == 0, run.output


def test_certificate_not_issued_points_at_the_delegation(run_job):
    run = run_job(NO_CERT="1", CERTIFICATE_TIMEOUT_SECONDS="0")
    assert run.returncode != 0
    assert "step 'wait_for_certificate' failed" in run.termination
    assert "nameServers" in run.termination
    assert not run.called("installer validate cluster")


@pytest.mark.parametrize(
    ("fail", "step"),
    [("installer validate config", "validate_config"), ("installer render", "render"), ("helm upgrade", "helm_upgrade")],
)
def test_each_failing_step_is_named(run_job, fail, step):
    run = run_job(FAIL=fail)
    assert run.returncode != 0
    assert run.termination.startswith(f"step '{step}' failed (exit 3)")
    assert f"gitpod-installer: step {step}" in run.output
