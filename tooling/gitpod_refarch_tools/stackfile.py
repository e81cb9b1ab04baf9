"""Turn `stacks/Pulumi.<stack>.yaml` (plus command-line overrides) into the config Pulumi would pass.

The engine hands a program every value as a string and objects as JSON text; encrypted values
(`secure: v1:...`) cannot be decrypted without the stack's secrets provider, so the plan stands a
placeholder in for them and marks the key secret, exactly as the engine marks it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"


class StackFileError(Exception):
    """The stack file or an override cannot be read; the message says which and why."""


@dataclass
class StackConfig:
    """Config values by fully-qualified key (`gitpod:domain`), and which keys are secret."""

    values: dict[str, str] = field(default_factory=dict)
    secret_keys: set[str] = field(default_factory=set)


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding the project's Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise StackFileError(f"no Pulumi.yaml found in {here} or its parents; run from the project or pass --project-dir")


def project_settings(project_dir: Path) -> tuple[str, Path]:
    """The project name and the directory holding stack files (`stackConfigDir`)."""
    data = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}
    return str(data.get("name", "gitpod")), project_dir / str(data.get("stackConfigDir", "."))


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _redact_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _redact_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_secure(v) for v in value]
    return value


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def load_stack_file(path: Path, project: str) -> StackConfig:
    if not path.is_file():
        raise StackFileError(f"stack file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path} is not valid YAML: {error}") from None
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping")
    result = StackConfig()
    for key, value in config.items():
        full = key if ":" in key else f"{project}:{key}"
        if _has_secure(value):
            result.secret_keys.add(full)
        result.values[full] = _as_config_string(_redact_secure(value))
    return result


def _path_tokens(path: str) -> list[str | int]:
    """`installer.imagePullSecrets[0].server` -> ['installer', 'imagePullSecrets', 0, 'server']."""
    tokens: list[str | int] = []
    for part in path.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        if not match:
            raise StackFileError(f"cannot read the config path {path!r}")
        tokens.append(match.group(1))
        tokens += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return tokens


def _set_path(node: Any, tokens: list[str | int], value: str) -> Any:
    """Set `value` at `tokens` inside `node` (dicts and lists), creating containers as needed."""
    if not tokens:
        return value
    head, rest = tokens[0], tokens[1:]
    if isinstance(head, int):
        items = node if isinstance(node, list) else []
        while len(items) <= head:
            items.append(None)
        items[head] = _set_path(items[head], rest, value)
        return items
    mapping = node if isinstance(node, dict) else {}
    mapping[head] = _set_path(mapping.get(head), rest, value)
    return mapping


def apply_override(config: StackConfig, assignment: str, project: str, *, secret: bool = False) -> None:
    """Apply `KEY=VALUE` (or `path.to[0].key=VALUE`) like `pulumi config set [--path] [--secret]`."""
    if "=" not in assignment:
        raise StackFileError(f"override {assignment!r} must look like KEY=VALUE, e.g. registry.kind=external")
    key, value = assignment.split("=", 1)
    namespace, path = key.split(":", 1) if ":" in key else (project, key)
    top, *rest = _path_tokens(path)
    full = f"{namespace}:{top}"
    if not rest:
        config.values[full] = value
    else:
        try:
            current = json.loads(config.values.get(full) or "null")
        except json.JSONDecodeError:
            current = None
        config.values[full] = json.dumps(_set_path(current, rest, value))
    if secret:
        config.secret_keys.add(full)


def build_config(
    project_dir: Path,
    stack: str,
    overrides: Iterable[str] = (),
    secret_overrides: Iterable[str] = (),
) -> tuple[str, StackConfig]:
    project, stacks_dir = project_settings(project_dir)
    config = load_stack_file(stacks_dir / f"Pulumi.{stack}.yaml", project)
    for assignment in overrides:
        apply_override(config, assignment, project)
    for assignment in secret_overrides:
        apply_override(config, assignment, project, secret=True)
    return project, config
