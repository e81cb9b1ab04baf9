"""Pick one implementation per concern from settings, build them, and wire the results.

The tables below are the only place that knows which implementation serves which
(cloud, mode): adding a cloud adds rows here and modules of its own, never branches elsewhere.
Every lookup is checked before the first resource is declared, so an unavailable combination
fails like any other invalid setting.

Build order follows real dependencies only: the platform (cloud providers, network) first; then
the cluster, database, storage, registry and DNS zone, none of which waits for another unless
its implementation truly needs it; then cert-manager and the installer's namespace and Secrets,
which need the cluster.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi

from . import byo, incluster
from .certmanager.component import CertManager, CertManagerArgs, certificate_info
from .contracts import (
    AuthProvider,
    AzureDnsZoneInfo,
    CloudDnsZoneInfo,
    CloudflareZoneInfo,
    ClusterInfo,
    ContainerdPaths,
    DatabaseInfo,
    DnsInfo,
    RegistryCredential,
    RegistryInfo,
    Route53ZoneInfo,
    StorageInfo,
)
from .existing.cluster import ExistingCluster, ExistingClusterArgs
from .installer.component import InstallerConfig
from .installer.values import InstallerInputs, callback_url
from .settings import Problem, Settings, SettingsError

ANY = "*"


@dataclass(frozen=True)
class Platform:
    """Cloud-wide pieces every concern may use: explicit providers and the network."""

    providers: tuple[pulumi.ProviderResource, ...] = ()
    network: Any = None

    def opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(providers=list(self.providers), **kwargs)


@dataclass(frozen=True)
class Context:
    """What an implementation gets: settings, the resource-name prefix and the platform."""

    settings: Settings
    name: str
    platform: Platform


PlatformFactory = Callable[[Settings, str], Platform]
ClusterFactory = Callable[[Context], ClusterInfo]
Factory = Callable[[Context], Any]


def _existing_cluster(ctx: Context) -> ClusterInfo:
    c = ctx.settings.cluster
    args: ExistingClusterArgs = {"distribution": c.distribution, "label_nodes": c.label_nodes}
    if c.kubeconfig:
        args["kubeconfig"] = c.kubeconfig
    if c.context:
        args["context"] = c.context
    return ExistingCluster(ctx.name, args).info


def _cloudflare_zone(ctx: Context) -> DnsInfo:
    zone = ctx.settings.certificate.zone.name or ctx.settings.domain
    return CloudflareZoneInfo(zone_name=zone)


@dataclass(frozen=True)
class CloudImplementations:
    """What one cloud package offers; each cloud's `__init__.py` defines `IMPLEMENTATIONS`.

    Keys of the concern tables are the setting values they serve: `database.mode`,
    `storage.mode`, `registry.kind` and `certificate.dns01`.
    """

    platform: PlatformFactory
    cluster: ClusterFactory
    databases: Mapping[str, Factory] = field(default_factory=dict)
    storages: Mapping[str, Factory] = field(default_factory=dict)
    registries: Mapping[str, Factory] = field(default_factory=dict)
    dns_zones: Mapping[str, Factory] = field(default_factory=dict)


#: Cloud packages, imported only when their cloud is selected (each SDK is large to import).
CLOUD_PACKAGES: dict[str, str] = {
    "gcp": "gitpod_refarch.gcp",
    "aws": "gitpod_refarch.aws",
    "azure": "gitpod_refarch.azure",
}

PLATFORMS: dict[str, PlatformFactory] = {
    "existing": lambda settings, name: Platform(),
}
CLUSTERS: dict[str, ClusterFactory] = {
    "existing": _existing_cluster,
}
DATABASES: dict[tuple[str, str], Factory] = {
    (ANY, "incluster"): lambda ctx: incluster.database(),
    (ANY, "external"): lambda ctx: byo.database(ctx.settings),
}
STORAGES: dict[tuple[str, str], Factory] = {
    (ANY, "incluster"): lambda ctx: incluster.storage(),
    (ANY, "external"): lambda ctx: byo.storage(ctx.settings),
}
REGISTRIES: dict[tuple[str, str], Factory] = {
    (ANY, "incluster"): lambda ctx: incluster.registry(),
    (ANY, "external"): lambda ctx: byo.registry(ctx.settings),
    ("existing", "s3"): lambda ctx: byo.s3_registry(ctx.settings),
}
#: DNS-01 providers -> the zone their challenges are answered in (Let's Encrypt issuers only).
DNS_ZONES: dict[tuple[str, str], Factory] = {
    (ANY, "cloudflare"): _cloudflare_zone,
}


def load_cloud(cloud: str) -> None:
    """Merge a cloud package's implementations into the tables (once; a no-op if absent)."""
    if cloud in CLUSTERS or cloud not in CLOUD_PACKAGES:
        return
    try:
        module = importlib.import_module(CLOUD_PACKAGES[cloud])
    except ModuleNotFoundError as error:
        if error.name != CLOUD_PACKAGES[cloud]:
            raise
        return
    impl: CloudImplementations = module.IMPLEMENTATIONS
    PLATFORMS[cloud] = impl.platform
    CLUSTERS[cloud] = impl.cluster
    for table, rows in ((DATABASES, impl.databases), (STORAGES, impl.storages), (REGISTRIES, impl.registries), (DNS_ZONES, impl.dns_zones)):
        for mode, factory in rows.items():
            table[(cloud, mode)] = factory


T = TypeVar("T")


def _lookup(table: Mapping[tuple[str, str], T], cloud: str, mode: str) -> T | None:
    return table.get((cloud, mode)) or table.get((ANY, mode))


def check_available(settings: Settings) -> None:
    """Fail like a validation error when no implementation serves a requested combination."""
    problems: list[Problem] = []
    cloud = settings.cloud
    load_cloud(cloud)
    if cloud not in PLATFORMS or cloud not in CLUSTERS:
        problems.append(
            Problem(
                "gitpod:cloud",
                f"{cloud!r} is a known target, but this version has no implementation for it yet (available: {', '.join(CLUSTERS)}).",
            )
        )
    for key, table, mode in (
        ("gitpod:database.mode", DATABASES, settings.database.mode),
        ("gitpod:storage.mode", STORAGES, settings.storage.mode),
        ("gitpod:registry.kind", REGISTRIES, settings.registry.kind),
    ):
        if _lookup(table, cloud, mode) is None:
            available = sorted({m for (c, m) in table if c in (cloud, ANY)})
            problems.append(
                Problem(key, f"{mode!r} is not available with gitpod:cloud {cloud!r} in this version (available: {', '.join(available)}).")
            )
    dns01 = settings.certificate.dns01
    if settings.certificate.issuer.startswith("letsencrypt") and dns01 and _lookup(DNS_ZONES, cloud, dns01) is None:
        problems.append(Problem("gitpod:certificate.dns01", f"{dns01!r} is not available with gitpod:cloud {cloud!r} in this version."))
    if problems:
        raise SettingsError(problems)


@dataclass(frozen=True)
class Architecture:
    """Everything built for one stack; `outputs` become the stack outputs."""

    cluster: ClusterInfo
    database: DatabaseInfo
    storage: StorageInfo
    registry: RegistryInfo
    dns: DnsInfo | None
    cert_manager: CertManager
    installer: InstallerConfig
    outputs: dict[str, Any] = field(default_factory=dict)


def build(settings: Settings, name: str = "gitpod") -> Architecture:
    """Declare every resource the stack needs and return what was built."""
    check_available(settings)
    cloud = settings.cloud
    platform = PLATFORMS[cloud](settings, name)
    ctx = Context(settings, name, platform)

    cluster = CLUSTERS[cloud](ctx)
    database: DatabaseInfo = _lookup(DATABASES, cloud, settings.database.mode)(ctx)  # type: ignore[misc]
    storage: StorageInfo = _lookup(STORAGES, cloud, settings.storage.mode)(ctx)  # type: ignore[misc]
    registry: RegistryInfo = _lookup(REGISTRIES, cloud, settings.registry.kind)(ctx)  # type: ignore[misc]
    cert = settings.certificate
    dns: DnsInfo | None = None
    if cert.issuer.startswith("letsencrypt") and cert.dns01:
        dns = _lookup(DNS_ZONES, cloud, cert.dns01)(ctx)  # type: ignore[misc]

    k8s_opts = pulumi.ResourceOptions(providers=[cluster.provider])
    inst = settings.installer
    installer = InstallerConfig(
        f"{name}-installer",
        {
            "inputs": InstallerInputs(
                domain=settings.domain,
                database=database,
                storage=storage,
                registry=registry,
                certificate=certificate_info(cert.issuer, cert.secret_name, custom_ca=bool(cert.existing_ca_cert)),
                containerd=_containerd(settings, cluster),
                repository=inst.repository,
                region=inst.region,
                log_level=inst.log_level,
                fs_shift_method=inst.fs_shift_method,
                image_pull_secrets=[RegistryCredential(p.server, p.username, p.password.output()) for p in inst.image_pull_secrets],
                auth_providers=[AuthProvider(p.id, p.type, p.host, p.client_id, p.client_secret.output()) for p in settings.auth_providers],
            ),
            "namespace": settings.namespace,
            "protect": settings.protect,
        },
        opts=k8s_opts,
    )
    # The Certificate (and self-signed issuers) live in the Gitpod namespace: take its name from
    # the Namespace resource so they are created after it.
    cert_manager = CertManager(f"{name}-cert-manager", _cert_manager_args(settings, cluster, dns, installer.namespace), opts=k8s_opts)
    outputs: dict[str, Any] = {
        "installerConfig": installer.config_yaml,
        "namespace": installer.namespace,
        "certificateSecret": cert_manager.secret_name,
        "issuer": cert_manager.issuer_name,
        "warnings": [str(f) for f in settings.warnings],
    }
    if settings.auth_providers:
        outputs["oauthCallbackUrls"] = {p.id: callback_url(settings.domain, p.host) for p in settings.auth_providers}
    outputs.update(cluster.outputs)
    if cluster.kubeconfig is not None:
        outputs["kubeconfig"] = pulumi.Output.secret(cluster.kubeconfig)
    match dns:
        case CloudDnsZoneInfo() | Route53ZoneInfo() | AzureDnsZoneInfo() if dns.name_servers is not None:
            outputs["nameServers"] = dns.name_servers
    return Architecture(cluster, database, storage, registry, dns, cert_manager, installer, outputs)


def _cert_manager_args(settings: Settings, cluster: ClusterInfo, dns: DnsInfo | None, namespace: pulumi.Input[str]) -> CertManagerArgs:
    cert = settings.certificate
    args: CertManagerArgs = {
        "domain": settings.domain,
        "issuer": cert.issuer,
        "certificate_namespace": namespace,
        "secret_name": cert.secret_name,
        "version": settings.cert_manager.version,
        "chart": settings.cert_manager.chart,
        "namespace": settings.cert_manager.namespace,
        "identity": cluster.cert_manager_identity,
    }
    if settings.cert_manager.image_repository:
        args["image_repository"] = settings.cert_manager.image_repository
    if cert.email:
        args["email"] = cert.email
    if dns is not None:
        args["dns01"] = dns
    if cert.cloudflare_api_token is not None:
        args["cloudflare_api_token"] = cert.cloudflare_api_token.output()
    if cert.existing_tls_cert and cert.existing_tls_key is not None:
        args["existing_tls_cert"] = cert.existing_tls_cert
        args["existing_tls_key"] = cert.existing_tls_key.output()
    if cert.existing_ca_cert:
        args["existing_ca_cert"] = cert.existing_ca_cert
    return args


def _containerd(settings: Settings, cluster: ClusterInfo) -> ContainerdPaths:
    inst = settings.installer
    return ContainerdPaths(
        runtime_dir=inst.containerd_runtime_dir or cluster.containerd.runtime_dir,
        socket=inst.containerd_socket or cluster.containerd.socket,
    )
