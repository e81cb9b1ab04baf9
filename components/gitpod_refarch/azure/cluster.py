"""`AksCluster`: AKS with Gitpod's three node pools, workload identity, and a Kubernetes provider."""

import base64
from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_azure_native.containerservice as containerservice
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_kubernetes as k8s

from ..certmanager.issuers import SERVICE_ACCOUNT as CERT_MANAGER_SERVICE_ACCOUNT
from ..compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, NODE_LABELS_SERVICES, WORKSPACE_NODE_SYSCTLS
from ..contracts import CONTAINERD_DEFAULT, AzureDnsZoneInfo, CertManagerIdentity, ClusterInfo, DnsInfo
from ..externaldns import NAMESPACE as EXTERNAL_DNS_NAMESPACE
from ..externaldns import SERVICE_ACCOUNT as EXTERNAL_DNS_SERVICE_ACCOUNT
from ..plainargs import (
    MaintenanceWindow,
    NodePoolSize,
    maintenance_args,
    maintenance_settings,
    node_pool_args,
    node_pool_settings,
)
from ..settings.model import MaintenanceSettings, NodePoolSettings
from . import roles
from .kubeconfig import kubeconfig
from .platform import AzureContext, Identity, ManagedIdentity
from .settings import NODE_OS_UPGRADE_CHANNEL, UPGRADE_CHANNEL, kubernetes_version, node_os_sku

TYPE = "gitpod:index:AksCluster"

#: Pods per node, as Gitpod's AKS guide; workspaces are pods, so the AKS default of 250 only wastes IPs.
MAX_PODS = 110
#: The audience Azure AD accepts for workload-identity token exchange.
TOKEN_AUDIENCE = "api://AzureADTokenExchange"
#: Pod label and service-account annotation the workload-identity webhook acts on.
WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use"
WORKLOAD_IDENTITY_CLIENT_ID = "azure.workload.identity/client-id"


#: Names of the two AKS maintenance configurations that schedule auto-upgrades: AKS binds a window to
#: an auto-upgrade channel by this name alone. `aksManagedAutoUpgradeSchedule` gates the cluster
#: channel (`patch`: control plane and pools), `aksManagedNodeOSUpgradeSchedule` the node OS channel
#: (`NodeImage`: weekly reimages). Source: MicrosoftDocs/azure-aks-docs
#: articles/aks/planned-maintenance.md (ms.date 2025-12-19).
AUTO_UPGRADE_SCHEDULE = "aksManagedAutoUpgradeSchedule"
NODE_OS_UPGRADE_SCHEDULE = "aksManagedNodeOSUpgradeSchedule"


class WorkloadIdentitySpec(TypedDict):
    """A managed identity a Kubernetes service account may act as (AKS workload identity)."""

    identity_name: pulumi.Input[str]
    """Name of the user-assigned identity, in the cluster's resource group."""
    client_id: pulumi.Input[str]
    """Its client ID, which the service account's annotation names."""
    subject: str
    """The service account it trusts, `system:serviceaccount:<namespace>:<name>`."""


class AksClusterArgs(TypedDict, total=False):
    resource_group_name: Required[pulumi.Input[str]]
    """Resource group of the cluster (required)."""
    location: Required[str]
    """Azure region (required)."""
    cluster_name: Required[str]
    """Name of the AKS cluster and its DNS prefix (required)."""
    kubernetes_version: Required[str]
    """Kubernetes minor (or patch) version for the control plane and every pool (required)."""
    subscription_id: Required[pulumi.Input[str]]
    """Subscription of the role definitions granted to the control-plane identity (required)."""
    node_subnet_id: Required[pulumi.Input[str]]
    """Subnet the nodes join (required)."""
    kubelet_identity: Required[ManagedIdentity]
    """User-assigned identity the kubelets run as, so registries can grant it AcrPull up front (required)."""
    services_pool: Required[NodePoolSize]
    """The system pool, labelled for Gitpod's meta, IDE and workspace services; every pool autoscales (required)."""
    regular_pool: Required[NodePoolSize]
    """Pool for regular workspaces (required)."""
    headless_pool: Required[NodePoolSize]
    """Pool for headless (prebuild) workspaces (required)."""
    os_sku: Required[str]
    """Node image of every pool: `Ubuntu2204`, `Ubuntu` or `AzureLinux` (required)."""
    network_plugin: Required[str]
    """`azure-overlay` (Azure CNI Overlay) or `kubenet` (required); Calico enforces network policy in both."""
    pod_cidr: Required[str]
    """Overlay range pods get their addresses from, e.g. `10.244.0.0/16` (required)."""
    service_cidr: Required[str]
    """Range of Kubernetes Services, e.g. `10.0.0.0/16` (required)."""
    dns_service_ip: Required[str]
    """Address of kube-dns inside `service_cidr`, e.g. `10.0.0.10` (required)."""
    tier: Required[str]
    """AKS pricing tier: `Free`, `Standard` (uptime SLA) or `Premium` (required)."""
    authorized_ip_ranges: Required[Sequence[str]]
    """CIDRs allowed to reach the API server, none: any (required)."""
    admin_principal_id: Required[pulumi.Input[str]]
    """Entra ID object made cluster admin through Azure RBAC: the deployer, or a group holding it, so
    the program's Kubernetes provider can deploy (required)."""
    admin_principal_type: Required[str]
    """`User`, `Group` or `ServicePrincipal`: what `admin_principal_id` is (required; ARM refuses a mismatch)."""
    upgrade_channel: Required[str]
    """Cluster auto-upgrade channel, e.g. `patch` (required; see docs/azure.md for how it shapes upgrades)."""
    node_os_upgrade_channel: Required[str]
    """Node OS auto-upgrade channel, e.g. `NodeImage` (required)."""
    maintenance: MaintenanceWindow
    """The weekly window (UTC) in which AKS may run both auto-upgrade channels (without it AKS upgrades whenever it likes)."""
    cert_manager: WorkloadIdentitySpec
    """The identity cert-manager's service account is federated with (for Azure DNS)."""
    external_dns: WorkloadIdentitySpec
    """The identity external-dns' service account is federated with (Gitpod's records in Azure DNS)."""


def _pool_profile(
    pool: NodePoolSettings, labels: Mapping[str, str], os_sku: str, version: str, subnet: pulumi.Input[str]
) -> dict[str, Any]:
    return {
        # Every pool names the cluster's minor: with an auto-upgrade channel AKS accepts a managed
        # cluster request only when all pools' versions are given and equal the control plane's (or
        # are unchanged), and a pool without one stays behind on a version change. A minor ("1.35")
        # never fights the `patch` channel: re-sending the same minor triggers no upgrade (AKS REST
        # `orchestratorVersion`, containerservice stable/2025-09-01).
        "orchestrator_version": version,
        "vm_size": pool.machine_type,
        "os_disk_size_gb": pool.disk_size_gb,
        "os_type": "Linux",
        "os_sku": os_sku,
        "type": "VirtualMachineScaleSets",
        "enable_auto_scaling": True,
        "min_count": pool.min_nodes,
        "max_count": pool.max_nodes,
        # Required at creation; the autoscaler owns it afterwards (see ignore_changes).
        "count": max(pool.min_nodes, 1),
        "max_pods": MAX_PODS,
        "vnet_subnet_id": subnet,
        "node_labels": dict(labels),
    }


def _network_profile(args: AksClusterArgs) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "network_policy": "calico",
        "pod_cidr": args["pod_cidr"],
        "service_cidr": args["service_cidr"],
        "dns_service_ip": args["dns_service_ip"],
        "load_balancer_sku": "standard",
        "outbound_type": "loadBalancer",
    }
    if args["network_plugin"] == "kubenet":
        profile["network_plugin"] = "kubenet"
    else:
        profile["network_plugin"] = "azure"
        profile["network_plugin_mode"] = "overlay"
    return profile


def maintenance_window(window: MaintenanceSettings) -> containerservice.MaintenanceWindowArgs:
    """AKS' weekly window in UTC (`utcOffset` +00:00, which `notAllowedDates` also use)."""
    return containerservice.MaintenanceWindowArgs(
        schedule=containerservice.ScheduleArgs(weekly=containerservice.WeeklyScheduleArgs(day_of_week=window.day, interval_weeks=1)),
        start_time=window.start_time,
        duration_hours=window.duration_hours,
        utc_offset="+00:00",
        not_allowed_dates=[containerservice.DateSpanArgs(start=e.start.isoformat(), end=e.end.isoformat()) for e in window.exclusions]
        or None,
    )


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster shaped for Gitpod 2022.11.

    * The services pool is the system pool, declared inline (AKS needs one at creation); the two
      workspace pools are separate `AgentPool` resources so they can change without touching the
      cluster, created one after the other (AKS fails concurrent pool creations on one subnet).
      Every pool autoscales, carries Gitpod's node labels and names the cluster's Kubernetes minor.
    * Both auto-upgrade channels run only in the given weekly window (two AKS maintenance
      configurations that need nothing but the cluster).
    * The control plane runs as a user-assigned identity allowed to join the node subnet and to
      assign the pre-created kubelet identity: AKS requires both when the kubelet identity is
      brought along, and they must exist before the cluster does.
    * OIDC issuer and workload identity are on; cert-manager's identity trusts the cluster's
      issuer for exactly one service account.
    * Sign-in is Entra ID only: AKS-managed Entra ID with Azure RBAC for Kubernetes authorization,
      and local accounts (the static cluster-admin certificate) disabled. The deployer gets the
      "Azure Kubernetes Service RBAC Cluster Admin" role on the cluster; the kubeconfig holds no
      credential and signs in with kubelogin (`azure.kubeconfig`).
    * The Kubernetes provider depends on every pool and on the deployer's role, so nothing deployed
      through it races node creation or the role assignment.
    * A DaemonSet keeps the kernel settings workspaces need on the workspace nodes (Ubuntu 24.04's
      AppArmor user-namespace restriction off), which AKS' node configuration cannot express.
    """

    provider: k8s.Provider
    """Kubernetes provider for everything deployed into the cluster."""
    kubeconfig: pulumi.Output[str]
    """kubeconfig signing in with kubelogin's Azure CLI mode; no credential (secret by policy)."""
    cluster_name: pulumi.Output[str]
    """Name of the AKS cluster."""
    oidc_issuer_url: pulumi.Output[str]
    """The cluster's OIDC issuer, trusted by federated identity credentials."""

    def __init__(self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        group = args["resource_group_name"]
        location = args["location"]
        cluster_name = args["cluster_name"]
        version = args["kubernetes_version"]
        os_sku = args["os_sku"]
        subnet = args["node_subnet_id"]
        kubelet = Identity.of(args["kubelet_identity"])
        child = pulumi.ResourceOptions(parent=self)

        control_plane = Identity.create(
            f"{name}-control-plane-identity", f"{cluster_name}-control-plane", group=group, location=location, parent=self
        )
        grants = [
            roles.grant(
                f"{name}-subnet-join",
                role=roles.NETWORK_CONTRIBUTOR,
                scope=subnet,
                principal_id=control_plane.principal_id,
                subscription_id=args["subscription_id"],
                opts=child,
            ),
            roles.grant(
                f"{name}-kubelet-identity-operator",
                role=roles.MANAGED_IDENTITY_OPERATOR,
                scope=kubelet.id,
                principal_id=control_plane.principal_id,
                subscription_id=args["subscription_id"],
                opts=child,
            ),
        ]

        services = containerservice.ManagedClusterAgentPoolProfileArgs(
            name="services",
            mode="System",
            **_pool_profile(
                node_pool_settings(args["services_pool"]), dict.fromkeys(NODE_LABELS_SERVICES, "true"), os_sku, version, subnet
            ),
        )
        api_access = None
        if args["authorized_ip_ranges"]:
            api_access = containerservice.ManagedClusterAPIServerAccessProfileArgs(authorized_ip_ranges=list(args["authorized_ip_ranges"]))
        cluster = containerservice.ManagedCluster(
            f"{name}-aks",
            resource_name_=cluster_name,
            resource_group_name=group,
            location=location,
            dns_prefix=cluster_name,
            kubernetes_version=version,
            sku={"name": "Base", "tier": args["tier"]},
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.USER_ASSIGNED, user_assigned_identities=[control_plane.id]
            ),
            identity_profile={
                "kubeletidentity": {"resource_id": kubelet.id, "client_id": kubelet.client_id, "object_id": kubelet.principal_id}
            },
            agent_pool_profiles=[services],
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(**_network_profile(args)),
            oidc_issuer_profile={"enabled": True},
            security_profile={"workload_identity": {"enabled": True}},
            auto_upgrade_profile={"upgrade_channel": args["upgrade_channel"], "node_os_upgrade_channel": args["node_os_upgrade_channel"]},
            api_server_access_profile=api_access,
            enable_rbac=True,
            # Both change in place (`az aks update --enable-aad --enable-azure-rbac`,
            # `--disable-local-accounts`), but AKS-managed Entra ID cannot be turned off again
            # (MicrosoftDocs/azure-aks-docs articles/aks/enable-authentication-microsoft-entra-id.md,
            # "Limitations"; read 2026-11). The tenant is the subscription's when not given.
            aad_profile=containerservice.ManagedClusterAADProfileArgs(managed=True, enable_azure_rbac=True),
            disable_local_accounts=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants, ignore_changes=["agentPoolProfiles[0].count"]),
        )

        pools: list[pulumi.Resource] = [cluster]
        previous: list[pulumi.Resource] = []
        for pool_name, spec, label in (
            ("regularws", args["regular_pool"], NODE_LABEL_REGULAR),
            ("headlessws", args["headless_pool"], NODE_LABEL_HEADLESS),
        ):
            pool = containerservice.AgentPool(
                f"{name}-{pool_name}-pool",
                agent_pool_name=pool_name,
                resource_name_=cluster.name,
                resource_group_name=group,
                mode="User",
                **_pool_profile(node_pool_settings(spec), {label: "true"}, os_sku, version, subnet),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    # One pool after the other: pools joining one subnet concurrently fail with
                    # VirtualNetworkNotInSucceededState (Azure/AKS#4522); azurerm locks the subnet
                    # for the same reason (kubernetes_cluster_node_pool_resource.go).
                    depends_on=previous,
                    # The autoscaler owns the node count.
                    ignore_changes=["count"],
                    # AKS cannot change a pool's VM size or OS disk in place (azure-native replaces on
                    # vmSize; azurerm cycles the pool for both). The replacement has the same AKS name,
                    # so the old pool must go first: its workspaces stop (docs/azure.md, "Day 2").
                    replace_on_changes=["vmSize", "osDiskSizeGB"],
                    delete_before_replace=True,
                ),
            )
            pools.append(pool)
            previous = [pool]
        for config_name, suffix in ((AUTO_UPGRADE_SCHEDULE, "auto-upgrade"), (NODE_OS_UPGRADE_SCHEDULE, "node-os-upgrade")):
            if "maintenance" in args:
                # Needs only the cluster; nothing waits for it.
                containerservice.MaintenanceConfiguration(
                    f"{name}-{suffix}-window",
                    config_name=config_name,
                    resource_name_=cluster.name,
                    resource_group_name=group,
                    maintenance_window=maintenance_window(maintenance_settings(args["maintenance"])),
                    opts=child,
                )

        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(lambda profile: profile.issuer_url if profile else "")

        def federate(workload: str, spec: WorkloadIdentitySpec) -> CertManagerIdentity:
            federation = managedidentity.FederatedIdentityCredential(
                f"{name}-{workload}-federation",
                federated_identity_credential_resource_name=workload,
                resource_name_=spec["identity_name"],
                resource_group_name=group,
                issuer=self.oidc_issuer_url,
                subject=spec["subject"],
                audiences=[TOKEN_AUDIENCE],
                opts=child,
            )
            # Only the workload needs the federation: its client-id annotation resolves after it, so
            # its chart waits for it while the provider (and everything else) does not.
            client_id = pulumi.Output.all(spec["client_id"], federation.id).apply(lambda values: str(values[0]))
            return CertManagerIdentity(
                service_account_annotations={WORKLOAD_IDENTITY_CLIENT_ID: client_id},
                pod_labels={WORKLOAD_IDENTITY_LABEL: "true"},
            )

        cert_manager = args.get("cert_manager")
        identity = federate("cert-manager", cert_manager) if cert_manager is not None else CertManagerIdentity()
        external_dns_spec = args.get("external_dns")
        external_dns = federate("external-dns", external_dns_spec) if external_dns_spec is not None else CertManagerIdentity()

        # Azure RBAC on the cluster for the deployer: with local accounts disabled nothing else can
        # deploy. Azure may take a few minutes to apply a new assignment (docs/azure.md, "Access").
        admin = roles.grant(
            f"{name}-deployer-cluster-admin",
            role=roles.AKS_RBAC_CLUSTER_ADMIN,
            scope=cluster.id,
            principal_id=args["admin_principal_id"],
            subscription_id=args["subscription_id"],
            principal_type=args["admin_principal_type"],
            opts=child,
        )
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=group,
            resource_name=cluster.name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        # AKS returns kubeconfigs base64-encoded; only the server and its CA are kept. Secret by
        # policy, though it holds no credential, as on the other clouds.
        self.kubeconfig = pulumi.Output.secret(
            credentials.apply(lambda c: kubeconfig(cluster_name, base64.b64decode(c.kubeconfigs[0].value).decode()))
        )
        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*pools, admin]),
        )
        self.cluster_name = cluster.name
        self.info = ClusterInfo(
            provider=self.provider,
            distribution="aks",
            # AKS runs Ubuntu 24.04 for osSku `Ubuntu` from 1.35 (every Ubuntu SKU from 1.37), whose
            # default stops Gitpod's workspaces, and it cannot boot nodes with the fix: no user data, and
            # `linuxOSConfig.sysctls` takes only an allowlist of fs.*, net.*, vm.* and kernel.threads-max
            # (MicrosoftDocs/azure-aks-docs articles/aks/custom-node-configuration-reference.md, 2026-08-06;
            # REST `SysctlConfig`, containerservice 2025-09-01). Deployed whatever the OS: on 22.04 it
            # does nothing, and it is already there when the pools are reimaged to 24.04.
            workspace_node_sysctls=WORKSPACE_NODE_SYSCTLS,
            containerd=CONTAINERD_DEFAULT,
            kubeconfig=self.kubeconfig,
            name=cluster.name,
            cert_manager_identity=identity,
            external_dns_identity=external_dns,
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "oidcIssuerUrl": self.oidc_issuer_url,
            }
        )


def build(ctx: AzureContext, dns: DnsInfo | None) -> ClusterInfo:
    """The AKS cluster; with an Azure DNS zone for DNS-01, cert-manager is federated with its identity."""
    settings, azure, platform = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    cluster = settings.cluster
    pools = cluster.node_pools
    args: AksClusterArgs = {
        "resource_group_name": platform.resource_group_name,
        "location": platform.location,
        "cluster_name": cluster.name,
        "kubernetes_version": kubernetes_version(settings),
        "subscription_id": platform.subscription_id,
        "node_subnet_id": platform.network.node_subnet_id,
        "kubelet_identity": platform.kubelet_identity.args(),
        "services_pool": node_pool_args(pools["services"]),
        "regular_pool": node_pool_args(pools["regularWorkspaces"]),
        "headless_pool": node_pool_args(pools["headlessWorkspaces"]),
        "os_sku": node_os_sku(settings),
        "network_plugin": azure.network_plugin,
        "pod_cidr": azure.network.pod_cidr,
        "service_cidr": azure.network.service_cidr,
        "dns_service_ip": azure.network.dns_service_ip,
        "tier": azure.cluster_tier,
        "authorized_ip_ranges": azure.authorized_ip_ranges,
        "admin_principal_id": azure.cluster_admin_object_id or platform.deployer_object_id,
        "admin_principal_type": azure.cluster_admin_type,
        "upgrade_channel": UPGRADE_CHANNEL,
        "node_os_upgrade_channel": NODE_OS_UPGRADE_CHANNEL,
        "maintenance": maintenance_args(cluster.maintenance),
    }
    match dns:
        case AzureDnsZoneInfo():
            # The identity belongs to the DNS concern (built before the cluster, never waiting for
            # it); the cluster only lets cert-manager's service account act as it.
            subject = f"system:serviceaccount:{settings.cert_manager.namespace}:{CERT_MANAGER_SERVICE_ACCOUNT}"
            args["cert_manager"] = {"identity_name": dns.identity_name, "client_id": dns.identity_client_id, "subject": subject}
            if dns.records_identity_name is not None and dns.records_identity_client_id is not None:
                args["external_dns"] = {
                    "identity_name": dns.records_identity_name,
                    "client_id": dns.records_identity_client_id,
                    "subject": f"system:serviceaccount:{EXTERNAL_DNS_NAMESPACE}:{EXTERNAL_DNS_SERVICE_ACCOUNT}",
                }
    return AksCluster(f"{ctx.name}-cluster", args, opts=ctx.opts()).info
