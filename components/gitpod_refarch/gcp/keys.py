"""Service-account keys as the consumers of Gitpod 2022.11 need them.

The IAM API returns a key as base64 of the JSON key file. The Cloud SQL proxy and content-service
read the JSON from a mounted file; docker reads it as the `_json_key` password, where it must be a
single line (Gitpod's docs: `jq -c .`). One compact, single-line form serves all three.
"""

from __future__ import annotations

import base64
import json

import pulumi


def key_json(private_key_base64: str) -> str:
    """The key file as compact single-line JSON (escaped newlines inside the PEM stay escaped)."""
    document = json.loads(base64.b64decode(private_key_base64))
    return json.dumps(document, separators=(",", ":"))


def key_json_output(private_key: pulumi.Output[str]) -> pulumi.Output[str]:
    """`key_json` over a key's `private_key` output, kept secret."""
    return pulumi.Output.secret(private_key.apply(key_json))
