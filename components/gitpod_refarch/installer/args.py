"""`InstallerConfig`'s args: plain shapes the schema analyzer can model, so the component is exported.

No `from __future__ import annotations` here: the Pulumi SDK's schema analyzer reads these
annotations at run time and cannot resolve string annotations. It models neither unions nor
dataclasses, so each of the installer's union contracts (`DatabaseInfo`, `StorageInfo`,
`RegistryInfo` in `contracts.py`) is a `kind` plus one optional object per kind here. Each object's
fields are the contract variant's own, under the same names, so `installer_spec` (the one adapter)
builds the contract from them and the contract keeps its defaults. The program builds the contracts
itself and skips this module (`InstallerConfig.of`).

Type names start with `Installer`: every exported type shares the package's one namespace.
"""

from collections.abc import Sequence
from enum import Enum
from typing import Any, TypedDict

import pulumi
from typing_extensions import Required  # typing.Required is 3.11+; typing-extensions comes with pulumi


class InstallerDatabaseKind(str, Enum):
    """Which MySQL Gitpod uses (the installer's `database` variants)."""

    INCLUSTER = "incluster"
    """The installer's own MySQL in the Gitpod namespace (`inCluster: true`)."""
    EXTERNAL = "external"
    """A MySQL reachable from the cluster (`database.external`): RDS, Azure Flexible Server, your own."""
    CLOUDSQL = "cloudsql"
    """Cloud SQL through the Cloud SQL Auth Proxy the installer deploys (`database.cloudSQL`)."""


class InstallerExternalDatabase(TypedDict, total=False):
    """A MySQL reached by host (`database.kind: external`)."""

    host: Required[pulumi.Input[str]]
    """Host name, no scheme."""
    port: int
    """Port (default 3306); a plain number (the provider host converts numbers only when they are known)."""
    username: Required[pulumi.Input[str]]
    """User Gitpod connects as."""
    password: Required[pulumi.Input[str]]
    """Its password; always stored as a secret."""
    ca_cert: pulumi.Input[str]
    """PEM CA for TLS to the database (`database.ssl.caCert`)."""


class InstallerCloudSql(TypedDict):
    """Cloud SQL through the proxy (`database.kind: cloudsql`)."""

    instance: pulumi.Input[str]
    """Connection name `<project>:<region>:<instance>`."""
    credentials_json: pulumi.Input[str]
    """Key of a service account holding `cloudsql.client`, which the proxy mounts; always stored as a secret."""
    username: pulumi.Input[str]
    """User Gitpod connects as."""
    password: pulumi.Input[str]
    """Its password; always stored as a secret."""


class InstallerDatabase(TypedDict, total=False):
    """Gitpod's MySQL: its `kind`, and the object of the same name."""

    kind: InstallerDatabaseKind
    """Which MySQL (default `incluster`); `external` needs `external`, `cloudsql` needs `cloudSql`."""
    external: InstallerExternalDatabase
    """With kind `external`."""
    cloud_sql: InstallerCloudSql
    """With kind `cloudsql`."""


class InstallerStorageKind(str, Enum):
    """Where workspace content is stored (the installer's `objectStorage` variants)."""

    INCLUSTER = "incluster"
    """The installer's own MinIO (region `local`)."""
    S3 = "s3"
    """Any S3-compatible bucket (`objectStorage.s3`)."""
    GCS = "gcs"
    """Google Cloud Storage, where Gitpod creates its own buckets (`objectStorage.cloudStorage`)."""
    AZURE = "azure"
    """An Azure storage account, through the installer's MinIO gateway (`objectStorage.azure`)."""


class InstallerS3Storage(TypedDict, total=False):
    """An S3-compatible bucket (`storage.kind: s3`)."""

    region: Required[pulumi.Input[str]]
    """The bucket's region (also the installer's `metadata.region` unless `region` is set)."""
    endpoint: Required[pulumi.Input[str]]
    """Host (and optional port) without scheme, e.g. `s3.eu-west-1.amazonaws.com`."""
    bucket: Required[pulumi.Input[str]]
    """The bucket."""
    access_key_id: Required[pulumi.Input[str]]
    """Access key id; always stored as a secret."""
    secret_access_key: Required[pulumi.Input[str]]
    """Secret access key; always stored as a secret."""
    allow_insecure_connection: bool
    """Plain HTTP to the endpoint (default false)."""


class InstallerGcsStorage(TypedDict):
    """Google Cloud Storage (`storage.kind: gcs`)."""

    region: pulumi.Input[str]
    """Region of the buckets Gitpod creates."""
    project: pulumi.Input[str]
    """Project the buckets are created in."""
    service_account_json: pulumi.Input[str]
    """Key of a service account that may manage them; always stored as a secret."""


class InstallerAzureStorage(TypedDict):
    """An Azure storage account (`storage.kind: azure`)."""

    region: pulumi.Input[str]
    """The account's location."""
    account_name: pulumi.Input[str]
    """The storage account."""
    account_key: pulumi.Input[str]
    """Its access key; always stored as a secret."""


class InstallerStorage(TypedDict, total=False):
    """Object storage: its `kind`, and the object of the same name."""

    kind: InstallerStorageKind
    """Which storage (default `incluster`); `s3`, `gcs` and `azure` each need the object of that name."""
    s3: InstallerS3Storage
    """With kind `s3`."""
    gcs: InstallerGcsStorage
    """With kind `gcs`."""
    azure: InstallerAzureStorage
    """With kind `azure`."""


class InstallerRegistryKind(str, Enum):
    """Where Gitpod pushes workspace images (the installer's `containerRegistry` variants)."""

    INCLUSTER = "incluster"
    """The installer's own registry, storing images in its MinIO."""
    EXTERNAL = "external"
    """Any Docker Registry HTTP API V2 registry (`containerRegistry.external`)."""
    S3 = "s3"
    """The installer's registry, storing its blobs in an S3 bucket (`containerRegistry.s3storage`)."""


class InstallerExternalRegistry(TypedDict):
    """A registry Gitpod pushes to (`registry.kind: external`)."""

    url: pulumi.Input[str]
    """The repository prefix Gitpod pushes under, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/gitpod`."""
    server: pulumi.Input[str]
    """The bare host its credentials are for (differs from `url` on Google registries)."""
    username: pulumi.Input[str]
    """User name."""
    password: pulumi.Input[str]
    """Password or token; always stored as a secret."""


class InstallerS3Registry(TypedDict):
    """The bucket of the installer's registry (`registry.kind: s3`)."""

    bucket: pulumi.Input[str]
    """The bucket."""
    region: pulumi.Input[str]
    """Its region."""
    endpoint: pulumi.Input[str]
    """Host without scheme, e.g. `s3.eu-west-1.amazonaws.com`."""
    access_key: pulumi.Input[str]
    """Access key id; always stored as a secret."""
    secret_key: pulumi.Input[str]
    """Secret access key; always stored as a secret."""


class InstallerRegistry(TypedDict, total=False):
    """The container registry: its `kind`, and the object of the same name."""

    kind: InstallerRegistryKind
    """Which registry (default `incluster`); `external` and `s3` each need the object of that name."""
    external: InstallerExternalRegistry
    """With kind `external`."""
    s3: InstallerS3Registry
    """With kind `s3`."""


class InstallerRegistryCredential(TypedDict):
    """Credentials for one registry (`imagePullSecrets`, `baseImageRegistries`)."""

    server: str
    """Registry host, e.g. `registry.example.com`."""
    username: pulumi.Input[str]
    """User name."""
    password: pulumi.Input[str]
    """Password or token; always stored as a secret."""


class InstallerAuthProvider(TypedDict, total=False):
    """An OAuth app users sign in with (`authProviders`)."""

    type: Required[str]
    """`GitHub`, `GitLab`, `Bitbucket` or `BitbucketServer`."""
    host: Required[str]
    """Host of the source-control system, e.g. `github.com`."""
    id: str
    """Gitpod's identifier for it (default: the host)."""
    client_id: Required[pulumi.Input[str]]
    """OAuth client id."""
    client_secret: Required[pulumi.Input[str]]
    """OAuth client secret; always stored as a secret."""


class InstallerHttpProxy(TypedDict, total=False):
    """The proxy Gitpod's components use for outbound HTTP(S) (`httpProxy`)."""

    http_proxy: Required[pulumi.Input[str]]
    """Proxy URL for HTTP; stored in a Secret."""
    https_proxy: Required[pulumi.Input[str]]
    """Proxy URL for HTTPS; stored in a Secret."""
    no_proxy: list[str]
    """Hosts and ranges reached directly; the domain and in-cluster names are added, and so should
    be the cluster's pod and Service ranges."""


class InstallerPvc(TypedDict, total=False):
    """A workspace PersistentVolumeClaim template."""

    size: str
    """Claim size (default `30Gi`)."""
    storage_class: str
    """Storage class (default: the cluster's default class)."""
    snapshot_class: str
    """VolumeSnapshot class (default: the cluster's default)."""


class InstallerWorkspace(TypedDict, total=False):
    """Workspace resources, timeouts and claims (`workspace`), with the installer's defaults."""

    requests: dict[str, str]
    """Resource requests of a workspace (default `cpu: 1`, `memory: 2Gi`)."""
    limits: dict[str, str]
    """Resource limits of a workspace (default none)."""
    max_lifetime: str
    """Longest a workspace may run (default `36h`)."""
    timeout_default: str
    """Inactivity timeout (default: Gitpod's)."""
    timeout_extended: str
    """Extended inactivity timeout (default: Gitpod's)."""
    timeout_after_close: str
    """Timeout after the IDE closes (default: Gitpod's)."""
    pvc: InstallerPvc
    """Claim of regular workspaces."""
    prebuild_pvc: InstallerPvc
    """Claim of prebuilds."""


class InstallerConfigArgs(TypedDict, total=False):
    """The installer config and its Secrets; each field names the `gitpod.config.yaml` setting it drives."""

    domain: Required[str]
    """Gitpod's domain (`domain`); the certificate must cover it, `*.` it and `*.ws.` it."""
    database: InstallerDatabase
    """Gitpod's MySQL (default: the installer's in-cluster MySQL)."""
    storage: InstallerStorage
    """Object storage (default: the installer's in-cluster MinIO)."""
    registry: InstallerRegistry
    """The container registry (default: the installer's in-cluster registry)."""
    certificate_secret_name: str
    """TLS Secret for `certificate` (default `https-certificates`, `CertManager`'s `secretName`)."""
    ca_secret_name: str
    """Secret with `ca.crt` of a private CA (`customCACert`): `CertManager`'s `caSecretName` when it is
    not empty (`gitpod-refarch-ca` with issuer `selfsigned`)."""
    namespace: str
    """Namespace Gitpod is installed into; created here (default `gitpod`)."""
    protect: bool
    """Protect the namespace and the generated keys from deletion (default true)."""
    encryption_keys: pulumi.Input[str]
    """Your own `encryptionKeys` JSON (e.g. when migrating a Gitpod database); by default a random
    32-byte key is generated once and kept in state. Always stored as a secret."""
    ssh_gateway: bool
    """Generate an SSH host key (kept in state, protected) and turn on Gitpod's SSH gateway (default false)."""
    containerd_runtime_dir: str
    """`workspace.runtime.containerdRuntimeDir` (default `/var/lib/containerd/io.containerd.runtime.v2.task/k8s.io`;
    K3s: `/run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io`)."""
    containerd_socket: str
    """`workspace.runtime.containerdSocket` (default `/run/containerd/containerd.sock`; K3s: `/run/k3s/containerd/containerd.sock`)."""
    repository: str
    """`repository`: where Gitpod's images are pulled from (default Gitpod's; set for mirrors)."""
    region: pulumi.Input[str]
    """`metadata.region` (default: the storage's region, `local` in-cluster)."""
    log_level: str
    """`observability.logLevel` (default `info`)."""
    fs_shift_method: str
    """`workspace.runtime.fsShiftMethod` (default `fuse`)."""
    image_pull_secrets: list[InstallerRegistryCredential]
    """Credentials for pulling Gitpod's images from a mirror (`imagePullSecrets`), one Secret each."""
    auth_providers: list[InstallerAuthProvider]
    """OAuth apps users sign in with (`authProviders`), one Secret each."""
    block_new_users: bool
    """`blockNewUsers.enabled`: only `passlist` domains may sign up (default false)."""
    passlist: list[str]
    """`blockNewUsers.passlist`: e-mail domains that may sign up."""
    open_vsx_url: str
    """`openVSX.url`: the extension registry (default `https://open-vsx.org`)."""
    workspace: InstallerWorkspace
    """Workspace resources, timeouts and claims."""
    http_proxy: InstallerHttpProxy
    """The proxy Gitpod's components use (`httpProxy`)."""
    license: pulumi.Input[str]
    """A Gitpod license key (`license`); always stored as a secret."""
    base_image_registries: list[InstallerRegistryCredential]
    """Credentials for private workspace base images; their hosts go to `privateBaseImageAllowList`."""
    drop_image_repo: bool
    """`dropImageRepo`: for mirrors that flatten image paths."""
    proxy_service_type: str
    """`components.proxy.service.serviceType` (default: the installer's `LoadBalancer`)."""
    proxy_service_annotations: dict[str, str]
    """Annotations on Gitpod's `proxy` Service (`experimental.webapp.proxy.serviceAnnotations`)."""
    customization: list[dict[str, Any]]
    """`customization`: annotations, labels and env of the rendered components."""
    config_patch: dict[str, Any]
    """Deep-merged over the generated config last; blocks the component manages are refused."""


#: Fields that hold a credential, in any object: wrapped as secrets however they arrive.
SECRET_FIELDS: Sequence[str] = (
    "password",
    "credentials_json",
    "access_key_id",
    "secret_access_key",
    "service_account_json",
    "account_key",
    "access_key",
    "secret_key",
    "client_secret",
)
