"""`Network`: a VPC over two or more zones, public and private subnets, NAT, and the nodes' group.

Nodes sit in private subnets and reach the internet through one NAT gateway per zone (a zone
outage must not cut every node's egress). Public subnets only hold the NAT gateways and the
load balancers Kubernetes creates for Gitpod's proxy, which find them by the
`kubernetes.io/role/*` tags. With the VPC CNI every pod takes a VPC address, so the private
subnets get most of the address space.

The nodes' security group lives here, not in the cluster, so that the database can admit it
without depending on the cluster.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_aws as aws

from .descriptions import ec2_description

TYPE = "gitpod:index:Network"
MAX_ZONES = 6


class NetworkArgs(TypedDict, total=False):
    cidr: str
    """The VPC's IPv4 range, /16 to /20 (required)."""
    availability_zones: Sequence[str]
    """Zones to spread subnets over, at least two (required)."""
    cluster_name: str
    """EKS cluster name, for the `kubernetes.io/cluster/<name>` subnet tags (required)."""


def subnet_plan(cidr: str, zones: int) -> list[tuple[str, str]]:
    """(private, public) CIDRs per zone: private gets 1/8 of the VPC each, public 1/64 each.

    Private blocks are the first `zones` eighths; the public blocks are carved from the last
    eighth, so adding a zone later never moves an existing subnet.
    """
    if not 2 <= zones <= MAX_ZONES:
        raise ValueError(f"between 2 and {MAX_ZONES} zones are supported, got {zones}")
    vpc = ipaddress.IPv4Network(cidr)
    eighths = list(vpc.subnets(prefixlen_diff=3))
    public = list(eighths[-1].subnets(prefixlen_diff=3))
    return [(str(eighths[i]), str(public[i])) for i in range(zones)]


class Network(pulumi.ComponentResource):
    """The VPC, its subnets and routes, NAT gateways, and the security group every node carries."""

    vpc_id: pulumi.Output[str]
    """The VPC."""
    private_subnet_ids: list[pulumi.Output[str]]
    """Private subnets (nodes, database), one per zone."""
    public_subnet_ids: list[pulumi.Output[str]]
    """Public subnets (NAT gateways, internet-facing load balancers), one per zone."""
    node_security_group_id: pulumi.Output[str]
    """Security group on every node: node-to-node traffic and egress; the database admits it."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        zones = list(args["availability_zones"])
        cluster_tag = f"kubernetes.io/cluster/{args['cluster_name']}"
        child = pulumi.ResourceOptions(parent=self)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args["cidr"],
            enable_dns_support=True,
            enable_dns_hostnames=True,  # EKS nodes register with their private DNS names
            tags={"Name": name},
            opts=child,
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": name}, opts=child)
        public_routes = aws.ec2.RouteTable(f"{name}-public", vpc_id=vpc.id, tags={"Name": f"{name}-public"}, opts=child)
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_routes.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )

        self.private_subnet_ids = []
        self.public_subnet_ids = []
        for zone, (private_cidr, public_cidr) in zip(zones, subnet_plan(args["cidr"], len(zones)), strict=True):
            public = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=public_cidr,
                map_public_ip_on_launch=False,
                tags={"Name": f"{name}-public-{zone}", "kubernetes.io/role/elb": "1", cluster_tag: "shared"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{name}-public-{zone}", subnet_id=public.id, route_table_id=public_routes.id, opts=child)
            eip = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags={"Name": f"{name}-nat-{zone}"}, opts=child)
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=public.id,
                tags={"Name": f"{name}-{zone}"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=private_cidr,
                tags={"Name": f"{name}-private-{zone}", "kubernetes.io/role/internal-elb": "1", cluster_tag: "shared"},
                opts=child,
            )
            routes = aws.ec2.RouteTable(f"{name}-private-{zone}", vpc_id=vpc.id, tags={"Name": f"{name}-private-{zone}"}, opts=child)
            aws.ec2.Route(
                f"{name}-private-{zone}-internet",
                route_table_id=routes.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(f"{name}-private-{zone}", subnet_id=private.id, route_table_id=routes.id, opts=child)
            self.public_subnet_ids.append(public.id)
            self.private_subnet_ids.append(private.id)

        # Not tagged kubernetes.io/cluster/<name>: the cluster security group EKS creates (also on
        # every node) carries that tag, and the AWS cloud provider refuses two tagged groups.
        nodes = aws.ec2.SecurityGroup(
            f"{name}-nodes",
            vpc_id=vpc.id,
            description=ec2_description("Gitpod EKS nodes: node-to-node traffic and egress", "group"),
            tags={"Name": f"{name}-nodes"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nodes-from-nodes",
            security_group_id=nodes.id,
            referenced_security_group_id=nodes.id,
            ip_protocol="-1",
            description=ec2_description("pods and nodes talk to each other (VPC CNI pod IPs, Calico Typha)"),
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-nodes-egress",
            security_group_id=nodes.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="-1",
            description=ec2_description("images, Git hosts, AWS APIs (through NAT)"),
            opts=child,
        )

        self.vpc_id = vpc.id
        self.node_security_group_id = nodes.id
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "nodeSecurityGroupId": self.node_security_group_id,
            }
        )
