"""`AzurePlatform`: the resource group, network and identities every Azure concern builds on.

The identities live here, not in the cluster, because other concerns grant them access: the
registry gives the kubelet identity AcrPull and the DNS zone gives cert-manager's identity DNS
Zone Contributor. Created up front, those grants never wait for (or depend on) the AKS cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

TYPE = "gitpod:index:AzurePlatform"

#: The subnet delegation Azure Database for MySQL Flexible Server needs for private access.
MYSQL_DELEGATION = "Microsoft.DBforMySQL/flexibleServers"


class AzurePlatformArgs(TypedDict, total=False):
    location: str
    """Azure region for every regional resource (required)."""
    resource_group_name: str
    """Resource group holding everything (required)."""
    create_resource_group: bool
    """Create the resource group (default true); false uses an existing one of that name."""
    prefix: str
    """Prefix of Azure resource names, normally the cluster name (default `gitpod`)."""
    vnet_cidr: str
    """VNet address space, e.g. `10.2.0.0/16` (required)."""
    node_subnet_cidr: str
    """Subnet for AKS nodes, inside `vnet_cidr` (required)."""
    database_subnet_cidr: str
    """Subnet delegated to MySQL Flexible Server, inside `vnet_cidr` (required)."""
    cert_manager_identity: bool
    """Create a user-assigned identity for cert-manager's Azure DNS solver (default false)."""
    protect: bool
    """Protect the resource group from deletion (default true); deleting it deletes everything in it."""


@dataclass(frozen=True)
class Identity:
    """A user-assigned managed identity, as the resources that use or grant it need it."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    @staticmethod
    def of(identity: managedidentity.UserAssignedIdentity) -> Identity:
        return Identity(identity.id, identity.name, identity.client_id, identity.principal_id)


@dataclass(frozen=True)
class AzureFoundation:
    """What the cluster, database, storage, registry and DNS implementations build on."""

    location: str
    resource_group_name: pulumi.Output[str]
    subscription_id: pulumi.Output[str]
    vnet_id: pulumi.Output[str]
    node_subnet_id: pulumi.Output[str]
    database_subnet_id: pulumi.Output[str]
    kubelet_identity: Identity
    cert_manager_identity: Identity | None = None


class AzurePlatform(pulumi.ComponentResource):
    """Resource group, VNet with a node subnet and a MySQL-delegated subnet, and identities.

    The node subnet has a `Microsoft.Storage` service endpoint so the storage account can accept
    traffic from the nodes only; its route table belongs to AKS (kubenet attaches one), so the
    program leaves it alone. Subnets are created one after the other: Azure rejects concurrent
    changes to subnets of one VNet.
    """

    foundation: AzureFoundation
    """Everything the concerns need from the platform."""

    def __init__(self, name: str, args: AzurePlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        location = args["location"]
        prefix = args.get("prefix", "gitpod")
        child = pulumi.ResourceOptions(parent=self)

        group_name: pulumi.Output[str]
        if args.get("create_resource_group", True):
            group = resources.ResourceGroup(
                f"{name}-resource-group",
                resource_group_name=args["resource_group_name"],
                location=location,
                opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
            )
            group_name = group.name
        else:
            group_name = pulumi.Output.from_input(args["resource_group_name"])

        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=f"{prefix}-vnet",
            resource_group_name=group_name,
            location=location,
            address_space={"address_prefixes": [args["vnet_cidr"]]},
            opts=child,
        )
        nodes = network.Subnet(
            f"{name}-node-subnet",
            subnet_name="nodes",
            virtual_network_name=vnet.name,
            resource_group_name=group_name,
            address_prefix=args["node_subnet_cidr"],
            service_endpoints=[{"service": "Microsoft.Storage"}],
            # With kubenet, AKS attaches its own route table (in the node resource group) to this
            # subnet after the cluster is created. Without this, the first `pulumi up` after a refresh
            # would detach it and cut pod-to-pod traffic between nodes (Azure/AKS#400,
            # hashicorp/terraform-provider-azurerm#4719). The program never sets a route table.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["routeTable"]),
        )
        database = network.Subnet(
            f"{name}-database-subnet",
            subnet_name="mysql",
            virtual_network_name=vnet.name,
            resource_group_name=group_name,
            address_prefix=args["database_subnet_cidr"],
            delegations=[{"name": "mysql-flexible-server", "service_name": MYSQL_DELEGATION}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[nodes]),
        )

        kubelet = managedidentity.UserAssignedIdentity(
            f"{name}-kubelet-identity",
            resource_name_=f"{prefix}-kubelet",
            resource_group_name=group_name,
            location=location,
            opts=child,
        )
        cert_manager: Identity | None = None
        if args.get("cert_manager_identity", False):
            cert_manager = Identity.of(
                managedidentity.UserAssignedIdentity(
                    f"{name}-cert-manager-identity",
                    resource_name_=f"{prefix}-cert-manager",
                    resource_group_name=group_name,
                    location=location,
                    opts=child,
                )
            )

        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.foundation = AzureFoundation(
            location=location,
            resource_group_name=group_name,
            subscription_id=client.subscription_id,
            vnet_id=vnet.id,
            node_subnet_id=nodes.id,
            database_subnet_id=database.id,
            kubelet_identity=Identity.of(kubelet),
            cert_manager_identity=cert_manager,
        )
        self.register_outputs(
            {
                "resourceGroupName": group_name,
                "vnetId": vnet.id,
                "nodeSubnetId": nodes.id,
                "databaseSubnetId": database.id,
                "kubeletIdentityId": kubelet.id,
            }
        )
