"""The small contracts ("info" objects) each concern hands to the installer-values step.

Every implementation of a concern (in-cluster, a cloud's managed service, bring-your-own) returns
one of these, and `installer.values` consumes nothing else. The variants mirror the installer's own
schema (`inCluster` / `external` / `cloudSQL`, `s3` / `cloudStorage` / `azure`, ...), which is fixed
by the 2022.11 release; clouds are not. Adding a cloud therefore adds implementations, never edits
to the installer-values code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ContainerdPaths:
    """Where ws-daemon finds containerd on the nodes; wrong paths break every workspace."""

    runtime_dir: str
    socket: str


#: `install/installer/pkg/containerd/*.go`: the default layout, and K3s' own (gitpod-io/gitpod#7787).
CONTAINERD_DEFAULT = ContainerdPaths("/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io", "/run/containerd/containerd.sock")
CONTAINERD_K3S = ContainerdPaths("/run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io", "/run/k3s/containerd/containerd.sock")


@dataclass(frozen=True)
class CertManagerIdentity:
    """What cert-manager's service account needs so DNS-01 solvers use ambient cloud credentials.

    A managed cluster fills this in (GKE Workload Identity annotation, EKS IRSA role annotation,
    AKS workload-identity label); an existing cluster leaves it empty.
    """

    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    pod_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterInfo:
    """A reachable cluster: the provider to deploy with and facts the installer config needs.

    Implementations build `provider` so that it depends on whatever must exist before workloads
    can be scheduled (node pools), so nothing deployed with it needs an explicit dependency.
    """

    provider: k8s.Provider
    distribution: str
    containerd: ContainerdPaths
    kubeconfig: pulumi.Output[str] | None = None
    name: pulumi.Input[str] | None = None
    cert_manager_identity: CertManagerIdentity = field(default_factory=CertManagerIdentity)
    #: Extra stack outputs about the cluster (e.g. the node image on EKS), by output name.
    outputs: Mapping[str, Any] = field(default_factory=dict)
    #: Kernel settings the workspace nodes still need once they have joined, because the cluster
    #: could not set them at boot (GKE); a DaemonSet next to Gitpod applies them
    #: (`nodesysctl.WorkspaceNodeSysctls`). Empty where the nodes boot with them (EKS user data).
    workspace_node_sysctls: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatabaseInfo:
    """`database` in the installer config. `kind` follows the installer's own variants."""

    kind: Literal["incluster", "external", "cloudsql"]
    host: pulumi.Input[str] | None = None
    port: pulumi.Input[int] = 3306
    username: pulumi.Input[str] | None = None
    password: pulumi.Input[str] | None = None
    #: PEM CA for TLS to the database (installer `database.ssl.caCert`).
    ca_cert: pulumi.Input[str] | None = None
    #: Cloud SQL connection name `<project>:<region>:<instance>` and a cloudsql.client key.
    cloudsql_instance: pulumi.Input[str] | None = None
    cloudsql_credentials_json: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class StorageInfo:
    """`objectStorage` in the installer config, plus the region it lives in (`metadata.region`)."""

    kind: Literal["incluster", "s3", "gcs", "azure"]
    region: pulumi.Input[str] = "local"
    # s3
    endpoint: pulumi.Input[str] | None = None
    bucket: pulumi.Input[str] | None = None
    access_key_id: pulumi.Input[str] | None = None
    secret_access_key: pulumi.Input[str] | None = None
    allow_insecure_connection: bool = False
    # gcs
    project: pulumi.Input[str] | None = None
    service_account_json: pulumi.Input[str] | None = None
    # azure
    account_name: pulumi.Input[str] | None = None
    account_key: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class RegistryInfo:
    """`containerRegistry` in the installer config.

    `external`: any Docker Registry HTTP API V2 registry; `url` is the repository prefix Gitpod
    pushes under, `server` the bare host the docker auth entry must use (they differ on Google
    registries). `s3`: the installer's in-cluster registry storing its blobs in an S3 bucket.
    """

    kind: Literal["incluster", "external", "s3"]
    url: pulumi.Input[str] | None = None
    server: pulumi.Input[str] | None = None
    username: pulumi.Input[str] | None = None
    password: pulumi.Input[str] | None = None
    bucket: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    endpoint: pulumi.Input[str] | None = None
    access_key: pulumi.Input[str] | None = None
    secret_key: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class CertificateInfo:
    """The TLS Secret for `<domain>`, `*.<domain>`, `*.ws.<domain>` and an optional custom CA.

    `ca_secret_name` is set when workloads must trust a private CA (installer `customCACert`).
    """

    secret_name: str
    ca_secret_name: str | None = None


@dataclass(frozen=True)
class DnsInfo:
    """The public zone that answers DNS-01 challenges (and later Gitpod's records)."""

    provider: Literal["clouddns", "route53", "azuredns", "cloudflare"]
    zone_name: pulumi.Input[str]
    name_servers: pulumi.Output[list[str]] | None = None
    #: Provider-specific solver fields (project, hostedZoneID, resource group, ...).
    solver: Mapping[str, pulumi.Input[object]] = field(default_factory=dict)


@dataclass(frozen=True)
class SecretSpec:
    """A Kubernetes Secret the installer config references, with exactly the keys it validates."""

    name: str
    string_data: Mapping[str, pulumi.Input[str]]
    type: str = "Opaque"


@dataclass(frozen=True)
class RegistryCredential:
    """Credentials for pulling Gitpod's own images from a mirror (installer `imagePullSecrets`)."""

    server: str
    username: pulumi.Input[str]
    password: pulumi.Input[str]


@dataclass(frozen=True)
class AuthProvider:
    """An OAuth app Gitpod users sign in with (installer `authProviders`).

    `type` is Gitpod's: `GitHub` (github.com or GitHub Enterprise), `GitLab` (gitlab.com or
    self-managed), `Bitbucket` (bitbucket.org) or `BitbucketServer`.
    """

    id: str
    type: str
    host: str
    client_id: pulumi.Input[str]
    client_secret: pulumi.Input[str]
