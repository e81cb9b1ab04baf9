"""mypy checks the project's code against every part of the clouds' SDKs the code uses, and skips
the rest of those generated SDKs, which made a cold type-check take minutes (pyproject.toml)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

import tomllib

from .conftest import ROOT

SDKS = ("pulumi_aws", "pulumi_gcp", "pulumi_azure_native", "pulumi_kubernetes")


def _mypy() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    return config


def _modules(override: dict[str, Any]) -> list[str]:
    module = override["module"]
    return [module] if isinstance(module, str) else list(module)


def _installed(sdk: str) -> Path:
    """The directory the SDK's package is installed in (found without importing it)."""
    spec = importlib.util.find_spec(sdk)
    assert spec is not None and spec.submodule_search_locations, sdk
    return Path(next(iter(spec.submodule_search_locations))).parent


def _is_package(module: str) -> bool:
    return (_installed(module.split(".")[0]) / module.replace(".", "/") / "__init__.py").is_file()


def _source_files() -> list[Path]:
    files: list[Path] = []
    for entry in _mypy()["files"]:
        path = ROOT / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def used_sdk_packages() -> set[str]:
    """Every SDK package the type-checked code reaches: `import pulumi_x.y`, `from pulumi_x import y`,
    and attribute chains on an imported SDK (`aws.ec2.Vpc` uses `pulumi_aws.ec2`)."""
    used: set[str] = set()
    for path in _source_files():
        tree = ast.parse(path.read_text())
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for name in node.names:
                    if name.name.split(".")[0] in SDKS:
                        aliases[name.asname or name.name.split(".")[0]] = name.name if name.asname else name.name.split(".")[0]
                        used.add(name.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in SDKS:
                used.add(node.module)
                used.update(f"{node.module}.{n.name}" for n in node.names if _is_package(f"{node.module}.{n.name}"))
        for node in ast.walk(tree):
            chain: list[str] = []
            target: ast.expr = node  # type: ignore[assignment]
            while isinstance(target, ast.Attribute):
                chain.insert(0, target.attr)
                target = target.value
            if not (chain and isinstance(target, ast.Name) and target.id in aliases):
                continue
            module = aliases[target.id]
            for part in chain:
                if not _is_package(f"{module}.{part}"):
                    break
                module = f"{module}.{part}"
                used.add(module)
    return used


def test_the_scan_finds_what_the_code_uses():
    used = used_sdk_packages()
    assert {"pulumi_aws.ec2", "pulumi_gcp.container", "pulumi_azure_native.containerservice", "pulumi_kubernetes.core.v1"} <= used
    assert "pulumi_aws.kms" not in used


def test_every_sdk_package_the_code_uses_is_type_checked_and_only_those():
    overrides = _mypy()["overrides"]
    skipped = {m for o in overrides if o.get("follow_imports") == "skip" for m in _modules(o)}
    checked = {m for o in overrides if o.get("follow_imports") == "normal" for m in _modules(o)}
    assert skipped == {f"{sdk}.*" for sdk in SDKS}
    used = used_sdk_packages()
    leaves = {m for m in used if not any(other.startswith(m + ".") for other in used)}
    needed = used | {f"{m}.*" for m in leaves if m not in SDKS} | {sdk for sdk in SDKS} | {f"{sdk}.provider" for sdk in SDKS}
    missing = sorted(needed - checked)
    assert not missing, (
        f"the code uses {missing}, which mypy skips (typed Any, so mistakes go unnoticed): add them to the "
        "follow_imports = 'normal' override in pyproject.toml"
    )
    stale = sorted(checked - needed)
    assert not stale, f"pyproject.toml type-checks {stale}, which the code no longer uses: remove them (a cold mypy gets slower)"
