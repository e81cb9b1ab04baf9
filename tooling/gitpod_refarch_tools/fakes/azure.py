"""Plan-time stand-ins for what Azure computes: nested AKS outputs and credential lookups.

The program parses or indexes these values (it base64-decodes the kubeconfig, reads the OIDC
issuer out of a nested object, takes the first key or password of a list), so they need the
real shape; the values themselves are recognisable fakes that must never reach plain output.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from ..harness import placeholder

#: Fake credentials the tests look for in rendered plans (they must only ever appear redacted).
STORAGE_KEY = "fake-azure-storage-account-key=="
REGISTRY_PASSWORD = "fake-acr-admin-password"
#: The cluster CA AKS puts in every kubeconfig (public, not a credential).
CLUSTER_CA = base64.b64encode(b"fake AKS cluster CA").decode()

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "11111111-1111-1111-1111-111111111111"


def _managed_cluster(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    identity = dict(inputs.get("identity") or {})
    # The input lists identity IDs; Azure answers with a map of ID -> client and principal IDs.
    identity["userAssignedIdentities"] = {
        str(identity_id): {"clientId": placeholder(name, "identity.clientId"), "principalId": placeholder(name, "identity.principalId")}
        for identity_id in identity.get("userAssignedIdentities") or []
    }
    return {
        "identity": identity,
        "oidcIssuerProfile": {"enabled": True, "issuerURL": placeholder(name, "oidcIssuerProfile.issuerURL")},
        "fqdn": placeholder(name, "fqdn"),
    }


#: What AKS accepts in a maintenance configuration, written out from the REST spec rather than taken
#: from the program (azure-rest-api-specs containerservice stable/2025-09-01, `MaintenanceWindow`,
#: `WeeklySchedule`, `DateSpan`; the reserved names from azure-aks-docs planned-maintenance.md).
_MAINTENANCE_NAMES = ("default", "aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_START_TIME = re.compile(r"\d{2}:\d{2}")
_UTC_OFFSET = re.compile(r"(-|\+)[0-9]{2}:[0-9]{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _maintenance_configuration(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse what AKS refuses; the dedicated schedules take a `maintenanceWindow`, not `timeInWeek`."""
    problems: list[str] = []
    config = inputs.get("configName")
    if str(config).lower() not in {n.lower() for n in _MAINTENANCE_NAMES}:  # ARM names ignore case
        problems.append(f"configName {config!r} is not one of {', '.join(_MAINTENANCE_NAMES)}")
    window = inputs.get("maintenanceWindow") or {}
    if str(config).lower() != "default" and not window:
        problems.append(f"{config} needs a maintenanceWindow")
    if window:
        hours = window.get("durationHours")  # numbers reach the engine as floats
        if not isinstance(hours, int | float) or hours != int(hours) or not 4 <= hours <= 24:
            problems.append(f"durationHours {hours!r} is outside 4-24")
        if not _START_TIME.fullmatch(str(window.get("startTime", ""))):
            problems.append(f"startTime {window.get('startTime')!r} is not HH:MM")
        if "utcOffset" in window and not _UTC_OFFSET.fullmatch(str(window["utcOffset"])):
            problems.append(f"utcOffset {window['utcOffset']!r} is not +HH:MM/-HH:MM")
        weekly = (window.get("schedule") or {}).get("weekly")
        if weekly is not None and (weekly.get("dayOfWeek") not in _WEEKDAYS or weekly.get("intervalWeeks") not in range(1, 5)):
            problems.append(f"weekly schedule {weekly!r} needs dayOfWeek Monday..Sunday and intervalWeeks 1-4")
        for span in window.get("notAllowedDates") or []:
            start, end = str(span.get("start", "")), str(span.get("end", ""))
            if not (_DATE.fullmatch(start) and _DATE.fullmatch(end) and start <= end):
                problems.append(f"notAllowedDates {span!r} is not a YYYY-MM-DD range")
    if problems:
        raise ValueError(f"AKS would refuse maintenance configuration {name}: {'; '.join(problems)}")
    return {}


def _kubeconfig(args: Mapping[str, Any]) -> dict[str, Any]:
    """The user kubeconfig of a cluster with AKS-managed Entra ID: server, CA and a kubelogin exec
    stanza for device-code sign-in, no credential (AKS 1.24+ returns the exec format:
    https://learn.microsoft.com/azure/aks/kubelogin-authentication)."""
    cluster = args.get("resourceName", "aks")
    text = (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {cluster}\n  cluster:\n    certificate-authority-data: {CLUSTER_CA}\n"
        f"    server: https://{cluster}.hcp.example.azmk8s.io:443\n"
        "users:\n- name: clusterUser\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
        "      command: kubelogin\n      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]\n"
        f"contexts:\n- name: {cluster}\n  context:\n    cluster: {cluster}\n    user: clusterUser\n"
        f"current-context: {cluster}\n"
    )
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(text.encode()).decode()}]}


OUTPUTS = {
    "azure-native:containerservice:ManagedCluster": _managed_cluster,
    "azure-native:containerservice:MaintenanceConfiguration": _maintenance_configuration,
}

INVOKES = {
    "azure-native:authorization:getClientConfig": lambda args: {
        "clientId": "22222222-2222-2222-2222-222222222222",
        "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": SUBSCRIPTION_ID,
        "tenantId": TENANT_ID,
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": _kubeconfig,
    "azure-native:storage:listStorageAccountKeys": lambda args: {
        "keys": [{"keyName": "key1", "value": STORAGE_KEY, "permissions": "FULL", "creationTime": "2026-01-01T00:00:00Z"}]
    },
    "azure-native:containerregistry:listRegistryCredentials": lambda args: {
        "username": args.get("registryName", "acr"),
        "passwords": [{"name": "password", "value": REGISTRY_PASSWORD}, {"name": "password2", "value": REGISTRY_PASSWORD + "-2"}],
    },
}
