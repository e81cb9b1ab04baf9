"""The registry on AWS: the installer's in-cluster registry storing image layers in S3.

Gitpod cannot use ECR (it does not create repositories on push), so `gitpod:registry.kind: s3`
on AWS gets a bucket of its own (`S3Bucket`, with a user that can use only it), or, with
`reuseStorageBucket`, the object-storage bucket passed in as the storage's contract.
"""

from __future__ import annotations

from .. import byo
from ..contracts import RegistryInfo, S3Registry, StorageInfo
from .platform import AwsContext
from .storage import S3Bucket


def build(ctx: AwsContext, storage: StorageInfo) -> RegistryInfo:
    settings, platform = ctx.settings, ctx.platform
    if settings.registry.reuse_storage_bucket:
        return byo.reused_bucket(storage)
    bucket = S3Bucket(f"{ctx.name}-registry", {"purpose": "container registry layers", "protect": settings.protect}, opts=platform.opts())
    return S3Registry(
        bucket=bucket.bucket,
        region=platform.region,
        endpoint=platform.partition.s3_endpoint(platform.region),
        access_key=bucket.access_key_id,
        secret_key=bucket.secret_access_key,
    )
