"""An existing cluster has no platform to build: its network and identities are someone else's."""

from __future__ import annotations

from ..settings import Settings


def build(settings: Settings[None], name: str) -> None:
    return None
