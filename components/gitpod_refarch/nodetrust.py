"""Workspace nodes trust Gitpod's private CA: the node-side half of a self-signed installation.

With a self-signed (or privately issued `existing`) certificate, the kubelet's image pulls go
through containerd on each workspace node to the registry facade at `reg.<domain>:20000` (ws-manager's
`RegistryFacadeHost`, gitpod-io/gitpod@2022.11.3 install/installer/pkg/components/ws-manager/configmap.go;
port `RegistryFacadeServicePort` in install/installer/pkg/common/constants.go). containerd must
trust the CA that signed the facade's certificate, or every workspace fails to pull its image.

This is the community workaround of gitpod-io/gitpod#9585, done by the program: a DaemonSet on the
workspace nodes (`nodesysctl.host_daemonset_spec`) whose init container, on the host,

1. writes the CA to `/usr/local/share/ca-certificates/` and runs `update-ca-certificates` (Ubuntu's
   and Debian's system trust store, which containerd uses for any registry without its own CA);
2. writes `hosts.toml` and the CA into `/etc/containerd/certs.d/reg.<domain>:20000/` (containerd
   docs/hosts.md: `server` and a root-level `ca`, a path relative to the file), which containerd
   reads on each pull when its CRI registry `config_path` includes `/etc/containerd/certs.d`.
   Gitpod's installer writes a Docker-style `ca.crt` there too (registry-facade's
   `update-containerd-certificates` init container); both hold the same CA;
3. restarts containerd, only when a file changed: Go reads the system trust store once per
   process, so only a restart makes step 1 take effect. containerd's unit has `KillMode=process`
   (containerd/containerd containerd.service), so running containers and their shims survive
   it. On K3s (no `containerd` unit) the `k3s`/`k3s-agent` unit is restarted, which likewise leaves
   containers running.

`config_path` on the clouds' Ubuntu nodes: AKS writes `config_path = "/etc/containerd/certs.d"`
(Azure/AgentBaker aks-node-controller/parser/templates/containerd_no_GPU.toml.gtpl, Kubernetes
1.22+); the EKS bootstrap's containerd template sets `/etc/containerd/certs.d:/etc/docker/certs.d`
(awslabs/amazon-eks-ami), which Gitpod's 2022 EKS Terraform had to append itself. The script logs
whether the running containerd has it; the system trust store works either way, so the nodes'
boot configuration is not changed (a user-data change would roll every node group).

The CA comes from the Secret cert-manager fills for the self-signed chain (`gitpod-refarch-ca`,
`certmanager.issuers.CA_SECRET`) or the one holding `certificate.existing.caCert`; it is read at
pod start, so after a CA rotation restart the DaemonSet (docs/configuration.md says how).

GKE is refused (`compatibility.GKE_NODE_TRUST_REASON`).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .nodesysctl import host_daemonset_spec

TYPE = "gitpod:index:NodeCaTrust"
DAEMONSET_NAME = "gitpod-node-ca-trust"
#: `RegistryFacadeServicePort` (gitpod-io/gitpod@2022.11.3 install/installer/pkg/common/constants.go).
REGISTRY_FACADE_PORT = 20000
TRUST_STORE_DIR = "/usr/local/share/ca-certificates"
CERTS_D = "/etc/containerd/certs.d"
CA_FILE_NAME = "gitpod-refarch-ca.crt"
CA_ENV = "GITPOD_CA"


def registry_facade_host(domain: str) -> str:
    """What containerd pulls workspace images from (the facade's host port on each node)."""
    return f"reg.{domain}:{REGISTRY_FACADE_PORT}"


def hosts_toml(domain: str) -> str:
    """containerd's host configuration for the registry facade: its server and the CA to trust."""
    return f'server = "https://{registry_facade_host(domain)}"\nca = "{CA_FILE_NAME}"\n'


def host_script(domain: str) -> str:
    """The shell script run on the host: install the CA (from `$GITPOD_CA`), restart containerd if anything changed."""
    host_dir = f"{CERTS_D}/{registry_facade_host(domain)}"
    store_file = f"{TRUST_STORE_DIR}/{CA_FILE_NAME}"
    lines = [
        "set -eu",
        f'if [ -z "${{{CA_ENV}:-}}" ]; then echo "{CA_ENV} is empty: the CA Secret has no ca.crt" >&2; exit 1; fi',
        "if ! command -v update-ca-certificates >/dev/null; then",
        '  echo "update-ca-certificates not found: the node is not Ubuntu/Debian; install the CA yourself" >&2; exit 1',
        "fi",
        "changed=0",
        # put FILE CONTENT: replace FILE atomically when its content differs.
        'put() { if ! printf "%s" "$2" | cmp -s - "$1"; then mkdir -p "$(dirname "$1")"; '
        'printf "%s" "$2" > "$1.tmp"; mv "$1.tmp" "$1"; changed=1; echo "wrote $1"; fi; }',
        f'put {shlex.quote(store_file)} "${CA_ENV}"',
        f'put {shlex.quote(host_dir + "/" + CA_FILE_NAME)} "${CA_ENV}"',
        f"put {shlex.quote(host_dir + '/hosts.toml')} {shlex.quote(hosts_toml(domain))}",
        f"if command -v containerd >/dev/null && ! containerd config dump 2>/dev/null | grep -q 'config_path = .*{CERTS_D}'; then",
        f'  echo "containerd does not read {CERTS_D} (no registry config_path); the system trust store covers it after the restart"',
        "fi",
        'if [ "$changed" = 0 ]; then echo "CA already installed"; exit 0; fi',
        "update-ca-certificates",
        "for unit in containerd k3s k3s-agent; do",
        '  if systemctl is-active --quiet "$unit"; then systemctl restart "$unit"; echo "restarted $unit"; exit 0; fi',
        "done",
        'echo "no containerd, k3s or k3s-agent unit is active; restart the container runtime yourself" >&2',
        "exit 1",
    ]
    return "\n".join(lines) + "\n"


class NodeCaTrustArgs(TypedDict, total=False):
    namespace: pulumi.Input[str]
    """Namespace of the DaemonSet and the CA Secret: Gitpod's (required)."""
    domain: str
    """Gitpod's domain; containerd is told to trust the CA for `reg.<domain>:20000` (required)."""
    ca_secret_name: str
    """Secret in `namespace` whose `ca.crt` is the CA (required)."""
    image: str
    """Image with `/usr/bin/nsenter` and `sleep`; `nodesysctl.helper_image(installer.repository)` (required)."""
    pull_secrets: Sequence[str]
    """Names of docker-registry Secrets in `namespace` for pulling `image` (default none)."""


class NodeCaTrust(pulumi.ComponentResource):
    """A DaemonSet on the workspace nodes that makes the node and its containerd trust Gitpod's CA."""

    daemonset: k8s.apps.v1.DaemonSet
    """The DaemonSet `gitpod-node-ca-trust`."""

    def __init__(self, name: str, args: NodeCaTrustArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        env: list[k8s.core.v1.EnvVarArgsDict] = [
            {"name": CA_ENV, "value_from": {"secret_key_ref": {"name": args["ca_secret_name"], "key": "ca.crt"}}}
        ]
        self.daemonset = k8s.apps.v1.DaemonSet(
            f"{name}-daemonset",
            metadata={"name": DAEMONSET_NAME, "namespace": args["namespace"], "labels": {"app.kubernetes.io/part-of": "gitpod"}},
            spec=host_daemonset_spec(
                DAEMONSET_NAME, args["image"], "trust-ca", host_script(args["domain"]), list(args.get("pull_secrets", ())), env
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
