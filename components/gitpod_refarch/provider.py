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
from .certmanager.component import CertManager
from .existing.cluster import ExistingCluster
from .externaldns.component import ExternalDns
from .installer.component import InstallerConfig
from .reference import GitpodReferenceArchitecture

#: The package name: the first part of every component's type token (`gitpod:index:<Class>`).
NAME = "gitpod"
#: The schema version: the package's own (a release is tagged `v<VERSION>`).
VERSION = __version__

#: What other languages can use: components whose args are plain (TypedDicts, no unions, no
#: dataclasses). A union of contract variants (`DnsInfo`, `DatabaseInfo`, ...) is exported as a
#: `kind` plus one object per kind and adapted to the contract inside the component; what still
#: takes contracts or resources (`InstallerConfig.of`, `GitpodInstallation`'s `after`) stays Python-only.
COMPONENTS: list[type[pulumi.ComponentResource]] = [GitpodReferenceArchitecture, ExistingCluster, CertManager, InstallerConfig, ExternalDns]


def main() -> None:
    """Serve the components over the provider protocol (the engine starts this as a plugin)."""
    component_provider_host(COMPONENTS, NAME, version=VERSION)
