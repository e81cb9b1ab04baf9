"""Load and validate every `gitpod:*` key of a stack into `Settings`, before any resource exists.

Each section reader applies the defaults in code (the engine's Pulumi.yaml defaults never reach
unit tests or the offline plan), checks every value, and records problems instead of raising, so
one run lists every mistake. Compatibility rules then turn the validated values into findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .. import clouds
from .. import compatibility as compat
from .model import (
    DISTRIBUTIONS,
    ISSUERS,
    WEEKDAYS,
    AuthProviderSettings,
    CertificateSettings,
    CertManagerSettings,
    ClusterSettings,
    DatabaseSettings,
    DnsZoneSettings,
    ExternalDatabaseSettings,
    ExternalRegistrySettings,
    ExternalStorageSettings,
    InstallerSettings,
    MaintenanceExclusion,
    MaintenanceSettings,
    NodePoolSettings,
    PullSecretSettings,
    RegistrySettings,
    Settings,
    StorageSettings,
)
from .reader import NAMESPACE, ConfigSource, Problem, Problems, Section, parse_list, parse_object
from .rules import evaluate

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
    database = _database(obj("database"), offer)
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
    findings = evaluate(settings)
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
            f"{pool.min_nodes} is larger than maxNodes ({pool.max_nodes}); set minNodes <= maxNodes.",
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
            kubeconfig=s.string("kubeconfig"),
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
        s.problems.add(s.key(name), f"{text!r} is not a calendar date; expected YYYY-MM-DD.")
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
                item.key("end"), f"{end.isoformat()} is before start {start.isoformat()}; an exclusion must end on or after its start."
            )
            continue
        if name is not None and start is not None and end is not None:
            result.append(MaintenanceExclusion(name, start, end))
    names = [e.name for e in result]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        items[0].problems.add(items[0].path.rsplit("[", 1)[0], f"uses name {duplicate!r} twice; give each exclusion its own name.")
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


def _database(s: Section, offer: clouds.CloudOffer[Any]) -> DatabaseSettings:
    mode = s.choice("mode", clouds.allowed("databases"), DatabaseSettings.mode)
    version = s.version("version", DatabaseSettings.version)
    if version not in ("5.7", "8.0"):
        s.problems.add(s.key("version"), f"{version!r} is not allowed (allowed: 5.7, 8.0). {compat.MYSQL_REASON}")
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
    )
    s.finish()
    return result


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
    external = None
    if mode == "external":
        external = _s3(ext)
    elif ext.data:
        s.problems.add(ext.path, f"is only used with mode 'external', but mode is {mode!r}; remove it or set mode to 'external'.")
    s.finish()
    return StorageSettings(mode=mode, external=external)


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
            ext.problems.add(ext.key("url"), f"{url!r} is an Amazon ECR registry. {compat.ECR_REASON}")
        product = ext.choice("product", REGISTRY_PRODUCTS, _detect_product(host))
        raw_server = ext.data.get("server")
        if product == "google" and isinstance(raw_server, str) and raw_server and raw_server != host:
            ext.known.add("server")
            server = host
            ext.problems.add(
                ext.key("server"),
                f"{ext.data.get('server')!r} is not the host of url {url!r}: Google registries authenticate by bare host "
                f"(gcr.io, <region>-docker.pkg.dev); the repository path belongs in url. Fix: remove server or set it to {host!r}.",
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
    zone_s = s.section("zone")
    zone = DnsZoneSettings(
        create=zone_s.boolean("create", True),
        name=zone_s.string("name"),
        existing_id=zone_s.string("existingId"),
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
    )
    s.finish()
    return result


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
    )
    s.finish()
    return result


def _pull_secrets(items: list[Section]) -> tuple[PullSecretSettings, ...]:
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
        items[0].problems.add("gitpod:installer.imagePullSecrets", f"lists server {server!r} twice; one credential per registry host.")
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
        items[0].problems.add("gitpod:authProviders", f"uses id {duplicate!r} twice; give each provider its own id.")
    return tuple(result)
