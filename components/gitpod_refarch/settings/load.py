"""Load and validate every `gitpod:*` key of a stack into `Settings`, before any resource exists.

Each section reader applies the defaults in code (the engine's Pulumi.yaml defaults never reach
unit tests or the offline plan), checks every value, and records problems instead of raising, so
one run lists every mistake. Compatibility rules then turn the validated values into findings.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from .. import clouds
from .. import compatibility as compat
from ..certmanager import ISSUER_REF
from ..installer import PvcOptions, WorkspaceOptions
from ..installer.schema import DURATION, PASSLIST_DOMAIN, PROXY_SERVICE_TYPES, QUANTITY, validate_customization, validate_patch
from .model import (
    DISTRIBUTIONS,
    ISSUERS,
    STORAGE_PROVIDERS,
    WEEKDAYS,
    AuthProviderSettings,
    AzureStorageSettings,
    BlockNewUsersSettings,
    CertificateSettings,
    CertManagerSettings,
    ClusterSettings,
    DatabaseSettings,
    DnsZoneSettings,
    ExternalDatabaseSettings,
    ExternalRegistrySettings,
    ExternalStorageSettings,
    GcsStorageSettings,
    HttpProxySettings,
    InstallerSettings,
    IssuerRef,
    MaintenanceExclusion,
    MaintenanceSettings,
    NodePoolSettings,
    ProxyServiceSettings,
    PullSecretSettings,
    RegistrySettings,
    Settings,
    StorageSettings,
    has_private_ca,
)
from .reader import NAMESPACE, WITHHELD, ConfigSource, Problem, Problems, Section, describe, parse_list, parse_object
from .rules import evaluate
from .secret import SecretValue

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_PATTERN = re.compile(rf"(?=.{{1,240}}$){_LABEL}(?:\.{_LABEL})+")
DOMAIN_HELP = (
    "expected a lower-case DNS name such as gitpod.example.com: at least two labels of letters, digits "
    "and hyphens, no scheme, port, path, wildcard or trailing dot, at most 240 characters so that "
    "<workspace-id>.ws.<domain> still fits in 253."
)
HOST_PATTERN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?")
HOST_HELP = "expected a host name (optionally with :port) without scheme or path, e.g. s3.eu-west-1.amazonaws.com."
K8S_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
K8S_NAME_HELP = "expected a Kubernetes object name (lower-case letters, digits, '-' and '.')."
VERSION_PATTERN = re.compile(r"v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.+-]*)?")
VERSION_HELP = "expected a version such as 1.24 or 1.24.17."
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
REPOSITORY_PATTERN = re.compile(r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*")
REPOSITORY_HELP = "expected a registry path without scheme, e.g. registry.example.com/gitpod-mirror."

#: The top-level keys every target shares; each target with a section adds `gitpod:<name>`.
TOP_LEVEL_KEYS = (
    "cloud",
    "domain",
    "compatibility",
    "namespace",
    "protect",
    "cluster",
    "database",
    "storage",
    "registry",
    "certificate",
    "certManager",
    "installer",
    "authProviders",
)


class SettingsError(Exception):
    """Raised with every validation problem; `str()` is one line per problem, no traceback needed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_settings(source: ConfigSource | None = None, *, project: str = "gitpod", stack: str = "dev") -> Settings[Any]:
    """Validate a stack's config; raise `SettingsError` listing every problem if anything is wrong."""
    if source is None:
        import pulumi

        source = ConfigSource.from_pulumi()
        project, stack = pulumi.get_project(), pulumi.get_stack()
    problems = Problems()
    for name in source.top_level_keys():
        raw = source.raw(name)
        if source.is_secret(name) and isinstance(raw, str):
            # A top-level scalar (`--secret domain=...`) is read by the top section, which is
            # not secret as a whole; objects are withheld by their own secret Section.
            problems.withheld.add(raw)
    top = Section(problems, NAMESPACE, {k: source.raw(k) for k in source.top_level_keys()}, top_level=True)

    cloud = top.choice("cloud", clouds.CLOUDS, "existing")
    offer = clouds.offer(cloud)
    domain = top.required_string(
        "domain",
        pattern=DOMAIN_PATTERN,
        pattern_help=DOMAIN_HELP,
        required_help="Set it: pulumi config set domain gitpod.example.com",
    )
    compatibility = top.choice("compatibility", ("warn", "strict"), "warn")
    namespace = top.string("namespace", "gitpod", pattern=K8S_NAME, pattern_help=K8S_NAME_HELP)
    protect = top.boolean("protect", True)

    sections = [o for o in clouds.offers() if o.parse is not None]
    top.known.update(TOP_LEVEL_KEYS, (o.name for o in sections))  # objects are read below, each by its own section reader
    top.finish()

    def obj(name: str) -> Section:
        return parse_object(problems, source, name)

    cloud_settings = _cloud_section(obj, offer, sections, problems)
    cluster = _cluster(obj("cluster"), offer)
    storage = _storage(obj("storage"), offer)
    database = _database(obj("database"), offer, cloud_settings)
    registry = _registry(obj("registry"), offer, storage)
    certificate = _certificate(obj("certificate"), offer)
    cert_manager = _cert_manager(obj("certManager"))
    installer = _installer(obj("installer"))
    auth_providers = _auth_providers(parse_list(problems, source, "authProviders"))

    if problems:
        raise SettingsError(problems.items)

    settings: Settings[Any] = Settings(
        project=project,
        stack=stack,
        cloud=cloud,
        domain=domain,
        cloud_settings=cloud_settings,
        compatibility=compatibility,
        namespace=namespace,
        protect=protect,
        cluster=cluster,
        database=database,
        storage=storage,
        registry=registry,
        certificate=certificate,
        cert_manager=cert_manager,
        installer=installer,
        auth_providers=auth_providers,
        given=frozenset(problems.given),
        other_config_keys=source.other_keys,
    )
    # Rules quote validated values; a secret one must not reach an error or a plan warning.
    findings = [replace(f, message=problems.scrub(f.message)) for f in evaluate(settings)]
    errors = [Problem(f.key, f.message) for f in findings if f.level == "error"]
    if errors:
        raise SettingsError(errors)
    return Settings(**{**settings.__dict__, "findings": tuple(findings)})


# -- sections ----------------------------------------------------------------------------------
def _cloud_section(
    get: Callable[[str], Section], offer: clouds.CloudOffer[Any], sections: list[clouds.CloudOffer[Any]], problems: Problems
) -> Any:
    """Parse the selected target's section; refuse sections of targets that are not selected."""
    parsed: Any = None
    for other in sections:
        section = get(other.name)
        if other.name != offer.name or other.parse is None:
            if section.data:
                problems.add(section.path, f"is set but gitpod:cloud is {offer.name!r}; remove it or set gitpod:cloud to {other.name!r}.")
            continue
        parsed = other.parse(section)
        section.finish()
    return parsed


def _pool(section: Section, default: NodePoolSettings, machine_type: tuple[re.Pattern[str], str] | None) -> NodePoolSettings:
    pattern, pattern_help = machine_type or (None, "")
    pool = NodePoolSettings(
        machine_type=section.string("machineType", default.machine_type, pattern=pattern, pattern_help=pattern_help),
        min_nodes=section.integer("minNodes", default.min_nodes, minimum=0, maximum=1000),
        max_nodes=section.integer("maxNodes", default.max_nodes, minimum=1, maximum=1000),
        disk_size_gb=section.integer("diskSizeGb", default.disk_size_gb, minimum=30, maximum=65536),
    )
    section.finish()
    if pool.min_nodes > pool.max_nodes:
        section.problems.add(
            section.key("minNodes"),
            f"{section.show(pool.min_nodes)} is larger than maxNodes ({section.show(pool.max_nodes)}); set minNodes <= maxNodes.",
        )
    return pool


EXISTING_ONLY = (
    "kubeconfig",
    "context",
    "distribution",
    "labelNodes",
    "kernelVersion",
    "containerdVersion",
    "containerRuntime",
    "nodeOs",
    "cni",
)


def _managed_only() -> tuple[str, ...]:
    """Keys of a cluster the program creates: the pools, and every cloud's own options."""
    options = (key for o in clouds.offers() if o.cluster is not None for key in o.cluster.options)
    return tuple(dict.fromkeys(("nodePools", *options)))


def _owners(has: Callable[[clouds.CloudOffer[Any]], bool], last: str) -> str:
    """`'gcp' and 'azure'`: the targets a key applies to, as messages name them."""
    return clouds.spoken_list([repr(o.name) for o in clouds.offers() if has(o)], last)


def _cluster(s: Section, offer: clouds.CloudOffer[Any]) -> ClusterSettings:
    cloud, managed = offer.name, offer.cluster
    managed_only = _managed_only()
    managed_clouds = clouds.spoken_list([o.name for o in clouds.offers() if o.cluster is not None])
    existing_clouds = clouds.spoken_list([repr(o.name) for o in clouds.offers() if o.cluster is None])
    wrong = managed_only if managed is None else EXISTING_ONLY
    for key in wrong:
        if s.present(key):
            where = f"a managed cluster (gitpod:cloud {managed_clouds})" if key in managed_only else f"gitpod:cloud {existing_clouds}"
            s.problems.add(s.key(key), f"only applies to {where}, but gitpod:cloud is {cloud!r}; remove it.")
    name = s.string(
        "name",
        ClusterSettings.name,
        pattern=re.compile(r"[a-z]([-a-z0-9]{0,28}[a-z0-9])?"),
        pattern_help="expected 1-30 lower-case letters, digits and hyphens, starting with a letter.",
    )
    default_version = managed.kubernetes_version if managed is not None else None
    version = s.version("kubernetesVersion", default_version, pattern=VERSION_PATTERN, pattern_help=VERSION_HELP)
    if managed is None:
        result = ClusterSettings(
            name=name,
            kubernetes_version=version,
            kubeconfig=_kubeconfig(s),
            context=s.string("context"),
            distribution=s.choice("distribution", DISTRIBUTIONS, "generic"),
            label_nodes=s.string_list("labelNodes", pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
            kernel_version=s.version("kernelVersion", pattern=VERSION_PATTERN, pattern_help=VERSION_HELP),
            containerd_version=s.version("containerdVersion", pattern=VERSION_PATTERN, pattern_help=VERSION_HELP),
            container_runtime=s.string("containerRuntime", ClusterSettings.container_runtime),
            node_os=s.string("nodeOs", pattern=re.compile(r"[a-z][a-z0-9-]*(-\d+(\.\d+)*)?"), pattern_help="expected e.g. ubuntu-22.04."),
            cni=s.string("cni"),
            maintenance=_maintenance(s, offer),
        )
    else:
        pools = s.section("nodePools")
        result = ClusterSettings(
            name=name,
            kubernetes_version=version,
            distribution=managed.distribution,
            mode=_option(s, offer, "mode", ClusterSettings.mode),
            datapath=_option(s, offer, "datapath", ClusterSettings.datapath),
            services_pool=_pool(pools.section("services"), managed.services_pool, managed.machine_type),
            regular_pool=_pool(pools.section("regularWorkspaces"), managed.workspace_pool, managed.machine_type),
            headless_pool=_pool(pools.section("headlessWorkspaces"), managed.workspace_pool, managed.machine_type),
            maintenance=_maintenance(s, offer),
        )
        pools.finish()
    s.finish()
    return result


def _kubeconfig(s: Section) -> str | SecretValue | None:
    """A path to a kubeconfig, or (as a secret) a path or its contents; never quoted back.

    A kubeconfig's contents usually hold a credential (a token or a client key), so they are
    accepted only from secret config; a plain value must be a path.
    """
    if not s.present("kubeconfig"):
        return None
    if s.secret:
        return s.secret_value("kubeconfig")
    value = s.string("kubeconfig")
    if value is not None and ("\n" in value or value.lstrip().startswith(("{", "apiVersion")) or "clusters:" in value):
        s.problems.add(
            s.key("kubeconfig"),
            "looks like the contents of a kubeconfig, which hold credentials, but is stored in plain text (value withheld). "
            "Give the path to the file, or store the contents encrypted: "
            'pulumi config set --path --secret cluster.kubeconfig -- "$(cat ~/.kube/config)"',
        )
        return None
    return value


_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_EXCLUSION_NAME = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?")


def _maintenance(cluster: Section, offer: clouds.CloudOffer[Any]) -> MaintenanceSettings:
    """Read only where the cloud schedules its own auto-upgrades (`ManagedCluster.maintenance`).

    EKS has no such window: it upgrades a control plane only at the end of its support, and node
    groups roll only when the program changes them (see `gitpod:aws.nodeImage`).
    """
    default = MaintenanceSettings()
    if offer.cluster is None or not offer.cluster.maintenance:
        if cluster.present("maintenance"):
            where = _owners(lambda o: o.cluster is not None and o.cluster.maintenance, "and")
            cluster.problems.add(
                cluster.key("maintenance"),
                f"only applies to gitpod:cloud {where} (their auto-upgrades), but gitpod:cloud is {offer.name!r}; remove it. "
                "EKS has no maintenance window: node groups roll only when a `pulumi up` changes them.",
            )
        return default
    s = cluster.section("maintenance")
    result = MaintenanceSettings(
        day=s.choice("day", WEEKDAYS, default.day),
        start_time=s.string(
            "startTime", default.start_time, pattern=_TIME, pattern_help="expected a UTC time of day as HH:MM, e.g. 22:00."
        ),
        duration_hours=s.integer("durationHours", default.duration_hours, minimum=4, maximum=24),
        exclusions=_exclusions(s.list_of_sections("exclusions")),
    )
    s.finish()
    return result


def _date(s: Section, name: str) -> date | None:
    text = s.string(name, required=True, pattern=re.compile(r"\d{4}-\d{2}-\d{2}"), pattern_help="expected a date as YYYY-MM-DD.")
    if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        s.problems.add(s.key(name), f"{s.show(text)} is not a calendar date; expected YYYY-MM-DD.")
        return None


def _exclusions(items: list[Section]) -> tuple[MaintenanceExclusion, ...]:
    result = []
    for item in items:
        name = item.string(
            "name", required=True, pattern=_EXCLUSION_NAME, pattern_help="expected 1-40 lower-case letters, digits and hyphens."
        )
        start, end = _date(item, "start"), _date(item, "end")
        item.finish()
        if start is not None and end is not None and end < start:
            item.problems.add(
                item.key("end"),
                f"{WITHHELD if item.secret else end.isoformat()} is before start {WITHHELD if item.secret else start.isoformat()}; "
                "an exclusion must end on or after its start.",
            )
            continue
        if name is not None and start is not None and end is not None:
            result.append(MaintenanceExclusion(name, start, end))
    names = [e.name for e in result]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        items[0].problems.add(
            items[0].path.rsplit("[", 1)[0], f"uses name {items[0].show(duplicate)} twice; give each exclusion its own name."
        )
    return tuple(result)


def _option(s: Section, offer: clouds.CloudOffer[Any], key: str, default: str) -> str:
    """A `gitpod:cluster` key only some clouds read (`ManagedCluster.options`)."""
    option = offer.cluster.options.get(key) if offer.cluster is not None else None
    if option is None:
        if s.present(key):
            where = _owners(lambda o: o.cluster is not None and key in o.cluster.options, "and")
            s.problems.add(s.key(key), f"only applies to gitpod:cloud {where}, but gitpod:cloud is {offer.name!r}; remove it.")
        return default
    choices, own_default = option
    return s.choice(key, choices, own_default)


def _not_offered(s: Section, offer: clouds.CloudOffer[Any], concern: str, mode: str, what: str, fix: str) -> None:
    """Report a mode another target builds (`managed`), naming the targets that do."""
    if mode in getattr(offer, concern) or mode in getattr(clouds.GENERIC, concern):
        return
    s.problems.add(
        s.key("mode"),
        f"{mode!r} needs a cloud to create the {what} in, but gitpod:cloud is {offer.name!r}. "
        f"Fix: {fix}, or set gitpod:cloud to {clouds.spoken_list(clouds.offered_by(concern, mode))}.",
    )


def _database(s: Section, offer: clouds.CloudOffer[Any], cloud_settings: Any) -> DatabaseSettings:
    mode = s.choice("mode", clouds.allowed("databases"), DatabaseSettings.mode)
    version = s.version("version", DatabaseSettings.version)
    if version not in ("5.7", "8.0"):
        s.problems.add(s.key("version"), f"{s.show(version)} is not allowed (allowed: 5.7, 8.0). {compat.MYSQL_REASON}")
        version = DatabaseSettings.version
    _not_offered(s, offer, "databases", mode, "database", "use 'external' (your own MySQL) or 'incluster'")
    external = None
    ext = s.section("external")
    if mode == "external":
        external = ExternalDatabaseSettings(
            host=ext.required_string("host", pattern=HOST_PATTERN, pattern_help=HOST_HELP),
            port=ext.integer("port", 3306, minimum=1, maximum=65535),
            username=ext.string("username", "gitpod"),
            password=ext.required_secret("password"),
            ca_cert=ext.string("caCert"),
            encryption_key=_encryption_key(ext),
        )
        ext.finish()
    elif ext.data:
        s.problems.add(ext.path, f"is only used with mode 'external', but mode is {mode!r}; remove it or set mode to 'external'.")
    result = DatabaseSettings(
        mode=mode,
        version=version,
        high_availability=s.boolean("highAvailability", False),
        deletion_protection=s.boolean("deletionProtection", True),
        backup_retention_days=s.integer("backupRetentionDays", 7, minimum=1, maximum=35),
        instance_size=s.string("instanceSize", offer.database_instance),
        external=external,
        ca_cert=s.string("caCert"),
        require_tls=s.boolean("requireTls", False) if s.present("requireTls") else None,
    )
    if mode == "managed" and result.ca_cert is None and offer.database_ca is not None and cloud_settings is not None:
        # The cloud's own roots, shipped with the program (`dbtls`): TLS, and with it
        # require_secure_transport, by default. None where the shipped file has no roots for the
        # place (the cloud's rules then ask for the key).
        result = replace(result, ca_cert=offer.database_ca(cloud_settings))
    s.finish()
    return result


def _encryption_key(s: Section) -> SecretValue | None:
    """The `material` of the `general` key an existing installation encrypted its rows with: base64 of 32 bytes."""
    key = s.secret_value("encryptionKey")
    if key is not None and not _valid_encryption_key(key.reveal()):
        s.problems.add(
            s.key("encryptionKey"),
            "is neither 32 bytes in base64 nor an encryptionKeys JSON list with one primary entry (value withheld: this key "
            "holds a secret). Copy the existing installation's encryptionKeys: kubectl get secret database -n gitpod "
            "-o jsonpath='{.data.encryptionKeys}' | base64 -d",
        )
    return key


def _material(text: Any) -> bool:
    try:
        return isinstance(text, str) and len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def _valid_encryption_key(value: str) -> bool:
    """32 bytes in base64 (one `material`), or a whole `encryptionKeys` list (to keep rotated keys too)."""
    if not value.lstrip().startswith("["):
        return _material(value.strip())
    try:
        keys = json.loads(value)
    except json.JSONDecodeError:
        return False
    return (
        isinstance(keys, list)
        and all(isinstance(k, dict) and {"name", "version", "material"} <= set(k) and _material(k["material"]) for k in keys)
        and sum(1 for k in keys if k.get("primary") is True) == 1
    )


def _s3(s: Section, *, insecure_allowed: bool = True) -> ExternalStorageSettings:
    """An S3-compatible bucket; the registry's `s3storage` has no insecure option, so it is not offered there."""
    result = ExternalStorageSettings(
        endpoint=s.required_string("endpoint", pattern=HOST_PATTERN, pattern_help=HOST_HELP),
        bucket=s.required_string(
            "bucket",
            pattern=re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
            pattern_help="expected an S3 bucket name (3-63 lower-case letters, digits, '.' and '-').",
        ),
        region=s.required_string("region"),
        access_key_id=s.required_secret("accessKeyId"),
        secret_access_key=s.required_secret("secretAccessKey"),
        allow_insecure_connection=s.boolean("allowInsecureConnection", False) if insecure_allowed else False,
    )
    s.finish()
    return result


def _storage(s: Section, offer: clouds.CloudOffer[Any]) -> StorageSettings:
    mode = s.choice("mode", clouds.allowed("storages"), StorageSettings.mode)
    _not_offered(s, offer, "storages", mode, "storage", "use 'external' (any S3-compatible endpoint) or 'incluster'")
    ext = s.section("external")
    external = gcs = azure = None
    provider = "s3"
    if mode == "external":
        provider = ext.choice("provider", STORAGE_PROVIDERS, "s3")
        if provider == "gcs":
            gcs = GcsStorageSettings(
                project=ext.required_string(
                    "project",
                    pattern=re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]"),
                    pattern_help="expected a Google Cloud project ID (6-30 lower-case letters, digits and hyphens).",
                ),
                region=ext.required_string("region"),
                service_account_key=ext.required_secret(
                    "serviceAccountKey",
                    required_help="Create a key for a service account with roles/storage.admin on the project, then: "
                    'pulumi config set --path --secret storage.external.serviceAccountKey -- "$(cat key.json)"',
                ),
            )
            ext.finish()
        elif provider == "azure":
            azure = AzureStorageSettings(
                region=ext.required_string("region"),
                account_name=ext.required_string(
                    "accountName",
                    pattern=re.compile(r"[a-z0-9]{3,24}"),
                    pattern_help="expected an Azure storage account name (3-24 lower-case letters and digits).",
                ),
                account_key=ext.required_secret("accountKey"),
            )
            ext.finish()
        else:
            external = _s3(ext)
    elif ext.data:
        s.problems.add(ext.path, f"is only used with mode 'external', but mode is {mode!r}; remove it or set mode to 'external'.")
    s.finish()
    return StorageSettings(mode=mode, provider=provider, external=external, gcs=gcs, azure=azure)


REGISTRY_PRODUCTS = ("generic", "artifactory", "nexus", "google")
ECR_HOST = re.compile(r"\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?")


def _detect_product(host: str) -> str:
    """Recognise registries whose quirks Gitpod documents, from their host name."""
    if host == "gcr.io" or host.endswith(".gcr.io") or host.endswith("-docker.pkg.dev"):
        return "google"
    if host.endswith(".jfrog.io") or "artifactory" in host:
        return "artifactory"
    if "nexus" in host:
        return "nexus"
    return "generic"


def _registry(s: Section, offer: clouds.CloudOffer[Any], storage: StorageSettings) -> RegistrySettings:
    kinds = clouds.allowed("registries")
    kind_raw = s.data.get("kind")
    if isinstance(kind_raw, str) and kind_raw.strip().lower() == "ecr":
        s.known.add("kind")
        s.problems.add(s.key("kind"), f"'ecr' is not allowed (allowed: {', '.join(kinds)}). {compat.ECR_REASON}")
        kind = RegistrySettings.kind
    else:
        kind = s.choice("kind", kinds, RegistrySettings.kind)
    if kind not in offer.registries and kind not in clouds.GENERIC.registries:
        s.problems.add(
            s.key("kind"),
            f"{kind!r} needs gitpod:cloud {clouds.offered_by('registries', kind)[0]!r}, but gitpod:cloud is {offer.name!r}. "
            "Fix: use 'incluster', 'external' (any Docker Registry HTTP API V2 registry) or 's3'.",
        )
    ext = s.section("external")
    external = None
    if kind == "external":
        url = ext.required_string(
            "url",
            pattern=re.compile(r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*"),
            pattern_help="expected a registry host and optional path without scheme, e.g. registry.example.com/gitpod.",
        )
        host = url.split("/")[0]
        if ECR_HOST.fullmatch(host):
            ext.problems.add(ext.key("url"), f"{ext.show(url)} is an Amazon ECR registry. {compat.ECR_REASON}")
        product = ext.choice("product", REGISTRY_PRODUCTS, _detect_product(host))
        raw_server = ext.data.get("server")
        if product == "google" and isinstance(raw_server, str) and raw_server and raw_server != host:
            ext.known.add("server")
            server = host
            ext.problems.add(
                ext.key("server"),
                f"{ext.show(raw_server)} is not the host of url {ext.show(url)}: Google registries authenticate by bare host "
                f"(gcr.io, <region>-docker.pkg.dev); the repository path belongs in url. Fix: remove server or set it to {ext.show(host)}.",
            )
        else:
            server = ext.string("server", host, pattern=HOST_PATTERN, pattern_help=HOST_HELP)
        external = ExternalRegistrySettings(
            url=url,
            server=server,
            username=ext.required_string("username"),
            password=ext.required_secret("password"),
            product=product,
        )
        ext.finish()
    elif ext.data:
        s.problems.add(ext.path, f"is only used with kind 'external', but kind is {kind!r}; remove it or set kind to 'external'.")
    reuse = s.boolean("reuseStorageBucket", False)
    s3_section = s.section("s3")
    s3 = None
    # The generic `s3` kind: the in-cluster registry on a bucket of yours (where the target does not
    # create one itself), so the bucket is the storage's or comes from `registry.s3`.
    user_bucket = kind == "s3" and kind not in offer.registries
    if user_bucket:
        if reuse:
            if storage.external is None:
                s.problems.add(s.key("reuseStorageBucket"), "needs gitpod:storage.mode 'external' (an S3-compatible bucket) to reuse.")
        else:
            s3 = _s3(s3_section, insecure_allowed=False)
    elif s3_section.data:
        s.problems.add(s3_section.path, "is only used with kind 's3' outside AWS (AWS creates the bucket); remove it.")
    s.finish()
    return RegistrySettings(kind=kind, external=external, reuse_storage_bucket=reuse, s3=s3)


def _certificate(s: Section, offer: clouds.CloudOffer[Any]) -> CertificateSettings:
    issuer_ref = _issuer_ref(s)
    if issuer_ref is not None:
        if s.present("issuer"):
            s.problems.add(
                s.key("issuer"),
                "is set together with certificate.issuerRef; issuerRef signs the certificate with an issuer you already run, "
                "so remove certificate.issuer (or remove issuerRef to let the program create its own issuer).",
            )
        issuer = ISSUER_REF
    else:
        # A target whose own DNS answers DNS-01 defaults to Let's Encrypt through it; elsewhere to a self-signed CA.
        issuer = s.choice("issuer", ISSUERS, "letsencrypt" if offer.default_dns01 else "selfsigned")
    providers = clouds.allowed("dns01")
    dns01 = s.string("dns01", offer.default_dns01 if issuer.startswith("letsencrypt") else None, choices=providers)
    if issuer.startswith("letsencrypt"):
        if dns01 is None:
            s.problems.add(
                s.key("dns01"),
                "is required for Let's Encrypt: Gitpod needs wildcard names (*.<domain>, *.ws.<domain>), which only DNS-01 "
                f"can prove (allowed: {', '.join(providers)}). On an existing cluster use 'cloudflare'.",
            )
        elif dns01 not in offer.dns01 and dns01 not in clouds.GENERIC.dns01:
            owner = clouds.offered_by("dns01", dns01)[0]
            s.problems.add(
                s.key("dns01"),
                f"{dns01!r} answers challenges through the {owner.upper()} cluster's workload identity, "
                f"which gitpod:cloud {offer.name!r} does not have. Fix: use 'cloudflare' (API token) or "
                f"{offer.default_dns01 or 'cloudflare'!r}.",
            )
    elif s.present("dns01"):
        s.problems.add(s.key("dns01"), f"is only used with the letsencrypt issuers, but issuer is {issuer!r}; remove it.")
    email = s.string("email", pattern=EMAIL_PATTERN, pattern_help="expected an e-mail address.")
    cf = s.section("cloudflare")
    token = None
    if dns01 == "cloudflare":
        token = cf.secret_value(
            "apiToken",
            required=True,
            required_help="Create a Cloudflare API token with Zone:DNS:Edit on the zone, then: "
            "pulumi config set --path --secret certificate.cloudflare.apiToken <token>",
        )
        cf.finish()
    elif cf.data:
        s.problems.add(cf.path, "is only used with dns01 'cloudflare'; remove it.")
    ex = s.section("existing")
    tls_cert = tls_key = ca_cert = None
    if issuer == "existing":
        tls_cert = ex.required_string(
            "tlsCert",
            required_help='Set the PEM chain: pulumi config set --path certificate.existing.tlsCert -- "$(cat fullchain.pem)"',
        )
        tls_key = ex.secret_value(
            "tlsKey",
            required=True,
            required_help='Set the PEM key: pulumi config set --path --secret certificate.existing.tlsKey -- "$(cat privkey.pem)"',
        )
        ca_cert = ex.string("caCert")
        if tls_cert and "BEGIN CERTIFICATE" not in tls_cert:
            ex.problems.add(ex.key("tlsCert"), "is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line).")
        ex.finish()
    elif ex.data:
        s.problems.add(ex.path, "is only used with issuer 'existing'; remove it.")
    private_ca = has_private_ca(issuer, ca_cert)
    trust_on_nodes = s.boolean("trustOnNodes", private_ca and offer.name != "gcp")
    if trust_on_nodes and offer.name == "gcp":
        s.problems.add(s.key("trustOnNodes"), f"is not allowed on GKE. {compat.GKE_NODE_TRUST_REASON}")
        trust_on_nodes = False
    elif trust_on_nodes and not private_ca:
        s.problems.add(
            s.key("trustOnNodes"),
            f"is true, but issuer {issuer!r} uses no private CA, so there is nothing to install on the nodes. "
            "Fix: remove it (it applies to 'selfsigned', and to 'existing' with existing.caCert).",
        )
        trust_on_nodes = False
    zone_s = s.section("zone")
    # Records go where the program already holds a zone and an identity scoped to it: the zone
    # DNS-01 answers in. Anything else is a zone the program does not manage.
    managed = dns01 if issuer.startswith("letsencrypt") else None
    records = zone_s.boolean("records", managed is not None)
    if records and managed is None:
        zone_s.problems.add(
            zone_s.key("records"),
            f"is true, but this stack manages no DNS zone for gitpod:domain (gitpod:certificate.issuer is {issuer!r}; only the "
            "letsencrypt issuers use a zone, gitpod:certificate.zone, through gitpod:certificate.dns01). The program writes "
            "Gitpod's records only into that zone, with an identity scoped to it. Fix: use issuer 'letsencrypt' with a dns01 "
            "provider, or set certificate.zone.records false and point <domain>, *.<domain> and *.ws.<domain> at the proxy "
            "Service's load balancer yourself.",
        )
    zone = DnsZoneSettings(
        create=zone_s.boolean("create", True),
        name=zone_s.string("name"),
        existing_id=zone_s.string("existingId"),
        records=records,
    )
    zone_s.finish()
    result = CertificateSettings(
        issuer=issuer,
        dns01=dns01,
        email=email,
        secret_name=s.string("secretName", CertificateSettings.secret_name, pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
        cloudflare_api_token=token,
        existing_tls_cert=tls_cert,
        existing_tls_key=tls_key,
        existing_ca_cert=ca_cert,
        zone=zone,
        trust_on_nodes=trust_on_nodes,
        issuer_ref=issuer_ref,
    )
    s.finish()
    return result


def _issuer_ref(s: Section) -> IssuerRef | None:
    """An Issuer or ClusterIssuer the user runs, as KOTS's `cert_manager_issuer_name`/`cert_manager_issuer` named it."""
    if not s.present("issuerRef"):
        return None
    r = s.section("issuerRef")
    ref = IssuerRef(
        name=r.required_string("name", pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
        kind=r.choice("kind", ("ClusterIssuer", "Issuer"), "ClusterIssuer"),
    )
    r.finish()
    return ref


def _cert_manager(s: Section) -> CertManagerSettings:
    defaults = CertManagerSettings()
    version = s.version("version", defaults.version, pattern=VERSION_PATTERN, pattern_help="expected a chart version such as v1.21.1.")
    parsed = compat.parse_version(version)
    if parsed is not None and parsed < compat.MIN_CERT_MANAGER:
        s.problems.add(
            s.key("version"),
            f"{version!r} is too old (allowed: v1.15 or newer). Gitpod needs the {compat.CERT_MANAGER_API} API, and this "
            "program relies on the chart's crds.enabled/crds.keep values (v1.15+) so Certificates survive a chart removal.",
        )
    result = CertManagerSettings(
        version=version,
        chart=s.string("chart", defaults.chart),
        namespace=s.string("namespace", defaults.namespace, pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
        image_repository=s.string("imageRepository", pattern=REPOSITORY_PATTERN, pattern_help=REPOSITORY_HELP),
    )
    s.finish()
    return result


def _installer(s: Section) -> InstallerSettings:
    defaults = InstallerSettings()
    path = re.compile(r"/[^\s]*")
    result = InstallerSettings(
        repository=s.string("repository", defaults.repository, pattern=REPOSITORY_PATTERN, pattern_help=REPOSITORY_HELP),
        region=s.string("region"),
        log_level=s.choice("logLevel", ("trace", "debug", "info", "warning", "error", "fatal", "panic"), "info"),
        fs_shift_method=s.choice("fsShiftMethod", ("fuse", "shiftfs"), "fuse"),
        containerd_runtime_dir=s.string("containerdRuntimeDir", pattern=path, pattern_help="must be an absolute path starting with '/'."),
        containerd_socket=s.string("containerdSocket", pattern=path, pattern_help="must be an absolute path starting with '/'."),
        image_pull_secrets=_pull_secrets(s.list_of_sections("imagePullSecrets")),
        deploy=s.boolean("deploy", defaults.deploy),
        block_new_users=_block_new_users(s),
        open_vsx_url=s.string("openVsxUrl", defaults.open_vsx_url, pattern=URL_PATTERN, pattern_help=URL_HELP),
        workspace=_workspace(s.section("workspace")),
        ssh_gateway=s.boolean("sshGateway", False),
        http_proxy=_http_proxy(s),
        license=s.secret_value("license"),
        base_image_registries=_pull_secrets(s.list_of_sections("baseImageRegistries"), "gitpod:installer.baseImageRegistries"),
        drop_image_repo=s.boolean("dropImageRepo", False) if s.present("dropImageRepo") else None,
        proxy_service=_proxy_service(s.section("proxyService")),
        config_patch=_config_patch(s),
        customization=_customization(s),
    )
    s.finish()
    return result


URL_PATTERN = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
URL_HELP = "expected an http(s) URL such as https://open-vsx.example.com."


def _block_new_users(s: Section) -> BlockNewUsersSettings | None:
    if not s.present("blockNewUsers"):
        return None
    b = s.section("blockNewUsers")
    result = BlockNewUsersSettings(
        enabled=b.boolean("enabled", False),
        passlist=b.string_list("passlist", pattern=PASSLIST_DOMAIN, pattern_help=PASSLIST_HELP),
    )
    b.finish()
    if result.enabled and not result.passlist:
        b.problems.add(
            b.key("passlist"),
            "is empty, but blockNewUsers is enabled: the 2022.11 installer requires at least one e-mail domain that may still "
            "sign up. Set it: pulumi config set --path 'installer.blockNewUsers.passlist[0]' example.com",
        )
    return result


PASSLIST_HELP = "expected an e-mail domain such as example.com (no '@', scheme or wildcard), as the installer's fqdn check requires."
_RESOURCE_NAMES = {
    # What ws-manager reads from `workspace.resources` (pkg/components/ws-manager/configmap.go@2022.11.3).
    "requests": ("cpu", "memory", "ephemeral-storage"),
    "limits": ("cpu", "memory", "ephemeral-storage", "storage"),
}
QUANTITY_HELP = "expected a Kubernetes quantity such as 500m, 2, 4Gi or 10G."


def _resources(s: Section, name: str, default: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    r = s.section(name)
    if not r.data:
        r.finish()
        return default
    values = {}
    for resource in _RESOURCE_NAMES[name]:
        value = r.string(resource, pattern=QUANTITY, pattern_help=QUANTITY_HELP)
        if value is not None and QUANTITY.fullmatch(value):
            values[resource] = value
    r.finish()
    return tuple(values.items())


def _duration(s: Section, name: str, default: str | None = None) -> str | None:
    return s.string(name, default, pattern=DURATION, pattern_help="expected a duration such as 30m, 3h or 1h30m (Go syntax).")


def _pvc(s: Section, default: PvcOptions) -> PvcOptions:
    result = PvcOptions(
        size=s.string("size", default.size, pattern=QUANTITY, pattern_help=QUANTITY_HELP),
        storage_class=s.string("storageClass", default.storage_class, pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
        snapshot_class=s.string("snapshotClass", default.snapshot_class, pattern=K8S_NAME, pattern_help=K8S_NAME_HELP),
    )
    s.finish()
    return result


def _workspace(s: Section) -> WorkspaceOptions:
    d = WorkspaceOptions()
    result = WorkspaceOptions(
        requests=_resources(s, "requests", d.requests),
        limits=_resources(s, "limits", d.limits),
        max_lifetime=_duration(s, "maxLifetime", d.max_lifetime) or d.max_lifetime,
        timeout_default=_duration(s, "timeoutDefault"),
        timeout_extended=_duration(s, "timeoutExtended"),
        timeout_after_close=_duration(s, "timeoutAfterClose"),
        pvc=_pvc(s.section("pvc"), d.pvc),
        prebuild_pvc=_pvc(s.section("prebuildPVC"), d.prebuild_pvc),
    )
    s.finish()
    return result


_PROXY_URL = re.compile(r"(https?)://([^\s/@]+@)?[^\s/@]+(:\d{1,5})?/?")


def _proxy_url(s: Section, name: str) -> SecretValue:
    value = s.required_secret(name, required_help=f"Set it: {s.set_hint(name, 'http://proxy.example.com:3128', secret=True)}")
    if value.reveal() and not _PROXY_URL.fullmatch(value.reveal()):
        s.problems.add(
            s.key(name),
            "is not a proxy URL with a scheme (value withheld: this key holds a secret). Expected e.g. http://proxy.example.com:3128 "
            "or http://user:password@proxy.example.com:3128; Gitpod's components read it as HTTP_PROXY/HTTPS_PROXY.",
        )
    return value


_NO_PROXY_ENTRY = re.compile(r"\*|\.?[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?|[0-9a-fA-F:.]+(/\d{1,3})?")


def _http_proxy(s: Section) -> HttpProxySettings | None:
    if not s.present("httpProxy"):
        return None
    p = s.section("httpProxy")
    http = _proxy_url(p, "httpProxy")
    result = HttpProxySettings(
        http_proxy=http,
        https_proxy=_proxy_url(p, "httpsProxy") if p.present("httpsProxy") else http,
        no_proxy=p.string_list(
            "noProxy", pattern=_NO_PROXY_ENTRY, pattern_help="expected a host, a .domain suffix, an IP address or a CIDR."
        ),
    )
    p.finish()
    return result


def _proxy_service(s: Section) -> ProxyServiceSettings:
    d = ProxyServiceSettings()
    annotations = s.section("annotations")
    pairs = []
    for key, value in annotations.data.items():
        annotations.known.add(key)
        if not isinstance(value, str):
            s.problems.add(annotations.key(key), f"must be a string, got {describe(value)}; annotation values are strings.")
            continue
        pairs.append((key, value))
    result = ProxyServiceSettings(type=s.choice("type", PROXY_SERVICE_TYPES, d.type), annotations=tuple(pairs))
    s.finish()
    return result


def _json_value(s: Section, name: str) -> Any:
    """An object or list given as YAML in the stack file (or JSON text on the command line)."""
    if not s.present(name):
        return None
    value = s.data[name]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            s.problems.add(s.key(name), f"is not valid JSON ({error.msg} at character {error.pos}); set it as YAML in the stack file.")
            return None
    return value


def _config_patch(s: Section) -> Mapping[str, Any] | None:
    patch = _json_value(s, "configPatch")
    if patch is None:
        return None
    if not isinstance(patch, Mapping):
        s.problems.add(s.key("configPatch"), f"must be an object (a part of gitpod.config.yaml), got {describe(patch)}.")
        return None
    problems = validate_patch(patch)
    for path, message in problems:
        s.problems.add(f"{s.key('configPatch')}.{path}", message)
    return None if problems else patch


def _customization(s: Section) -> tuple[Mapping[str, Any], ...]:
    items = _json_value(s, "customization")
    if items is None:
        return ()
    errors = validate_customization(items)
    for error in errors:
        s.problems.add(s.key("customization"), error)
    return () if errors else tuple(items)


def _pull_secrets(items: list[Section], key: str = "gitpod:installer.imagePullSecrets") -> tuple[PullSecretSettings, ...]:
    result = []
    for item in items:
        result.append(
            PullSecretSettings(
                server=item.required_string("server", pattern=HOST_PATTERN, pattern_help=HOST_HELP),
                username=item.required_string("username"),
                password=item.required_secret("password"),
            )
        )
        item.finish()
    servers = [p.server for p in result]
    for server in sorted({x for x in servers if servers.count(x) > 1}):
        items[0].problems.add(key, f"lists server {items[0].show(server)} twice; one credential per registry host.")
    return tuple(result)


AUTH_PROVIDER_TYPES = ("GitHub", "GitLab", "Bitbucket", "BitbucketServer")
AUTH_DEFAULT_HOSTS = {"GitHub": "github.com", "GitLab": "gitlab.com", "Bitbucket": "bitbucket.org"}


def _auth_providers(items: list[Section]) -> tuple[AuthProviderSettings, ...]:
    result = []
    for item in items:
        kind = item.choice("type", AUTH_PROVIDER_TYPES, "GitHub")
        host = item.string(
            "host",
            AUTH_DEFAULT_HOSTS.get(kind, ""),
            pattern=HOST_PATTERN,
            pattern_help=HOST_HELP,
            required=kind not in AUTH_DEFAULT_HOSTS,
            required_help="Bitbucket Server has no public host; set the host of your server.",
        )
        result.append(
            AuthProviderSettings(
                id=item.string(
                    "id",
                    host,
                    pattern=re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}"),
                    pattern_help="expected letters, digits, '.', '_' and '-'.",
                ),
                type=kind,
                host=host,
                client_id=item.required_string("clientId"),
                client_secret=item.required_secret("clientSecret"),
            )
        )
        item.finish()
    ids = [p.id for p in result]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        items[0].problems.add("gitpod:authProviders", f"uses id {items[0].show(duplicate)} twice; give each provider its own id.")
    return tuple(result)
