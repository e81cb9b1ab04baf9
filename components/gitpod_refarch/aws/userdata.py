"""Node bootstrap for Canonical's Ubuntu EKS images (pure: builds the launch template's user data).

With a custom AMI, EKS managed node groups add no bootstrap of their own, so the user data
must join the node to the cluster: Canonical's images ship `/etc/eks/bootstrap.sh` (eksctl's
Ubuntu families use it too). The Gitpod labels are passed to the kubelet here as well as set
on the node group, because EKS cannot inject them into a custom image's kubelet.

Kernel settings (`sysctls`) are written to `/etc/sysctl.d` and applied before the kubelet starts,
so no pod ever runs without them and they survive a reboot. A key the running kernel does not
have (e.g. an AppArmor knob on an older release) is skipped rather than failing the boot.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Mapping, Sequence

from ..nodesysctl import sysctl_script

BOUNDARY = "==GITPOD=="


def bootstrap_script(
    cluster_name: str,
    endpoint: str,
    certificate_authority: str,
    dns_ip: str,
    labels: Sequence[str],
    sysctls: Mapping[str, str] | None = None,
) -> str:
    """The shell script that joins a node; every label is set to "true"."""
    node_labels = ",".join(f"{label}=true" for label in labels)
    args = [
        "/etc/eks/bootstrap.sh",
        shlex.quote(cluster_name),
        "--apiserver-endpoint",
        shlex.quote(endpoint),
        "--b64-cluster-ca",
        shlex.quote(certificate_authority),
        "--dns-cluster-ip",
        shlex.quote(dns_ip),
        "--kubelet-extra-args",
        shlex.quote(f"--node-labels={node_labels}"),
    ]
    header = "#!/bin/bash\nset -o errexit -o nounset -o pipefail\n"
    return header + sysctl_script(sysctls or {}) + " \\\n  ".join(args) + "\n"


def user_data(script: str) -> str:
    """The launch template's `user_data` for a `bootstrap_script`: base64 of a MIME multi-part
    document (what EKS expects)."""
    document = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f"--{BOUNDARY}\n"
        'Content-Type: text/x-shellscript; charset="us-ascii"\n\n'
        f"{script}\n"
        f"--{BOUNDARY}--\n"
    )
    return base64.b64encode(document.encode()).decode()
