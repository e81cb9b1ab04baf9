"""Gitpod Self-Hosted reference architecture as Pulumi components.

The public API: the components (`ExistingCluster`, `CertManager`, `InstallerConfig`), the
settings loader, the per-concern contracts, and the pure installer-values builder.
"""

from .certmanager.component import CertManager, CertManagerArgs, certificate_info
from .contracts import (
    CONTAINERD_DEFAULT,
    CONTAINERD_K3S,
    CertificateInfo,
    CertManagerIdentity,
    ClusterInfo,
    ContainerdPaths,
    DatabaseInfo,
    DnsInfo,
    RegistryInfo,
    SecretSpec,
    StorageInfo,
)
from .existing.cluster import ExistingCluster, ExistingClusterArgs
from .installer.component import InstallerConfig, InstallerConfigArgs
from .installer.schema import validate_config, validate_secrets
from .installer.values import InstallerInputs, InstallerValues, build_installer_values
from .settings import Settings, SettingsError, load_settings

__version__ = "0.1.0"

__all__ = [
    "CONTAINERD_DEFAULT",
    "CONTAINERD_K3S",
    "CertManager",
    "CertManagerArgs",
    "CertManagerIdentity",
    "CertificateInfo",
    "ClusterInfo",
    "ContainerdPaths",
    "DatabaseInfo",
    "DnsInfo",
    "ExistingCluster",
    "ExistingClusterArgs",
    "InstallerConfig",
    "InstallerConfigArgs",
    "InstallerInputs",
    "InstallerValues",
    "RegistryInfo",
    "SecretSpec",
    "Settings",
    "SettingsError",
    "StorageInfo",
    "build_installer_values",
    "certificate_info",
    "load_settings",
    "validate_config",
    "validate_secrets",
]
