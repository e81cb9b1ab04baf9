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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from ..contracts import CONTAINERD_DEFAULT, CertManagerIdentity, ClusterInfo
from .kubeconfig import context_name, kubeconfig

TYPE = "gitpod:index:GkeCluster"

IMAGE_TYPE = "UBUNTU_CONTAINERD"
DISK_TYPE = "pd-ssd"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"


def nested(value: Any, key: str) -> str | None:
    """A field of a nested output; Pulumi's output types are dicts (subclasses), so read it by key."""
    if isinstance(value, Mapping) and value.get(key):
        return str(value[key])
    return None


class GkeNodePoolArgs(TypedDict, total=False):
    name: str
    """GKE node-pool name, unique in the cluster (required)."""
    machine_type: str
    """Compute Engine machine type (required)."""
    min_nodes: int
    """Autoscaling minimum across all of the pool's zones (default 1)."""
    max_nodes: int
    """Autoscaling maximum across all of the pool's zones (required)."""
    disk_size_gb: int
    """SSD boot disk per node; workspaces' files and image layers live on it (default 100)."""
    labels: Mapping[str, str]
    """Kubernetes node labels, i.e. Gitpod's `gitpod.io/workload_*` labels."""


class GkeClusterArgs(TypedDict, total=False):
    project: str
    """Project ID (required)."""
    cluster_name: str
    """GKE cluster name (required)."""
    location: str
    """A zone for a zonal cluster or a region for a regional one (required)."""
    release_channel: str
    """`REGULAR` (default), `STABLE`, `RAPID` or `EXTENDED`."""
    kubernetes_version: str
    """Minimum control-plane version; omit for the channel's default."""
    network: pulumi.Input[str]
    """VPC ID (required)."""
    subnetwork: pulumi.Input[str]
    """Node subnet ID (required)."""
    pods_range_name: str
    """Secondary range for pods (required)."""
    services_range_name: str
    """Secondary range for Services (required)."""
    private_nodes: bool
    """Nodes without external IPs (needs Cloud NAT for egress); default true."""
    master_authorized_networks: Sequence[str]
    """CIDRs allowed to reach the public control-plane endpoint; empty means any address."""
    node_service_account: pulumi.Input[str]
    """E-mail of the nodes' service account (required)."""
    node_pools: Sequence[GkeNodePoolArgs]
    """The node pools (required)."""
    deletion_protection: bool
    """Make the provider refuse to delete (or replace) the cluster; default true."""
    cert_manager_service_account: gcp.serviceaccount.Account
    """Google service account cert-manager's Kubernetes service account may impersonate."""
    cert_manager_namespace: str
    """cert-manager's namespace (default `cert-manager`)."""
    cert_manager_service_account_name: str
    """cert-manager's Kubernetes service account (default `cert-manager`)."""
    apis: Sequence[pulumi.Resource]
    """Project APIs (container, compute, iam) that must be enabled first."""


class GkeCluster(pulumi.ComponentResource):
    """GKE Standard cluster, its node pools, a kubeconfig and a Kubernetes provider."""

    cluster: gcp.container.Cluster
    """The GKE cluster."""
    cluster_name: pulumi.Output[str]
    """The GKE cluster's name."""
    endpoint: pulumi.Output[str]
    """Public control-plane endpoint (IP address)."""
    kubeconfig: pulumi.Output[str]
    """kubeconfig using gke-gcloud-auth-plugin (secret by policy, though it holds no credential)."""
    provider: k8s.Provider
    """Kubernetes provider for everything deployed into the cluster; it waits for the node pools."""
    info: ClusterInfo
    """The cluster contract: provider, distribution `gke`, kubeconfig and cert-manager's Workload Identity annotation."""

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        location = args["location"]
        cluster_name = args["cluster_name"]
        after_apis = pulumi.ResourceOptions(parent=self, depends_on=list(args.get("apis", ())))

        private_nodes = args.get("private_nodes", True)
        authorized = list(args.get("master_authorized_networks", ()))
        version = args.get("kubernetes_version")

        self.cluster = gcp.container.Cluster(
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
            # GKE cannot create a cluster without a pool; the temporary one is deleted at once.
            remove_default_node_pool=True,
            initial_node_count=1,
            release_channel={"channel": args.get("release_channel", "REGULAR")},
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
            private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": False} if private_nodes else None,
            master_authorized_networks_config=(
                {"cidr_blocks": [{"cidr_block": cidr, "display_name": f"authorized-{i}"} for i, cidr in enumerate(authorized)]}
                if authorized
                else None
            ),
            opts=pulumi.ResourceOptions.merge(after_apis, pulumi.ResourceOptions(ignore_changes=["initialNodeCount"])),
        )

        pools = [self._node_pool(name, pool, project, location, args["node_service_account"]) for pool in args["node_pools"]]

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
            identity = self._cert_manager_identity(name, solver, project, args)

        self.info = ClusterInfo(
            provider=self.provider,
            distribution="gke",
            containerd=CONTAINERD_DEFAULT,
            kubeconfig=self.kubeconfig,
            name=self.cluster_name,
            cert_manager_identity=identity,
        )
        self.register_outputs({"clusterName": self.cluster_name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig})

    def _node_pool(
        self, name: str, pool: GkeNodePoolArgs, project: str, location: str, service_account: pulumi.Input[str]
    ) -> gcp.container.NodePool:
        min_nodes = pool.get("min_nodes", 1)
        return gcp.container.NodePool(
            f"{name}-{pool['name']}",
            name=pool["name"],
            project=project,
            location=location,
            cluster=self.cluster.name,
            initial_node_count=1 if min_nodes > 0 else 0,
            # Totals across zones, so the bounds mean the same for zonal and regional clusters.
            autoscaling={"total_min_node_count": min_nodes, "total_max_node_count": pool["max_nodes"], "location_policy": "BALANCED"},
            # Release channels require both; GKE then upgrades pools with the control plane.
            management={"auto_repair": True, "auto_upgrade": True},
            max_pods_per_node=110,
            node_config={
                "machine_type": pool["machine_type"],
                "image_type": IMAGE_TYPE,
                "disk_type": DISK_TYPE,
                "disk_size_gb": pool.get("disk_size_gb", 100),
                "labels": dict(pool.get("labels", {})),
                "service_account": service_account,
                # Access is limited by the service account's roles; the scope only stops being a second gate.
                "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
                "metadata": {"disable-legacy-endpoints": "true"},
                # The GKE metadata server, which Workload Identity needs on every node.
                "workload_metadata_config": {"mode": "GKE_METADATA"},
            },
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["initialNodeCount"]),
        )

    def _cert_manager_identity(
        self, name: str, solver: gcp.serviceaccount.Account, project: str, args: GkeClusterArgs
    ) -> CertManagerIdentity:
        """Let cert-manager's Kubernetes service account act as `solver` (Workload Identity).

        The binding names the cluster's workload pool, which exists only once a cluster with Workload
        Identity does, so it depends on the cluster; the chart's annotation waits for the binding.
        """
        namespace = args.get("cert_manager_namespace", "cert-manager")
        ksa = args.get("cert_manager_service_account_name", "cert-manager")
        pool = self.cluster.workload_identity_config.apply(lambda config: nested(config, "workload_pool") or f"{project}.svc.id.goog")
        binding = gcp.serviceaccount.IAMMember(
            f"{name}-cert-manager-workload-identity",
            service_account_id=solver.name,
            role="roles/iam.workloadIdentityUser",
            member=pool.apply(lambda p: f"serviceAccount:{p}[{namespace}/{ksa}]"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        email = pulumi.Output.all(solver.email, binding.id).apply(lambda v: str(v[0]))
        return CertManagerIdentity(service_account_annotations={WORKLOAD_IDENTITY_ANNOTATION: email})
