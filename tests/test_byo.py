"""Bring your own: external MySQL, S3-compatible storage, any V2 registry, mirrors and OAuth providers, mixed freely."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from gitpod_refarch.program import main as program
from gitpod_refarch_tools.harness import PlanError, run_program
from gitpod_refarch_tools.render import installer_checks, render_json
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, installer_config, secrets_in

DB = {"database.mode": "external", "database.external.host": "mysql.internal", "database.external.caCert": "-----BEGIN CERTIFICATE-----CA"}
DB_SECRET = {"database.external.password": "db-pa55word"}
S3 = {
    "storage.mode": "external",
    "storage.external.endpoint": "minio.internal:9000",
    "storage.external.bucket": "gitpod",
    "storage.external.region": "us-east-1",
}
S3_SECRET = {"storage.external.accessKeyId": "AKIAEXAMPLE", "storage.external.secretAccessKey": "s3-secret-key"}
REGISTRY = {"registry.kind": "external", "registry.external.url": "registry.example.com/gitpod", "registry.external.username": "gitpod"}
REGISTRY_SECRET = {"registry.external.password": "registry-pa55"}
ALL_SECRETS = ("db-pa55word", "AKIAEXAMPLE", "s3-secret-key", "registry-pa55")


def test_external_everything_on_an_existing_cluster(plan_stack):
    plan = plan_stack("local", {**DB, **S3, **REGISTRY}, {**DB_SECRET, **S3_SECRET, **REGISTRY_SECRET})
    config = installer_config(plan)
    assert config["database"] == {
        "inCluster": False,
        "external": {"certificate": {"kind": "secret", "name": "database"}},
        "ssl": {"caCert": {"kind": "secret", "name": "database-ca"}},
    }
    assert config["objectStorage"]["inCluster"] is False
    assert config["objectStorage"]["s3"]["endpoint"] == "minio.internal:9000"
    assert config["objectStorage"]["s3"]["allowInsecureConnection"] is False
    assert config["metadata"]["region"] == "us-east-1"
    assert config["containerRegistry"]["inCluster"] is False
    assert config["containerRegistry"]["external"]["url"] == "registry.example.com/gitpod"
    secrets = secrets_in(plan)
    assert secrets["database"]["host"] == "mysql.internal" and secrets["database"]["port"] == "3306"
    assert secrets["database"]["password"] == "db-pa55word"
    assert secrets["storage-s3"] == {"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3-secret-key"}
    assert list(json.loads(secrets["container-registry"][".dockerconfigjson"])["auths"]) == ["registry.example.com"]
    assert installer_checks(plan) == []
    text = render_json(plan)
    assert not [s for s in ALL_SECRETS if s in text]


def test_each_concern_picks_its_mode_independently(plan_stack):
    plan = plan_stack("local", {**DB}, {**DB_SECRET})
    config = installer_config(plan)
    assert config["database"]["inCluster"] is False
    assert config["objectStorage"]["inCluster"] is True
    assert config["containerRegistry"]["inCluster"] is True
    assert installer_checks(plan) == []


def test_insecure_storage_connection_only_when_asked(plan_stack):
    plan = plan_stack("local", {**S3, "storage.external.allowInsecureConnection": "true"}, S3_SECRET)
    assert installer_config(plan)["objectStorage"]["s3"]["allowInsecureConnection"] is True


def test_in_cluster_registry_on_any_s3_compatible_bucket(plan_stack):
    s3 = {
        "registry.kind": "s3",
        "registry.s3.endpoint": "minio.internal:9000",
        "registry.s3.bucket": "images",
        "registry.s3.region": "us-east-1",
    }
    plan = plan_stack("local", s3, {"registry.s3.accessKeyId": "reg-ak", "registry.s3.secretAccessKey": "reg-sk"})
    config = installer_config(plan)
    assert config["containerRegistry"]["inCluster"] is True
    assert config["containerRegistry"]["s3storage"]["bucket"] == "images"
    assert secrets_in(plan)["container-registry-s3-backend"] == {"s3AccessKey": "reg-ak", "s3SecretKey": "reg-sk"}
    assert installer_checks(plan) == []


#: What a target creates for its own registry kinds; none of it may appear for the generic `s3` kind.
CLOUD_REGISTRIES = ("gitpod:index:ArtifactRegistry", "gitpod:index:ContainerRegistry", "gitpod:index:S3Bucket")


@pytest.mark.parametrize("stack", ["local", "gcp", "azure"])
def test_the_in_cluster_registry_on_your_s3_bucket_plans_on_every_target_without_a_bucket_of_its_own(plan_stack, stack):
    """docs/configuration.md: kind `s3` is "created on aws, your bucket elsewhere" (GKE and AKS included)."""
    s3 = {
        "registry.kind": "s3",
        "registry.s3.endpoint": "s3.eu-west-1.amazonaws.com",
        "registry.s3.bucket": "images",
        "registry.s3.region": "eu-west-1",
    }
    plan = plan_stack(stack, s3, {"registry.s3.accessKeyId": "reg-ak", "registry.s3.secretAccessKey": "reg-sk"})
    registry = installer_config(plan)["containerRegistry"]
    assert registry["inCluster"] is True
    assert registry["s3storage"] == {
        "bucket": "images",
        "region": "eu-west-1",
        "endpoint": "s3.eu-west-1.amazonaws.com",
        "certificate": {"kind": "secret", "name": "container-registry-s3-backend"},
    }
    assert secrets_in(plan)["container-registry-s3-backend"] == {"s3AccessKey": "reg-ak", "s3SecretKey": "reg-sk"}
    assert not [r.type for r in plan.resources if r.type in CLOUD_REGISTRIES]
    assert installer_checks(plan) == []
    assert "reg-sk" not in render_json(plan)


@pytest.mark.parametrize("stack", ["gcp", "azure"])
def test_a_managed_cluster_can_keep_images_in_your_external_storage_bucket(plan_stack, stack):
    plan = plan_stack(stack, {**S3, "registry.kind": "s3", "registry.reuseStorageBucket": "true"}, S3_SECRET)
    config = installer_config(plan)
    assert config["containerRegistry"]["s3storage"]["bucket"] == config["objectStorage"]["s3"]["bucket"] == "gitpod"
    assert secrets_in(plan)["container-registry-s3-backend"] == {"s3AccessKey": "AKIAEXAMPLE", "s3SecretKey": "s3-secret-key"}
    assert not [r.type for r in plan.resources if r.type in CLOUD_REGISTRIES]
    assert installer_checks(plan) == []


def test_reusing_a_managed_clouds_own_storage_is_refused_before_anything_is_created(plan_stack):
    """GCS is not S3: only an external (S3-compatible) storage bucket can hold the registry's images on GKE."""
    with pytest.raises(PlanError) as error:
        plan_stack("gcp", {"registry.kind": "s3", "registry.reuseStorageBucket": "true"})
    assert error.value.lines[1:] == [
        "gitpod:registry.reuseStorageBucket: needs gitpod:storage.mode 'external' (an S3-compatible bucket) to reuse."
    ]


def test_registry_can_reuse_the_storage_bucket(plan_stack):
    plan = plan_stack("local", {**S3, "registry.kind": "s3", "registry.reuseStorageBucket": "true"}, S3_SECRET)
    config = installer_config(plan)
    assert config["containerRegistry"]["s3storage"]["bucket"] == config["objectStorage"]["s3"]["bucket"] == "gitpod"
    assert installer_checks(plan) == []


def test_ecr_is_refused_even_as_an_external_url(plan_stack):
    with pytest.raises(PlanError) as error:
        plan_stack("local", {**REGISTRY, "registry.external.url": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/gitpod"}, REGISTRY_SECRET)
    [line] = error.value.lines[1:]
    # The registry's password makes all of gitpod:registry secret, so no value of it is quoted back.
    assert line.startswith("gitpod:registry.external.url: (value withheld: this key holds a secret) is an Amazon ECR registry.")


@pytest.mark.parametrize(
    ("url", "product"), [("acme.jfrog.io/docker-local", "Artifactory"), ("nexus.example.com:8443/gitpod", "Sonatype Nexus")]
)
def test_limited_registries_warn_to_precreate_repositories(plan_stack, url, product):
    plan = plan_stack("local", {**REGISTRY, "registry.external.url": url}, REGISTRY_SECRET)
    warning = next(w for w in plan.warnings if w.startswith("gitpod:registry.external.url"))
    assert f"{product} has only 'limited support'" in warning
    assert f"{url}/base-images and {url}/workspace-images" in warning


def test_google_registries_split_url_and_server(plan_stack):
    gar = {**REGISTRY, "registry.external.url": "europe-west1-docker.pkg.dev/proj/gitpod", "registry.external.username": "_json_key"}
    plan = plan_stack("local", gar, REGISTRY_SECRET)
    assert installer_config(plan)["containerRegistry"]["external"]["url"] == "europe-west1-docker.pkg.dev/proj/gitpod"
    assert list(json.loads(secrets_in(plan)["container-registry"][".dockerconfigjson"])["auths"]) == ["europe-west1-docker.pkg.dev"]
    with pytest.raises(PlanError) as error:
        plan_stack("local", {**gar, "registry.external.server": "europe-west1-docker.pkg.dev/proj"}, REGISTRY_SECRET)
    assert "Google registries authenticate by bare host" in "\n".join(error.value.lines)


def test_air_gapped_mirror_for_gitpod_and_cert_manager(plan_stack):
    plan = plan_stack(
        "local",
        {
            "installer.repository": "mirror.example.com/gitpod",
            "installer.imagePullSecrets[0].server": "mirror.example.com",
            "installer.imagePullSecrets[0].username": "puller",
            "certManager.imageRepository": "mirror.example.com/jetstack",
            "certManager.chart": "oci://mirror.example.com/charts/cert-manager",
        },
        {"installer.imagePullSecrets[0].password": "pull-pa55"},
    )
    config = installer_config(plan)
    assert config["repository"] == "mirror.example.com/gitpod"
    assert config["imagePullSecrets"] == [{"kind": "secret", "name": "image-pull-mirror-example-com"}]
    release = plan.one("kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart")
    assert release.inputs["chart"] == "oci://mirror.example.com/charts/cert-manager"
    values = release.inputs["values"]
    assert values["image"]["repository"] == "mirror.example.com/jetstack/cert-manager-controller"
    assert values["webhook"]["image"]["repository"] == "mirror.example.com/jetstack/cert-manager-webhook"
    assert values["acmesolver"]["image"]["repository"] == "mirror.example.com/jetstack/cert-manager-acmesolver"
    assert installer_checks(plan) == []
    assert "pull-pa55" not in render_json(plan)
    assert "gitpod:installer.repository" not in {w.split(":")[0] + ":" + w.split(":")[1] for w in plan.warnings}


def test_oauth_providers_for_every_supported_scm(plan_config):
    providers = [
        {"type": "GitHub", "clientId": "gh", "clientSecret": "gh-secret"},
        {"type": "GitLab", "clientId": "gl", "clientSecret": "gl-secret"},
        {"type": "Bitbucket", "clientId": "bb", "clientSecret": "bb-secret"},
        {"type": "GitHub", "host": "github.example.com", "clientId": "ghe", "clientSecret": "ghe-secret"},
        {"type": "GitLab", "host": "gitlab.example.com", "clientId": "glsm", "clientSecret": "glsm-secret"},
        {"type": "BitbucketServer", "host": "bitbucket.example.com", "clientId": "bbs", "clientSecret": "bbs-secret"},
    ]
    plan = plan_config({"domain": "gitpod.example.com", "authProviders": providers}, {"authProviders"})
    config = installer_config(plan)
    assert len(config["authProviders"]) == 6
    hosts = ["github.com", "gitlab.com", "bitbucket.org", "github.example.com", "gitlab.example.com", "bitbucket.example.com"]
    assert plan.outputs["oauthCallbackUrls"] == {h: f"https://gitpod.example.com/auth/{h}/callback" for h in hosts}
    secrets = secrets_in(plan)
    server = yaml.safe_load(secrets["auth-provider-bitbucket-example-com"]["provider"])
    assert server["type"] == "BitbucketServer" and server["oauth"]["clientSecret"] == "bbs-secret"
    assert installer_checks(plan) == []
    assert "secret" not in json.dumps(
        [r["inputs"] for r in json.loads(render_json(plan))["resources"] if r["type"] == "kubernetes:core/v1:Secret"]
    ).replace('"[secret]"', "")


def test_without_oauth_providers_the_config_is_still_valid(plan_stack):
    plan = plan_stack("local")
    assert installer_config(plan)["authProviders"] == []
    assert "oauthCallbackUrls" not in plan.outputs
    assert installer_checks(plan) == []


def test_oauth_provider_problems_are_reported(plan_config):
    with pytest.raises(PlanError) as error:
        plan_config(
            {
                "domain": "gitpod.example.com",
                "authProviders": [{"type": "BitbucketServer", "clientId": "x"}, {"type": "Gitea", "clientId": "y", "clientSecret": "z"}],
            },
            {"authProviders"},
        )
    lines = error.value.lines
    assert any(
        line.startswith("gitpod:authProviders[0].host: is required but not set. Bitbucket Server has no public host") for line in lines
    )
    assert any(line.startswith("gitpod:authProviders[0].clientSecret: is required") for line in lines)
    assert any(
        line.startswith(
            "gitpod:authProviders[1].type: (value withheld: this key holds a secret) is not allowed "
            "(allowed: GitHub, GitLab, Bitbucket, BitbucketServer)"
        )
        for line in lines
    )


def test_oauth_client_secrets_must_be_secret_config(plan_config):
    with pytest.raises(PlanError) as error:
        plan_config({"domain": "gitpod.example.com", "authProviders": [{"type": "GitHub", "clientId": "x", "clientSecret": "plain"}]})
    assert any("gitpod:authProviders[0].clientSecret: holds a credential but is stored in plain text" in line for line in error.value.lines)


DOC = ROOT / "docs" / "bring-your-own.md"
SECRET_COMMAND = re.compile(r"pulumi config set --path --secret '?([\w.\[\]]+)'? ")


#: Secrets whose format is checked get a sample of the right shape (still never printed).
SAMPLE_SECRETS = {
    "encryptionKey": "ZXhhbXBsZS1zZWNyZXQtZXhhbXBsZS1zZWNyZXQtMzI=",
    "httpProxy": "http://example-secret@proxy.example.com:3128",
}


def doc_examples() -> dict[str, tuple[dict, list[str]]]:
    """Every `# example: NAME` YAML block of the guide, with the secret keys its comments set."""
    examples = {}
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL):
        name = re.match(r"# example: (\S+)", block)
        if name:
            examples[name.group(1)] = (yaml.safe_load(block), SECRET_COMMAND.findall(block))
    return examples


def test_the_guide_has_an_example_per_mode():
    assert set(doc_examples()) == {
        "external-mysql",
        "external-s3",
        "external-registry",
        "s3-registry",
        "air-gapped",
        "oauth-providers",
        "proxy-enterprise",
        "kots-migration",
    }


@pytest.mark.parametrize("name", sorted(doc_examples()))
def test_every_example_in_the_guide_plans_cleanly(tmp_path, name):
    document, secret_keys = doc_examples()[name]
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "stacks" / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(document))
    values = {key: SAMPLE_SECRETS.get(key.rsplit(".", 1)[-1], "example-secret") for key in secret_keys}
    project, config = build_config(tmp_path, name, secret_overrides=[f"{key}={value}" for key, value in values.items()])
    plan = run_program(program, config.values, config.secret_keys, project=project, stack=name)
    assert installer_checks(plan) == []
    text = render_json(plan)
    assert not [value for value in values.values() if value in text]


@pytest.mark.parametrize(
    ("stack", "managed"),
    [
        ("gcp", {"storage": "cloudStorage"}),
        ("aws", {"storage": "s3"}),
        ("azure", {"storage": "azure"}),
    ],
)
def test_managed_clouds_mix_with_your_own_database_and_registry(plan_stack, stack, managed):
    """E.g. GKE with an external MySQL and an Artifactory registry: the cloud builds only the rest."""
    registry = {**REGISTRY, "registry.external.url": "acme.jfrog.io/gitpod-docker"}
    plan = plan_stack(stack, {**DB, **registry}, {**DB_SECRET, **REGISTRY_SECRET})
    config = installer_config(plan)
    assert config["database"]["external"] == {"certificate": {"kind": "secret", "name": "database"}}
    assert config["containerRegistry"]["external"]["url"] == "acme.jfrog.io/gitpod-docker"
    assert managed["storage"] in config["objectStorage"]
    assert secrets_in(plan)["database"]["host"] == "mysql.internal"
    managed_db_types = ("gcp:sql/databaseInstance:DatabaseInstance", "aws:rds/instance:Instance", "azure-native:dbformysql:Server")
    assert not [r for r in plan.resources if r.type in managed_db_types], "a managed database was created anyway"
    assert any("Artifactory has only 'limited support'" in w for w in plan.warnings)
    assert installer_checks(plan) == []
    assert not [s for s in ALL_SECRETS if s in render_json(plan)]
