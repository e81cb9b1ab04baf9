"""Stack settings: the only place that reads `gitpod:*` config (see `load_settings`).

The sections every target shares live here; each target's own section (`gitpod:aws`, ...) lives in
its package (`gitpod_refarch.aws.settings`), declared to the loader by its `clouds.CloudOffer`.
"""

from .load import TOP_LEVEL_KEYS, SettingsError, load_settings
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
    "TOP_LEVEL_KEYS",
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
