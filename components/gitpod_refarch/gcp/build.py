"""The GCP builders, by concern; `architecture` imports this module only when GCP is selected."""

from ..architecture import CloudBuilders
from . import cluster, database, dns, platform, registry, storage
from .platform import GcpPlatform
from .settings import GcpSettings

BUILDERS: CloudBuilders[GcpSettings, GcpPlatform] = CloudBuilders(
    platform=platform.build,
    dns=dns.build,
    cluster=cluster.build,
    database=database.build,
    storage=storage.build,
    registry=registry.build,
)
