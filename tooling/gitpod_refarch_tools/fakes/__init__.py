"""Plan-only stand-ins for values a real deployment learns from the cloud.

Each submodule (one per cloud) may define `OUTPUTS` (type token -> (name, inputs) -> outputs)
for computed properties whose shape the program relies on (a base64 key, a nested object), and
`INVOKES` (invoke token -> args -> result) for data-source lookups. Everything else gets the
generic `${name.property}` placeholder. Submodules are discovered, so a cloud adds a file here
and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any

OutputFake = Callable[[str, Mapping[str, Any]], dict[str, Any]]
InvokeFake = Callable[[Mapping[str, Any]], dict[str, Any]]


def collect() -> tuple[dict[str, OutputFake], dict[str, InvokeFake]]:
    outputs: dict[str, OutputFake] = {}
    invokes: dict[str, InvokeFake] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        outputs.update(getattr(module, "OUTPUTS", {}))
        invokes.update(getattr(module, "INVOKES", {}))
    return outputs, invokes
