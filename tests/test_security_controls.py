"""Issue 15, items 1-4: API exposure, control-plane logs, database TLS, least privilege and keys.

Each control is checked where it takes effect: the settings (warnings and key-naming errors) and
the resources the plan declares. docs/security.md lists the same controls with their status.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from gitpod_refarch.aws import settings as aws_settings
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings
from gitpod_refarch_tools import diff, render
from gitpod_refarch_tools.harness import Plan

from .conftest import installer_config, plan_stack_file, secrets_in, unwrap

PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
EKS = "aws:eks/cluster:Cluster"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
MYSQL_CONFIGURATION = "azure-native:dbformysql:Configuration"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """The EKS/RDS calendar is judged against today's date; pin it so results never drift."""
    monkeypatch.setattr(aws_settings, "today", lambda: date(2026, 11, 20))


def load(cloud: str, **config: Any):
    values = {"gitpod:domain": "gitpod.example.com", "gitpod:cloud": cloud}
    if cloud == "gcp":
        config = {"gcp": {"project": "my-gitpod-project"}} | config
    values |= {f"gitpod:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    # As `pulumi config set --secret --path database.external.password` stores it.
    return load_settings(ConfigSource(values, {"gitpod:database"}))


def errors(cloud: str, **config: Any) -> list[str]:
    with pytest.raises(SettingsError) as error:
        load(cloud, **config)
    return [str(p) for p in error.value.problems]


def warnings(cloud: str, **config: Any) -> dict[str, str]:
    return {f.key: f.message for f in load(cloud, **config).warnings}


def without(stack: str, section: str, key: str, config: dict[str, str] | None = None) -> Plan:
    """An example stack with one key of a section removed (overrides can only set values)."""
    from gitpod_refarch.program import main
    from gitpod_refarch_tools.harness import run_program
    from gitpod_refarch_tools.stackfile import build_config

    from .conftest import ROOT

    project, cfg = build_config(ROOT, stack, [f"{k}={v}" for k, v in (config or {}).items()])
    values = json.loads(cfg.values[f"gitpod:{section}"])
    del values[key]
    cfg.values[f"gitpod:{section}"] = json.dumps(values)
    return run_program(main, cfg.values, cfg.secret_keys, project=project, stack=stack)


# -- 1. API exposure ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cloud", "key", "closing"),
    [
        ("aws", "gitpod:aws.publicAccessCidrs", "gitpod:aws.privateEndpoint"),
        ("gcp", "gitpod:gcp.masterAuthorizedNetworks", "gitpod:gcp.privateEndpoint"),
        ("azure", "gitpod:azure.authorizedIpRanges", None),
    ],
)
def test_an_api_open_to_any_address_is_warned_naming_the_keys(cloud, key, closing):
    message = warnings(cloud)[key]
    assert "any address on the internet" in message and key in message
    assert (closing in message) if closing else ("privateEndpoint" not in message)


@pytest.mark.parametrize(
    ("cloud", "config"),
    [
        ("aws", {"aws": {"publicAccessCidrs": ["203.0.113.0/24"]}}),
        ("aws", {"aws": {"privateEndpoint": True}}),
        ("gcp", {"gcp": {"project": "p", "masterAuthorizedNetworks": ["203.0.113.0/24"]}}),
        ("gcp", {"gcp": {"project": "p", "privateEndpoint": True}}),
        ("azure", {"azure": {"authorizedIpRanges": ["203.0.113.0/24"]}}),
    ],
)
def test_a_restricted_or_private_api_is_not_warned(cloud, config):
    assert not [k for k in warnings(cloud, **config) if k.endswith(("publicAccessCidrs", "masterAuthorizedNetworks", "authorizedIpRanges"))]


def test_an_allowlist_of_everything_is_still_warned():
    assert "gitpod:aws.publicAccessCidrs" in warnings("aws", aws={"publicAccessCidrs": ["10.0.0.0/8", "0.0.0.0/0"]})


def test_any_address_next_to_a_private_endpoint_is_refused():
    assert errors("gcp", gcp={"project": "p", "privateEndpoint": True, "masterAuthorizedNetworks": ["0.0.0.0/0"]}) == [
        "gitpod:gcp.masterAuthorizedNetworks: lists 0.0.0.0/0 while gitpod:gcp.privateEndpoint is true: a private endpoint "
        "exists to keep the API off the internet, and 0.0.0.0/0 admits every address. Fix: list the networks that may reach "
        "the API (e.g. your VPN's 203.0.113.0/24), or remove the key."
    ]
    (problem,) = errors("aws", aws={"privateEndpoint": True, "publicAccessCidrs": ["0.0.0.0/0"]})
    assert problem.startswith("gitpod:aws.publicAccessCidrs: lists 0.0.0.0/0 while gitpod:aws.privateEndpoint is true")


def test_eks_allowlists_only_apply_to_the_public_endpoint():
    (problem,) = errors("aws", aws={"privateEndpoint": True, "publicAccessCidrs": ["203.0.113.0/24"]})
    assert problem.startswith("gitpod:aws.publicAccessCidrs: is set while gitpod:aws.privateEndpoint is true")


def test_a_gke_private_endpoint_needs_private_nodes():
    (problem,) = errors("gcp", gcp={"project": "p", "privateEndpoint": True, "privateNodes": False})
    assert problem.startswith("gitpod:gcp.privateEndpoint: true needs private nodes")


@pytest.mark.parametrize(
    ("cloud", "config", "expected"),
    [
        ("aws", {"aws": {"publicAccessCidrs": ["203.0.113.7/24"]}}, "gitpod:aws.publicAccessCidrs: '203.0.113.7/24' is not an IPv4 CIDR"),
        (
            "gcp",
            {"gcp": {"project": "p", "masterAuthorizedNetworks": ["office"]}},
            "gitpod:gcp.masterAuthorizedNetworks: 'office' is not valid",
        ),
        ("azure", {"azure": {"authorizedIpRanges": ["10.0.0.0/33"]}}, "gitpod:azure.authorizedIpRanges: '10.0.0.0/33' is not an IPv4"),
    ],
)
def test_a_range_that_is_not_a_cidr_names_the_key(cloud, config, expected):
    (problem,) = errors(cloud, **config)
    assert problem.startswith(expected)


def test_every_example_stack_shows_a_restricted_range_and_plans_without_the_warning():
    for stack, key in (("aws", "publicAccessCidrs"), ("gcp", "masterAuthorizedNetworks"), ("azure", "authorizedIpRanges")):
        plan = plan_stack_file(stack)
        assert not [w for w in plan.warnings if key in w], stack


def test_eks_private_endpoint_turns_public_access_off_in_place():
    base, private = plan_stack_file("aws"), without("aws", "aws", "publicAccessCidrs", {"aws.privateEndpoint": "true"})
    vpc = unwrap(private.one(EKS).inputs)["vpcConfig"]
    assert (vpc["endpointPublicAccess"], vpc["endpointPrivateAccess"], "publicAccessCidrs" in vpc) == (False, True, False)
    assert unwrap(base.one(EKS).inputs)["vpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]
    result = diff.diff_plans(render.to_json(base), render.to_json(private))
    assert result.changed and result.disruptions == [] and not result.flagged


# -- 2. logs ------------------------------------------------------------------------------------------
def test_eks_sends_api_audit_and_authenticator_logs_to_a_group_made_first():
    plan = plan_stack_file("aws", {"aws.logRetentionDays": "365"})
    cluster = plan.one(EKS)
    assert unwrap(cluster.inputs)["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    group = plan.one(LOG_GROUP)
    assert unwrap(group.inputs) == {"name": "/aws/eks/gitpod/cluster", "retentionInDays": 365}
    assert group.urn in cluster.depends_on  # before EKS could create it without a retention


def test_log_retention_must_be_one_cloudwatch_offers():
    (problem,) = errors("aws", aws={"logRetentionDays": 100})
    assert problem.startswith("gitpod:aws.logRetentionDays: 100 is not a retention CloudWatch Logs offers (allowed: 1, 3, 5")
    assert load("aws").cloud_settings.log_retention_days == 90


def test_secure_boot_warns_with_shiftfs_only():
    assert "gitpod:gcp.secureBoot" in warnings("gcp", installer={"fsShiftMethod": "shiftfs"})
    assert "gitpod:gcp.secureBoot" not in warnings("gcp")
    assert "gitpod:gcp.secureBoot" not in warnings("gcp", gcp={"project": "p", "secureBoot": False}, installer={"fsShiftMethod": "shiftfs"})


# -- 3. database TLS ----------------------------------------------------------------------------------
def test_a_ca_makes_rds_require_tls_and_gitpod_connect_with_it():
    plan = plan_stack_file("aws", {"database.caCert": PEM})
    group = unwrap(plan.one(PARAMETER_GROUP).inputs)
    assert {"name": "require_secure_transport", "value": "1", "applyMethod": "immediate"} in group["parameters"]
    assert installer_config(plan)["database"]["ssl"] == {"caCert": {"kind": "secret", "name": "database-ca"}}
    assert secrets_in(plan)["database-ca"] == {"ca.crt": PEM}
    # Without a CA nothing changes: no TLS requirement Gitpod could not meet.
    plain = plan_stack_file("aws")
    assert "require_secure_transport" not in json.dumps(unwrap(plain.one(PARAMETER_GROUP).inputs))
    assert "ssl" not in installer_config(plain)["database"]


def test_a_ca_keeps_flexible_server_requiring_tls():
    def transport(plan: Plan) -> str:
        (config,) = [c for c in plan.by_type(MYSQL_CONFIGURATION) if c.inputs["configurationName"] == "require_secure_transport"]
        return config.inputs["value"]

    with_ca = plan_stack_file("azure", {"database.caCert": PEM})
    assert transport(with_ca) == "ON"
    assert installer_config(with_ca)["database"]["ssl"] == {"caCert": {"kind": "secret", "name": "database-ca"}}
    assert transport(plan_stack_file("azure")) == "OFF"
    assert transport(plan_stack_file("azure", {"database.caCert": PEM, "database.requireTls": "false"})) == "OFF"


@pytest.mark.parametrize(
    ("cloud", "database", "fix"),
    [
        ("aws", {"mode": "incluster", "requireTls": True}, "use a managed or external database"),
        ("azure", {"mode": "managed", "requireTls": True}, "set gitpod:database.caCert"),
        ("aws", {"mode": "external", "requireTls": True, "external": {"host": "db.example.com", "password": "p"}}, "external.caCert"),
    ],
)
def test_tls_required_with_a_database_that_has_no_ca_is_refused(cloud, database, fix):
    config: dict[str, Any] = {"database": database}
    if cloud == "aws" and database["mode"] != "managed":
        config |= {"storage": {"mode": "incluster"}, "registry": {"kind": "incluster"}}
    problems = [p for p in errors(cloud, **config) if p.startswith("gitpod:database.requireTls")]
    assert len(problems) == 1 and fix in problems[0] and "Gitpod 2022.11 connects with TLS only when it has one" in problems[0]


def test_cloud_sql_needs_no_ca_and_refuses_one():
    assert not [k for k in warnings("gcp", database={"mode": "managed", "requireTls": True}) if "requireTls" in k]
    (problem,) = errors("gcp", database={"mode": "managed", "caCert": PEM})
    assert problem.startswith("gitpod:database.caCert: is not used on GKE")


def test_a_ca_that_is_not_pem_is_refused():
    (problem,) = errors("aws", database={"mode": "managed", "caCert": "global-bundle.pem"})
    assert problem.startswith("gitpod:database.caCert: is not a PEM certificate bundle")


# -- 4. least privilege and keys ------------------------------------------------------------------------
def test_key_creation_dates_are_outputs():
    aws_plan, gcp_plan = plan_stack_file("aws"), plan_stack_file("gcp")
    assert aws_plan.outputs["keyCreated"] == {
        "storage": "${gitpod-storage-access-key.createDate}",
        "registry": "${gitpod-registry-access-key.createDate}",
    }
    assert set(gcp_plan.outputs["keyCreated"]) == {"database", "storage", "registry"}
    assert all(str(v).endswith(".validAfter}") for v in gcp_plan.outputs["keyCreated"].values())


@pytest.mark.parametrize(
    ("stack", "key", "keys"),
    [
        ("aws", "aws.keyRotation", {"gitpod-storage-access-key", "gitpod-registry-access-key"}),
        ("gcp", "gcp.keyRotation", {"gitpod-cloudsql-client-key", "gitpod-gcs-key", "gitpod-registry-writer-key"}),
    ],
)
def test_a_new_rotation_value_replaces_every_forced_key(stack, key, keys):
    base = render.to_json(plan_stack_file(stack))
    rotated = render.to_json(plan_stack_file(stack, {key: "2026-12"}))
    result = diff.diff_plans(base, rotated)
    replaced = {r.name: r for r in result.replaced}
    assert keys <= set(replaced)
    assert all("replacementTrigger" in replaced[k].fields for k in keys)
    # The only other replacements: the installer Secrets holding the new keys.
    assert {r.type for r in result.replaced if r.name not in keys} == {"kubernetes:core/v1:Secret"}
    assert not result.flagged
