"""The TypeScript example (examples/typescript_existing_cluster) against the schema, without Node.

`tsc` against the SDK `pulumi package add` generates is the real check (docs/components.md says how
it was run); it needs the Pulumi CLI, Node and npm, which the test suite does not. This test reads
the example's source instead: the args object literal of `new gitpod.GitpodReferenceArchitecture`
is parsed (a small TypeScript subset: object and array literals, strings, numbers, booleans and
`config.*(...)` calls) and checked against the schema the analyzer generates in-process, with the
rules the generated SDK's types enforce:

- property names are the schema's, as the Node.js codegen emits them (camelCase, no renaming), so
  a Python spelling (`label_nodes`) or an unknown key is an excess property, which `tsc` rejects;
- a `plain` property is a bare `string`/`boolean`/... in the SDK, so an Output
  (`config.requireSecret`) may only go where the schema allows one;
- required inputs are present and not possibly undefined (`config.get`), as `strict` requires;
- every output the example reads is a property of the resource.

The package name the example imports and lists in package.json is derived from the schema with the
codegen's rule (pulumi/pulumi pkg/codegen/nodejs/gen.go, genNPMPackageMetadata), and the
dependency path is where `pulumi package add` writes the SDK (pkg/cmd/pulumi/packages/packages.go).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from .conftest import ROOT
from .test_component_package import COMPONENT, schema

EXAMPLE = ROOT / "examples" / "typescript_existing_cluster"


@functools.cache
def generated() -> dict[str, Any]:
    return schema()


def sdk_package_name(spec: dict[str, Any]) -> str:
    """The npm name the Node.js codegen gives the SDK: `language.nodejs.packageName`, else
    `@<namespace>/<name>`, else `@pulumi/<name>` (genNPMPackageMetadata, pulumi/pulumi@0ac56e87)."""
    explicit = spec.get("language", {}).get("nodejs", {}).get("packageName")
    if explicit:
        return str(explicit)
    return f"@{spec['namespace']}/{spec['name']}" if spec.get("namespace") else f"@pulumi/{spec['name']}"


def sdk_directory(spec: dict[str, Any]) -> str:
    """Where `pulumi package add` puts the generated SDK, relative to the project: `sdks/<name>`, or
    `sdks/<namespace>-<name>` (pkg/cmd/pulumi/packages/packages.go)."""
    return f"sdks/{spec['namespace']}-{spec['name']}" if spec.get("namespace") else f"sdks/{spec['name']}"


# -- a tokenizer and parser for the TypeScript the example's args use ------------------------------
_TOKEN = re.compile(
    r"""\s+|//[^\n]*|/\*.*?\*/                      # skipped
    |(?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<num>-?\d+(?:\.\d+)?)
    |(?P<ident>[A-Za-z_$][\w$]*)
    |(?P<punct>\.\.\.|[{}\[\](),:.;=])
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Ref:
    """A property of a variable the source declares or assumes (`installer.namespace`, `db.address`):
    an Output in the SDK's terms."""

    path: str


@dataclass(frozen=True)
class Call:
    """A call such as `config.requireSecret("x")`: its callee path and its arguments."""

    callee: str
    args: tuple[Any, ...]


class _Parser:
    def __init__(self, source: str, start: int, references: frozenset[str] = frozenset()) -> None:
        self.references = references
        self.tokens: list[tuple[str, str]] = []
        for m in _TOKEN.finditer(source, start):
            kind = m.lastgroup
            if kind is not None:
                self.tokens.append((kind, m.group(kind)))
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, expected: str | None = None) -> str:
        text = self.peek()[1]
        if expected is not None and text != expected:
            raise ValueError(f"expected {expected!r}, found {text!r}")
        self.i += 1
        return text

    def value(self) -> Any:
        kind, text = self.peek()
        if text == "{":
            self.take()
            obj: dict[str, Any] = {}
            while self.peek()[1] != "}":
                key_kind, key = self.peek()
                if key_kind not in ("ident", "str"):
                    raise ValueError(f"unsupported object entry starting {key!r}")
                self.take()
                self.take(":")  # shorthand `{ domain }` and spreads are not supported: say so
                obj[json.loads(key) if key_kind == "str" and key.startswith('"') else key.strip("'")] = self.value()
                if self.peek()[1] != "}":
                    self.take(",")
            self.take("}")
            return obj
        if text == "[":
            self.take()
            items: list[Any] = []
            while self.peek()[1] != "]":
                items.append(self.value())
                if self.peek()[1] != "]":
                    self.take(",")
            self.take("]")
            return items
        if kind == "str":
            self.take()
            return json.loads(text) if text.startswith('"') else text[1:-1]
        if kind == "num":
            self.take()
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            self.take()
            return text == "true"
        if kind == "ident":
            path = [self.take()]
            while self.peek()[1] == ".":
                self.take()
                path.append(self.take())
            if self.peek()[1] != "(":
                if len(path) > 1 and path[0] in self.references:
                    return Ref(".".join(path))
                raise ValueError(f"unsupported expression {'.'.join(path)!r}")
            self.take("(")
            args: list[Any] = []
            while self.peek()[1] != ")":
                args.append(self.value())
                if self.peek()[1] != ")":
                    self.take(",")
            self.take(")")
            return Call(".".join(path), tuple(args))
        raise ValueError(f"unsupported syntax at {text!r}")


@dataclass(frozen=True)
class Declaration:
    variable: str
    cls: str
    name: Any
    args: dict[str, Any]


def parse_example(source: str, alias: str | None = None, assumed: frozenset[str] = frozenset()) -> tuple[str, list[Declaration], set[str]]:
    """The SDK module the example imports, its component declarations and the config variables.

    A snippet (docs/components.md) may leave the import out (`alias` names the module) and use
    variables it does not declare (`assumed`: the reader's own resources); the example may not."""
    if alias is None:
        imports = dict(re.findall(r'import\s+\*\s+as\s+(\w+)\s+from\s+"([^"]+)"', source))
        sdk = sdk_package_name(generated())
        aliases = [a for a, m in imports.items() if m == sdk]
        assert len(aliases) == 1, f"the example must import the generated SDK {sdk!r} once; it imports {imports}"
        alias = aliases[0]
    configs = set(re.findall(r"\b(?:const|let)\s+(\w+)\s*=\s*new\s+\w+\.Config\(", source))
    pattern = rf"\b(?:const|let)\s+(\w+)\s*=\s*new\s+{alias}\.(\w+)\s*\("
    references = assumed | {m.group(1) for m in re.finditer(pattern, source)}
    declarations = []
    for m in re.finditer(pattern, source):
        parser = _Parser(source, m.end(), references)
        name = parser.value()
        parser.take(",")
        args = parser.value()
        declarations.append(Declaration(m.group(1), m.group(2), name, args))
    return alias, declarations, configs


# -- the checks ------------------------------------------------------------------------------------
#: What `pulumi.Config` methods return, in the SDK's terms: (schema type, is an Output, may be undefined).
_CONFIG_METHODS = {
    "require": ("string", False, False),
    "get": ("string", False, True),
    "requireNumber": ("number", False, False),
    "getNumber": ("number", False, True),
    "requireBoolean": ("boolean", False, False),
    "getBoolean": ("boolean", False, True),
    "requireSecret": ("string", True, False),
    "getSecret": ("string", True, True),
    "requireSecretNumber": ("number", True, False),
    "requireSecretBoolean": ("boolean", True, False),
}
_LITERAL_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _check_call(value: Call, prop: dict[str, Any], configs: set[str], path: str, required: bool) -> list[str]:
    owner, _, method = value.callee.rpartition(".")
    if owner not in configs or method not in _CONFIG_METHODS:
        return [f"{path}: cannot check `{value.callee}(...)`; teach tests/test_typescript_example.py its type"]
    kind, is_output, maybe_undefined = _CONFIG_METHODS[method]
    wanted = "number" if prop.get("type") == "integer" else prop.get("type")
    problems = []
    if wanted != kind:
        problems.append(f"{path}: expects {prop.get('type') or prop.get('$ref')}, `{value.callee}` gives {kind}")
    if is_output and prop.get("plain"):
        problems.append(f"{path}: a plain value in the SDK (not Input<...>); `{value.callee}` gives an Output")
    if maybe_undefined and required:
        problems.append(f"{path}: required, but `{value.callee}` may be undefined")
    return problems


def check_value(value: Any, prop: dict[str, Any], configs: set[str], path: str, required: bool = False) -> list[str]:
    """Problems `tsc` would report for `value` given to a property of this schema shape."""
    types = generated()["types"]
    if isinstance(value, Call):
        return _check_call(value, prop, configs, path, required)
    if isinstance(value, Ref):  # an Output (the outputs of the source's own components are checked below)
        return [f"{path}: a plain value in the SDK (not Input<...>); `{value.path}` is an Output"] if prop.get("plain") else []
    ref = prop.get("$ref", "")
    if ref == "pulumi.json#/Any":
        return []
    if ref.startswith("#/types/"):
        spec = types[ref.removeprefix("#/types/")]
        if "enum" in spec:
            allowed = [e["value"] for e in spec["enum"]]
            return [] if value in allowed else [f"{path}: {value!r} is not one of {allowed}"]
        if not isinstance(value, dict):
            return [f"{path}: expects an object ({ref}), got {value!r}"]
        return check_object(value, spec.get("properties", {}), spec.get("required", []), configs, path)
    expected = _LITERAL_TYPES.get(prop.get("type", ""))
    if expected is None:
        return [f"{path}: schema shape {prop} not understood by this test"]
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        return [f"{path}: expects {prop['type']}, got {value!r}"]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in check_value(v, prop["items"], configs, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in check_value(v, prop["additionalProperties"], configs, f"{path}.{k}")]
    return []


def check_object(value: dict[str, Any], properties: dict[str, Any], required: list[str], configs: set[str], path: str = "") -> list[str]:
    prefix = f"{path}." if path else ""
    problems = [f"{prefix}{k}: required, missing" for k in required if k not in value]
    for key, item in value.items():
        if key not in properties:
            problems.append(f"{prefix}{key}: not in the schema (the SDK's properties: {sorted(properties)})")
        else:
            problems += check_value(item, properties[key], configs, f"{prefix}{key}", key in required)
    return problems


def example_problems(source: str, alias: str | None = None, assumed: frozenset[str] = frozenset()) -> list[str]:
    """Everything in the example's source the generated SDK's types would refuse."""
    _, declarations, configs = parse_example(source, alias, assumed)
    resources = generated()["resources"]
    problems = []
    for d in declarations:
        token = f"gitpod:index:{d.cls}"
        if token not in resources:
            problems.append(f"{d.variable}: no component {token} in the schema")
            continue
        spec = resources[token]
        if not isinstance(d.name, str):
            problems.append(f"{d.variable}: the resource name must be a string literal here, got {d.name!r}")
        problems += check_object(d.args, spec["inputProperties"], spec.get("requiredInputs", []), configs)
        for output in sorted(set(re.findall(rf"\b{d.variable}\.(\w+)\b", source))):
            if output not in spec.get("properties", {}):
                problems.append(f"{d.variable}.{output}: not an output of {token}")
    return problems


def example_source() -> str:
    return (EXAMPLE / "index.ts").read_text()


# -- the tests -------------------------------------------------------------------------------------
def test_example_declares_the_architecture_with_args_the_schema_accepts():
    _, declarations, _ = parse_example(example_source())
    assert [d.cls for d in declarations] == ["GitpodReferenceArchitecture"]
    assert generated()["resources"][COMPONENT]["requiredInputs"] == ["domain"]
    assert example_problems(example_source()) == []


# Each mutation is an error `tsc --noEmit` reported against the SDK `pulumi package add` generated
# (docs/components.md, "How the TypeScript example was verified"); the check must report it too.
MUTATIONS = {
    "unknown nested key": (
        'database: { mode: "incluster" }',
        'database: { mode: "incluster", tier: "small" }',
        "database.tier: not in the schema",
    ),
    "Python spelling": ("labelNodes:", "label_nodes:", "cluster.label_nodes: not in the schema"),
    "required input missing": ('domain: config.require("domain"),', "", "domain: required, missing"),
    "required input maybe undefined": (
        'config.require("domain")',
        'config.get("domain")',
        "domain: required, but `config.get` may be undefined",
    ),
    "Output for a plain setting": (
        'clientId: config.require("githubClientId")',
        'clientId: config.requireSecret("githubClientId")',
        "authProviders[0].clientId: a plain value in the SDK",
    ),
    "array expected": ('labelNodes: ["k3s-server-0"]', 'labelNodes: "k3s-server-0"', "cluster.labelNodes: expects array"),
    "wrong literal type": ('cloud: "existing"', "cloud: true", "cloud: expects string"),
    "unknown output": ("architecture.warnings", "architecture.warning", "architecture.warning: not an output"),
    "unknown expression": ('config.require("domain")', "process.env.DOMAIN", "unsupported expression 'process.env.DOMAIN'"),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_check_reports_what_tsc_would(mutation):
    old, new, expected = MUTATIONS[mutation]
    source = example_source()
    assert old in source, f"the example no longer contains {old!r}; update this mutation"
    try:
        problems = example_problems(source.replace(old, new, 1))
    except ValueError as error:  # syntax outside the subset is refused, never skipped
        problems = [str(error)]
    assert any(expected in p for p in problems), problems


def test_package_json_depends_on_the_sdk_pulumi_package_add_generates():
    """`pulumi package add` writes these entries (and re-running it leaves them unchanged): the
    dependency under the codegen's package name, a `file:` link to `sdks/<name>`, and npm's
    `allowScripts` for it so the SDK's postinstall (which compiles it) runs on npm 11.16+."""
    spec = generated()
    package = json.loads((EXAMPLE / "package.json").read_text())
    name, link = sdk_package_name(spec), f"file:{sdk_directory(spec)}"
    assert name == "@pulumi/gitpod"
    assert package["dependencies"][name] == link
    assert package["allowScripts"] == {link: True}
    assert "@pulumi/pulumi" in package["dependencies"]
    alias, _, _ = parse_example(example_source())  # imports exactly that name
    assert alias == "gitpod"
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())
    assert project["runtime"]["name"] == "nodejs"


def test_the_sdk_name_rule():
    assert sdk_package_name({"name": "gitpod"}) == "@pulumi/gitpod"
    assert sdk_package_name({"name": "gitpod", "namespace": "acme"}) == "@acme/gitpod"
    assert sdk_package_name({"name": "gitpod", "namespace": "acme", "language": {"nodejs": {"packageName": "gp"}}}) == "gp"
    assert sdk_directory({"name": "gitpod", "namespace": "acme"}) == "sdks/acme-gitpod"
