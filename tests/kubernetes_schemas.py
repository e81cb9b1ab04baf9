"""Offline checks of what the program would send to Kubernetes (a test helper, not part of the package).

The sources of truth, none of them copied into this repository:

- Kubernetes' own OpenAPI, as the strict JSON schemas `kubernetes-validate` ships for each minor
  (`kubernetes_validate/kubernetes-json-schema/v<minor>.0-local-strict/`). Strict means an unknown
  field fails, as it does for server-side apply (the program's providers use it).
- cert-manager's CRDs (`deploy/crds/*.yaml`) and its chart's `values.schema.json`
  (`deploy/charts/cert-manager/`), read from the Go module `github.com/cert-manager/cert-manager`
  at the chart's version in the Go module cache, where `go mod download` (`make test` runs it) puts
  them after checking them against the Go checksum database.
- The API server's checks that no schema carries: object names, label keys and values,
  annotation keys (k8s.io/apimachinery/pkg/util/validation/validation.go), quantities
  (k8s.io/apimachinery/pkg/api/resource/quantity.go), Secret keys and the keys a typed Secret
  must hold (k8s.io/kubernetes/pkg/apis/core/validation/validation.go, `ValidateSecret`).

Values the offline plan cannot know are kept as what they are: a `${resource.property}`
placeholder stands for a string the cloud returns (the harness fakes only string outputs), so it
must be allowed where the schema wants a string, but its content is unknown: pattern, format,
enum, const and length checks on it are waived, type checks are not. An engine unknown
(`rpc.UNKNOWN`) may be anything and waives every check on its value. Secrets are unwrapped and
their values validated.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from pulumi.runtime import rpc
from referencing import Registry, Resource

from gitpod_refarch_tools.harness import Registration

from .conftest import ROOT, unwrap

PLACEHOLDER = re.compile(r"\$\{[^}]+\}")
#: Checks on a string's content, which a placeholder cannot answer.
CONTENT_KEYWORDS = frozenset({"pattern", "format", "enum", "const", "minLength", "maxLength"})
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"

SCHEMAS = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
OBJECT_META = "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

CERT_MANAGER_MODULE = "github.com/cert-manager/cert-manager"


# -- manifests ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What a `kubernetes:<group>/<version>:<Kind>` resource is on the API server."""

    api_version: str
    kind: str
    #: A `...Patch` resource: a server-side-apply patch, whose body is partial by design.
    patch: bool


def target(type_token: str) -> Target:
    """`kubernetes:apps/v1:DaemonSet` -> apps/v1 DaemonSet; the `core` group is the legacy `v1`."""
    _, group_version, kind = type_token.split(":")
    group, version = group_version.split("/")
    patch = kind.endswith("Patch")
    return Target(version if group == "core" else f"{group}/{version}", kind.removesuffix("Patch"), patch)


def plain(value: Any) -> Any:
    """A resource input as the provider serialises it: secrets unwrapped, whole numbers as integers.

    The engine carries every number as a double (`2048.0`); the provider's JSON has `2048`.
    """
    value = unwrap(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def manifest(resource: Registration) -> dict[str, Any]:
    """The object the Kubernetes provider sends for `resource`: its inputs are the object's fields."""
    return plain(resource.inputs)


def describe(resource: Registration) -> str:
    meta = resource.inputs.get("metadata") or {}
    where = f"{meta.get('namespace')}/" if meta.get("namespace") else ""
    return f"{resource.type.rsplit(':', 1)[-1]} {where}{meta.get('name')} ({resource.name})"


# -- reporting errors --------------------------------------------------------------------------
def waived(error: ValidationError) -> bool:
    """Whether `error` is only about content the plan cannot know (see the module docstring)."""
    value = error.instance
    if isinstance(value, str) and value == rpc.UNKNOWN:
        return True
    if not (isinstance(value, str) and PLACEHOLDER.search(value)):
        return False
    if error.validator in CONTENT_KEYWORDS:
        return True
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[ValidationError]] = defaultdict(list)
        for sub in error.context:
            branches[sub.relative_schema_path[0]].append(sub)
        return any(all(waived(sub) for sub in errors) for errors in branches.values())
    return False


def problems(validator: Validator, instance: Any) -> list[str]:
    """Every error (not just the first), as `$.path: message`, minus the waived ones."""
    found = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        if not waived(error):
            message = error.message if len(error.message) <= 300 else error.message[:300] + "…"
            found.append(f"{error.json_path}: {message}")
    return found


def _partial(validator: Any, value: Any, instance: Any, schema: Any) -> None:
    """`required` for a patch: a server-side-apply patch names only the fields it owns."""
    return None


# -- Kubernetes' OpenAPI (kubernetes-validate) -------------------------------------------------------
def shipped_minors() -> list[str]:
    """The Kubernetes minors kubernetes-validate has strict schemas for, oldest first."""
    found = {m.group(1) for d in SCHEMAS.iterdir() if (m := re.fullmatch(r"v(\d+\.\d+)\.0-local-strict", d.name))}
    return sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))


def _schema_dir(minor: str) -> Any:
    directory = SCHEMAS / f"v{minor}.0-local-strict"
    if not directory.is_dir():
        pytest.fail(
            f"kubernetes-validate has no schemas for Kubernetes {minor} (it has {', '.join(shipped_minors())}). Fix: raise its pin in requirements-dev.txt."
        )
    return directory


#: A resource.Quantity's text (k8s.io/apimachinery/pkg/api/resource/quantity.go: a signed number,
#: then a binary-SI, decimal-SI or exponent suffix). The OpenAPI only says "string or number".
QUANTITY = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"


@functools.cache
def _registry(minor: str) -> Registry:
    definitions = json.loads((_schema_dir(minor) / "_definitions.json").read_text())
    quantity = definitions["$defs"]["io.k8s.apimachinery.pkg.api.resource.Quantity"]
    quantity["oneOf"] = [{**branch, "pattern": QUANTITY} if "string" in branch.get("type", ()) else branch for branch in quantity["oneOf"]]
    return Resource.from_contents(definitions) @ Registry()


@functools.cache
def kubernetes_validator(minor: str, api_version: str, kind: str, *, patch: bool = False) -> Validator | None:
    """The strict validator for one kind at one Kubernetes minor; None if Kubernetes has no such kind."""
    # kubernetes-validate's file names: rbac.authorization.k8s.io/v1 -> rbac-v1, apps/v1 -> apps-v1, v1 -> v1.
    group_version = re.sub(r"^([^./]*)(?:[.][^/]*)?/", r"\1-", api_version)
    path = _schema_dir(minor) / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    cls = (
        jsonschema.validators.extend(jsonschema.Draft202012Validator, {"required": _partial}) if patch else jsonschema.Draft202012Validator
    )
    return cls(schema, registry=_registry(minor))


# -- the API server's own checks ---------------------------------------------------------------
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(_DNS1123_LABEL)
DNS1123_SUBDOMAIN = re.compile(rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")
#: Kinds whose names are only path segments (RBAC) or DNS-1123 labels (Namespace); the rest are
#: DNS-1123 subdomains (k8s.io/kubernetes/pkg/apis/{core,rbac,apps,storage}/validation).
NAME_RULES = {"Namespace": "label", "ClusterRole": "segment", "ClusterRoleBinding": "segment", "Role": "segment", "RoleBinding": "segment"}
#: Keys a typed Secret must hold (`data` and `stringData` together), from ValidateSecret.
SECRET_TYPE_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def _unknown(value: Any) -> bool:
    return isinstance(value, str) and (value == rpc.UNKNOWN or bool(PLACEHOLDER.search(value)))


def name_problems(kind: str, name: Any) -> list[str]:
    if name is None or _unknown(name):
        return []
    rule = NAME_RULES.get(kind, "subdomain")
    if rule == "segment":
        ok = name not in (".", "..") and "/" not in name and "%" not in name
    elif rule == "label":
        ok = len(name) <= 63 and bool(DNS1123_LABEL.fullmatch(name))
    else:
        ok = len(name) <= 253 and bool(DNS1123_SUBDOMAIN.fullmatch(name))
    return [] if ok else [f"$.metadata.name: {name!r} is not a valid {kind} name (a DNS-1123 {rule})"]


def label_problems(path: str, labels: Mapping[str, Any]) -> list[str]:
    found = []
    for key, value in labels.items():
        prefix, _, name = key.rpartition("/")
        if (prefix and not (len(prefix) <= 253 and DNS1123_SUBDOMAIN.fullmatch(prefix))) or not (
            len(name) <= 63 and QUALIFIED_NAME.fullmatch(name)
        ):
            found.append(f"{path}: label key {key!r} is not a qualified name")
        if not _unknown(value) and not (isinstance(value, str) and len(value) <= 63 and LABEL_VALUE.fullmatch(value)):
            found.append(f"{path}: label {key}={value!r}: a label value has at most 63 alphanumerics, '-', '_' or '.'")
    return found


def annotation_problems(path: str, annotations: Mapping[str, Any]) -> list[str]:
    found = []
    for key in annotations:
        prefix, _, name = key.rpartition("/")
        if (prefix and not (len(prefix) <= 253 and DNS1123_SUBDOMAIN.fullmatch(prefix))) or not (
            len(name) <= 63 and QUALIFIED_NAME.fullmatch(name)
        ):
            found.append(f"{path}: annotation key {key!r} is not a qualified name")
    return found


#: Maps of labels: metadata's at any depth, selectors' matchLabels, a pod's nodeSelector.
LABEL_MAPS = {"labels": "metadata", "matchLabels": "selector", "nodeSelector": "spec"}


def _maps(value: Any, path: str = "$") -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Every (path, key, map) of labels or annotations in an object."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, dict) and (
                (key in LABEL_MAPS and path.endswith(LABEL_MAPS[key])) or (key == "annotations" and path.endswith("metadata"))
            ):
                yield f"{path}.{key}", key, child
            else:
                yield from _maps(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _maps(child, f"{path}[{index}]")


def api_server_problems(obj: Mapping[str, Any]) -> list[str]:
    """What the API server checks beyond the schema: names, labels, annotation keys, Secret keys."""
    meta = obj.get("metadata") or {}
    found = name_problems(obj["kind"], meta.get("name"))
    for path, key, entries in _maps(obj):
        found += annotation_problems(path, entries) if key == "annotations" else label_problems(path, entries)
    if obj["kind"] == "Secret" and obj["apiVersion"] == "v1":
        keys = {*(obj.get("data") or {}), *(obj.get("stringData") or {})}
        found += [
            f"$.data: Secret key {key!r} must consist of alphanumerics, '-', '_' or '.'"
            for key in sorted(keys)
            if not SECRET_KEY.fullmatch(key)
        ]
        needed = SECRET_TYPE_KEYS.get(obj.get("type") or "Opaque", ())
        found += [f"$.type: a {obj['type']} Secret needs the key {key!r}" for key in needed if key not in keys]
    return found


# -- cert-manager from the Go module cache -------------------------------------------------------
def go_module_dir(module: str, version: str) -> Path:
    """The module's files in the Go module cache; fails the test (never skips) when they are absent.

    `GOPROXY=off` keeps the tests offline: only what `go mod download` already fetched is used.
    """
    fix = f"go mod download {module}@{version}"
    try:
        result = subprocess.run(
            ["go", "mod", "download", "-json", f"{module}@{version}"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "GOPROXY": "off"},
            check=False,
        )
    except FileNotFoundError:
        pytest.fail(f"{module}@{version} is read from the Go module cache, and `go` is not installed. Fix: install Go, then run: {fix}")
    try:
        info = json.loads(result.stdout)
    except json.JSONDecodeError:
        info = {"Error": result.stderr.strip()}
    if not info.get("Dir") or not Path(info["Dir"]).is_dir():
        pytest.fail(f"{module}@{version} is not in the Go module cache ({info.get('Error', 'no Dir')}). Fix (`make test` runs it): {fix}")
    return Path(info["Dir"])


def cert_manager_dir(version: str) -> Path:
    return go_module_dir(CERT_MANAGER_MODULE, version)


# -- CRDs --------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Crd:
    group: str
    kind: str
    scope: str
    #: Served version -> its openAPIV3Schema.
    schemas: Mapping[str, Mapping[str, Any]]


@functools.cache
def load_crds(directory: Path) -> dict[tuple[str, str], Crd]:
    """(group, kind) -> CRD, for every CustomResourceDefinition in `directory`/*.yaml."""
    crds = {}
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            served = {v["name"]: v["schema"]["openAPIV3Schema"] for v in spec["versions"] if v.get("served")}
            crds[(spec["group"], spec["names"]["kind"])] = Crd(spec["group"], spec["names"]["kind"], spec["scope"], served)
    return crds


def structural(node: Mapping[str, Any]) -> dict[str, Any]:
    """A CRD's structural schema as JSON Schema with the API server's semantics.

    The server prunes (or, with strict field validation, rejects) every field the schema does
    not declare, so an object without `x-kubernetes-preserve-unknown-fields` allows no others;
    `nullable` admits null. Only the structural part is walked: value validations under
    allOf/anyOf/oneOf/not never declare fields.
    """
    out = dict(node)
    if out.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if "properties" in out:
        out["properties"] = {k: structural(v) for k, v in out["properties"].items()}
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = structural(out["additionalProperties"])
    elif (out.get("type") == "object" or "properties" in out) and not (
        "additionalProperties" in out or out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if isinstance(out.get("items"), dict):
        out["items"] = structural(out["items"])
    return out


def _list_type(validator: Any, list_type: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    """`x-kubernetes-list-type`: a `set` has unique items; a `map` unique `x-kubernetes-list-map-keys`."""
    if not isinstance(instance, list):
        return
    if list_type == "set":
        items = [json.dumps(item, sort_keys=True) for item in instance]
        if len(set(items)) != len(items):
            yield ValidationError(f"items of this set are not unique: {instance!r}")
    elif list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys", [])
        entries = [tuple(json.dumps(item.get(k)) for k in keys) for item in instance if isinstance(item, dict)]
        if len(set(entries)) != len(entries):
            yield ValidationError(f"items of this map list repeat a key {keys}: {instance!r}")


def _cel(validator: Any, rules: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """CEL rules cannot be evaluated here; reaching one is reported, never passed silently."""
    for rule in rules:
        yield ValidationError(f"CEL rule not checked offline (check it by hand, then extend this test): {rule.get('rule')!r}")


CrdValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"x-kubernetes-list-type": _list_type, "x-kubernetes-validations": _cel}
)


@functools.cache
def crd_validator(minor: str, crd: Crd, version: str) -> Validator:
    """The validator for one served version of `crd`; metadata is Kubernetes' ObjectMeta."""
    schema = structural(crd.schemas[version])
    schema["properties"] = {
        **schema["properties"],
        "apiVersion": {"const": f"{crd.group}/{version}"},
        "kind": {"const": crd.kind},
        "metadata": {"$ref": OBJECT_META},
    }
    return CrdValidator(schema, registry=_registry(minor))


def custom_resource_problems(obj: Mapping[str, Any], crd: Crd, minor: str) -> list[str]:
    version = obj["apiVersion"].rpartition("/")[2]
    if version not in crd.schemas:
        return [f"$.apiVersion: {crd.group} serves {sorted(crd.schemas)}, not {version}"]
    found = problems(crd_validator(minor, crd, version), obj)
    namespace = (obj.get("metadata") or {}).get("namespace")
    if crd.scope == "Namespaced" and not namespace:
        found.append(f"$.metadata.namespace: {crd.kind} is namespaced; without one the provider uses its default namespace")
    if crd.scope == "Cluster" and namespace:
        found.append(f"$.metadata.namespace: {crd.kind} is cluster-scoped and takes no namespace")
    return found


# -- Helm chart values -------------------------------------------------------------------------
def coalesce(defaults: Any, overrides: Any) -> Any:
    """Helm's merge of user values over the chart's: maps merge, anything else replaces, null deletes."""
    if not (isinstance(defaults, dict) and isinstance(overrides, dict)):
        return overrides
    merged = dict(defaults)
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = coalesce(defaults.get(key), value)
    return merged


@functools.cache
def values_validator(chart: Path) -> tuple[Validator, Any]:
    """The chart's values.schema.json validator, and the chart's default values."""
    schema = json.loads((chart / "values.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema), yaml.safe_load((chart / "values.yaml").read_text()) or {}


def values_problems(chart: Path, values: Mapping[str, Any]) -> list[str]:
    """As `helm install` validates: the coalesced values against the chart's schema."""
    validator, defaults = values_validator(chart)
    return problems(validator, coalesce(defaults, plain(dict(values))))
