"""The installer's config (`gitpod.config.yaml`), its Secrets, and a checker for both.

This module imports nothing, so the settings can take their default from it cheaply.
"""

#: Where Gitpod 2022.11's installer pulls Gitpod's images from unless `repository` mirrors them.
DEFAULT_REPOSITORY = "eu.gcr.io/gitpod-core-dev/build"
