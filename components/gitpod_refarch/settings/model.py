"""The typed, frozen settings every other module works from.

Only `settings.load` builds these; components never read stack config, so another program can
construct the same dataclasses (or pass plain args to the components) without a Pulumi stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from ..certmanager import CHART, NAMESPACE, SECRET_NAME
from ..installer import DEFAULT_OPEN_VSX_URL, DEFAULT_REPOSITORY, WorkspaceOptions
from .reader import Problem
from .secret import SecretValue

#: Allowed values of the enumerated settings every target shares (the loader checks them; fields
#: stay plain `str`). What depends on the target (`gitpod:cloud`, the modes of database, storage,
#: registry and DNS-01) is declared by each target (`clouds.CloudOffer`).
ISSUERS: tuple[str, ...] = ("letsencrypt", "letsencrypt-staging", "selfsigned", "existing")
DISTRIBUTIONS: tuple[str, ...] = ("generic", "k3s")

T = TypeVar("T")
#: The type of the selected target's own section (`AwsSettings`, ...; None on an existing cluster).
C = TypeVar("C")


def required(value: T | None, key: str) -> T:
    """A value `load_settings` guarantees for these settings: a default it fills in from the target's
    declaration (`clouds.CloudOffer`), or a section the selected mode requires. None only in
    `Settings` built by hand, which this reports by key instead of failing later."""
    if value is None:
        raise ValueError(f"{key} has no value: build Settings with load_settings(), which fills in defaults and checks required sections")
    return value


@dataclass(frozen=True)
class NodePoolSettings:
    """Size of one managed node pool (services, regular or headless workspaces)."""

    machine_type: str
    min_nodes: int
    max_nodes: int
    disk_size_gb: int


#: Week days a maintenance window may open on (`gitpod:cluster.maintenance.day`).
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class MaintenanceExclusion:
    """A period in which the cloud must not upgrade anything (dates in UTC, both inclusive)."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class MaintenanceSettings:
    """When a managed cloud may upgrade and drain nodes on its own (GKE and AKS auto-upgrades).

    One weekly window, so workspace nodes are drained when nobody works rather than whenever the
    cloud likes. The default, 12 hours from Sunday 00:00 UTC, gives GKE the 48 hours of
    availability in any 32 days that it requires (four weekly windows of 12 hours) and fits AKS's
    4-24 hour windows. Each cloud turns it into its own resources.
    """

    day: str = "Sunday"
    start_time: str = "00:00"
    duration_hours: int = 12
    exclusions: tuple[MaintenanceExclusion, ...] = ()


@dataclass(frozen=True)
class ClusterSettings:
    """The Kubernetes cluster: an existing one reached by kubeconfig, or a managed one to create.

    For a managed cluster the loader fills in the target's defaults (`clouds.ManagedCluster`):
    the three pools, and the Kubernetes version unless the cloud picks it.
    """

    name: str = "gitpod"
    kubernetes_version: str | None = None
    # existing clusters
    #: A path (plain config), or a path or the contents (secret config); never in clear in the plan.
    kubeconfig: str | SecretValue | None = None
    context: str | None = None
    distribution: str = "generic"
    label_nodes: tuple[str, ...] = ()
    kernel_version: str | None = None
    containerd_version: str | None = None
    container_runtime: str = "containerd"
    node_os: str | None = None
    cni: str | None = None
    # managed clusters
    mode: str = "standard"
    datapath: str = "legacy"
    services_pool: NodePoolSettings | None = None
    regular_pool: NodePoolSettings | None = None
    headless_pool: NodePoolSettings | None = None
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)

    @property
    def node_pools(self) -> dict[str, NodePoolSettings]:
        """A managed cluster's pools by their `gitpod:cluster.nodePools` key, services first."""
        pools = {"services": self.services_pool, "regularWorkspaces": self.regular_pool, "headlessWorkspaces": self.headless_pool}
        return {key: required(pool, f"gitpod:cluster.nodePools.{key}") for key, pool in pools.items()}


@dataclass(frozen=True)
class ExternalDatabaseSettings:
    host: str
    port: int
    username: str
    password: SecretValue
    ca_cert: str | None = None
    #: The `encryptionKeys` material (base64 of 32 bytes) of an installation moved under this program.
    encryption_key: SecretValue | None = None


@dataclass(frozen=True)
class DatabaseSettings:
    mode: str = "incluster"
    version: str = "5.7"
    high_availability: bool = False
    deletion_protection: bool = True
    backup_retention_days: int = 7
    #: The managed database's size; the loader fills in the target's default (None on an existing cluster).
    instance_size: str | None = None
    external: ExternalDatabaseSettings | None = None
    #: PEM CA bundle of a managed database's server certificates (RDS, Flexible Server), given as
    #: installer `database.ssl.caCert` so every Gitpod client connects with TLS.
    ca_cert: str | None = None
    #: Make the managed server refuse connections without TLS; None: whenever a CA is given.
    require_tls: bool | None = None

    @property
    def tls_required(self) -> bool:
        """Whether the managed server must refuse plain connections (`require_secure_transport`)."""
        return self.require_tls if self.require_tls is not None else self.ca_cert is not None


@dataclass(frozen=True)
class ExternalStorageSettings:
    endpoint: str
    bucket: str
    region: str
    access_key_id: SecretValue
    secret_access_key: SecretValue
    allow_insecure_connection: bool = False


#: `gitpod:storage.external.provider` values: the installer's three object-storage variants.
STORAGE_PROVIDERS: tuple[str, ...] = ("s3", "gcs", "azure")


@dataclass(frozen=True)
class GcsStorageSettings:
    """Your own GCS buckets (installer `objectStorage.cloudStorage`): Gitpod creates one per user."""

    project: str
    region: str
    service_account_key: SecretValue


@dataclass(frozen=True)
class AzureStorageSettings:
    """Your own Azure storage account (installer `objectStorage.azure`)."""

    region: str
    account_name: str
    account_key: SecretValue


@dataclass(frozen=True)
class StorageSettings:
    mode: str = "incluster"
    #: `s3`, `gcs` or `azure` for mode `external`; exactly the matching field below is set.
    provider: str = "s3"
    external: ExternalStorageSettings | None = None
    gcs: GcsStorageSettings | None = None
    azure: AzureStorageSettings | None = None


@dataclass(frozen=True)
class ExternalRegistrySettings:
    url: str
    server: str
    username: str
    password: SecretValue
    #: `generic`, `artifactory`, `nexus` or `google` (detected from the URL unless set).
    product: str = "generic"


@dataclass(frozen=True)
class RegistrySettings:
    kind: str = "incluster"
    external: ExternalRegistrySettings | None = None
    reuse_storage_bucket: bool = False
    s3: ExternalStorageSettings | None = None


@dataclass(frozen=True)
class DnsZoneSettings:
    """The public DNS zone that DNS-01 challenges are answered in, and Gitpod's records live in."""

    create: bool = True
    name: str | None = None
    existing_id: str | None = None
    #: Publish `<domain>`, `*.<domain>` and `*.ws.<domain>` for the `proxy` Service (external-dns);
    #: defaults to true exactly when the stack answers DNS-01 in a zone (`CertificateSettings.acme_dns01`).
    records: bool = False


def has_private_ca(issuer: str, existing_ca_cert: str | None) -> bool:
    """A self-signed chain, or an existing certificate given with its (private) CA."""
    return issuer == "selfsigned" or (issuer == "existing" and bool(existing_ca_cert))


@dataclass(frozen=True)
class IssuerRef:
    """A cert-manager issuer the program does not create (KOTS's `cert_manager_issuer`)."""

    name: str
    kind: str = "ClusterIssuer"


@dataclass(frozen=True)
class CertificateSettings:
    issuer: str = "selfsigned"
    dns01: str | None = None
    email: str | None = None
    secret_name: str = SECRET_NAME
    cloudflare_api_token: SecretValue | None = None
    existing_tls_cert: str | None = None
    existing_tls_key: SecretValue | None = None
    existing_ca_cert: str | None = None
    zone: DnsZoneSettings = field(default_factory=DnsZoneSettings)
    #: Install the private CA on the workspace nodes (`nodetrust.NodeCaTrust`); default: whenever the
    #: CA is private (self-signed, or an existing certificate with its CA) and the target is not GKE.
    trust_on_nodes: bool = False

    @property
    def private_ca(self) -> bool:
        """Whether the certificate is signed by a CA that nodes and browsers do not trust already."""
        return has_private_ca(self.issuer, self.existing_ca_cert)

    #: An Issuer or ClusterIssuer the user already runs (`certificate.issuerRef`); `issuer` is then `ISSUER_REF`.
    issuer_ref: IssuerRef | None = None

    @property
    def acme_dns01(self) -> str | None:
        """The DNS-01 provider a Let's Encrypt issuer answers challenges through; None for other issuers."""
        return self.dns01 if self.issuer.startswith("letsencrypt") else None


@dataclass(frozen=True)
class CertManagerSettings:
    version: str = "v1.21.1"
    chart: str = CHART
    namespace: str = NAMESPACE
    #: Mirror prefix for the quay.io/jetstack images (air-gapped installs).
    image_repository: str | None = None


@dataclass(frozen=True)
class PullSecretSettings:
    """Credentials for a registry mirror Gitpod's own images are pulled from."""

    server: str
    username: str
    password: SecretValue


@dataclass(frozen=True)
class AuthProviderSettings:
    """An OAuth app for one source-control host (installer `authProviders`)."""

    id: str
    type: str
    host: str
    client_id: str
    client_secret: SecretValue


@dataclass(frozen=True)
class BlockNewUsersSettings:
    """`blockNewUsers`: only e-mail domains on the passlist may sign up."""

    enabled: bool = False
    passlist: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpProxySettings:
    """`httpProxy`: the Secret every proxy-aware Gitpod component reads its proxy variables from."""

    http_proxy: SecretValue
    https_proxy: SecretValue
    #: What the user listed; the program adds the cluster's own names (`installer.values.no_proxy`).
    no_proxy: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProxyServiceSettings:
    """The `proxy` Service Gitpod's traffic enters by (`components.proxy.service`)."""

    type: str = "LoadBalancer"
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InstallerSettings:
    """Options that shape the installer's config beyond the five dependencies."""

    repository: str = DEFAULT_REPOSITORY
    region: str | None = None
    log_level: str = "info"
    fs_shift_method: str = "fuse"
    containerd_runtime_dir: str | None = None
    containerd_socket: str | None = None
    image_pull_secrets: tuple[PullSecretSettings, ...] = ()
    #: Run the installer in the cluster (`GitpodInstallation`); false leaves it to the operator.
    deploy: bool = True
    #: None when `installer.blockNewUsers` is unset (the plan then warns that anyone may sign up).
    block_new_users: BlockNewUsersSettings | None = None
    open_vsx_url: str = DEFAULT_OPEN_VSX_URL
    workspace: WorkspaceOptions = field(default_factory=WorkspaceOptions)
    ssh_gateway: bool = False
    http_proxy: HttpProxySettings | None = None
    license: SecretValue | None = None
    #: Credentials for private workspace base images, merged into the registry's pull secret.
    base_image_registries: tuple[PullSecretSettings, ...] = ()
    drop_image_repo: bool | None = None
    proxy_service: ProxyServiceSettings = field(default_factory=ProxyServiceSettings)
    #: An object deep-merged over the generated config (checked by the loader).
    config_patch: Mapping[str, Any] | None = None
    #: The installer's `customization` list (checked by the loader).
    customization: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Finding(Problem):
    """A compatibility verdict about a setting, shown as a warning (or an error when strict)."""

    level: Literal["warning", "error"] = "warning"


@dataclass(frozen=True)
class Settings(Generic[C]):
    """Everything one stack asked for, validated; the single input to `architecture.build`.

    Generic in the selected target's own section, so each target's rules and builders read
    `cloud_settings` typed (`Settings[AwsSettings]`) without a downcast.
    """

    project: str
    stack: str
    cloud: str
    domain: str
    #: The selected target's `gitpod:<cloud>` section (`GcpSettings`, `AwsSettings`, `AzureSettings`), None for `existing`.
    cloud_settings: C
    compatibility: str = "warn"
    namespace: str = "gitpod"
    protect: bool = True
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    registry: RegistrySettings = field(default_factory=RegistrySettings)
    certificate: CertificateSettings = field(default_factory=CertificateSettings)
    cert_manager: CertManagerSettings = field(default_factory=CertManagerSettings)
    installer: InstallerSettings = field(default_factory=InstallerSettings)
    auth_providers: tuple[AuthProviderSettings, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: Every key path the stack sets (`gitpod:database.highAvailability`), defaults excluded, so
    #: rules can say when a set key has no effect where it is.
    given: frozenset[str] = frozenset()
    #: The stack's config keys outside `gitpod:` and the engine's `pulumi:` (e.g. `aws:region`).
    other_config_keys: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    @property
    def dns_zone_name(self) -> str:
        """The zone DNS-01 challenges are answered in: `certificate.zone.name`, else the domain itself."""
        return self.certificate.zone.name or self.domain
