"""`GcpPlatform`: what every GCP concern builds on — provider, APIs, network and identities.

Identities live here rather than with the cluster because two concerns meet on them: the node
service account is granted pull rights on the registry, and cert-manager's Google service account
is granted DNS rights on the zone. Creating them first lets the registry and the zone reference
them without waiting for (or depending on) the cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from .apis import short_name
from .network import GcpNetwork, GcpNetworkArgs

TYPE = "gitpod:index:GcpPlatform"

#: What GKE nodes need and nothing more (Google's hardening guide for node service accounts):
#: write logs and metrics, read monitoring for the metrics agent, and publish resource metadata.
#: Pull rights on Gitpod's registry are granted on that repository alone (see `registry.py`).
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
)

#: Google-managed service agents that must exist, with their role, before a just-enabled API works.
#: Enabling an API is eventually consistent (terraform-provider-google guide "google_project_service",
#: "Newly activated service errors"), and Service Networking is reported to fail right after it is
#: enabled (GoogleCloudPlatform/cloud-foundation-fabric#1399): its agent and the agent's role are
#: set up asynchronously. So the program creates the agent (Service Usage `generateServiceIdentity`)
#: and grants the role itself, and the peering waits for both, as cloud-foundation-fabric does
#: (modules/project/service-agents.yaml: `service-<number>@service-networking.iam.gserviceaccount.com`
#: with `roles/servicenetworking.serviceAgent`; its e2e setup makes the PSA connection depend on the
#: grants, commit 97dca23 "Delay PSA creation until service agents have roles assigned"; checked 2026-11).
SERVICE_AGENT_ROLES: dict[str, str] = {"servicenetworking.googleapis.com": "roles/servicenetworking.serviceAgent"}


class GcpPlatformArgs(TypedDict, total=False):
    project: str
    """Project ID everything is created in (required)."""
    region: str
    """Default region of the provider (required)."""
    apis: Sequence[str]
    """Project APIs to enable, e.g. `container.googleapis.com` (never disabled on destroy)."""
    network: GcpNetworkArgs
    """The VPC to create (its `apis` are filled in from the enabled APIs)."""
    node_account_id: str
    """ID of the dedicated node service account (required)."""
    dns_solver_account_id: str
    """ID of cert-manager's Google service account for Cloud DNS; omit when Cloud DNS is not used."""
    labels: Mapping[str, str]
    """Labels the provider adds to every labellable resource (default `app: gitpod`)."""


class GcpPlatform(pulumi.ComponentResource):
    """Explicit Google provider, enabled APIs, the VPC, and the service accounts concerns share."""

    provider: gcp.Provider
    """The Google provider every GCP resource of the stack is created with."""
    apis: dict[str, gcp.projects.Service]
    """Enabled APIs by service name."""
    network: GcpNetwork
    """The VPC, subnet and (optionally) private service access and NAT."""
    node_service_account: gcp.serviceaccount.Account
    """Service account of every node pool."""
    dns_solver_service_account: gcp.serviceaccount.Account | None
    """Google service account cert-manager impersonates through Workload Identity, if Cloud DNS is used."""
    service_agents: dict[str, list[pulumi.Resource]]
    """By API: its service agent and the agent's role grant (what "the API works" waits for)."""

    def __init__(self, name: str, args: GcpPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        project = args["project"]
        self.provider = gcp.Provider(
            f"{name}-provider",
            project=project,
            region=args["region"],
            default_labels=dict(args.get("labels", {"app": "gitpod"})),
            opts=pulumi.ResourceOptions(parent=self),
        )
        own = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self.apis = {
            api: gcp.projects.Service(
                f"{name}-api-{short_name(api)}",
                project=project,
                service=api,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=own,
            )
            for api in args.get("apis", ())
        }
        iam_ready = pulumi.ResourceOptions(
            parent=self,
            provider=self.provider,
            depends_on=self.apis_named("iam.googleapis.com", "cloudresourcemanager.googleapis.com"),
        )

        self.service_agents = {}
        for api, role in SERVICE_AGENT_ROLES.items():
            if api not in self.apis:
                continue
            agent = gcp.projects.ServiceIdentity(
                f"{name}-agent-{short_name(api)}",
                project=project,
                service=api,
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[self.apis[api]]),
            )
            grant = gcp.projects.IAMMember(
                f"{name}-agent-{short_name(api)}-{role.rsplit('/', 1)[1].replace('.', '-').lower()}",
                project=project,
                role=role,
                member=agent.member,
                # Google grants this role itself; other workloads in the project rely on it, so
                # `pulumi destroy` leaves it, like the APIs. Project IAM goes through Resource Manager.
                opts=pulumi.ResourceOptions(
                    parent=self,
                    provider=self.provider,
                    retain_on_delete=True,
                    depends_on=self.apis_named("cloudresourcemanager.googleapis.com"),
                ),
            )
            self.service_agents[api] = [agent, grant]

        network_args: GcpNetworkArgs = {
            **args["network"],
            "apis": self.apis_named("compute.googleapis.com"),
            "private_service_apis": [
                *self.apis_named("servicenetworking.googleapis.com"),
                *self.service_agents.get("servicenetworking.googleapis.com", []),
            ],
        }
        self.network = GcpNetwork(f"{name}-network", network_args, opts=pulumi.ResourceOptions(parent=self, providers=[self.provider]))

        self.node_service_account = gcp.serviceaccount.Account(
            f"{name}-node-sa",
            project=project,
            account_id=args["node_account_id"],
            display_name="Gitpod GKE nodes",
            description="Least-privilege identity of Gitpod's GKE nodes: logs, metrics, and pulls from Gitpod's repository only.",
            opts=iam_ready,
        )
        node_member = self.node_service_account.member
        for role in NODE_ROLES:
            gcp.projects.IAMMember(
                f"{name}-node-sa-{role.rsplit('/', 1)[1].replace('.', '-').lower()}",
                project=project,
                role=role,
                member=node_member,
                opts=iam_ready,
            )

        self.dns_solver_service_account = None
        solver_id = args.get("dns_solver_account_id")
        if solver_id:
            self.dns_solver_service_account = gcp.serviceaccount.Account(
                f"{name}-dns01-sa",
                project=project,
                account_id=solver_id,
                display_name="cert-manager DNS-01 (Gitpod)",
                description="Impersonated by cert-manager through Workload Identity; may edit Gitpod's Cloud DNS zone only.",
                opts=iam_ready,
            )

        self.register_outputs(
            {
                "apis": list(self.apis),
                "networkId": self.network.network_id,
                "nodeServiceAccount": self.node_service_account.email,
            }
        )

    def apis_named(self, *names: str) -> list[pulumi.Resource]:
        """The enabled-API resources among `names` (others were not requested by this stack)."""
        return [self.apis[n] for n in names if n in self.apis]


@dataclass(frozen=True)
class GcpPlatformInfo:
    """What GCP concerns build on, passed to every GCP builder: the project, region and platform resources."""

    project: str
    region: str
    resources: GcpPlatform

    def opts(self) -> pulumi.ResourceOptions:
        """Options for a component built on this platform: the Google provider, explicitly."""
        return pulumi.ResourceOptions(providers=[self.resources.provider])
