"""Plan stand-ins for the engine's own resources.

A `pulumi:index:Stash` returns, when it is created, the value it was given; later runs keep that
value until the stash is replaced. A plan always shows a creation, so `output` is `input`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _stash(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {"output": inputs.get("input")}


OUTPUTS = {"pulumi:index:Stash": _stash}
