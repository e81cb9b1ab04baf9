"""Plan stand-ins for what the Kubernetes API server sets on the objects the program creates.

Every write to an object gives it a new `metadata.resourceVersion`
(https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions), which the
provider returns in `metadata`. The program reads it from the base-image credentials Secret, so
the installer Job is re-run when they change; its content is opaque, hence a placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..harness import placeholder


def _with_resource_version(name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    metadata = dict(inputs.get("metadata") or {})
    metadata["resourceVersion"] = placeholder(name, "metadata.resourceVersion")
    return {"metadata": metadata}


OUTPUTS = {"kubernetes:core/v1:Secret": _with_resource_version}
