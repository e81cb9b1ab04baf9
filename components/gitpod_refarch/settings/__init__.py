"""Stack settings: the only place that reads `gitpod:*` config (see `load_settings`)."""

from .aws import AwsSettings
from .azure import AzureSettings
from .gcp import GcpSettings
from .load import DEFAULT_POOLS, TOP_LEVEL_KEYS, SettingsError, load_settings
from .model import (
    CertificateSettings,
    CertManagerSettings,
    ClusterSettings,
    DatabaseSettings,
    DnsZoneSettings,
    ExternalDatabaseSettings,
    ExternalRegistrySettings,
    ExternalStorageSettings,
    Finding,
    InstallerSettings,
    MaintenanceExclusion,
    MaintenanceSettings,
    NodePoolSettings,
    RegistrySettings,
    Settings,
    StorageSettings,
)
from .reader import ConfigSource, Problem
from .secret import SecretValue

__all__ = [
    "DEFAULT_POOLS",
    "TOP_LEVEL_KEYS",
    "AwsSettings",
    "AzureSettings",
    "CertManagerSettings",
    "CertificateSettings",
    "ClusterSettings",
    "ConfigSource",
    "DatabaseSettings",
    "DnsZoneSettings",
    "ExternalDatabaseSettings",
    "ExternalRegistrySettings",
    "ExternalStorageSettings",
    "Finding",
    "GcpSettings",
    "InstallerSettings",
    "MaintenanceExclusion",
    "MaintenanceSettings",
    "NodePoolSettings",
    "Problem",
    "RegistrySettings",
    "SecretValue",
    "Settings",
    "SettingsError",
    "StorageSettings",
    "load_settings",
]
