"""Per-cloud settings sections (`gitpod:gcp`, `gitpod:aws`, `gitpod:azure`): shared plumbing.

Each cloud keeps its own keys, defaults, validation and compatibility rules in its own module
(`settings/gcp.py`, ...), registered in `CLOUD_SECTIONS`, so clouds never edit each other's code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .reader import Section

if TYPE_CHECKING:
    from .model import Settings

Kind = Literal["hard", "unsupported", "untested", "advice"]
Add = Callable[[Kind, str, str], None]


@dataclass(frozen=True)
class CloudSection:
    """How one cloud reads its `gitpod:<cloud>` object and judges the whole settings."""

    #: Parse the section (already scoped to `gitpod:<cloud>`); report problems on the section.
    parse: Callable[[Section, str], Any]
    #: Compatibility rules that only this cloud knows (extended support, retiring features, ...).
    rules: Callable[[Settings, Add], None] = lambda settings, add: None
    #: Kubernetes minor for new clusters when `gitpod:cluster.kubernetesVersion` is not set; a
    #: version the cloud currently offers in standard support (None: the cloud picks).
    kubernetes_version: str | None = None


def _registry() -> dict[str, CloudSection]:
    from . import aws, azure, gcp

    return {"gcp": gcp.SECTION, "aws": aws.SECTION, "azure": azure.SECTION}


CLOUD_SECTIONS: Callable[[], dict[str, CloudSection]] = _registry
