"""Which resources hold data: the views of `effects.TYPES` that the URN snapshots, the critical path,
the markdown plan and the policy pack share.

A replaced database, bucket, zone or registry is an empty one: Pulumi creates the new resource and
deletes the old one with everything in it. Two things cause that and both are invisible in an
ordinary diff of the program: a changed URN (a renamed resource or component, a new parent) and a
changed input that the provider cannot update in place (`effects.TYPES[...].replace`). One table,
`effects.TYPES`, says both what a type holds (its role) and what replaces it; the sets below are
read from it. Resources marked `protect` are treated as stateful too, whatever their type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .effects import lookup, types_with

__all__ = [
    "CLUSTER_TYPES",
    "DATA_TYPES",
    "PROTECT_TYPES",
    "REGENERATED_TYPES",
    "STATEFUL_TYPES",
    "is_stateful",
    "lookup",
]

#: Types whose loss loses something: data stores, generated keys and suffixes, resource groups, the
#: installer's namespace (the in-cluster stores' volumes), and generated passwords.
STATEFUL_TYPES: frozenset[str] = types_with("store", "state", "regenerated", "in-cluster")

#: Stateful types whose loss is recoverable: a new generated password is written to the database
#: user and the installer's Secret in the same `pulumi up`. Their URNs are still watched (a rename
#: rotates the password and restarts Gitpod), but they need not be `protect`ed.
REGENERATED_TYPES: frozenset[str] = types_with("regenerated")

#: Types that should carry `protect` (the `stateful-resources-protected` policy, the plan's warning).
PROTECT_TYPES: frozenset[str] = STATEFUL_TYPES - REGENERATED_TYPES

#: The data stores proper (databases, buckets, registries, DNS zones): what must never wait for
#: the cluster (see `critical_path`) because none of them needs it.
DATA_TYPES: frozenset[str] = types_with("store")

#: The cluster and its node pools: the slow chain the data stores must stay off.
CLUSTER_TYPES: frozenset[str] = types_with("cluster", "pool")


def is_stateful(resource: Mapping[str, Any]) -> bool:
    """A plan-JSON resource that holds data: a stateful type, or anything marked `protect`."""
    return resource.get("type") in STATEFUL_TYPES or bool(resource.get("protect"))
