"""Compare two offline plans (their JSON documents) the way a reviewer needs to.

`pulumi preview` needs credentials and state that fork pull requests never get, and its diff
does not stand out when a change will empty a database. This diff works on two `plan --format
json` documents (the base branch's and the pull request's): resources added, removed and changed
(by URN, with the input paths that changed), and, loudly, every stateful resource (see
`stateful`) that the change would destroy:

* **renamed**: its URN disappears while a resource of the same type appears. A new name, a
  renamed component or a new parent all change the URN; without an alias, Pulumi deletes the old
  resource and creates an empty new one.
* **replaced**: its URN stays but an input that the provider cannot update in place changed
  (`stateful.REPLACE_ON_CHANGE`).
* **deleted**: its URN disappears and nothing of its type takes its place.

A base URN listed in a new resource's `aliases` is a safe move, not a removal. Secret inputs are
redacted in plans on both sides, so a change to a secret value cannot show here.

Changes that lose no managed data but take something down are named too (see `disruptive`): node
pools that roll or are replaced (running workspaces stop), clusters that are rebuilt, and databases
that restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from . import disruptive
from .markdown import table
from .stateful import REPLACE_ON_CHANGE, is_stateful, lookup

Resource = Mapping[str, Any]
DangerKind = Literal["renamed", "replaced", "deleted"]
DisruptionKind = Literal["roll", "replace", "restart", "rebuild"]


@dataclass(frozen=True)
class Change:
    """A resource present on both sides (same URN, or moved with an alias) whose plan differs."""

    urn: str
    type: str
    name: str
    inputs: tuple[str, ...]
    """Input paths (dotted) whose value differs."""
    options: tuple[str, ...] = ()
    """Resource options that differ: `provider`, `protect`, `dependsOn`."""
    base_urn: str | None = None
    """The base URN when the resource moved there with an alias."""


@dataclass(frozen=True)
class Danger:
    """A stateful resource this change would destroy (and, for renames, recreate empty)."""

    kind: DangerKind
    urn: str
    type: str
    name: str
    reason: str
    replacement: str | None = None
    """The URN of the resource that looks like its new identity (renames only)."""


@dataclass(frozen=True)
class Disruption:
    """A change that keeps the data but stops workspaces or restarts a database (see `disruptive`)."""

    kind: DisruptionKind
    urn: str
    type: str
    name: str
    reason: str


_EFFECT: dict[DisruptionKind, str] = {
    "roll": "every node of the pool is replaced, one after another, evicting its pods: workspaces running there stop",
    "replace": "a new pool is created and this one deleted with its nodes, evicting their pods: workspaces running there stop",
    "restart": "the database restarts: Gitpod is unavailable for minutes",
    "rebuild": (
        "the provider cannot change this in place: Pulumi creates a new cluster and deletes this one with every node and "
        "everything deployed in it, so Gitpod is down until it is reinstalled and in-cluster volumes are lost "
        "(with deletion protection on, the `up` fails instead)"
    ),
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
    warnings: list[str] = field(default_factory=list)
    """Risky but not data-destroying: lost protection, a stateful resource on another provider."""

    @property
    def flagged(self) -> bool:
        """Whether any stateful resource would lose its data (the CLI then exits 3)."""
        return bool(self.dangers)

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


def _resources(doc: Mapping[str, Any], side: str) -> dict[str, Resource]:
    resources = doc.get("resources")
    if not isinstance(resources, list):
        raise DiffError(f"the {side} document has no 'resources' list: is it the output of `plan --format json`?")
    return {r["urn"]: r for r in resources}


def _replace_triggers(base: Resource, head: Resource) -> list[str]:
    keys = REPLACE_ON_CHANGE.get(str(head.get("type")), ())
    base_inputs, head_inputs = base.get("inputs") or {}, head.get("inputs") or {}
    return [key for key in keys if lookup(base_inputs, key) != lookup(head_inputs, key)]


def _compare(diff: PlanDiff, base: Resource, head: Resource) -> None:
    inputs = changed_paths(base.get("inputs") or {}, head.get("inputs") or {})
    options = [key for key in ("provider", "protect", "replacementTrigger") if base.get(key) != head.get(key)]
    if sorted(base.get("dependsOn") or []) != sorted(head.get("dependsOn") or []):
        options.append("dependsOn")
    moved_from = base["urn"] if base["urn"] != head["urn"] else None
    if inputs or options:
        diff.changed.append(Change(head["urn"], head["type"], head["name"], tuple(inputs), tuple(options), moved_from))
    _disruptions(diff, base, head)
    if not (is_stateful(base) or is_stateful(head)):
        return
    triggers = _replace_triggers(base, head)
    if triggers:
        values = ", ".join(f"{k}: {lookup(base.get('inputs') or {}, k)!r} -> {lookup(head.get('inputs') or {}, k)!r}" for k in triggers)
        diff.dangers.append(
            Danger(
                "replaced",
                head["urn"],
                head["type"],
                head["name"],
                f"{values}: the provider cannot change this in place, so Pulumi creates a new, empty "
                "resource and deletes this one with its data.",
            )
        )
    if base.get("protect") and not head.get("protect"):
        diff.warnings.append(f"{head['name']} ({head['type']}) is no longer protected: `pulumi destroy` or a later rename can delete it.")
    if "provider" in options:
        diff.warnings.append(
            f"{head['name']} ({head['type']}) moves to another provider ({base.get('provider')} -> {head.get('provider')}): "
            "check the preview, a provider change can replace a resource."
        )


def _disruptions(diff: PlanDiff, base: Resource, head: Resource) -> None:
    type_ = str(head.get("type"))
    base_inputs, head_inputs = base.get("inputs") or {}, head.get("inputs") or {}
    rebuilt = disruptive.changed(disruptive.CLUSTER_REPLACE_ON_CHANGE.get(type_, ()), base_inputs, head_inputs)
    replaced = disruptive.changed(disruptive.POOL_REPLACE_ON_CHANGE.get(type_, ()), base_inputs, head_inputs)
    rolled = disruptive.changed(disruptive.ROLL_ON_CHANGE.get(type_, ()), base_inputs, head_inputs)
    restarted = disruptive.changed(disruptive.RESTART_ON_CHANGE.get(type_, ()), base_inputs, head_inputs)
    found: list[tuple[DisruptionKind, list[str]]] = [
        ("rebuild", rebuilt),
        ("replace", replaced),
        ("roll", [] if replaced or rebuilt else rolled),
        ("restart", restarted),
    ]
    for kind, keys in found:
        if keys:
            values = ", ".join(f"{k}: {lookup(base_inputs, k)!r} -> {lookup(head_inputs, k)!r}" for k in keys)
            diff.disruptions.append(Disruption(kind, head["urn"], type_, head["name"], f"{values}: {_EFFECT[kind]}."))


def _template_rolls(diff: PlanDiff, old: Mapping[str, Resource], new: Mapping[str, Resource]) -> None:
    """Relate a changed launch template to the node groups that use it (their version is a placeholder)."""
    already = {d.urn for d in diff.disruptions}
    for change in diff.changed:
        if change.type not in disruptive.TEMPLATE_TYPES or not change.inputs:
            continue
        for pool in new.values():
            if pool["urn"] in already or pool["urn"] not in old or not disruptive.uses_template(pool, change.name):
                continue
            diff.disruptions.append(
                Disruption(
                    "roll",
                    pool["urn"],
                    pool["type"],
                    pool["name"],
                    f"its launch template `{change.name}` changes ({', '.join(change.inputs)}), so the group moves to a new template "
                    f"version: {_EFFECT['roll']}.",
                )
            )


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> PlanDiff:
    """Compare the base plan document with the head (pull request) plan document."""
    if base.get("stack") != head.get("stack"):
        raise DiffError(
            f"the base plan is for stack {base.get('stack')!r} but this plan is for {head.get('stack')!r}: URNs would never match"
        )
    old, new = _resources(base, "base"), _resources(head, "head")
    diff = PlanDiff(stack=str(head.get("stack")))
    aliased = {alias: urn for urn, r in new.items() for alias in r.get("aliases") or [] if alias not in new}

    for urn, resource in new.items():
        if urn in old:
            _compare(diff, old[urn], resource)
    for urn, resource in old.items():
        if urn in new:
            continue
        if urn in aliased:
            diff.moved.append((urn, aliased[urn]))
            _compare(diff, resource, new[aliased[urn]])
        else:
            diff.removed.append(resource)
    moved_to = {target for _, target in diff.moved}
    diff.added = [r for urn, r in new.items() if urn not in old and urn not in moved_to]
    _template_rolls(diff, old, new)

    for resource in diff.removed:
        if is_stateful(resource):
            diff.dangers.append(_lost(resource, diff.added))
    return diff


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


def render_markdown(diff: PlanDiff, base_label: str = "the base branch") -> str:
    lines = [f"### Plan diff for stack `{diff.stack}` against {base_label}", ""]
    if diff.dangers:
        lines += [
            "> [!CAUTION]",
            f"> **🚨 DATA LOSS: {len(diff.dangers)} stateful resource(s) would be destroyed by this change.** "
            "Pulumi would delete them (with their data) and create new, empty ones.",
            "",
        ]
        lines += table(
            ("", "Resource", "Type", "Why"),
            ((f"**{d.kind.upper()}**", f"`{d.name}`", f"`{d.type}`", d.reason) for d in diff.dangers),
        )
        lines.append("")
    if diff.disruptions:
        lines += [
            "> [!WARNING]",
            f"> **{len(diff.disruptions)} change(s) stop running workspaces, rebuild the cluster or restart the database.** "
            "The managed data stores keep their data, but apply these changes when users can take it.",
            "",
        ]
        lines += table(
            ("", "Resource", "Type", "Why"),
            ((f"**{d.kind.upper()}**", f"`{d.name}`", f"`{d.type}`", d.reason) for d in diff.disruptions),
        )
        lines.append("")
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
        rows = (
            (f"`{c.name}`", f"`{c.type}`", _keys(c.inputs) or "-", ", ".join(c.options) or "-")
            for c in sorted(diff.changed, key=lambda c: c.urn)
        )
        lines += ["#### Changed", "", *table(("Resource", "Type", "Inputs", "Options"), rows), ""]
    if diff.moved:
        lines += ["#### Moved with an alias (kept, not replaced)", ""]
        lines += [*table(("From", "To"), ((f"`{a}`", f"`{b}`") for a, b in diff.moved)), ""]
    if diff.warnings:
        lines += ["#### Review", ""] + [f"- {w}" for w in diff.warnings] + [""]
    return "\n".join(lines)


def render_text(diff: PlanDiff) -> str:
    lines = [f"Plan diff for stack {diff.stack!r}:"]
    for d in diff.dangers:
        lines.append(f"  !!! DATA LOSS ({d.kind}) {d.type}  {d.name}: {d.reason}")
    for x in diff.disruptions:
        lines.append(f"  !!  {x.kind.upper()} {x.type}  {x.name}: {x.reason}")
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
        "flagged": diff.flagged,
        "dangers": [d.__dict__ for d in diff.dangers],
        "disruptions": [d.__dict__ for d in diff.disruptions],
        "added": [r["urn"] for r in diff.added],
        "removed": [r["urn"] for r in diff.removed],
        "changed": [{"urn": c.urn, "inputs": list(c.inputs), "options": list(c.options), "baseUrn": c.base_urn} for c in diff.changed],
        "moved": [{"from": a, "to": b} for a, b in diff.moved],
        "warnings": diff.warnings,
    }
