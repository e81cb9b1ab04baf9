"""The component package: these components, served to programs in any Pulumi language.

`provider/__main__.py` (next to `PulumiPlugin.yaml`) calls `main()`; the Pulumi SDK's
`component_provider_host` infers the schema from the components' annotations and constructs them
when a TypeScript, Go, .NET, Java or YAML program declares one. Consumers run
`pulumi package add <repository>/provider@v<version>` (docs/components.md).
"""

from __future__ import annotations

import pulumi
from pulumi.provider.experimental import component_provider_host

from . import __version__
from .aws.cluster import EksCluster
from .aws.database import RdsMysql
from .aws.dns import Route53Zone
from .aws.storage import S3Bucket
from .azure.cluster import AksCluster
from .azure.database import MysqlFlexibleServer
from .azure.dns import AzureDnsZone
from .azure.registry import ContainerRegistry
from .azure.storage import BlobStorage
from .certmanager.component import CertManager
from .existing.cluster import ExistingCluster
from .externaldns.component import ExternalDns
from .gcp.cluster import GkeCluster
from .gcp.database import CloudSqlDatabase
from .gcp.dns import CloudDnsZone
from .gcp.registry import ArtifactRegistry
from .gcp.storage import GcsStorageAccess
from .installer.component import InstallerConfig
from .reference import GitpodReferenceArchitecture

#: The package name: the first part of every component's type token (`gitpod:index:<Class>`).
NAME = "gitpod"
#: The schema version: the package's own (a release is tagged `v<VERSION>`).
VERSION = __version__

#: What other languages can use (docs/components.md). Each takes `TypedDict` args and exposes
#: `pulumi.Output`s, which the analyzer models; what it cannot model stays Python-only: the dataclass
#: contracts (`ClusterInfo`, `DnsInfo`, ...) each component also sets as a plain attribute, and the
#: cloud resources some expose (`GkeCluster.cluster`), so the schema references no cloud package.
#: A union of contract variants (`DnsInfo`, `DatabaseInfo`, ...) is exported as a `kind` plus one
#: object per kind and adapted to the contract inside the component; what still takes contracts or
#: resources (`InstallerConfig.of`, `GitpodInstallation`'s `after`) stays Python-only. Their modules
#: must not use `from __future__ import annotations` (tests/test_component_package.py).
COMPONENTS: list[type[pulumi.ComponentResource]] = [
    GitpodReferenceArchitecture,
    ExistingCluster,
    # Shared by every target
    CertManager,
    InstallerConfig,
    ExternalDns,
    # AWS (the registry is an S3Bucket too: aws/registry.py has no component of its own)
    EksCluster,
    RdsMysql,
    S3Bucket,
    Route53Zone,
    # GCP
    GkeCluster,
    CloudSqlDatabase,
    GcsStorageAccess,
    ArtifactRegistry,
    CloudDnsZone,
    # Azure
    AksCluster,
    MysqlFlexibleServer,
    BlobStorage,
    ContainerRegistry,
    AzureDnsZone,
]


def main() -> None:
    """Serve the components over the provider protocol (the engine starts this as a plugin)."""
    component_provider_host(COMPONENTS, NAME, version=VERSION)
