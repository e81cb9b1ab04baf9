"""No secret in clear: canaries through every secret key, in every shape, in every output.

A secret given at the wrong place or in the wrong shape (a token where an object belongs, a list
where a string belongs) is still a secret: Pulumi marks the whole top-level key secret, and the
error that says the shape is wrong must not quote it. Valid secrets must not reach any plan format.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from gitpod_refarch.settings import ConfigSource, SettingsError, load_settings
from gitpod_refarch_tools.cli import main
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT

_ids = itertools.count()


def canary() -> str:
    return f"CANARY{next(_ids):04d}zq"


#: Every key read as a secret, with the plain settings that make the program read it (on the
#: `local` example stack: an existing cluster).
SECRET_KEYS: dict[str, tuple[str, ...]] = {
    "cluster.kubeconfig": (),
    "database.external.password": ("database.mode=external", "database.external.host=mysql.internal"),
    "storage.external.accessKeyId": (
        "storage.mode=external",
        "storage.external.endpoint=s3.example.com",
        "storage.external.bucket=gitpod-objects",
        "storage.external.region=eu-west-1",
    ),
    "storage.external.secretAccessKey": (
        "storage.mode=external",
        "storage.external.endpoint=s3.example.com",
        "storage.external.bucket=gitpod-objects",
        "storage.external.region=eu-west-1",
    ),
    "registry.external.password": (
        "registry.kind=external",
        "registry.external.url=registry.example.com/gitpod",
        "registry.external.username=ci",
    ),
    "registry.s3.accessKeyId": (
        "registry.kind=s3",
        "registry.s3.endpoint=s3.example.com",
        "registry.s3.bucket=gitpod-registry",
        "registry.s3.region=eu-west-1",
    ),
    "registry.s3.secretAccessKey": (
        "registry.kind=s3",
        "registry.s3.endpoint=s3.example.com",
        "registry.s3.bucket=gitpod-registry",
        "registry.s3.region=eu-west-1",
    ),
    "certificate.cloudflare.apiToken": (
        "certificate.issuer=letsencrypt",
        "certificate.dns01=cloudflare",
        "certificate.email=ops@example.com",
    ),
    "certificate.existing.tlsKey": (
        "certificate.issuer=existing",
        "certificate.existing.tlsCert=-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    ),
    "installer.imagePullSecrets[0].password": (
        "installer.imagePullSecrets[0].server=registry.example.com",
        "installer.imagePullSecrets[0].username=ci",
    ),
    "authProviders[0].clientSecret": ("authProviders[0].type=GitHub", "authProviders[0].clientId=gitpod-app"),
}


def _source(overrides: tuple[str, ...], secrets: tuple[str, ...] = ()) -> ConfigSource:
    _, config = build_config(ROOT, "local", overrides, secrets)
    return ConfigSource(config.values, config.secret_keys)


def _prefixes(path: str) -> list[tuple[str, list[str | int]]]:
    """`a.b[0].c` -> every position a value can be put at: (`a`, []), (`a`, ['b']), ... down to the leaf."""
    from gitpod_refarch_tools.stackfile import _path_tokens

    top, *rest = _path_tokens(path)
    return [(str(top), rest[:i]) for i in range(len(rest) + 1)]


def _put(node: Any, tokens: list[str | int], value: Any) -> Any:
    if not tokens:
        return value
    head, tail = tokens[0], tokens[1:]
    if isinstance(head, int):
        items = list(node) if isinstance(node, list) else []
        while len(items) <= head:
            items.append({})
        items[head] = _put(items[head], tail, value)
        return items
    mapping = dict(node) if isinstance(node, dict) else {}
    mapping[head] = _put(mapping.get(head), tail, value)
    return mapping


def _shapes() -> list[tuple[str, Any, list[str]]]:
    """(name, value, the canaries inside it): a string, a number, a list, an object (keys too), nested."""
    a, b, c, d, e, f = (canary() for _ in range(6))
    number = 8675309000 + next(_ids)
    return [
        ("string", a, [a]),
        ("number", number, [str(number)]),
        ("list", [b, b], [b]),
        ("object", {c: d}, [c, d]),
        ("nested", {"password": [e], "apiToken": {"x": f}}, [e, f]),
    ]


CASES = [
    pytest.param(key, top, tokens, id=f"{key}@{'.'.join(map(str, [top, *tokens]))}")
    for key in SECRET_KEYS
    for top, tokens in _prefixes(key)
]


@pytest.mark.parametrize(("key", "top", "tokens"), CASES)
def test_no_shape_of_a_secret_is_echoed_by_validation(key, top, tokens):
    """Each shape placed at each position along the secret key's path, the top-level key secret."""
    base = _source(SECRET_KEYS[key])
    full = f"gitpod:{top}"
    for shape, value, canaries in _shapes():
        current = json.loads(base.values.get(full) or "null") if tokens else None
        values = {**base.values, full: json.dumps(_put(current, tokens, value)) if tokens or not isinstance(value, str) else value}
        source = ConfigSource(values, {*base.secret_keys, full})
        try:
            settings = load_settings(source)
        except SettingsError as error:
            text = str(error)
        else:
            text = repr(settings) + "\n".join(f.message for f in settings.findings)
        leaked = [c for c in canaries if c in text]
        assert not leaked, f"{shape} at {full}{tokens}: {text}"


@pytest.mark.parametrize("name", ["domain", "namespace", "cloud", "compatibility"])
def test_a_top_level_scalar_given_as_a_secret_is_not_echoed(name):
    value = canary()
    source = _source((), ())
    source = ConfigSource({**source.values, f"gitpod:{name}": value}, {*source.secret_keys, f"gitpod:{name}"})
    with pytest.raises(SettingsError) as error:
        load_settings(source)
    assert f"gitpod:{name}" in str(error.value)
    assert value not in str(error.value)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["plan", "--project-dir", str(ROOT), "--stack", "local", *args])
    out, err = capsys.readouterr()
    return code, out + err


def _secret_args(keys: list[str]) -> tuple[list[str], list[str]]:
    args: list[str] = []
    for key in keys:
        for plain in SECRET_KEYS[key]:
            args += ["--config", plain]
    canaries = []
    for key in keys:
        value = canary()
        canaries.append(value)
        args += ["--secret", f"{key}={value}"]
    return args, canaries


#: Two plans hold every secret key (some exclude each other: Cloudflare or an existing certificate,
#: an external registry or one on S3).
PLANS = [
    [
        "cluster.kubeconfig",
        "database.external.password",
        "storage.external.accessKeyId",
        "storage.external.secretAccessKey",
        "registry.external.password",
        "certificate.cloudflare.apiToken",
        "installer.imagePullSecrets[0].password",
        "authProviders[0].clientSecret",
    ],
    ["registry.s3.accessKeyId", "registry.s3.secretAccessKey", "certificate.existing.tlsKey"],
]


def test_every_secret_key_is_covered():
    assert {key for keys in PLANS for key in keys} == set(SECRET_KEYS)


@pytest.mark.parametrize("keys", PLANS, ids=["cloudflare-external", "s3-existing"])
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_no_secret_in_any_plan_format(capsys, keys, fmt):
    args, canaries = _secret_args(keys)
    code, output = run(capsys, "--format", fmt, "--critical-path", *args)
    assert code == 0, output
    assert [c for c in canaries if c in output] == []


@pytest.mark.parametrize(
    "assignment",
    [
        # The shapes the issue names: a secret given one level too high is a string where an object belongs.
        "certificate.cloudflare={}",
        "installer.imagePullSecrets={}",
        "database.external={}",
        "authProviders={}",
        "authProviders[0]={}",
        "installer.imagePullSecrets[0]={}",
        "certificate={}",
        "cluster={}",
    ],
)
def test_no_secret_in_error_output(capsys, assignment):
    value = canary()
    code, output = run(capsys, "--config", "database.mode=external", "--secret", assignment.format(value))
    assert code == 2
    assert value not in output
    assert "withheld" in output or "must be a list of objects" in output


# -- cluster.kubeconfig: a path (plain) or a secret, never printed ---------------------------------------
def _provider_kubeconfig(output: str) -> Any:
    [provider] = [r for r in json.loads(output)["resources"] if r["type"] == "pulumi:providers:kubernetes"]
    return provider["inputs"].get("kubeconfig")


def test_a_kubeconfig_path_reaches_the_provider_but_not_the_plan(capsys):
    code, output = run(capsys, "--format", "json", "--config", "cluster.kubeconfig=/home/ops/.kube/lab-CANARYpath")
    assert code == 0, output
    assert "CANARYpath" not in output
    assert _provider_kubeconfig(output) == "[secret]"


def test_kubeconfig_contents_as_a_secret_are_accepted_and_redacted(capsys):
    contents = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: CANARYtokenzq\n"
    code, output = run(capsys, "--format", "json", "--secret", f"cluster.kubeconfig={contents}")
    assert code == 0, output
    assert "CANARYtokenzq" not in output
    assert _provider_kubeconfig(output) == "[secret]"


def test_kubeconfig_contents_in_plain_config_are_refused_without_echo(capsys):
    contents = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: CANARYplainzq\n"
    code, output = run(capsys, "--config", f"cluster.kubeconfig={contents}")
    assert code == 2
    assert "gitpod:cluster.kubeconfig: looks like the contents of a kubeconfig" in output
    assert "--secret cluster.kubeconfig" in output
    assert "CANARYplainzq" not in output
