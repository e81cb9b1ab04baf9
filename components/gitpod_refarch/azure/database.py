"""`MysqlFlexibleServer`: Azure Database for MySQL Flexible Server for Gitpod, reachable only from the VNet.

Transport security: Flexible Server enforces TLS (`require_secure_transport=ON`) by default, but
Gitpod 2022.11 connects without TLS unless the installer's `database.ssl.caCert` is set. Given
`gitpod:database.caCert` (the Flexible Server root CAs), every Gitpod client connects with TLS and
the server keeps requiring it; without it, as Gitpod's own Azure Terraform did
(`ssl_enforcement_enabled = false`), TLS enforcement is turned off. Either way the server has no
public endpoint at all: private access through a delegated subnet and a private DNS zone linked
to the VNet. See docs/security.md, "Database TLS"."""

from typing import Required, TypedDict

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.dbformysql as dbformysql
import pulumi_azure_native.privatedns as privatedns
import pulumi_random as random

from ..contracts import DatabaseInfo, ExternalDatabase
from ..settings.model import required
from .naming import unique_suffix
from .platform import AzureContext
from .settings import mysql_tier

TYPE = "gitpod:index:MysqlFlexibleServer"

#: Flexible Server's version strings for the two majors Gitpod's DB layer can use.
SERVER_VERSIONS = {"5.7": "5.7", "8.0": "8.0.21"}

#: Storage grows by itself when the server runs low on space (Flexible Server "storage auto-grow").
AUTO_GROW = "Enabled"
#: The input path of the size auto-grow changes (engine name of `storage.storage_size_gb`).
GROWN_STORAGE = "storage.storageSizeGB"
#: The zone Azure placed the server in. The program never sets it, but a refresh after Azure moved
#: the primary (an HA failover swaps it with the standby's zone) copies the new zone into the state's
#: inputs: azure-native's Read merges changed outputs into the inputs (`applyDiff`,
#: provider/pkg/provider/diff.go), and the next `up` would see it removed. `availabilityZone` is
#: create-only (x-ms-mutability create/read, FlexibleServers.json 2024-02-01-preview), so that diff
#: is a replacement of the server. Azure owns the placement; keep whatever zone it reports.
PLACED_ZONE = "availabilityZone"
#: Flexible Server's own patch window. It is update-only (x-ms-mutability update/read, same spec),
#: so it cannot be part of the create request, and docs/azure.md has users set it with the CLI; a
#: refresh then records it, and without this the next `up` would send the server without it.
MAINTENANCE_WINDOW = "maintenanceWindow"

#: Server parameters Gitpod 2022.11 needs, applied in this order (Azure serialises parameter changes).
#: explicit_defaults_for_timestamp OFF: Gitpod relies on NULL resetting TIMESTAMP columns (its
#: in-cluster MySQL runs with the same flag). require_secure_transport: see the module docstring.
SERVER_PARAMETERS: dict[str, str] = {
    "explicit_defaults_for_timestamp": "OFF",
    "require_secure_transport": "OFF",
}
#: The value of `require_secure_transport` when Gitpod connects with TLS (Azure's own default).
REQUIRE_TLS = "ON"
#: MySQL 8.0 on Azure adds invisible primary keys to tables created without one; stock MySQL
#: (which Gitpod's migrations were written for) does not.
MYSQL8_PARAMETERS: dict[str, str] = {"sql_generate_invisible_primary_key": "OFF"}


class MysqlFlexibleServerArgs(TypedDict, total=False):
    resource_group_name: Required[pulumi.Input[str]]
    """Resource group of the component's resources (required)."""
    location: Required[str]
    """Azure region (required)."""
    prefix: Required[str]
    """Prefix of Azure resource names, normally the cluster name; globally unique names add a random suffix (required)."""
    vnet_id: Required[pulumi.Input[str]]
    """VNet the private DNS zone is linked to, so nodes resolve the server (required)."""
    subnet_id: Required[pulumi.Input[str]]
    """Subnet delegated to `Microsoft.DBforMySQL/flexibleServers` (required)."""
    version: Required[str]
    """`5.7` (what Gitpod 2022.11 was tested on) or `8.0` (required)."""
    sku_name: Required[str]
    """Compute SKU, e.g. `Standard_D2ds_v4` (2 vCores) (required)."""
    sku_tier: Required[str]
    """`Burstable`, `GeneralPurpose` or `MemoryOptimized`; must match `sku_name` (required)."""
    high_availability: Required[bool]
    """Zone-redundant standby, not available on Burstable (required)."""
    backup_retention_days: Required[int]
    """Days of automatic backups kept for point-in-time restore (required)."""
    deletion_protection: Required[bool]
    """Put a CanNotDelete lock on the server (required)."""
    storage_size_gb: int
    """Initial storage in GB; it grows automatically and later changes are ignored (default 20)."""
    admin_login: str
    """Administrator login Gitpod connects as (default `gitpod`)."""
    protect: bool
    """Protect the server, its name and the `gitpod` database in Pulumi (default true)."""
    ca_cert: str | None
    """PEM CA bundle Gitpod verifies the server with; connections then use TLS (default: none)."""
    require_tls: bool
    """Keep `require_secure_transport` ON (needs `ca_cert`) (default false)."""


class MysqlFlexibleServer(pulumi.ComponentResource):
    """A private MySQL Flexible Server with the `gitpod` database and the parameters Gitpod needs.

    Gitpod connects as the administrator (as in Gitpod's Terraform): its session-init job creates
    the `gitpod-sessions` database with the application's own credentials, which needs
    CREATE DATABASE. Azure creates that login with `mysql_native_password`, which Gitpod's
    Node.js MySQL driver requires.
    """

    host: pulumi.Output[str]
    """`<server>.mysql.database.azure.com`; resolves to the private address inside the VNet. Known once the `gitpod` database exists."""
    username: pulumi.Output[str]
    """Administrator login."""
    password: pulumi.Output[str]
    """Administrator password (secret)."""

    def __init__(self, name: str, args: MysqlFlexibleServerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        group = args["resource_group_name"]
        prefix = args["prefix"]
        version = args["version"]
        protect = args.get("protect", True)
        admin = args.get("admin_login", "gitpod")
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=protect)

        # Server names are global (`<name>.mysql.database.azure.com`).
        suffix = unique_suffix(f"{name}-name-suffix", 6, kept)
        password = random.RandomPassword(
            f"{name}-admin-password",
            length=32,
            special=False,
            min_lower=2,
            min_upper=2,
            min_numeric=2,
            opts=kept,  # replacing it would rotate the password the installer's Secret holds
        )
        self.password = pulumi.Output.secret(password.result)

        zone = privatedns.PrivateZone(
            f"{name}-private-zone",
            private_zone_name=f"{prefix}.private.mysql.database.azure.com",
            resource_group_name=group,
            location="global",
            opts=kept,  # the server resolves through it
        )
        link = privatedns.VirtualNetworkLink(
            f"{name}-private-zone-link",
            virtual_network_link_name=f"{prefix}-vnet",
            private_zone_name=zone.name,
            resource_group_name=group,
            location="global",
            virtual_network={"id": args["vnet_id"]},
            registration_enabled=False,
            opts=child,
        )
        server = dbformysql.Server(
            f"{name}-server",
            server_name=pulumi.Output.concat(prefix, "-mysql-", suffix.result),
            resource_group_name=group,
            location=args["location"],
            version=SERVER_VERSIONS[version],
            administrator_login=admin,
            administrator_login_password=self.password,
            sku={"name": args["sku_name"], "tier": args["sku_tier"]},
            storage={"storage_size_gb": args.get("storage_size_gb", 20), "auto_grow": AUTO_GROW},
            backup={"backup_retention_days": args["backup_retention_days"], "geo_redundant_backup": "Disabled"},
            high_availability={"mode": "ZoneRedundant" if args["high_availability"] else "Disabled"},
            # Private access: no public endpoint; the name resolves through the linked private zone.
            network={"delegated_subnet_resource_id": args["subnet_id"], "private_dns_zone_resource_id": zone.id},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                depends_on=[link],
                # Auto-grow raises the size on its own and Azure never shrinks storage (azurerm replaces
                # the server when size_gb decreases); keep whatever size the server has grown to.
                # Likewise the zone Azure runs it in and the patch window set outside the program.
                ignore_changes=[GROWN_STORAGE, PLACED_ZONE, MAINTENANCE_WINDOW],
            ),
        )

        parameters = dict(SERVER_PARAMETERS)
        if args.get("require_tls", False):
            parameters["require_secure_transport"] = REQUIRE_TLS
        if version == "8.0":
            parameters |= MYSQL8_PARAMETERS
        previous: list[pulumi.Resource] = []
        for parameter, value in parameters.items():
            configuration = dbformysql.Configuration(
                f"{name}-{parameter.replace('_', '-')}",
                configuration_name=parameter,
                server_name=server.name,
                resource_group_name=group,
                value=value,
                source="user-override",
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            previous = [configuration]

        database = dbformysql.Database(
            f"{name}-gitpod-database",
            database_name="gitpod",
            server_name=server.name,
            resource_group_name=group,
            # As Gitpod's Azure Terraform created it.
            charset="utf8",
            collation="utf8_unicode_ci",
            # After the parameter changes, which may restart the server.
            opts=pulumi.ResourceOptions(parent=self, protect=protect, depends_on=previous),
        )
        if args["deletion_protection"]:
            authorization.ManagementLockByScope(
                f"{name}-delete-lock",
                lock_name="gitpod-database",
                scope=server.id,
                level="CanNotDelete",
                notes="Gitpod's database: remove this lock (and gitpod:database.deletionProtection) to delete the server.",
                opts=child,
            )

        # Handed out only once the `gitpod` database (and, before it, every parameter) is in place:
        # they are resources of their own, and Gitpod's installer must not run its session-init and
        # migrations while Azure is still applying them (explicit_defaults_for_timestamp shapes the
        # tables the migrations create).
        self.host = pulumi.Output.all(server.fully_qualified_domain_name, database.id).apply(lambda v: str(v[0]))
        self.username = pulumi.Output.from_input(admin)
        # The host is the server's FQDN, which its certificate names: the session-init Job verifies it.
        self.info = ExternalDatabase(host=self.host, port=3306, username=self.username, password=self.password, ca_cert=args.get("ca_cert"))
        self.register_outputs({"host": self.host, "username": self.username, "database": database.name})


def build(ctx: AzureContext) -> DatabaseInfo:
    settings, platform = ctx.settings, ctx.platform
    db = settings.database
    sku = required(db.instance_size, "gitpod:database.instanceSize")
    return MysqlFlexibleServer(
        f"{ctx.name}-database",
        {
            **platform.placement(),
            "vnet_id": platform.network.vnet_id,
            "subnet_id": platform.network.database_subnet_id,
            "version": db.version,
            "sku_name": sku,
            "sku_tier": required(mysql_tier(sku), "gitpod:database.instanceSize"),
            "high_availability": db.high_availability,
            "backup_retention_days": db.backup_retention_days,
            "deletion_protection": db.deletion_protection,
            "protect": settings.protect,
            "ca_cert": db.ca_cert,
            "require_tls": db.tls_required,
        },
        opts=ctx.opts(),
    ).info
