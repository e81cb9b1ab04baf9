"""`S3Bucket`: a private, encrypted, versioned bucket and an IAM user that can use only it.

The registry (`registry.py`) gets its own with the same component, or reuses this one's contract.

Gitpod 2022.11 reads S3 credentials from a Secret (`accessKeyId`/`secretAccessKey` for object
storage, `s3AccessKey`/`s3SecretKey` for the registry); it has no way to use a pod role, so a
dedicated IAM user with an access key is the narrowest identity it can use. The user's policy
names this bucket only.
"""

import json
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from ..contracts import S3Storage, StorageInfo
from . import policies
from .platform import AwsContext

TYPE = "gitpod:index:S3Bucket"


class S3BucketArgs(TypedDict, total=False):
    purpose: str
    """What the bucket holds, for tags and descriptions (e.g. `workspace content`)."""
    noncurrent_version_days: int
    """Days a replaced or deleted object version is kept before it expires (default 30)."""
    protect: bool
    """Protect the bucket from deletion (default true)."""
    key_rotation: str
    """Any value; changing it replaces the IAM user's access key (default: none)."""


class S3Bucket(pulumi.ComponentResource):
    """A bucket Gitpod can read and write, nobody else can reach, and that never loses data silently.

    Public access is blocked and ACLs are disabled (bucket-owner-enforced); objects are encrypted
    with S3-managed keys; plain-HTTP requests are refused; versioning keeps overwritten and
    deleted objects for `noncurrent_version_days`. The bucket is protected and not force-destroyed:
    deleting a stack never empties it.
    """

    bucket: pulumi.Output[str]
    """The bucket name."""
    arn: pulumi.Output[str]
    """The bucket ARN."""
    access_key_id: pulumi.Output[str]
    """The IAM user's access key id (secret)."""
    secret_access_key: pulumi.Output[str]
    """The IAM user's secret access key (secret)."""
    key_created: pulumi.Output[str]
    """When the access key was created (RFC 3339)."""

    def __init__(self, name: str, args: S3BucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        purpose = args.get("purpose", "Gitpod data")
        protect = args.get("protect", True)
        child = pulumi.ResourceOptions(parent=self)

        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            force_destroy=False,
            tags={"Name": name, "gitpod.io/purpose": purpose},
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "expire-old-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": args.get("noncurrent_version_days", 30)},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps(policies.tls_only(arn))),
            # S3 rejects a policy while the public-access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[block]),
        )

        user = aws.iam.User(f"{name}-user", tags={"gitpod.io/purpose": purpose}, opts=child)
        user_policy = aws.iam.UserPolicy(
            f"{name}-user-policy",
            user=user.name,
            policy=bucket.arn.apply(lambda arn: json.dumps(policies.bucket_access(arn))),
            opts=child,
        )
        # Gitpod 2022.11's S3 clients take static keys only. A new `key_rotation` value replaces the
        # key: the new one is made and written to the installer's Secret before the old one is
        # deleted (IAM allows two access keys per user).
        key = aws.iam.AccessKey(
            f"{name}-access-key",
            user=user.name,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[user_policy], replacement_trigger=args.get("key_rotation")),
        )

        self.bucket = bucket.bucket
        self.arn = bucket.arn
        self.access_key_id = pulumi.Output.secret(key.id)
        self.secret_access_key = pulumi.Output.secret(key.secret)
        self.key_created = key.create_date
        self.register_outputs(
            {"bucket": self.bucket, "arn": self.arn, "accessKeyId": self.access_key_id, "secretAccessKey": self.secret_access_key}
        )


def bucket(ctx: AwsContext, concern: str, purpose: str) -> S3Storage:
    """An `S3Bucket` named after the concern it serves, as the S3-compatible contract of its bucket."""
    platform = ctx.platform
    args: S3BucketArgs = {"purpose": purpose, "protect": ctx.settings.protect}
    if ctx.settings.cloud_settings.key_rotation is not None:
        args["key_rotation"] = ctx.settings.cloud_settings.key_rotation
    bucket = S3Bucket(f"{ctx.name}-{concern}", args, opts=ctx.opts(platform.opts()))
    return S3Storage(
        region=platform.region,
        endpoint=platform.partition.s3_endpoint(platform.region),
        bucket=bucket.bucket,
        access_key_id=bucket.access_key_id,
        secret_access_key=bucket.secret_access_key,
        key_created=bucket.key_created,
    )


def build(ctx: AwsContext) -> StorageInfo:
    return bucket(ctx, "storage", "workspace content and backups")
