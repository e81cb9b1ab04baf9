"""Bring your own: an external MySQL, S3-compatible storage, any Docker Registry HTTP API V2 registry.

Values come straight from settings (credentials from secret config); nothing is created, so these
work on every cloud and on existing clusters, and can be mixed with managed implementations.
"""

from __future__ import annotations

from .contracts import ExternalDatabase, ExternalRegistry, S3Registry, S3Storage
from .settings import ExternalStorageSettings, Settings


def database(settings: Settings) -> ExternalDatabase:
    ext = settings.database.external
    assert ext is not None, "settings guarantee database.external with mode 'external'"
    return ExternalDatabase(
        host=ext.host,
        port=ext.port,
        username=ext.username,
        password=ext.password.output(),
        ca_cert=ext.ca_cert,
    )


def storage(settings: Settings) -> S3Storage:
    ext = settings.storage.external
    assert ext is not None, "settings guarantee storage.external with mode 'external'"
    return S3Storage(
        region=ext.region,
        endpoint=ext.endpoint,
        bucket=ext.bucket,
        access_key_id=ext.access_key_id.output(),
        secret_access_key=ext.secret_access_key.output(),
        allow_insecure_connection=ext.allow_insecure_connection,
    )


def registry(settings: Settings) -> ExternalRegistry:
    ext = settings.registry.external
    assert ext is not None, "settings guarantee registry.external with kind 'external'"
    return ExternalRegistry(url=ext.url, server=ext.server, username=ext.username, password=ext.password.output())


def s3_registry(settings: Settings) -> S3Registry:
    """The installer's in-cluster registry storing blobs in any S3-compatible bucket."""
    bucket: ExternalStorageSettings | None = settings.storage.external if settings.registry.reuse_storage_bucket else settings.registry.s3
    assert bucket is not None, "settings guarantee an S3 bucket for kind 's3' outside AWS"
    return S3Registry(
        bucket=bucket.bucket,
        region=bucket.region,
        endpoint=bucket.endpoint,
        access_key=bucket.access_key_id.output(),
        secret_key=bucket.secret_access_key.output(),
    )
