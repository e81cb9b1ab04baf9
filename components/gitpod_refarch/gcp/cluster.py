"""`GkeCluster`: a GKE Standard cluster shaped for Gitpod, and the provider to deploy into it.

What Gitpod 2022.11 needs from GKE, and why each setting is what it is:

* Standard mode, legacy datapath with GKE-managed Calico network policy: Gitpod marks Dataplane V2
  unsupported, and workspaces rely on NetworkPolicy (so both the `network_policy` block and the
  `network_policy_config` add-on are on; the add-on deploys Calico, the block enforces it).
* `UBUNTU_CONTAINERD` node images: ws-daemon needs Ubuntu's kernel features and containerd at
  the default paths; Container-Optimized OS is not supported by Gitpod.
* A release channel (GKE removes "No channel" on 14 Jun 2027); node pools auto-upgrade with it.
* Workload Identity, so cert-manager solves DNS-01 in Cloud DNS without a key file.
* The default node pool is removed; three autoscaled pools carry Gitpod's workload labels.
* A weekly maintenance window (and exclusions): auto-upgrades drain nodes, and with them workspaces.

Day-2 safety: inputs the provider can only apply by replacing the cluster (`initial_node_count`,
the temporary pool's `node_config`) are ignored after creation, and settings the provider keeps
when they are left out (`private_cluster_config`, `master_authorized_networks_config`, both
Optional+Computed in terraform-provider-google) are always sent, so clearing them is a real change.
"""

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from .. import compatibility as compat
from ..certmanager.issuers import SERVICE_ACCOUNT as CERT_MANAGER_SERVICE_ACCOUNT
from ..contracts import CONTAINERD_DEFAULT, CertManagerIdentity, CloudDnsZoneInfo, ClusterInfo, DnsInfo
from ..externaldns import NAMESPACE as EXTERNAL_DNS_NAMESPACE
from ..externaldns import SERVICE_ACCOUNT as EXTERNAL_DNS_SERVICE_ACCOUNT
from ..plainargs import MaintenanceWindow, maintenance_args, maintenance_settings
from ..settings.model import ClusterSettings
from .kubeconfig import context_name, kubeconfig
from .maintenance import maintenance_policy
from .naming import POOL_NAMES
from .platform import ApiDependencies, GcpContext, wait_for

TYPE = "gitpod:index:GkeCluster"

#: GKE's `UBUNTU_CONTAINERD` nodes run Ubuntu 24.04 (`ubuntu-gke-2404-*` images) from 1.32.7-gke.1067000
#: and 1.33.3-gke.1247000, so on every version this program creates on the REGULAR channel (1.34 and
#: 1.35 in late 2026): "you must use a GKE version that includes the
#: ubuntu-gke-2404-1-32-amd64-v20250730 image or a later version of the node image"
#: (https://docs.cloud.google.com/kubernetes-engine/docs/how-to/gpus, checked 2026-11). Ubuntu 24.04
#: restricts unprivileged user namespaces, which stops every Gitpod 2022.11 workspace
#: (`compatibility.WORKSPACE_NODE_SYSCTLS`); Google documents no change to that default. GKE sets only
#: allowlisted sysctls through `linux_node_config.sysctls`, and
#: `kernel.apparmor_restrict_unprivileged_userns` is not on the list; the `startup-script` and
#: `user-data` metadata keys are reserved (googleapis/googleapis google/container/v1/cluster_service.proto,
#: `LinuxNodeConfig.sysctls` and `NodeConfig.metadata`, checked 2026-11). So the nodes cannot boot
#: with it, and the cluster asks for a DaemonSet instead (`ClusterInfo.workspace_node_sysctls`).
IMAGE_TYPE = "UBUNTU_CONTAINERD"
DISK_TYPE = "pd-ssd"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"


class NodeShape(TypedDict):
    """A node's machine type and boot disk."""

    machine_type: str
    disk_type: str
    disk_size_gb: int


#: GKE cannot create a cluster without a node pool, so it creates `default-pool` from the cluster's
#: `node_config` and the provider deletes it once the cluster is up (`remove_default_node_pool`).
#: Left unset, that pool is one e2-medium per zone with a 100 GB pd-balanced disk, which counts
#: against SSD_TOTAL_GB, running as the Compute Engine default service account, which Google
#: creates asynchronously after the Compute API is enabled and many organizations disable
#: (terraform-provider-google, container_cluster docs: `node_config.machine_type`, `disk_size_gb`,
#: `disk_type`, `service_account`; checked 2026-11). So it gets a small standard disk and the
#: nodes' own service account instead.
TEMPORARY_POOL: NodeShape = {"machine_type": "e2-standard-2", "disk_type": "pd-standard", "disk_size_gb": 20}

#: Zones a regional cluster's node pools span when no `node_locations` are given: "the default
#: configuration ... replicates each node pool across three zones of the control plane's region"
#: (https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters, checked 2026-11).
REGIONAL_NODE_ZONES = 3
_ZONE = re.compile(r"[a-z]+(-[a-z]+)+\d+-[a-z]")
#: What an empty `masterAuthorizedNetworks` means: any IPv4 address. Sent explicitly because the
#: provider keeps the previous list when the block is left out (see the module docstring).
ANY_ADDRESS: gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgsDict = {
    "cidr_block": "0.0.0.0/0",
    "display_name": "any-address",
}


def node_zones(location: str) -> int:
    """How many zones a pool at `location` (a zone, or a region) spreads its nodes over."""
    return 1 if _ZONE.fullmatch(location) else REGIONAL_NODE_ZONES


def initial_nodes_per_zone(min_nodes: int, zones: int) -> int:
    """`initial_node_count` counts per zone: the smallest count that starts the pool at its (total) minimum."""
    return math.ceil(min_nodes / zones)


def nested(value: Any, key: str) -> str | None:
    """A field of a nested output; Pulumi's output types are dicts (subclasses), so read it by key."""
    if isinstance(value, Mapping) and value.get(key):
        return str(value[key])
    return None


class GkeNodePool(TypedDict, total=False):
    name: Required[str]
    """GKE node-pool name, unique in the cluster (required)."""
    machine_type: Required[str]
    """Compute Engine machine type (required)."""
    min_nodes: Required[int]
    """Autoscaling minimum across all of the pool's zones (required)."""
    max_nodes: Required[int]
    """Autoscaling maximum across all of the pool's zones (required)."""
    disk_size_gb: Required[int]
    """SSD boot disk per node; workspaces' files and image layers live on it (required)."""
    labels: Required[Mapping[str, str]]
    """Kubernetes node labels, i.e. Gitpod's `gitpod.io/workload_*` labels (required)."""


class GkeClusterArgs(TypedDict, total=False):
    project: Required[str]
    """Project ID (required)."""
    cluster_name: Required[str]
    """GKE cluster name (required)."""
    location: Required[str]
    """A zone for a zonal cluster or a region for a regional one (required)."""
    release_channel: Required[str]
    """`REGULAR`, `STABLE`, `RAPID` or `EXTENDED` (required)."""
    kubernetes_version: str
    """Minimum control-plane version; omit for the channel's default."""
    network: Required[pulumi.Input[str]]
    """VPC ID (required)."""
    subnetwork: Required[pulumi.Input[str]]
    """Node subnet ID (required)."""
    pods_range_name: Required[str]
    """Secondary range for pods (required)."""
    services_range_name: Required[str]
    """Secondary range for Services (required)."""
    private_nodes: Required[bool]
    """Nodes without external IPs (needs Cloud NAT for egress) (required)."""
    master_authorized_networks: Sequence[str]
    """CIDRs allowed to reach the public control-plane endpoint; empty means any IPv4 address (`0.0.0.0/0`)."""
    private_endpoint: bool
    """Turn the public control-plane endpoint off; needs `private_nodes` (default false)."""
    secure_boot: bool
    """Boot every pool's nodes with Shielded VM Secure Boot (default true)."""
    node_service_account: Required[pulumi.Input[str]]
    """E-mail of the nodes' service account (required)."""
    node_pools: Required[Sequence[GkeNodePool]]
    """The node pools (required)."""
    deletion_protection: bool
    """Make the provider refuse to delete (or replace) the cluster; default true."""
    cert_manager_service_account: pulumi.Input[str]
    """E-mail of the Google service account cert-manager's Kubernetes service account may impersonate."""
    cert_manager_namespace: str
    """cert-manager's namespace (required with `cert_manager_service_account`)."""
    cert_manager_service_account_name: str
    """cert-manager's Kubernetes service account (required with `cert_manager_service_account`)."""
    external_dns_service_account: pulumi.Input[str]
    """E-mail of the Google service account external-dns' Kubernetes service account may impersonate."""
    apis: ApiDependencies
    """What the project APIs (container, compute, iam) need before use, e.g. their `gcp.projects.Service`s."""
    maintenance: Required[MaintenanceWindow]
    """When GKE may upgrade, e.g. Sundays from 00:00 UTC for 12 hours, and whole days it must not (required)."""


class GkeCluster(pulumi.ComponentResource):
    """GKE Standard cluster, its node pools, a kubeconfig and a Kubernetes provider."""

    cluster_name: pulumi.Output[str]
    """The GKE cluster's name."""
    endpoint: pulumi.Output[str]
    """Public control-plane endpoint (IP address)."""
    kubeconfig: pulumi.Output[str]
    """kubeconfig using gke-gcloud-auth-plugin (secret by policy, though it holds no credential)."""
    provider: k8s.Provider
    """Kubernetes provider for everything deployed into the cluster; it waits for the node pools."""
    private_nodes: bool
    """Whether the node pools' nodes have internal IP addresses only."""
    zones: int
    """Zones each node pool spreads over (1 for a zonal cluster)."""

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        location = args["location"]
        cluster_name = args["cluster_name"]
        after_apis = pulumi.ResourceOptions(parent=self, depends_on=wait_for(args.get("apis", ())))

        private_nodes = args["private_nodes"]
        authorized = list(args.get("master_authorized_networks", ()))
        version = args.get("kubernetes_version")
        self.private_nodes = private_nodes
        self.zones = node_zones(location)

        cidr_blocks: list[gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgsDict] = [
            {"cidr_block": cidr, "display_name": f"authorized-{i}"} for i, cidr in enumerate(authorized)
        ] or [ANY_ADDRESS]
        temporary_pool: gcp.container.ClusterNodeConfigArgsDict = {
            **TEMPORARY_POOL,
            "service_account": args["node_service_account"],
            "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
        }
        # The GKE cluster (Python only: the package's schema references no cloud package).
        self.cluster: gcp.container.Cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=cluster_name,
            project=project,
            location=location,
            description="Gitpod Self-Hosted",
            network=args["network"],
            subnetwork=args["subnetwork"],
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": args["pods_range_name"],
                "services_secondary_range_name": args["services_range_name"],
            },
            # GKE cannot create a cluster without a pool; the temporary one (one node per zone) is
            # deleted as soon as the cluster is up, before any of Gitpod's pools is created.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=temporary_pool,
            release_channel={"channel": args["release_channel"]},
            min_master_version=version,
            datapath_provider="LEGACY_DATAPATH",
            network_policy={"enabled": True, "provider": "CALICO"},
            addons_config={
                "network_policy_config": {"disabled": False},
                "http_load_balancing": {"disabled": False},
                "horizontal_pod_autoscaling": {"disabled": False},
                # NodeLocal DNSCache, as Gitpod's Terraform enabled: workspaces resolve a lot of names.
                "dns_cache_config": {"enabled": True},
            },
            workload_identity_config={"workload_pool": f"{project}.svc.id.goog"},
            enable_shielded_nodes=True,
            enable_legacy_abac=False,
            deletion_protection=args.get("deletion_protection", True),
            # The cluster default for new pools; each pool also says it (below), because GKE applies
            # a changed cluster default only to pools created afterwards.
            # `enable_private_endpoint` changes in place (not ForceNew in terraform-provider-google
            # google/services/container/resource_container_cluster.go, read 2026-11); the kubeconfig
            # then names the private endpoint, which `cluster.endpoint` reports.
            private_cluster_config={"enable_private_nodes": private_nodes, "enable_private_endpoint": args.get("private_endpoint", False)},
            master_authorized_networks_config={"cidr_blocks": cidr_blocks},
            maintenance_policy=maintenance_policy(maintenance_settings(args["maintenance"])),
            # Both only shape the temporary pool and would replace the cluster if changed later.
            opts=pulumi.ResourceOptions.merge(after_apis, pulumi.ResourceOptions(ignore_changes=["initialNodeCount", "nodeConfig"])),
        )

        secure_boot = args.get("secure_boot", True)
        pools = [self._node_pool(name, pool, project, location, args["node_service_account"], secure_boot) for pool in args["node_pools"]]

        context = context_name(project, location, cluster_name)
        self.cluster_name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(self.cluster.endpoint, self.cluster.master_auth).apply(
                lambda v: kubeconfig(context, str(v[0]), nested(v[1], "cluster_ca_certificate") or "")
            )
        )
        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            # Nothing can be scheduled before the pools exist; everything deployed with this provider waits.
            opts=pulumi.ResourceOptions(parent=self, depends_on=pools),
        )

        identity = CertManagerIdentity()
        solver = args.get("cert_manager_service_account")
        if solver is not None:
            identity = self._workload_identity(
                f"{name}-cert-manager", solver, project, args["cert_manager_namespace"], args["cert_manager_service_account_name"]
            )
        external_dns = CertManagerIdentity()
        publisher = args.get("external_dns_service_account")
        if publisher is not None:
            external_dns = self._workload_identity(
                f"{name}-external-dns", publisher, project, EXTERNAL_DNS_NAMESPACE, EXTERNAL_DNS_SERVICE_ACCOUNT
            )

        # The cluster contract: provider, distribution `gke`, kubeconfig and cert-manager's Workload
        # Identity annotation (Python only: not in the package's schema).
        self.info: ClusterInfo = ClusterInfo(
            provider=self.provider,
            distribution="gke",
            containerd=CONTAINERD_DEFAULT,
            kubeconfig=self.kubeconfig,
            name=self.cluster_name,
            cert_manager_identity=identity,
            external_dns_identity=external_dns,
            workspace_node_sysctls=compat.WORKSPACE_NODE_SYSCTLS,
        )
        self.register_outputs({"clusterName": self.cluster_name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig})

    def _node_pool(
        self, name: str, pool: GkeNodePool, project: str, location: str, service_account: pulumi.Input[str], secure_boot: bool
    ) -> gcp.container.NodePool:
        min_nodes = pool["min_nodes"]
        return gcp.container.NodePool(
            f"{name}-{pool['name']}",
            name=pool["name"],
            project=project,
            location=location,
            cluster=self.cluster.name,
            # Per zone: a regional pool with 1 node per zone starts with three.
            initial_node_count=initial_nodes_per_zone(min_nodes, self.zones),
            # Totals across zones, so the bounds mean the same for zonal and regional clusters.
            autoscaling={"total_min_node_count": min_nodes, "total_max_node_count": pool["max_nodes"], "location_policy": "BALANCED"},
            # Release channels require both; GKE then upgrades pools with the control plane.
            management={"auto_repair": True, "auto_upgrade": True},
            max_pods_per_node=110,
            # Existing pools keep their setting when only the cluster default changes; say it per pool
            # so that toggling privateNodes really changes the nodes (GKE recreates them).
            network_config={"enable_private_nodes": self.private_nodes},
            node_config={
                "machine_type": pool["machine_type"],
                "image_type": IMAGE_TYPE,
                "disk_type": DISK_TYPE,
                "disk_size_gb": pool["disk_size_gb"],
                "labels": dict(pool["labels"]),
                "service_account": service_account,
                # Access is limited by the service account's roles; the scope only stops being a second gate.
                "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
                "metadata": {"disable-legacy-endpoints": "true"},
                # The GKE metadata server, which Workload Identity needs on every node.
                "workload_metadata_config": {"mode": "GKE_METADATA"},
                # Secure Boot loads only signed boot components and kernel modules. Gitpod 2022.11's
                # workspaces need none of their own with fsShiftMethod `fuse` (FUSE is in the signed
                # Ubuntu kernel); only shiftfs built by DKMS would be refused (docs/gcp.md). Changing
                # either field replaces the pool (ForceNew in node_config.go).
                "shielded_instance_config": {"enable_secure_boot": secure_boot, "enable_integrity_monitoring": True},
            },
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["initialNodeCount"]),
        )

    def _workload_identity(self, name: str, account: pulumi.Input[str], project: str, namespace: str, ksa: str) -> CertManagerIdentity:
        """Let the Kubernetes service account `namespace/ksa` act as the Google `account` (Workload Identity).

        The binding names the cluster's workload pool, which exists only once a cluster with Workload
        Identity does, so it depends on the cluster; the chart's annotation waits for the binding.
        """
        pool = self.cluster.workload_identity_config.apply(lambda config: nested(config, "workload_pool") or f"{project}.svc.id.goog")
        binding = gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity",
            # The account's resource name, `projects/{PROJECT_ID}/serviceAccounts/{EMAIL}`
            # (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts, `name`; checked 2026-11).
            service_account_id=pulumi.Output.concat("projects/", project, "/serviceAccounts/", account),
            role="roles/iam.workloadIdentityUser",
            member=pool.apply(lambda p: f"serviceAccount:{p}[{namespace}/{ksa}]"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        email = pulumi.Output.all(account, binding.id).apply(lambda v: str(v[0]))
        return CertManagerIdentity(service_account_annotations={WORKLOAD_IDENTITY_ANNOTATION: email})


def node_pools(c: ClusterSettings) -> list[GkeNodePool]:
    """Gitpod's three pools as the settings size them, with their workload labels (also what the tooling's `gcp_quota` counts)."""
    return [
        {
            "name": pool_name,
            "machine_type": pool.machine_type,
            "min_nodes": pool.min_nodes,
            "max_nodes": pool.max_nodes,
            "disk_size_gb": pool.disk_size_gb,
            "labels": dict.fromkeys(compat.POOL_LABELS[key], "true"),
        }
        for pool_name, (key, pool) in zip(POOL_NAMES, c.node_pools.items(), strict=True)
    ]


def build(ctx: GcpContext, dns: DnsInfo | None) -> ClusterInfo:
    settings, gcp_settings, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    c = settings.cluster
    args: GkeClusterArgs = {
        "project": p.project,
        "cluster_name": c.name,
        "location": gcp_settings.location,
        "release_channel": gcp_settings.release_channel,
        "network": p.network.network_id,
        "subnetwork": p.network.subnetwork_id,
        "pods_range_name": p.network.pods_range_name,
        "services_range_name": p.network.services_range_name,
        "private_nodes": gcp_settings.private_nodes,
        "master_authorized_networks": list(gcp_settings.master_authorized_networks),
        "private_endpoint": gcp_settings.private_endpoint,
        "secure_boot": gcp_settings.secure_boot,
        "node_service_account": p.node_service_account.email,
        "node_pools": node_pools(c),
        "deletion_protection": settings.protect,
        "apis": p.apis_named("container.googleapis.com", "compute.googleapis.com", "iam.googleapis.com"),
        "maintenance": maintenance_args(c.maintenance),
    }
    if c.kubernetes_version:
        args["kubernetes_version"] = c.kubernetes_version
    match dns:
        case CloudDnsZoneInfo():
            # The zone and its account belong to the DNS concern (built before the cluster, never
            # waiting for it); the cluster lets cert-manager act as that account.
            args["cert_manager_service_account"] = dns.service_account
            args["cert_manager_namespace"] = settings.cert_manager.namespace
            args["cert_manager_service_account_name"] = CERT_MANAGER_SERVICE_ACCOUNT
            if dns.records_service_account is not None:
                args["external_dns_service_account"] = dns.records_service_account
    return GkeCluster(f"{ctx.name}-gke", args, opts=ctx.opts(p.opts())).info
