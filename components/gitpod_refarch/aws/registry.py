"""The registry on AWS: the installer's in-cluster registry storing image layers in S3.

Gitpod cannot use ECR (it does not create repositories on push), so `gitpod:registry.kind: s3`
on AWS gets a bucket of its own (`S3Bucket`, with a user that can use only it), or, with
`reuseStorageBucket`, the object-storage bucket passed in as the storage's contract.
"""

from __future__ import annotations

from .. import byo
from ..contracts import RegistryInfo, S3Registry, StorageInfo
from .platform import AwsContext
from .storage import bucket


def build(ctx: AwsContext, storage: StorageInfo) -> RegistryInfo:
    if ctx.settings.registry.reuse_storage_bucket:
        return byo.reused_bucket(storage)
    return S3Registry.on(bucket(ctx, "registry", "container registry layers"))
