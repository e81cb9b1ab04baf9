"""A config value that must never be printed, logged or exported in plain text."""

from __future__ import annotations

import pulumi


class SecretValue:
    """Holds a secret from stack config; hands it out only as a secret `pulumi.Output`.

    Settings objects are printed in tracebacks, debug logs and test failures; wrapping secrets
    keeps them out of all of those while still letting validation look at the value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: pulumi.Input[str]) -> None:
        # An Output only when a component's arg carries the credential (`GitpodReferenceArchitecture`).
        self._value = value

    def __repr__(self) -> str:
        return "SecretValue('[secret]')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("SecretValue", self._value))

    def output(self) -> pulumi.Output[str]:
        """The value as a secret Output, the only form in which it may reach a resource."""
        return pulumi.Output.secret(self._value)

    def reveal(self) -> str:
        """The plain value, for validation only (length, format); never for resources or logs."""
        if not isinstance(self._value, str):
            raise TypeError("this secret was given as an Output: its value is not known before resources are declared")
        return self._value
