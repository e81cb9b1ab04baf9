"""`BlobStorage`: the storage account Gitpod keeps workspace content in (installer `objectStorage.azure`)."""

from typing import Required, TypedDict

import pulumi
import pulumi_azure_native.storage as storage

from ..contracts import AzureStorage, StorageInfo
from .naming import alphanumeric, unique_suffix
from .platform import AzureContext

TYPE = "gitpod:index:BlobStorage"

#: Days a deleted blob or container can still be restored.
SOFT_DELETE_DAYS = 7


class BlobStorageArgs(TypedDict, total=False):
    resource_group_name: Required[pulumi.Input[str]]
    """Resource group of the component's resources (required)."""
    location: Required[str]
    """Azure region, also Gitpod's `metadata.region` (required)."""
    prefix: Required[str]
    """Prefix of Azure resource names, normally the cluster name; globally unique names add a random suffix (required)."""
    node_subnet_id: Required[pulumi.Input[str]]
    """The only subnet allowed to reach the blob endpoint (needs a `Microsoft.Storage` service endpoint) (required)."""
    sku: str
    """Replication, e.g. `Standard_LRS` (default, as Gitpod's Terraform) or `Standard_ZRS`."""
    protect: bool
    """Protect the account and its name in Pulumi (default true)."""


class BlobStorage(pulumi.ComponentResource):
    """A StorageV2 account: HTTPS only, TLS 1.2+, no anonymous blob access, reachable from the nodes only.

    Gitpod 2022.11 talks to it through the installer's MinIO Azure gateway, which authenticates with
    the account key, so shared-key access stays enabled; the key goes only into the installer's
    `objectStorage.azure.credentials` Secret. Content-service creates its containers itself.
    Deleted blobs and containers are kept for `SOFT_DELETE_DAYS` days. Data is encrypted at rest
    with Microsoft-managed keys (Azure Storage cannot turn encryption off).
    """

    account_name: pulumi.Output[str]
    """Storage account name (`accountName` in the installer Secret)."""
    account_key: pulumi.Output[str]
    """Primary account key (secret)."""

    def __init__(self, name: str, args: BlobStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        group = args["resource_group_name"]
        protect = args.get("protect", True)
        kept = pulumi.ResourceOptions(parent=self, protect=protect)

        # Storage account names are global: 3-24 lower-case letters and digits.
        suffix = unique_suffix(f"{name}-name-suffix", 8, kept)
        account = storage.StorageAccount(
            f"{name}-account",
            account_name=pulumi.Output.concat(alphanumeric(args["prefix"], 16), suffix.result),
            resource_group_name=group,
            location=args["location"],
            kind="StorageV2",
            sku={"name": args.get("sku", "Standard_LRS")},
            access_tier=storage.AccessTier.HOT,
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=True,
            network_rule_set={
                "default_action": storage.DefaultAction.DENY,
                "bypass": "AzureServices",
                "virtual_network_rules": [{"virtual_network_resource_id": args["node_subnet_id"], "action": storage.Action.ALLOW}],
            },
            opts=kept,
        )
        storage.BlobServiceProperties(
            f"{name}-blob-service",
            blob_services_name="default",
            account_name=account.name,
            resource_group_name=group,
            delete_retention_policy={"enabled": True, "days": SOFT_DELETE_DAYS},
            container_delete_retention_policy={"enabled": True, "days": SOFT_DELETE_DAYS},
            opts=pulumi.ResourceOptions(parent=self),
        )
        keys = storage.list_storage_account_keys_output(
            account_name=account.name,
            resource_group_name=group,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )

        self.account_name = account.name
        self.account_key = pulumi.Output.secret(keys.apply(lambda k: k.keys[0].value))
        self.info = AzureStorage(region=args["location"], account_name=self.account_name, account_key=self.account_key)
        self.register_outputs({"accountName": self.account_name, "accountKey": self.account_key})


def build(ctx: AzureContext) -> StorageInfo:
    platform = ctx.platform
    args: BlobStorageArgs = {**platform.placement(), "node_subnet_id": platform.network.node_subnet_id, "protect": ctx.settings.protect}
    return BlobStorage(f"{ctx.name}-storage", args, opts=ctx.opts()).info
