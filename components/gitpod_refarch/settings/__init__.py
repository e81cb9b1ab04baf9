"""Stack settings: the only place that reads `gitpod:*` config (see `load_settings`)."""

from .load import DEFAULT_POOLS, TOP_LEVEL_KEYS, SettingsError, load_settings
from .model import (
    CertificateSettings,
    CertManagerSettings,
    CloudSettings,
    ClusterSettings,
    DatabaseSettings,
    DnsZoneSettings,
    ExternalDatabaseSettings,
    ExternalRegistrySettings,
    ExternalStorageSettings,
    Finding,
    InstallerSettings,
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
    "CertManagerSettings",
    "CertificateSettings",
    "CloudSettings",
    "ClusterSettings",
    "ConfigSource",
    "DatabaseSettings",
    "DnsZoneSettings",
    "ExternalDatabaseSettings",
    "ExternalRegistrySettings",
    "ExternalStorageSettings",
    "Finding",
    "InstallerSettings",
    "NodePoolSettings",
    "Problem",
    "RegistrySettings",
    "SecretValue",
    "Settings",
    "SettingsError",
    "StorageSettings",
    "load_settings",
]
