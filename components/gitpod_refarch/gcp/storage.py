"""`GcsStorageAccess`: what Gitpod 2022.11 needs to keep workspace content in GCS.

Gitpod creates its buckets itself, one per user, named `gitpod-<stage>-user-<user id>` (stage is
`dev` unless the pods set KUBE_STAGE), in `metadata.region`. So there is no bucket to create here;
instead a service account gets exactly the storage permissions content-service and ws-daemon use,
scoped as tightly as that naming allows:

* a custom role with `storage.buckets.create` only, granted on the project without a condition
  (creation is checked against the project, and grants no access to any data);
* a custom role with bucket get/delete and object create/get/list/update/delete, granted on the
  project with the IAM condition `resource.name.startsWith("projects/_/buckets/gitpod-")`, so the
  key can read and write Gitpod's buckets and no other bucket in the project.

`roles/storage.admin`, which Gitpod's Terraform granted, would also let the key create HMAC keys
for any service account in the project and change bucket IAM policies: both are left out.
"""

from typing import Required, TypedDict

import pulumi
import pulumi_gcp as gcp

from ..contracts import GcsStorage, StorageInfo
from .keys import keyed_account
from .naming import account_id, role_prefix
from .platform import ApiDependencies, GcpContext, wait_for

TYPE = "gitpod:index:GcsStorageAccess"

#: Every bucket Gitpod creates starts with this (content-service `gcpBucketName`).
BUCKET_PREFIX = "gitpod-"
CREATE_PERMISSIONS = ("storage.buckets.create",)
USE_PERMISSIONS = (
    "storage.buckets.get",
    "storage.buckets.delete",
    "storage.objects.create",
    "storage.objects.delete",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.update",
)


def bucket_condition(prefix: str = BUCKET_PREFIX) -> str:
    """IAM condition matching buckets (and their objects) whose name starts with `prefix`."""
    return f'resource.name.startsWith("projects/_/buckets/{prefix}")'


class GcsStorageAccessArgs(TypedDict, total=False):
    project: Required[str]
    """Project Gitpod creates its buckets in (required)."""
    key_rotation: str | None
    """Any value; changing it replaces the service-account key (default: none)."""
    region: Required[str]
    """Location of Gitpod's buckets, i.e. the installer's `metadata.region` (required)."""
    account_id: Required[str]
    """ID of the service account whose key Gitpod uses (required)."""
    role_prefix: Required[str]
    """Prefix of the two custom roles' IDs, unique in the project (required)."""
    bucket_prefix: str
    """Bucket-name prefix the data permissions are limited to (default `gitpod-`)."""
    apis: ApiDependencies
    """What the project APIs (storage, iam, cloudresourcemanager) need before use, e.g. their `gcp.projects.Service`s."""


class GcsStorageAccess(pulumi.ComponentResource):
    """A service account (and key) that may create and use Gitpod's GCS buckets only."""

    service_account_email: pulumi.Output[str]
    """The service account's e-mail."""
    service_account_json: pulumi.Output[str]
    """Its key, the installer's `service-account.json` (secret)."""

    def __init__(self, name: str, args: GcsStorageAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        role_prefix = args["role_prefix"]
        prefix = args.get("bucket_prefix", BUCKET_PREFIX)
        child = pulumi.ResourceOptions(parent=self, depends_on=wait_for(args.get("apis", ())))

        account, key_json, key_created = keyed_account(
            name,
            project=project,
            account_id=args["account_id"],
            display_name="Gitpod object storage",
            description=f"Key used by Gitpod's content-service and ws-daemon; may create and use buckets named {prefix}* only.",
            opts=child,
            rotation=args.get("key_rotation"),
        )
        only_gitpods: gcp.projects.IAMMemberConditionArgsDict = {
            "title": "gitpod-buckets-only",
            "description": f"Buckets named {prefix}* (Gitpod's per-user buckets) and their objects.",
            "expression": bucket_condition(prefix),
        }
        roles = (
            ("creator", "Create buckets (Gitpod creates one per user); no access to any data.", CREATE_PERMISSIONS, None),
            ("user", "Read, write and delete Gitpod's workspace content; granted on Gitpod's buckets only.", USE_PERMISSIONS, only_gitpods),
        )
        for key, description, permissions, condition in roles:
            role = gcp.projects.IAMCustomRole(
                f"{name}-bucket-{key}-role",
                project=project,
                role_id=f"{role_prefix}_bucket_{key}",
                title=f"Gitpod bucket {key}",
                description=description,
                permissions=list(permissions),
                stage="GA",
                opts=child,
            )
            gcp.projects.IAMMember(
                f"{name}-bucket-{key}", project=project, role=role.name, member=account.member, condition=condition, opts=child
            )
        self.service_account_email = account.email
        self.service_account_json = key_json
        # The storage contract (`gcs`) for the installer values. (Python only: not in the package schema, see provider.py.)
        self.info: GcsStorage = GcsStorage(
            region=args["region"], project=project, service_account_json=self.service_account_json, key_created=key_created
        )
        self.register_outputs({"serviceAccountEmail": self.service_account_email})


def build(ctx: GcpContext) -> StorageInfo:
    cluster, p = ctx.settings.cluster.name, ctx.platform
    return GcsStorageAccess(
        f"{ctx.name}-gcs",
        {
            "project": p.project,
            "region": p.region,
            "account_id": account_id(cluster, "storage"),
            "role_prefix": role_prefix(cluster),
            "key_rotation": ctx.settings.cloud_settings.key_rotation,
            "apis": p.apis_named("storage.googleapis.com", "iam.googleapis.com", "cloudresourcemanager.googleapis.com"),
        },
        opts=ctx.opts(p.opts()),
    ).info
