"""Kernel settings AKS workspace nodes need, applied by a DaemonSet because AKS offers no other way.

`compatibility.WORKSPACE_NODE_SYSCTLS` says why workspace nodes need
`kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04, which AKS runs for
`osSku: Ubuntu` from Kubernetes 1.35 (and which 1.37+ requires). On EKS the launch template's
user data sets it before the kubelet starts; AKS has neither user data nor a boot hook, and its
custom node configuration (`linuxOSConfig.sysctls`) accepts only a fixed list of `fs.*`, `net.*`,
`vm.*` and `kernel.threads-max` settings (MicrosoftDocs/azure-aks-docs
articles/aks/custom-node-configuration-reference.md, ms.date 2026-08-06; REST `SysctlConfig`,
containerservice stable/2025-09-01). AKS' own node images leave the Ubuntu default alone
(Azure/AgentBaker at 06836ee, Aug 2026, sets no such sysctl). So a privileged pod on every
workspace node writes the setting to the host's `/proc/sys` (the knob is not namespaced) and
re-asserts it every minute, which also covers reboots and anything that reloads sysctl.d.

On a kernel without the knob (Ubuntu 22.04, Azure Linux) the pod only sleeps, so it is deployed
whatever `gitpod:azure.osSku` is: it is already running when AKS moves the pools to 24.04, be it
through `osSku` or through an `az aks upgrade` to a minor where `Ubuntu` means 24.04.

Ordering: a new node can take a workspace before this pod has run only if Gitpod schedules there
first, and Gitpod 2022.11 schedules a workspace only on a node that ws-daemon and registry-facade
have labelled ready (`gitpod.io/ws-daemon_ready_ns_<namespace>`, required node affinity in
components/ws-manager/pkg/manager/create.go at 2022.11.3), which takes far longer than this
one-line script. docs/azure.md says what to do if a workspace still lost that race.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from ..compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, WORKSPACE_NODE_SYSCTLS

#: Busybox from Microsoft's registry, which every AKS node must reach anyway (AKS outbound rules),
#: so nothing is pulled from Docker Hub. The tag AKS' own docs use to debug nodes
#: (azure-aks-docs articles/aks/node-access.md, `kubectl debug node/... --image=...`).
IMAGE = "mcr.microsoft.com/azurelinux/busybox:1.36"
NAME = "gitpod-workspace-sysctls"
#: `system-node-critical` pods are admitted only in kube-system (Kubernetes' default priority-class quota).
NAMESPACE = "kube-system"
INTERVAL_SECONDS = 60
_SYSCTL_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")


def sysctl_loop(sysctls: Mapping[str, str], interval: int = INTERVAL_SECONDS, root: str = "/proc/sys") -> str:
    """A shell loop that sets each sysctl the kernel has (a file under `root`), now and every `interval` seconds.

    A write that fails exits the container, so the pod shows CrashLoopBackOff instead of
    pretending the node is ready for workspaces.
    """
    checks = []
    for key, value in sysctls.items():
        if not _SYSCTL_KEY.fullmatch(key) or not re.fullmatch(r"[0-9]+", value):
            raise ValueError(f"not a sysctl setting: {key}={value}")
        proc = shlex.quote(f"{root}/" + key.replace(".", "/"))
        checks.append(f'if [ -e {proc} ] && [ "$(cat {proc})" != {value} ]; then echo {value} > {proc} || exit 1; fi')
    body = "; ".join(checks) or ":"
    return f"trap 'exit 0' TERM; while :; do {body}; sleep {interval} & wait $!; done"


def workspace_sysctls(name: str, provider: k8s.Provider, opts: pulumi.ResourceOptions) -> k8s.apps.v1.DaemonSet:
    """The DaemonSet that keeps `WORKSPACE_NODE_SYSCTLS` on every workspace node (regular and headless)."""
    core, meta = k8s.core.v1, k8s.meta.v1
    labels = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "gitpod"}
    either_workspace_pool = [  # node selector terms are ORed
        core.NodeSelectorTermArgs(match_expressions=[core.NodeSelectorRequirementArgs(key=label, operator="Exists")])
        for label in (NODE_LABEL_REGULAR, NODE_LABEL_HEADLESS)
    ]
    container = core.ContainerArgs(
        name="sysctls",
        image=IMAGE,
        command=["sh", "-c", sysctl_loop(WORKSPACE_NODE_SYSCTLS)],
        # Privileged: only then is /proc/sys writable, and the write needs CAP_SYS_ADMIN and
        # CAP_MAC_ADMIN in the host's user namespace, without an AppArmor profile of its own.
        security_context=core.SecurityContextArgs(privileged=True, app_armor_profile=core.AppArmorProfileArgs(type="Unconfined")),
        resources=core.ResourceRequirementsArgs(requests={"cpu": "1m", "memory": "8Mi"}, limits={"memory": "32Mi"}),
    )
    pod = core.PodSpecArgs(
        affinity=core.AffinityArgs(
            node_affinity=core.NodeAffinityArgs(
                required_during_scheduling_ignored_during_execution=core.NodeSelectorArgs(node_selector_terms=either_workspace_pool)
            )
        ),
        priority_class_name="system-node-critical",
        automount_service_account_token=False,
        termination_grace_period_seconds=5,
        containers=[container],
    )
    return k8s.apps.v1.DaemonSet(
        name,
        metadata=meta.ObjectMetaArgs(name=NAME, namespace=NAMESPACE, labels=labels),
        spec=k8s.apps.v1.DaemonSetSpecArgs(
            selector=meta.LabelSelectorArgs(match_labels=labels),
            template=core.PodTemplateSpecArgs(metadata=meta.ObjectMetaArgs(labels=labels), spec=pod),
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=provider)),
    )
