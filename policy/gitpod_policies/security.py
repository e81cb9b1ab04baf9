"""Security: Gitpod's data stores are private and encrypted at rest."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .properties import (
    AZURE_BLOB_CONTAINER,
    AZURE_MYSQL,
    AZURE_STORAGE_ACCOUNT,
    GCP_SQL,
    GCS_BUCKET,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    S3_BUCKETS,
    S3_ENCRYPTION,
    S3_PUBLIC_ACCESS_BLOCK,
    UNKNOWN,
    get,
    items,
    report_on_resource,
    when,
)


# -- no public database -------------------------------------------------------------------------------
@when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER_INSTANCE, AZURE_MYSQL)
def _no_public_database(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == GCP_SQL:
        ipv4 = get(props, "settings.ipConfiguration.ipv4Enabled")
        if ipv4 is not UNKNOWN and ipv4 is not False:
            report_on_resource(
                report,
                "The Cloud SQL instance gets a public IPv4 address (settings.ipConfiguration.ipv4Enabled is not false; "
                "Cloud SQL's default is true). Gitpod reaches it over the VPC: set ipv4Enabled: false with a privateNetwork.",
            )
    elif args.resource_type in (RDS_INSTANCE, RDS_CLUSTER_INSTANCE):
        if get(props, "publiclyAccessible") is True:
            report_on_resource(
                report, "The RDS instance is publicly accessible. Gitpod reaches it from the cluster's VPC: set publiclyAccessible: false."
            )
    else:
        access = get(props, "network.publicNetworkAccess")
        subnet = get(props, "network.delegatedSubnetResourceId")
        if access is UNKNOWN or access == "Disabled" or (access is None and subnet is not None):
            return
        report_on_resource(
            report,
            f"The MySQL Flexible Server allows public network access (network.publicNetworkAccess is {access or 'unset, Azure enables it'}). "
            "Integrate it with the cluster's VNet (network.delegatedSubnetResourceId) and set publicNetworkAccess: Disabled.",
        )


NO_PUBLIC_DATABASE = ResourceValidationPolicy(
    name="no-public-database",
    description="Gitpod's database is reachable only from its network (no public IP / public access).",
    validate=_no_public_database,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
)


# -- no public bucket ---------------------------------------------------------------------------------
_S3_BLOCKS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@when(GCS_BUCKET, S3_PUBLIC_ACCESS_BLOCK, *S3_BUCKETS, AZURE_STORAGE_ACCOUNT, AZURE_BLOB_CONTAINER)
def _no_public_bucket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind == GCS_BUCKET:
        uniform = get(props, "uniformBucketLevelAccess")
        prevention = get(props, "publicAccessPrevention")
        if uniform is not UNKNOWN and uniform is not True:
            report_on_resource(
                report, "The bucket allows per-object ACLs: set uniformBucketLevelAccess: true so only IAM decides who reads Gitpod's data."
            )
        if prevention is not UNKNOWN and prevention != "enforced":
            report_on_resource(
                report,
                f"publicAccessPrevention is {prevention or 'unset (inherited)'}: set it to 'enforced' so the bucket can never be made public.",
            )
    elif kind == S3_PUBLIC_ACCESS_BLOCK:
        off = [key for key in _S3_BLOCKS if get(props, key) is not UNKNOWN and get(props, key) is not True]
        if off:
            report_on_resource(report, f"The S3 public access block leaves {', '.join(off)} off: set all four to true.")
    elif kind in S3_BUCKETS:
        acl = get(props, "acl")
        if isinstance(acl, str) and acl.startswith("public-"):
            report_on_resource(
                report, f"The S3 bucket has the canned ACL {acl!r}: remove it (and keep a public access block on the bucket)."
            )
    elif kind == AZURE_STORAGE_ACCOUNT:
        allowed = get(props, "allowBlobPublicAccess")
        if allowed is not UNKNOWN and allowed is not False:
            report_on_resource(report, "The storage account allows public blob access: set allowBlobPublicAccess: false.")
    else:
        access = get(props, "publicAccess")
        if access is not UNKNOWN and access not in (None, "None"):
            report_on_resource(report, f"The blob container is public (publicAccess {access!r}): set publicAccess: None.")


NO_PUBLIC_BUCKET = ResourceValidationPolicy(
    name="no-public-bucket",
    description="Buckets and storage accounts holding Gitpod's data cannot be made public.",
    validate=_no_public_bucket,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
)


# -- encryption at rest -------------------------------------------------------------------------------
@when(RDS_INSTANCE, RDS_CLUSTER, *S3_ENCRYPTION)
def _encryption_at_rest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type in (RDS_INSTANCE, RDS_CLUSTER):
        encrypted = get(props, "storageEncrypted")
        if encrypted is not UNKNOWN and encrypted is not True:
            report_on_resource(
                report,
                "The database storage is not encrypted (storageEncrypted is not true); it cannot be turned on later without a replacement.",
            )
        return
    rules = items(get(props, "rules"))
    algorithms = [get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm") for rule in rules]
    if UNKNOWN not in algorithms and not any(algorithms):
        report_on_resource(
            report,
            "The bucket's encryption configuration has no rule with applyServerSideEncryptionByDefault.sseAlgorithm (AES256 or aws:kms).",
        )


ENCRYPTION_AT_REST = ResourceValidationPolicy(
    name="encryption-at-rest",
    description="Databases and buckets are encrypted at rest.",
    validate=_encryption_at_rest,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- every S3 bucket has its guards -------------------------------------------------------------------
def _refers_to(resource: Any, target: Any) -> bool:
    """Whether `resource` (a bucket's companion config) points at the `target` bucket."""
    if target in (resource.dependencies or []) or target in (resource.property_dependencies or {}).get("bucket", []):
        return True
    wanted = {get(target.props, "bucket"), get(target.props, "id")} - {None, UNKNOWN}
    return get(resource.props, "bucket") in wanted


def _s3_bucket_guards(args: StackValidationArgs, report: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type in S3_BUCKETS]
    blocks = [r for r in args.resources if r.resource_type == S3_PUBLIC_ACCESS_BLOCK]
    encryption = [r for r in args.resources if r.resource_type in S3_ENCRYPTION]
    for bucket in buckets:
        if not any(_refers_to(block, bucket) for block in blocks):
            report(f"S3 bucket {bucket.name} has no BucketPublicAccessBlock: add one with all four settings true.", bucket.urn)
        inline = get(bucket.props, "serverSideEncryptionConfiguration")
        if inline is None and not any(_refers_to(config, bucket) for config in encryption):
            report(
                f"S3 bucket {bucket.name} has no BucketServerSideEncryptionConfiguration: declare one (SSE-S3 or SSE-KMS) so "
                "encryption at rest is explicit and reviewable.",
                bucket.urn,
            )


S3_BUCKET_GUARDS = StackValidationPolicy(
    name="s3-bucket-guards",
    description="Every S3 bucket has a public access block and an explicit server-side encryption configuration.",
    validate=_s3_bucket_guards,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)

POLICIES: list[Policy] = [NO_PUBLIC_DATABASE, NO_PUBLIC_BUCKET, ENCRYPTION_AT_REST, S3_BUCKET_GUARDS]
