"""`ExistingCluster`: a Kubernetes provider for a cluster someone else runs, and Gitpod's node labels.

No `from __future__ import annotations` here: the component is exported to other languages, and
the schema analyzer reads its annotations at run time (see `reference.py`).
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..compatibility import ALL_NODE_LABELS
from ..contracts import CONTAINERD_DEFAULT, CONTAINERD_K3S, ClusterInfo, DnsInfo
from ..settings.secret import SecretValue

if TYPE_CHECKING:
    from ..architecture import Context

TYPE = "gitpod:index:ExistingCluster"


class ExistingClusterArgs(TypedDict, total=False):
    kubeconfig: pulumi.Input[str]
    """Path to (or contents of) a kubeconfig; default: `$KUBECONFIG` or `~/.kube/config`."""
    context: pulumi.Input[str]
    """Context in the kubeconfig; default: its current context."""
    distribution: str
    """`generic` or `k3s`; K3s keeps containerd under /run/k3s, which the installer must know."""
    label_nodes: Sequence[str]
    """Nodes to give every Gitpod workload label (`gitpod.io/workload_*=true`)."""


class ExistingCluster(pulumi.ComponentResource):
    """Connects to an existing cluster and labels the nodes Gitpod may schedule on.

    Labels are applied with server-side-apply patches, so Pulumi owns only these label fields
    and removes just them on destroy; the nodes themselves are never managed.
    """

    provider: k8s.Provider
    """Kubernetes provider for everything deployed into the cluster."""
    labelled_nodes: pulumi.Output[list[str]]
    """Nodes that received the Gitpod workload labels."""

    def __init__(self, name: str, args: ExistingClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        distribution = args.get("distribution", "generic")
        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=args.get("kubeconfig"),
            context=args.get("context"),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        for node in args.get("label_nodes", ()):
            k8s.core.v1.NodePatch(
                f"{name}-labels-{node}",
                metadata={"name": node, "labels": dict.fromkeys(ALL_NODE_LABELS, "true")},
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
            )
        self.labelled_nodes = pulumi.Output.from_input(list(args.get("label_nodes", ())))
        self.info = ClusterInfo(
            provider=self.provider,
            distribution=distribution,
            containerd=CONTAINERD_K3S if distribution == "k3s" else CONTAINERD_DEFAULT,
        )
        self.register_outputs({"labelledNodes": self.labelled_nodes})


def build(ctx: "Context[None, None]", dns: DnsInfo | None) -> ClusterInfo:
    c = ctx.settings.cluster
    args: ExistingClusterArgs = {"distribution": c.distribution, "label_nodes": c.label_nodes}
    if isinstance(c.kubeconfig, SecretValue):
        args["kubeconfig"] = c.kubeconfig.output()
    elif c.kubeconfig:
        # Only a path can be plain config; it stays out of the plan and state all the same.
        args["kubeconfig"] = pulumi.Output.secret(c.kubeconfig)
    if c.context:
        args["context"] = c.context
    return ExistingCluster(ctx.name, args, opts=ctx.opts()).info
