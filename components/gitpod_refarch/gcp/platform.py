"""What every GCP concern builds on: the explicit provider, the project's APIs, the VPC and the nodes' identity.

Everything `build` creates lives in one component (`gitpod:index:GcpPlatform`). The nodes' service account is created here rather
than with the cluster because the registry grants it pull rights, and must not wait for the cluster.

What only one concern needs is created by that concern's builder, under the parent it has always
had (its URN): Cloud SQL's private service access in the VPC (`database.py`), cert-manager's
DNS-01 service account in this component (`dns.py`, with `GcpPlatform.identity_opts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from ..architecture import Context
from ..settings import Settings
from .apis import required_apis, short_name
from .naming import account_id, role_slug
from .network import GcpNetwork
from .settings import GcpSettings

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

#: The `apis` arg of the GCP components: what `GcpPlatform.apis_named` returns, the resources an API
#: needs before use (its enablement, and for some its service agent and the agent's role grant).
#: Typed `Any` because those are resources of several types, and so that the component package's
#: schema references no cloud package (docs/components.md); another language passes the resources
#: themselves, which reach the component as resource references (`wait_for` says in what form).
ApiDependencies = Sequence[Any]


def wait_for(*dependencies: Any) -> pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]]]:
    """`depends_on` for what a GCP component is given to wait for (`apis`, `private_service_access`).

    From Python each is a resource or a list of them, returned as one list. From another language
    the provider host (pulumi/provider/server.py, `ProviderServicer._select_value`) hands an arg
    that depends on resources over as an Output of its value, whose resources are those
    dependencies; and a resource reference becomes a resource only where the provider's own
    pulumi-gcp serves the program's SDK version (same major, not older), the resource's ID
    otherwise. So an Output is waited for through its dependencies, keeping only the resources in it.
    """
    plain: list[Any] = []
    outputs: list[pulumi.Output[Any]] = []
    for dependency in dependencies:
        if isinstance(dependency, pulumi.Output):
            outputs.append(dependency)
        elif isinstance(dependency, pulumi.Resource):
            plain.append(dependency)
        else:
            plain.extend(dependency)
    if not outputs:
        return plain

    def resources(values: list[Any]) -> list[pulumi.Resource]:
        items = [i for v in values for i in (v if isinstance(v, list | tuple) else [v])]
        return [*plain, *(i for i in items if isinstance(i, pulumi.Resource))]

    return pulumi.Output.all(*outputs).apply(resources)


#: Labels the provider adds to every labellable resource.
LABELS = {"app": "gitpod"}


@dataclass(frozen=True)
class GcpPlatform:
    """The GCP platform of one stack, built once by `build`."""

    project: str
    region: str
    provider: gcp.Provider
    #: By enabled API, what "the API works" waits for: its enablement and, where Google needs one
    #: (`SERVICE_AGENT_ROLES`), its service agent and the agent's role grant.
    apis: Mapping[str, tuple[pulumi.Resource, ...]]
    network: GcpNetwork
    #: Service account of every node pool.
    node_service_account: gcp.serviceaccount.Account
    #: Name of the `gitpod:index:GcpPlatform` component, which prefixes its children's names.
    name: str
    #: Options of a service account shared by concerns: in the platform component, once IAM and
    #: Resource Manager are enabled.
    identity_opts: pulumi.ResourceOptions

    def opts(self) -> pulumi.ResourceOptions:
        """Options for a component built on this platform: the Google provider, explicitly."""
        return pulumi.ResourceOptions(providers=[self.provider])

    def apis_named(self, *names: str) -> list[pulumi.Resource]:
        """What the APIs among `names` need before use (others were not requested by this stack)."""
        return [r for n in names for r in self.apis.get(n, ())]


#: What every GCP builder receives: the settings with `gitpod:gcp`, the name prefix and the platform.
GcpContext = Context[GcpSettings, GcpPlatform]


def build(settings: Settings[GcpSettings], name: str, parent: pulumi.Resource | None = None) -> GcpPlatform:
    """The provider, the APIs this stack uses (never disabled on destroy), the VPC and the nodes' account."""
    gcp_settings = settings.cloud_settings
    project, region, cluster = gcp_settings.project, gcp_settings.region, settings.cluster.name
    name = f"{name}-gcp"
    component = pulumi.ComponentResource(TYPE, name, opts=pulumi.ResourceOptions(parent=parent))
    provider = gcp.Provider(
        f"{name}-provider", project=project, region=region, default_labels=LABELS, opts=pulumi.ResourceOptions(parent=component)
    )
    own = pulumi.ResourceOptions(parent=component, provider=provider)

    apis: dict[str, tuple[pulumi.Resource, ...]] = {}
    for api in required_apis(settings):
        apis[api] = (
            gcp.projects.Service(
                f"{name}-api-{short_name(api)}",
                project=project,
                service=api,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=own,
            ),
        )
    resource_manager = list(apis["cloudresourcemanager.googleapis.com"])
    for api, role in SERVICE_AGENT_ROLES.items():
        if api not in apis:
            continue
        agent = gcp.projects.ServiceIdentity(
            f"{name}-agent-{short_name(api)}",
            project=project,
            service=api,
            opts=pulumi.ResourceOptions(parent=component, provider=provider, depends_on=list(apis[api])),
        )
        grant = gcp.projects.IAMMember(
            f"{name}-agent-{short_name(api)}-{role_slug(role)}",
            project=project,
            role=role,
            member=agent.member,
            # Google grants this role itself; other workloads in the project rely on it, so
            # `pulumi destroy` leaves it, like the APIs. Project IAM goes through Resource Manager.
            opts=pulumi.ResourceOptions(parent=component, provider=provider, retain_on_delete=True, depends_on=resource_manager),
        )
        apis[api] = (*apis[api], agent, grant)

    network = GcpNetwork(
        f"{name}-network",
        {
            "prefix": cluster,
            "region": region,
            "subnet_cidr": gcp_settings.subnet_cidr,
            "pods_cidr": gcp_settings.pods_cidr,
            "services_cidr": gcp_settings.services_cidr,
            # Always, whatever privateNodes says now: the program cannot see what the nodes were created
            # with, and private nodes without NAT have no egress at all. Nodes with external IPs do not use it.
            "nat": True,
            "apis": list(apis["compute.googleapis.com"]),
        },
        opts=pulumi.ResourceOptions(parent=component, providers=[provider]),
    )

    identity_opts = pulumi.ResourceOptions(parent=component, provider=provider, depends_on=[*apis["iam.googleapis.com"], *resource_manager])
    nodes = gcp.serviceaccount.Account(
        f"{name}-node-sa",
        project=project,
        account_id=account_id(cluster, "nodes"),
        display_name="Gitpod GKE nodes",
        description="Least-privilege identity of Gitpod's GKE nodes: logs, metrics, and pulls from Gitpod's repository only.",
        opts=identity_opts,
    )
    for role in NODE_ROLES:
        gcp.projects.IAMMember(f"{name}-node-sa-{role_slug(role)}", project=project, role=role, member=nodes.member, opts=identity_opts)

    component.register_outputs({"apis": list(apis), "networkId": network.network_id, "nodeServiceAccount": nodes.email})
    return GcpPlatform(project, region, provider, apis, network, nodes, name, identity_opts)
