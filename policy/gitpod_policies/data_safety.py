"""Data safety: a mistaken delete or replacement must not take Gitpod's data with it.

Which types hold data is the tooling's table (`gitpod_refarch_tools.stateful`), the same one the
offline plan's `--diff` and the URN snapshots use.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from gitpod_refarch_tools import stateful

from .properties import AZURE_LOCK, AZURE_MYSQL, GCP_SQL, RDS_INSTANCE, UNKNOWN, get, report_on_resource

_FIX = "Set gitpod:database.deletionProtection back to true."


# -- deletion protection on managed databases, on all three clouds ----------------------------------------
def _locks(lock: PolicyResource, server: PolicyResource) -> bool | None:
    """Whether `lock` is a delete lock on `server` (its scope is the server's id); None if unknown."""
    level = get(lock.props, "level")
    if level is UNKNOWN:
        return None
    scope_deps = (lock.property_dependencies or {}).get("scope", [])
    scope = get(lock.props, "scope")
    refers = server in scope_deps or (scope not in (None, UNKNOWN) and scope == get(server.props, "id"))
    return refers and level == "CanNotDelete"


def _database_deletion_protection(args: StackValidationArgs, report: ReportViolation) -> None:
    locks = [r for r in args.resources if r.resource_type == AZURE_LOCK]
    for resource in args.resources:
        props = resource.props
        if resource.resource_type == GCP_SQL:
            values = [get(props, "settings.deletionProtectionEnabled"), get(props, "deletionProtection")]
            if UNKNOWN in values or True in values:
                continue
            report(
                "Neither settings.deletionProtectionEnabled (Cloud SQL's own guard) nor deletionProtection (the provider's) is true: "
                f"a mistaken delete or replacement would drop Gitpod's database. {_FIX}",
                resource.urn,
            )
        elif resource.resource_type == RDS_INSTANCE:
            protection = get(props, "deletionProtection")
            if protection is not UNKNOWN and protection is not True:
                report(
                    f"deletionProtection is not true: a mistaken delete or replacement would drop Gitpod's database. {_FIX}", resource.urn
                )
        elif resource.resource_type == AZURE_MYSQL:
            # Flexible Server has no deletion-protection property: Azure's guard is a CanNotDelete
            # management lock on the server, a separate resource that disappears with the setting.
            found = [_locks(lock, resource) for lock in locks]
            if True in found or None in found:
                continue
            report(
                "The MySQL Flexible Server has no CanNotDelete management lock (Azure's only deletion protection for it): "
                f"a mistaken delete would drop Gitpod's database. {_FIX}",
                resource.urn,
            )


DATABASE_DELETION_PROTECTION = StackValidationPolicy(
    name="database-deletion-protection",
    description="Managed databases have deletion protection on (Cloud SQL and RDS flags; a CanNotDelete lock on Azure).",
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
