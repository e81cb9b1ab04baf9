"""Turn `stacks/Pulumi.<stack>.yaml` (plus command-line overrides) into the config Pulumi would pass.

The engine hands a program every value as a string and objects as JSON text; encrypted values
(`secure: v1:...`) cannot be decrypted without the stack's secrets provider, so the plan stands a
placeholder in for them and marks the key secret, exactly as the engine marks it.

The Pulumi CLI reads stack files with gopkg.in/yaml.v3, not with a YAML 1.1 library such as
PyYAML, and the two disagree on plain scalars: `protect: no` is the string "no" to the CLI and
False to PyYAML; `kubernetesVersion: 1.30` is the number 1.3 to both, and `version: 8.0` reaches
the program as 8. `PulumiYamlLoader` resolves plain scalars as yaml.v3 does and `_as_config_string`
turns values into text as the CLI does (pulumi/pulumi sdk/go/common/resource/config/object.go
`MarshalString`, `unmarshalObject`; sdk/go/common/workspace/loaders.go `LoadProjectStackBytes`,
which also strips a UTF-8 byte-order mark), so the offline plan sees what `pulumi up` would.

Every way a file or an override can be wrong raises `StackFileError`, whose message names the
file or key; nothing else escapes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"
#: A stack file far larger than any real one, yet small enough to refuse a YAML alias bomb quickly.
MAX_VALUES = 100_000


class StackFileError(Exception):
    """The stack file or an override cannot be read; the message says which and why."""


@dataclass
class StackConfig:
    """Config values by fully-qualified key (`gitpod:domain`), and which keys are secret."""

    values: dict[str, str] = field(default_factory=dict)
    secret_keys: set[str] = field(default_factory=set)


# -- reading YAML as the Pulumi CLI does -------------------------------------------------------
class PulumiYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with gopkg.in/yaml.v3's resolution of plain scalars (resolve.go, v3.0.1).

    yaml.v3 knows only `true`/`false` (three spellings each) as booleans, reads numbers as Go's
    `strconv` does (underscores dropped; `0x`, `0o`, `0b` and leading-zero octal integers; an
    integer beyond 64 bits as a float; a float beyond float64 as text), and hands timestamps to an
    untyped target as the text written. Everything else plain is a string.
    """

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """yaml.v3 refuses a key written twice in one mapping (PyYAML keeps the last one silently)."""
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"mapping key {key_node.value!r} is already defined at line {seen[ident] + 1}", key_node.start_mark
                    )
                seen[ident] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_GO_NUMBER_TAG = "tag:pulumi-refarch,go-number"
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1

PulumiYamlLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
PulumiYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
PulumiYamlLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])
PulumiYamlLoader.add_implicit_resolver(_GO_NUMBER_TAG, re.compile(r"[-+.0-9].*", re.DOTALL), list("-+.0123456789"))


_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def _go_parse_int(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 0, 64)`, then `ParseUint(text, 0, 64)`, as yaml.v3 tries them."""
    signed = text[:1] in ("-", "+")
    digits = text[1:] if signed else text
    base = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}.get(digits[:2])
    if base is not None:
        digits = digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base, digits = 8, digits[1:]  # 0755: the octal spelling Go's base 0 still reads
    else:
        base = 10
    if not digits or len(digits) > 70 or any(c not in _DIGITS[base] for c in digits):
        return None
    value = int(digits, base) * (-1 if text[:1] == "-" else 1)
    if _INT64[0] <= value <= _INT64[1] or (not signed and 0 <= value <= _UINT64_MAX):
        return value
    return None


def _go_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """A plain scalar starting like a number, resolved as yaml.v3's `resolve` does."""
    text = str(node.value)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text.startswith("."):
        # Go's ParseFloat on the text as written (".5"); Python's float() would also accept "._5".
        if "_" in text:
            return text
        try:
            value = float(text)
        except ValueError:
            return text
        return text if math.isinf(value) else value
    plain = text.replace("_", "")
    integer = _go_parse_int(plain)
    if integer is not None:
        return integer
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        value = float(plain)
        return text if math.isinf(value) else value  # beyond float64, ParseFloat fails and the text stays
    return text


PulumiYamlLoader.add_constructor(_GO_NUMBER_TAG, _go_number)
# `<<` merges as a key; as a value it is the text (yaml.v3), where PyYAML finds no constructor.
PulumiYamlLoader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: str(node.value))


def go_json_number(value: float) -> str:
    """A float64 as Go's encoding/json writes it (ES6 number-to-string): 1.3, 8, 1e+21, 1.5e-7."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    exact = Decimal(repr(value))
    if 1e-6 <= abs(value) < 1e21:
        return format(exact, "f")
    sign, digits, exponent = exact.normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = text[0] + (f".{text[1:]}" if len(text) > 1 else "")
    power = exponent + len(text) - 1
    return (
        f"{'-' if sign else ''}{mantissa}e{'+' if power >= 0 else '-'}{abs(power):02d}"
        if power >= 0
        else (f"{'-' if sign else ''}{mantissa}e-{abs(power)}")
    )


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file as the Pulumi CLI reads it, or `StackFileError` naming the file and what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StackFileError(f"{what} {path} does not exist") from None
    except OSError as error:
        raise StackFileError(f"cannot read {what} {path}: {error.strerror or error}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")  # the CLI strips a UTF-8 byte-order mark (readFileStripUTF8BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StackFileError(f"{path} is not UTF-8 text (byte {error.start} is {data[error.start]:#04x}); save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=PulumiYamlLoader)  # a SafeLoader, with yaml.v3's scalar rules
    except yaml.YAMLError as error:
        raise StackFileError(f"{path} is not valid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:
        raise StackFileError(f"{path} nests lists or mappings too deeply to be a stack file") from None


def _count_values(value: Any, path: str, seen: dict[int, int], open_: set[int]) -> int:
    """How many values `value` expands to, refusing self-references and alias bombs before expanding."""
    if not isinstance(value, (dict, list)):
        return 1
    if id(value) in open_:
        raise StackFileError(f"{path} contains itself through a YAML alias")
    if id(value) in seen:
        return seen[id(value)]
    open_.add(id(value))
    items = value.items() if isinstance(value, dict) else enumerate(value)
    total = 1 + sum(_count_values(v, f"{path}.{k}" if isinstance(value, dict) else f"{path}[{k}]", seen, open_) for k, v in items)
    open_.discard(id(value))
    seen[id(value)] = total
    if total > MAX_VALUES:
        raise StackFileError(f"{path} expands to more than {MAX_VALUES} values (YAML aliases); no stack file needs that many")
    return total


def _key_text(key: Any) -> str:
    """A mapping key as the CLI writes it into JSON (`fmt.Sprintf("%v")` of what yaml.v3 decoded)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float) and not (math.isnan(key) or math.isinf(key)):
        return go_json_number(key)
    return "<nil>" if key is None else str(key)


def _is_secure(value: Any) -> bool:
    """`{secure: <ciphertext>}`: an encrypted value (the CLI's `isSecureValue`)."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _engine_value(value: Any, key: str) -> Any:
    """`value` as the program receives it: floats that the CLI writes without a fraction become
    integers (`version: 8.0` arrives as 8), encrypted values become the placeholder, and what no
    JSON can carry is refused with the key."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {_key_text(k): _engine_value(v, f"{key}.{_key_text(k)}") for k, v in value.items()}
    if isinstance(value, list):
        return [_engine_value(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise StackFileError(f"{key}: {value} cannot be passed to a program (JSON has no NaN or infinity); quote it if it is text")
        return int(value) if value == int(value) and abs(value) < 1e21 else value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise StackFileError(f"{key}: a {type(value).__name__} (an explicit YAML tag) is not a config value; write it as a quoted string")


def _has_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _as_config_string(value: Any) -> str:
    """The text the CLI hands the program for a top-level value (`MarshalString`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_json_number(value)
    return json.dumps(value)


def full_key(key: str, project: str, where: str) -> str:
    """`domain` -> `gitpod:domain`; `aws:config:region` -> `aws:region` (the CLI's `ParseKey`)."""
    parts = key.split(":")
    if len(parts) == 3 and parts[1] == "config":
        parts = [parts[0], parts[2]]
    if len(parts) == 1:
        parts = [project, parts[0]]
    if len(parts) != 2 or not all(parts):
        raise StackFileError(f"{where}: {key!r} is not a config key (expected <name> or <namespace>:<name>, e.g. domain or aws:region)")
    return ":".join(parts)


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding the project's Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise StackFileError(f"no Pulumi.yaml found in {here} or its parents; run from the project or pass --project-dir")


def project_settings(project_dir: Path) -> tuple[str, Path]:
    """The project name and the directory holding stack files (`stackConfigDir`)."""
    path = project_dir / "Pulumi.yaml"
    if not path.is_file():
        raise StackFileError(f"{project_dir} holds no Pulumi.yaml; pass --project-dir the directory of the project (where Pulumi.yaml is)")
    data = read_yaml(path, "the project file")
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: expected a mapping with the project's name, runtime and stackConfigDir, got {_kind(data)}")
    name, config_dir = data.get("name"), data.get("stackConfigDir", ".")
    if not isinstance(name, str) or not name.strip():
        raise StackFileError(f"{path}: 'name' must be the project's name (a string), got {_kind(name)}")
    if not isinstance(config_dir, str):
        raise StackFileError(f"{path}: 'stackConfigDir' must be a directory path (a string), got {_kind(config_dir)}")
    return name, project_dir / config_dir


def _kind(value: Any) -> str:
    """What a YAML value is, for messages (never the value itself: it may be a secret)."""
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), f"a {type(value).__name__}"
    )


def load_stack_file(path: Path, project: str) -> StackConfig:
    data = read_yaml(path, "stack file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: expected a mapping with a 'config' key at the top, got {_kind(data)}")
    config = data.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of keys to values, got {_kind(config)}")
    _count_values(config, f"{path}: config", {}, set())
    result = StackConfig()
    for key, value in config.items():
        if not isinstance(key, str):
            raise StackFileError(f"{path}: config key {key!r} is not a name; write it as a string such as domain or aws:region")
        full = full_key(key, project, str(path))
        if _has_secure(value):
            result.secret_keys.add(full)
        result.values[full] = _as_config_string(_engine_value(value, f"{path}: {full}"))
    return result


def _path_tokens(path: str) -> list[str | int]:
    """`installer.imagePullSecrets[0].server` -> ['installer', 'imagePullSecrets', 0, 'server']."""
    tokens: list[str | int] = []
    for part in path.split("."):
        match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
        if not match:
            raise StackFileError(f"cannot read the config path {path!r} (expected e.g. cluster.nodePools.services.maxNodes or x[0].y)")
        tokens.append(match.group(1))
        tokens += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return tokens


#: `pulumi config set --path` creates a list up to the index given; beyond this it is a typo.
MAX_INDEX = 1000


def _set_path(node: Any, tokens: list[str | int], value: Any, where: str, *, top: bool) -> Any:
    """Set `value` at `tokens` inside `node` as `pulumi config set --path` does (config/object.go `Set`):
    missing containers are created, a list grows by one index at a time, and a container of the
    wrong kind (or, below the top level, a plain value in the way) is an error, not overwritten."""
    if not tokens:
        return value
    head, rest = tokens[0], tokens[1:]
    here = f"{where}[{head}]" if isinstance(head, int) else f"{where}.{head}"
    if node is None or (top and not isinstance(node, (dict, list))):
        if isinstance(head, int) and head > MAX_INDEX:
            raise StackFileError(f"{here}: index {head} is out of range")
        node = [None] * (head + 1) if isinstance(head, int) else {}
    if isinstance(head, int):
        if not isinstance(node, list):
            raise StackFileError(f"{where} is {_kind(node)}, not a list; cannot set {here}")
        if head > len(node):
            raise StackFileError(f"{here}: index out of range (the list has {len(node)} items; the next one is [{len(node)}])")
        if head == len(node):
            node.append(None)
    elif not isinstance(node, dict):
        raise StackFileError(f"{where} is {_kind(node)}, not a mapping; cannot set {here}")
    node[head] = _set_path(node[head] if isinstance(head, int) else node.get(head), rest, value, here, top=False)
    return node


def _coerce(text: str) -> Any:
    """What `pulumi config set --path` stores for a nested value: true/false and plain decimal
    integers become booleans and numbers (config/object.go `coerce`), everything else text."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text) and (len(text) == 1 or text[0] != "0"):
        value = int(text)
        if _INT64[0] <= value <= _UINT64_MAX:
            return value
    return text


def apply_override(config: StackConfig, assignment: str, project: str, *, secret: bool = False) -> None:
    """Apply `KEY=VALUE` (or `path.to[0].key=VALUE`) like `pulumi config set [--path] [--secret]`."""
    if "=" not in assignment:
        raise StackFileError(f"override {assignment!r} must look like KEY=VALUE, e.g. registry.kind=external")
    key, value = assignment.split("=", 1)
    namespace, path = key.split(":", 1) if ":" in key else (project, key)
    top, *rest = _path_tokens(path)
    if isinstance(top, int) or not namespace:
        raise StackFileError(f"override {key!r}: expected KEY or namespace:KEY before '='")
    full = full_key(f"{namespace}:{top}", project, f"override {key!r}")
    if not rest:
        config.values[full] = value
    else:
        try:
            current = json.loads(config.values.get(full) or "null")
        except json.JSONDecodeError:
            current = None
        config.values[full] = json.dumps(_set_path(current, rest, value if secret else _coerce(value), full, top=True))
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
