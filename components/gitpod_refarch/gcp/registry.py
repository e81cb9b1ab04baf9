"""`ArtifactRegistry`: the Docker repository Gitpod's image builder pushes workspace images to.

Two shapes, both Artifact Registry (Container Registry stopped accepting pushes on 18 Mar 2025):

* `artifact-registry`: a repository in the cluster's region, `<region>-docker.pkg.dev/<project>/<repo>`;
* `gcr`: a "gcr.io repository" (`gcr.io`, `us.gcr.io`, `eu.gcr.io`, `asia.gcr.io`) in the matching
  multi-region, which Artifact Registry serves under the old host name, `gcr.io/<project>`.

Gitpod authenticates with a key of a writer service account as user `_json_key`; the docker
credentials are keyed by the bare host, while the installer's URL is the repository path. The
nodes' service account may pull from this repository and no other.
"""

from collections.abc import Mapping
from typing import Required, TypedDict

import pulumi
import pulumi_gcp as gcp

from ..contracts import ExternalRegistry, RegistryInfo, StorageInfo
from .keys import keyed_account
from .naming import account_id
from .platform import ApiDependencies, GcpContext, wait_for
from .settings import GCR_HOSTS

TYPE = "gitpod:index:ArtifactRegistry"

#: Docker's user name for a service-account JSON key as the password.
JSON_KEY_USER = "_json_key"


class ArtifactRegistryArgs(TypedDict, total=False):
    project: Required[str]
    """Project ID (required)."""
    key_rotation: str | None
    """Any value; changing it replaces the service-account key (default: none)."""
    location: Required[str]
    """Region (e.g. `europe-west1`) or, for gcr.io repositories, multi-region (`us`, `europe`, `asia`) (required)."""
    repository_id: Required[str]
    """Repository ID: e.g. `gitpod`, or the gcr.io host name for gcr.io repositories (required)."""
    server: Required[str]
    """Bare registry host the docker credentials are for: `<region>-docker.pkg.dev` or `gcr.io` (required)."""
    url: Required[str]
    """Repository path Gitpod pushes under (installer `containerRegistry.external.url`) (required)."""
    writer_account_id: Required[str]
    """ID of the service account Gitpod pushes and pulls with (required)."""
    readers: Mapping[str, pulumi.Input[str]]
    """IAM members that may pull, by a short name that stays stable (e.g. `nodes` -> the nodes' service account)."""
    protect: bool
    """Protect the repository (and the images in it) from deletion (default true)."""
    apis: ApiDependencies
    """What the project APIs (artifactregistry, iam) need before use, e.g. their `gcp.projects.Service`s."""


class ArtifactRegistry(pulumi.ComponentResource):
    """A Docker repository, a writer key for Gitpod, and pull rights for the nodes."""

    url: str
    """Repository path for the installer config."""
    server: str
    """Host the docker credentials are keyed by."""
    password: pulumi.Output[str]
    """The writer's JSON key on one line, the `_json_key` password (secret)."""

    def __init__(self, name: str, args: ArtifactRegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        location = args["location"]
        child = pulumi.ResourceOptions(parent=self, depends_on=wait_for(args.get("apis", ())))

        # The Docker repository (protected). (Python only: not in the package schema, see provider.py.)

        self.repository: gcp.artifactregistry.Repository = gcp.artifactregistry.Repository(
            f"{name}-repository",
            project=project,
            location=location,
            repository_id=args["repository_id"],
            format="DOCKER",
            description="Gitpod Self-Hosted: workspace and base images built by Gitpod's image builder",
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.get("protect", True))),
        )
        writer, writer_key_json, key_created = keyed_account(
            f"{name}-writer",
            project=project,
            account_id=args["writer_account_id"],
            display_name="Gitpod image builder",
            description="Key used by Gitpod's image builder and registry facade; may push to and pull from Gitpod's repository only.",
            opts=child,
            rotation=args.get("key_rotation"),
        )
        readers = ((f"reader-{reader}", "reader", member) for reader, member in args.get("readers", {}).items())
        for key, role, member in (("writer", "writer", writer.member), *readers):
            gcp.artifactregistry.RepositoryIamMember(
                f"{name}-{key}",
                project=project,
                location=location,
                repository=self.repository.name,
                role=f"roles/artifactregistry.{role}",
                member=member,
                opts=child,
            )
        self.url = args["url"]
        self.server = args["server"]
        self.password = writer_key_json
        # The registry contract (`external`) for the installer values. (Python only: not in the package schema, see provider.py.)
        self.info: ExternalRegistry = ExternalRegistry(
            url=self.url, server=self.server, username=JSON_KEY_USER, password=self.password, key_created=key_created
        )
        self.register_outputs({"url": self.url, "server": self.server, "repository": self.repository.name})


def build(ctx: GcpContext, storage: StorageInfo) -> RegistryInfo:
    settings, gcp_settings, p = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    if settings.registry.kind == "gcr":
        host = gcp_settings.gcr
        location, repository_id, server, url = GCR_HOSTS[host], host, host, f"{host}/{p.project}"
    else:
        server = f"{p.region}-docker.pkg.dev"
        location, repository_id, url = p.region, gcp_settings.repository, f"{server}/{p.project}/{gcp_settings.repository}"
    return ArtifactRegistry(
        f"{ctx.name}-registry",
        {
            "project": p.project,
            "location": location,
            "repository_id": repository_id,
            "server": server,
            "url": url,
            "writer_account_id": account_id(settings.cluster.name, "registry"),
            "key_rotation": gcp_settings.key_rotation,
            "readers": {"nodes": p.node_service_account.member},
            "protect": settings.protect,
            "apis": p.apis_named("artifactregistry.googleapis.com", "iam.googleapis.com"),
        },
        opts=ctx.opts(p.opts()),
    ).info
