"""`InstallerConfig`: the Gitpod namespace, the installer's Secrets and its config YAML."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict, TypeVar

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls

from ..certmanager import SECRET_NAME
from ..contracts import (
    CONTAINERD_DEFAULT,
    AuthProvider,
    AzureStorage,
    CertificateInfo,
    CloudSqlConnection,
    ContainerdPaths,
    ExternalDatabase,
    ExternalRegistry,
    GcsStorage,
    InClusterDatabase,
    InClusterRegistry,
    InClusterStorage,
    RegistryCredential,
    S3Registry,
    S3Storage,
)
from ..plainargs import missing_required, refuse, variant
from . import PvcOptions, WorkspaceOptions
from .args import (
    SECRET_FIELDS,
    InstallerConfigArgs,
    InstallerDatabaseKind,
    InstallerRegistryKind,
    InstallerStorageKind,
)
from .schema import validate_customization, validate_patch
from .secrets import encryption_keys_json
from .values import HttpProxy, InstallerInputs, InstallerValues, build_installer_values

TYPE = "gitpod:index:InstallerConfig"
#: Longer than the provider's 10-minute default: releasing a cloud load balancer and terminating
#: workspace pods can take several minutes each.
NAMESPACE_DELETE_TIMEOUT = "20m"


class InstallerConfigSpec(TypedDict, total=False):
    """What `InstallerConfig.of` takes: the contracts themselves (Python programs, and the stack's own)."""

    inputs: InstallerInputs
    """The per-concern contracts and options the config is built from (required)."""
    namespace: str
    """Namespace Gitpod is installed into; created here (default `gitpod`)."""
    protect: bool
    """Protect the namespace and the encryption key from deletion (default true)."""
    namespace_depends_on: Sequence[pulumi.Resource]
    """What the namespace's contents need until they are gone, so `pulumi destroy` deletes the
    namespace first: the volume driver that deletes its claims' disks (EKS's EBS CSI add-on)."""
    encryption_keys: pulumi.Input[str]
    """Bring your own `encryptionKeys` JSON (e.g. when migrating an existing Gitpod database).
    By default a random 32-byte key is generated once and kept in state."""
    ssh_gateway: bool
    """Generate an SSH host key (kept in state, protected) and turn on Gitpod's SSH gateway (default false)."""


# -- the plain args -> the contracts (the one adapter) ---------------------------------------------
#: Per variant arg: kind -> (the field holding its object, the contract variant it becomes). The
#: objects' fields are the contracts' own, so a contract is built from its object as it stands.
DATABASE: Mapping[InstallerDatabaseKind, tuple[str | None, Callable[..., Any]]] = {
    InstallerDatabaseKind.INCLUSTER: (None, InClusterDatabase),
    InstallerDatabaseKind.EXTERNAL: ("external", ExternalDatabase),
    InstallerDatabaseKind.CLOUDSQL: ("cloud_sql", CloudSqlConnection),
}
STORAGE: Mapping[InstallerStorageKind, tuple[str | None, Callable[..., Any]]] = {
    InstallerStorageKind.INCLUSTER: (None, InClusterStorage),
    InstallerStorageKind.S3: ("s3", S3Storage),
    InstallerStorageKind.GCS: ("gcs", GcsStorage),
    InstallerStorageKind.AZURE: ("azure", AzureStorage),
}
REGISTRY: Mapping[InstallerRegistryKind, tuple[str | None, Callable[..., Any]]] = {
    InstallerRegistryKind.INCLUSTER: (None, InClusterRegistry),
    InstallerRegistryKind.EXTERNAL: ("external", ExternalRegistry),
    InstallerRegistryKind.S3: ("s3", S3Registry),
}
VARIANTS: Mapping[str, Mapping[Any, tuple[str | None, Callable[..., Any]]]] = {
    "database": DATABASE,
    "storage": STORAGE,
    "registry": REGISTRY,
}
K = TypeVar("K")


def problems(args: Mapping[str, Any]) -> list[str]:
    """What is wrong with these args, all at once, each named as in the schema; no value is echoed
    except a `kind`, and the config patch's own findings."""
    found: list[str] = []
    if "inputs" in args:
        found.append("inputs: contracts go to `InstallerConfig.of(name, {'inputs': ...})`; `InstallerConfig(name, args)` takes plain args")
    found += missing_required(args, InstallerConfigArgs)
    for path, table in VARIANTS.items():
        value = args.get(path)
        if value is not None:
            found += variant(path, value, {k: field for k, (field, _) in table.items()}, default=next(iter(table)))[1]
    patch = args.get("config_patch")
    if patch:
        found += [f"configPatch.{path}: {message}" for path, message in validate_patch(patch)]
    if args.get("customization"):
        found += [f"customization: {error}" for error in validate_customization(args["customization"])]
    return found


def _secrets(value: Mapping[str, Any]) -> dict[str, Any]:
    """An object's fields, credentials wrapped as secrets however they arrived."""
    return {k: pulumi.Output.secret(v) if k in SECRET_FIELDS else v for k, v in value.items()}


def _contract(value: Mapping[str, Any] | None, table: Mapping[Any, tuple[str | None, Callable[..., K]]]) -> K:
    value = value or {}
    field, contract = table[type(next(iter(table)))(value.get("kind", next(iter(table))))]
    return contract(**_secrets(value.get(field) or {})) if field else contract()


def _workspace(value: Mapping[str, Any]) -> WorkspaceOptions:
    fields: dict[str, Any] = dict(value)
    for key in ("requests", "limits"):
        if key in fields:
            fields[key] = tuple(fields[key].items())
    for key in ("pvc", "prebuild_pvc"):
        if key in fields:
            fields[key] = PvcOptions(**fields[key])
    return WorkspaceOptions(**fields)


#: Plain args passed on to `InstallerInputs` as they are (same names, same defaults there).
PASSED_ON = (
    "repository",
    "region",
    "log_level",
    "fs_shift_method",
    "block_new_users",
    "passlist",
    "open_vsx_url",
    "drop_image_repo",
    "proxy_service_type",
    "proxy_service_annotations",
    "customization",
    "config_patch",
)


def installer_spec(args: InstallerConfigArgs) -> InstallerConfigSpec:
    """The plain args as the contracts `InstallerConfig.of` builds from: checked first (every problem
    at once, before anything is registered), credentials wrapped as secrets."""
    refuse("InstallerConfig", problems(args))
    options: dict[str, Any] = {key: args[key] for key in PASSED_ON if args.get(key) is not None}  # type: ignore[literal-required]
    options["image_pull_secrets"] = [RegistryCredential(**_secrets(c)) for c in args.get("image_pull_secrets", ())]
    options["base_image_registries"] = [RegistryCredential(**_secrets(c)) for c in args.get("base_image_registries", ())]
    options["auth_providers"] = [AuthProvider(**{"id": p["host"], **_secrets(p)}) for p in args.get("auth_providers", ())]
    if args.get("http_proxy") is not None:
        proxy = args["http_proxy"]
        options["http_proxy"] = HttpProxy(proxy["http_proxy"], proxy["https_proxy"], tuple(proxy.get("no_proxy", ())))
    if args.get("license") is not None:
        options["license"] = pulumi.Output.secret(args["license"])
    if args.get("workspace") is not None:
        options["workspace"] = _workspace(args["workspace"])
    inputs = InstallerInputs(
        domain=args["domain"],
        database=_contract(args.get("database"), DATABASE),
        storage=_contract(args.get("storage"), STORAGE),
        registry=_contract(args.get("registry"), REGISTRY),
        certificate=CertificateInfo(args.get("certificate_secret_name", SECRET_NAME), args.get("ca_secret_name") or None),
        containerd=ContainerdPaths(
            args.get("containerd_runtime_dir", CONTAINERD_DEFAULT.runtime_dir), args.get("containerd_socket", CONTAINERD_DEFAULT.socket)
        ),
        **options,
    )
    spec: InstallerConfigSpec = {"inputs": inputs}
    for key in ("namespace", "protect", "encryption_keys", "ssh_gateway"):
        if args.get(key) is not None:
            spec[key] = args[key]
    return spec


class InstallerConfig(pulumi.ComponentResource):
    """Creates the Gitpod namespace and every Secret the installer config references.

    The namespace is protected because the installer's in-cluster MySQL and MinIO keep their
    PersistentVolumeClaims in it; the generated encryption key is protected because Gitpod cannot
    read rows encrypted with a key it no longer has.

    Two ways in, one implementation (`_build`): `InstallerConfig(name, args)` takes plain args, the
    shape other languages see in the schema, and adapts them to the contracts (`installer_spec`);
    `InstallerConfig.of(name, spec)` takes the contracts, as the stack's program (which builds them
    from its cloud's resources) and Python programs do. Both register the same component type under
    the same name, so resources and URNs do not depend on the way in.
    """

    namespace: pulumi.Output[str]
    """The namespace the installer must be run against (`--namespace`)."""
    config_yaml: pulumi.Output[str]
    """The installer's `gitpod.config.yaml`; it names Secrets but contains no secret values."""
    secret_names: pulumi.Output[list[str]]
    """The Secrets created for the installer."""

    def __init__(self, name: str, args: InstallerConfigArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, installer_spec(args), opts)

    @classmethod
    def of(cls, name: str, spec: InstallerConfigSpec, opts: pulumi.ResourceOptions | None = None) -> "InstallerConfig":
        """The component from the contracts themselves (`InstallerInputs`)."""
        self = cls.__new__(cls)
        self._build(name, spec, opts)
        return self

    def _build(self, name: str, args: InstallerConfigSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__(TYPE, name, None, opts)
        inputs = args["inputs"]
        namespace = args.get("namespace", "gitpod")
        protect = args.get("protect", True)

        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": namespace, "labels": {"app.kubernetes.io/part-of": "gitpod"}},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=protect,
                depends_on=list(args.get("namespace_depends_on", ())),
                # Deleting it waits for everything in it: Gitpod's pods and the cloud's load
                # balancer for the `proxy` Service, whose finalizer holds the namespace.
                custom_timeouts=pulumi.CustomTimeouts(delete=NAMESPACE_DELETE_TIMEOUT),
            ),
        )
        keys = args.get("encryption_keys")
        if keys is None and not isinstance(inputs.database, InClusterDatabase):
            material = random.RandomBytes(
                f"{name}-encryption-key",
                length=32,
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            keys = material.base64.apply(encryption_keys_json)
        if keys is not None:
            secret_keys: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.from_input(keys))
            inputs = InstallerInputs(**{**inputs.__dict__, "encryption_keys": secret_keys})

        if args.get("ssh_gateway") and inputs.ssh_gateway_host_key is None:
            # RSA as KOTS's `genPrivateKey "rsa"`; protected because a new host key makes every
            # user's SSH client refuse the gateway as a possible man in the middle.
            host_key = tls.PrivateKey(
                f"{name}-ssh-gateway-host-key",
                algorithm="RSA",
                rsa_bits=4096,
                opts=pulumi.ResourceOptions(parent=self, protect=protect),
            )
            inputs = InstallerInputs(**{**inputs.__dict__, "ssh_gateway_host_key": host_key.private_key_pem})

        values: InstallerValues = build_installer_values(inputs)
        #: The Secrets by their Kubernetes name (e.g. `custom-registry-credentials`, which the Job
        #: mounts). Not an output: other languages wait for the component itself.
        self.secret_named: dict[str, k8s.core.v1.Secret] = {
            spec.name: k8s.core.v1.Secret(
                f"{name}-{spec.name}",
                metadata={"name": spec.name, "namespace": ns.metadata.name, "labels": {"app.kubernetes.io/part-of": "gitpod"}},
                type=spec.type,
                string_data={key: pulumi.Output.secret(value) for key, value in spec.string_data.items()},
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in values.secrets
        }
        #: The same Secrets in the installer's order, for whatever must run after them (the installer Job).
        self.secrets: list[k8s.core.v1.Secret] = list(self.secret_named.values())
        self.secret_names = pulumi.Output.from_input(list(self.secret_named))

        self.namespace = ns.metadata.name
        self.config_yaml = values.yaml()
        self.register_outputs({"namespace": self.namespace, "configYaml": self.config_yaml, "secretNames": self.secret_names})
