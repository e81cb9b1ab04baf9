"""Render a plan document as Markdown for a pull request or a CI job summary.

Reviewers read this instead of a raw resource list: how many resources of each type, which are
protected (and which stateful ones are not), the program's warnings, what the 2022.11 installer
would reject, the estimated deployment time with its critical chain, and the installer config
itself. It renders the `plan --format json` document, so the values are already redacted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .critical_path import critical_path, duration, waiting_for_cluster
from .stateful import DATA_TYPES, PROTECT_TYPES


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table; pipes inside cells are escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


#: Outputs shown in their own sections rather than in the outputs table.
_OWN_SECTIONS = ("installerConfig", "warnings")


def render_markdown(doc: Mapping[str, Any]) -> str:
    resources: list[Mapping[str, Any]] = list(doc.get("resources") or [])
    outputs: Mapping[str, Any] = doc.get("outputs") or {}
    checks: list[str] = list(doc.get("checks") or [])
    warnings: list[str] = list(doc.get("warnings") or [])
    protected = [r for r in resources if r.get("protect")]
    unprotected = [r for r in resources if r["type"] in PROTECT_TYPES and not r.get("protect")]

    lines = [f"### Offline plan: stack `{doc.get('stack')}`", ""]
    status = "✅ installer checks pass" if not checks else f"❌ {len(checks)} installer check(s) fail"
    lines += [f"{len(resources)} resources, {len(protected)} protected, {len(warnings)} warning(s); {status}.", ""]

    counts = Counter(str(r["type"]) for r in resources)
    lines += ["<details><summary>Resources by type</summary>", ""]
    lines += table(("Type", "Count"), ((f"`{t}`", str(n)) for t, n in sorted(counts.items())))
    lines += ["", "</details>", ""]

    lines += ["#### Protected resources", ""]
    if protected:
        lines += table(("Resource", "Type"), ((f"`{r['name']}`", f"`{r['type']}`") for r in protected))
    else:
        lines.append("None.")
    lines.append("")
    if unprotected:
        lines += [
            "> [!WARNING]",
            "> Stateful resources without `protect` (a `pulumi destroy` or a rename deletes their data): "
            + ", ".join(f"`{r['name']}`" for r in unprotected),
            "",
        ]

    if warnings:
        lines += ["#### Warnings", ""] + [f"- {w}" for w in warnings] + [""]
    if checks:
        lines += ["#### Installer checks (2022.11 schema and Secret keys)", ""] + [f"- {c}" for c in checks] + [""]

    lines += _critical_path_section(resources)

    config = outputs.get("installerConfig")
    if isinstance(config, str):
        lines += [
            "<details><summary>Installer config (<code>gitpod.config.yaml</code>)</summary>",
            "",
            "```yaml",
            config.rstrip(),
            "```",
            "",
        ]
        lines += ["</details>", ""]
    other = {k: v for k, v in outputs.items() if k not in _OWN_SECTIONS}
    if other:
        lines += ["#### Outputs", ""]
        lines += table(("Output", "Value"), ((f"`{k}`", f"`{json.dumps(v)}`") for k, v in other.items()))
        lines.append("")
    return "\n".join(lines)


def _critical_path_section(resources: list[Mapping[str, Any]]) -> list[str]:
    path = critical_path(resources)
    lines = [
        "#### Critical path",
        "",
        f"A first `pulumi up` takes about **{duration(path.total_seconds)}** (estimate), along this chain:",
        "",
    ]
    lines += table(
        ("Done after", "Resource", "Type", "Takes"),
        ((duration(s.finish), f"`{s.name}`", f"`{s.type}`", duration(s.seconds)) for s in path.slow_steps()),
    )
    data = [r for r in resources if r["type"] in DATA_TYPES]
    if data:
        waiting = waiting_for_cluster(resources)
        rows = (
            (
                f"`{r['name']}`",
                f"`{r['type']}`",
                duration(path.finish[r["urn"]]),
                "⚠️ " + ", ".join(waiting[r["name"]]) if r["name"] in waiting else "no",
            )
            for r in data
        )
        lines += ["", "Data stores (they should not wait for the cluster, so they are created alongside it):", ""]
        lines += table(("Resource", "Type", "Done after", "Waits for the cluster"), rows)
    return [*lines, ""]
