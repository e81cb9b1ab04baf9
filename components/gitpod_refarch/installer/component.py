"""`InstallerConfig`: the Gitpod namespace, the installer's Secrets and its config YAML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls

from ..contracts import InClusterDatabase
from .secrets import encryption_keys_json
from .values import InstallerInputs, InstallerValues, build_installer_values

TYPE = "gitpod:index:InstallerConfig"
#: Longer than the provider's 10-minute default: releasing a cloud load balancer and terminating
#: workspace pods can take several minutes each.
NAMESPACE_DELETE_TIMEOUT = "20m"


class InstallerConfigArgs(TypedDict, total=False):
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


class InstallerConfig(pulumi.ComponentResource):
    """Creates the Gitpod namespace and every Secret the installer config references.

    The namespace is protected because the installer's in-cluster MySQL and MinIO keep their
    PersistentVolumeClaims in it; the generated encryption key is protected because Gitpod cannot
    read rows encrypted with a key it no longer has.
    """

    namespace: pulumi.Output[str]
    """The namespace the installer must be run against (`--namespace`)."""
    config_yaml: pulumi.Output[str]
    """The installer's `gitpod.config.yaml`; it names Secrets but contains no secret values."""
    secret_names: pulumi.Output[list[str]]
    """The Secrets created for the installer."""
    secrets: list[k8s.core.v1.Secret]
    """The same Secrets as resources, for whatever must run after them (the installer Job)."""
    secret_named: dict[str, k8s.core.v1.Secret]
    """The same Secrets by their Kubernetes name (e.g. `custom-registry-credentials`, which the Job mounts)."""

    def __init__(self, name: str, args: InstallerConfigArgs, opts: pulumi.ResourceOptions | None = None) -> None:
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
        self.secrets: list[k8s.core.v1.Secret] = []
        self.secret_named: dict[str, k8s.core.v1.Secret] = {}
        for spec in values.secrets:
            secret = k8s.core.v1.Secret(
                f"{name}-{spec.name}",
                metadata={"name": spec.name, "namespace": ns.metadata.name, "labels": {"app.kubernetes.io/part-of": "gitpod"}},
                type=spec.type,
                string_data={key: pulumi.Output.secret(value) for key, value in spec.string_data.items()},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.secrets.append(secret)
            self.secret_named[spec.name] = secret

        self.namespace = ns.metadata.name
        self.config_yaml = values.yaml()
        self.secret_names = pulumi.Output.from_input([spec.name for spec in values.secrets])
        self.register_outputs({"namespace": self.namespace, "configYaml": self.config_yaml, "secretNames": self.secret_names})
