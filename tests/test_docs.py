"""Docs are part of the feature: every setting the program reads is documented, and the README's commands are the CI's."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from typing import Any

import pytest
import tomllib

from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings
from gitpod_refarch.settings.reader import Section

from .conftest import ROOT

S = "gitpod:"
REPRESENTATIVE: list[dict[str, Any]] = [
    {"cluster": {"distribution": "k3s"}, "database": {"mode": "external", "external": {"host": "h", "password": "p"}},
     "storage": {"mode": "external", "external": {"endpoint": "e", "bucket": "bkt", "region": "r", "accessKeyId": "a", "secretAccessKey": "s"}},
     "registry": {"kind": "external", "external": {"url": "r.example.com/g", "username": "u", "password": "p"}},
     "certificate": {"issuer": "letsencrypt", "dns01": "cloudflare", "cloudflare": {"apiToken": "t"}}, "certManager": {},
     "installer": {"imagePullSecrets": [{"server": "m", "username": "u", "password": "p"}]},
     "authProviders": [{"type": "GitHub", "clientId": "c", "clientSecret": "s"}]},
    {"registry": {"kind": "s3", "s3": {"endpoint": "e", "bucket": "bkt", "region": "r", "accessKeyId": "a", "secretAccessKey": "s"}},
     "certificate": {"issuer": "existing", "existing": {"tlsCert": "-----BEGIN CERTIFICATE-----", "tlsKey": "k"}}},
    {"cloud": "gcp", "gcp": {"project": "p"}, "database": {"mode": "managed"}, "registry": {"kind": "artifact-registry"}},
    {"cloud": "aws", "aws": {}, "database": {"mode": "managed"}, "registry": {"kind": "s3"}},
    {"cloud": "azure", "azure": {}, "database": {"mode": "managed"}, "registry": {"kind": "acr"}},
    {"database": {"mode": "external", "external": {"host": "h", "password": "p", "encryptionKey": "k"}},
     "storage": {"mode": "external", "external": {"provider": "gcs", "project": "p", "region": "r", "serviceAccountKey": "k"}},
     "certificate": {"issuerRef": {"name": "n", "kind": "Issuer"}},
     "installer": {"blockNewUsers": {"enabled": True, "passlist": ["example.com"]}, "openVsxUrl": "https://o.example.com",
                   "workspace": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}, "maxLifetime": "1h", "timeoutDefault": "1h",
                                 "timeoutExtended": "1h", "timeoutAfterClose": "1h", "pvc": {"size": "1Gi", "storageClass": "s", "snapshotClass": "s"},
                                 "prebuildPVC": {"size": "1Gi", "storageClass": "s", "snapshotClass": "s"}},
                   "sshGateway": True, "httpProxy": {"httpProxy": "http://p", "httpsProxy": "http://p", "noProxy": ["a"]}, "license": "l",
                   "baseImageRegistries": [{"server": "s", "username": "u", "password": "p"}], "dropImageRepo": True,
                   "proxyService": {"type": "ClusterIP", "annotations": {"a": "b"}}, "customization": [], "configPatch": {}}},
    {"storage": {"mode": "external", "external": {"provider": "azure", "accountName": "a", "accountKey": "k", "region": "r"}}},
]  # fmt: skip


def asked_keys() -> set[str]:
    Section.asked.clear()
    for config in REPRESENTATIVE:
        values = {f"{S}domain": "gitpod.example.com"} | {S + k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
        with contextlib.suppress(SettingsError):  # the keys are read either way; validity is tested elsewhere
            load_settings(ConfigSource(values, set(values)))
    return set(Section.asked)


CLOUDS = ("gcp", "aws", "azure")


def section_text(top: str) -> str:
    """Where a key must be documented: its cloud's page, or its section of configuration.md."""
    if top in CLOUDS:
        page = ROOT / "docs" / f"{top}.md"
        return page.read_text() if page.exists() else ""
    conf = (ROOT / "docs" / "configuration.md").read_text()
    match = re.search(rf"^## `gitpod:{top}`$(.*?)(?=^## |\Z)", conf, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def test_every_setting_the_program_reads_is_documented():
    conf = (ROOT / "docs" / "configuration.md").read_text()
    missing = []
    for key in sorted({re.sub(r"\[\d+\]", "[]", k) for k in asked_keys()}):
        top, _, rest = key.removeprefix(S).partition(".")
        top = top.removesuffix("[]")
        if top in CLOUDS and importlib.util.find_spec(f"gitpod_refarch.{top}") is None:
            continue  # documented with the cloud's implementation, which has not landed here
        if not rest:
            documented = f"`{key}`" in conf
        else:
            text = section_text(top)
            parent, _, leaf = rest.rpartition(".")
            documented = (
                f"`{rest}" in text
                or f"`{top}.{rest}" in text
                or f"`{key}" in text
                or bool(parent and f"`{parent}" in text and f"`{leaf}`" in text)  # "each pool takes `machineType`, ..."
            )
        if not documented:
            missing.append(key)
    assert not missing, f"undocumented settings: {missing}"


def _readme_block(heading: str) -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = re.search(rf"^## {heading}$(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert section, f"README has no '## {heading}' section"
    block = re.search(r"```\n(.*?)```", section.group(1), re.DOTALL)
    assert block, f"README '## {heading}' has no command block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_a_newcomer_needs_two_commands_and_ci_runs_them():
    """README: one command to set up and run, one to test; .ci/run runs the same make targets."""
    assert _readme_block("Set up and run") == ["make plan"]
    assert _readme_block("Test") == ["make test"]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in ci
    assert 'make --no-print-directory plan STACK="$stack" > /dev/null' in ci  # every example stack
    makefile = (ROOT / "Makefile").read_text()
    # `make plan` sets up the venv when needed, then plans; `make test` lints, type-checks and tests.
    assert re.search(r"^plan: \$\(VENV\)/\.installed$", makefile, re.MULTILINE)
    recipe = re.search(r"^test: .*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe and recipe.group(0).startswith("test: $(VENV)/.installed")
    assert [line.strip() for line in recipe.group(1).splitlines()] == [
        "$(VENV)/bin/ruff check .",
        "$(VENV)/bin/mypy",
        "$(VENV)/bin/pytest -n 2",
    ]


def test_docs_run_the_tooling_from_the_venv():
    """A bare `python -m gitpod_refarch` fails outside the venv: commands in the docs use venv/bin/python."""
    bare = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        commands = [line for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL) for line in block.splitlines()]
        commands += re.findall(r"`([^`]*-m gitpod_refarch[^`]*)`", text)
        bare += [f"{doc.name}: {c.strip()}" for c in commands if re.search(r"(^|\s)python3? -m gitpod_refarch", c)]
    assert not bare, bare


@pytest.mark.parametrize("stack_file", sorted((ROOT / "stacks").glob("Pulumi.*.yaml")))
def test_example_stacks_are_commented(stack_file):
    assert stack_file.read_text().lstrip().startswith("#"), "example stacks explain themselves"


def test_changelog_is_linked_and_docs_promise_no_untagged_release():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.startswith("# Changelog") and "## [Unreleased]" in changelog
    assert "](../CHANGELOG.md)" in (ROOT / "docs" / "components.md").read_text()
    released = set(re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.MULTILINE))
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in doc.read_text().splitlines():
            if "gitpod-refarch" in line:
                tags = set(re.findall(r"@v(\d+\.\d+\.\d+)", line))
                assert tags <= released, f"{doc.name} installs a tag with no release in CHANGELOG.md: {line}"
    # The tooling moves in lockstep with the components.
    versions = {tomllib.loads((ROOT / path).read_text())["project"]["version"] for path in ("pyproject.toml", "tooling/pyproject.toml")}
    assert len(versions) == 1
