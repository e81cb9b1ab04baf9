"""Plan-only stand-ins for GCP values the program parses or whose shape it relies on.

No cloud SDK is imported here: fakes are registered for every plan, whatever the cloud.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from ..harness import placeholder as _p


def _service_account_key(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """`privateKey` is base64 of the JSON key file; the program decodes it, so it must decode.

    Pretty-printed like the real file, so the plan shows the program flattening it to one line.
    """
    document = {
        "type": "service_account",
        "private_key_id": _p(name, "privateKeyId"),
        "private_key": "-----BEGIN PRIVATE KEY-----\n(plan placeholder)\n-----END PRIVATE KEY-----\n",
        "client_email": _p(name, "serviceAccountEmail"),
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return {"privateKey": base64.b64encode(json.dumps(document, indent=2).encode()).decode()}


def _service_account(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """E-mail, resource name and member are derived from the account ID and project, as the API does."""
    email = f"{inputs.get('accountId', _p(name, 'accountId'))}@{inputs.get('project', _p(name, 'project'))}.iam.gserviceaccount.com"
    return {"email": email, "name": f"projects/{inputs.get('project')}/serviceAccounts/{email}", "member": f"serviceAccount:{email}"}


def _cluster(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """`masterAuth` is nested, so it gets no generic placeholder."""
    return {"masterAuth": {"clusterCaCertificate": _p(name, "masterAuth.clusterCaCertificate")}}


def _sql_instance(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The instance is auto-named; its connection name is `<project>:<region>:<name>`."""
    return {"connectionName": f"{inputs.get('project')}:{inputs.get('region')}:{_p(name, 'name')}"}


def _custom_role(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": f"projects/{inputs.get('project')}/roles/{inputs.get('roleId')}"}


def _managed_zone(args: Mapping[str, Any]) -> dict[str, Any]:
    zone = args.get("name", "zone")
    return {
        "name": zone,
        "project": args.get("project"),
        "dnsName": _p(zone, "dnsName"),
        "nameServers": [_p(zone, f"nameServers[{i}]") for i in range(4)],
        "visibility": "public",
    }


OUTPUTS = {
    "gcp:serviceaccount/key:Key": _service_account_key,
    "gcp:serviceaccount/account:Account": _service_account,
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:sql/databaseInstance:DatabaseInstance": _sql_instance,
    "gcp:projects/iAMCustomRole:IAMCustomRole": _custom_role,
}
INVOKES = {"gcp:dns/getManagedZone:getManagedZone": _managed_zone}
