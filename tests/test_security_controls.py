"""Issue 15, items 1-4: API exposure, control-plane logs, database TLS, least privilege and keys.

Each control is checked where it takes effect: the settings (warnings and key-naming errors) and
the resources the plan declares. docs/security.md lists the same controls with their status.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from gitpod_refarch import dbtls
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
def _require_secure_transport(plan: Plan) -> str | None:
    """The value the stack gives `require_secure_transport` (RDS parameter group or Flexible Server configuration)."""
    for group in plan.by_type(PARAMETER_GROUP):
        return next((p["value"] for p in unwrap(group.inputs)["parameters"] if p["name"] == "require_secure_transport"), None)
    (config,) = [c for c in plan.by_type(MYSQL_CONFIGURATION) if c.inputs["configurationName"] == "require_secure_transport"]
    return config.inputs["value"]


def _database_ca(plan: Plan) -> str | None:
    """The CA Gitpod's clients get: the `database-ca` Secret, and the installer config pointing at it."""
    ssl = installer_config(plan)["database"].get("ssl")
    ca = secrets_in(plan).get("database-ca", {}).get("ca.crt")
    assert (ssl == {"caCert": {"kind": "secret", "name": "database-ca"}}) == (ca is not None)
    return ca


@pytest.mark.parametrize(
    ("stack", "roots", "on"), [("aws", dbtls.rds_roots("eu-west-1"), "1"), ("azure", dbtls.flexible_server_roots(), "ON")]
)
def test_managed_databases_use_the_shipped_roots_and_require_tls_by_default(stack, roots, on):
    plan = plan_stack_file(stack)
    assert roots is not None and _database_ca(plan) == roots
    assert _require_secure_transport(plan) == on
    if stack == "aws":
        group = unwrap(plan.one(PARAMETER_GROUP).inputs)
        assert {"name": "require_secure_transport", "value": "1", "applyMethod": "immediate"} in group["parameters"]


@pytest.mark.parametrize(("stack", "on"), [("aws", "1"), ("azure", "ON")])
def test_a_given_ca_wins_over_the_shipped_roots(stack, on):
    plan = plan_stack_file(stack, {"database.caCert": PEM})
    assert _database_ca(plan) == PEM and _require_secure_transport(plan) == on


@pytest.mark.parametrize(("stack", "off"), [("aws", None), ("azure", "OFF")])
def test_require_tls_false_keeps_tls_for_gitpod_but_lets_the_server_accept_plain_connections(stack, off):
    plan = plan_stack_file(stack, {"database.requireTls": "false"})
    assert _database_ca(plan) is not None and _require_secure_transport(plan) == off


@pytest.mark.parametrize("region", ["ap-east-2", "us-gov-west-1"])
def test_an_rds_region_the_shipped_roots_do_not_cover_needs_a_ca_or_requiretls_false(region):
    aws = {"aws": {"region": region}}
    (problem,) = errors("aws", database={"mode": "managed"}, **aws)
    assert problem.startswith(f"gitpod:database.caCert: has no default in gitpod:aws.region '{region}'")
    assert "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html" in problem
    assert f"https://truststore.pki.rds.amazonaws.com/{region}/{region}-bundle.pem" in problem
    assert "gitpod:database.requireTls to false" in problem
    plain = load("aws", database={"mode": "managed", "requireTls": False}, **aws).database
    assert plain.ca_cert is None and not plain.tls_required
    given = load("aws", database={"mode": "managed", "caCert": PEM}, **aws).database
    assert given.ca_cert == PEM and given.tls_required


def test_the_shipped_roots_are_only_a_managed_aws_or_azure_default():
    assert "database-ca" not in secrets_in(plan_stack_file("gcp"))
    for cloud in ("aws", "azure"):
        config: dict[str, Any] = {"database": {"mode": "incluster"}}
        if cloud == "aws":
            config |= {"storage": {"mode": "incluster"}, "registry": {"kind": "incluster"}}
        db = load(cloud, **config).database
        assert db.ca_cert is None and not db.tls_required
    external = load("aws", database={"mode": "external", "external": {"host": "db.example.com", "password": "p"}}).database
    assert external.ca_cert is None and not external.tls_required


@pytest.mark.parametrize("key", ["caCert", "external.caCert"])
def test_a_ca_too_large_for_an_environment_variable_is_refused(key):
    """Gitpod passes the CA as DB_CA_CERT; the whole RDS global bundle (~156 kB) is over Linux's 128 KiB per string."""
    bundle = dbtls.RDS.pem()
    assert len(bundle) > dbtls.MAX_ENV_STRING
    database: dict[str, Any] = {"mode": "managed", "caCert": bundle}
    if key == "external.caCert":
        database = {"mode": "external", "external": {"host": "db.example.com", "password": "p", "caCert": bundle}}
    problems = [p for p in errors("aws", database=database) if "MAX_ARG_STRLEN" in p]
    assert len(problems) == 1 and problems[0].startswith(f"gitpod:database.{key}: is {len(bundle)} bytes")


@pytest.mark.parametrize(
    ("cloud", "database", "fix"),
    [
        ("aws", {"mode": "incluster", "requireTls": True}, "use a managed or external database"),
        ("aws", {"mode": "managed", "requireTls": True}, "set gitpod:database.caCert"),
        ("aws", {"mode": "external", "requireTls": True, "external": {"host": "db.example.com", "password": "p"}}, "external.caCert"),
    ],
)
def test_tls_required_with_a_database_that_has_no_ca_is_refused(cloud, database, fix):
    config: dict[str, Any] = {"database": database}
    if cloud == "aws" and database["mode"] != "managed":
        config |= {"storage": {"mode": "incluster"}, "registry": {"kind": "incluster"}}
    if database["mode"] == "managed":
        config |= {"aws": {"region": "us-gov-west-1"}}  # a region the shipped roots do not cover: no default CA
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
