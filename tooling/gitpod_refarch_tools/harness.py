"""Run the real program in-process under the Pulumi SDK's mock monitor and record what it declares.

Used by `python -m gitpod_refarch plan` and by the unit tests, so what the tests see is what the
plan shows. It records every registration (type, name, engine-style URN, parent, provider,
dependencies, protect, inputs), the stack outputs, invokes and warnings.

Values a real deployment only learns from the cloud are returned as readable placeholders,
`${<resource name>.<property>}`, derived from the resource class's own output properties; a few
properties whose shape matters to the program are faked per type in `fakes/`.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc

from gitpod_refarch.settings import SettingsError

from .fakes import collect as collect_fakes

SECRET = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"

#: type token -> (resource name, inputs) -> extra outputs; for computed values whose shape matters.
FAKE_OUTPUTS: dict[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]] = {}
#: invoke token -> args -> result; for data-source lookups (AMI ids, zones, credentials).
FAKE_INVOKES: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {}


@functools.cache
def _load_fakes() -> None:
    """Add every `fakes/<cloud>.py` to the tables, once (at first use: the fakes import this module)."""
    outputs, invokes = collect_fakes()
    FAKE_OUTPUTS.update(outputs)
    FAKE_INVOKES.update(invokes)


class PlanError(Exception):
    """The program could not be planned (invalid config, or a bug the real engine would also hit).

    `lines` are for the user; an unexpected exception behind them stays in `__cause__`, for
    `--traceback`.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class LookupFailed(Exception):
    """A data-source lookup (invoke) that the real cloud cannot answer either, e.g. an add-on
    version for a Kubernetes minor EKS does not offer: the provider returns an error there, so
    `pulumi up` stops at the same place."""

    def __init__(self, token: str, reason: str) -> None:
        self.token = token
        self.reason = reason
        super().__init__(f"{token}: {reason}")


@dataclass
class Registration:
    """One resource as the engine would receive it."""

    urn: str
    type: str
    name: str
    parent: str | None
    provider: str | None
    depends_on: list[str]
    protect: bool
    custom: bool
    inputs: dict[str, Any]
    read: bool = False
    #: URNs this resource answers to besides its own (its `aliases`, and those inherited from its
    #: parent's), resolved as the engine resolves them; a base URN listed here is not a replacement.
    aliases: list[str] = field(default_factory=list)
    #: Input paths the engine keeps from state instead of the program (`ignore_changes`).
    ignore_changes: list[str] = field(default_factory=list)
    #: Left in the cloud when Pulumi deletes it (`retain_on_delete`).
    retain_on_delete: bool = False
    #: The `replacement_trigger` value: the engine replaces the resource when it changes.
    replacement_trigger: Any = None
    #: `custom_timeouts` that are set: operation (`create`, `update`, `delete`) -> duration.
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    #: Input names whose change makes the engine replace the resource (`replace_on_changes`).
    replace_on_changes: list[str] = field(default_factory=list)
    #: Whether a replacement deletes the old resource first (`delete_before_replace`).
    delete_before_replace: bool = False
    #: Input name -> URNs of the resources its value comes from (the engine's property
    #: dependencies). `plan --diff` needs them where a value hides its origin: a secret is
    #: redacted, a name is copied, a credential comes from a lookup on the resource.
    input_dependencies: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Plan:
    stack: str
    project: str
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)

    def by_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Registration:
        found = [r for r in self.by_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_token} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    def urn_of(self, name: str) -> str:
        return next(r.urn for r in self.resources if r.name == name)

    def name_of(self, urn: str | None) -> str | None:
        return next((r.name for r in self.resources if r.urn == urn), None)

    def descendants(self, urn: str) -> list[Registration]:
        children = [r for r in self.resources if r.parent == urn]
        return children + [d for c in children for d in self.descendants(c.urn)]


# -- placeholders for computed outputs -----------------------------------------------------------
def _resource_class(type_token: str) -> type | None:
    parts = type_token.split(":")
    if len(parts) != 3:
        return None
    module = rpc.get_resource_module(parts[0], parts[1], "")
    info = getattr(module, "mod_info", None)
    if not info or type_token not in info.get("classes", {}):
        return None
    return getattr(importlib.import_module(info["fqn"]), info["classes"][type_token], None)


def _output_properties(cls: type) -> dict[str, str]:
    """Engine property name -> annotation text, for every output property of a resource class."""
    props: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        for value in base.__dict__.values():
            if isinstance(value, property) and hasattr(value.fget, "_pulumi_name"):
                annotation = getattr(value.fget, "__annotations__", {}).get("return", "")
                props[value.fget._pulumi_name] = str(annotation)  # type: ignore[union-attr]
    return props


def _value_kind(annotation: str) -> str | None:
    """'str' or 'list[str]' for string-ish output properties, None for anything else."""
    text = re.sub(r"[\w.]*\.(?=\w+\[)|_builtins\.|typing\.|\s", "", annotation)
    for wrapper in ("Output[", "Optional["):
        while text.startswith(wrapper) and text.endswith("]"):
            text = text[len(wrapper) : -1]
    if text in ("str", "'str'"):
        return "str"
    if text in ("Sequence[str]", "List[str]", "list[str]"):
        return "list[str]"
    return None


def placeholder(name: str, prop: str) -> str:
    return f"${{{name}.{prop}}}"


def computed_outputs(type_token: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    cls = _resource_class(type_token)
    if cls is not None:
        for prop, annotation in _output_properties(cls).items():
            if inputs.get(prop) is not None:
                continue
            kind = _value_kind(annotation)
            if kind == "str":
                outputs[prop] = placeholder(name, prop)
            elif kind == "list[str]":
                outputs[prop] = [placeholder(name, prop)]
    fake = FAKE_OUTPUTS.get(type_token)
    if fake is not None:
        outputs.update(fake(name, inputs))
    return outputs


class PlanMocks(pulumi.runtime.Mocks):
    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        state.update(computed_outputs(args.typ, args.name, args.inputs))
        return placeholder(args.name, "id"), state

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.plan.invokes.append(args.token)
        fake = FAKE_INVOKES.get(args.token)
        try:
            result = fake(args.args) if fake else {}
        except Exception as error:
            # A fake answers only what the cloud publishes; where it has no answer, the provider
            # would fail the lookup, so the plan stops with that reason instead of a Python error.
            raise LookupFailed(args.token, str(error)) from error
        # The mock monitor iterates the second element as check failures: an empty list, never None.
        return result, []


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that also records what the real engine would receive."""

    def __init__(self, plan: Plan, mock: PlanMocks) -> None:
        super().__init__(mock)
        self.plan = plan
        self.engine_urns: dict[str, str] = {}
        self.qualified: dict[str, str] = {}
        self.stack_urn = ""

    def _engine_urn(self, mock_urn: str, parent: str, type_: str, name: str) -> str:
        parent_type = self.qualified.get(parent) if parent and parent != self.stack_urn else None
        qualified = f"{parent_type}${type_}" if parent_type else type_
        self.qualified[mock_urn] = qualified
        urn = f"urn:pulumi:{self.plan.stack}::{self.plan.project}::{qualified}::{name}"
        self.engine_urns[mock_urn] = urn
        return urn

    def _urn(self, parent: str | None, type_: str, name: str) -> str:
        """The engine URN of `type_`/`name` under the engine URN `parent` (None: under the stack)."""
        qualified = f"{parent.split('::')[2]}${type_}" if parent else type_
        return f"urn:pulumi:{self.plan.stack}::{self.plan.project}::{qualified}::{name}"

    def _aliases(self, request: Any, parent: str | None) -> list[str]:
        """Alias URNs as the engine computes them from alias specs, plus the parent's aliases.

        A spec leaves out what did not change: name, type and parent default to the resource's
        own. A child also answers to its own name under every alias of its parent, which is how
        moving a component keeps its children in place.
        """
        own: list[str] = []
        names_types = [(request.name, request.type)]
        for alias in getattr(request, "aliases", []):
            if alias.WhichOneof("alias") == "urn":
                own.append(alias.urn)
                continue
            spec = alias.spec
            name, type_ = spec.name or request.name, spec.type or request.type
            names_types.append((name, type_))
            if spec.noParent:
                alias_parent = None
            elif spec.parentUrn:
                alias_parent = None if spec.parentUrn == self.stack_urn else self.engine_urns.get(spec.parentUrn, spec.parentUrn)
            else:
                alias_parent = parent
            urn = self._urn(alias_parent, type_, name)
            if spec.stack or spec.project:
                urn = f"urn:pulumi:{spec.stack or self.plan.stack}::{spec.project or self.plan.project}::{urn.split('::', 2)[2]}"
            own.append(urn)
        inherited = [
            self._urn(parent_alias, type_, name)
            for parent_alias in next((r.aliases for r in self.plan.resources if r.urn == parent), [])
            for name, type_ in names_types
        ]
        return [a for a in dict.fromkeys(own + inherited) if a != self._urn(parent, request.type, request.name)]

    def _record(self, request: Any, *, read: bool) -> None:
        mock_urn = self.make_urn(request.parent, request.type, request.name)
        urn = self._engine_urn(mock_urn, request.parent, request.type, request.name)
        parent = self.engine_urns.get(request.parent)
        if any(r.urn == urn for r in self.plan.resources):
            raise PlanError([f"duplicate URN {urn}: the engine would refuse two resources with the same type and name"])
        provider = request.provider.split("::" + request.provider.rsplit("::", 1)[-1])[0] if request.provider else None
        inputs = rpc.deserialize_properties(request.properties if read else request.object, keep_unknowns=True)
        trigger = None
        if not read and request.HasField("replacement_trigger"):
            trigger = _value(request.replacement_trigger)
        self.plan.resources.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=parent,
                provider=self.engine_urns.get(provider or "", provider),
                depends_on=[self.engine_urns.get(d, d) for d in getattr(request, "dependencies", [])],
                protect=bool(getattr(request, "protect", False)),
                custom=bool(getattr(request, "custom", True)),
                inputs=inputs,
                read=read,
                aliases=self._aliases(request, parent),
                ignore_changes=[] if read else list(request.ignoreChanges),
                retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
                replacement_trigger=trigger,
                custom_timeouts=_timeouts(request) if not read else {},
                replace_on_changes=list(getattr(request, "replaceOnChanges", [])),
                delete_before_replace=bool(getattr(request, "deleteBeforeReplace", False)),
                input_dependencies=self._input_dependencies(request, read=read),
            )
        )

    def _input_dependencies(self, request: Any, *, read: bool) -> dict[str, list[str]]:
        if read:
            return {}
        found: dict[str, list[str]] = {}
        for key, deps in request.propertyDependencies.items():
            urns = sorted({self.engine_urns.get(u, u) for u in deps.urns})
            if urns:
                found[key] = urns
        return dict(sorted(found.items()))

    def RegisterResource(self, request: Any) -> Any:
        if request.type == STACK_TYPE:
            self.stack_urn = self.make_urn(request.parent, request.type, request.name)
            return super().RegisterResource(request)
        self._record(request, read=False)
        return super().RegisterResource(request)

    def ReadResource(self, request: Any) -> Any:
        self._record(request, read=True)
        return super().ReadResource(request)


def _value(value: Any) -> Any:
    """A protobuf `Value` (what the engine gets for `replacement_trigger`) as a Python value."""
    kind = value.WhichOneof("kind")
    if kind in (None, "null_value"):
        return None
    return rpc.deserialize_property(getattr(value, kind), keep_unknowns=True)


def _timeouts(request: Any) -> dict[str, str]:
    if not request.HasField("customTimeouts"):
        return {}
    timeouts = request.customTimeouts
    return {op: getattr(timeouts, op) for op in ("create", "update", "delete") if getattr(timeouts, op)}


class _Collect(logging.Handler):
    def __init__(self, plan: Plan) -> None:
        super().__init__(logging.WARNING)
        self.plan = plan

    def emit(self, record: logging.LogRecord) -> None:
        self.plan.warnings.append(record.getMessage())


async def _resolve(value: Any) -> tuple[Any, bool]:
    output = pulumi.Output.from_input(value)
    return await output.future(with_unknowns=True), bool(await output.is_secret())


def run_program(
    program: Callable[[], object],
    config: Mapping[str, str],
    secret_keys: set[str] | None = None,
    *,
    project: str = "gitpod",
    stack: str = "plan",
) -> Plan:
    """Run `program` under mocks with `config` and return everything it declared."""
    _load_fakes()
    plan = Plan(stack=stack, project=project)
    mock = PlanMocks(plan)
    monitor = RecordingMonitor(plan, mock)
    logger = logging.Logger("gitpod-refarch-plan")
    logger.addHandler(_Collect(plan))
    pulumi.runtime.set_all_config(dict(config), sorted(secret_keys or ()))
    # A fresh root Stack per run, so exports of an earlier run in this process never leak in.
    pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(mock, project=project, stack=stack, preview=False, logger=logger, monitor=monitor)
    # The mock's root Stack is created by set_mocks; new exports land on it.
    root = pulumi.runtime.get_root_resource()
    errors: list[BaseException] = []

    @pulumi.runtime.test
    def execute() -> Any:
        try:
            program()
        except pulumi.RunError as error:
            errors.append(error)
            return None
        outputs: dict[str, Any] = dict(getattr(root, "outputs", {}))

        async def gather() -> None:
            for key, value in outputs.items():
                resolved, secret = await _resolve(value)
                plan.outputs[key] = resolved
                if secret:
                    plan.secret_outputs.add(key)

        return pulumi.Output.from_input(asyncio.ensure_future(gather()))

    try:
        execute()
    except PlanError:
        raise
    except SettingsError as error:
        raise PlanError([str(p) for p in error.problems]) from None
    except pulumi.RunError as error:
        # Raised inside an apply: the engine prints a RunError's message alone, so does the plan.
        raise PlanError(str(error).splitlines()) from None
    except LookupFailed as error:
        raise PlanError([f"a lookup the cloud cannot answer, so `pulumi up` would fail here too: {error}"]) from error
    except Exception as error:
        raise PlanError(
            [f"the program failed: {type(error).__name__}: {error}", "this is a bug in the program; rerun with --traceback to see where"]
        ) from error
    if errors:
        raise PlanError(str(errors[0]).splitlines())
    # The SDK registers resources from worker threads, so their order (and that of each resource's
    # dependencies) varies from run to run; a plan lists them by URN so the same program and config
    # always give the same plan.
    plan.resources.sort(key=lambda r: r.urn)
    for r in plan.resources:
        r.depends_on.sort()
    return plan
