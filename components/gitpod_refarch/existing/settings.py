"""Rules only an existing cluster has: what the program cannot create for it, it advises on.

The `gitpod:cluster` keys of an existing cluster (kubeconfig, context, distribution, the nodes'
kernel, containerd, OS and CNI) are read with the shared cluster section; the shared rules judge
them against Gitpod's compatibility table.
"""

from __future__ import annotations

from .. import compatibility as compat
from ..settings.model import Settings
from ..settings.rules import Add


def rules(settings: Settings[None], add: Add) -> None:
    c = settings.cluster
    if c.distribution == "k3s":
        add(
            "advice",
            "gitpod:cluster.distribution",
            "K3s has only 'limited support' in Gitpod's compatibility table; the program uses K3s' containerd paths "
            "(/run/k3s/containerd/...) in the installer config.",
        )
    if not c.label_nodes:
        add(
            "advice",
            "gitpod:cluster.labelNodes",
            "no nodes named, so the program labels none. Before running the installer, label the nodes yourself: "
            "kubectl label node <node> " + " ".join(f"{label}=true" for label in compat.ALL_NODE_LABELS),
        )
