"""The stack file reaches the program as the Pulumi CLI would pass it (gopkg.in/yaml.v3, then
config/object.go), so the offline plan and `pulumi up` judge the same values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitpod_refarch_tools.stackfile import StackConfig, StackFileError, apply_override, go_json_number, load_stack_file


def stack(tmp_path: Path, text: str | bytes) -> StackConfig:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_stack_file(path, "gitpod")


@pytest.mark.parametrize(
    ("written", "passed"),
    [
        ("no", "no"),  # YAML 1.1 booleans are text to yaml.v3 (PyYAML would say False)
        ("on", "on"),
        ("True", "true"),
        ("1.30", "1.3"),  # a float, written back by Go's encoding/json
        ("8.0", "8"),
        ("1e21", "1e+21"),
        ("0x1F", "31"),
        ("0755", "493"),  # Go's base-0 ParseInt still reads leading-zero octal
        ("1_000", "1000"),
        ("2026-01-31", "2026-01-31"),  # a timestamp stays the text written (PyYAML would make a date)
        ("1e400", "1e400"),  # beyond float64: ParseFloat fails and the text stays
        ("99999999999999999999", "100000000000000000000"),  # beyond 64 bits: a float
        ('"1.30"', "1.30"),
    ],
)
def test_top_level_scalars_become_the_text_the_cli_passes(tmp_path, written, passed):
    assert stack(tmp_path, f"config:\n  gitpod:value: {written}\n").values["gitpod:value"] == passed


def test_objects_carry_numbers_as_the_cli_encodes_them(tmp_path):
    config = stack(
        tmp_path, "config:\n  gitpod:database:\n    version: 8.0\n  gitpod:cluster:\n    kubernetesVersion: 1.30\n    name: no\n"
    )
    assert json.loads(config.values["gitpod:database"]) == {"version": 8}
    assert json.loads(config.values["gitpod:cluster"]) == {"kubernetesVersion": 1.3, "name": "no"}


def test_a_byte_order_mark_is_ignored_as_the_cli_strips_it(tmp_path):
    assert stack(tmp_path, b"\xef\xbb\xbfconfig:\n  gitpod:domain: a.example.com\n").values == {"gitpod:domain": "a.example.com"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config:\n  gitpod:domain: a\n  gitpod:domain: b\n", "mapping key 'gitpod:domain' is already defined at line 2"),
        ("config:\n  gitpod:x: .nan\n", "gitpod:x: nan cannot be passed to a program"),
        ("config:\n  gitpod:x: {a: [1, -.inf]}\n", "gitpod:x.a[1]: -inf cannot be passed to a program"),
        ("config:\n  gitpod:x: !!binary aGVsbG8=\n", "gitpod:x: a bytes (an explicit YAML tag) is not a config value"),
        ("config:\n  a:b:c: 1\n", "'a:b:c' is not a config key"),
        ("config:\n  1: x\n", "config key 1 is not a name"),
        ("config:\n  gitpod:x: &a [*a]\n", "contains itself through a YAML alias"),
        ("- config\n", "expected a mapping with a 'config' key at the top, got a list"),
        ("config: [a]\n", "'config' must be a mapping of keys to values, got a list"),
        (b"config:\n  gitpod:domain: caf\xe9\n", "is not UTF-8 text (byte 28 is 0xe9)"),
        ("config:\n" + "  " + "[" * 2000 + "\n", "nests lists or mappings too deeply"),
    ],
)
def test_unreadable_stack_files_are_refused_naming_the_file_and_key(tmp_path, text, message):
    with pytest.raises(StackFileError) as error:
        stack(tmp_path, text)
    assert message in str(error.value)
    assert str(tmp_path / "Pulumi.dev.yaml") in str(error.value)


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    lines = ["config:", "  gitpod:x0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  gitpod:x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    with pytest.raises(StackFileError, match="expands to more than 100000 values"):
        stack(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.3, "1.3"), (8.0, "8"), (-0.0, "0"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e-7, "1.5e-7"), (1e-6, "0.000001")],
)
def test_floats_are_written_as_go_writes_json(value, text):
    assert go_json_number(value) == text


# -- overrides: `pulumi config set [--path]` -------------------------------------------------------
def override(*assignments: str, start: dict[str, str] | None = None) -> dict[str, object]:
    config = StackConfig(dict(start or {}))
    for assignment in assignments:
        apply_override(config, assignment, "gitpod")
    return {k: json.loads(v) if v[:1] in "{[" else v for k, v in config.values.items()}


def test_path_overrides_store_numbers_and_booleans_as_the_cli_does():
    found = override(
        "cluster.nodePools.services.maxNodes=30", "cluster.nodePools.services.machineType=0123", "database.highAvailability=true"
    )
    assert found["gitpod:cluster"] == {"nodePools": {"services": {"maxNodes": 30, "machineType": "0123"}}}
    assert found["gitpod:database"] == {"highAvailability": True}
    # A version stays text: only plain integers and true/false are converted.
    assert override("database.version=8.0")["gitpod:database"] == {"version": "8.0"}
    assert override("cluster.name=", "cluster.kernelVersion=-")["gitpod:cluster"] == {"name": "", "kernelVersion": "-"}


def test_path_overrides_grow_lists_one_item_at_a_time():
    assert override("authProviders[0].id=gh", "authProviders[1].id=gl")["gitpod:authProviders"] == [{"id": "gh"}, {"id": "gl"}]
    with pytest.raises(StackFileError, match=r"gitpod:authProviders\[5\]: index out of range \(the list has 1 items"):
        override("authProviders[0].id=gh", "authProviders[5].id=x")
    with pytest.raises(StackFileError, match="index 99999999 is out of range"):
        override("authProviders[99999999].id=x")


@pytest.mark.parametrize(
    ("start", "assignment", "message"),
    [
        (
            {"gitpod:cluster": '{"nodePools": "big"}'},
            "cluster.nodePools.services.maxNodes=3",
            "gitpod:cluster.nodePools is a string, not a mapping",
        ),
        ({"gitpod:cluster": '{"nodePools": []}'}, "cluster.nodePools.services=3", "gitpod:cluster.nodePools is a list, not a mapping"),
        ({"gitpod:x": '{"a": {}}'}, "x.a[0]=3", r"gitpod:x.a is a mapping, not a list"),
        ({}, "=3", "cannot read the config path ''"),
        ({}, "a..b=3", "cannot read the config path 'a..b'"),
        ({}, "a:b:c=3", "'a:b:c' is not a config key"),
        ({}, "registry.kind", "must look like KEY=VALUE"),
    ],
)
def test_overrides_that_cannot_apply_are_refused(start, assignment, message):
    with pytest.raises(StackFileError, match=message):
        override(assignment, start=start)


def test_a_scalar_at_the_top_is_replaced_as_the_cli_does():
    assert override("cluster.name=x", start={"gitpod:cluster": "oops"})["gitpod:cluster"] == {"name": "x"}
