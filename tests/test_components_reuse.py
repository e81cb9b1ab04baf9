"""Reuse: the components work alone in other programs, the public API is typed, and a wheel installs."""

from __future__ import annotations

import email.parser
import enum
import inspect
import runpy
import shutil
import subprocess
import sys
import typing
import zipfile
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import gitpod_refarch
from gitpod_refarch.installer.schema import validate_config
from gitpod_refarch.program import SDK_EXTRAS
from gitpod_refarch_tools.harness import run_program

from .conftest import ROOT

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/__main__.py"))


def run_example(path: Path, config: dict[str, str] | None = None):
    project = yaml.safe_load((path / "Pulumi.yaml").read_text())["name"]
    return run_program(lambda: runpy.run_path(str(path / "__main__.py")), config or {}, set(), project=project, stack="example")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_runs_under_mocks(example):
    plan = run_example(example)
    assert plan.resources, "the example declared nothing"
    components = [r for r in plan.resources if r.type.startswith("gitpod:index:")]
    assert components, "the example uses no gitpod_refarch component"


def test_cert_manager_alone_issues_the_certificate_into_the_callers_namespace():
    plan = run_example(ROOT / "examples" / "cert_manager_only", {"gitpod-example-cert-manager-only:domain": "gitpod.acme.dev"})
    cert = next(
        r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if r.inputs["spec"]["secretName"] == "https-certificates"
    )
    assert cert.inputs["spec"]["dnsNames"] == ["gitpod.acme.dev", "*.gitpod.acme.dev", "*.ws.gitpod.acme.dev"]
    namespace = plan.one("kubernetes:core/v1:Namespace")
    assert namespace.urn in cert.depends_on
    assert plan.outputs["certificateSecret"] == "https-certificates"


def test_installer_values_alone_produce_a_valid_config():
    plan = run_example(ROOT / "examples" / "installer_values_only")
    config = yaml.safe_load(plan.outputs["installerConfig"])
    assert validate_config(config) == []
    assert config["objectStorage"]["s3"]["bucket"] == "my-gitpod-bucket"
    assert {r.inputs["metadata"]["name"] for r in plan.by_type("kubernetes:core/v1:Secret")} == {"database", "storage-s3"}


def _public_callables():
    for name in gitpod_refarch.__all__:
        obj = getattr(gitpod_refarch, name)
        # TypedDicts and Enums (the exported `kind` choices) have no constructor of ours.
        if inspect.isclass(obj) and hasattr(obj, "__init__") and not typing.is_typeddict(obj) and not issubclass(obj, enum.Enum):
            yield name, obj.__init__
        elif inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize(("name", "func"), list(_public_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_api_has_no_untyped_parameters(name, func):
    signature = inspect.signature(func)
    untyped = [p.name for p in signature.parameters.values() if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    assert not untyped, f"{name}: untyped parameters {untyped}"
    assert signature.return_annotation is not inspect.Signature.empty or func.__name__ == "__init__", f"{name}: no return annotation"


def test_component_args_document_every_field():
    for name in gitpod_refarch.__all__:
        obj = getattr(gitpod_refarch, name)
        if typing.is_typeddict(obj):
            source = inspect.getsource(obj)
            for field in obj.__annotations__:
                assert f"{field}:" in source and '"""' in source.split(f"{field}:", 1)[1].split("\n", 2)[1], (
                    f"{name}.{field} has no docstring"
                )


#: Never part of a distribution's source; `build/` in particular keeps files deleted from the tree,
#: which setuptools would otherwise put back into the wheel.
_NOT_SOURCE = shutil.ignore_patterns("build", "dist", "venv", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".git", "tooling")


def _wheel(source: Path, dist: Path, name: str) -> Path:
    """Build one distribution of this repository offline (the build backend comes from this environment).

    From a clean copy of the source, so a stale `build/` left by an earlier build cannot leak in.
    """
    clean = dist / f"{name}-source"
    shutil.copytree(source, clean, ignore=_NOT_SOURCE)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(clean)],
        check=True,
        capture_output=True,
    )
    [wheel] = list(dist.glob(f"{name}-*.whl"))
    return wheel


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The components' wheel and the tooling's, built once for this module's tests."""
    dist = tmp_path_factory.mktemp("dist")
    return _wheel(ROOT, dist, "gitpod_refarch"), _wheel(ROOT / "tooling", dist, "gitpod_refarch_tools")


def _dist_info(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        found = [n for n in archive.namelist() if n.endswith(f".dist-info/{name}")]
        return archive.read(found[0]).decode() if found else ""


def _requires(wheel: Path) -> list[Requirement]:
    metadata = email.parser.Parser().parsestr(_dist_info(wheel, "METADATA"))
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


def _names(requirements: list[Requirement], extra: str | None = None) -> set[str]:
    """Distributions required without extras, or only those an extra adds."""
    if extra is None:
        return {canonicalize_name(r.name) for r in requirements if r.marker is None}
    return {canonicalize_name(r.name) for r in requirements if r.marker is not None and r.marker.evaluate({"extra": extra})}


CLOUD_SDKS = {"aws": "pulumi-aws", "gcp": "pulumi-gcp", "azure": "pulumi-azure-native"}


def test_each_cloud_extra_requires_its_sdk_and_no_other(wheels):
    """`pip install gitpod-refarch[aws]` pulls pulumi-aws and neither pulumi-gcp nor pulumi-azure-native."""
    components, tools = wheels
    requires = _requires(components)
    assert _names(requires) == {"pulumi", "pulumi-kubernetes", "pulumi-random", "pulumi-tls", "pyyaml"}
    for extra, sdk in CLOUD_SDKS.items():
        assert _names(requires, extra) == {sdk}, extra
    assert _names(requires, "all") == set(CLOUD_SDKS.values())
    ranges = {(r.name, str(r.specifier)) for r in requires if r.marker is not None and r.marker.evaluate({"extra": "all"})}
    assert ranges == {
        (r.name, str(r.specifier)) for extra in CLOUD_SDKS for r in requires if r.marker and r.marker.evaluate({"extra": extra})
    }
    # The program's pins (requirements.txt) fall within every range the wheel declares.
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    pins = {canonicalize_name(name): version for name, version in pins.items()}
    for requirement in requires:
        if requirement.marker is None or requirement.marker.evaluate({"extra": "all"}):
            assert requirement.specifier.contains(pins[canonicalize_name(requirement.name)]), requirement
    # The tooling needs the components at exactly their version, and no cloud SDK of its own.
    tool_requires = _requires(tools)
    assert not _names(tool_requires) & set(CLOUD_SDKS.values())
    [pinned] = [r for r in tool_requires if r.name == "gitpod-refarch"]
    assert str(pinned.specifier) == f"=={gitpod_refarch.__version__}" and not pinned.extras
    assert f"Version: {gitpod_refarch.__version__}" in _dist_info(components, "METADATA").splitlines()


def test_the_program_names_the_extra_a_missing_cloud_sdk_comes_from():
    """With only another cloud's extra installed, planning a stack says which extra to add (exit 2, no traceback)."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {extra: [canonicalize_name(Requirement(r).name) for r in extras[extra]] for extra in CLOUD_SDKS} == {
        extra: [sdk] for extra, sdk in CLOUD_SDKS.items()
    }
    assert {module.replace("_", "-"): extra for module, extra in SDK_EXTRAS.items()} == {sdk: extra for extra, sdk in CLOUD_SDKS.items()}
    script = "import runpy, sys\nsys.modules['pulumi_gcp'] = None\nrunpy.run_module('gitpod_refarch', run_name='__main__')\n"
    result = subprocess.run([sys.executable, "-c", script, "plan", "--stack", "gcp"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "needs pulumi_gcp, which is not installed: pip install 'gitpod-refarch[gcp]'" in result.stderr


def test_a_wheel_builds_and_installs_into_a_fresh_environment(tmp_path, wheels):
    """Install the wheels alone (no editable checkout) and run every example against them.

    The components' wheel alone holds no tooling: `python -m gitpod_refarch` then says how to get
    it (one line, exit 2); with the tooling's wheel added, the plan harness runs every example.
    """
    wheel, tools = wheels
    assert "gitpod-refarch" not in _dist_info(wheel, "entry_points.txt")
    assert "gitpod-refarch = gitpod_refarch_tools.cli:main" in _dist_info(tools, "entry_points.txt")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    site = next((env / "lib").glob("python*/site-packages"))
    # Dependencies come from this environment's site-packages as a plain path (its .pth files,
    # including our editable installs, are not processed); the packages themselves only from the wheels.
    deps = next(p for p in sys.path if p.endswith("site-packages"))
    (site / "deps.pth").write_text(deps + "\n")

    def install(path: Path) -> None:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(path)], check=True, capture_output=True
        )

    install(wheel)
    python = env / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import gitpod_refarch, sys; print(gitpod_refarch.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert where.stdout.startswith(str(site)), where.stdout
    assert (site / "gitpod_refarch" / "py.typed").exists()
    # The database root CAs are data files, read at run time (`dbtls`).
    assert {p.name for p in (site / "gitpod_refarch" / "dbtls").glob("*.pem")} == {"rds-global-bundle.pem", "azure-mysql-roots.pem"}
    assert not (site / "gitpod_refarch" / "plan").exists() and not (site / "gitpod_refarch" / "cli.py").exists()
    shim = subprocess.run(
        [str(python), "-m", "gitpod_refarch", "plan", "--stack", "local"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert shim.returncode == 2 and shim.stdout == ""
    assert shim.stderr.count("\n") == 1 and "pip install -r requirements.txt" in shim.stderr, shim.stderr

    install(tools)
    assert (site / "gitpod_refarch_tools" / "py.typed").exists()
    script = (
        "import runpy, sys\n"
        "from gitpod_refarch_tools.harness import run_program\n"
        "for path in sys.argv[1:]:\n"
        "    plan = run_program(lambda: runpy.run_path(path), {}, set())\n"
        "    assert any(r.type.startswith('gitpod:index:') for r in plan.resources), path\n"
        "    print(len(plan.resources))\n"
    )
    examples = [str(example / "__main__.py") for example in EXAMPLES]
    result = subprocess.run([str(python), "-c", script, *examples], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == len(EXAMPLES) >= 3


def test_s3_backed_registry_alone_scopes_its_user_to_the_bucket():
    plan = run_example(ROOT / "examples" / "s3_registry_only")
    config = yaml.safe_load(plan.outputs["installerConfig"])
    assert validate_config(config) == []
    assert config["containerRegistry"]["inCluster"] is True
    assert config["containerRegistry"]["s3storage"]["endpoint"] == "s3.eu-west-1.amazonaws.com"
    bucket = plan.one("aws:s3/bucket:Bucket")
    assert bucket.protect
    assert {r.inputs["metadata"]["name"] for r in plan.by_type("kubernetes:core/v1:Secret")} == {"container-registry-s3-backend"}
