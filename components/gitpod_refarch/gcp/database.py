"""`CloudSqlDatabase`: Cloud SQL for MySQL, private IP only, as Gitpod 2022.11 needs it.

`build` also reserves the private service access its private IP needs in the VPC.

Gitpod 2022.11 reaches Cloud SQL through the Cloud SQL Auth Proxy it deploys (`database.cloudSQL`).
That proxy version authenticates with a service-account key file (`credentials.json`): the
installer mounts the Secret into the proxy and has no Workload Identity option for it. So the
program creates a service account that may only connect to this one instance and hands its key
to the installer. cert-manager, which the program deploys itself, uses Workload Identity instead.
"""

from typing import Any, Required, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from ..contracts import CloudSqlConnection, DatabaseInfo
from ..settings.model import required
from .keys import keyed_account
from .naming import account_id
from .platform import ApiDependencies, GcpContext, wait_for

TYPE = "gitpod:index:CloudSqlDatabase"

DATABASE = "gitpod"
USERNAME = "gitpod"
#: Gitpod relies on MySQL 5.7's pre-8.0 TIMESTAMP semantics (NULL sets CURRENT_TIMESTAMP); its own
#: in-cluster MySQL runs with this flag off, and 8.0 turns it on by default.
FLAGS = {"explicit_defaults_for_timestamp": "off"}


class CloudSqlDatabaseArgs(TypedDict, total=False):
    project: Required[str]
    """Project ID (required)."""
    key_rotation: str | None
    """Any value; changing it replaces the service-account key (default: none)."""
    region: Required[str]
    """Region of the instance (required)."""
    version: Required[str]
    """MySQL major: `5.7` (what Gitpod 2022.11 was tested on) or `8.0` (required)."""
    tier: Required[str]
    """Machine tier, Enterprise edition, e.g. `db-custom-2-7680` (2 vCPU, 7.5 GB) (required)."""
    high_availability: Required[bool]
    """A standby in a second zone with automatic failover (`REGIONAL`) (required)."""
    deletion_protection: bool
    """Cloud SQL's own deletion protection (API, console, gcloud) and the provider's; default true."""
    backup_retention_days: Required[int]
    """Daily automated backups kept, e.g. 7; binary logs are kept up to 7 days for point-in-time recovery (required)."""
    network: Required[pulumi.Input[str]]
    """VPC ID the private IP is allocated in (required)."""
    private_service_access: Required[Any]
    """The service-networking peering the private IP needs, a `gcp.servicenetworking.Connection`
    (`GcpNetwork.reserve_private_service_access`; `Any` so the schema references no cloud package) (required)."""
    client_account_id: Required[str]
    """ID of the service account the Cloud SQL proxy uses (required)."""
    protect: bool
    """Protect the instance and the `gitpod` database from deletion (default true)."""
    apis: ApiDependencies
    """What the project APIs (sqladmin, iam, cloudresourcemanager) need before use, e.g. their `gcp.projects.Service`s."""


class CloudSqlDatabase(pulumi.ComponentResource):
    """A private MySQL instance with database and user `gitpod`, and the proxy's credentials."""

    connection_name: pulumi.Output[str]
    """`<project>:<region>:<instance>`, the installer's `database.cloudSQL.instance`."""
    username: str
    """Database user Gitpod connects as."""
    password: pulumi.Output[str]
    """The user's generated password (secret)."""
    credentials_json: pulumi.Output[str]
    """Key of the service account holding only `cloudsql.client` on this instance (secret)."""

    def __init__(self, name: str, args: CloudSqlDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        protect = args.get("protect", True)
        deletion_protection = args.get("deletion_protection", True)
        retention = args["backup_retention_days"]
        apis = args.get("apis", ())
        child = pulumi.ResourceOptions(parent=self, depends_on=wait_for(apis))

        settings: gcp.sql.DatabaseInstanceSettingsArgsDict = {
            "tier": args["tier"],
            # Custom tiers exist only in Enterprise; newer majors default to Enterprise Plus.
            "edition": "ENTERPRISE",
            "availability_type": "REGIONAL" if args["high_availability"] else "ZONAL",
            "deletion_protection_enabled": deletion_protection,
            "disk_type": "PD_SSD",
            "disk_size": 20,
            "disk_autoresize": True,
            "ip_configuration": {
                "ipv4_enabled": False,
                "private_network": args["network"],
                # The proxy's connections are TLS; nothing may connect in plain text.
                "ssl_mode": "ENCRYPTED_ONLY",
            },
            "backup_configuration": {
                "enabled": True,
                "binary_log_enabled": True,
                "start_time": "02:00",
                "transaction_log_retention_days": min(retention, 7),
                "backup_retention_settings": {"retained_backups": retention, "retention_unit": "COUNT"},
            },
            # Keep automated backups if the instance is ever deleted.
            "retain_backups_on_delete": True,
            "database_flags": [{"name": name, "value": value} for name, value in FLAGS.items()],
            "maintenance_window": {"day": 7, "hour": 3, "update_track": "stable"},
        }
        # The Cloud SQL instance (protected). (Python only: not in the package schema, see provider.py.)
        self.instance: gcp.sql.DatabaseInstance = gcp.sql.DatabaseInstance(
            f"{name}-instance",
            project=project,
            region=args["region"],
            database_version="MYSQL_" + args["version"].replace(".", "_"),
            deletion_protection=deletion_protection,
            settings=settings,
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=wait_for(apis, args["private_service_access"])),
        )
        database = gcp.sql.Database(
            f"{name}-database",
            project=project,
            instance=self.instance.name,
            name=DATABASE,
            charset="utf8",
            collation="utf8_general_ci",
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        password = random.RandomPassword(
            f"{name}-password",
            length=32,
            # Letters and digits only: the value travels through env vars and DSNs unescaped.
            special=False,
            # Protected like the instance: replacing it would rotate the password the installer's Secret holds.
            opts=pulumi.ResourceOptions(parent=self, protect=protect),
        )
        self.username = USERNAME
        self.password = pulumi.Output.secret(password.result)
        # Cloud SQL creates MySQL 8.0 users with mysql_native_password, which Gitpod's DB driver needs.
        # The `gitpod` database user. (Python only: not in the package schema, see provider.py.)
        self.user: gcp.sql.User = gcp.sql.User(
            f"{name}-user",
            project=project,
            instance=self.instance.name,
            name=USERNAME,
            host="%",
            password=self.password,
            opts=pulumi.ResourceOptions(parent=self),
        )

        client, credentials_json, key_created = keyed_account(
            f"{name}-client",
            project=project,
            account_id=args["client_account_id"],
            display_name="Gitpod Cloud SQL proxy",
            description="Key mounted into Gitpod's Cloud SQL Auth Proxy; may connect to Gitpod's instance only.",
            opts=child,
            rotation=args.get("key_rotation"),
        )
        gcp.projects.IAMMember(
            f"{name}-client-sa-cloudsql-client",
            project=project,
            role="roles/cloudsql.client",
            member=client.member,
            condition={
                "title": "gitpod-instance-only",
                "description": "Connect to Gitpod's Cloud SQL instance and no other.",
                "expression": self.instance.name.apply(lambda instance: f'resource.name == "projects/{project}/instances/{instance}"'),
            },
            opts=child,
        )
        self.connection_name = self.instance.connection_name
        self.credentials_json = credentials_json
        # The database contract (`cloudSQL`) for the installer values. (Python only: not in the package schema, see provider.py.)
        self.info: CloudSqlConnection = CloudSqlConnection(
            instance=self.connection_name,
            credentials_json=self.credentials_json,
            username=self.username,
            # Handed to the installer only once the `gitpod` database and its user exist: they are
            # resources of their own next to the instance, and the installer's session-init and
            # migrations must not run before them. (Output.all keeps the password secret.)
            password=pulumi.Output.all(self.password, self.user.id, database.id).apply(lambda v: str(v[0])),
            key_created=key_created,
        )
        self.register_outputs({"connectionName": self.connection_name, "username": self.username})


def build(ctx: GcpContext) -> DatabaseInfo:
    settings, p = ctx.settings, ctx.platform
    db = settings.database
    return CloudSqlDatabase(
        f"{ctx.name}-cloudsql",
        {
            "project": p.project,
            "region": p.region,
            "version": db.version,
            "tier": required(db.instance_size, "gitpod:database.instanceSize"),
            "high_availability": db.high_availability,
            "deletion_protection": db.deletion_protection,
            "backup_retention_days": db.backup_retention_days,
            "network": p.network.network_id,
            "private_service_access": p.network.reserve_private_service_access(p.apis_named("servicenetworking.googleapis.com")),
            "client_account_id": account_id(settings.cluster.name, "cloudsql"),
            "key_rotation": settings.cloud_settings.key_rotation,
            "protect": settings.protect,
            "apis": p.apis_named("sqladmin.googleapis.com", "iam.googleapis.com", "cloudresourcemanager.googleapis.com"),
        },
        opts=ctx.opts(p.opts()),
    ).info
