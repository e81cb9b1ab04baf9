"""Gitpod Self-Hosted reference architecture as Pulumi components.

The public API: the components (`ExistingCluster`, `CertManager`, `InstallerConfig`,
`GitpodInstallation`), the
settings loader, the per-concern contracts (each a union of variants, e.g. `StorageInfo` is
`InClusterStorage | S3Storage | GcsStorage | AzureStorage`), and the pure installer-values builder.
"""

from .certmanager.args import CertManagerArgs, DnsZoneKind
from .certmanager.component import CertManager, certificate_info
from .contracts import (
    CONTAINERD_DEFAULT,
    CONTAINERD_K3S,
    AuthProvider,
    AzureDnsZoneInfo,
    AzureStorage,
    CertificateInfo,
    CertManagerIdentity,
    CloudDnsZoneInfo,
    CloudflareZoneInfo,
    CloudSqlConnection,
    ClusterInfo,
    ContainerdPaths,
    DatabaseInfo,
    DnsInfo,
    ExternalDatabase,
    ExternalRegistry,
    GcsStorage,
    InClusterDatabase,
    InClusterRegistry,
    InClusterStorage,
    RegistryCredential,
    RegistryInfo,
    Route53ZoneInfo,
    S3Registry,
    S3Storage,
    SecretSpec,
    StorageInfo,
)
from .existing.cluster import ExistingCluster, ExistingClusterArgs
from .installer.args import InstallerConfigArgs, InstallerDatabaseKind, InstallerRegistryKind, InstallerStorageKind
from .installer.component import InstallerConfig, InstallerConfigSpec
from .installer.deploy import GitpodInstallation, GitpodInstallationArgs, installer_image
from .installer.schema import validate_config, validate_secrets
from .installer.values import InstallerInputs, InstallerValues, build_installer_values
from .settings import Settings, SettingsError, load_settings

__version__ = "0.2.0"

__all__ = [
    "CONTAINERD_DEFAULT",
    "CONTAINERD_K3S",
    "AuthProvider",
    "AzureDnsZoneInfo",
    "AzureStorage",
    "CertManager",
    "CertManagerArgs",
    "CertManagerIdentity",
    "CertificateInfo",
    "CloudDnsZoneInfo",
    "CloudSqlConnection",
    "CloudflareZoneInfo",
    "ClusterInfo",
    "ContainerdPaths",
    "DatabaseInfo",
    "DnsInfo",
    "DnsZoneKind",
    "ExistingCluster",
    "ExistingClusterArgs",
    "ExternalDatabase",
    "ExternalRegistry",
    "GcsStorage",
    "GitpodInstallation",
    "GitpodInstallationArgs",
    "InClusterDatabase",
    "InClusterRegistry",
    "InClusterStorage",
    "InstallerConfig",
    "InstallerConfigArgs",
    "InstallerConfigSpec",
    "InstallerDatabaseKind",
    "InstallerInputs",
    "InstallerRegistryKind",
    "InstallerStorageKind",
    "InstallerValues",
    "RegistryCredential",
    "RegistryInfo",
    "Route53ZoneInfo",
    "S3Registry",
    "S3Storage",
    "SecretSpec",
    "Settings",
    "SettingsError",
    "StorageInfo",
    "build_installer_values",
    "certificate_info",
    "installer_image",
    "load_settings",
    "validate_config",
    "validate_secrets",
]
