"""Render a recorded plan as JSON or a readable tree, with every secret value redacted.

Redaction happens here, on the way out, from the engine's own secret markers: a value Pulumi
would encrypt in state is printed as "[secret]"; a secret map (a Secret's `stringData`) keeps
its keys so reviewers still see *which* keys exist.

The output is deterministic: the SDK registers resources from worker threads, so their order (and
that of each resource's dependencies) changes from run to run. The harness lists them by URN with
sorted dependencies, and this module writes them so (children under their parent, in URN order),
so the same inputs give byte-identical text, JSON and Markdown and a diff of two plans shows only
real changes.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pulumi.runtime import rpc

from gitpod_refarch.installer.schema import validate_config, validate_secrets

from .harness import SECRET, Plan, Registration


def redact(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        inner = rpc.unwrap_rpc_secret(value)
        if isinstance(inner, dict):
            return dict.fromkeys(inner, SECRET)
        return SECRET
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if value is rpc.UNKNOWN or (isinstance(value, str) and value == rpc.UNKNOWN):
        return "${unknown}"
    return value


def output_values(plan: Plan) -> dict[str, Any]:
    return {k: (SECRET if k in plan.secret_outputs else redact(v)) for k, v in plan.outputs.items()}


def _secret_keys_in_namespace(plan: Plan, namespace: str) -> dict[str, set[str]]:
    """Secrets that will exist in the Gitpod namespace: created Secrets and cert-manager outputs."""
    found: dict[str, set[str]] = {}
    for r in plan.resources:
        metadata = r.inputs.get("metadata") or {}
        if metadata.get("namespace") != namespace:
            continue
        if r.type == "kubernetes:core/v1:Secret":
            data = r.inputs.get("stringData") or {}
            if rpc.is_rpc_secret(data):
                data = rpc.unwrap_rpc_secret(data)
            found[metadata["name"]] = set(data) | set(r.inputs.get("data") or {})
        elif r.type == "kubernetes:cert-manager.io/v1:Certificate":
            secret = (r.inputs.get("spec") or {}).get("secretName")
            if secret:
                # cert-manager writes tls.crt, tls.key and (for CA-signed certs) ca.crt.
                found[secret] = {"tls.crt", "tls.key", "ca.crt"}
    return found


def installer_checks(plan: Plan) -> list[str]:
    """What the 2022.11 installer would reject about this plan's config and Secrets."""
    text = plan.outputs.get("installerConfig")
    if not isinstance(text, str):
        return ["stack output installerConfig is missing"]
    if "installerConfig" in plan.secret_outputs:
        return ["stack output installerConfig is secret: a secret value leaked into the installer config"]
    config = yaml.safe_load(text)
    namespace = plan.outputs.get("namespace", "gitpod")
    return validate_config(config) + validate_secrets(config, _secret_keys_in_namespace(plan, str(namespace)))


def _resource_json(r: Registration) -> dict[str, Any]:
    data: dict[str, Any] = {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "parent": r.parent,
        "provider": r.provider,
        "dependsOn": r.depends_on,
        "protect": r.protect,
        "inputs": redact(r.inputs),
    }
    if r.aliases:
        # Only when declared, so plans without aliases keep their shape; `plan --diff` needs them
        # to tell a safe, aliased move from a delete-and-recreate.
        data["aliases"] = r.aliases
    if r.ignore_changes:
        data["ignoreChanges"] = r.ignore_changes
    if r.replacement_trigger is not None:
        data["replacementTrigger"] = redact(r.replacement_trigger)
    # Only when set, like the keys above: what `plan --diff` needs to tell what a change replaces.
    if r.replace_on_changes:
        data["replaceOnChanges"] = r.replace_on_changes
    if r.delete_before_replace:
        data["deleteBeforeReplace"] = True
    if r.input_dependencies:
        data["inputDependencies"] = r.input_dependencies
    return data


def to_json(plan: Plan) -> dict[str, Any]:
    return {
        "stack": plan.stack,
        "resources": [_resource_json(r) for r in plan.resources],
        "outputs": output_values(plan),
        "warnings": list(plan.warnings),
        "checks": installer_checks(plan),
    }


def render_json(plan: Plan) -> str:
    return json.dumps(to_json(plan), indent=2, sort_keys=False)


def render_text(plan: Plan) -> str:
    lines = [f"Plan for stack {plan.stack!r} (project {plan.project!r}): {len(plan.resources)} resources", ""]

    def walk(parent: str | None, depth: int) -> None:
        for r in (r for r in plan.resources if r.parent == parent):
            marks = []
            if r.protect:
                marks.append("protected")
            if r.provider:
                marks.append(f"provider={plan.name_of(r.provider) or r.provider}")
            if r.depends_on:
                marks.append("after " + ", ".join(plan.name_of(d) or d for d in r.depends_on))
            suffix = f"  [{'; '.join(marks)}]" if marks else ""
            lines.append(f"{'  ' * depth}+ {r.type}  {r.name}{suffix}")
            walk(r.urn, depth + 1)

    walk(None, 0)
    lines += ["", "Outputs:"]
    for key, value in output_values(plan).items():
        if isinstance(value, str) and "\n" in value:
            lines.append(f"  {key}: |")
            lines += [f"    {line}" for line in value.rstrip().splitlines()]
        else:
            lines.append(f"  {key}: {json.dumps(value)}")
    if plan.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in plan.warnings]
    checks = installer_checks(plan)
    lines += ["", "Installer checks (2022.11 schema and Secret keys): " + ("ok" if not checks else f"{len(checks)} problem(s)")]
    lines += [f"  - {c}" for c in checks]
    return "\n".join(lines) + "\n"
