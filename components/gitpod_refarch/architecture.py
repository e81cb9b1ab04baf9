"""Build one stack: the selected target's own implementations, the generic ones for the rest.

Which target builds which mode is declared once, in each target's `OFFER` (`clouds.py`); the
settings were validated against the same declarations, so every lookup here succeeds. A target's
builders (`CloudBuilders`) are typed on its own platform record and settings section, and the
results are passed on explicitly, in the order of the real dependencies:

    platform -> DNS zone -> cluster(zone) -> database, storage -> registry(storage)
             -> installer namespace and Secrets, cert-manager (they need the cluster)

The zone comes before the cluster because a cluster may scope an identity to it (EKS gives
cert-manager's IRSA role the zone's ARN); the registry after the storage because it may reuse its
bucket. The database, storage, registry and zone never wait for the cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pulumi

from . import byo, clouds
from .certmanager.args import CertManagerArgs, dns01_args, identity_args
from .certmanager.component import CertManager, certificate_info
from .compatibility import POOL_LABELS
from .contracts import (
    AuthProvider,
    AzureDnsZoneInfo,
    AzureStorage,
    CloudDnsZoneInfo,
    CloudflareZoneInfo,
    CloudSqlConnection,
    ClusterInfo,
    ContainerdPaths,
    DatabaseInfo,
    DnsInfo,
    ExternalDatabase,
    InClusterDatabase,
    InClusterRegistry,
    InClusterStorage,
    RegistryCredential,
    RegistryInfo,
    Route53ZoneInfo,
    S3Registry,
    S3Storage,
    StorageInfo,
)
from .externaldns.args import ExternalDnsArgs, zone_args
from .externaldns.component import ExternalDns
from .installer.component import InstallerConfig, InstallerConfigSpec
from .installer.deploy import GitpodInstallation, GitpodInstallationArgs
from .installer.secrets import BASE_IMAGE_REGISTRIES_SECRET, encryption_keys_json
from .installer.values import (
    HttpProxy,
    InstallerInputs,
    app_url,
    callback_url,
    pull_secret_name,
    registry_address,
)
from .nodesysctl import WorkspaceNodeSysctls, helper_image
from .nodetrust import NodeCaTrust
from .settings import Settings
from .settings.model import ProxyServiceSettings
from .settings.rules import INSTALLER_RENDERED_REGISTRY_AUTH

C = TypeVar("C")
P = TypeVar("P")


@dataclass(frozen=True)
class Context(Generic[C, P]):
    """What a target's builder gets: the settings (with its section `C`), the name prefix and its platform `P`."""

    settings: Settings[C]
    name: str
    platform: P
    #: The component everything is built under (`GitpodReferenceArchitecture`), or None for the
    #: program's own layout, where every top-level resource sits at the stack root: None keeps the
    #: URNs of existing stacks.
    parent: pulumi.Resource | None = None

    def opts(self, base: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        """`base` (a builder's own options, e.g. its platform's provider) under `parent`."""
        return parented(self.parent, base)


def parented(parent: pulumi.Resource | None, base: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
    """Options that put a top-level resource under `parent` (unchanged when `parent` is None)."""
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=parent), base)


@dataclass(frozen=True)
class CloudBuilders(Generic[C, P]):
    """How one target builds what its `OFFER` declares (`clouds.CloudOffer.builders`).

    `platform` runs first (under the given parent, see `Context.parent`) and returns the target's
    typed platform record `P` (providers, network, shared identities), which every other builder
    receives in its `Context`. A concern's builder is set exactly when the offer lists values for it; a builder serving several values (GCP's
    `artifact-registry` and `gcr`) reads which one from the settings.
    """

    platform: Callable[[Settings[C], str, pulumi.Resource | None], P]
    cluster: Callable[[Context[C, P], DnsInfo | None], ClusterInfo]
    dns: Callable[[Context[C, P]], DnsInfo] | None = None
    database: Callable[[Context[C, P]], DatabaseInfo] | None = None
    storage: Callable[[Context[C, P]], StorageInfo] | None = None
    registry: Callable[[Context[C, P], StorageInfo], RegistryInfo] | None = None


def _cloudflare_zone(settings: Settings[Any]) -> DnsInfo:
    return CloudflareZoneInfo(zone_name=settings.dns_zone_name)


@dataclass(frozen=True)
class GenericBuilders:
    """The implementations of `clouds.GENERIC`: nothing cloud-specific, usable on every target."""

    databases: Mapping[str, Callable[[Settings[Any]], DatabaseInfo]]
    storages: Mapping[str, Callable[[Settings[Any]], StorageInfo]]
    registries: Mapping[str, Callable[[Settings[Any], StorageInfo], RegistryInfo]]
    dns01: Mapping[str, Callable[[Settings[Any]], DnsInfo]]


GENERIC = GenericBuilders(
    databases={"incluster": lambda s: InClusterDatabase(), "external": byo.database},
    storages={"incluster": lambda s: InClusterStorage(), "external": byo.storage},
    registries={
        "incluster": lambda s, storage: InClusterRegistry(),
        "external": lambda s, storage: byo.registry(s),
        "s3": byo.s3_registry,
    },
    dns01={"cloudflare": _cloudflare_zone},
)


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
    #: The installer Job and its RBAC; None with `gitpod:installer.deploy: false`.
    installation: GitpodInstallation | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    #: external-dns publishing Gitpod's names (None with `certificate.zone.records` false).
    records: ExternalDns | None = None


def build(settings: Settings[Any], name: str = "gitpod", parent: pulumi.Resource | None = None) -> Architecture:
    """Declare every resource the stack needs and return what was built.

    The program builds at the stack root (`parent=None`); `GitpodReferenceArchitecture` passes
    itself, so the component and the program are one implementation.
    """
    offer = clouds.offer(settings.cloud)
    return _build(offer, offer.builders(), settings, name, parent)


def _build(
    offer: clouds.CloudOffer[C], builders: CloudBuilders[C, P], settings: Settings[C], name: str, parent: pulumi.Resource | None
) -> Architecture:
    ctx = Context(settings, name, builders.platform(settings, name, parent), parent)
    cert = settings.certificate

    dns: DnsInfo | None = None
    if cert.issuer.startswith("letsencrypt") and cert.dns01:
        dns = builders.dns(ctx) if builders.dns and cert.dns01 in offer.dns01 else GENERIC.dns01[cert.dns01](settings)
    cluster = builders.cluster(ctx, dns)

    mode = settings.database.mode
    database = builders.database(ctx) if builders.database and mode in offer.databases else GENERIC.databases[mode](settings)
    mode = settings.storage.mode
    storage = builders.storage(ctx) if builders.storage and mode in offer.storages else GENERIC.storages[mode](settings)
    kind = settings.registry.kind
    registry = (
        builders.registry(ctx, storage) if builders.registry and kind in offer.registries else GENERIC.registries[kind](settings, storage)
    )

    k8s_opts = ctx.opts(pulumi.ResourceOptions(providers=[cluster.provider]))
    inst = settings.installer
    pull_credentials = [RegistryCredential(p.server, p.username, p.password.output()) for p in inst.image_pull_secrets]
    installer = InstallerConfig.of(
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
                image_pull_secrets=pull_credentials,
                auth_providers=[AuthProvider(p.id, p.type, p.host, p.client_id, p.client_secret.output()) for p in settings.auth_providers],
                **_installer_options(settings),
            ),
            "namespace": settings.namespace,
            "protect": settings.protect,
            "namespace_depends_on": cluster.volumes_ready,
            **_installer_config_args(settings),
        },
        opts=k8s_opts,
    )
    if cluster.workspace_node_sysctls:
        # Kernel settings the nodes could not boot with (GKE): applied next to ws-daemon, from the
        # image source and with the pull secrets Gitpod's own pods use.
        WorkspaceNodeSysctls(
            f"{name}-workspace-sysctls",
            {
                "namespace": installer.namespace,
                "sysctls": cluster.workspace_node_sysctls,
                "image": helper_image(inst.repository),
                "pull_secrets": [pull_secret_name(c) for c in pull_credentials],
            },
            opts=k8s_opts,
        )
    # The Certificate (and self-signed issuers) live in the Gitpod namespace: take its name from
    # the Namespace resource so they are created after it.
    cert_manager = CertManager(f"{name}-cert-manager", _cert_manager_args(settings, cluster, dns, installer.namespace), opts=k8s_opts)
    installation = None
    if inst.deploy:
        installation_args: GitpodInstallationArgs = {
            "namespace": installer.namespace,
            "config_yaml": installer.config_yaml,
            "certificate_secret": cert.secret_name,
            "repository": inst.repository,
            "pull_secrets": [pull_secret_name(c) for c in pull_credentials],
            "labels_may_be_absent": _labels_of_empty_pools(settings),
            # What `validate cluster` and the release need, and nothing stateful beyond it.
            "after": [*installer.secrets, cert_manager.certificate, *cluster.volumes_ready],
        }
        if inst.base_image_registries and settings.registry.kind in INSTALLER_RENDERED_REGISTRY_AUTH:
            # The installer renders this registry's pull secret: the Job merges the credentials into it.
            installation_args["registry_credentials"] = installer.secret_named[BASE_IMAGE_REGISTRIES_SECRET]
        installation = GitpodInstallation(f"{name}-installation", installation_args, opts=k8s_opts)
    records: ExternalDns | None = None
    if cert.zone.records and dns is not None:
        # Gitpod's names follow the installer's `proxy` Service into the zone DNS-01 answers in.
        records_args: ExternalDnsArgs = {
            "zone": zone_args(dns),
            "source_namespace": installer.namespace,
            "owner_id": owner_id(),
            "identity": identity_args(cluster.external_dns_identity),
        }
        if cert.cloudflare_api_token is not None:
            records_args["cloudflare_api_token"] = cert.cloudflare_api_token.output()
        records = ExternalDns(f"{name}-external-dns", records_args, opts=k8s_opts)
    if cert.trust_on_nodes and cert_manager.info.ca_secret_name and cert_manager.ca_resource is not None:
        # The CA Secret is cert-manager's (self-signed chain) or the component's (existing CA): wait
        # for what fills it, not for the rest of cert-manager.
        NodeCaTrust(
            f"{name}-node-ca-trust",
            {
                "namespace": installer.namespace,
                "domain": settings.domain,
                "ca_secret_name": cert_manager.info.ca_secret_name,
                "image": helper_image(inst.repository),
                "pull_secrets": [pull_secret_name(c) for c in pull_credentials],
            },
            opts=ctx.opts(pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[cert_manager.ca_resource])),
        )
    outputs: dict[str, Any] = {
        "installerConfig": installer.config_yaml,
        "namespace": installer.namespace,
        "certificateSecret": cert_manager.secret_name,
        "issuer": cert_manager.issuer_name,
        "warnings": [str(f) for f in settings.warnings],
    }
    if installation is not None:
        outputs["installerJob"] = installation.job_name
        outputs["installerLog"] = installation.log_command
    if settings.auth_providers:
        outputs["oauthCallbackUrls"] = {p.id: callback_url(settings.domain, p.host) for p in settings.auth_providers}
    outputs.update(lookup_outputs(settings.domain, cluster, database, storage, registry))
    outputs.update(cluster.outputs)
    # Keys Gitpod 2022.11 can only use as long-lived keys: when each was made, so their age shows
    # (rotation: docs/security.md, "Keys").
    # Only the key-holding contract variants (GCP service-account keys, AWS access keys) carry it.
    stamps = {
        concern: getattr(info, "key_created", None)
        for concern, info in (("database", database), ("storage", storage), ("registry", registry))
    }
    created = {concern: stamp for concern, stamp in stamps.items() if stamp is not None}
    if created:
        outputs["keyCreated"] = created
    if cluster.kubeconfig is not None:
        outputs["kubeconfig"] = pulumi.Output.secret(cluster.kubeconfig)
    match dns:
        case CloudDnsZoneInfo() | Route53ZoneInfo() | AzureDnsZoneInfo() if dns.name_servers is not None:
            outputs["nameServers"] = dns.name_servers
    return Architecture(cluster, database, storage, registry, dns, cert_manager, installer, installation, outputs, records)


def _labels_of_empty_pools(settings: Settings[Any]) -> list[str]:
    """Node labels of the managed pools that may have no node (`minNodes: 0`) when the installer runs."""
    pools = {"services": settings.cluster.services_pool, "regularWorkspaces": settings.cluster.regular_pool}
    pools["headlessWorkspaces"] = settings.cluster.headless_pool
    return [label for key, pool in pools.items() if pool is not None and pool.min_nodes == 0 for label in POOL_LABELS[key]]


def lookup_outputs(
    domain: str, cluster: ClusterInfo, database: DatabaseInfo, storage: StorageInfo, registry: RegistryInfo
) -> dict[str, Any]:
    """What operators look up after `pulumi up`, read off the contracts so every target gets the same
    outputs: Gitpod's URL, the cluster's name, where the database, the buckets and the registry are.

    Only names and addresses, never a credential; a value derived from a secret stays secret.
    """
    url, server = registry_address(domain, registry)
    outputs: dict[str, Any] = {"url": app_url(domain), "registryUrl": url, "registryServer": server}
    if cluster.name is not None:
        outputs["clusterName"] = cluster.name
    match database:
        case ExternalDatabase():
            outputs["databaseHost"] = database.host
        case CloudSqlConnection():
            # Cloud SQL is reached through the proxy by its connection name, <project>:<region>:<instance>.
            outputs["databaseInstance"] = database.instance
    match storage:
        case S3Storage():
            outputs["storageBucket"] = storage.bucket
        case AzureStorage():
            outputs["storageAccount"] = storage.account_name
    if isinstance(registry, S3Registry):
        outputs["registryBucket"] = registry.bucket
    return outputs


def _cert_manager_args(settings: Settings[Any], cluster: ClusterInfo, dns: DnsInfo | None, namespace: pulumi.Input[str]) -> CertManagerArgs:
    cert = settings.certificate
    args: CertManagerArgs = {
        "domain": settings.domain,
        "issuer": cert.issuer,
        "certificate_namespace": namespace,
        "secret_name": cert.secret_name,
        "version": settings.cert_manager.version,
        "chart": settings.cert_manager.chart,
        "namespace": settings.cert_manager.namespace,
        "identity": identity_args(cluster.cert_manager_identity),
    }
    if settings.cert_manager.image_repository:
        args["image_repository"] = settings.cert_manager.image_repository
    if cert.email:
        args["email"] = cert.email
    if dns is not None:
        args["dns01"] = dns01_args(dns)
    if cert.cloudflare_api_token is not None:
        args["cloudflare_api_token"] = cert.cloudflare_api_token.output()
    if cert.existing_tls_cert and cert.existing_tls_key is not None:
        args["existing_tls_cert"] = cert.existing_tls_cert
        args["existing_tls_key"] = cert.existing_tls_key.output()
    if cert.existing_ca_cert:
        args["existing_ca_cert"] = cert.existing_ca_cert
    if cert.issuer_ref is not None:
        args["issuer_ref"] = {"name": cert.issuer_ref.name, "kind": cert.issuer_ref.kind}
    return args


def _installer_options(settings: Settings[Any]) -> dict[str, Any]:
    """The optional installer features (`gitpod:installer.*`) as `InstallerInputs` fields."""
    inst = settings.installer
    w = inst.workspace
    options: dict[str, Any] = {
        "block_new_users": inst.block_new_users is not None and inst.block_new_users.enabled,
        "passlist": inst.block_new_users.passlist if inst.block_new_users is not None else (),
        "open_vsx_url": inst.open_vsx_url,
        "workspace": w,
        "base_image_registries": [RegistryCredential(r.server, r.username, r.password.output()) for r in inst.base_image_registries],
        "drop_image_repo": inst.drop_image_repo,
        "proxy_service_type": inst.proxy_service.type if inst.proxy_service.type != ProxyServiceSettings.type else None,
        "proxy_service_annotations": dict(inst.proxy_service.annotations),
        "customization": inst.customization,
        "config_patch": inst.config_patch,
    }
    if inst.http_proxy is not None:
        # The cluster's own ranges (where the program knows them) so components reach each other directly.
        cidrs: tuple[str, ...] = getattr(settings.cloud_settings, "cluster_cidrs", ())
        proxy = inst.http_proxy
        options["http_proxy"] = HttpProxy(proxy.http_proxy.output(), proxy.https_proxy.output(), (*proxy.no_proxy, *cidrs))
    if inst.license is not None:
        options["license"] = inst.license.output()
    return options


def _installer_config_args(settings: Settings[Any]) -> InstallerConfigSpec:
    """The installer component's optional arguments: the SSH gateway, an existing encryption key."""
    args: InstallerConfigSpec = {"ssh_gateway": settings.installer.ssh_gateway}
    ext = settings.database.external
    if ext is not None and ext.encryption_key is not None:
        key = ext.encryption_key
        # A whole `encryptionKeys` list as given, or one key's material in the program's format.
        args["encryption_keys"] = key.output().apply(lambda v: v if v.lstrip().startswith("[") else encryption_keys_json(v.strip()))
    return args


def owner_id() -> str:
    """external-dns' TXT owner id: `<project>-<stack>`, so two stacks sharing a zone never delete each other's records."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}"


def _containerd(settings: Settings[Any], cluster: ClusterInfo) -> ContainerdPaths:
    inst = settings.installer
    return ContainerdPaths(
        runtime_dir=inst.containerd_runtime_dir or cluster.containerd.runtime_dir,
        socket=inst.containerd_socket or cluster.containerd.socket,
    )
