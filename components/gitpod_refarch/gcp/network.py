"""`GcpNetwork`: the VPC the cluster and Cloud SQL share.

A dedicated VPC rather than `default`: VPC-native GKE needs named secondary ranges for pods and
services, and Cloud SQL's private IP needs a range reserved for Google's service producer network
(private service access), which must not overlap anything else in the VPC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

TYPE = "gitpod:index:GcpNetwork"

PODS_RANGE = "pods"
SERVICES_RANGE = "services"
#: Google recommends a /16 for private service access so later producers (replicas, more instances) fit.
PRIVATE_SERVICES_PREFIX = 16


class GcpNetworkArgs(TypedDict, total=False):
    prefix: str
    """Prefix of the network resources' Google names, normally the cluster name (required)."""
    region: str
    """Region of the subnet, router and NAT (required)."""
    subnet_cidr: str
    """Primary range of the node subnet, e.g. `10.255.0.0/16` as in Gitpod's Terraform (required)."""
    pods_cidr: str
    """Secondary range for pod IPs, e.g. `10.0.0.0/12` (required)."""
    services_cidr: str
    """Secondary range for Service cluster IPs, e.g. `10.64.0.0/12` (required)."""
    nat: bool
    """Create a Cloud Router and NAT so nodes without external IPs reach the internet (default true).
    Turning it off while any node pool still has private nodes cuts those nodes off the internet."""
    apis: Sequence[pulumi.Resource]
    """Project APIs (compute) that must be enabled before the VPC."""


class GcpNetwork(pulumi.ComponentResource):
    """VPC, node subnet with pod/service secondary ranges and NAT; private service access on request."""

    network: gcp.compute.Network
    """The VPC."""
    subnetwork: gcp.compute.Subnetwork
    """The node subnet, with the pods and services secondary ranges."""
    network_id: pulumi.Output[str]
    """The VPC's ID (`projects/<p>/global/networks/<name>`), for the cluster and Cloud SQL."""
    subnetwork_id: pulumi.Output[str]
    """The node subnet's ID."""
    pods_range_name: str
    """Name of the pods secondary range (`ip_allocation_policy.cluster_secondary_range_name`)."""
    services_range_name: str
    """Name of the services secondary range."""

    def __init__(self, name: str, args: GcpNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self._prefix = prefix = args["prefix"]
        region = args["region"]
        self._child = child = pulumi.ResourceOptions(parent=self, depends_on=list(args.get("apis", ())))

        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=f"{prefix}-vpc",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            description="Gitpod: cluster nodes, pods and services, and Cloud SQL private IP",
            opts=child,
        )
        self.subnetwork = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=f"{prefix}-nodes",
            region=region,
            network=self.network.id,
            ip_cidr_range=args["subnet_cidr"],
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE, "ip_cidr_range": args["pods_cidr"]},
                {"range_name": SERVICES_RANGE, "ip_cidr_range": args["services_cidr"]},
            ],
            # Nodes without external IPs still reach Google APIs (Artifact Registry, GCS, Cloud SQL Admin).
            private_ip_google_access=True,
            opts=child,
        )

        if args.get("nat", True):
            router = gcp.compute.Router(f"{name}-router", name=f"{prefix}-router", region=region, network=self.network.id, opts=child)
            gcp.compute.RouterNat(
                f"{name}-nat",
                name=f"{prefix}-nat",
                region=region,
                router=router.name,
                nat_ip_allocate_option="AUTO_ONLY",
                source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                # Workspaces open many outbound connections (git, package registries, image pulls):
                # let busy nodes grow their port allocation instead of dropping connections.
                enable_dynamic_port_allocation=True,
                min_ports_per_vm=256,
                max_ports_per_vm=65536,
                enable_endpoint_independent_mapping=False,
                log_config={"enable": True, "filter": "ERRORS_ONLY"},
                opts=child,
            )

        self.network_id = self.network.id
        self.subnetwork_id = self.subnetwork.id
        self.pods_range_name = PODS_RANGE
        self.services_range_name = SERVICES_RANGE
        self.register_outputs({"networkId": self.network_id, "subnetworkId": self.subnetwork_id})

    def reserve_private_service_access(self, depends_on: Sequence[pulumi.Resource]) -> gcp.servicenetworking.Connection:
        """Reserve a range for Google's service producers and peer with it: Cloud SQL's private IP needs it.

        Called once, by what needs it (the database builder), as pulumi-eks' `Cluster.createNodeGroup`
        adds a node group to a built cluster (pulumi/pulumi-eks nodejs/eks/cluster.ts): the range
        and the peering belong to this VPC, but only Cloud SQL makes them necessary. `depends_on` is what only the peering waits for (the
        servicenetworking API, its service agent and the agent's role); the VPC, and so the
        cluster, does not wait for them.
        """
        reserved = gcp.compute.GlobalAddress(
            f"{self.pulumi_resource_name}-private-services",
            name=f"{self._prefix}-private-services",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=PRIVATE_SERVICES_PREFIX,
            network=self.network.id,
            description="Gitpod: range for Google-managed services (Cloud SQL private IP)",
            opts=self._child,
        )
        return gcp.servicenetworking.Connection(
            f"{self.pulumi_resource_name}-private-service-access",
            network=self.network.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[reserved.name],
            # Cloud SQL keeps its producer reservation for days after an instance is deleted, so a
            # plain delete fails on `pulumi destroy`; drop the peering instead so the VPC can go.
            deletion_policy="REMOVE_PEERING",
            opts=pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(depends_on=list(depends_on))),
        )
