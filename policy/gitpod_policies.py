"""Gitpod's compatibility rules and security rules as Pulumi policies (pulumi-policy 1.21).

`__main__.py` only builds the `PolicyPack` from `POLICIES` (its constructor starts a gRPC server
and never returns), so the tests import this module and run every policy in-process.

    pulumi preview --stack <stack> --policy-pack policy [--policy-pack-config policy/config.json]

Conventions, so the rules stay readable and safe:

* properties use the engine's camelCase names and types are compared by token
  (`args.resource_type`), as the Python SDK has no typed helpers;
* a value that is unknown during a preview (computed by another resource) is never judged: the
  policy skips it, and the engine runs policies again with known values on `pulumi up`;
* every rule says what Gitpod or the data needs and how to fix it;
* enforcement levels are the defaults below (mandatory, except the advisory `protect` check);
  any policy's level, and the settings in its `config_schema`, can be changed per stack with
  `--policy-pack-config` (see docs/review.md).

Gitpod's node labels, version floors and refusal reasons come from
`components/gitpod_refarch/compatibility.py`, and the stateful types from
`components/gitpod_refarch/plan/stateful.py`, so the pack and the program share one source. Both
modules use only the standard library; when the `gitpod_refarch` package is not installed (the
pack's own virtualenv), they are loaded from this checkout.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

_COMPONENTS = Path(__file__).resolve().parent.parent / "components"


def _load(module: str) -> ModuleType:
    """Import `gitpod_refarch.<module>`, or load its file from this checkout without the package."""
    try:
        return importlib.import_module(f"gitpod_refarch.{module}")
    except ImportError:
        path = _COMPONENTS / "gitpod_refarch" / (module.replace(".", "/") + ".py")
        name = f"_gitpod_policy_{module.replace('.', '_')}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}: run the policy pack from a checkout of this repository") from None
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        spec.loader.exec_module(loaded)
        return loaded


compatibility = _load("compatibility")
stateful = _load("plan.stateful")

PACK_NAME = "gitpod-refarch"
DEFAULT_ENFORCEMENT = EnforcementLevel.MANDATORY

# -- resource types ------------------------------------------------------------------------------
GCP_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
GCS_BUCKET = "gcp:storage/bucket:Bucket"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
ECR_REPOSITORY = "aws:ecr/repository:Repository"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
AZURE_MYSQL = "azure-native:dbformysql:Server"
AZURE_STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
AZURE_BLOB_CONTAINER = "azure-native:storage:BlobContainer"
AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
NODE_PATCH = "kubernetes:core/v1:NodePatch"
HELM_CHARTS = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")


# -- reading properties safely ---------------------------------------------------------------------
class _Unknown:
    """A value the engine does not know yet (preview); never judged."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def get(props: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path (list indexes allowed), `default` if absent, `UNKNOWN` if unknown."""
    value = props
    try:
        for part in path.split("."):
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(value, Mapping):
                if part not in value:
                    return default
                value = value[part]
            elif isinstance(value, Sequence) and not isinstance(value, str):
                if not part.isdigit() or int(part) >= len(value):
                    return default
                value = value[int(part)]
            else:
                return default
    except UnknownValueError:
        return UNKNOWN
    return default if value is None else value


def items(value: Any) -> list[Any]:
    """The elements of a list property (unknown elements come back as `UNKNOWN`)."""
    if value is None or value is UNKNOWN or isinstance(value, (str, Mapping)):
        return []
    found = []
    for index in range(len(value)):
        try:
            found.append(value[index])
        except UnknownValueError:
            found.append(UNKNOWN)
    return found


def labels_of(value: Any) -> dict[str, Any] | None:
    """A labels map as a plain dict; None when it is unknown during preview."""
    if value is UNKNOWN:
        return None
    if not isinstance(value, Mapping):
        return {}
    result = {}
    for key in value:
        try:
            result[str(key)] = value[key]
        except UnknownValueError:
            result[str(key)] = UNKNOWN
    return result


def _report(report: ReportViolation, message: str) -> None:
    report(message, None)


Validate = Callable[[ResourceValidationArgs, ReportViolation], None]


def _when(*types: str) -> Callable[[Validate], Validate]:
    """Run a validation only for the given resource types."""

    def wrap(check: Validate) -> Validate:
        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type in types:
                check(args, report)

        validate.__doc__ = check.__doc__
        return validate

    return wrap


# -- security: no public database -------------------------------------------------------------------
@_when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER_INSTANCE, AZURE_MYSQL)
def _no_public_database(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == GCP_SQL:
        ipv4 = get(props, "settings.ipConfiguration.ipv4Enabled")
        if ipv4 is not UNKNOWN and ipv4 is not False:
            _report(
                report,
                "The Cloud SQL instance gets a public IPv4 address (settings.ipConfiguration.ipv4Enabled is not false; "
                "Cloud SQL's default is true). Gitpod reaches it over the VPC: set ipv4Enabled: false with a privateNetwork.",
            )
    elif args.resource_type in (RDS_INSTANCE, RDS_CLUSTER_INSTANCE):
        if get(props, "publiclyAccessible") is True:
            _report(
                report, "The RDS instance is publicly accessible. Gitpod reaches it from the cluster's VPC: set publiclyAccessible: false."
            )
    else:
        access = get(props, "network.publicNetworkAccess")
        subnet = get(props, "network.delegatedSubnetResourceId")
        if access is UNKNOWN or access == "Disabled" or (access is None and subnet is not None):
            return
        _report(
            report,
            f"The MySQL Flexible Server allows public network access (network.publicNetworkAccess is {access or 'unset, Azure enables it'}). "
            "Integrate it with the cluster's VNet (network.delegatedSubnetResourceId) and set publicNetworkAccess: Disabled.",
        )


# -- security: no public bucket ---------------------------------------------------------------------
_S3_BLOCKS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@_when(GCS_BUCKET, S3_PUBLIC_ACCESS_BLOCK, *S3_BUCKETS, AZURE_STORAGE_ACCOUNT, AZURE_BLOB_CONTAINER)
def _no_public_bucket(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind == GCS_BUCKET:
        uniform = get(props, "uniformBucketLevelAccess")
        prevention = get(props, "publicAccessPrevention")
        if uniform is not UNKNOWN and uniform is not True:
            _report(
                report, "The bucket allows per-object ACLs: set uniformBucketLevelAccess: true so only IAM decides who reads Gitpod's data."
            )
        if prevention is not UNKNOWN and prevention != "enforced":
            _report(
                report,
                f"publicAccessPrevention is {prevention or 'unset (inherited)'}: set it to 'enforced' so the bucket can never be made public.",
            )
    elif kind == S3_PUBLIC_ACCESS_BLOCK:
        off = [key for key in _S3_BLOCKS if get(props, key) is not UNKNOWN and get(props, key) is not True]
        if off:
            _report(report, f"The S3 public access block leaves {', '.join(off)} off: set all four to true.")
    elif kind in S3_BUCKETS:
        acl = get(props, "acl")
        if isinstance(acl, str) and acl.startswith("public-"):
            _report(report, f"The S3 bucket has the canned ACL {acl!r}: remove it (and keep a public access block on the bucket).")
    elif kind == AZURE_STORAGE_ACCOUNT:
        allowed = get(props, "allowBlobPublicAccess")
        if allowed is not UNKNOWN and allowed is not False:
            _report(report, "The storage account allows public blob access: set allowBlobPublicAccess: false.")
    else:
        access = get(props, "publicAccess")
        if access is not UNKNOWN and access not in (None, "None"):
            _report(report, f"The blob container is public (publicAccess {access!r}): set publicAccess: None.")


# -- security: encryption at rest -------------------------------------------------------------------
@_when(RDS_INSTANCE, RDS_CLUSTER, *S3_ENCRYPTION)
def _encryption_at_rest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type in (RDS_INSTANCE, RDS_CLUSTER):
        encrypted = get(props, "storageEncrypted")
        if encrypted is not UNKNOWN and encrypted is not True:
            _report(
                report,
                "The database storage is not encrypted (storageEncrypted is not true); it cannot be turned on later without a replacement.",
            )
        return
    rules = items(get(props, "rules"))
    algorithms = [get(rule, "applyServerSideEncryptionByDefault.sseAlgorithm") for rule in rules]
    if UNKNOWN not in algorithms and not any(algorithms):
        _report(
            report,
            "The bucket's encryption configuration has no rule with applyServerSideEncryptionByDefault.sseAlgorithm (AES256 or aws:kms).",
        )


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


# -- data safety: deletion protection and `protect` ----------------------------------------------------
@_when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER)
def _database_deletion_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == GCP_SQL:
        values = [get(props, "settings.deletionProtectionEnabled"), get(props, "deletionProtection")]
        if UNKNOWN in values or True in values:
            return
        _report(
            report,
            "Neither settings.deletionProtectionEnabled (Cloud SQL's own guard) nor deletionProtection (the provider's) is true: "
            "a mistaken delete or replacement would drop Gitpod's database. Set gitpod:database.deletionProtection back to true.",
        )
        return
    protection = get(props, "deletionProtection")
    if protection is not UNKNOWN and protection is not True:
        _report(
            report,
            "deletionProtection is not true: a mistaken delete or replacement would drop Gitpod's database. "
            "Set gitpod:database.deletionProtection back to true.",
        )


def _stateful_resources_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in stateful.PROTECT_TYPES and not args.opts.protect:
        _report(
            report,
            f"{args.resource_type} holds data but is not protected: `pulumi destroy` (or an accidental rename) deletes it. "
            "Keep gitpod:protect true outside throwaway stacks.",
        )


# -- Gitpod: node labels -------------------------------------------------------------------------------
_LABEL_PREFIX = "gitpod.io/workload_"


def _pools(resource_type: str, props: Any) -> list[tuple[str, Any]]:
    """(pool name, labels) for every node pool a resource declares; labels may be UNKNOWN."""
    if resource_type == GKE_NODE_POOL:
        return [(str(get(props, "name", "")), get(props, "nodeConfig.labels"))]
    if resource_type == GKE_CLUSTER:
        if get(props, "removeDefaultNodePool") is True or get(props, "enableAutopilot") is True:
            return []
        return [("default-pool", get(props, "nodeConfig.labels"))]
    if resource_type == EKS_NODE_GROUP:
        return [(str(get(props, "nodeGroupName", "")), get(props, "labels"))]
    if resource_type == AKS_AGENT_POOL:
        return [(str(get(props, "agentPoolName", "")), get(props, "nodeLabels"))]
    if resource_type == AKS_CLUSTER:
        return [(str(get(profile, "name", "")), get(profile, "nodeLabels")) for profile in items(get(props, "agentPoolProfiles"))]
    return []


def _gitpod_labels(labels: dict[str, Any]) -> set[str]:
    return {key for key, value in labels.items() if key.startswith(_LABEL_PREFIX) and str(value).lower() == "true"}


@_when(GKE_NODE_POOL, GKE_CLUSTER, EKS_NODE_GROUP, AKS_AGENT_POOL, AKS_CLUSTER)
def _node_pool_labels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    exempt = set(args.get_config().get("exemptPools", []))
    for pool, raw in _pools(args.resource_type, args.props):
        labels = labels_of(raw)
        if labels is None or UNKNOWN in labels.values() or args.name in exempt or pool in exempt:
            continue
        if not _gitpod_labels(labels):
            _report(
                report,
                f"Node pool {pool or args.name!r} carries no Gitpod workload label ({', '.join(compatibility.ALL_NODE_LABELS)}), so no Gitpod "
                "component will run on it. Label it for the workloads it should host, or list it in this policy's exemptPools.",
            )


def _node_labels_complete(args: StackValidationArgs, report: ReportViolation) -> None:
    found: set[str] = set()
    any_pool = False
    for resource in args.resources:
        pools = _pools(resource.resource_type, resource.props)
        if resource.resource_type == NODE_PATCH:
            pools = [(resource.name, get(resource.props, "metadata.labels"))]
        for _, raw in pools:
            labels = labels_of(raw)
            if labels is None or UNKNOWN in labels.values():
                return  # unknown during preview: judged on `pulumi up`
            any_pool = True
            found |= _gitpod_labels(labels)
    missing = [label for label in compatibility.ALL_NODE_LABELS if label not in found]
    if any_pool and missing:
        report(
            f"No node pool carries {', '.join(missing)}=true: the 2022.11 installer's affinity check fails and those Gitpod "
            "components cannot be scheduled. Give the services pool the meta/ide/workspace_services/services labels and the "
            "workspace pools workload_workspace_regular/headless.",
            None,
        )


# -- Gitpod: registries and GKE ----------------------------------------------------------------------
@_when(ECR_REPOSITORY)
def _no_ecr(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _report(report, compatibility.ECR_REASON)


@_when(GKE_CLUSTER)
def _gke_calico(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if get(props, "enableAutopilot") is True:
        return  # gke-no-autopilot explains why; Autopilot has no network policy setting
    if get(props, "datapathProvider") == "ADVANCED_DATAPATH":
        _report(report, "datapathProvider is ADVANCED_DATAPATH (Dataplane V2). " + compatibility.DATAPLANE_V2_REASON)
    enabled, provider = get(props, "networkPolicy.enabled"), get(props, "networkPolicy.provider")
    if UNKNOWN in (enabled, provider):
        return
    if enabled is not True or provider != "CALICO":
        _report(
            report,
            "GKE network policy is not Calico (set networkPolicy: {enabled: true, provider: CALICO} on LEGACY_DATAPATH); "
            "Calico is the network policy Gitpod supports on GKE.",
        )
    elif get(props, "addonsConfig.networkPolicyConfig.disabled") is True:
        _report(
            report,
            "networkPolicy is Calico but the network-policy add-on is disabled (addonsConfig.networkPolicyConfig.disabled: true), so GKE does not enforce it.",
        )


@_when(GKE_CLUSTER)
def _gke_no_autopilot(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "enableAutopilot") is True:
        _report(report, compatibility.AUTOPILOT_REASON)


@_when(GKE_NODE_POOL, GKE_CLUSTER)
def _gke_ubuntu_containerd(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == GKE_CLUSTER and not _pools(GKE_CLUSTER, args.props):
        return  # no default pool is kept
    image = get(args.props, "nodeConfig.imageType")
    if image is UNKNOWN:
        return
    if str(image or "").upper() != "UBUNTU_CONTAINERD":
        _report(
            report,
            f"Node image type is {image or 'unset (GKE defaults to COS_CONTAINERD)'}: Gitpod runs workspaces on Ubuntu nodes with "
            "containerd (the kernel features and paths its ws-daemon expects). Set nodeConfig.imageType: UBUNTU_CONTAINERD.",
        )


# -- Gitpod: MySQL version -----------------------------------------------------------------------------
_GCP_MYSQL = re.compile(r"MYSQL_(\d+)_(\d+)(?:_\d+)?")


def _mysql_major(resource_type: str, props: Any) -> str | _Unknown | None:
    """'5.7' / '8.0' / ..., None when unset, '' when the engine is not MySQL, or UNKNOWN."""
    if resource_type == GCP_SQL:
        version = get(props, "databaseVersion")
        if version is UNKNOWN or version is None:
            return version
        match = _GCP_MYSQL.fullmatch(str(version))
        return f"{match.group(1)}.{match.group(2)}" if match else ""
    if resource_type in (RDS_INSTANCE, RDS_CLUSTER):
        engine, version = get(props, "engine"), get(props, "engineVersion")
        if UNKNOWN in (engine, version):
            return UNKNOWN
        if engine not in ("mysql", "aurora-mysql"):
            return ""
        return compatibility.minor(str(version)) if version else None
    version = get(props, "version")
    if version is UNKNOWN or version is None:
        return version
    return compatibility.minor(str(version)) or ""


@_when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER, AZURE_MYSQL)
def _mysql_version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = list(args.get_config().get("allowedVersions", ["5.7", "8.0"]))
    major = _mysql_major(args.resource_type, args.props)
    if major is UNKNOWN:
        return
    if major == "":
        _report(report, "Gitpod 2022.11 needs MySQL: this database runs another engine. " + compatibility.MYSQL_REASON)
    elif major is None:
        _report(
            report,
            f"The MySQL version is not pinned, so the cloud picks its newest major; pin one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}",
        )
    elif major not in allowed:
        _report(report, f"MySQL {major} is not one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}")


# -- Gitpod: cert-manager ------------------------------------------------------------------------------
_EXACT_VERSION = re.compile(r"v?\d+\.\d+\.\d+")


@_when(*HELM_CHARTS)
def _cert_manager_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    chart = get(args.props, "chart")
    if not isinstance(chart, str) or "cert-manager" not in chart:
        return
    version = get(args.props, "version")
    if version is UNKNOWN:
        return
    if not isinstance(version, str) or not _EXACT_VERSION.fullmatch(version):
        _report(
            report,
            f"cert-manager's chart version is {version or 'unset'}: pin an exact release (e.g. v1.21.1) so a preview shows "
            "exactly what will be installed and an upgrade is a reviewed change.",
        )
        return
    floor = str(args.get_config().get("minimumVersion", ".".join(map(str, compatibility.MIN_CERT_MANAGER))))
    if (compatibility.parse_version(version) or (0, 0)) < (compatibility.parse_version(floor) or (0, 0)):
        _report(
            report,
            f"cert-manager {version} is older than {floor}, the first release with the crds.enabled/crds.keep values the program relies on.",
        )


# -- the pack ------------------------------------------------------------------------------------------
def _strings(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


POLICIES: list[Policy] = [
    ResourceValidationPolicy(
        name="no-public-database",
        description="Gitpod's database is reachable only from its network (no public IP / public access).",
        validate=_no_public_database,
        severity=Severity.CRITICAL,
    ),
    ResourceValidationPolicy(
        name="no-public-bucket",
        description="Buckets and storage accounts holding Gitpod's data cannot be made public.",
        validate=_no_public_bucket,
        severity=Severity.CRITICAL,
    ),
    ResourceValidationPolicy(
        name="encryption-at-rest",
        description="Databases and buckets are encrypted at rest.",
        validate=_encryption_at_rest,
        severity=Severity.HIGH,
    ),
    StackValidationPolicy(
        name="s3-bucket-guards",
        description="Every S3 bucket has a public access block and an explicit server-side encryption configuration.",
        validate=_s3_bucket_guards,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="database-deletion-protection",
        description="Managed databases have deletion protection on.",
        validate=_database_deletion_protection,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="stateful-resources-protected",
        description="Resources holding data (databases, buckets, registries, DNS zones, keys, the Gitpod namespace) are Pulumi-protected.",
        validate=_stateful_resources_protected,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
    ),
    ResourceValidationPolicy(
        name="gitpod-node-pool-labels",
        description="Every node pool carries at least one of Gitpod's gitpod.io/workload_* labels.",
        validate=_node_pool_labels,
        config_schema=PolicyConfigSchema(
            properties={"exemptPools": _strings("Node pool or resource names allowed without Gitpod labels.")}
        ),
        severity=Severity.HIGH,
    ),
    StackValidationPolicy(
        name="gitpod-node-labels-complete",
        description="Together, the node pools carry every label the Gitpod installer requires.",
        validate=_node_labels_complete,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="no-ecr-registry",
        description="Amazon ECR is not used as Gitpod's image registry.",
        validate=_no_ecr,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="gke-calico-network-policy",
        description="GKE clusters use Calico network policy on the legacy datapath, not Dataplane V2.",
        validate=_gke_calico,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="gke-no-autopilot",
        description="GKE clusters are Standard, not Autopilot.",
        validate=_gke_no_autopilot,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="gke-ubuntu-containerd",
        description="GKE nodes run the UBUNTU_CONTAINERD image.",
        validate=_gke_ubuntu_containerd,
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="mysql-version",
        description="Managed databases run MySQL 5.7 or 8.0, the majors Gitpod 2022.11 can use.",
        validate=_mysql_version,
        config_schema=PolicyConfigSchema(properties={"allowedVersions": _strings("MySQL majors allowed (default 5.7 and 8.0).")}),
        severity=Severity.HIGH,
    ),
    ResourceValidationPolicy(
        name="cert-manager-chart-pinned",
        description="cert-manager's Helm chart is pinned to an exact, recent enough version.",
        validate=_cert_manager_pinned,
        config_schema=PolicyConfigSchema(
            properties={"minimumVersion": {"type": "string", "description": "Oldest acceptable cert-manager release (default 1.15)."}}
        ),
        severity=Severity.MEDIUM,
    ),
]


def policy(name: str) -> Policy:
    """The policy with this name (for tests and tools)."""
    return next(p for p in POLICIES if p.name == name)
