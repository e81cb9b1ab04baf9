"""The TypeScript and YAML snippets of docs/components.md against the component package's schema.

`tsc --noEmit` against the SDK `pulumi package add` generates is the real check of a TypeScript
snippet (docs/components.md, "How the TypeScript example was verified", says how it was run); no
tool checks a YAML program's property names before `pulumi up`. Without Node or the Pulumi CLI,
these tests read the snippets: a TypeScript snippet's `new gitpod.X(...)` args with the example's
checks (tests/test_typescript_example.py), a YAML snippet's `gitpod:X` properties with the YAML
example's (tests/test_component_package.py), and every output either reads.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from .conftest import ROOT
from .test_component_package import _check
from .test_typescript_example import example_problems, generated, parse_example

DOC = ROOT / "docs" / "components.md"
#: The variables the TypeScript snippets use without declaring them: the reader's own resources
#: (a database, a bucket and its key, a Route53 zone, an IAM role, the `kubernetes` provider).
#: `tsc` was run with each declared as an object of `pulumi.Output<string>`s, the provider as a
#: `k8s.Provider`.
ASSUMED = frozenset({"db", "bucket", "key", "zone", "certManagerRole", "k8sProvider"})


def snippets(text: str, *languages: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"^```(\w+)\n(.*?)^```", text, re.MULTILINE | re.DOTALL) if m.group(1) in languages]


def typescript_problems(text: str) -> list[str]:
    problems = []
    for i, source in enumerate(snippets(text, "typescript", "ts")):
        _, declarations, _ = parse_example(source, "gitpod", ASSUMED)
        if not declarations:
            problems.append(f"TypeScript snippet {i + 1}: declares no component")
        problems += [f"TypeScript snippet {i + 1}: {p}" for p in example_problems(source, "gitpod", ASSUMED)]
    return problems


def _token(type_: str) -> str:
    """`gitpod:X` (YAML's short form) or `gitpod:index:X` -> the schema's token."""
    parts = type_.split(":")
    return f"{parts[0]}:index:{parts[-1]}"


def yaml_problems(text: str) -> list[str]:
    spec = generated()
    problems = []
    for i, source in enumerate(snippets(text, "yaml", "yml")):
        doc = yaml.safe_load(source)
        resources: dict[str, Any] = doc.get("resources", {}) if isinstance(doc, dict) else {}
        where = f"YAML snippet {i + 1}"
        tokens = {name: _token(r["type"]) for name, r in resources.items() if r.get("type", "").startswith("gitpod:")}
        for name, token in tokens.items():
            if token not in spec["resources"]:
                problems.append(f"{where}: {name}: no component {token} in the schema")
                continue
            component = spec["resources"][token]
            props = resources[name].get("properties", {})
            problems += [f"{where}: {name}.{k}: required, missing" for k in component.get("requiredInputs", []) if k not in props]
            for key, value in props.items():
                if key not in component["inputProperties"]:
                    problems.append(f"{where}: {name}.{key}: not in the schema")
                else:
                    problems += [f"{where}: {name}.{p}" for p in _check(value, component["inputProperties"][key], spec["types"], key)]
        for name, output in re.findall(r"\$\{(\w+)\.(\w+)\}", source):
            if name in tokens and tokens[name] in spec["resources"] and output not in spec["resources"][tokens[name]]["properties"]:
                problems.append(f"{where}: ${{{name}.{output}}}: not an output of {tokens[name]}")
    return problems


def doc_text() -> str:
    return DOC.read_text()


def test_the_docs_show_typescript_and_yaml_snippets():
    text = doc_text()
    assert len(snippets(text, "typescript", "ts")) >= 2
    assert len(snippets(text, "yaml", "yml")) >= 2


def test_typescript_snippets_use_the_sdk_names():
    assert typescript_problems(doc_text()) == []


def test_yaml_snippets_use_the_schema_names():
    assert yaml_problems(doc_text()) == []


# Each mutation is a mistake the checks must report (the TypeScript ones `tsc` reported against the
# generated SDK: TS2561 for a Python spelling, TS2353 for an unknown key, TS2551 for an unknown output).
MUTATIONS = {
    "TypeScript: Python spelling": ("zoneId: zone.zoneId", "zone_id: zone.zoneId", "dns01.route53.zone_id: not in the schema"),
    "TypeScript: unknown output": ("installer.configYaml", "installer.config", "installer.config: not an output"),
    "TypeScript: Output for a plain choice": ('issuer: "letsencrypt"', "issuer: db.address", "issuer: a plain value in the SDK"),
    "TypeScript: undeclared variable": ("bucket: bucket.bucket", "bucket: myBucket.bucket", "unsupported expression 'myBucket.bucket'"),
    "YAML: Python spelling": (
        "certificateNamespace: ${installer.namespace}",
        "certificate_namespace: ${installer.namespace}",
        "certs.certificate_namespace: not in the schema",
    ),
    "YAML: unknown nested key": (
        "labelNodes: [k3s-server-0]",
        "labelNodes: [k3s-server-0], flavour: k3s",
        "gitpod.cluster.flavour: not in the schema",
    ),
    "YAML: unknown output": ("${installer.namespace}", "${installer.namespaceName}", "${installer.namespaceName}: not an output"),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_checks_report_a_wrong_name(mutation):
    old, new, expected = MUTATIONS[mutation]
    text = doc_text()
    assert old in text, f"docs/components.md no longer contains {old!r}; update this mutation"
    changed = text.replace(old, new, 1)
    try:
        problems = typescript_problems(changed) + yaml_problems(changed)
    except ValueError as error:  # syntax outside the parser's subset is refused, never skipped
        problems = [str(error)]
    assert any(expected in p for p in problems), problems
