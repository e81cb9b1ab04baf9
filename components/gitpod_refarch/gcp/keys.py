"""Service-account keys as the consumers of Gitpod 2022.11 need them.

The IAM API returns a key as base64 of the JSON key file. The Cloud SQL proxy and content-service
read the JSON from a mounted file; docker reads it as the `_json_key` password, where it must be a
single line (Gitpod's docs: `jq -c .`). One compact, single-line form serves all three.
"""

from __future__ import annotations

import base64
import json

import pulumi
import pulumi_gcp as gcp


def key_json(private_key_base64: str) -> str:
    """The key file as compact single-line JSON (escaped newlines inside the PEM stay escaped)."""
    document = json.loads(base64.b64decode(private_key_base64))
    return json.dumps(document, separators=(",", ":"))


def keyed_account(
    prefix: str, *, project: str, account_id: str, display_name: str, description: str, opts: pulumi.ResourceOptions
) -> tuple[gcp.serviceaccount.Account, pulumi.Output[str]]:
    """A service account (`<prefix>-sa`) and its key (`<prefix>-key`) as single-line JSON, secret.

    2022.11's Cloud SQL proxy, content-service and image builder can only authenticate with key
    files; the caller grants the account exactly what its consumer needs.
    """
    account = gcp.serviceaccount.Account(
        f"{prefix}-sa", project=project, account_id=account_id, display_name=display_name, description=description, opts=opts
    )
    key = gcp.serviceaccount.Key(f"{prefix}-key", service_account_id=account.name, opts=opts)
    return account, pulumi.Output.secret(key.private_key.apply(key_json))
