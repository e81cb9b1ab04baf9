"""Google Cloud names derived from the cluster name, within each API's length and character rules.

GCP identifiers are global to the project (service accounts, custom roles) or to the network, so
they carry the cluster name: two stacks with different `gitpod:cluster.name` never collide. They
are deterministic, because a changed name replaces the resource.
"""

from __future__ import annotations

import re

#: Service-account IDs: 6-30 characters, `[a-z]([-a-z0-9]*[a-z0-9])`.
ACCOUNT_ID_MAX = 30

#: GKE node-pool names, in the order of the services, regular-workspace and headless-workspace pools.
POOL_NAMES = ("services", "regular-workspaces", "headless-workspaces")


def account_id(cluster: str, purpose: str) -> str:
    """`<cluster>-<purpose>`, shortening the cluster part so the ID fits 30 characters."""
    room = ACCOUNT_ID_MAX - len(purpose) - 1
    prefix = cluster[:room].rstrip("-")
    return f"{prefix}-{purpose}"


def role_prefix(cluster: str) -> str:
    """Prefix of project custom-role IDs (`[a-zA-Z0-9_.]{3,64}`): hyphens become underscores."""
    return cluster.replace("-", "_")


def role_slug(role: str) -> str:
    """`roles/logging.logWriter` -> `logging-logwriter`, for the logical names of role grants."""
    return role.rsplit("/", 1)[1].replace(".", "-").lower()


def zone_name(dns_name: str) -> str:
    """The Cloud DNS managed-zone name for a DNS name: `gitpod.example.com` -> `gitpod-example-com`.

    Managed-zone names are 1-63 lower-case letters, digits and hyphens starting with a letter.
    """
    name = re.sub(r"[^a-z0-9-]+", "-", dns_name.rstrip(".").lower()).strip("-")
    if not name[:1].isalpha():
        name = f"zone-{name}"
    return name[:63].rstrip("-")
