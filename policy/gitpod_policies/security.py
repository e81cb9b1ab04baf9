"""Security: who can reach the cluster's API, what it logs, how people and Gitpod authenticate.

Each rule checks a property a stack's config can change (the key is named in the message), as the
provider receives it: a value fixed in the program's code is pinned by the program's tests, not
re-checked here. Levels (docs/review.md says why each is what it is):

* `cluster-api-exposure` (advisory): an API server open to any address is still authenticated
  (IAM, Google, Entra ID), and the ranges to allow (the deployers' and CI's egress) are the
  operator's to know, so the pack reports it on every preview rather than blocking one;
* `control-plane-logs`, `aks-local-accounts` (advisory): off in some example stacks today, so a
  blocking rule would fail every preview of them;
* `database-tls` (mandatory): every managed database requires TLS by default (AWS and Azure with
  the roots the program ships, GCP through the Cloud SQL proxy), so only an explicit
  `gitpod:database.requireTls: false` trips it; lower it in the pack's config to allow that;
* `no-public-nodes` (advisory): public node IPs are a supported choice (`gitpod:gcp.privateNodes`);
* `key-based-identities` (advisory): Gitpod 2022.11 forces some keys (GCS and S3 access, the ACR
  admin user), a documented trade-off (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from .properties import (
    ACR,
    AKS_AGENT_POOL,
    AKS_CLUSTER,
    AWS_ACCESS_KEY,
    AZURE_MYSQL_CONFIGURATION,
    EKS_CLUSTER,
    GCP_SA_KEY,
    GCP_SQL,
    GKE_CLUSTER,
    GKE_NODE_POOL,
    RDS_PARAMETER_GROUP,
    UNKNOWN,
    get,
    items,
    report_on_resource,
    when,
)

ANY_ADDRESS = "0.0.0.0/0"


def _open(ranges: list[Any]) -> bool | None:
    """Whether a list of allowed ranges lets any address in; None when part of it is unknown."""
    if UNKNOWN in ranges:
        return None
    return not ranges or ANY_ADDRESS in ranges


# -- cluster API exposure -------------------------------------------------------------------------------
@when(EKS_CLUSTER, GKE_CLUSTER, AKS_CLUSTER)
def _cluster_api_exposure(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind == EKS_CLUSTER:
        # AWS defaults: endpointPublicAccess true, publicAccessCidrs ["0.0.0.0/0"] (EKS API VpcConfigRequest).
        public = get(props, "vpcConfig.endpointPublicAccess", True)
        cidrs = get(props, "vpcConfig.publicAccessCidrs")
        if public is UNKNOWN or public is False or cidrs is UNKNOWN:
            return
        if _open(items(cidrs)):
            report_on_resource(
                report,
                "The EKS API endpoint is public and open to any address (vpcConfig.publicAccessCidrs is 0.0.0.0/0 or unset). "
                "List the deployers' and CI's egress ranges in gitpod:aws.publicAccessCidrs.",
            )
    elif kind == GKE_CLUSTER:
        private_endpoint = get(props, "privateClusterConfig.enablePrivateEndpoint")
        networks = get(props, "masterAuthorizedNetworksConfig")
        if UNKNOWN in (private_endpoint, networks) or private_endpoint is True:
            return
        blocks = [get(block, "cidrBlock") for block in items(get(props, "masterAuthorizedNetworksConfig.cidrBlocks"))]
        # Without masterAuthorizedNetworksConfig GKE accepts any address; with it and no blocks, none.
        if networks is None or (UNKNOWN not in blocks and ANY_ADDRESS in blocks):
            report_on_resource(
                report,
                "The GKE control plane is reachable from any address (no master authorized networks, or 0.0.0.0/0 among them). "
                "List the deployers' and CI's egress ranges in gitpod:gcp.masterAuthorizedNetworks.",
            )
    else:
        private = get(props, "apiServerAccessProfile.enablePrivateCluster")
        ranges = get(props, "apiServerAccessProfile.authorizedIPRanges")
        if UNKNOWN in (private, ranges) or private is True:
            return
        if _open(items(ranges)):
            report_on_resource(
                report,
                "The AKS API server is open to any address (no apiServerAccessProfile.authorizedIPRanges). "
                "List the deployers' and CI's egress ranges in gitpod:azure.authorizedIpRanges.",
            )


CLUSTER_API_EXPOSURE = ResourceValidationPolicy(
    name="cluster-api-exposure",
    description="The cluster's API server is private or reachable only from listed ranges.",
    validate=_cluster_api_exposure,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.HIGH,
)


# -- control-plane logs ---------------------------------------------------------------------------------
#: The EKS control-plane log types an incident needs: requests, who made them, how they authenticated.
EKS_LOG_TYPES = ("api", "audit", "authenticator")


@when(EKS_CLUSTER)
def _control_plane_logs(args: ResourceValidationArgs, report: ReportViolation) -> None:
    enabled = items(get(args.props, "enabledClusterLogTypes"))
    if UNKNOWN in enabled:
        return
    missing = [kind for kind in EKS_LOG_TYPES if kind not in enabled]
    if missing:
        report_on_resource(
            report,
            f"The EKS control plane does not log {', '.join(missing)} (enabledClusterLogTypes): without them nobody can tell "
            "who did what to the cluster. Enable them (CloudWatch log group /aws/eks/<cluster>/cluster, with a retention).",
        )


CONTROL_PLANE_LOGS = ResourceValidationPolicy(
    name="control-plane-logs",
    description="The EKS control plane sends its api, audit and authenticator logs to CloudWatch.",
    validate=_control_plane_logs,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
)


# -- AKS local accounts ---------------------------------------------------------------------------------
@when(AKS_CLUSTER)
def _aks_local_accounts(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    disabled = get(props, "disableLocalAccounts")
    rbac = get(props, "aadProfile.enableAzureRBAC")
    if UNKNOWN in (disabled, rbac):
        return
    if disabled is not True:
        report_on_resource(
            report,
            "The AKS cluster keeps its local accounts (disableLocalAccounts is not true): its cluster-admin kubeconfig is a "
            "long-lived credential outside Entra ID. Use Entra ID with Azure RBAC and disable local accounts.",
        )
    elif rbac is not True:
        report_on_resource(
            report, "Local accounts are disabled but Azure RBAC is off (aadProfile.enableAzureRBAC): nobody can be authorized."
        )


AKS_LOCAL_ACCOUNTS = ResourceValidationPolicy(
    name="aks-local-accounts",
    description="AKS uses Entra ID with Azure RBAC, with local accounts disabled.",
    validate=_aks_local_accounts,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.HIGH,
)


# -- database TLS ---------------------------------------------------------------------------------------
_ON = ("1", "on", "true")
#: Cloud SQL's sslMode values that refuse unencrypted connections (Cloud SQL Admin API, IpConfiguration.sslMode).
_CLOUD_SQL_TLS_MODES = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")


@when(RDS_PARAMETER_GROUP, AZURE_MYSQL_CONFIGURATION, GCP_SQL)
def _database_tls(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind == RDS_PARAMETER_GROUP:
        family = get(props, "family")
        if family is UNKNOWN or not str(family).startswith("mysql"):
            return
        parameters = {get(p, "name"): get(p, "value") for p in items(get(props, "parameters"))}
        value = parameters.get("require_secure_transport")
        if UNKNOWN in parameters or value is UNKNOWN:
            return
        if str(value).lower() not in _ON:
            report_on_resource(
                report,
                "The RDS parameter group does not set require_secure_transport (MySQL's default is OFF), so Gitpod's "
                "connections to the database may be unencrypted. Remove gitpod:database.requireTls: false (TLS is the default, "
                "with the RDS roots the program ships, or gitpod:database.caCert).",
            )
    elif kind == AZURE_MYSQL_CONFIGURATION:
        if get(props, "configurationName") != "require_secure_transport":
            return
        value = get(props, "value")
        if value is not UNKNOWN and str(value).lower() not in _ON:
            report_on_resource(
                report,
                "The Flexible Server's require_secure_transport is turned OFF (Azure's default is ON), so Gitpod's connections "
                "may be unencrypted. Remove gitpod:database.requireTls: false (TLS is the default, with the roots the program ships).",
            )
    else:
        mode = get(props, "settings.ipConfiguration.sslMode")
        require = get(props, "settings.ipConfiguration.requireSsl")
        if UNKNOWN in (mode, require) or mode in _CLOUD_SQL_TLS_MODES or require is True:
            return
        report_on_resource(
            report,
            f"Cloud SQL accepts unencrypted connections (settings.ipConfiguration.sslMode is {mode or 'unset'}): set ENCRYPTED_ONLY.",
        )


DATABASE_TLS = ResourceValidationPolicy(
    name="database-tls",
    description="The managed database refuses unencrypted connections.",
    validate=_database_tls,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- public node addresses ------------------------------------------------------------------------------
@when(GKE_CLUSTER, GKE_NODE_POOL, AKS_CLUSTER, AKS_AGENT_POOL)
def _no_public_nodes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind == GKE_CLUSTER:
        private = get(props, "privateClusterConfig.enablePrivateNodes")
        public = private is False or (private is None and get(props, "privateClusterConfig") is None)
    elif kind == GKE_NODE_POOL:
        public = get(props, "networkConfig.enablePrivateNodes") is False
    elif kind == AKS_CLUSTER:
        public = any(get(profile, "enableNodePublicIP") is True for profile in items(get(props, "agentPoolProfiles")))
    else:
        public = get(props, "enableNodePublicIP") is True
    if public:
        report_on_resource(
            report,
            "Nodes get public IP addresses, so every node port (and any mistake in a firewall rule) faces the internet. "
            "Keep nodes private (gitpod:gcp.privateNodes true); they reach the internet through Cloud NAT / the load balancer.",
        )


NO_PUBLIC_NODES = ResourceValidationPolicy(
    name="no-public-nodes",
    description="Cluster nodes have no public IP addresses.",
    validate=_no_public_nodes,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
)


# -- key-based identities -------------------------------------------------------------------------------
@when(GCP_SA_KEY, AWS_ACCESS_KEY, ACR)
def _key_based_identities(args: ResourceValidationArgs, report: ReportViolation) -> None:
    kind = args.resource_type
    if kind == ACR:
        if get(args.props, "adminUserEnabled") is True:
            report_on_resource(
                report,
                "The container registry's admin user is enabled: a shared, long-lived password with full rights. Gitpod 2022.11 "
                "authenticates to the registry with a username and password (docs/security.md); rotate it with `pulumi up`.",
            )
        return
    what = "service-account key" if kind == GCP_SA_KEY else "IAM access key"
    report_on_resource(
        report,
        f"A long-lived {what} is created and stored in a Kubernetes Secret: Gitpod 2022.11 accepts no workload identity for "
        "this (docs/security.md). Rotate it by replacing the key (`pulumi up --replace <urn>`).",
    )


KEY_BASED_IDENTITIES = ResourceValidationPolicy(
    name="key-based-identities",
    description="Long-lived keys (service-account keys, IAM access keys, the ACR admin user) are reported.",
    validate=_key_based_identities,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
)

POLICIES: list[Policy] = [
    CLUSTER_API_EXPOSURE,
    CONTROL_PLANE_LOGS,
    AKS_LOCAL_ACCOUNTS,
    DATABASE_TLS,
    NO_PUBLIC_NODES,
    KEY_BASED_IDENTITIES,
]
