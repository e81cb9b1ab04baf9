"""Gitpod compatibility: what the 2022.11 installer and Gitpod's workloads need from the platform.

Gitpod's node labels, version floors and refusal reasons are the program's own
(`gitpod_refarch.compatibility`), so the pack and the program never disagree.
"""

from __future__ import annotations

import re
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

from gitpod_refarch import compatibility

from .properties import (
    AKS_AGENT_POOL,
    AKS_CLUSTER,
    AZURE_MYSQL,
    ECR_REPOSITORY,
    EKS_NODE_GROUP,
    GCP_SQL,
    GKE_CLUSTER,
    GKE_NODE_POOL,
    HELM_CHARTS,
    NODE_PATCH,
    RDS_CLUSTER,
    RDS_INSTANCE,
    UNKNOWN,
    Unknown,
    get,
    items,
    labels_of,
    report_on_resource,
    strings,
    when,
)

# -- node labels -----------------------------------------------------------------------------------------
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


@when(GKE_NODE_POOL, GKE_CLUSTER, EKS_NODE_GROUP, AKS_AGENT_POOL, AKS_CLUSTER)
def _node_pool_labels(args: ResourceValidationArgs, report: ReportViolation) -> None:
    exempt = set(args.get_config().get("exemptPools", []))
    for pool, raw in _pools(args.resource_type, args.props):
        labels = labels_of(raw)
        if labels is None or UNKNOWN in labels.values() or args.name in exempt or pool in exempt:
            continue
        if not _gitpod_labels(labels):
            report_on_resource(
                report,
                f"Node pool {pool or args.name!r} carries no Gitpod workload label ({', '.join(compatibility.ALL_NODE_LABELS)}), so no Gitpod "
                "component will run on it. Label it for the workloads it should host, or list it in this policy's exemptPools.",
            )


NODE_POOL_LABELS = ResourceValidationPolicy(
    name="gitpod-node-pool-labels",
    description="Every node pool carries at least one of Gitpod's gitpod.io/workload_* labels.",
    validate=_node_pool_labels,
    config_schema=PolicyConfigSchema(properties={"exemptPools": strings("Node pool or resource names allowed without Gitpod labels.")}),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
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


NODE_LABELS_COMPLETE = StackValidationPolicy(
    name="gitpod-node-labels-complete",
    description="Together, the node pools carry every label the Gitpod installer requires.",
    validate=_node_labels_complete,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- registry --------------------------------------------------------------------------------------------
@when(ECR_REPOSITORY)
def _no_ecr(args: ResourceValidationArgs, report: ReportViolation) -> None:
    report_on_resource(report, compatibility.ECR_REASON)


NO_ECR_REGISTRY = ResourceValidationPolicy(
    name="no-ecr-registry",
    description="Amazon ECR is not used as Gitpod's image registry.",
    validate=_no_ecr,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- GKE -------------------------------------------------------------------------------------------------
@when(GKE_CLUSTER)
def _gke_calico(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if get(props, "enableAutopilot") is True:
        return  # gke-no-autopilot explains why; Autopilot has no network policy setting
    if get(props, "datapathProvider") == "ADVANCED_DATAPATH":
        report_on_resource(report, "datapathProvider is ADVANCED_DATAPATH (Dataplane V2). " + compatibility.DATAPLANE_V2_REASON)
    enabled, provider = get(props, "networkPolicy.enabled"), get(props, "networkPolicy.provider")
    if UNKNOWN in (enabled, provider):
        return
    if enabled is not True or provider != "CALICO":
        report_on_resource(
            report,
            "GKE network policy is not Calico (set networkPolicy: {enabled: true, provider: CALICO} on LEGACY_DATAPATH); "
            "Calico is the network policy Gitpod supports on GKE.",
        )
    elif get(props, "addonsConfig.networkPolicyConfig.disabled") is True:
        report_on_resource(
            report,
            "networkPolicy is Calico but the network-policy add-on is disabled (addonsConfig.networkPolicyConfig.disabled: true), so GKE does not enforce it.",
        )


GKE_CALICO_NETWORK_POLICY = ResourceValidationPolicy(
    name="gke-calico-network-policy",
    description="GKE clusters use Calico network policy on the legacy datapath, not Dataplane V2.",
    validate=_gke_calico,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


@when(GKE_CLUSTER)
def _gke_no_autopilot(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if get(args.props, "enableAutopilot") is True:
        report_on_resource(report, compatibility.AUTOPILOT_REASON)


GKE_NO_AUTOPILOT = ResourceValidationPolicy(
    name="gke-no-autopilot",
    description="GKE clusters are Standard, not Autopilot.",
    validate=_gke_no_autopilot,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


@when(GKE_NODE_POOL, GKE_CLUSTER)
def _gke_ubuntu_containerd(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == GKE_CLUSTER and not _pools(GKE_CLUSTER, args.props):
        return  # no default pool is kept
    image = get(args.props, "nodeConfig.imageType")
    if image is UNKNOWN:
        return
    if str(image or "").upper() != "UBUNTU_CONTAINERD":
        report_on_resource(
            report,
            f"Node image type is {image or 'unset (GKE defaults to COS_CONTAINERD)'}: Gitpod runs workspaces on Ubuntu nodes with "
            "containerd (the kernel features and paths its ws-daemon expects). Set nodeConfig.imageType: UBUNTU_CONTAINERD.",
        )


GKE_UBUNTU_CONTAINERD = ResourceValidationPolicy(
    name="gke-ubuntu-containerd",
    description="GKE nodes run the UBUNTU_CONTAINERD image.",
    validate=_gke_ubuntu_containerd,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- MySQL version ---------------------------------------------------------------------------------------
_GCP_MYSQL = re.compile(r"MYSQL_(\d+)_(\d+)(?:_\d+)?")


def _mysql_major(resource_type: str, props: Any) -> str | Unknown | None:
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


@when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER, AZURE_MYSQL)
def _mysql_version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = list(args.get_config().get("allowedVersions", ["5.7", "8.0"]))
    major = _mysql_major(args.resource_type, args.props)
    if major is UNKNOWN:
        return
    if major == "":
        report_on_resource(report, "Gitpod 2022.11 needs MySQL: this database runs another engine. " + compatibility.MYSQL_REASON)
    elif major is None:
        report_on_resource(
            report,
            f"The MySQL version is not pinned, so the cloud picks its newest major; pin one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}",
        )
    elif major not in allowed:
        report_on_resource(report, f"MySQL {major} is not one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}")


MYSQL_VERSION = ResourceValidationPolicy(
    name="mysql-version",
    description="Managed databases run MySQL 5.7 or 8.0, the majors Gitpod 2022.11 can use.",
    validate=_mysql_version,
    config_schema=PolicyConfigSchema(properties={"allowedVersions": strings("MySQL majors allowed (default 5.7 and 8.0).")}),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- cert-manager ----------------------------------------------------------------------------------------
_EXACT_VERSION = re.compile(r"v?\d+\.\d+\.\d+")


@when(*HELM_CHARTS)
def _cert_manager_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    chart = get(args.props, "chart")
    if not isinstance(chart, str) or "cert-manager" not in chart:
        return
    version = get(args.props, "version")
    if version is UNKNOWN:
        return
    if not isinstance(version, str) or not _EXACT_VERSION.fullmatch(version):
        report_on_resource(
            report,
            f"cert-manager's chart version is {version or 'unset'}: pin an exact release (e.g. v1.21.1) so a preview shows "
            "exactly what will be installed and an upgrade is a reviewed change.",
        )
        return
    floor = str(args.get_config().get("minimumVersion", ".".join(map(str, compatibility.MIN_CERT_MANAGER))))
    if (compatibility.parse_version(version) or (0, 0)) < (compatibility.parse_version(floor) or (0, 0)):
        report_on_resource(
            report,
            f"cert-manager {version} is older than {floor}, the first release with the crds.enabled/crds.keep values the program relies on.",
        )


CERT_MANAGER_CHART_PINNED = ResourceValidationPolicy(
    name="cert-manager-chart-pinned",
    description="cert-manager's Helm chart is pinned to an exact, recent enough version.",
    validate=_cert_manager_pinned,
    config_schema=PolicyConfigSchema(
        properties={"minimumVersion": {"type": "string", "description": "Oldest acceptable cert-manager release (default 1.15)."}}
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
)

POLICIES: list[Policy] = [
    NODE_POOL_LABELS,
    NODE_LABELS_COMPLETE,
    NO_ECR_REGISTRY,
    GKE_CALICO_NETWORK_POLICY,
    GKE_NO_AUTOPILOT,
    GKE_UBUNTU_CONTAINERD,
    MYSQL_VERSION,
    CERT_MANAGER_CHART_PINNED,
]
