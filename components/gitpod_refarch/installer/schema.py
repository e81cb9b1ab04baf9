"""A checker for the 2022.11 installer config and the Secrets it references.

The installer binary cannot run here, so this restates what `gitpod-installer validate config`
(strict parsing plus the struct's `validate:` tags in `pkg/config/v1/config.go`) and
`validate cluster` (the Secret-key checks in `pkg/config/v1/validation.go`) would reject. It also
flags the silent traps the installer does not: an `inCluster: false` block with no external
settings, or two variants at once. Tests and the offline plan both run it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .secrets import REQUIRED_KEYS, referenced_secrets

_FQDN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True)
class F:
    """A field spec: type, whether required, allowed values, nested fields."""

    type: str  # str | bool | int | obj | list | ref | quantity | any
    required: bool = False
    enum: tuple[str, ...] = ()
    fields: Mapping[str, F] = field(default_factory=dict)
    item: F | None = None
    check: Callable[[Any], str | None] | None = None


def _obj(required: bool = False, **fields: F) -> F:
    return F("obj", required, fields=fields)


def _starts_with_slash(value: Any) -> str | None:
    return None if isinstance(value, str) and value.startswith("/") else "must start with '/'"


def _fqdn(value: Any) -> str | None:
    return None if isinstance(value, str) and _FQDN.fullmatch(value) else "failed fqdn validation"


#: The pattern `block_new_users_passlist` checks each passlist entry against (RFC 1123 "fqdn",
#: pkg/config/v1/validation.go@2022.11.3); an empty entry fails too.
PASSLIST_DOMAIN = re.compile(r"([a-zA-Z0-9][a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9][a-zA-Z0-9-]{0,62})*?(\.[a-zA-Z][a-zA-Z0-9]{0,62})\.?")


def _passlist_domain(value: Any) -> str | None:
    ok = isinstance(value, str) and PASSLIST_DOMAIN.fullmatch(value)
    return None if ok else "failed block_new_users_passlist validation (a domain such as example.com)"


#: A Kubernetes resource quantity as `resource.ParseQuantity` accepts it (apimachinery
#: pkg/api/resource/quantity.go): a non-negative decimal with a binary-SI, decimal-SI or exponent suffix.
QUANTITY = re.compile(r"(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?")
#: A Go `time.ParseDuration` string, which the installer's `util.Duration` fields parse
#: (components/common-go/util/duration.go@2022.11.3): e.g. `30m`, `1h30m`, `36h`.
DURATION = re.compile(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+")


def _resource_list(value: Any) -> str | None:
    """`corev1.ResourceList`: a map of resource name to quantity; the installer fails to parse anything else."""
    if not isinstance(value, Mapping):
        return "must be a map of resource name to quantity"
    bad = [f"{k}={v!r}" for k, v in value.items() if not (isinstance(v, str) and QUANTITY.fullmatch(v))]
    return f"holds values that are not resource quantities: {', '.join(bad)}" if bad else None


def _duration(value: Any) -> str | None:
    return None if isinstance(value, str) and DURATION.fullmatch(value) else "is not a duration such as 30m or 36h"


def _url(value: Any) -> str | None:
    return None if isinstance(value, str) and re.fullmatch(r"https?://[^\s/]+(/\S*)?", value) else "failed url validation"


#: Service types `components.proxy.service.serviceType` accepts (`service_config_type`,
#: pkg/config/v1/experimental/validation.go@2022.11.3).
PROXY_SERVICE_TYPES: tuple[str, ...] = ("LoadBalancer", "ClusterIP", "NodePort", "ExternalName")

REF = F("ref")
REQ_REF = F("ref", True)
RESOURCES = _obj(requests=F("any", True, check=_resource_list), limits=F("any", check=_resource_list))
PVC = _obj(True, size=F("quantity", True), storageClass=F("str"), snapshotClass=F("str"))
#: `[]Customization` (pkg/config/v1/config.go): TypeMeta, a stripped ObjectMeta and `spec.env`.
_STRING_MAP = F(
    "any", check=lambda v: None if isinstance(v, Mapping) and all(isinstance(x, str) for x in v.values()) else "must map names to strings"
)
_ENV = F("list", item=_obj(True, name=F("str", True), value=F("str"), valueFrom=F("any")))
CUSTOMIZATION = F(
    "list",
    item=_obj(
        True,
        apiVersion=F("str", True),
        kind=F("str", True),
        metadata=_obj(True, name=F("str", True), annotations=_STRING_MAP, labels=_STRING_MAP),
        spec=_obj(env=_ENV),
    ),
)

SCHEMA = _obj(
    True,
    apiVersion=F("str", True, ("v1",)),
    kind=F("str", True, ("IDE", "WebApp", "Meta", "Workspace", "Full")),
    domain=F("str", True, check=_fqdn),
    metadata=_obj(True, region=F("str", True), shortname=F("str")),
    repository=F("str", True),
    observability=_obj(
        logLevel=F("str", True, ("trace", "debug", "info", "warning", "error", "fatal", "panic")),
        tracing=F("any"),
    ),
    analytics=F("any"),
    database=_obj(
        True,
        inCluster=F("bool"),
        external=_obj(certificate=REQ_REF),
        cloudSQL=_obj(serviceAccount=REQ_REF, instance=F("str", True)),
        ssl=_obj(caCert=REF),
    ),
    objectStorage=_obj(
        True,
        inCluster=F("bool"),
        s3=_obj(endpoint=F("str", True), credentials=REQ_REF, bucket=F("str"), allowInsecureConnection=F("bool")),
        cloudStorage=_obj(serviceAccount=REQ_REF, project=F("str", True)),
        azure=_obj(credentials=REQ_REF),
        maximumBackupCount=F("int"),
        blobQuota=F("int"),
        resources=RESOURCES,
    ),
    containerRegistry=_obj(
        True,
        inCluster=F("bool", True),
        external=_obj(url=F("str", True), certificate=REQ_REF),
        s3storage=_obj(bucket=F("str", True), region=F("str", True), endpoint=F("str", True), certificate=REQ_REF),
        privateBaseImageAllowList=F("list", item=F("str")),
    ),
    certificate=REQ_REF,
    httpProxy=REF,
    imagePullSecrets=F("list", item=REQ_REF),
    workspace=_obj(
        True,
        runtime=_obj(
            True,
            fsShiftMethod=F("str", True, ("fuse", "shiftfs")),
            containerdRuntimeDir=F("str", True, check=_starts_with_slash),
            containerdSocket=F("str", True, check=_starts_with_slash),
        ),
        resources=RESOURCES,
        templates=F("any"),
        prebuildPVC=PVC,
        pvc=PVC,
        maxLifetime=F("str", True, check=_duration),
        timeoutDefault=F("str", check=_duration),
        timeoutExtended=F("str", check=_duration),
        timeoutAfterClose=F("str", check=_duration),
        workspaceImage=F("str"),
    ),
    openVSX=_obj(url=F("str", check=_url), proxy=F("any")),
    authProviders=F("list", item=REQ_REF),
    blockNewUsers=_obj(enabled=F("bool"), passlist=F("list", item=F("str", check=_passlist_domain))),
    license=REF,
    sshGatewayHostKey=REF,
    disableDefinitelyGp=F("bool"),
    customCACert=REF,
    dropImageRepo=F("bool"),
    customization=CUSTOMIZATION,
    components=_obj(proxy=_obj(service=_obj(serviceType=F("str", enum=PROXY_SERVICE_TYPES)))),
    experimental=F("any"),
)


def _check(spec: F, value: Any, path: str, errors: list[str], *, partial: bool = False) -> None:
    """Check `value` against `spec`; `partial` (a patch) skips required fields, which the rest of the config supplies."""
    if spec.type == "any":
        problem = spec.check(value) if spec.check is not None else None
        if problem:
            errors.append(f"Field '{path}' {problem}")
        return
    if spec.type in ("obj", "ref"):
        if not isinstance(value, Mapping):
            errors.append(f"Field '{path}' must be an object")
            return
        fields = spec.fields if spec.type == "obj" else {"kind": F("str", True, ("secret",)), "name": F("str", True)}
        for key in value:
            if key not in fields:
                errors.append(f"Field '{path}.{key}' is unknown (the installer parses strictly)")
        for key, sub in fields.items():
            if key not in value or value[key] is None:
                if sub.required and not partial:
                    errors.append(f"Field '{path}.{key}' is required")
                continue
            _check(sub, value[key], f"{path}.{key}", errors, partial=partial)
        return
    if spec.type == "list":
        if not isinstance(value, list):
            errors.append(f"Field '{path}' must be a list")
            return
        for i, item in enumerate(value):
            if spec.item is not None:
                _check(spec.item, item, f"{path}[{i}]", errors)  # a patch replaces lists whole
        return
    expected = {"str": str, "bool": bool, "int": int, "quantity": str}[spec.type]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        errors.append(f"Field '{path}' must be of type {spec.type}, got {value!r}")
        return
    if spec.type == "str" and spec.required and value == "":
        errors.append(f"Field '{path}' is required")
    if spec.enum and value not in spec.enum:
        errors.append(f"Field '{path}' failed validation: {value!r} not in {', '.join(spec.enum)}")
    if spec.type == "quantity" and not QUANTITY.fullmatch(value):
        errors.append(f"Field '{path}' is not a resource quantity: {value!r}")
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            errors.append(f"Field '{path}' {problem}")


def _variants(
    config: Mapping[str, Any], section: str, names: tuple[str, ...], errors: list[str], *, in_cluster_allows: tuple[str, ...] = ()
) -> None:
    block = config.get(section)
    if not isinstance(block, Mapping):
        return
    present = [n for n in names if block.get(n) is not None]
    in_cluster = block.get("inCluster", True)
    if in_cluster:
        ignored = [n for n in present if n not in in_cluster_allows]
        if ignored:
            errors.append(f"Field '{section}.inCluster' is true (the default), so '{section}.{ignored[0]}' would be silently ignored")
    else:
        if not present:
            errors.append(f"Field '{section}.inCluster' is false but none of {', '.join(names)} is set")
        elif len(present) > 1:
            errors.append(f"Field '{section}' sets {' and '.join(present)}; set exactly one")


def validate_config(config: Mapping[str, Any]) -> list[str]:
    """Problems `gitpod-installer validate config` (2022.11) would report, plus silent traps."""
    errors: list[str] = []
    _check(SCHEMA, config, "config", errors)
    errors = [e.replace("'config.", "'") for e in errors]
    _variants(config, "database", ("external", "cloudSQL"), errors)
    _variants(config, "objectStorage", ("s3", "cloudStorage", "azure"), errors)
    _variants(config, "containerRegistry", ("external", "s3storage"), errors, in_cluster_allows=("s3storage",))
    registry = config.get("containerRegistry")
    if isinstance(registry, Mapping) and registry.get("inCluster") is False and not registry.get("external"):
        errors.append("Field 'containerRegistry.external' is required if 'InCluster false'")
    users = config.get("blockNewUsers")
    if isinstance(users, Mapping) and users.get("enabled") and not users.get("passlist"):
        errors.append("Field 'blockNewUsers.passlist' needs at least one domain when blockNewUsers is enabled")
    return errors


def validate_secrets(config: Mapping[str, Any], secrets: Mapping[str, set[str]]) -> list[str]:
    """Problems `gitpod-installer validate cluster` would report about referenced Secrets.

    `secrets` maps each Secret name in the namespace to the keys it will hold.
    """
    errors: list[str] = []
    for path, name in referenced_secrets(dict(config)):
        required = REQUIRED_KEYS.get(path)
        if required is None:
            continue
        if name not in secrets:
            errors.append(f"secret {name} not found (referenced by {path})")
            continue
        for key in required:
            if key not in secrets[name]:
                errors.append(f"secret {name} has no {key} entry (referenced by {path})")
    return errors


#: Top-level config keys `installer.configPatch` may not touch, each with the reason: the program
#: derives them from its own settings and creates the Secrets they point at, so a patch would
#: leave the config pointing at something the program did not build.
MANAGED_BY_PROGRAM: dict[str, str] = {
    "apiVersion": "the program writes config version v1, the only one the 2022.11 installer reads",
    "domain": "it comes from gitpod:domain, which the certificate and DNS records are made for",
    "database": "it comes from gitpod:database, and the program creates the Secret it points at",
    "objectStorage": "it comes from gitpod:storage, and the program creates the Secret it points at",
    "containerRegistry": "it comes from gitpod:registry (and gitpod:installer.baseImageRegistries), and the program creates its Secrets",
    "certificate": "it comes from gitpod:certificate; cert-manager (or the program) writes the Secret it points at",
    "customCACert": "it comes from gitpod:certificate; the program creates the CA Secret it points at",
    "httpProxy": "use gitpod:installer.httpProxy, which creates the Secret it points at",
    "license": "use gitpod:installer.license, which creates the Secret it points at",
    "sshGatewayHostKey": "use gitpod:installer.sshGateway, which creates the host key Secret",
    "imagePullSecrets": "use gitpod:installer.imagePullSecrets, which creates the Secrets",
    "authProviders": "use gitpod:authProviders, which creates the Secrets",
    "customization": "use gitpod:installer.customization",
}


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` over `base` as the installer applies `CONFIG_PATCH` (yaml.Unmarshal into the built
    config, envvars.go@2022.11.3): objects merge key by key, lists and scalars replace, null removes."""
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def validate_patch(patch: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(config path, problem) for a config patch: managed blocks, then the schema for what it sets.

    Required fields are not asked of a patch (the generated config has them); the merged result is
    checked again by `validate_config` in the plan's installer checks.
    """
    problems = [(key, f"is managed by the program: {MANAGED_BY_PROGRAM[key]}") for key in patch if key in MANAGED_BY_PROGRAM]
    errors: list[str] = []
    _check(SCHEMA, {k: v for k, v in patch.items() if k not in MANAGED_BY_PROGRAM}, "config", errors, partial=True)
    for error in errors:
        match = re.match(r"Field 'config\.([^']*)' (.*)", error)
        if match:
            problems.append((match.group(1), match.group(2)))
    return problems


def validate_customization(items: Any) -> list[str]:
    """Problems with an installer `customization` list, as `validate config` would parse it."""
    errors: list[str] = []
    _check(CUSTOMIZATION, items, "customization", errors)
    return errors
