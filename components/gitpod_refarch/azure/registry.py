"""`ContainerRegistry`: ACR for Gitpod's image builder (push) and the kubelets (pull)."""

from typing import Required, TypedDict

import pulumi
import pulumi_azure_native.containerregistry as containerregistry

from ..contracts import ExternalRegistry, RegistryInfo, StorageInfo
from . import roles
from .naming import alphanumeric, unique_suffix
from .platform import AzureContext

TYPE = "gitpod:index:ContainerRegistry"


class ContainerRegistryArgs(TypedDict, total=False):
    resource_group_name: Required[pulumi.Input[str]]
    """Resource group of the component's resources (required)."""
    location: Required[str]
    """Azure region (required)."""
    prefix: Required[str]
    """Prefix of Azure resource names, normally the cluster name; globally unique names add a random suffix (required)."""
    sku: Required[str]
    """`Basic`, `Standard` or `Premium` (geo-replication, private link) (required)."""
    subscription_id: Required[pulumi.Input[str]]
    """Subscription of the AcrPull role definition (required)."""
    kubelet_principal_id: Required[pulumi.Input[str]]
    """Principal (object) ID of the kubelet identity, granted AcrPull on this registry only (required)."""
    protect: bool
    """Protect the registry and its name in Pulumi (default true)."""


class ContainerRegistry(pulumi.ComponentResource):
    """An Azure Container Registry Gitpod pushes workspace images to.

    Gitpod's image builder pushes with the credentials in a dockerconfigjson Secret, so it needs
    a username and password that can push: the registry's admin user (as Gitpod's Terraform
    did), which is scoped to this one registry. ACR creates repositories on push, so
    `<url>/base-images` and `<url>/workspace-images` need no preparation. The kubelets pull
    with their managed identity (AcrPull), e.g. when installer.repository mirrors into here.
    """

    login_server: pulumi.Output[str]
    """`<name>.azurecr.io`: both the installer's `containerRegistry.external.url` and the docker auth host."""
    username: pulumi.Output[str]
    """Admin user name."""
    password: pulumi.Output[str]
    """Admin password (secret)."""

    def __init__(self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        group = args["resource_group_name"]
        kept = pulumi.ResourceOptions(parent=self, protect=args.get("protect", True))

        # Registry names are global: 5-50 letters and digits.
        suffix = unique_suffix(f"{name}-name-suffix", 8, kept)
        registry = containerregistry.Registry(
            f"{name}-acr",
            registry_name=pulumi.Output.concat(alphanumeric(args["prefix"], 40), suffix.result),
            resource_group_name=group,
            location=args["location"],
            sku={"name": args["sku"]},
            admin_user_enabled=True,
            opts=kept,
        )
        roles.grant(
            f"{name}-kubelet-pull",
            role=roles.ACR_PULL,
            scope=registry.id,
            principal_id=args["kubelet_principal_id"],
            subscription_id=args["subscription_id"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        credentials = containerregistry.list_registry_credentials_output(
            registry_name=registry.name,
            resource_group_name=group,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )

        self.login_server = registry.login_server
        self.username = credentials.apply(lambda c: c.username or "")
        self.password = pulumi.Output.secret(credentials.apply(lambda c: (c.passwords[0].value if c.passwords else None) or ""))
        self.info = ExternalRegistry(
            url=self.login_server,
            server=self.login_server,
            username=self.username,
            password=self.password,
        )
        self.register_outputs({"loginServer": self.login_server, "username": self.username, "password": self.password})


def build(ctx: AzureContext, storage: StorageInfo) -> RegistryInfo:
    """ACR, which keeps image layers itself: the storage's contract is not needed."""
    platform = ctx.platform
    args: ContainerRegistryArgs = {
        **platform.placement(),
        "sku": ctx.settings.cloud_settings.registry_sku,
        "subscription_id": platform.subscription_id,
        "kubelet_principal_id": platform.kubelet_identity.principal_id,
        "protect": ctx.settings.protect,
    }
    return ContainerRegistry(f"{ctx.name}-registry", args, opts=ctx.opts()).info
