"""The installer's config (`gitpod.config.yaml`), its Secrets, and a checker for both.

This module imports only the standard library, so the settings take their defaults and the
workspace options (one definition, read by both the settings and the config builder) from it cheaply.
"""

from dataclasses import dataclass, field

#: Where Gitpod 2022.11's installer pulls Gitpod's images from unless `repository` mirrors them.
DEFAULT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"
#: The installer's own defaults for what the program lets users change (`pkg/config/v1/config.go`
#: `Defaults` at 2022.11.3), so an unset setting renders what `gitpod-installer init` would.
DEFAULT_OPEN_VSX_URL = "https://open-vsx.org"
DEFAULT_WORKSPACE_REQUESTS: tuple[tuple[str, str], ...] = (("cpu", "1"), ("memory", "2Gi"))
DEFAULT_MAX_LIFETIME = "36h"
DEFAULT_PVC_SIZE = "30Gi"


@dataclass(frozen=True)
class PvcOptions:
    """One of the installer's workspace PersistentVolumeClaim templates (`workspace.pvc`,
    `workspace.prebuildPVC`); "" means the cluster's default class."""

    size: str = DEFAULT_PVC_SIZE
    storage_class: str = ""
    snapshot_class: str = ""


@dataclass(frozen=True)
class WorkspaceOptions:
    """`workspace` resources, timeouts and PVCs, as the 2022.11 schema names them; None timeouts
    are left to Gitpod's own defaults, and the other defaults are the installer's own."""

    requests: tuple[tuple[str, str], ...] = DEFAULT_WORKSPACE_REQUESTS
    limits: tuple[tuple[str, str], ...] = ()
    max_lifetime: str = DEFAULT_MAX_LIFETIME
    timeout_default: str | None = None
    timeout_extended: str | None = None
    timeout_after_close: str | None = None
    pvc: PvcOptions = field(default_factory=PvcOptions)
    prebuild_pvc: PvcOptions = field(default_factory=PvcOptions)
