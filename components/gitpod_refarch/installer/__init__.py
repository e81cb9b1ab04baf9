"""The installer's config (`gitpod.config.yaml`), its Secrets, and a checker for both.

This module imports nothing, so the settings can take their default from it cheaply.
"""

#: Where Gitpod 2022.11's installer pulls Gitpod's images from unless `repository` mirrors them.
DEFAULT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"
#: The installer's own defaults for what the program lets users change (`pkg/config/v1/config.go`
#: `Defaults` at 2022.11.3), so an unset setting renders what `gitpod-installer init` would.
DEFAULT_OPEN_VSX_URL = "https://open-vsx.org"
DEFAULT_WORKSPACE_REQUESTS: tuple[tuple[str, str], ...] = (("cpu", "1"), ("memory", "2Gi"))
DEFAULT_MAX_LIFETIME = "36h"
DEFAULT_PVC_SIZE = "30Gi"
