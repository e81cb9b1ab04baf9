"""Stack settings: the only place that reads `gitpod:*` config (see `load_settings`).

The sections every target shares live here (their dataclasses in `settings.model`); each target's
own section (`gitpod:aws`, ...) lives in its package (`gitpod_refarch.aws.settings`), declared to
the loader by its `clouds.CloudOffer`.
"""

from .load import SettingsError, load_settings
from .model import Settings
from .reader import ConfigSource, Problem
from .secret import SecretValue

__all__ = ["ConfigSource", "Problem", "SecretValue", "Settings", "SettingsError", "load_settings"]
