"""An existing cluster has no platform to build: its network and identities are someone else's."""

from __future__ import annotations

import pulumi

from ..settings import Settings


def build(settings: Settings[None], name: str, parent: pulumi.Resource | None = None) -> None:
    return None
