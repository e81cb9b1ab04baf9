"""`ExternalDns`: the kubernetes-sigs chart, watching Gitpod's `proxy` Service, writing one zone.

Each zone variant maps to external-dns' provider with its own flags, from its tutorials at v0.21.0
(kubernetes-sigs/external-dns `docs/tutorials/aws.md`, `gke.md`, `azure.md`, `cloudflare.md`):

* Route 53: `--aws-zone-type=public`, `--zone-id-filter=<zone id>`; IRSA gives the credentials.
* Cloud DNS: `--google-project`, `--google-zone-visibility=public`, `--zone-id-filter=<zone name>`
  (the provider matches the filter against a zone's id or name); Workload Identity gives them.
* Azure DNS: an `azure.json` with the zone's subscription and resource group and
  `useWorkloadIdentityExtension: true`, mounted at `/etc/kubernetes` (the provider's default
  path); AKS workload identity gives the credentials.
* Cloudflare: `CF_API_TOKEN` from a Secret; the token never appears in the chart's values.

Policy `sync`, not the chart's default `upsert-only`: when the `proxy` Service goes (uninstall, a
recreated load balancer) external-dns deletes the records it owns, so no name is left pointing at
an address the cloud may hand to someone else. It deletes only what its TXT ownership records
(`txtOwnerId`, unique per stack) mark as its own, in the one zone it is given.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..certmanager.args import CertManagerWorkloadIdentity, DnsZoneKind
from ..plainargs import missing_required, refuse, variant
from . import CHART, NAMESPACE, PROXY_LABELS, REPOSITORY, SERVICE_ACCOUNT, TXT_PREFIX, TXT_WILDCARD_REPLACEMENT, VERSION
from .args import ZONE_FIELDS, ExternalDnsArgs, ExternalDnsZone

TYPE = "gitpod:index:ExternalDns"

#: Secret with Cloudflare's API token, and its key (`CF_API_TOKEN`, docs/tutorials/cloudflare.md).
CLOUDFLARE_SECRET = "external-dns-cloudflare"
CLOUDFLARE_SECRET_KEY = "api-token"
#: Secret with the Azure provider's `azure.json` (no credential in it with workload identity).
AZURE_CONFIG_SECRET = "external-dns-azure"
AZURE_CONFIG_DIR = "/etc/kubernetes"


@dataclass(frozen=True)
class ProviderConfig:
    """external-dns' `--provider` and what it needs for one zone variant."""

    name: str
    #: The zone's DNS name (`--domain-filter`).
    domain: pulumi.Input[str]
    args: Mapping[str, pulumi.Input[str]]
    env: Sequence[Mapping[str, Any]] = ()
    #: Secret name -> string data, created in external-dns' namespace (after the chart creates it).
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    volumes: Sequence[Mapping[str, Any]] = ()
    volume_mounts: Sequence[Mapping[str, Any]] = ()


def provider_config(zone: ExternalDnsZone, cloudflare_api_token: pulumi.Input[str] | None = None) -> ProviderConfig:
    """How external-dns reaches `zone`, with the provider's own flags (see the module docstring)."""
    kind = DnsZoneKind(zone["kind"])
    if kind == DnsZoneKind.ROUTE53:
        aws = zone["route53"]
        return ProviderConfig(
            "aws",
            aws["zone_name"],
            {"aws-zone-type": "public", "zone-id-filter": aws["zone_id"]},
            env=[{"name": "AWS_REGION", "value": aws["region"]}],
        )
    if kind == DnsZoneKind.CLOUDDNS:
        gcp = zone["cloud_dns"]
        args = {"google-project": gcp["project"], "google-zone-visibility": "public", "zone-id-filter": gcp["zone_name"]}
        return ProviderConfig("google", gcp["dns_name"], args)
    if kind == DnsZoneKind.AZUREDNS:
        z = zone["azure_dns"]
        config = pulumi.Output.all(z["subscription_id"], z["resource_group_name"]).apply(
            lambda v: json.dumps({"subscriptionId": v[0], "resourceGroup": v[1], "useWorkloadIdentityExtension": True})
        )
        # The provider lists the zones of this resource group only, and the domain filter picks the zone.
        return ProviderConfig(
            "azure",
            z["zone_name"],
            {},
            secrets={AZURE_CONFIG_SECRET: {"azure.json": config}},
            volumes=[{"name": "azure-config-file", "secret": {"secretName": AZURE_CONFIG_SECRET}}],
            volume_mounts=[{"name": "azure-config-file", "mountPath": AZURE_CONFIG_DIR, "readOnly": True}],
        )
    if cloudflare_api_token is None:
        raise ValueError("a Cloudflare zone needs cloudflare_api_token")
    return ProviderConfig(
        "cloudflare",
        zone["cloudflare"]["zone_name"],
        {},
        env=[{"name": "CF_API_TOKEN", "valueFrom": {"secretKeyRef": {"name": CLOUDFLARE_SECRET, "key": CLOUDFLARE_SECRET_KEY}}}],
        secrets={CLOUDFLARE_SECRET: {CLOUDFLARE_SECRET_KEY: pulumi.Output.secret(cloudflare_api_token)}},
    )


def problems(args: Mapping[str, Any]) -> list[str]:
    """What is wrong with these args, all at once, named as in the schema; no credential is echoed."""
    found = missing_required(args, ExternalDnsArgs)
    zone = args.get("zone")
    if zone is not None:
        kind, wrong = variant("zone", zone, ZONE_FIELDS)
        found += wrong
        if kind == DnsZoneKind.CLOUDFLARE and args.get("cloudflare_api_token") is None:
            found.append("cloudflareApiToken: required with zone.kind 'cloudflare' (a token with Zone:Read and DNS:Edit)")
    return found


def chart_values(
    provider: ProviderConfig,
    *,
    owner_id: str,
    source_namespace: pulumi.Input[str],
    identity: CertManagerWorkloadIdentity,
    image_repository: str | None = None,
) -> dict[str, Any]:
    """The chart's values (keys as in its values.yaml at chart 1.21.1).

    `namespaced` with `sourceNamespace`: the chart then grants a Role in Gitpod's namespace only
    (services, pods, endpointslices), no ClusterRole, and external-dns watches nothing else.
    """
    values: dict[str, Any] = {
        "provider": {"name": provider.name},
        "sources": ["service"],
        "namespaced": True,
        "sourceNamespace": source_namespace,
        "labelFilter": PROXY_LABELS,
        "domainFilters": [provider.domain],
        "policy": "sync",
        "registry": "txt",
        "txtOwnerId": owner_id,
        "txtPrefix": TXT_PREFIX,
        "extraArgs": {
            "txt-wildcard-replacement": TXT_WILDCARD_REPLACEMENT,
            # Without a type filter the service source also watches Nodes and EndpointSlices (for
            # NodePort/ClusterIP Services; source/service.go at v0.21.0, `isRequired`), and Nodes are
            # cluster-scoped, which the namespaced Role cannot grant: the informer would never sync.
            # The proxy Service is a LoadBalancer.
            "service-type-filter": "LoadBalancer",
            **provider.args,
        },
        "serviceAccount": {"name": SERVICE_ACCOUNT},
    }
    if identity.get("service_account_annotations"):
        values["serviceAccount"]["annotations"] = dict(identity["service_account_annotations"])
    if identity.get("pod_labels"):
        values["podLabels"] = dict(identity["pod_labels"])
    if provider.env:
        values["env"] = [dict(e) for e in provider.env]
    if provider.volumes:
        values["extraVolumes"] = [dict(v) for v in provider.volumes]
        values["extraVolumeMounts"] = [dict(m) for m in provider.volume_mounts]
    if image_repository:
        values["image"] = {"repository": f"{image_repository}/external-dns"}
    return values


class ExternalDns(pulumi.ComponentResource):
    """Installs external-dns so `<domain>`, `*.<domain>`, `*.ws.<domain>` follow the `proxy` Service.

    Nothing waits for it and it waits for nothing of Gitpod's but its namespace: the records
    appear whenever the installer's `proxy` Service gets its load balancer.

    The args are plain (`args.ExternalDnsArgs`), so programs in every language can use it; the
    stack's program passes the same shape (`args.zone_args` turns its zone contract into it).
    """

    namespace: pulumi.Output[str]
    """Namespace external-dns runs in."""

    def __init__(self, name: str, args: ExternalDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        refuse("ExternalDns", problems(args))
        super().__init__(TYPE, name, None, opts)
        zone = args["zone"]
        provider = provider_config(zone, args.get("cloudflare_api_token"))
        image_repository = args.get("image_repository")
        values = chart_values(
            provider,
            owner_id=args["owner_id"],
            source_namespace=args["source_namespace"],
            identity=args.get("identity", {}),
            image_repository=image_repository,
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-chart",
            name="external-dns",
            chart=CHART,
            version=args.get("version", VERSION),
            repository_opts={"repo": args.get("repository", REPOSITORY)},
            namespace=args.get("namespace", NAMESPACE),
            create_namespace=True,
            values=values,
            # A provider Secret is created in the chart's namespace, so after the chart: its pod waits
            # for it (kubelet retries a missing secretKeyRef or secret volume), and a wait for the
            # pod's readiness would wait for the Secret that waits for the release.
            skip_await=bool(provider.secrets),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # The namespace is the chart's (like cert-manager's): nothing in it holds data.
        self.namespace = self.release.namespace.apply(lambda ns: ns or args.get("namespace", NAMESPACE))
        for secret, data in provider.secrets.items():
            k8s.core.v1.Secret(
                f"{name}-{secret}",
                metadata={"name": secret, "namespace": self.namespace},
                string_data=dict(data),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"namespace": self.namespace})
