"""What a resource waits for before the engine creates it: the plan's one dependency closure.

The critical path, the "data stores never wait for the cluster" guard and the tests all ask the
same question, so they share one answer. A resource cannot start before:

* every URN in its `dependsOn`: the explicit `depends_on` and every resource whose outputs it takes
  as inputs. The SDK has already replaced a dependency on a local component with the component's
  custom descendants before the engine sees it (pulumi/pulumi sdk/python/lib/pulumi/runtime/rpc.py,
  `_add_dependency`), so the recorded list is the engine's view, and the closure adds no descendants
  of its own: depending on a custom resource does not wait for that resource's children. (A remote,
  multi-language component would stand for its children by its own URN; this program has none,
  and tests/test_critical_path.py checks that every recorded dependency is a custom resource.)
* its `provider`: a provider resource exists before anything that uses it, so the Kubernetes
  provider, which depends on the node pools, holds back every workload;
* its `parent`: the SDK registers a child only once it has its parent's URN, and it registers a
  component only after the component's own dependencies exist, so a component's children start
  after whatever the component waits for.

`waits_for` follows all three edges transitively. URNs that are not in the plan (a stack
reference, an engine-side resource) are ignored.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any, Protocol


class Registered(Protocol):
    """A recorded registration (`harness.Registration`): the fields the closure reads."""

    urn: str
    parent: str | None
    provider: str | None
    depends_on: list[str]


#: A plan-JSON resource (`render.to_json(...)["resources"]`) or a recorded registration.
Resource = Mapping[str, Any] | Registered


def _urn(resource: Resource) -> str:
    return str(resource["urn"]) if isinstance(resource, Mapping) else resource.urn


def _edges(resource: Resource) -> Sequence[str | None]:
    if isinstance(resource, Mapping):
        return [*(resource.get("dependsOn") or []), resource.get("provider"), resource.get("parent")]
    return [*resource.depends_on, resource.provider, resource.parent]


def direct_waits(resource: Resource, known: Container[str]) -> list[str]:
    """URNs among `known` this resource waits for directly: its dependsOn, then provider, then parent."""
    own = _urn(resource)
    return list(dict.fromkeys(u for u in _edges(resource) if u and u in known and u != own))


def waits_for(resources: Iterable[Resource], *urns: str) -> set[str]:
    """Every URN of the plan that one of `urns` waits for, directly or through what it waits for.

    A URN is in the result only if reached through an edge, so a start URN appears only when the
    graph has a cycle through it.
    """
    by_urn = {_urn(r): r for r in resources}
    seen: set[str] = set()
    todo = [urn for urn in urns if urn in by_urn]
    while todo:
        for pred in direct_waits(by_urn[todo.pop()], by_urn):
            if pred not in seen:
                seen.add(pred)
                todo.append(pred)
    return seen
