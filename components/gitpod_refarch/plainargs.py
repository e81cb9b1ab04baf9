"""Checks shared by the exported components' plain args (`CertManager`, `InstallerConfig`).

The schema analyzer models neither unions nor dataclasses, so a union of contract variants is
exported as a `kind` plus one optional object per kind. These helpers check such args in Python,
where the provider host's own checks (required inputs, enum values) do not run: every problem at
once, each naming the arg as the schema does (camelCase), never echoing a value that is not a choice.
"""

import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import pulumi
from pulumi.provider.experimental.util import camel_case
from typing_extensions import NotRequired, Required

K = TypeVar("K", bound=Enum)


def schema_path(*parts: str) -> str:
    """`database.cloud_sql` -> `database.cloudSql`: the name an arg has in the schema (and in other languages)."""
    return ".".join(camel_case(p) for p in parts if p)


def _unwrap(hint: Any) -> Any:
    while typing.get_origin(hint) in (Required, NotRequired):
        hint = typing.get_args(hint)[0]
    return hint


def missing_required(value: Mapping[str, Any], shape: type, path: str = "") -> list[str]:
    """Required keys of `shape` (a TypedDict) absent from `value`, in nested objects and lists too."""
    found: list[str] = []
    required: frozenset[str] = getattr(shape, "__required_keys__", frozenset())
    hints: dict[str, Any] = shape.__annotations__  # inherited keys included, `Input` left unevaluated
    for key, hint in hints.items():
        name = f"{path}.{camel_case(key)}" if path else camel_case(key)
        item = value.get(key)
        if item is None:
            if key in required:
                found.append(f"{name}: required")
            continue
        hint = _unwrap(hint)
        if typing.is_typeddict(hint) and isinstance(item, Mapping):
            found += missing_required(item, hint, name)
        elif typing.get_origin(hint) is list and isinstance(item, list):
            (inner,) = typing.get_args(hint)
            if typing.is_typeddict(inner):
                for i, element in enumerate(item):
                    if isinstance(element, Mapping):
                        found += missing_required(element, inner, f"{name}[{i}]")
    return found


def variant(path: str, value: Mapping[str, Any], kinds: Mapping[K, str | None], default: K | None = None) -> tuple[K | None, list[str]]:
    """The `kind` of a variant arg at `path`, and its problems: an unknown kind, the kind's object
    missing, another kind's object present. `kinds` maps each kind to the field holding its object
    (None: the kind needs none)."""
    enum = type(next(iter(kinds)))
    raw = value.get("kind", default)
    if raw is None:
        return None, [f"{schema_path(path, 'kind')}: required"]
    try:
        kind: K = enum(raw)
    except ValueError:
        allowed = ", ".join(str(k.value) for k in kinds)
        return None, [f"{schema_path(path, 'kind')}: {raw!r} is not one of {allowed}"]
    found: list[str] = []
    for k, field in kinds.items():
        if field is None:
            continue
        if k == kind and value.get(field) is None:
            found.append(f"{schema_path(path, field)}: required with {schema_path(path, 'kind')} {k.value!r}")
        elif k != kind and value.get(field) is not None:
            found.append(f"{schema_path(path, field)}: only for {schema_path(path, 'kind')} {k.value!r}; remove it")
    return kind, found


def refuse(component: str, problems: list[str]) -> None:
    """Raise every problem at once, before the component registers anything."""
    if problems:
        lines = "\n".join(f"  {p}" for p in problems)
        raise pulumi.RunError(f"invalid {component} args ({len(problems)} problem(s)):\n{lines}")
