"""The Pulumi program: load settings, build the architecture, export the outputs."""

from __future__ import annotations

import pulumi

from .architecture import build
from .settings import SettingsError, load_settings

#: Each cloud's SDK is an extra of gitpod-refarch (pyproject.toml): its module -> the extra.
SDK_EXTRAS: dict[str, str] = {"pulumi_aws": "aws", "pulumi_gcp": "gcp", "pulumi_azure_native": "azure"}


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
    except ModuleNotFoundError as error:
        extra = SDK_EXTRAS.get((error.name or "").partition(".")[0])
        if extra is None:
            raise
        raise pulumi.RunError(
            f"this stack's gitpod:cloud needs {error.name}, which is not installed: "
            f"pip install 'gitpod-refarch[{extra}]' (this repository's requirements.txt installs every cloud's SDK)"
        ) from None
    for key, value in architecture.outputs.items():
        pulumi.export(key, value)
