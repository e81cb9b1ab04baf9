"""Node bootstrap for Canonical's Ubuntu EKS images (pure: builds the launch template's user data).

With a custom AMI, EKS managed node groups add no bootstrap of their own, so the user data
must join the node to the cluster: Canonical's images ship `/etc/eks/bootstrap.sh` (eksctl's
Ubuntu families use it too). The Gitpod labels are passed to the kubelet here as well as set
on the node group, because EKS cannot inject them into a custom image's kubelet.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Sequence

BOUNDARY = "==GITPOD=="


def bootstrap_script(cluster_name: str, endpoint: str, certificate_authority: str, dns_ip: str, labels: Sequence[str]) -> str:
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
    return "#!/bin/bash\nset -o errexit -o nounset -o pipefail\n" + " \\\n  ".join(args) + "\n"


def user_data(cluster_name: str, endpoint: str, certificate_authority: str, dns_ip: str, labels: Sequence[str]) -> str:
    """The launch template's `user_data`: base64 of a MIME multi-part document (what EKS expects)."""
    script = bootstrap_script(cluster_name, endpoint, certificate_authority, dns_ip, labels)
    document = (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\n\n'
        f"--{BOUNDARY}\n"
        'Content-Type: text/x-shellscript; charset="us-ascii"\n\n'
        f"{script}\n"
        f"--{BOUNDARY}--\n"
    )
    return base64.b64encode(document.encode()).decode()
