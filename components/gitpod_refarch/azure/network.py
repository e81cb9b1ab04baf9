"""The VNet: a subnet for the AKS nodes and one delegated to MySQL Flexible Server.

The platform component (`platform.AzurePlatform`) declares it as its own children, where these
resources have always been, so moving the code here changed no URN. The node subnet has a
`Microsoft.Storage` service endpoint so the storage account can admit the nodes only. Subnets are
created one after the other: Azure rejects concurrent changes to subnets of one VNet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_azure_native.network as network

#: The subnet delegation Azure Database for MySQL Flexible Server needs for private access.
MYSQL_DELEGATION = "Microsoft.DBforMySQL/flexibleServers"


class AzureNetworkArgs(TypedDict):
    vnet_cidr: str
    """VNet address space, e.g. `10.2.0.0/16`."""
    node_subnet_cidr: str
    """Subnet for AKS nodes, inside `vnet_cidr`."""
    database_subnet_cidr: str
    """Subnet delegated to MySQL Flexible Server, inside `vnet_cidr`."""


@dataclass(frozen=True)
class AzureNetwork:
    """What the cluster, the database and the storage account need of the VNet."""

    vnet_id: pulumi.Output[str]
    #: Subnet the nodes join; the only one the storage account admits.
    node_subnet_id: pulumi.Output[str]
    #: Subnet delegated to MySQL Flexible Server.
    database_subnet_id: pulumi.Output[str]


def declare(
    name: str, args: AzureNetworkArgs, *, group: pulumi.Input[str], location: str, prefix: str, parent: pulumi.Resource
) -> AzureNetwork:
    """The VNet `<prefix>-vnet` with its subnets `nodes` and `mysql`, as children of `parent`."""
    vnet = network.VirtualNetwork(
        f"{name}-vnet",
        virtual_network_name=f"{prefix}-vnet",
        resource_group_name=group,
        location=location,
        address_space={"address_prefixes": [args["vnet_cidr"]]},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    nodes = network.Subnet(
        f"{name}-node-subnet",
        subnet_name="nodes",
        virtual_network_name=vnet.name,
        resource_group_name=group,
        address_prefix=args["node_subnet_cidr"],
        service_endpoints=[{"service": "Microsoft.Storage"}],
        # With kubenet, AKS attaches its own route table (in the node resource group) to this
        # subnet after the cluster is created. Without this, the first `pulumi up` after a refresh
        # would detach it and cut pod-to-pod traffic between nodes (Azure/AKS#400,
        # hashicorp/terraform-provider-azurerm#4719). The program never sets a route table.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["routeTable"]),
    )
    database = network.Subnet(
        f"{name}-database-subnet",
        subnet_name="mysql",
        virtual_network_name=vnet.name,
        resource_group_name=group,
        address_prefix=args["database_subnet_cidr"],
        delegations=[{"name": "mysql-flexible-server", "service_name": MYSQL_DELEGATION}],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[nodes]),
    )
    return AzureNetwork(vnet_id=vnet.id, node_subnet_id=nodes.id, database_subnet_id=database.id)
