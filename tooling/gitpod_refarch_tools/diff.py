"""Compare two offline plans (their JSON documents) the way a reviewer needs to, and give a verdict.

`pulumi preview` needs credentials and state that fork pull requests never get, and its diff
does not stand out when a change will empty a database. This diff works on two `plan --format
json` documents (the base branch's and the pull request's): resources added, removed and changed
(by URN, with the input paths that changed), and every resource the change would replace, with the
input paths that force it, classified into one of three verdicts (the CLI's exit code):

* **data loss** (exit 3): a resource that holds data (`effects` role `store`, `state`,
  `regenerated`, or anything `protect`ed) is replaced, renamed (its URN disappears while one of the
  same type appears: without an alias Pulumi deletes it and creates an empty one) or deleted; or
  the installer's namespace or the cluster is replaced while the in-cluster database, object
  storage or registry keep their volumes there.
* **outage** (exit 4): a cluster or node pool is replaced or removed, or the installer's namespace
  is replaced (with the data stores outside the cluster). Gitpod, or the workspaces on the pool,
  stop until the new one is ready. When a change is both, data loss wins.
* **in place** (exit 0): nothing that holds data, runs Gitpod or hosts workspaces is replaced.
  Lesser resources may still be replaced (a security group, an IAM role, a Kubernetes Secret); they
  are listed with the fields that force it. Changes that take something down without replacing it
  are in-place too but named under "Downtime": a **roll** (every node of a pool replaced in place,
  one after another: running workspaces stop) and a **restart** (the database restarts: minutes
  without Gitpod). They are the ordinary way to upgrade, which a reviewer schedules, not a reason
  to stop a change.

What replaces a resource (`effects.TYPES`, with each provider's source):

* a changed input the provider cannot update in place, its `replaceOnChanges` or its
  `replacementTrigger`;
* its provider's configuration: a provider `region` or `project` the resource takes by default
  counts as a change of the resource's own (`effects.PROVIDER_DEFAULTS`), and a replaced provider
  replaces everything it manages (a Kubernetes provider whose cluster is replaced);
* a replaced resource it takes a value from. A new VPC has a new id, but both plans only show the
  placeholder `${vpc.id}`, so the diff propagates: every input whose value comes from a replaced
  resource (a `${name.prop}` placeholder in it, or the engine's recorded `inputDependencies` for
  values that hide their origin) counts as changed, and the replacement spreads to every resource
  for which such an input forces one, until nothing changes.

A base URN listed in a new resource's `aliases` is a safe move, not a removal. Inputs under a
resource's `ignoreChanges` are never compared: Pulumi does not send them. Secret inputs are
redacted in plans on both sides, so a change to a secret value cannot show here, except through
the dependencies the plan records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from .effects import PROVIDER_DEFAULTS, TYPES, Role, covered, lookup, normalize, overlaps
from .markdown import table
from .stateful import is_stateful

Resource = Mapping[str, Any]
Verdict = Literal["data-loss", "outage", "in-place"]
DangerKind = Literal["renamed", "replaced", "deleted"]
DisruptionKind = Literal["roll", "replace", "restart", "rebuild", "delete"]

#: The CLI's exit code for each verdict (see cli.py).
EXIT_CODES: dict[Verdict, int] = {"data-loss": 3, "outage": 4, "in-place": 0}
VERDICT_TITLES: dict[Verdict, str] = {"data-loss": "DATA LOSS", "outage": "OUTAGE", "in-place": "IN PLACE"}

#: Roles whose loss is data loss.
_DATA_ROLES: frozenset[Role] = frozenset({"store", "state", "regenerated"})

#: Launch templates: every input is part of a template version, and the plan cannot see the new
#: version number (a placeholder), so any input change of a template is reported as a roll of the
#: node groups that use it, which is what EKS does with a group that follows the latest version.
TEMPLATE_TYPES: frozenset[str] = frozenset({"aws:ec2/launchTemplate:LaunchTemplate"})
#: Where a pool names its template: the input path holding the template's `id`.
TEMPLATE_REFERENCE: dict[str, str] = {"aws:eks/nodeGroup:NodeGroup": "launchTemplate.id"}


@dataclass(frozen=True)
class Change:
    """A resource present on both sides (same URN, or moved with an alias) whose plan differs."""

    urn: str
    type: str
    name: str
    inputs: tuple[str, ...]
    """Input paths (dotted) whose value differs."""
    options: tuple[str, ...] = ()
    """Resource options that differ: `provider`, `protect`, `dependsOn`, `replacementTrigger`."""
    base_urn: str | None = None
    """The base URN when the resource moved there with an alias."""


@dataclass(frozen=True)
class Danger:
    """A resource holding data that this change would destroy (and, for renames, recreate empty)."""

    kind: DangerKind
    urn: str
    type: str
    name: str
    reason: str
    replacement: str | None = None
    """The URN of the resource that looks like its new identity (renames only)."""
    fields: tuple[str, ...] = ()
    """The inputs (or `provider`, `replacementTrigger`) that force the replacement."""


@dataclass(frozen=True)
class Disruption:
    """A cluster or pool replaced or removed (an outage), or a roll or restart (downtime in place)."""

    kind: DisruptionKind
    urn: str
    type: str
    name: str
    reason: str
    fields: tuple[str, ...] = ()

    @property
    def outage(self) -> bool:
        return self.kind in ("replace", "rebuild", "delete")


@dataclass(frozen=True)
class Replacement:
    """A replaced resource that holds no data and runs nothing Gitpod needs: listed, not a verdict."""

    urn: str
    type: str
    name: str
    reason: str
    fields: tuple[str, ...] = ()


_EFFECT: dict[str, str] = {
    "data": "the provider cannot change this in place, so Pulumi creates a new, empty resource and deletes this one with its data.",
    "roll": "every node of the pool is replaced, one after another, evicting its pods: workspaces running there stop",
    "replace": "a new pool is created and this one deleted with its nodes, evicting their pods: workspaces running there stop",
    "restart": "the database restarts: Gitpod is unavailable for minutes",
    "rebuild": (
        "the provider cannot change this in place: Pulumi creates a new cluster and deletes this one with every node and "
        "everything deployed in it, so Gitpod is down until it is reinstalled and in-cluster volumes are lost "
        "(with deletion protection on, the `up` fails instead)"
    ),
    "namespace": "Kubernetes deletes everything in the namespace: Gitpod is down until it is reinstalled",
    "other": "Pulumi creates a new one and deletes this one; nothing in it holds data",
    "provider": "Pulumi creates it anew through the new provider",
}


@dataclass
class PlanDiff:
    stack: str
    added: list[Resource] = field(default_factory=list)
    removed: list[Resource] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    """(base URN, new URN) pairs kept by an alias."""
    dangers: list[Danger] = field(default_factory=list)
    disruptions: list[Disruption] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Risky but not data-destroying: lost protection, a stateful resource on another provider."""
    in_cluster_stores: tuple[str, ...] | None = ()
    """What keeps its volumes in the cluster on the base side (None: the base plan does not say)."""

    @property
    def verdict(self) -> Verdict:
        if self.dangers:
            return "data-loss"
        if any(d.outage for d in self.disruptions):
            return "outage"
        return "in-place"

    @property
    def flagged(self) -> bool:
        """Whether anything would lose its data (the CLI then exits 3)."""
        return self.verdict == "data-loss"

    @property
    def outages(self) -> list[Disruption]:
        return [d for d in self.disruptions if d.outage]

    @property
    def downtime(self) -> list[Disruption]:
        """Rolls and restarts: in place, but something stops for a while."""
        return [d for d in self.disruptions if not d.outage]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved)


class DiffError(Exception):
    """The two documents cannot be compared (not plans, or plans of different stacks)."""


def changed_paths(base: Any, head: Any, prefix: str = "") -> list[str]:
    """Dotted paths whose values differ; lists compare whole, a missing key equals None."""
    if isinstance(base, Mapping) and isinstance(head, Mapping):
        paths: list[str] = []
        for key in sorted(set(base) | set(head)):
            path = f"{prefix}.{key}" if prefix else str(key)
            paths += changed_paths(base.get(key), head.get(key), path)
        return paths
    return [] if base == head else [prefix or "(value)"]


def in_cluster_stores(doc: Mapping[str, Any]) -> tuple[str, ...] | None:
    """What keeps its data on volumes in the cluster, from the plan's installer config output.

    The 2022.11 installer runs MySQL and MinIO on PersistentVolumes when `inCluster` is true (its
    default), and its registry on a volume unless `s3storage` is set (gitpod-io/gitpod
    install/installer/pkg/components/docker-registry/helm.go@2022.11.3). None when the plan has no
    readable installer config.
    """
    text = (doc.get("outputs") or {}).get("installerConfig")
    if not isinstance(text, str):
        return None
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(config, Mapping):
        return None

    def section(key: str) -> Mapping[str, Any]:
        value = config.get(key)
        return value if isinstance(value, Mapping) else {}

    stores = []
    if section("database").get("inCluster", True):
        stores.append("MySQL database")
    if section("objectStorage").get("inCluster", True):
        stores.append("MinIO object storage")
    if section("containerRegistry").get("inCluster", True) and not section("containerRegistry").get("s3storage"):
        stores.append("image registry")
    return tuple(stores)


def _resources(doc: Mapping[str, Any], side: str) -> dict[str, Resource]:
    resources = doc.get("resources")
    if not isinstance(resources, list):
        raise DiffError(f"the {side} document has no 'resources' list: is it the output of `plan --format json`?")
    return {r["urn"]: r for r in resources}


# -- one resource, both sides -----------------------------------------------------------------------
@dataclass
class _Pair:
    base: Resource
    head: Resource
    base_inputs: dict[str, Any]
    head_inputs: dict[str, Any]
    inherited: dict[str, str]
    """Input -> the provider name it was taken from (when the resource does not set it)."""
    ignored: tuple[str, ...]

    @property
    def urn(self) -> str:
        return str(self.head["urn"])

    @property
    def type(self) -> str:
        return str(self.head["type"])

    @property
    def name(self) -> str:
        return str(self.head["name"])

    def forcing_paths(self) -> tuple[str, ...]:
        rule = TYPES.get(self.type)
        own = tuple(normalize(p) for p in self.head.get("replaceOnChanges") or ())
        return tuple(p for p in (*(rule.replace if rule else ()), *own) if not covered(p, self.ignored))

    def value_changes(self, paths: Iterable[str]) -> list[tuple[str, str]]:
        """(path, "path: old -> new") for each path whose value differs."""
        found = []
        for path in dict.fromkeys(paths):
            if covered(path, self.ignored):
                continue
            old, new = lookup(self.base_inputs, path), lookup(self.head_inputs, path)
            if old != new:
                origin = f" (from provider `{self.inherited[path]}`)" if path in self.inherited else ""
                found.append((path, f"{path}: {old!r} -> {new!r}{origin}"))
        return found


def _effective(resource: Resource, by_urn: Mapping[str, Resource], inherited: dict[str, str]) -> dict[str, Any]:
    """The resource's inputs plus the provider configuration it takes by default (`PROVIDER_DEFAULTS`)."""
    inputs = dict(resource.get("inputs") or {})
    provider = by_urn.get(str(resource.get("provider") or ""))
    rule = TYPES.get(str(resource.get("type")))
    if provider is None or rule is None:
        return inputs
    for key in PROVIDER_DEFAULTS.get(str(provider.get("type")), ()):
        value = (provider.get("inputs") or {}).get(key)
        if key in rule.replace and inputs.get(key) is None and value is not None:
            inputs[key] = value
            inherited[key] = str(provider.get("name"))
    return inputs


def _pair(base: Resource, head: Resource, old: Mapping[str, Resource], new: Mapping[str, Resource]) -> _Pair:
    inherited: dict[str, str] = {}
    base_inputs = _effective(base, old, inherited)
    head_inputs = _effective(head, new, inherited)
    return _Pair(base, head, base_inputs, head_inputs, inherited, tuple(head.get("ignoreChanges") or ()))


# -- propagation ------------------------------------------------------------------------------------
def _placeholder_paths(value: Any, names: set[str], prefix: str = "") -> list[tuple[str, str]]:
    """(path, name) for every string at or under `value` holding a `${name.prop}` placeholder of `names`."""
    if isinstance(value, Mapping):
        return [hit for key, item in value.items() for hit in _placeholder_paths(item, names, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(value, list):
        return [hit for i, item in enumerate(value) for hit in _placeholder_paths(item, names, f"{prefix}.{i}")]
    if isinstance(value, str) and "${" in value:
        return [(prefix, name) for name in sorted(names) if f"${{{name}." in value]
    return []


def _unknown_inputs(head: Resource, replaced: Mapping[str, str]) -> list[tuple[str, str]]:
    """(input path, replaced resource name) for every input whose value comes from a replaced resource.

    `replaced` maps URN -> name. With the engine's `inputDependencies` the origin is exact per input;
    a value that shows the placeholder narrows it to the nested path, and one that hides it (a
    secret, a copied name, a lookup's result) counts as a whole. Without them (an older plan), any
    placeholder of a replaced resource's name counts.
    """
    inputs = head.get("inputs") or {}
    dependencies = head.get("inputDependencies")
    if not isinstance(dependencies, Mapping):
        return _placeholder_paths(inputs, set(replaced.values()))
    found: list[tuple[str, str]] = []
    for key, urns in sorted(dependencies.items()):
        names = {replaced[u] for u in urns if u in replaced}
        if not names:
            continue
        hits = _placeholder_paths(inputs.get(key), names, key)
        found += hits or [(key, sorted(names)[0])]
    return found


@dataclass
class _Forced:
    """Why a resource is replaced: the fields and a readable account of each."""

    fields: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    by_provider: bool = False

    def add(self, path: str, reason: str) -> None:
        if path not in self.fields:
            self.fields.append(path)
            self.reasons.append(reason)


def _own_replacement(pair: _Pair) -> _Forced:
    forced = _Forced()
    for path, reason in pair.value_changes(pair.forcing_paths()):
        forced.add(path, reason)
    old, new = pair.base.get("replacementTrigger"), pair.head.get("replacementTrigger")
    if old != new:
        forced.add("replacementTrigger", f"replacementTrigger: {old!r} -> {new!r}")
    return forced


def _from_replaced(pair: _Pair, paths: Iterable[str], replaced: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path, reason) for each of `paths` whose value comes from a replaced resource."""
    unknown = _unknown_inputs(pair.head, replaced)
    found: dict[str, list[str]] = {}
    for path in dict.fromkeys(paths):
        if covered(path, pair.ignored):
            continue
        for source, name in unknown:
            if overlaps(normalize(source), path) and name not in found.setdefault(path, []):
                found[path].append(name)
    return [
        (path, f"{path}: takes a new value from {', '.join(f'`{n}`' for n in names)}, which {'is' if len(names) == 1 else 'are'} replaced")
        for path, names in found.items()
        if names
    ]


def _propagate(pairs: Sequence[_Pair], forced: dict[str, _Forced]) -> None:
    """Spread replacements through provider links and inputs taken from replaced resources, to a fixpoint."""
    names = {p.urn: p.name for p in pairs}
    while True:
        replaced = {urn: names[urn] for urn in forced}
        grown = False
        for pair in pairs:
            if pair.urn in forced:
                continue
            provider = str(pair.head.get("provider") or "")
            if provider in forced:
                forced[pair.urn] = _Forced(["provider"], [f"its provider `{names[provider]}` is replaced"], by_provider=True)
                grown = True
                continue
            hits = _from_replaced(pair, pair.forcing_paths(), replaced)
            if hits:
                forced[pair.urn] = _Forced([p for p, _ in hits], [r for _, r in hits])
                grown = True
        if not grown:
            return


# -- the comparison ---------------------------------------------------------------------------------
def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> PlanDiff:
    """Compare the base plan document with the head (pull request) plan document."""
    if base.get("stack") != head.get("stack"):
        raise DiffError(
            f"the base plan is for stack {base.get('stack')!r} but this plan is for {head.get('stack')!r}: URNs would never match"
        )
    old, new = _resources(base, "base"), _resources(head, "head")
    diff = PlanDiff(stack=str(head.get("stack")), in_cluster_stores=in_cluster_stores(base))
    aliased = {alias: urn for urn, r in new.items() for alias in r.get("aliases") or [] if alias not in new}

    pairs = [_pair(old[urn], resource, old, new) for urn, resource in sorted(new.items()) if urn in old]
    for urn, resource in sorted(old.items()):
        if urn in new:
            continue
        if urn in aliased:
            diff.moved.append((urn, aliased[urn]))
            pairs.append(_pair(resource, new[aliased[urn]], old, new))
        else:
            diff.removed.append(resource)
    moved_to = {target for _, target in diff.moved}
    diff.added = [r for urn, r in sorted(new.items()) if urn not in old and urn not in moved_to]

    for pair in pairs:
        _compare(diff, pair)
    forced = {pair.urn: f for pair in pairs if (f := _own_replacement(pair)).fields}
    _propagate(pairs, forced)
    for pair in pairs:
        if pair.urn in forced:
            _classify(diff, pair, forced[pair.urn])
    _downtime(diff, pairs, forced)
    _template_rolls(diff, old, new, forced)
    _changed_by_replacements(diff, pairs, forced)

    for resource in diff.removed:
        _removed(diff, resource)
    diff.changed.sort(key=lambda c: c.urn)
    diff.dangers.sort(key=lambda d: d.urn)
    diff.disruptions.sort(key=lambda d: d.urn)
    diff.replaced.sort(key=lambda r: r.urn)
    return diff


def _role(resource: Resource, other_side: Resource | None = None) -> Role | None:
    """The table's role; a `protect`ed resource of a lesser role counts as holding state."""
    rule = TYPES.get(str(resource.get("type")))
    role = rule.role if rule else None
    protected = resource.get("protect") or (other_side or {}).get("protect")
    if protected and role in (None, "other", "provider"):
        return "state"
    return role


def _removed(diff: PlanDiff, resource: Resource) -> None:
    """A resource gone from the program (and not moved with an alias)."""
    role = _role(resource)
    urn, type_, name = resource["urn"], resource["type"], resource["name"]
    if role == "in-cluster" and diff.in_cluster_stores == ():
        diff.disruptions.append(Disruption("delete", urn, type_, name, f"removed from the program: {_EFFECT['namespace']}."))
    elif is_stateful(resource):
        diff.dangers.append(_lost(resource, diff.added))
    elif role == "cluster":
        diff.disruptions.append(
            Disruption(
                "delete", urn, type_, name, "removed from the program: Pulumi deletes it with its nodes and everything deployed in it."
            )
        )
    elif role == "pool":
        diff.disruptions.append(
            Disruption("delete", urn, type_, name, "removed from the program: Pulumi deletes it with its nodes, evicting their pods.")
        )


def _compare(diff: PlanDiff, pair: _Pair) -> None:
    base, head = pair.base, pair.head
    inputs = [p for p in changed_paths(pair.base_inputs, pair.head_inputs) if not covered(p, pair.ignored)]
    options = [key for key in ("provider", "protect", "replacementTrigger") if base.get(key) != head.get(key)]
    if sorted(base.get("dependsOn") or []) != sorted(head.get("dependsOn") or []):
        options.append("dependsOn")
    moved_from = base["urn"] if base["urn"] != head["urn"] else None
    if inputs or options:
        diff.changed.append(Change(pair.urn, pair.type, pair.name, tuple(inputs), tuple(options), moved_from))
    if not (is_stateful(base) or is_stateful(head)):
        return
    if base.get("protect") and not head.get("protect"):
        diff.warnings.append(f"{pair.name} ({pair.type}) is no longer protected: `pulumi destroy` or a later rename can delete it.")
    if "provider" in options:
        diff.warnings.append(
            f"{pair.name} ({pair.type}) moves to another provider ({base.get('provider')} -> {head.get('provider')}): "
            "check the preview, a provider change can replace a resource."
        )


def _stores(diff: PlanDiff) -> str:
    stores = diff.in_cluster_stores
    return ", ".join(stores) if stores else "in-cluster stores the base plan does not describe"


def _classify(diff: PlanDiff, pair: _Pair, forced: _Forced) -> None:
    """One replaced resource: data loss, outage or a listed replacement, by what it is."""
    role = _role(pair.head, pair.base)
    why = ", ".join(forced.reasons)
    fields = tuple(forced.fields)
    in_cluster = diff.in_cluster_stores is None or bool(diff.in_cluster_stores)
    if role in _DATA_ROLES:
        diff.dangers.append(Danger("replaced", pair.urn, pair.type, pair.name, f"{why}: {_EFFECT['data']}", fields=fields))
    elif role == "in-cluster" and in_cluster:
        diff.dangers.append(
            Danger(
                "replaced",
                pair.urn,
                pair.type,
                pair.name,
                f"{why}: Pulumi deletes the namespace and creates it anew, and Kubernetes deletes everything in it, "
                f"the volumes of the in-cluster {_stores(diff)} too.",
                fields=fields,
            )
        )
    elif role == "in-cluster" and not forced.by_provider:
        diff.disruptions.append(Disruption("replace", pair.urn, pair.type, pair.name, f"{why}: {_EFFECT['namespace']}.", fields))
    elif role == "cluster":
        diff.disruptions.append(Disruption("rebuild", pair.urn, pair.type, pair.name, f"{why}: {_EFFECT['rebuild']}.", fields))
        if diff.in_cluster_stores:
            diff.dangers.append(
                Danger(
                    "replaced",
                    pair.urn,
                    pair.type,
                    pair.name,
                    f"{why}: the cluster is replaced, and the volumes of the in-cluster {_stores(diff)} are deleted with it.",
                    fields=fields,
                )
            )
    elif role == "pool":
        first = " (the old pool is deleted first)" if pair.head.get("deleteBeforeReplace") else ""
        diff.disruptions.append(Disruption("replace", pair.urn, pair.type, pair.name, f"{why}: {_EFFECT['replace']}{first}.", fields))
    else:
        effect = _EFFECT["provider" if forced.by_provider else "other"]
        diff.replaced.append(Replacement(pair.urn, pair.type, pair.name, f"{why}: {effect}.", fields))


def _downtime(diff: PlanDiff, pairs: Sequence[_Pair], forced: Mapping[str, _Forced]) -> None:
    """Rolls and restarts of resources that are not replaced (a replacement says more)."""
    names = {p.urn: p.name for p in pairs}
    replaced = {urn: names[urn] for urn in forced}
    for pair in pairs:
        rule = TYPES.get(pair.type)
        if rule is None or pair.urn in forced:
            continue
        kinds: tuple[tuple[DisruptionKind, tuple[str, ...]], ...] = (("roll", rule.roll), ("restart", rule.restart))
        for kind, paths in kinds:
            found = pair.value_changes(paths)
            found += [hit for hit in _from_replaced(pair, paths, replaced) if hit[0] not in {p for p, _ in found}]
            # Set now, left to the provider before: the base plan cannot say what the live resource has.
            found = [
                (path, f"{reason} (unset before: only if the live value differs)")
                if path in rule.computed and lookup(pair.base_inputs, path) is None
                else (path, reason)
                for path, reason in found
            ]
            if found:
                effect = _EFFECT[kind]
                diff.disruptions.append(
                    Disruption(
                        kind, pair.urn, pair.type, pair.name, f"{', '.join(r for _, r in found)}: {effect}.", tuple(p for p, _ in found)
                    )
                )


def _changed_by_replacements(diff: PlanDiff, pairs: Sequence[_Pair], forced: Mapping[str, _Forced]) -> None:
    """List the inputs that take a new value from a replaced resource, though both plans show the same placeholder."""
    names = {p.urn: p.name for p in pairs}
    replaced = {urn: names[urn] for urn in forced}
    if not replaced:
        return
    changes = {c.urn: c for c in diff.changed}
    for pair in pairs:
        paths = [path for path, _ in _unknown_inputs(pair.head, replaced) if not covered(path, pair.ignored)]
        if not paths:
            continue
        known = changes.get(pair.urn)
        inputs = tuple(sorted({*(known.inputs if known else ()), *paths}))
        if known is not None:
            diff.changed[diff.changed.index(known)] = Change(known.urn, known.type, known.name, inputs, known.options, known.base_urn)
        else:
            base_urn = pair.base["urn"] if pair.base["urn"] != pair.urn else None
            diff.changed.append(Change(pair.urn, pair.type, pair.name, inputs, (), base_urn))


def _template_rolls(diff: PlanDiff, old: Mapping[str, Resource], new: Mapping[str, Resource], forced: Mapping[str, _Forced]) -> None:
    """Relate a changed launch template to the node groups that use it (their version is a placeholder)."""
    already = {d.urn for d in diff.disruptions} | set(forced)
    for change in diff.changed:
        if change.type not in TEMPLATE_TYPES or not change.inputs or change.urn in forced:
            continue
        for pool in new.values():
            if pool["urn"] in already or pool["urn"] not in old or not _uses_template(pool, change.name):
                continue
            diff.disruptions.append(
                Disruption(
                    "roll",
                    pool["urn"],
                    pool["type"],
                    pool["name"],
                    f"its launch template `{change.name}` changes ({', '.join(change.inputs)}), so the group moves to a new template "
                    f"version: {_EFFECT['roll']}.",
                    ("launchTemplate.version",),
                )
            )


def _uses_template(pool: Resource, template_name: str) -> bool:
    """Whether a pool's template reference is the plan's placeholder for that template's id."""
    path = TEMPLATE_REFERENCE.get(str(pool.get("type")))
    return path is not None and lookup(pool.get("inputs") or {}, path) == f"${{{template_name}.id}}"


def _lost(resource: Resource, added: Iterable[Resource]) -> Danger:
    candidates = [r for r in added if r["type"] == resource["type"]]
    if not candidates:
        return Danger(
            "deleted",
            resource["urn"],
            resource["type"],
            resource["name"],
            "removed from the program: Pulumi deletes it and its data (a protected resource makes `pulumi up` fail instead).",
        )
    names = ", ".join(f"`{r['name']}`" for r in candidates)
    return Danger(
        "renamed",
        resource["urn"],
        resource["type"],
        resource["name"],
        f"its URN disappears while {names} of the same type appears: a rename, a renamed component or a new parent is a "
        "delete-and-recreate, so the data is lost. Keep the old name, or add "
        f'`aliases=[pulumi.Alias(name="{resource["name"]}", ...)]` (with `parent=`/`type_=` for a move) to the new resource.',
        candidates[0]["urn"] if len(candidates) == 1 else None,
    )


# -- rendering -------------------------------------------------------------------------------------
def _keys(keys: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(f"`{k}`" for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def verdict_line(diff: PlanDiff) -> str:
    return f"{VERDICT_TITLES[diff.verdict]} (exit {diff.exit_code})"


def render_markdown(diff: PlanDiff, base_label: str = "the base branch") -> str:
    lines = [f"### Plan diff for stack `{diff.stack}` against {base_label}", "", f"**Verdict: {verdict_line(diff)}**", ""]
    columns = ("", "Resource", "Type", "Forced by", "Why")
    callouts = (
        (
            diff.dangers,
            "CAUTION",
            f"**🚨 DATA LOSS: {len(diff.dangers)} resource(s) holding data would be destroyed by this change.** "
            "Pulumi would delete them (with their data) and create new, empty ones.",
        ),
        (
            diff.outages,
            "WARNING",
            f"**OUTAGE: {len(diff.outages)} change(s) replace or remove the cluster, a node pool or Gitpod's namespace.** "
            "Gitpod or the workspaces on the pool stop until the new one is ready.",
        ),
        (
            diff.downtime,
            "NOTE",
            f"**Downtime in place: {len(diff.downtime)} change(s) roll node pools or restart the database.** "
            "Nothing is replaced, but apply them when users can take it.",
        ),
    )
    for findings, callout, headline in callouts:
        if findings:
            lines += [f"> [!{callout}]", f"> {headline}", ""]
            rows = ((f"**{d.kind.upper()}**", f"`{d.name}`", f"`{d.type}`", _keys(d.fields) or "-", d.reason) for d in findings)
            lines += [*table(columns, rows), ""]
    if diff.replaced:
        lines += ["#### Replaced (nothing held is lost)", ""]
        replaced = ((f"`{r.name}`", f"`{r.type}`", _keys(r.fields) or "-") for r in diff.replaced)
        lines += [*table(("Resource", "Type", "Forced by"), replaced), ""]
    if diff.empty:
        lines += ["No resource is added, removed or changed.", ""]
    else:
        summary = f"{len(diff.added)} to add, {len(diff.removed)} to remove, {len(diff.changed)} to change"
        lines += [f"**{summary}**" + (f", {len(diff.moved)} moved with an alias" if diff.moved else "") + ".", ""]
    if diff.added:
        lines += ["#### Added", "", *table(("Resource", "Type"), ((f"`{r['name']}`", f"`{r['type']}`") for r in diff.added)), ""]
    if diff.removed:
        lines += ["#### Removed", "", *table(("Resource", "Type"), ((f"`{r['name']}`", f"`{r['type']}`") for r in diff.removed)), ""]
    if diff.changed:
        changed = (
            (f"`{c.name}`", f"`{c.type}`", _keys(c.inputs) or "-", ", ".join(c.options) or "-")
            for c in sorted(diff.changed, key=lambda c: c.urn)
        )
        lines += ["#### Changed", "", *table(("Resource", "Type", "Inputs", "Options"), changed), ""]
    if diff.moved:
        lines += ["#### Moved with an alias (kept, not replaced)", ""]
        lines += [*table(("From", "To"), ((f"`{a}`", f"`{b}`") for a, b in diff.moved)), ""]
    if diff.warnings:
        lines += ["#### Review", ""] + [f"- {w}" for w in diff.warnings] + [""]
    return "\n".join(lines)


def render_text(diff: PlanDiff) -> str:
    lines = [f"Plan diff for stack {diff.stack!r}: {verdict_line(diff)}"]
    for d in diff.dangers:
        lines.append(f"  !!! DATA LOSS ({d.kind}) {d.type}  {d.name}: {d.reason}")
    for x in diff.outages:
        lines.append(f"  !!  {x.kind.upper()} {x.type}  {x.name}: {x.reason}")
    for x in diff.downtime:
        lines.append(f"  !   {x.kind.upper()} {x.type}  {x.name}: {x.reason}")
    for rep in diff.replaced:
        lines.append(f"  +-  REPLACED {rep.type}  {rep.name}: {rep.reason}")
    for r in diff.added:
        lines.append(f"  + {r['type']}  {r['name']}")
    for r in diff.removed:
        lines.append(f"  - {r['type']}  {r['name']}")
    for c in sorted(diff.changed, key=lambda c: c.urn):
        what = ", ".join([*c.inputs, *c.options])
        lines.append(f"  ~ {c.type}  {c.name}: {what}")
    for a, b in diff.moved:
        lines.append(f"  > {a} -> {b} (alias)")
    lines += [f"  warning: {w}" for w in diff.warnings]
    if diff.empty:
        lines.append("  no changes")
    return "\n".join(lines) + "\n"


def to_json(diff: PlanDiff) -> dict[str, Any]:
    return {
        "stack": diff.stack,
        "verdict": diff.verdict,
        "flagged": diff.flagged,
        "dangers": [d.__dict__ for d in diff.dangers],
        "disruptions": [d.__dict__ for d in diff.disruptions],
        "replaced": [r.__dict__ for r in diff.replaced],
        "added": [r["urn"] for r in diff.added],
        "removed": [r["urn"] for r in diff.removed],
        "changed": [{"urn": c.urn, "inputs": list(c.inputs), "options": list(c.options), "baseUrn": c.base_urn} for c in diff.changed],
        "moved": [{"from": a, "to": b} for a, b in diff.moved],
        "warnings": diff.warnings,
    }
