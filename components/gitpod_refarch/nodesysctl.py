"""Kernel settings on workspace nodes: the boot-time script, and a DaemonSet where boot is not ours.

Where the program writes the nodes' boot script (EKS launch templates), `sysctl_script` runs before
the kubelet starts. Where it cannot (GKE: the node-pool API accepts only an allowlist of sysctls,
and `kernel.apparmor_restrict_unprivileged_userns` is not on it), `WorkspaceNodeSysctls` deploys a small
DaemonSet into Gitpod's namespace that runs the same script on the host once per node and keeps
the setting in `/etc/sysctl.d`, so a reboot applies it before the kubelet starts again.

Ordering on a new node: Gitpod's workspace pods require the node label that ws-daemon's
`node-labeler` sidecar sets once ws-daemon is ready (gitpod-io/gitpod@2022.11.3
components/ws-manager/pkg/manager/create.go, `gitpod.io/ws-daemon_ready_ns_<namespace>`), and
ws-daemon's first init container runs the same helper image this DaemonSet's init container runs
(install/installer/pkg/components/ws-daemon/daemonset.go, `disable-kube-health-monitor`). Once that
image is on the node, this init container needs only a `sysctl` call, while ws-daemon still pulls
and starts its own images before it reports ready; so the setting is in place before the first
workspace is scheduled there. It is not a hard guarantee (nothing stops a workspace pod that was
bound to the node by hand); docs/gcp.md says how to check a node.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR
from .installer import DEFAULT_REPOSITORY

SYSCTL_FILE = "/etc/sysctl.d/90-gitpod.conf"
_SYSCTL_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")

#: The helper image ws-daemon's `disable-kube-health-monitor` init container runs with `nsenter`:
#: `library/ubuntu:20.04` from docker.io, or from `installer.repository` when that is not Gitpod's
#: own registry (gitpod-io/gitpod@2022.11.3 install/installer/pkg/components/ws-daemon/daemonset.go,
#: and `ThirdPartyContainerRepo` in install/installer/pkg/common/common.go). Reusing it adds no image
#: to mirror, and it is on every workspace node anyway.
HELPER_IMAGE = "library/ubuntu:20.04"
HELPER_REGISTRY = "docker.io"

TYPE = "gitpod:index:WorkspaceNodeSysctls"
DAEMONSET_NAME = "gitpod-workspace-sysctls"
_LABELS = {"app.kubernetes.io/name": DAEMONSET_NAME, "app.kubernetes.io/part-of": "gitpod"}


def sysctl_script(sysctls: Mapping[str, str]) -> str:
    """Shell lines that persist and apply each setting the kernel knows (empty for none)."""
    lines = []
    for key, value in sysctls.items():
        if not _SYSCTL_KEY.fullmatch(key) or not re.fullmatch(r"[0-9]+", value):
            raise ValueError(f"not a sysctl setting: {key}={value}")
        proc = "/proc/sys/" + key.replace(".", "/")
        lines.append(f"if [ -e {proc} ]; then echo '{key} = {value}' >> {SYSCTL_FILE}; fi")
    if lines:
        lines.append(f"if [ -e {SYSCTL_FILE} ]; then sysctl --load={SYSCTL_FILE}; fi")
    return "".join(line + "\n" for line in lines)


def host_script(sysctls: Mapping[str, str]) -> str:
    """`sysctl_script` for a pod that may run more than once per node: it starts from an empty file."""
    return f"set -eu\nrm -f {SYSCTL_FILE}\n" + sysctl_script(sysctls)


def helper_image(repository: str) -> str:
    """Where Gitpod's installer pulls its Ubuntu helper from, given `installer.repository`."""
    registry = repository.rstrip("/")
    if registry == DEFAULT_REPOSITORY:
        registry = HELPER_REGISTRY
    return f"{registry}/{HELPER_IMAGE}"


def host_daemonset_spec(
    name: str,
    image: str,
    step: str,
    script: str,
    pull_secrets: Sequence[str] = (),
    env: Sequence[k8s.core.v1.EnvVarArgsDict] = (),
) -> k8s.apps.v1.DaemonSetSpecArgsDict:
    """A DaemonSet on the workspace nodes whose init container runs `script` on the host, once per pod.

    The init container enters the host's namespaces (as ws-daemon's own init container does); the
    only long-running container sleeps unprivileged, so the pod stays and its init container runs
    again after a reboot or when the pod template (the script) changes. Shared by every component
    that must change a workspace node the cloud does not let the program configure at boot.
    """
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "gitpod"}
    small: k8s.core.v1.ResourceRequirementsArgsDict = {"requests": {"cpu": "1m", "memory": "8Mi"}, "limits": {"memory": "32Mi"}}
    init: k8s.core.v1.ContainerArgsDict = {
        "name": step,
        "image": image,
        "command": ["/usr/bin/nsenter", "-t", "1", "-a", "/bin/sh", "-c", script],
        "security_context": {"privileged": True},
        "resources": small,
    }
    if env:
        init["env"] = list(env)
    return {
        "selector": {"match_labels": {"app.kubernetes.io/name": name}},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                # The same terms ws-daemon is scheduled with (common.NodeAffinity): either label.
                "affinity": {
                    "node_affinity": {
                        "required_during_scheduling_ignored_during_execution": {
                            "node_selector_terms": [
                                {"match_expressions": [{"key": label, "operator": "Exists"}]}
                                for label in (NODE_LABEL_REGULAR, NODE_LABEL_HEADLESS)
                            ]
                        }
                    }
                },
                # Whatever taints a workspace node carries, it must be set up.
                "tolerations": [{"operator": "Exists"}],
                "host_pid": True,
                "automount_service_account_token": False,
                "enable_service_links": False,
                "termination_grace_period_seconds": 1,
                "image_pull_secrets": [{"name": secret} for secret in pull_secrets] or None,
                "init_containers": [init],
                "containers": [
                    {
                        "name": "sleep",
                        "image": image,
                        "command": ["sleep", "infinity"],
                        "security_context": {
                            "run_as_user": 65534,
                            "run_as_non_root": True,
                            "allow_privilege_escalation": False,
                            "read_only_root_filesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "resources": small,
                    }
                ],
            },
        },
    }


class WorkspaceNodeSysctlsArgs(TypedDict, total=False):
    namespace: pulumi.Input[str]
    """Namespace of the DaemonSet: Gitpod's, so it can use Gitpod's pull secrets (required)."""
    sysctls: Mapping[str, str]
    """Kernel settings, e.g. `compatibility.WORKSPACE_NODE_SYSCTLS` (required, at least one)."""
    image: str
    """Image with `/usr/bin/nsenter` and `sleep`; `helper_image(installer.repository)` (required)."""
    pull_secrets: Sequence[str]
    """Names of docker-registry Secrets in `namespace` for pulling `image` (default none)."""


class WorkspaceNodeSysctls(pulumi.ComponentResource):
    """A DaemonSet on the regular and headless workspace nodes that applies `sysctls` on the host
    (`host_daemonset_spec` running `host_script`)."""

    daemonset: k8s.apps.v1.DaemonSet
    """The DaemonSet `gitpod-workspace-sysctls`."""

    def __init__(self, name: str, args: WorkspaceNodeSysctlsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        if not args["sysctls"]:
            raise ValueError("WorkspaceNodeSysctls needs at least one setting")
        script = host_script(args["sysctls"])
        image = args["image"]
        pull_secrets = list(args.get("pull_secrets", ()))
        self.daemonset = k8s.apps.v1.DaemonSet(
            f"{name}-daemonset",
            metadata={"name": DAEMONSET_NAME, "namespace": args["namespace"], "labels": _LABELS},
            spec=host_daemonset_spec(DAEMONSET_NAME, image, "sysctl", script, pull_secrets),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
