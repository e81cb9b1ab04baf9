"""The Azure builders, by concern; `architecture` imports this module only when Azure is selected."""

from ..architecture import CloudBuilders
from . import cluster, database, dns, platform, registry, storage
from .platform import AzurePlatformInfo
from .settings import AzureSettings

BUILDERS: CloudBuilders[AzureSettings, AzurePlatformInfo] = CloudBuilders(
    platform=platform.build,
    dns=dns.build,
    cluster=cluster.build,
    database=database.build,
    storage=storage.build,
    registry=registry.build,
)
