"""Reading raw stack config into typed values while collecting every problem at once.

Pulumi hands a program its config as strings (objects arrive as JSON text). A user who mistypes
three keys should learn about all three in one run, each with the key path, what they gave, what
is allowed and how to fix it, so this reader never raises on bad input: it records a `Problem` and
returns a safe fallback so the remaining keys can still be checked.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar, overload

import pulumi

from .secret import SecretValue

if TYPE_CHECKING:
    from typing import Unpack  # Python 3.11; only mypy reads it

NAMESPACE = "gitpod"

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One invalid setting, rendered as a single self-explanatory line."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


@dataclass
class Problems:
    """Accumulates problems so that validation reports all of them together.

    It also collects `given`: every key path the stack sets (with a value, not blank), so the
    rules can warn about a setting that has no effect where it is, which the parsed values alone
    cannot tell from an untouched default.
    """

    items: list[Problem] = field(default_factory=list)
    given: set[str] = field(default_factory=set)
    #: Values read as secrets: a last line of defence scrubs them from any message, in case a
    #: check somewhere quotes a value it was handed after the reader accepted it.
    withheld: set[str] = field(default_factory=set)

    def add(self, key: str, message: str) -> None:
        self.items.append(Problem(self.scrub(key), self.scrub(message)))

    def scrub(self, text: str) -> str:
        """`text` with every secret value replaced (6 characters or more, so no short word is mangled)."""
        for value in sorted(self.withheld, key=len, reverse=True):
            if len(value) >= 6:
                text = text.replace(value, "[secret]")
        return text

    def __bool__(self) -> bool:
        return bool(self.items)


#: Stands in for a value in error messages when it came from secret config.
WITHHELD = "(value withheld: this key holds a secret)"


def describe(value: Any) -> str:
    """Render a user-given value for an error message (secret sections use `Section.show`)."""
    if isinstance(value, pulumi.Output):
        # Only through `GitpodReferenceArchitecture`'s args: settings decide which resources
        # exist, so they must be known before any is declared; only credentials may be Outputs.
        return "an Output (settings must be plain values; only credentials may be Outputs)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value)


#: Config namespaces that are not settings of this program but are still read: the engine's own.
ENGINE_NAMESPACE = "pulumi"


class ConfigSource:
    """The raw `gitpod:*` config of one stack: values as Pulumi passes them, and which are secret.

    `other_keys` are the stack's keys in other namespaces (`aws:region`), which this program's
    settings never read; the rules say so rather than let them look effective.
    """

    def __init__(self, values: Mapping[str, Any], secret_keys: Iterable[str] = (), other_keys: Iterable[str] = ()) -> None:
        self.values = dict(values)
        self.secret_keys = set(secret_keys)
        self.other_keys = tuple(sorted(set(other_keys)))

    @classmethod
    def from_pulumi(cls) -> ConfigSource:
        """Read the running program's config (the engine's, the mocks', or the plan's)."""
        from pulumi.runtime import config as rc

        values: dict[str, Any] = {}
        other: list[str] = []
        for key in list(rc.CONFIG.get().keys()) + list(rc.get_config_env().keys()):
            if key.startswith(NAMESPACE + ":"):
                values[key] = rc.get_config(key)
            elif not key.startswith(ENGINE_NAMESPACE + ":"):
                other.append(key)
        secret = [k for k in values if rc.is_config_secret(k) or k in rc.get_config_secret_keys_env()]
        return cls(values, secret, other)

    def top_level_keys(self) -> list[str]:
        return [k.split(":", 1)[1] for k in self.values if k.startswith(NAMESPACE + ":")]

    def raw(self, name: str) -> Any:
        return self.values.get(f"{NAMESPACE}:{name}")

    def is_secret(self, name: str) -> bool:
        return f"{NAMESPACE}:{name}" in self.secret_keys


class StringChecks(TypedDict, total=False):
    """What `Section.string` checks besides the type: allowed values, a pattern, presence."""

    choices: Sequence[str] | None
    pattern: re.Pattern[str] | None
    pattern_help: str
    required: bool
    required_help: str


class Section:
    """Typed access to one config object (or the top level), recording problems by key path."""

    #: Every key path any Section was asked for, so tests can check the docs name them all.
    asked: ClassVar[set[str]] = set()

    def __init__(
        self,
        problems: Problems,
        path: str,
        data: Mapping[str, Any] | None,
        *,
        secret: bool = False,
        top_level: bool = False,
    ) -> None:
        self.problems = problems
        self.path = path
        self.data: Mapping[str, Any] = data or {}
        self.secret = secret
        self.top_level = top_level
        self.known: set[str] = set()

    # -- helpers -------------------------------------------------------------------------------
    def key(self, name: str) -> str:
        if self.top_level:
            return f"{NAMESPACE}:{name}"
        return f"{self.path}.{name}"

    def set_hint(self, name: str, value: str, *, secret: bool = False) -> str:
        """The `pulumi config set` command that would set this key."""
        dotted = self.key(name).split(":", 1)[1]
        flags = " --path" if "." in dotted else ""
        flags += " --secret" if secret else ""
        return f"pulumi config set{flags} {dotted} {value}"

    def _get(self, name: str) -> Any:
        self.known.add(name)
        Section.asked.add(self.key(name))
        value = self.data.get(name)
        if isinstance(value, str) and value.strip() == "":
            return None
        if value is not None:
            self.problems.given.add(self.key(name))
        return value

    def show(self, value: Any) -> str:
        """A given value as an error message may quote it: withheld when the section is secret.

        Pulumi marks a whole top-level key secret when any part of it is (`--path --secret
        a.b.c`), and a secret given at the wrong place or in the wrong shape (a token where an
        object belongs) is still a secret, so nothing read from a secret section is ever echoed.
        """
        return WITHHELD if self.secret else describe(value)

    def present(self, name: str) -> bool:
        """Whether the key has a value; blank strings count as unset, as in every typed getter."""
        return self._get(name) is not None

    # -- typed getters -------------------------------------------------------------------------
    # With a `str` default, `string` never returns None: an unset or invalid value gives the default.
    @overload
    def string(self, name: str, default: str, **checks: Unpack[StringChecks]) -> str: ...
    @overload
    def string(self, name: str, default: None = None, **checks: Unpack[StringChecks]) -> str | None: ...
    def string(
        self,
        name: str,
        default: str | None = None,
        *,
        choices: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_help: str = "",
        required: bool = False,
        required_help: str = "",
    ) -> str | None:
        value = self._get(name)
        if value is None:
            if required:
                hint = required_help or f"Set it: {self.set_hint(name, '<value>')}"
                self.problems.add(self.key(name), f"is required but not set. {hint}")
            return default
        if isinstance(value, float):
            self.problems.add(self.key(name), _number_problem(name, value))
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problems.add(self.key(name), f"must be a string, got {self.show(value)}.")
            return default
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            guess = f" Did you mean {close[0]!r}?" if close else ""
            self.problems.add(
                self.key(name),
                f"{self.show(value)} is not allowed (allowed: {', '.join(choices)}).{guess}",
            )
            return default
        if pattern is not None and not pattern.fullmatch(value):
            self.problems.add(self.key(name), f"{self.show(value)} is not valid: {pattern_help}")
            return default
        return value

    @overload
    def version(self, name: str, default: str, *, pattern: re.Pattern[str] | None = None, pattern_help: str = "") -> str: ...
    @overload
    def version(self, name: str, default: None = None, *, pattern: re.Pattern[str] | None = None, pattern_help: str = "") -> str | None: ...
    def version(
        self, name: str, default: str | None = None, *, pattern: re.Pattern[str] | None = None, pattern_help: str = ""
    ) -> str | None:
        """A version such as "1.30": text, never a number. YAML reads an unquoted 1.30 as 1.3 and
        8.0 as 8 (the Pulumi CLI passes 8), so a number here says to quote it rather than guess."""
        value = self._get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problems.add(self.key(name), _number_problem(name, value))
            return default
        return self.string(name, default, pattern=pattern, pattern_help=pattern_help)

    def required_string(self, name: str, *, pattern: re.Pattern[str] | None = None, pattern_help: str = "", required_help: str = "") -> str:
        """A string that must be set; "" when it is missing or invalid (the problem is recorded, so
        settings are never built from it)."""
        return self.string(name, "", pattern=pattern, pattern_help=pattern_help, required=True, required_help=required_help)

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        """A string restricted to `choices`, never None."""
        return self.string(name, default, choices=choices)

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.key(name), f"must be a whole number, got {self.show(value)}.")
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.problems.add(self.key(name), f"{self.show(value)} is out of range (allowed: {bounds}).")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.problems.add(self.key(name), f"must be true or false, got {self.show(value)}.")
        return default

    def string_list(self, name: str, *, pattern: re.Pattern[str] | None = None, pattern_help: str = "") -> tuple[str, ...]:
        value = self._get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.add(self.key(name), f"must be a list of strings, got {self.show(value)}.")
            return ()
        if pattern is not None:
            for item in value:
                if not pattern.fullmatch(item):
                    self.problems.add(self.key(name), f"{self.show(item)} is not valid: {pattern_help}")
        return tuple(value)

    def ipv4_networks(self, name: str, problem: str) -> tuple[str, ...]:
        """A list of IPv4 networks in CIDR form (host bits zero); `problem` says what is wrong with one (`{}`: it)."""
        values = self.string_list(name)
        for value in values:
            try:
                ipaddress.IPv4Network(value)
            except ValueError:
                self.problems.add(self.key(name), problem.format(self.show(value)))
        return values

    def secret_value(self, name: str, *, required: bool = False, required_help: str = "") -> SecretValue | None:
        """A value that must come from secret config (`pulumi config set --secret`)."""
        value = self._get(name)
        if value is None:
            if required:
                hint = required_help or f"Set it: {self.set_hint(name, '<value>', secret=True)}"
                self.problems.add(self.key(name), f"is required but not set. {hint}")
            return None
        if isinstance(value, pulumi.Output):
            # A component arg (`GitpodReferenceArchitecture`): kept as an Output, made secret.
            return SecretValue(value)
        if not isinstance(value, str):
            self.problems.add(self.key(name), "must be a string (given value withheld: this key holds a secret).")
            return None
        if self.secret:
            self.problems.withheld.add(value)
        if not self.secret:
            self.problems.add(
                self.key(name),
                "holds a credential but is stored in plain text (value withheld). "
                f"Store it encrypted: {self.set_hint(name, '<value>', secret=True)}",
            )
        return SecretValue(value)

    def required_secret(self, name: str, *, required_help: str = "") -> SecretValue:
        """A secret that must be set; an empty one when it is missing (the problem is recorded, so
        settings are never built from it)."""
        return self.secret_value(name, required=True, required_help=required_help) or SecretValue("")

    def section(self, name: str) -> Section:
        value = self._get(name)
        if value is not None and not isinstance(value, Mapping):
            self.problems.add(self.key(name), f"must be an object with keys, got {self.show(value)}.")
            value = None
        return Section(self.problems, self.key(name), value, secret=self.secret)

    def list_of_sections(self, name: str) -> list[Section]:
        value = self._get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problems.add(self.key(name), f"must be a list of objects, got {self.show(value)}.")
            return []
        return [Section(self.problems, f"{self.key(name)}[{i}]", v, secret=self.secret) for i, v in enumerate(value)]

    def finish(self) -> None:
        """Report keys nobody asked for: almost always a typo that would otherwise be ignored."""
        for unknown in sorted(set(self.data) - self.known):
            close = difflib.get_close_matches(unknown, sorted(self.known), n=1)
            guess = f" Did you mean {close[0]!r}?" if close else ""
            allowed = ", ".join(sorted(self.known))
            if self.secret:
                # A key name in a secret object may itself be the secret (a token pasted as a key).
                self.problems.add(
                    self.path,
                    f"has a key that is not a known setting (name withheld: this key holds a secret; known here: {allowed}).{guess}",
                )
                continue
            self.problems.add(self.key(unknown), f"is not a known setting (known here: {allowed}).{guess}")


def _number_problem(name: str, value: float) -> str:
    """Why a number cannot stand where text is expected: YAML already dropped what made it text."""
    return (
        f"is the number {describe(value)}, but text is expected: YAML reads unquoted numbers as numbers and drops digits "
        f'(1.30 becomes 1.3, 8.0 becomes 8). Quote it in the stack file: {name}: "..." '
        "(`pulumi config set --path` stores a value such as 1.30 as text already)."
    )


def parse_object(problems: Problems, source: ConfigSource, name: str) -> Section:
    """Parse the JSON text Pulumi passes for an object-valued config key."""
    raw = source.raw(name)
    key = f"{NAMESPACE}:{name}"
    data: Mapping[str, Any] | None = None
    if isinstance(raw, Mapping):
        data = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, Mapping):
            data = parsed
        else:
            shown = WITHHELD if source.is_secret(name) else describe(raw)
            problems.add(
                key, f"must be an object with keys, got {shown}. Set nested keys with `pulumi config set --path {name}.<key> <value>`."
            )
    return Section(problems, key, data, secret=source.is_secret(name))


def parse_list(problems: Problems, source: ConfigSource, name: str) -> list[Section]:
    """Parse the JSON text Pulumi passes for a list-of-objects config key."""
    raw = source.raw(name)
    key = f"{NAMESPACE}:{name}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    parsed = raw
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
    holder = Section(problems, NAMESPACE, {name: parsed}, secret=source.is_secret(name), top_level=True)
    if not isinstance(parsed, list):
        problems.add(key, f"must be a list of objects. Set items with `pulumi config set --path --secret '{name}[0].<key>' <value>`.")
        return []
    return holder.list_of_sections(name)
