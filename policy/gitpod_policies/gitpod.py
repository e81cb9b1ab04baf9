"""Gitpod compatibility: what the 2022.11 installer and Gitpod's workloads need from the platform.

Gitpod's node labels, version floors and refusal reasons are the program's own
(`gitpod_refarch.compatibility`), so the pack and the program never disagree.

Only what a stack's config can change is checked here. What the settings already refuse (ECR,
GKE Autopilot, Dataplane V2, a MySQL other than 5.7/8.0, cert-manager older than 1.15) and what
the code fixes (Ubuntu node images, Calico, every pool's and every NodePatch's Gitpod labels) cannot
reach a plan, so
no policy re-checks it; the tests of the program pin those values. `mysql-version` and
`cert-manager-chart-pinned` stay because their settings let an organisation ask for more than
Gitpod does (fewer MySQL majors, a newer cert-manager).
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from gitpod_refarch import compatibility

from .properties import (
    AZURE_MYSQL,
    GCP_SQL,
    HELM_RELEASE,
    RDS_INSTANCE,
    UNKNOWN,
    Unknown,
    get,
    report_on_resource,
    strings,
    when,
)

# -- MySQL major (an organisation may allow fewer than Gitpod does) -----------------------------------------
_GCP_MYSQL = re.compile(r"MYSQL_(\d+)_(\d+)(?:_\d+)?")


def _mysql_major(resource_type: str, props: Any) -> str | Unknown | None:
    """'5.7' / '8.0' / ..., None when unset, '' when the engine is not MySQL, or UNKNOWN."""
    if resource_type == GCP_SQL:
        version = get(props, "databaseVersion")
        if version is UNKNOWN or version is None:
            return version
        match = _GCP_MYSQL.fullmatch(str(version))
        return f"{match.group(1)}.{match.group(2)}" if match else ""
    if resource_type == RDS_INSTANCE:
        engine, version = get(props, "engine"), get(props, "engineVersion")
        if UNKNOWN in (engine, version):
            return UNKNOWN
        if engine not in ("mysql", "aurora-mysql"):
            return ""
        return compatibility.minor(str(version)) if version else None
    version = get(props, "version")
    if version is UNKNOWN or version is None:
        return version
    return compatibility.minor(str(version)) or ""


@when(GCP_SQL, RDS_INSTANCE, AZURE_MYSQL)
def _mysql_version(args: ResourceValidationArgs, report: ReportViolation) -> None:
    allowed = list(args.get_config().get("allowedVersions", ["5.7", "8.0"]))
    major = _mysql_major(args.resource_type, args.props)
    if major is UNKNOWN:
        return
    if major == "":
        report_on_resource(report, "Gitpod 2022.11 needs MySQL: this database runs another engine. " + compatibility.MYSQL_REASON)
    elif major is None:
        report_on_resource(
            report,
            f"The MySQL version is not pinned, so the cloud picks its newest major; pin one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}",
        )
    elif major not in allowed:
        report_on_resource(report, f"MySQL {major} is not one of {', '.join(allowed)}. {compatibility.MYSQL_REASON}")


MYSQL_VERSION = ResourceValidationPolicy(
    name="mysql-version",
    description="Managed databases run MySQL 5.7 or 8.0, the majors Gitpod 2022.11 can use.",
    validate=_mysql_version,
    config_schema=PolicyConfigSchema(properties={"allowedVersions": strings("MySQL majors allowed (default 5.7 and 8.0).")}),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
)


# -- cert-manager ----------------------------------------------------------------------------------------
_EXACT_VERSION = re.compile(r"v?\d+\.\d+\.\d+")


@when(HELM_RELEASE)
def _cert_manager_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    chart = get(args.props, "chart")
    if not isinstance(chart, str) or "cert-manager" not in chart:
        return
    version = get(args.props, "version")
    if version is UNKNOWN:
        return
    if not isinstance(version, str) or not _EXACT_VERSION.fullmatch(version):
        report_on_resource(
            report,
            f"cert-manager's chart version is {version or 'unset'}: pin an exact release (e.g. v1.21.1) so a preview shows "
            "exactly what will be installed and an upgrade is a reviewed change.",
        )
        return
    floor = str(args.get_config().get("minimumVersion", ".".join(map(str, compatibility.MIN_CERT_MANAGER))))
    if (compatibility.parse_version(version) or (0, 0)) < (compatibility.parse_version(floor) or (0, 0)):
        report_on_resource(
            report,
            f"cert-manager {version} is older than {floor}, the first release with the crds.enabled/crds.keep values the program relies on.",
        )


CERT_MANAGER_CHART_PINNED = ResourceValidationPolicy(
    name="cert-manager-chart-pinned",
    description="cert-manager's Helm chart is pinned to an exact, recent enough version.",
    validate=_cert_manager_pinned,
    config_schema=PolicyConfigSchema(
        properties={"minimumVersion": {"type": "string", "description": "Oldest acceptable cert-manager release (default 1.15)."}}
    ),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
)

POLICIES: list[Policy] = [
    MYSQL_VERSION,
    CERT_MANAGER_CHART_PINNED,
]
