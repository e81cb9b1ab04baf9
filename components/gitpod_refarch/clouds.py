"""What each target offers, declared once as data, and where its packages are.

Every target (`gitpod:cloud`) is a package whose `__init__.py` defines `OFFER: CloudOffer`: the
`database.mode`, `storage.mode`, `registry.kind` and `certificate.dns01` values it builds itself,
and its settings section with its defaults and rules. Settings validation (allowed values, "needs
gitpod:cloud X" messages, per-cloud defaults) and the build (`architecture`) both read these
declarations, so the two cannot disagree.

Every cloud package has the same modules for the same concerns: `settings` (its `gitpod:<cloud>`
section), `platform` (built first and once: the frozen record every other builder receives, so
nothing is looked up, cached or downcast later), `network`, `cluster`, `database`, `storage`,
`registry` and `dns`. Each concern's `build` lives next to its component and
is the only code there that reads settings, so the components take plain, required arguments that
other programs can reuse.

Nothing here, and nothing a cloud's `__init__.py` imports, loads a cloud SDK: the offer is pure
data, and only `CloudOffer.builders()` imports the modules that create resources.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .architecture import CloudBuilders
    from .settings.model import NodePoolSettings, Settings
    from .settings.reader import Section
    from .settings.rules import Add

C = TypeVar("C")

#: Every target, in the order messages list them; each is the package `gitpod_refarch.<name>`.
CLOUDS: tuple[str, ...] = ("existing", "gcp", "aws", "azure")


@dataclass(frozen=True, kw_only=True)
class Modes:
    """Setting values a target builds itself, per concern."""

    #: `gitpod:database.mode` values.
    databases: tuple[str, ...] = ()
    #: `gitpod:storage.mode` values.
    storages: tuple[str, ...] = ()
    #: `gitpod:registry.kind` values.
    registries: tuple[str, ...] = ()
    #: `gitpod:certificate.dns01` values; the first is the default with the Let's Encrypt issuers.
    dns01: tuple[str, ...] = ()


#: What every target offers without building anything of its own (`architecture.GENERIC` builds
#: them): the installer's in-cluster services, your own MySQL, S3-compatible bucket or V2 registry,
#: the in-cluster registry on your own S3 bucket (`registry.s3` or the reused storage bucket), and
#: Let's Encrypt through Cloudflare. A target's own entry for a value overrides the generic one
#: (on aws, `s3` is the registry on buckets the program creates).
GENERIC = Modes(
    databases=("incluster", "external"),
    storages=("incluster", "external"),
    registries=("incluster", "external", "s3"),
    dns01=("cloudflare",),
)


@dataclass(frozen=True)
class ManagedCluster:
    """The defaults of a cluster the program creates (absent for an existing cluster)."""

    #: What `gitpod:cluster.distribution` reads as (`gke`, `eks`, `aks`).
    distribution: str
    #: Default size of the services pool and of each workspace pool.
    services_pool: NodePoolSettings
    workspace_pool: NodePoolSettings
    #: Kubernetes minor for new clusters when `gitpod:cluster.kubernetesVersion` is not set; a
    #: version the cloud offers in standard support (None: the cloud picks, e.g. a GKE channel).
    kubernetes_version: str | None = None
    #: Pattern (and help) of a machine type, checked before the cluster (the slow step) exists;
    #: None when the cloud checks it in its rules instead.
    machine_type: tuple[re.Pattern[str], str] | None = None
    #: Whether the cloud schedules its own upgrades in `gitpod:cluster.maintenance`.
    maintenance: bool = False
    #: Further `gitpod:cluster` keys only this cloud reads: key -> (allowed values, default).
    options: Mapping[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)


def _no_rules(settings: Settings[Any], add: Add) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class CloudOffer(Modes, Generic[C]):
    """One target: what it builds itself, its settings section, and where its builders are.

    `C` is the type of its `gitpod:<name>` section (`None` for a target without one).
    """

    #: The `gitpod:cloud` value.
    name: str
    #: Reads `gitpod:<name>` (already scoped to it); None: the target has no section.
    parse: Callable[[Section], C] | None = None
    #: Compatibility rules only this target knows, over the whole validated settings.
    rules: Callable[[Settings[C], Add], None] = _no_rules
    #: A cluster the program creates, with its defaults; None: an existing cluster.
    cluster: ManagedCluster | None = None
    #: `gitpod:database.instanceSize` when it is not set (the managed database's size).
    database_instance: str | None = None
    #: `gitpod:database.caCert` when it is not set and the database is `managed`: the server's root
    #: CAs the program ships (`dbtls`) for this target's section, None where it ships none for the
    #: place (e.g. an AWS region newer than the file). None: the target has no such default.
    database_ca: Callable[[C], str | None] | None = None
    #: Whether its managed database is reached through the Cloud SQL Auth Proxy the installer
    #: deploys (`database.cloudSQL`), whose image `gitpod:installer.repository` does not redirect.
    cloud_sql_proxy: bool = False
    #: Provider packages whose default provider this target's resources use, so the stack's
    #: `<package>:*` keys (credentials, subscription) do reach them; every other key outside
    #: `gitpod:` is reported as not read.
    provider_config: tuple[str, ...] = ()

    @property
    def default_dns01(self) -> str | None:
        return self.dns01[0] if self.dns01 else None

    def builders(self) -> CloudBuilders[C, Any]:
        """Import the modules that build this target (and its cloud SDK).

        By convention, a concern's builder is the `build` function of the target's module of the
        same name (`<target>.platform.build`, `<target>.cluster.build`, `<target>.dns.build`, ...),
        and a target has one exactly for `platform`, `cluster` and the concerns it offers values of.
        """
        from .architecture import CloudBuilders

        def build(module: str, offered: bool = True) -> Any:
            return importlib.import_module(f"{__package__}.{self.name}.{module}").build if offered else None

        return CloudBuilders(
            platform=build("platform"),
            cluster=build("cluster"),
            dns=build("dns", bool(self.dns01)),
            database=build("database", bool(self.databases)),
            storage=build("storage", bool(self.storages)),
            registry=build("registry", bool(self.registries)),
        )


def offer(name: str) -> CloudOffer[Any]:
    """The declaration of a target in `CLOUDS` (imports its package, never its SDK)."""
    declared: CloudOffer[Any] = importlib.import_module(f"{__package__}.{name}").OFFER
    return declared


def offers() -> list[CloudOffer[Any]]:
    """Every target's declaration, in the order of `CLOUDS`."""
    return [offer(name) for name in CLOUDS]


def offered_by(concern: str, value: str) -> list[str]:
    """The targets that build `value` of a concern (`databases`, `storages`, ...) themselves."""
    return [o.name for o in offers() if value in getattr(o, concern)]


def allowed(concern: str) -> tuple[str, ...]:
    """Every value of a concern any target accepts: in-cluster first, then each target's own in
    the order of `CLOUDS`, then the generic ones (the order messages list them in)."""
    values: list[str] = ["incluster"] if "incluster" in getattr(GENERIC, concern) else []
    for o in offers():
        values.extend(getattr(o, concern))
    values.extend(getattr(GENERIC, concern))
    return tuple(dict.fromkeys(values))


def spoken_list(names: list[str], last: str = "or") -> str:
    """`gcp, aws or azure`: names as messages list them."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"
