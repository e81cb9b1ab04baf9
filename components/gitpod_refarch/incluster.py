"""The installer's in-cluster defaults: MySQL, MinIO and a Docker registry it deploys itself.

Nothing is created here; the contracts tell the installer to run these components
(`inCluster: true`), which suits labs and trials. The in-cluster MySQL of 2022.11 uses a fixed,
public encryption key and passwords (see `settings.rules`), so production stacks use managed or
external databases.
"""

from __future__ import annotations

from .contracts import InClusterDatabase, InClusterRegistry, InClusterStorage


def database() -> InClusterDatabase:
    return InClusterDatabase()


def storage() -> InClusterStorage:
    return InClusterStorage()


def registry() -> InClusterRegistry:
    return InClusterRegistry()
