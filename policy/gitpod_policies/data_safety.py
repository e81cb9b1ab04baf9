"""Data safety: a mistaken delete or replacement must not take Gitpod's data with it.

Which types hold data is the tooling's table (`gitpod_refarch_tools.stateful`), the same one the
offline plan's `--diff` and the URN snapshots use.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from gitpod_refarch_tools import stateful

from .properties import GCP_SQL, RDS_CLUSTER, RDS_INSTANCE, UNKNOWN, get, report_on_resource, when


# -- deletion protection on managed databases ---------------------------------------------------------
@when(GCP_SQL, RDS_INSTANCE, RDS_CLUSTER)
def _database_deletion_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    props = args.props
    if args.resource_type == GCP_SQL:
        values = [get(props, "settings.deletionProtectionEnabled"), get(props, "deletionProtection")]
        if UNKNOWN in values or True in values:
            return
        report_on_resource(
            report,
            "Neither settings.deletionProtectionEnabled (Cloud SQL's own guard) nor deletionProtection (the provider's) is true: "
            "a mistaken delete or replacement would drop Gitpod's database. Set gitpod:database.deletionProtection back to true.",
        )
        return
    protection = get(props, "deletionProtection")
    if protection is not UNKNOWN and protection is not True:
        report_on_resource(
            report,
            "deletionProtection is not true: a mistaken delete or replacement would drop Gitpod's database. "
            "Set gitpod:database.deletionProtection back to true.",
        )


DATABASE_DELETION_PROTECTION = ResourceValidationPolicy(
    name="database-deletion-protection",
    description="Managed databases have deletion protection on.",
    validate=_database_deletion_protection,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- Pulumi `protect` on everything that holds data ---------------------------------------------------
def _stateful_resources_protected(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in stateful.PROTECT_TYPES and not args.opts.protect:
        report_on_resource(
            report,
            f"{args.resource_type} holds data but is not protected: `pulumi destroy` (or an accidental rename) deletes it. "
            "Keep gitpod:protect true outside throwaway stacks.",
        )


STATEFUL_RESOURCES_PROTECTED = ResourceValidationPolicy(
    name="stateful-resources-protected",
    description="Resources holding data (databases, buckets, registries, DNS zones, keys, the Gitpod namespace) are Pulumi-protected.",
    validate=_stateful_resources_protected,
    # Advisory: throwaway stacks turn `protect` off on purpose (gitpod:protect false).
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
)

POLICIES: list[Policy] = [DATABASE_DELETION_PROTECTION, STATEFUL_RESOURCES_PROTECTED]
