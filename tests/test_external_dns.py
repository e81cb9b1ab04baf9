"""Gitpod's records: external-dns on every stack with a managed zone, its identity scoped to the zone."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest

from gitpod_refarch.externaldns import NAMESPACE, PROXY_LABELS, TXT_PREFIX, VERSION
from gitpod_refarch.externaldns.component import CLOUDFLARE_SECRET, CLOUDFLARE_SECRET_KEY
from gitpod_refarch_tools.harness import Plan, PlanError, Registration

from .conftest import plan_stack_file, secrets_in, unwrap

RELEASE = "kubernetes:helm.sh/v3:Release"
CLOUDFLARE = {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare"}
TOKEN = {"certificate.cloudflare.apiToken": "cf-token-value"}


@functools.cache
def plan_of(stack: str, *config: tuple[str, str]) -> Plan:
    secrets = TOKEN if ("certificate.dns01", "cloudflare") in config else {}
    return plan_stack_file(stack, dict(config), secrets)


def release(plan: Plan) -> Registration:
    (found,) = [r for r in plan.by_type(RELEASE) if r.inputs["chart"] == "external-dns"]
    return found


def values(plan: Plan) -> dict[str, Any]:
    return unwrap(release(plan).inputs["values"])


def named(plan: Plan, type_token: str, name: str) -> Registration:
    (found,) = [r for r in plan.by_type(type_token) if r.name == name]
    return found


# -- the release, the same on every cloud --------------------------------------------------------
@pytest.mark.parametrize(
    ("stack", "provider", "zone"),
    [("aws", "aws", "gitpod.example.com"), ("gcp", "google", "gitpod.example.com"), ("azure", "azure", "gitpod.example.com")],
)
def test_every_managed_zone_gets_external_dns_for_the_proxy_service(stack, provider, zone):
    plan = plan_of(stack)
    chart = release(plan)
    assert chart.inputs["version"] == VERSION
    assert chart.inputs["repositoryOpts"] == {"repo": "https://kubernetes-sigs.github.io/external-dns/"}
    assert chart.inputs["namespace"] == NAMESPACE
    assert chart.inputs["skipAwait"] is (stack == "azure")  # only the Azure config Secret comes after the chart
    v = values(plan)
    assert v["provider"] == {"name": provider}
    # Only the installer's annotated proxy Service, only in Gitpod's namespace (a Role there, no ClusterRole).
    assert v["sources"] == ["service"]
    assert (v["namespaced"], v["sourceNamespace"], v["labelFilter"]) == (True, "gitpod", PROXY_LABELS)
    assert v["domainFilters"] == [zone]
    assert (v["policy"], v["registry"], v["txtPrefix"]) == ("sync", "txt", TXT_PREFIX)
    assert v["txtOwnerId"] == f"gitpod-{stack}"
    assert v["extraArgs"]["txt-wildcard-replacement"] == "wildcard"
    # Namespaced RBAC cannot list Nodes; without this filter external-dns would wait for a Node informer forever.
    assert v["extraArgs"]["service-type-filter"] == "LoadBalancer"
    # The chart waits for Gitpod's namespace (its Role lives there); nothing of Gitpod's waits for the chart.
    assert plan.urn_of("gitpod-installer-namespace") in chart.depends_on
    assert not [r for r in plan.resources if chart.urn in r.depends_on and r.parent != chart.parent]


def test_txt_owner_id_differs_per_stack():
    assert values(plan_of("aws"))["txtOwnerId"] != values(plan_of("gcp"))["txtOwnerId"]


def test_the_proxy_labels_are_the_installers():
    # gitpod-io/gitpod@2022.11.3 install/installer/cmd/testdata/render/minimal/output.golden: the proxy
    # Service carries app=gitpod, component=proxy and the external-dns hostname annotation.
    assert dict(pair.split("=") for pair in PROXY_LABELS.split(",")) == {"app": "gitpod", "component": "proxy"}


# -- AWS: IRSA, the zone's ARN only ---------------------------------------------------------------
def test_aws_role_changes_records_in_the_zone_only():
    plan = plan_of("aws")
    policy = json.loads(named(plan, "aws:iam/rolePolicy:RolePolicy", "gitpod-cluster-external-dns-policy").inputs["policy"])
    by_action = {s["Action"]: s for s in policy["Statement"]}
    assert set(by_action) == {"route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"}
    change = by_action["route53:ChangeResourceRecordSets"]
    assert change["Resource"] == "${gitpod-dns-zone.arn}"
    assert change["Condition"] == {
        "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"]}
    }
    assert by_action["route53:ListResourceRecordSets"]["Resource"] == "${gitpod-dns-zone.arn}"
    # The one `*`: a read-only action that supports no resource.
    assert [s["Action"] for s in policy["Statement"] if s["Resource"] == "*"] == ["route53:ListHostedZones"]
    trust = json.loads(named(plan, "aws:iam/role:Role", "gitpod-cluster-external-dns").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"]["${gitpod-cluster-eks.oidcIssuer}:sub"] == (
        "system:serviceaccount:external-dns:external-dns"
    )
    v = values(plan)
    assert v["serviceAccount"] == {
        "name": "external-dns",
        "annotations": {"eks.amazonaws.com/role-arn": "${gitpod-cluster-external-dns.arn}"},
    }
    assert v["extraArgs"]["zone-id-filter"] == "${gitpod-dns-zone.zoneId}"
    assert v["extraArgs"]["aws-zone-type"] == "public"
    # Never starts with an empty role.
    assert plan.urn_of("gitpod-cluster-external-dns-policy") in release(plan).depends_on


def test_aws_existing_zone_scopes_the_role_to_it():
    plan = plan_of("aws", ("certificate.zone.create", "false"), ("certificate.zone.existingId", "Z0123456789ABCDEFGHIJ"))
    policy = json.loads(named(plan, "aws:iam/rolePolicy:RolePolicy", "gitpod-cluster-external-dns-policy").inputs["policy"])
    change = next(s for s in policy["Statement"] if s["Action"] == "route53:ChangeResourceRecordSets")
    assert change["Resource"] == "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
    assert values(plan)["extraArgs"]["zone-id-filter"] == "Z0123456789ABCDEFGHIJ"


# -- GCP: Workload Identity; dns.admin on the zone, dns.reader on the project ---------------------
def test_gcp_account_edits_the_zone_only():
    plan = plan_of("gcp")
    account = unwrap(named(plan, "gcp:serviceaccount/account:Account", "gitpod-gcp-external-dns-sa").inputs)
    sa = f"{account['accountId']}@{account['project']}.iam.gserviceaccount.com"
    assert account["accountId"] != unwrap(named(plan, "gcp:serviceaccount/account:Account", "gitpod-gcp-dns01-sa").inputs)["accountId"]
    zone = unwrap(named(plan, "gcp:dns/managedZone:ManagedZone", "gitpod-dns-zone").inputs)["name"]
    zone_grant = unwrap(named(plan, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember", "gitpod-dns-records-publisher").inputs)
    assert (zone_grant["managedZone"], zone_grant["role"], zone_grant["member"]) == (
        zone,
        "roles/dns.admin",
        f"serviceAccount:{sa}",
    )
    project_grants = [
        unwrap(r.inputs) for r in plan.by_type("gcp:projects/iAMMember:IAMMember") if unwrap(r.inputs)["member"] == f"serviceAccount:{sa}"
    ]
    assert [g["role"] for g in project_grants] == ["roles/dns.reader"]
    binding = unwrap(named(plan, "gcp:serviceaccount/iAMMember:IAMMember", "gitpod-gke-external-dns-workload-identity").inputs)
    assert binding["role"] == "roles/iam.workloadIdentityUser"
    assert binding["member"].endswith("[external-dns/external-dns]")
    v = values(plan)
    assert v["serviceAccount"]["annotations"] == {"iam.gke.io/gcp-service-account": sa}
    assert v["extraArgs"]["google-project"] == "my-gitpod-project"
    assert v["extraArgs"]["google-zone-visibility"] == "public"
    assert v["extraArgs"]["zone-id-filter"] == zone


# -- Azure: workload identity; DNS Zone Contributor on the zone, Reader on its group --------------
def test_azure_identity_edits_the_zone_only():
    plan = plan_of("azure")
    grants = {r.name: unwrap(r.inputs) for r in plan.by_type("azure-native:authorization:RoleAssignment") if "records" in r.name}
    contributor, reader = grants["gitpod-dns-records-dns"], grants["gitpod-dns-records-zone-reader"]
    assert contributor["scope"] == "${gitpod-dns-zone.id}"
    assert contributor["roleDefinitionId"].endswith("/befefa01-2a29-4197-83a8-272ff33ce314")  # DNS Zone Contributor
    assert reader["roleDefinitionId"].endswith("/acdd72a7-3385-48ef-bd42-f606fba81ae7")  # Reader
    assert reader["scope"].count("/") == 4 and "/resourceGroups/" in reader["scope"]
    principal = "${gitpod-azure-external-dns-identity.principalId}"
    assert contributor["principalId"] == reader["principalId"] == principal
    federation = unwrap(
        named(plan, "azure-native:managedidentity:FederatedIdentityCredential", "gitpod-cluster-external-dns-federation").inputs
    )
    assert federation["subject"] == "system:serviceaccount:external-dns:external-dns"
    v = values(plan)
    assert v["serviceAccount"]["annotations"] == {"azure.workload.identity/client-id": "${gitpod-azure-external-dns-identity.clientId}"}
    assert v["podLabels"] == {"azure.workload.identity/use": "true"}
    config = json.loads(secrets_in(plan, NAMESPACE)["external-dns-azure"]["azure.json"])
    assert config["useWorkloadIdentityExtension"] is True
    assert set(config) == {"subscriptionId", "resourceGroup", "useWorkloadIdentityExtension"}
    assert v["extraVolumeMounts"] == [{"name": "azure-config-file", "mountPath": "/etc/kubernetes", "readOnly": True}]


# -- Cloudflare (any target): the token as a Secret, never in the chart's values ------------------
@pytest.mark.parametrize("stack", ["local", "aws"])
def test_cloudflare_token_is_a_secret(stack):
    plan = plan_of(stack, *CLOUDFLARE.items())
    secret = next(r for r in plan.by_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == CLOUDFLARE_SECRET)
    assert unwrap(secret.inputs["stringData"]) == {CLOUDFLARE_SECRET_KEY: "cf-token-value"}
    assert secret.inputs["stringData"] != unwrap(secret.inputs["stringData"])  # a secret to the engine
    v = values(plan)
    assert v["provider"] == {"name": "cloudflare"}
    assert v["env"] == [{"name": "CF_API_TOKEN", "valueFrom": {"secretKeyRef": {"name": CLOUDFLARE_SECRET, "key": CLOUDFLARE_SECRET_KEY}}}]
    assert "cf-token-value" not in json.dumps(v)
    # In the chart's namespace, so after the chart; the release then cannot wait for the pod.
    assert release(plan).urn in secret.depends_on
    assert release(plan).inputs["skipAwait"] is True
    assert "serviceAccount" not in v or "annotations" not in v["serviceAccount"]
    if stack == "aws":
        assert not [r for r in plan.by_type("aws:iam/role:Role") if "external-dns" in r.name]


# -- off, and the refusals ------------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["aws", "gcp", "azure"])
def test_records_off_declares_no_external_dns_and_no_identity(stack):
    plan = plan_of(stack, ("certificate.zone.records", "false"))
    assert not [r for r in plan.by_type(RELEASE) if r.inputs["chart"] == "external-dns"]
    assert not [r for r in plan.resources if "external-dns" in r.name or "records" in r.name]


def test_self_signed_stack_has_no_records_by_default():
    assert not [r for r in plan_of("local").by_type(RELEASE) if r.inputs["chart"] == "external-dns"]


@pytest.mark.parametrize(
    ("stack", "config"),
    [
        ("local", {"certificate.zone.records": "true"}),
        ("aws", {"certificate.issuer": "selfsigned", "certificate.zone.records": "true"}),
    ],
)
def test_records_without_a_managed_zone_are_refused(stack, config):
    with pytest.raises(PlanError) as caught:
        plan_stack_file(stack, config)
    message = str(caught.value)
    assert "gitpod:certificate.zone.records" in message
    assert "gitpod:certificate.zone" in message and "certificate.zone.records false" in message
