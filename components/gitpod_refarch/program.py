"""The Pulumi program: load settings, build the architecture, export the outputs."""

from __future__ import annotations

import pulumi

from .architecture import build
from .settings import SettingsError, load_settings


def main() -> None:
    """Entry point used by `__main__.py` under the engine, and by the offline plan under mocks."""
    try:
        settings = load_settings()
        for finding in settings.warnings:
            pulumi.log.warn(str(finding))
        architecture = build(settings)
    except SettingsError as error:
        # RunError is printed without a traceback: users see only the lines that matter.
        raise pulumi.RunError(f"invalid stack configuration ({len(error.problems)} problem(s)):\n{error}") from None
    for key, value in architecture.outputs.items():
        pulumi.export(key, value)
