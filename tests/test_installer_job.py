"""The installer Job's script (`installer/job.sh`), run for real against stub tools.

The stubs stand where the installer image has the real ones (`/app/installer` through the
script's `APP_DIR`, `helm` and `kubectl` on PATH); jq, sed, base64 and the other utilities are
the machine's own, as the image ships them. yq is a stub of mikefarah's yq v4 for the two
expressions the script runs, and the real one too when this machine has it (`MIKEFARAH_YQ`). Each stub records its arguments and fails on demand
(`FAIL`: a command prefix such as `installer validate cluster`), so the tests assert the order of
the steps, what each is called with, and how a failure is reported (the termination message the
Pulumi Kubernetes provider shows, and the saved log).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
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
  render*)
    if [ -n "${RENDER_FILE:-}" ]; then cat "$RENDER_FILE"; else printf 'kind: ConfigMap\ndata:\n  t: "{{ .Values.x }}"\n---\nkind: Deployment\n'; fi ;;
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


# --- merge_registry_credentials: gitpod:installer.baseImageRegistries with the installer's own registry

#: What `installer render` prints for an in-cluster registry, in its shape (gitpod-io/gitpod@2022.11.3
#: install/installer/cmd/testdata/render/minimal/output.golden): a `# <kind> <name>` comment per
#: document; the registry's pull secret `builtin-registry-auth` (a `.dockerconfigjson` for the
#: in-cluster registry's host, plus `user`/`password`); the same Secret listed, without data, in the
#: block scalar of the `gitpod-app` ConfigMap; a Go template that Helm must not expand; and another
#: dockerconfigjson Secret that is not the one to merge into.
REGISTRY_HOST = "registry.gitpod.example.com"
RENDERED_AUTH = base64.b64encode(b"gitpod-registry:builtin-pa55").decode()
RENDERED_CONFIG = {"auths": {REGISTRY_HOST: {"auth": RENDERED_AUTH}}}
OTHER_CONFIG = {"auths": {"other.example.com": {"auth": "b3RoZXI6b3RoZXI="}}}
RENDERED = f"""---
# v1/ConfigMap gitpod-app
apiVersion: v1
data:
  app.yaml: |-
    ---
    apiVersion: v1
    kind: Secret
    metadata:
      name: builtin-registry-auth
      namespace: gitpod
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: gitpod-app
  namespace: gitpod
---
# v1/ConfigMap ws-manager
apiVersion: v1
data:
  template.yaml: '{{"spec":{{"hostname":"{{{{ .Values.x }}}}"}}}}'
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: ws-manager
  namespace: gitpod
---
# v1/Secret builtin-registry-auth
apiVersion: v1
data:
  .dockerconfigjson: {base64.b64encode(json.dumps(RENDERED_CONFIG, separators=(",", ":")).encode()).decode()}
  password: YnVpbHRpbi1wYTU1
  user: Z2l0cG9kLXJlZ2lzdHJ5
kind: Secret
metadata:
  creationTimestamp: null
  labels:
    app: gitpod
    component: docker-registry
  name: builtin-registry-auth
  namespace: gitpod
type: kubernetes.io/dockerconfigjson
---
# v1/Secret other-registry-auth
apiVersion: v1
data:
  .dockerconfigjson: {base64.b64encode(json.dumps(OTHER_CONFIG).encode()).decode()}
kind: Secret
metadata:
  name: other-registry-auth
  namespace: gitpod
type: kubernetes.io/dockerconfigjson
---
# apps/v1/Deployment registry-facade
apiVersion: apps/v1
kind: Deployment
metadata:
  name: registry-facade
  namespace: gitpod
spec:
  template:
    spec:
      containers:
      - args:
        - run
        - /mnt/config/config.json
        name: registry-facade
      volumes:
      - name: pull-secret
        secret:
          secretName: builtin-registry-auth
"""

#: `custom-registry-credentials` as the program writes it (installer/secrets.py): one entry for a
#: private base-image registry, and one for the in-cluster registry's own host.
GHCR_PASSWORD = "ghcr-pa55-Zq9"
OVERLAP_PASSWORD = "overlap-pa55-Xy7"
CREDENTIALS = {
    "auths": {
        "ghcr.io": {"username": "bot", "password": GHCR_PASSWORD, "auth": base64.b64encode(f"bot:{GHCR_PASSWORD}".encode()).decode()},
        REGISTRY_HOST: {
            "username": "someone",
            "password": OVERLAP_PASSWORD,
            "auth": base64.b64encode(f"someone:{OVERLAP_PASSWORD}".encode()).decode(),
        },
    }
}

#: A stand-in for mikefarah's yq v4 (the installer image's) that knows only the two expressions
#: the step runs, the way yq v4 evaluates them; anything else fails, so a changed expression is
#: noticed. With a real mikefarah yq (MIKEFARAH_YQ, or `yq` on PATH) the same tests run against it.
YQ_STUB = r"""
import os, re, sys
import yaml
with open(os.environ["CALLS"], "a") as calls:
    calls.write(f"yq {sys.argv[1]}\n")
args = sys.argv[1:]
inplace = "--inplace" in args
args = [a for a in args if a != "--inplace"]
if len(args) != 3 or args[0] != "eval-all":
    sys.exit(f"yq stub: unsupported arguments {args}")
expr, path = args[1], args[2]
m = re.fullmatch(r'\(select\(\.kind == "(\w+)" and \.metadata\.name == "([^"]+)"\) \| \.data\."([^"]+)"\)( \|= env\((\w+)\))?', expr)
if not m or bool(m.group(4)) != inplace:
    sys.exit(f"yq stub: unsupported expression {expr!r}")
kind, name, key, assign, var = m.groups()
with open(path) as f:
    docs = list(yaml.safe_load_all(f))
hits = [d for d in docs if isinstance(d, dict) and d.get("kind") == kind and (d.get("metadata") or {}).get("name") == name]
if not assign:
    for d in hits:
        print((d.get("data") or {}).get(key))
    sys.exit(0)
for d in hits:
    d.setdefault("data", {})[key] = yaml.safe_load(os.environ[var])
with open(path, "w") as f:
    yaml.safe_dump_all(docs, f, explicit_start=True, sort_keys=False)
"""


def _mikefarah_yq() -> str | None:
    """A real mikefarah yq v4, if this machine has one (it is not a Python package)."""
    for candidate in (os.environ.get("MIKEFARAH_YQ"), shutil.which("yq")):
        if candidate and os.access(candidate, os.X_OK):
            version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
            if "mikefarah" in version and re.search(r"version v?4\.", version):
                return candidate
    return None


@pytest.fixture(params=["stub", "mikefarah"])
def yq(request, run_job, tmp_path: Path) -> str:
    """Puts a yq on the Job's PATH: the stub, or the real mikefarah yq v4 when there is one."""
    target = tmp_path / "bin" / "yq"
    if request.param == "stub":
        target.write_text(f"#!{sys.executable}\n{YQ_STUB}")
        target.chmod(target.stat().st_mode | stat.S_IEXEC)
    else:
        real = _mikefarah_yq()
        if real is None:
            pytest.skip("no mikefarah yq v4 here (the installer image's yq); set MIKEFARAH_YQ to one to run against it")
        target.write_text(f'#!/bin/bash\necho "yq $1" >>"$CALLS"\nexec {real} "$@"\n')
        target.chmod(0o755)
    return request.param


def _manifest(text: str) -> list[dict]:
    """The chart's manifest as Helm renders it: each escaped line's raw string is the line itself."""
    unescaped = "\n".join(re.sub(r"^\{\{`(.*)`\}\}$", r"\1", line) for line in text.splitlines())
    return [d for d in yaml.safe_load_all(unescaped) if d is not None]


def _docker_config(doc: dict) -> dict:
    return json.loads(base64.b64decode(doc["data"][".dockerconfigjson"]))


def _named(docs: list[dict], kind: str, name: str) -> dict:
    (found,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


@pytest.fixture
def merge_files(tmp_path: Path) -> tuple[Path, Path]:
    rendered, credentials = tmp_path / "rendered.yaml", tmp_path / "dockerconfigjson"
    rendered.write_text(RENDERED)
    credentials.write_text(json.dumps(CREDENTIALS))
    return rendered, credentials


def test_credentials_are_merged_into_the_rendered_registry_secret_as_kots_did(run_job, yq, merge_files, tmp_path):
    rendered, credentials = merge_files
    run = run_job(RENDER_FILE=str(rendered), REGISTRY_CREDENTIALS_FILE=str(credentials))
    assert run.returncode == 0, run.output
    text = (tmp_path / "work" / "chart" / "templates" / "gitpod.yaml").read_text()
    docs, original = _manifest(text), _manifest(RENDERED)
    secret = _named(docs, "Secret", "builtin-registry-auth")
    # kots-install.sh: `jq -s '.[0] * .[1]' credentials rendered`, a recursive merge in which the
    # rendered Secret wins: the in-cluster registry keeps its own login, the credential's fields it
    # lacks stay, and the private registry is added.
    assert _docker_config(secret) == {
        "auths": {
            "ghcr.io": CREDENTIALS["auths"]["ghcr.io"],
            REGISTRY_HOST: {"username": "someone", "password": OVERLAP_PASSWORD, "auth": RENDERED_AUTH},
        }
    }
    # Only that value changed: the rest of the Secret, and every other document (the ConfigMap
    # listing the Secret, the other dockerconfigjson Secret), are as rendered.
    before = _named(original, "Secret", "builtin-registry-auth")
    assert {k: v for k, v in secret["data"].items() if k != ".dockerconfigjson"} == {
        "password": "YnVpbHRpbi1wYTU1",
        "user": "Z2l0cG9kLXJlZ2lzdHJ5",
    }
    assert {k: v for k, v in secret.items() if k != "data"} == {k: v for k, v in before.items() if k != "data"}
    assert [d for d in docs if d is not secret] == [d for d in original if d is not before]
    # The escaping ran on the merged manifest, after the merge.
    assert '{{`  template.yaml: \'{"spec":{"hostname":"{{ .Values.x }}"}}\'`}}' in text
    assert run.index("installer render") < run.index("yq eval-all") < run.index("helm upgrade")
    steps = [line.split("step ", 1)[1] for line in run.output.splitlines() if line.startswith("gitpod-installer: step ")]
    assert steps[-3:] == ["merge_registry_credentials", "escape_templates", "helm_upgrade"]
    assert f"merged the credentials for ghcr.io {REGISTRY_HOST} into Secret builtin-registry-auth" in run.output


def test_without_credentials_the_rendered_manifest_is_only_escaped(run_job, merge_files, tmp_path):
    rendered, _ = merge_files
    # A yq that fails if called: nothing reads or rewrites the manifest.
    (tmp_path / "bin" / "yq").write_text('#!/bin/bash\necho "yq $*" >>"$CALLS"\nexit 9\n')
    (tmp_path / "bin" / "yq").chmod(0o755)
    run = run_job(RENDER_FILE=str(rendered))
    assert run.returncode == 0, run.output
    assert not run.called("yq")
    text = (tmp_path / "work" / "chart" / "templates" / "gitpod.yaml").read_text()
    expected = "".join(f"{{{{`{line.rstrip(chr(10))}`}}}}\n" if "{{" in line else line for line in RENDERED.splitlines(keepends=True))
    assert text == expected
    assert "no base-image registry credentials to merge" in run.output


def _leaks(run: Run, tmp_path: Path, text: str = "") -> list[str]:
    secret_texts = [GHCR_PASSWORD, OVERLAP_PASSWORD, RENDERED_AUTH, *(e["auth"] for e in CREDENTIALS["auths"].values())]
    if text:
        # The merged value written into the Secret is a secret too.
        secret_texts.append(_named(_manifest(text), "Secret", "builtin-registry-auth")["data"][".dockerconfigjson"])
    logs = run.output + run.termination + (tmp_path / "work" / "installer.log").read_text()
    return [s for s in secret_texts if s in logs or base64.b64encode(s.encode()).decode() in logs]


def test_the_credentials_never_reach_the_log(run_job, yq, merge_files, tmp_path):
    rendered, credentials = merge_files
    run = run_job(RENDER_FILE=str(rendered), REGISTRY_CREDENTIALS_FILE=str(credentials))
    assert run.returncode == 0, run.output
    text = (tmp_path / "work" / "chart" / "templates" / "gitpod.yaml").read_text()
    assert "ghcr.io" in _docker_config(_named(_manifest(text), "Secret", "builtin-registry-auth"))["auths"]
    assert not _leaks(run, tmp_path, text)
    # Nor does the scratch copy of the rendered login outlive the step.
    assert not (tmp_path / "work" / "builtin-registry-auth.json").exists()


def test_a_manifest_without_the_registry_secret_fails_without_quoting_the_credentials(run_job, yq, merge_files, tmp_path):
    rendered, credentials = merge_files
    rendered.write_text(RENDERED.replace("name: builtin-registry-auth\n  namespace", "name: renamed-registry-auth\n  namespace"))
    run = run_job(RENDER_FILE=str(rendered), REGISTRY_CREDENTIALS_FILE=str(credentials))
    assert run.returncode != 0
    assert run.termination.startswith("step 'merge_registry_credentials' failed")
    assert "no Secret builtin-registry-auth" in run.termination
    assert not run.called("helm")
    assert not _leaks(run, tmp_path)


def test_malformed_or_missing_credentials_fail_without_quoting_them(run_job, yq, merge_files, tmp_path):
    rendered, credentials = merge_files
    credentials.write_text(json.dumps({"ghcr.io": {"password": GHCR_PASSWORD}}))
    run = run_job(RENDER_FILE=str(rendered), REGISTRY_CREDENTIALS_FILE=str(credentials))
    assert run.returncode != 0
    assert 'is not a .dockerconfigjson with an "auths" object' in run.termination
    assert GHCR_PASSWORD not in run.output + run.termination
    assert not run.called("helm")

    run = run_job(RENDER_FILE=str(rendered), REGISTRY_CREDENTIALS_FILE=str(tmp_path / "absent"))
    assert run.returncode != 0
    assert "are not mounted" in run.termination
