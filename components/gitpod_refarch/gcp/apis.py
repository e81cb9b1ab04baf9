"""Which Google APIs a stack needs, from its settings.

Enabled with `disable_on_destroy=False`: other workloads in the project may use them, and
disabling an API on destroy can delete resources Pulumi never managed (it is what Gitpod's and
Google's own modules warn about). The Service Usage API itself must already be on (it is in every
new project) for the program to enable the others.
"""

from __future__ import annotations

from ..settings import Settings

#: Needed by every GCP stack: the cluster, its network, service accounts and project IAM.
BASE = (
    "compute.googleapis.com",
    "container.googleapis.com",
    "iam.googleapis.com",
    "cloudresourcemanager.googleapis.com",
)


def required_apis(settings: Settings) -> tuple[str, ...]:
    """The APIs in the order they are declared (their logical names derive from them)."""
    apis = list(BASE)
    if settings.database.mode == "managed":
        apis += ["sqladmin.googleapis.com", "servicenetworking.googleapis.com"]
    if settings.storage.mode == "managed":
        apis.append("storage.googleapis.com")
    if settings.registry.kind in ("artifact-registry", "gcr"):
        apis.append("artifactregistry.googleapis.com")
    if settings.certificate.acme_dns01 == "clouddns":
        # cert-manager answers DNS-01 challenges in Cloud DNS, exchanging its Kubernetes token for
        # the Google service account's token (Workload Identity).
        apis += ["dns.googleapis.com", "iamcredentials.googleapis.com"]
    return tuple(apis)


def short_name(api: str) -> str:
    """`sqladmin.googleapis.com` -> `sqladmin`, for logical resource names."""
    return api.split(".", 1)[0]
