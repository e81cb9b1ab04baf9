"""What every policy reads: resource type tokens, and property access that never judges an unknown.

The Python policy SDK has no typed resource helpers, so properties use the engine's camelCase names
and types are compared by token (`args.resource_type`). A value that is unknown during a preview
(computed by another resource) comes back as `UNKNOWN` and is never judged: the policy skips it,
and the engine runs policies again with known values on `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

# -- resource types ------------------------------------------------------------------------------
GCP_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"
RDS_INSTANCE = "aws:rds/instance:Instance"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
AWS_ACCESS_KEY = "aws:iam/accessKey:AccessKey"
GCP_SA_KEY = "gcp:serviceaccount/key:Key"
AZURE_MYSQL_CONFIGURATION = "azure-native:dbformysql:Configuration"
AZURE_LOCK = "azure-native:authorization:ManagementLockByScope"
ACR = "azure-native:containerregistry:Registry"
AZURE_MYSQL = "azure-native:dbformysql:Server"
AKS_CLUSTER = "azure-native:containerservice:ManagedCluster"
AKS_AGENT_POOL = "azure-native:containerservice:AgentPool"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


# -- reading properties safely ---------------------------------------------------------------------
class Unknown:
    """A value the engine does not know yet (preview); never judged."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def get(props: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path (list indexes allowed), `default` if absent, `UNKNOWN` if unknown."""
    value = props
    try:
        for part in path.split("."):
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(value, Mapping):
                if part not in value:
                    return default
                value = value[part]
            elif isinstance(value, Sequence) and not isinstance(value, str):
                if not part.isdigit() or int(part) >= len(value):
                    return default
                value = value[int(part)]
            else:
                return default
    except UnknownValueError:
        return UNKNOWN
    return default if value is None else value


def items(value: Any) -> list[Any]:
    """The elements of a list property (unknown elements come back as `UNKNOWN`)."""
    if value is None or value is UNKNOWN or isinstance(value, (str, Mapping)):
        return []
    found = []
    for index in range(len(value)):
        try:
            found.append(value[index])
        except UnknownValueError:
            found.append(UNKNOWN)
    return found


def report_on_resource(report: ReportViolation, message: str) -> None:
    """Report a violation of the resource being validated (no other URN)."""
    report(message, None)


Validate = Callable[[ResourceValidationArgs, ReportViolation], None]


def when(*types: str) -> Callable[[Validate], Validate]:
    """Run a validation only for the given resource types."""

    def wrap(check: Validate) -> Validate:
        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type in types:
                check(args, report)

        validate.__doc__ = check.__doc__
        return validate

    return wrap


def strings(description: str) -> dict[str, Any]:
    """A config-schema property holding a list of strings."""
    return {"type": "array", "items": {"type": "string"}, "description": description}
