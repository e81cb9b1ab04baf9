"""Service-account keys as the consumers of Gitpod 2022.11 need them.

The IAM API returns a key as base64 of the JSON key file. The Cloud SQL proxy and content-service
read the JSON from a mounted file; docker reads it as the `_json_key` password, where it must be a
single line (Gitpod's docs: `jq -c .`). One compact, single-line form serves all three.
"""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

import pulumi
import pulumi_gcp as gcp


def key_json(private_key_base64: str) -> str:
    """The key file as compact single-line JSON (escaped newlines inside the PEM stay escaped)."""
    document = json.loads(base64.b64decode(private_key_base64))
    return json.dumps(document, separators=(",", ":"))


class KeyedAccount(NamedTuple):
    account: gcp.serviceaccount.Account
    #: The key file as single-line JSON (secret).
    key_json: pulumi.Output[str]
    #: When the key was made (RFC 3339): the key's `validAfterTime`.
    created: pulumi.Output[str]


def keyed_account(
    prefix: str,
    *,
    project: str,
    account_id: str,
    display_name: str,
    description: str,
    opts: pulumi.ResourceOptions,
    rotation: str | None = None,
) -> KeyedAccount:
    """A service account (`<prefix>-sa`) and its key (`<prefix>-key`) as single-line JSON, secret.

    2022.11's Cloud SQL proxy, content-service and image builder can only authenticate with key
    files; the caller grants the account exactly what its consumer needs. A new `rotation` value
    replaces the key (`gitpod:gcp.keyRotation`): the new key is made and written to the installer's
    Secret before the old one is deleted.
    """
    account = gcp.serviceaccount.Account(
        f"{prefix}-sa", project=project, account_id=account_id, display_name=display_name, description=description, opts=opts
    )
    key = gcp.serviceaccount.Key(
        f"{prefix}-key",
        service_account_id=account.name,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(replacement_trigger=rotation)),
    )
    return KeyedAccount(account, pulumi.Output.secret(key.private_key.apply(key_json)), key.valid_after)
