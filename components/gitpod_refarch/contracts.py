"""The small contracts ("info" objects) each concern hands to the installer-values step.

Every implementation of a concern (in-cluster, a cloud's managed service, bring-your-own) returns
one of these, and `installer.values` consumes nothing else. Each concern's contract is a tagged
union whose variants mirror the installer's own schema (`inCluster` / `external` / `cloudSQL`,
`s3` / `cloudStorage` / `azure`, ...), which is fixed by the 2022.11 release; clouds are not. Each
variant holds only its own fields, all required, so mypy checks that a producer fills in what the
installer needs and the consumers `match` on the variant. Adding a cloud therefore adds
implementations, never edits to the installer-values code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

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
    #: The same kind of ambient credentials for external-dns, scoped to the zone Gitpod's records go
    #: to (`externaldns.ExternalDns`); empty where the zone needs none (Cloudflare) or records are off.
    external_dns_identity: CertManagerIdentity = field(default_factory=CertManagerIdentity)
    #: Extra stack outputs about the cluster (e.g. the node image on EKS), by output name.
    outputs: Mapping[str, Any] = field(default_factory=dict)
    #: Kernel settings the workspace nodes still need once they have joined, because the cluster
    #: could not set them at boot (GKE); a DaemonSet next to Gitpod applies them
    #: (`nodesysctl.WorkspaceNodeSysctls`). Empty where the nodes boot with them (EKS user data).
    workspace_node_sysctls: Mapping[str, str] = field(default_factory=dict)
    #: What must exist before anything that provisions volumes (the installer's MySQL, MinIO and
    #: registry claims): the EBS CSI add-on on EKS. Kept out of `provider`'s dependencies so that
    #: objects without volumes (cert-manager, Secrets) do not wait for it.
    volumes_ready: Sequence[pulumi.Resource] = ()


# -- database (installer `database`) ------------------------------------------------------------
@dataclass(frozen=True)
class InClusterDatabase:
    """The installer's own MySQL (`inCluster: true`)."""


@dataclass(frozen=True)
class ExternalDatabase:
    """Any MySQL reachable from the cluster (`database.external`): RDS, Flexible Server, your own."""

    host: pulumi.Input[str]
    username: pulumi.Input[str]
    password: pulumi.Input[str]
    port: pulumi.Input[int] = 3306
    #: PEM CA for TLS to the database (installer `database.ssl.caCert`).
    ca_cert: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class CloudSqlConnection:
    """Cloud SQL through the Cloud SQL Auth Proxy the installer deploys (`database.cloudSQL`)."""

    #: Connection name `<project>:<region>:<instance>`.
    instance: pulumi.Input[str]
    #: Key of a service account holding `cloudsql.client`, which the proxy mounts.
    credentials_json: pulumi.Input[str]
    username: pulumi.Input[str]
    password: pulumi.Input[str]
    #: When the access key above was created (ISO 8601), for the `keyCreated` output.
    key_created: pulumi.Input[str] | None = None


DatabaseInfo: TypeAlias = InClusterDatabase | ExternalDatabase | CloudSqlConnection
"""`database` in the installer config: one variant per installer variant."""


# -- object storage (installer `objectStorage`, plus `metadata.region`) ---------------------------
@dataclass(frozen=True)
class InClusterStorage:
    """The installer's own MinIO; its region is the installer's `local`."""

    region: pulumi.Input[str] = "local"


@dataclass(frozen=True)
class S3Storage:
    """Any S3-compatible bucket (`objectStorage.s3`)."""

    region: pulumi.Input[str]
    #: Host (and optional port) without scheme, e.g. `s3.eu-west-1.amazonaws.com`.
    endpoint: pulumi.Input[str]
    bucket: pulumi.Input[str]
    access_key_id: pulumi.Input[str]
    secret_access_key: pulumi.Input[str]
    allow_insecure_connection: bool = False
    #: When the access key above was created (ISO 8601), for the `keyCreated` output.
    key_created: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class GcsStorage:
    """Google Cloud Storage, where Gitpod creates its own buckets (`objectStorage.cloudStorage`)."""

    region: pulumi.Input[str]
    project: pulumi.Input[str]
    service_account_json: pulumi.Input[str]
    #: When the access key above was created (ISO 8601), for the `keyCreated` output.
    key_created: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class AzureStorage:
    """An Azure storage account, served through the installer's MinIO gateway (`objectStorage.azure`)."""

    region: pulumi.Input[str]
    account_name: pulumi.Input[str]
    account_key: pulumi.Input[str]


StorageInfo: TypeAlias = InClusterStorage | S3Storage | GcsStorage | AzureStorage
"""`objectStorage` in the installer config; every variant knows its region (`metadata.region`)."""


# -- container registry (installer `containerRegistry`) -------------------------------------------
@dataclass(frozen=True)
class InClusterRegistry:
    """The installer's own registry, storing images in its MinIO."""


@dataclass(frozen=True)
class ExternalRegistry:
    """Any Docker Registry HTTP API V2 registry (`containerRegistry.external`).

    `url` is the repository prefix Gitpod pushes under, `server` the bare host the docker auth
    entry must use (they differ on Google registries).
    """

    url: pulumi.Input[str]
    server: pulumi.Input[str]
    username: pulumi.Input[str]
    password: pulumi.Input[str]
    #: When the access key above was created (ISO 8601), for the `keyCreated` output.
    key_created: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class S3Registry:
    """The installer's in-cluster registry storing its blobs in an S3 bucket (`s3storage`)."""

    bucket: pulumi.Input[str]
    region: pulumi.Input[str]
    endpoint: pulumi.Input[str]
    access_key: pulumi.Input[str]
    secret_key: pulumi.Input[str]
    #: When the access key above was created (ISO 8601), for the `keyCreated` output.
    key_created: pulumi.Input[str] | None = None

    @classmethod
    def on(cls, storage: S3Storage) -> S3Registry:
        """The registry on the object-storage bucket itself (`gitpod:registry.reuseStorageBucket`)."""
        return cls(
            bucket=storage.bucket,
            region=storage.region,
            endpoint=storage.endpoint,
            access_key=storage.access_key_id,
            secret_key=storage.secret_access_key,
            key_created=storage.key_created,
        )


RegistryInfo: TypeAlias = InClusterRegistry | ExternalRegistry | S3Registry
"""`containerRegistry` in the installer config."""


@dataclass(frozen=True)
class CertificateInfo:
    """The TLS Secret for `<domain>`, `*.<domain>`, `*.ws.<domain>` and an optional custom CA.

    `ca_secret_name` is set when workloads must trust a private CA (installer `customCACert`).
    """

    secret_name: str
    ca_secret_name: str | None = None


# -- the zone DNS-01 challenges are answered in (Let's Encrypt issuers) ---------------------------
@dataclass(frozen=True)
class CloudDnsZoneInfo:
    """A Cloud DNS zone; cert-manager reaches it through GKE Workload Identity."""

    zone_name: pulumi.Input[str]
    name_servers: pulumi.Output[list[str]]
    project: pulumi.Input[str]
    #: E-mail of the Google service account that may edit the zone; the cluster lets cert-manager's
    #: Kubernetes service account act as it.
    service_account: pulumi.Input[str]
    #: The zone's DNS name without the trailing dot (`zone_name` is Cloud DNS' resource name).
    dns_name: pulumi.Input[str]
    #: E-mail of the Google service account external-dns acts as (None when records are off).
    records_service_account: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class Route53ZoneInfo:
    """A Route53 hosted zone; cert-manager reaches it through its IRSA role, scoped to `zone_arn`."""

    zone_name: pulumi.Input[str]
    name_servers: pulumi.Output[list[str]]
    zone_id: pulumi.Input[str]
    zone_arn: pulumi.Input[str]
    region: pulumi.Input[str]


@dataclass(frozen=True)
class AzureDnsZoneInfo:
    """An Azure DNS zone; cert-manager reaches it through AKS workload identity."""

    zone_name: pulumi.Input[str]
    #: None for an existing zone (its delegation is already in place).
    name_servers: pulumi.Output[list[str]] | None
    resource_group_name: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    #: Client id of the managed identity cert-manager's service account is federated with.
    identity_client_id: pulumi.Input[str]
    #: Name of that identity, which the cluster federates with cert-manager's service account.
    identity_name: pulumi.Input[str]
    #: Client id and name of external-dns' identity, federated likewise (None when records are off).
    records_identity_client_id: pulumi.Input[str] | None = None
    records_identity_name: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class CloudflareZoneInfo:
    """A Cloudflare zone; cert-manager authenticates with an API token (any cluster)."""

    zone_name: pulumi.Input[str]


DnsInfo: TypeAlias = CloudDnsZoneInfo | Route53ZoneInfo | AzureDnsZoneInfo | CloudflareZoneInfo
"""The public zone that answers DNS-01 challenges (and later Gitpod's records)."""


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


def exec_kubeconfig(context: str, cluster: Mapping[str, Any], exec_config: Mapping[str, Any]) -> dict[str, Any]:
    """A kubeconfig (as data) with one context whose user runs an exec credential plugin.

    Every managed cluster's `ClusterInfo.kubeconfig` has this shape (`aws eks get-token`,
    `gke-gcloud-auth-plugin`, `kubelogin`): it holds the API server and its CA, never a credential.
    Each cloud serialises it as its own CLI does.
    """
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": dict(cluster)}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
        "users": [{"name": context, "user": {"exec": dict(exec_config)}}],
    }
