"""Each target declares once what it offers; settings validation and the build read the same declaration."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from gitpod_refarch import architecture, clouds
from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings

if TYPE_CHECKING:
    from gitpod_refarch.aws.platform import AwsPlatform
    from gitpod_refarch.aws.settings import AwsSettings
    from gitpod_refarch.azure.platform import AzurePlatformInfo
    from gitpod_refarch.azure.settings import AzureSettings
    from gitpod_refarch.gcp.platform import GcpPlatform
    from gitpod_refarch.gcp.settings import GcpSettings

SDKS = {"gcp": "pulumi_gcp", "aws": "pulumi_aws", "azure": "pulumi_azure_native"}
CONCERNS = {"databases": "database", "storages": "storage", "registries": "registry", "dns01": "dns"}


def loaded_modules(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has imported after running `code`."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("cloud", sorted(SDKS))
def test_a_clouds_offer_and_settings_import_no_cloud_sdk(cloud):
    modules = loaded_modules(f"import gitpod_refarch.{cloud}.settings, gitpod_refarch.{cloud}\nassert gitpod_refarch.{cloud}.OFFER")
    assert not modules & set(SDKS.values()), sorted(modules & set(SDKS.values()))


@pytest.mark.parametrize("cloud", sorted(SDKS))
def test_validating_a_clouds_settings_imports_no_cloud_sdk(cloud):
    config = {"gitpod:cloud": cloud, "gitpod:domain": "gitpod.example.com", "gitpod:gcp": json.dumps({"project": "p"})}
    if cloud != "gcp":
        del config["gitpod:gcp"]
    code = (
        "from gitpod_refarch.settings import ConfigSource, load_settings\n"
        f"assert load_settings(ConfigSource({config!r})).cloud == {cloud!r}"
    )
    modules = loaded_modules(code)
    assert not modules & set(SDKS.values()), sorted(modules & set(SDKS.values()))


def test_building_imports_only_the_selected_clouds_sdk():
    modules = loaded_modules("from gitpod_refarch import clouds\nclouds.offer('aws').builders()")
    assert "pulumi_aws" in modules
    assert not modules & {"pulumi_gcp", "pulumi_azure_native"}


@pytest.mark.parametrize("name", clouds.CLOUDS)
def test_a_target_has_a_builder_for_exactly_the_concerns_it_offers(name):
    offer = clouds.offer(name)
    assert offer.name == name
    builders = offer.builders()
    for concern, builder in CONCERNS.items():
        offered = bool(getattr(offer, concern))
        assert (getattr(builders, builder) is not None) == offered, f"{name}: {concern} offered={offered}"


# The builders each target should have, typed: mypy checks every `build` signature against them.
def _aws_builders() -> architecture.CloudBuilders[AwsSettings, AwsPlatform]:
    from gitpod_refarch.aws import cluster, database, dns, platform, registry, storage

    return architecture.CloudBuilders(platform.build, cluster.build, dns.build, database.build, storage.build, registry.build)


def _gcp_builders() -> architecture.CloudBuilders[GcpSettings, GcpPlatform]:
    from gitpod_refarch.gcp import cluster, database, dns, platform, registry, storage

    return architecture.CloudBuilders(platform.build, cluster.build, dns.build, database.build, storage.build, registry.build)


def _azure_builders() -> architecture.CloudBuilders[AzureSettings, AzurePlatformInfo]:
    from gitpod_refarch.azure import cluster, database, dns, platform, registry, storage

    return architecture.CloudBuilders(platform.build, cluster.build, dns.build, database.build, storage.build, registry.build)


def _existing_builders() -> architecture.CloudBuilders[None, None]:
    from gitpod_refarch.existing import cluster, platform

    return architecture.CloudBuilders(platform.build, cluster.build)


@pytest.mark.parametrize(
    ("name", "expected"), [("aws", _aws_builders), ("gcp", _gcp_builders), ("azure", _azure_builders), ("existing", _existing_builders)]
)
def test_builders_are_the_build_functions_of_the_modules_named_after_their_concern(name, expected):
    assert clouds.offer(name).builders() == expected()


def test_every_generic_mode_has_a_generic_builder():
    for concern in CONCERNS:
        assert set(getattr(architecture.GENERIC, concern)) == set(getattr(clouds.GENERIC, concern)), concern


def load(cloud: str, **sections: object) -> None:
    values = {"gitpod:cloud": cloud, "gitpod:domain": "gitpod.example.com"}
    values |= {f"gitpod:{k}": json.dumps(v) for k, v in sections.items()}
    if cloud == "gcp":
        values["gitpod:gcp"] = json.dumps({"project": "my-project"})
    load_settings(ConfigSource(values, set(values)))


S3 = {"endpoint": "s3.example.com", "bucket": "bucket", "region": "r", "accessKeyId": "a", "secretAccessKey": "s"}


@pytest.mark.parametrize("name", clouds.CLOUDS)
@pytest.mark.parametrize(
    ("concern", "section", "key", "extra"),
    [
        ("databases", "database", "mode", {"external": {"host": "db.internal", "password": "p"}}),
        ("storages", "storage", "mode", {"external": S3}),
        ("registries", "registry", "kind", {"external": {"url": "r.example.com/g", "username": "u", "password": "p"}, "s3": S3}),
    ],
)
def test_settings_accept_a_mode_exactly_where_something_builds_it(name, concern, section, key, extra):
    """The settings and the build read one declaration, so no accepted mode can fail to build."""
    offer = clouds.offer(name)
    for value in clouds.allowed(concern):
        needed = {k: v for k, v in extra.items() if k == value or (value == "s3" and k == "s3")}
        if value == "s3" and value in offer.registries:
            needed = {}  # the target creates the bucket itself
        try:
            load(name, **{section: {key: value, **needed}})
            accepted = True
        except SettingsError as error:
            assert any(p.key == f"gitpod:{section}.{key}" for p in error.problems), [str(p) for p in error.problems]
            accepted = False
        builds = value in getattr(offer, concern) or value in getattr(clouds.GENERIC, concern)
        assert accepted == builds, f"{name}: {section}.{key} {value!r} accepted={accepted} builds={builds}"


@pytest.mark.parametrize("name", clouds.CLOUDS)
def test_dns01_is_accepted_exactly_where_something_answers_it(name):
    offer = clouds.offer(name)
    for value in clouds.allowed("dns01"):
        certificate: dict[str, object] = {"issuer": "letsencrypt", "dns01": value}
        if value == "cloudflare":
            certificate["cloudflare"] = {"apiToken": "t"}
        try:
            load(name, certificate=certificate)
            accepted = True
        except SettingsError as error:
            assert any(p.key == "gitpod:certificate.dns01" for p in error.problems), [str(p) for p in error.problems]
            accepted = False
        assert accepted == (value in offer.dns01 or value in clouds.GENERIC.dns01), (name, value)


def test_allowed_values_list_in_cluster_first_then_each_clouds_then_the_generic_ones():
    assert clouds.allowed("databases") == ("incluster", "managed", "external")
    assert clouds.allowed("registries") == ("incluster", "artifact-registry", "gcr", "s3", "acr", "external")
    assert clouds.allowed("dns01") == ("clouddns", "route53", "azuredns", "cloudflare")
