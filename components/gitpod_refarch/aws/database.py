"""`RdsMysql`: RDS for MySQL in private subnets, reachable on 3306 from the cluster's nodes only."""

from collections.abc import Sequence
from typing import Required, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..contracts import DatabaseInfo, ExternalDatabase
from ..settings.model import required
from .descriptions import ec2_description
from .platform import AwsContext

TYPE = "gitpod:index:RdsMysql"
PORT = 3306
DATABASE = "gitpod"
USERNAME = "gitpod"

#: Parameters per engine major. Gitpod's DB layer relies on `explicit_defaults_for_timestamp`
#: OFF (NULL resets a column to CURRENT_TIMESTAMP; gitpod-io/gitpod#4169), and its Node `mysql`
#: driver cannot speak 8.0's default caching_sha2_password (gitpod-io/gitpod#1848).
PARAMETERS: dict[str, dict[str, str]] = {
    "5.7": {"explicit_defaults_for_timestamp": "0"},
    "8.0": {"explicit_defaults_for_timestamp": "0", "default_authentication_plugin": "mysql_native_password"},
}
#: Refuse connections without TLS. Dynamic, so applied at once, no reboot (RDS for MySQL user
#: guide, "Requiring SSL/TLS for all connections to a MySQL DB instance":
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html,
#: read 2026-11); available on 5.7 and 8.0.
REQUIRE_TLS = {"require_secure_transport": "1"}
#: The CA that signs the instance's server certificate, pinned rather than left to RDS: without it a
#: new instance gets the region's default, which an account can override (ModifyCertificates) and
#: AWS moves on its own (from rds-ca-2019 to this one in 2024), and Gitpod verifies the server with
#: the G1 roots shipped in `dbtls` only. AWS's default for new instances, so pinning changes nothing
#: on a fresh account or on an instance already using it; an existing instance on another CA moves
#: to it in place, with a restart (ModifyDBInstance CACertificateIdentifier; `plan --diff` names it).
#: "Certificate authorities", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
#: (read 2026-11); terraform-provider-aws internal/service/rds/instance.go (`ca_cert_identifier`,
#: Optional+Computed, not ForceNew).
CA_IDENTIFIER = "rds-ca-rsa2048-g1"


class RdsMysqlArgs(TypedDict, total=False):
    vpc_id: Required[pulumi.Input[str]]
    """VPC of the database and its clients (required)."""
    subnet_ids: Required[Sequence[pulumi.Input[str]]]
    """Private subnets in at least two zones (required)."""
    client_security_group_id: Required[pulumi.Input[str]]
    """The only security group admitted on 3306: the cluster nodes' group (required)."""
    version: Required[str]
    """MySQL major, `5.7` (what Gitpod 2022.11 was tested on) or `8.0` (required)."""
    instance_class: Required[str]
    """RDS instance class, e.g. `db.m5.large`, Gitpod's reference size (required)."""
    multi_az: bool
    """A synchronous standby in a second zone (default false)."""
    deletion_protection: bool
    """RDS deletion protection (default true)."""
    backup_retention_days: int
    """Days of automated backups and point-in-time recovery (default 7)."""
    allocated_storage_gb: int
    """Initial storage; RDS grows it automatically up to `max_allocated_storage_gb` (default 20)."""
    max_allocated_storage_gb: int
    """Storage autoscaling ceiling (default 120)."""
    protect: bool
    """Protect the instance from `pulumi destroy` (default true)."""
    require_tls: bool
    """Refuse connections without TLS (`require_secure_transport`); Gitpod needs the CA for it (default false)."""


class RdsMysql(pulumi.ComponentResource):
    """The database Gitpod's server, ws-manager-bridge and usage components share.

    Storage is encrypted, automated backups run, deletion protection is on and deleting the
    instance always takes a final snapshot. The master user is Gitpod's user: the installer's
    session job creates the `gitpod-sessions` database with it, which needs admin rights.
    """

    address: pulumi.Output[str]
    """Host name of the instance."""
    port: pulumi.Output[int]
    """3306."""
    username: pulumi.Output[str]
    """`gitpod`."""
    password: pulumi.Output[str]
    """Generated password (secret)."""
    security_group_id: pulumi.Output[str]
    """The database's security group."""

    def __init__(self, name: str, args: RdsMysqlArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        version = args["version"]
        if version not in PARAMETERS:
            raise ValueError(f"MySQL {version!r} is not supported (supported: {', '.join(PARAMETERS)})")
        protect = args.get("protect", True)
        child = pulumi.ResourceOptions(parent=self)

        subnets = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=list(args["subnet_ids"]), description="Gitpod MySQL", opts=child)
        group = aws.ec2.SecurityGroup(
            f"{name}-security-group",
            vpc_id=args["vpc_id"],
            description=ec2_description("Gitpod MySQL: 3306 from the cluster nodes only", "group"),
            tags={"Name": name},
            opts=child,
        )
        ingress = aws.vpc.SecurityGroupIngressRule(
            f"{name}-mysql-from-nodes",
            security_group_id=group.id,
            referenced_security_group_id=args["client_security_group_id"],
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            # EC2 refuses an apostrophe here (see `descriptions`).
            description=ec2_description("MySQL from the Gitpod nodes"),
            opts=child,
        )
        # One resource for whichever major runs, named by Pulumi (no `name`): a new family (5.7 ->
        # 8.0) replaces it create-before-delete, so the new group exists under a new name before the
        # instance switches to it, and the old one is deleted only after the instance has left it.
        parameter_values: list[aws.rds.ParameterGroupParameterArgsDict] = [
            {"name": k, "value": v, "apply_method": "pending-reboot"} for k, v in PARAMETERS[version].items()
        ]
        if args.get("require_tls", False):
            parameter_values += [{"name": k, "value": v, "apply_method": "immediate"} for k, v in REQUIRE_TLS.items()]
        parameters = aws.rds.ParameterGroup(
            f"{name}-parameters",
            family=f"mysql{version}",
            description=f"Gitpod MySQL {version}",
            # Gitpod's parameters are static: RDS applies them at the first boot and at the reboot of a
            # major upgrade (and after any later reboot). The TLS requirement is dynamic.
            parameters=parameter_values,
            opts=child,
        )
        # Protected like the instance: a replaced password would no longer match the database, and a
        # replaced suffix would rename the final snapshot.
        kept = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=protect))
        password = random.RandomPassword(f"{name}-password", length=32, special=False, opts=kept)
        secret_password: pulumi.Output[str] = pulumi.Output.secret(password.result)
        snapshot_suffix = random.RandomId(f"{name}-final-snapshot-suffix", byte_length=4, opts=kept)
        instance = aws.rds.Instance(
            f"{name}-mysql",
            engine="mysql",
            engine_version=version,
            instance_class=args["instance_class"],
            allocated_storage=args.get("allocated_storage_gb", 20),
            max_allocated_storage=args.get("max_allocated_storage_gb", 120),
            storage_type="gp3",
            storage_encrypted=True,
            db_name=DATABASE,
            username=USERNAME,
            password=secret_password,
            port=PORT,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[group.id],
            parameter_group_name=parameters.name,
            ca_cert_identifier=CA_IDENTIFIER,
            publicly_accessible=False,
            multi_az=args.get("multi_az", False),
            backup_retention_period=args.get("backup_retention_days", 7),
            copy_tags_to_snapshot=True,
            deletion_protection=args.get("deletion_protection", True),
            skip_final_snapshot=False,
            final_snapshot_identifier=snapshot_suffix.hex.apply(lambda h: f"{name}-final-{h}"),
            auto_minor_version_upgrade=True,
            # The documented way off 5.7 is `database.version: 8.0`, an in-place major upgrade,
            # which RDS refuses unless the instance allows it.
            allow_major_version_upgrade=True,
            # Changes happen during `pulumi up`, not in a later maintenance window. Without it a
            # major upgrade is only scheduled: the instance keeps the old parameter group, whose
            # deletion then fails, and state and RDS disagree until the window. The provider sends
            # the new engine version and parameter group in one ModifyDBInstance call
            # (hashicorp/terraform-provider-aws internal/service/rds/instance.go, resourceInstanceUpdate).
            # The price: a class or version change restarts the database during `up` (Gitpod
            # reconnects; `plan --diff` names it).
            apply_immediately=True,
            # Explicit, so the bill is visible in the code: 5.7 only runs under paid Extended Support.
            engine_lifecycle_support="open-source-rds-extended-support",
            tags={"Name": name},
            opts=kept,
        )

        # Handed out only once the nodes may reach it: the ingress rule is a resource of its own,
        # and the installer's session-init must not time out against a closed port.
        self.address = pulumi.Output.all(instance.address, ingress.id).apply(lambda v: str(v[0]))
        self.port = pulumi.Output.from_input(PORT)
        self.username = pulumi.Output.from_input(USERNAME)
        self.password = secret_password
        self.security_group_id = group.id
        self.register_outputs(
            {
                "address": self.address,
                "port": self.port,
                "username": self.username,
                "password": self.password,
                "securityGroupId": self.security_group_id,
            }
        )


def build(ctx: AwsContext) -> DatabaseInfo:
    settings, network = ctx.settings, ctx.platform.network
    db = settings.database
    rds = RdsMysql(
        f"{ctx.name}-database",
        {
            "vpc_id": network.vpc_id,
            "subnet_ids": network.private_subnet_ids,
            "client_security_group_id": network.node_security_group_id,
            "version": db.version,
            "instance_class": required(db.instance_size, "gitpod:database.instanceSize"),
            "multi_az": db.high_availability,
            "deletion_protection": db.deletion_protection,
            "backup_retention_days": db.backup_retention_days,
            "protect": settings.protect,
            "require_tls": db.tls_required,
        },
        opts=ctx.opts(ctx.platform.opts()),
    )
    # The host is the instance endpoint, which the RDS certificate names: the session-init Job verifies it.
    return ExternalDatabase(host=rds.address, port=rds.port, username=rds.username, password=rds.password, ca_cert=db.ca_cert)
