"""What every Azure concern builds on: the resource group, the network and the kubelet identity.

`build` declares the `AzurePlatform` component (the resource group, the VNet of `network.py` and
the kubelet identity) and returns the frozen `AzurePlatformInfo` record.

Identities live under this component, not the cluster, because other concerns grant them access:
the registry gives the kubelet identity AcrPull, the DNS zone gives cert-manager's identity DNS
Zone Contributor. Created before the cluster, those grants never wait for (or depend on) it.
cert-manager's identity exists only with Azure DNS, so the DNS builder declares it
(`AzurePlatform.identity`) and hands it to the cluster in the zone's contract.
"""

from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.resources as resources

from ..architecture import Context
from ..settings import Settings
from . import network
from .settings import AzureSettings, resource_group_name

TYPE = "gitpod:index:AzurePlatform"


class ManagedIdentity(TypedDict):
    """A user-assigned managed identity as a component arg: plain values another language can send."""

    id: pulumi.Input[str]
    """Resource ID of the identity."""
    name: pulumi.Input[str]
    """Its name."""
    client_id: pulumi.Input[str]
    """Its client (application) ID."""
    principal_id: pulumi.Input[str]
    """Its principal (object) ID, which role assignments name."""


@dataclass(frozen=True)
class Identity:
    """A user-assigned managed identity, as the resources that use or grant it need it."""

    id: pulumi.Output[str]
    name: pulumi.Output[str]
    client_id: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    @staticmethod
    def create(name: str, resource_name: str, *, group: pulumi.Input[str], location: str, parent: pulumi.Resource) -> "Identity":
        """Declare the identity `resource_name` in `group`."""
        identity = managedidentity.UserAssignedIdentity(
            name, resource_name_=resource_name, resource_group_name=group, location=location, opts=pulumi.ResourceOptions(parent=parent)
        )
        return Identity(identity.id, identity.name, identity.client_id, identity.principal_id)

    @staticmethod
    def of(args: ManagedIdentity) -> "Identity":
        """The identity a component's plain arg describes."""
        return Identity(
            pulumi.Output.from_input(args["id"]),
            pulumi.Output.from_input(args["name"]),
            pulumi.Output.from_input(args["client_id"]),
            pulumi.Output.from_input(args["principal_id"]),
        )

    def args(self) -> ManagedIdentity:
        """The plain form the components take (`AksCluster.kubelet_identity`, `AzureDnsZone`'s identities)."""
        return {"id": self.id, "name": self.name, "client_id": self.client_id, "principal_id": self.principal_id}


class Placement(TypedDict):
    """Where an Azure component goes: the arguments every regional component takes.

    The exported components' args repeat these three fields instead of extending this type: the
    component package's schema analyzer reads a field's description from the class that declares
    it only, so an inherited field would reach other languages undocumented.
    """

    resource_group_name: pulumi.Input[str]
    """Resource group of the component's resources."""
    location: str
    """Azure region."""
    prefix: str
    """Prefix of Azure resource names, normally the cluster name; globally unique names add a random suffix."""


class AzurePlatformArgs(Placement, network.AzureNetworkArgs, total=False):
    """`resource_group_name` holds everything; `location` is that of every regional resource."""

    create_resource_group: bool
    """Create the resource group; false uses an existing one of that name (required)."""
    protect: bool
    """Protect the resource group from deletion (default true); deleting it deletes everything in it."""


@dataclass(frozen=True)
class AzurePlatformInfo:
    """The Azure platform of one stack, built once by `build`."""

    location: str
    resource_group_name: pulumi.Output[str]
    #: The deploying subscription, which qualifies the role definitions granted.
    subscription_id: pulumi.Output[str]
    #: Prefix of Azure resource names (`gitpod:cluster.name`).
    prefix: str
    network: network.AzureNetwork
    #: User-assigned identity the kubelets run as, created before the cluster so registries can grant it AcrPull.
    kubelet_identity: Identity
    #: The component itself, for the identities a concern declares under it.
    resources: "AzurePlatform"
    #: Entra ID object ID of whoever runs `pulumi up` (a person or a service principal).
    deployer_object_id: pulumi.Output[str]

    def placement(self) -> Placement:
        return {"resource_group_name": self.resource_group_name, "location": self.location, "prefix": self.prefix}


class AzurePlatform(pulumi.ComponentResource):
    """The resource group (created or existing), the VNet and its subnets, and the kubelet identity."""

    info: AzurePlatformInfo
    """The platform record every Azure builder receives."""

    def __init__(self, name: str, args: AzurePlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self._component_name = name
        self._location, self._prefix = args["location"], args["prefix"]
        if args["create_resource_group"]:
            group = resources.ResourceGroup(
                f"{name}-resource-group",
                resource_group_name=args["resource_group_name"],
                location=self._location,
                opts=pulumi.ResourceOptions(parent=self, protect=args.get("protect", True)),
            )
            self._group = group.name
        else:
            self._group = pulumi.Output.from_input(args["resource_group_name"])
        net = network.declare(name, args, group=self._group, location=self._location, prefix=self._prefix, parent=self)
        kubelet = self.identity("kubelet")
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.info = AzurePlatformInfo(
            self._location, self._group, client.subscription_id, self._prefix, net, kubelet, self, client.object_id
        )
        self.register_outputs(
            {
                "resourceGroupName": self._group,
                "vnetId": net.vnet_id,
                "nodeSubnetId": net.node_subnet_id,
                "databaseSubnetId": net.database_subnet_id,
                "kubeletIdentityId": kubelet.id,
            }
        )

    def identity(self, role: str) -> Identity:
        """The identity `<prefix>-<role>` in the platform's resource group, declared under this component."""
        return Identity.create(
            f"{self._component_name}-{role}-identity",
            f"{self._prefix}-{role}",
            group=self._group,
            location=self._location,
            parent=self,
        )


#: What every Azure builder receives: the settings with `gitpod:azure`, the name prefix and the platform.
AzureContext = Context[AzureSettings, AzurePlatformInfo]


def build(settings: Settings[AzureSettings], name: str, parent: pulumi.Resource | None = None) -> AzurePlatformInfo:
    azure = settings.cloud_settings
    net = azure.network
    return AzurePlatform(
        f"{name}-azure",
        {
            "location": azure.location,
            "resource_group_name": resource_group_name(settings),
            "create_resource_group": azure.create_resource_group,
            "prefix": settings.cluster.name,
            "vnet_cidr": net.vnet_cidr,
            "node_subnet_cidr": net.node_subnet_cidr,
            "database_subnet_cidr": net.database_subnet_cidr,
            "protect": settings.protect,
        },
        opts=pulumi.ResourceOptions(parent=parent),
    ).info
