"""The AWS builders, by concern; `architecture` imports this module only when AWS is selected."""

from ..architecture import CloudBuilders
from . import cluster, database, dns, platform, registry, storage
from .platform import AwsPlatform
from .settings import AwsSettings

BUILDERS: CloudBuilders[AwsSettings, AwsPlatform] = CloudBuilders(
    platform=platform.build,
    dns=dns.build,
    cluster=cluster.build,
    database=database.build,
    storage=storage.build,
    registry=registry.build,
)
