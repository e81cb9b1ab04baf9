"""Bring your own: an external MySQL, S3-compatible, GCS or Azure storage, any Docker Registry HTTP API V2 registry.

Values come straight from settings (credentials from secret config); nothing is created, so these
work on every cloud and on existing clusters, and can be mixed with managed implementations.
"""

from __future__ import annotations

from typing import Any

from .contracts import AzureStorage, ExternalDatabase, ExternalRegistry, GcsStorage, S3Registry, S3Storage, StorageInfo
from .settings import Settings
from .settings.model import ExternalStorageSettings, required


def database(settings: Settings[Any]) -> ExternalDatabase:
    ext = required(settings.database.external, "gitpod:database.external")
    return ExternalDatabase(
        host=ext.host,
        port=ext.port,
        username=ext.username,
        password=ext.password.output(),
        ca_cert=ext.ca_cert,
    )


def _bucket(ext: ExternalStorageSettings) -> S3Storage:
    return S3Storage(
        region=ext.region,
        endpoint=ext.endpoint,
        bucket=ext.bucket,
        access_key_id=ext.access_key_id.output(),
        secret_access_key=ext.secret_access_key.output(),
        allow_insecure_connection=ext.allow_insecure_connection,
    )


def storage(settings: Settings[Any]) -> StorageInfo:
    """Your own buckets, by `gitpod:storage.external.provider`: any S3-compatible endpoint, GCS or Azure Blob."""
    st = settings.storage
    if st.provider == "gcs":
        gcs = required(st.gcs, "gitpod:storage.external (provider gcs)")
        return GcsStorage(region=gcs.region, project=gcs.project, service_account_json=gcs.service_account_key.output())
    if st.provider == "azure":
        az = required(st.azure, "gitpod:storage.external (provider azure)")
        return AzureStorage(region=az.region, account_name=az.account_name, account_key=az.account_key.output())
    return _bucket(required(st.external, "gitpod:storage.external"))


def registry(settings: Settings[Any]) -> ExternalRegistry:
    ext = required(settings.registry.external, "gitpod:registry.external")
    return ExternalRegistry(url=ext.url, server=ext.server, username=ext.username, password=ext.password.output())


def s3_registry(settings: Settings[Any], storage: StorageInfo) -> S3Registry:
    """The installer's in-cluster registry on your S3-compatible bucket: `gitpod:registry.s3`, or the
    object-storage bucket itself with `reuseStorageBucket` (any target, including GKE and AKS)."""
    if settings.registry.reuse_storage_bucket:
        return reused_bucket(storage)
    return S3Registry.on(_bucket(required(settings.registry.s3, "gitpod:registry.s3")))


def reused_bucket(storage: StorageInfo) -> S3Registry:
    """The registry on the object-storage bucket (`gitpod:registry.reuseStorageBucket`), which must be S3."""
    match storage:
        case S3Storage():
            return S3Registry.on(storage)
        case _:
            raise ValueError("gitpod:registry.reuseStorageBucket needs S3-compatible object storage; the settings refuse any other")
