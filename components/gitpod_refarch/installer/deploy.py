"""`GitpodInstallation`: runs the Gitpod 2022.11 installer as a Job in the cluster, as KOTS did.

The Job (script: `job.sh` next to this module) checks the node against the config, validates the
config and the live cluster, renders Gitpod and releases it with `helm upgrade --install
--atomic --wait`. The Kubernetes provider waits for the Job, so `pulumi up` ends when Gitpod is
running, or fails with the step that failed.

Re-running is tied to content: the Job's name carries a hash of the config, the installer image
and the script, so a change to any of them replaces the Job (deleted first: one installer at a
time). The only Secret it copies into the release, the base-image credentials merged into the
in-cluster registry's pull secret, re-runs it too (its resourceVersion is a pod-template
annotation); nothing else does. A failed Job is replaced by the next `pulumi up`
(`pulumi.com/replaceUnready`), so fixing the cause and running `up` again retries it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from typing import TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s

from ..compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR
from . import DEFAULT_REPOSITORY

TYPE = "gitpod:index:GitpodInstallation"

#: The installer image KOTS ran for this release: gitpod-io/gitpod@2022.11.3
#: install/kots/manifests/gitpod-installer-job.yaml (`eu.gcr.io/gitpod-core-dev/build/installer:release-2022.11.3`),
#: checked 2026-11-30. A mirror (`installer.repository`) must hold it as `<repository>/installer:<tag>`.
INSTALLER_IMAGE_NAME = "installer"
INSTALLER_TAG = "release-2022.11.3"

#: Where things live in the image (install/installer/leeway.Dockerfile@2022.11.3): bash, jq, yq,
#: helm 3.8 and kubectl on PATH, the installer at /app/installer.
SCRIPT_NAME = "job.sh"
CONFIG_DIR = "/config"
CONFIG_KEY = "gitpod.config.yaml"
MOUNT_PATH = "/mnt/node"
#: Where the base-image credentials Secret (`registry_credentials`) is mounted, and its key.
REGISTRY_CREDENTIALS_DIR = "/registry-credentials"
REGISTRY_CREDENTIALS_KEY = ".dockerconfigjson"
#: Pod-template annotation carrying that Secret's resourceVersion: a `spec.template` change
#: replaces a Job (pulumi/pulumi-kubernetes provider/pkg/provider/diff.go, `job`), so new
#: credentials re-run the installer, which copies them into the release.
REGISTRY_CREDENTIALS_ANNOTATION = "gitpod.io/registry-credentials-version"
#: Host directories containerd detection looks under (install/installer/pkg/containerd/*.go@2022.11.3:
#: /var/lib/containerd/..., /run/containerd/..., /run/k3s/containerd/...), mounted read-only.
HOST_DIRS = ("/run", "/var/lib")

NAME = "gitpod-installer"
LOG_CONFIGMAP = "gitpod-installer-log"
_LABELS = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "gitpod"}

#: Helm's --timeout for Gitpod's release, the wait for the TLS Secret, and the slack for
#: scheduling the pod, pulling the image and the steps before Helm; the Job's deadline and
#: Pulumi's create timeout are their sum, so Pulumi never gives up before the Job does.
HELM_TIMEOUT_MINUTES = 20
CERTIFICATE_TIMEOUT_MINUTES = 15
SLACK_MINUTES = 10

_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]

#: What the installer's Helm release of Gitpod needs inside Gitpod's namespace: every namespaced
#: kind the 2022.11 installer renders (gitpod-io/gitpod@2022.11.3
#: install/installer/cmd/testdata/render/*/output.golden, all in the render's namespace), the
#: Secrets Helm keeps its releases in, pods for `helm --wait`, Jobs for the shiftfs probe, and the
#: ConfigMap the log is saved to.
#: `escalate` and `bind` on Roles: Gitpod's Roles grant rights this account does not hold, and
#: RBAC refuses to create such a Role, or a binding to it, without them
#: (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping).
NAMESPACED_RULES: list[k8s.rbac.v1.PolicyRuleArgsDict] = [
    {
        "api_groups": [""],
        "resources": ["configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims", "resourcequotas", "pods"],
        "verbs": _VERBS,
    },
    {"api_groups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"], "verbs": _VERBS},
    {"api_groups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": _VERBS},
    {"api_groups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": _VERBS},
    {"api_groups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": _VERBS},
    {"api_groups": ["cert-manager.io"], "resources": ["certificates", "issuers"], "verbs": _VERBS},
    {"api_groups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": [*_VERBS, "escalate", "bind"]},
]

#: Cluster-wide: the ClusterRoles and ClusterRoleBindings Gitpod renders (the only cluster-scoped
#: kinds in its default render), with `escalate` and `bind` for the same reason as above; and
#: what `validate cluster` reads (install/installer/pkg/cluster/checks.go@2022.11.3: nodes,
#: namespaces, ClusterIssuers). `escalate`/`bind` make this account as powerful as cluster-admin
#: (it may grant itself anything), which KOTS's `kotsadm` was; the explicit list keeps what it
#: touches by mistake to Gitpod's kinds. The experimental PodSecurityPolicies are not allowed: the
#: API is gone since Kubernetes 1.25.
CLUSTER_RULES: list[k8s.rbac.v1.PolicyRuleArgsDict] = [
    {
        "api_groups": ["rbac.authorization.k8s.io"],
        "resources": ["clusterroles", "clusterrolebindings"],
        "verbs": [*_VERBS, "escalate", "bind"],
    },
    {"api_groups": [""], "resources": ["nodes", "namespaces"], "verbs": ["get", "list"]},
    {"api_groups": ["cert-manager.io"], "resources": ["clusterissuers"], "verbs": ["get", "list"]},
]


def installer_image(repository: str = DEFAULT_REPOSITORY) -> str:
    """The pinned 2022.11 installer image, from Gitpod's registry or the `installer.repository` mirror."""
    return f"{repository.rstrip('/')}/{INSTALLER_IMAGE_NAME}:{INSTALLER_TAG}"


def job_script() -> str:
    """The Job's shell script, shipped as package data."""
    return resources.files(__package__).joinpath(SCRIPT_NAME).read_text()


def job_name(config_yaml: str, image: str, script: str) -> str:
    """`gitpod-installer-<hash>`: changes exactly when the config, the installer or the script does."""
    digest = hashlib.sha256("\0".join((config_yaml, image, script)).encode()).hexdigest()
    return f"{NAME}-{digest[:10]}"


class GitpodInstallationArgs(TypedDict, total=False):
    namespace: pulumi.Input[str]
    """Gitpod's namespace; pass the Namespace resource's name so everything is created after it (required)."""
    config_yaml: pulumi.Input[str]
    """The installer config (`InstallerConfig.config_yaml`), stored verbatim in a ConfigMap (required)."""
    certificate_secret: str
    """The TLS Secret the config's `certificate` names; the Job waits until cert-manager has written it (required)."""
    repository: str
    """`installer.repository`: where the installer image is pulled from (default Gitpod's registry)."""
    pull_secrets: Sequence[str]
    """docker-registry Secrets in `namespace` for pulling the installer image (default none)."""
    labels_may_be_absent: Sequence[str]
    """Node labels of pools allowed to have zero nodes; `validate cluster` tolerates only their absence (default none)."""
    registry_credentials: k8s.core.v1.Secret
    """A `.dockerconfigjson` Secret in `namespace` (`custom-registry-credentials`) whose entries the Job
    merges into the `builtin-registry-auth` Secret the installer renders for its own registry; only
    for an in-cluster registry (default none). Mounted read-only; a change to it re-runs the Job."""
    after: Sequence[pulumi.Resource]
    """What must exist before the Job runs: the Secrets, the Certificate, storage drivers (default none)."""
    helm_timeout_minutes: int
    """Helm's `--timeout` (default `HELM_TIMEOUT_MINUTES`)."""
    certificate_timeout_minutes: int
    """How long the Job waits for the TLS Secret (default `CERTIFICATE_TIMEOUT_MINUTES`)."""


class GitpodInstallation(pulumi.ComponentResource):
    """Installs Gitpod with its own installer, in a Job with just the rights a Helm release of Gitpod needs."""

    job_name: pulumi.Output[str]
    """The installer Job; `kubectl -n <namespace> logs job/<name>` shows its log."""
    log_command: pulumi.Output[str]
    """The command that prints the installer's log."""

    def __init__(self, name: str, args: GitpodInstallationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        namespace = args["namespace"]
        config_yaml = pulumi.Output.from_input(args["config_yaml"])
        image = installer_image(args.get("repository", DEFAULT_REPOSITORY))
        script = job_script()
        helm_minutes = args.get("helm_timeout_minutes", HELM_TIMEOUT_MINUTES)
        cert_minutes = args.get("certificate_timeout_minutes", CERTIFICATE_TIMEOUT_MINUTES)
        deadline_minutes = helm_minutes + cert_minutes + SLACK_MINUTES
        child = pulumi.ResourceOptions(parent=self)

        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={"name": f"{NAME}-config", "namespace": namespace, "labels": _LABELS},
            data={CONFIG_KEY: config_yaml},
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-account", metadata={"name": NAME, "namespace": namespace, "labels": _LABELS}, opts=child
        )
        role = k8s.rbac.v1.Role(
            f"{name}-role", metadata={"name": NAME, "namespace": namespace, "labels": _LABELS}, rules=NAMESPACED_RULES, opts=child
        )
        role_binding = k8s.rbac.v1.RoleBinding(
            f"{name}-role-binding",
            metadata={"name": NAME, "namespace": namespace, "labels": _LABELS},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": role.metadata.name},
            subjects=[{"kind": "ServiceAccount", "name": account.metadata.name, "namespace": namespace}],
            opts=child,
        )
        # Cluster-scoped names must be unique in the cluster: one per Gitpod namespace.
        cluster_name = pulumi.Output.concat(NAME, "-", namespace)
        cluster_meta: k8s.meta.v1.ObjectMetaArgsDict = {"name": cluster_name, "labels": _LABELS}
        cluster_role = k8s.rbac.v1.ClusterRole(f"{name}-cluster-role", metadata=cluster_meta, rules=CLUSTER_RULES, opts=child)
        cluster_binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-cluster-role-binding",
            metadata=cluster_meta,
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role.metadata.name},
            subjects=[{"kind": "ServiceAccount", "name": account.metadata.name, "namespace": namespace}],
            opts=child,
        )

        self.job_name = config_yaml.apply(lambda text: job_name(text, image, script))
        env: list[k8s.core.v1.EnvVarArgsDict] = [
            {"name": "NAMESPACE", "value": namespace},
            {"name": "JOB_NAME", "value": self.job_name},
            {"name": "CONFIG_FILE", "value": f"{CONFIG_DIR}/{CONFIG_KEY}"},
            {"name": "TLS_SECRET", "value": args["certificate_secret"]},
            {"name": "MOUNT_PATH", "value": MOUNT_PATH},
            {"name": "HELM_TIMEOUT", "value": f"{helm_minutes}m"},
            {"name": "CERTIFICATE_TIMEOUT_SECONDS", "value": str(cert_minutes * 60)},
            {"name": "LABELS_MAY_BE_ABSENT", "value": " ".join(args.get("labels_may_be_absent", ()))},
            {"name": "LOG_CONFIGMAP", "value": LOG_CONFIGMAP},
            {"name": "HOME", "value": "/tmp"},
            {"name": "NODE_NAME", "value_from": {"field_ref": {"field_path": "spec.nodeName"}}},
        ]
        host_mounts = [(f"host{d.replace('/', '-')}", d) for d in HOST_DIRS]
        credentials = args.get("registry_credentials")
        pod_annotations: dict[str, pulumi.Input[str]] = {}
        credential_mounts: list[k8s.core.v1.VolumeMountArgsDict] = []
        credential_volumes: list[k8s.core.v1.VolumeArgsDict] = []
        if credentials is not None:
            env.append({"name": "REGISTRY_CREDENTIALS_FILE", "value": f"{REGISTRY_CREDENTIALS_DIR}/{REGISTRY_CREDENTIALS_KEY}"})
            pod_annotations[REGISTRY_CREDENTIALS_ANNOTATION] = credentials.metadata.resource_version.apply(lambda v: v or "")
            credential_mounts.append({"name": "registry-credentials", "mount_path": REGISTRY_CREDENTIALS_DIR, "read_only": True})
            # Only the one key, readable by the owner alone: the image runs as root (its Dockerfile sets no USER).
            credential_volumes.append(
                {
                    "name": "registry-credentials",
                    "secret": {
                        "secret_name": credentials.metadata.name,
                        "items": [{"key": REGISTRY_CREDENTIALS_KEY, "path": REGISTRY_CREDENTIALS_KEY}],
                        "default_mode": 0o400,
                    },
                }
            )
        job_meta: k8s.meta.v1.ObjectMetaArgsDict = {
            "name": self.job_name,
            "namespace": namespace,
            "labels": _LABELS,
            # A failed Job is replaced on the next `pulumi up` instead of being kept as it is.
            "annotations": {"pulumi.com/replaceUnready": "true"},
        }
        job_spec: k8s.batch.v1.JobSpecArgsDict = {
            # No retries: a failed `helm --atomic` has already rolled back; `pulumi up` retries.
            # No ttlSecondsAfterFinished: the provider must be able to read the result.
            "backoff_limit": 0,
            "active_deadline_seconds": deadline_minutes * 60,
            # cast: mypy infers `object` for the lists built with `*(...)` below.
            "template": cast(
                k8s.core.v1.PodTemplateSpecArgsDict,
                {
                    "metadata": {"labels": _LABELS, **({"annotations": pod_annotations} if pod_annotations else {})},
                    "spec": {
                        "service_account_name": account.metadata.name,
                        "restart_policy": "Never",
                        # On a workspace node, where ws-daemon will look for containerd (KOTS's affinity).
                        "affinity": {
                            "node_affinity": {
                                "required_during_scheduling_ignored_during_execution": {
                                    "node_selector_terms": [
                                        {"match_expressions": [{"key": label, "operator": "Exists"}]}
                                        for label in (NODE_LABEL_REGULAR, NODE_LABEL_HEADLESS)
                                    ]
                                }
                            }
                        },
                        "image_pull_secrets": [{"name": s} for s in args.get("pull_secrets", ())] or None,
                        "containers": [
                            {
                                "name": "installer",
                                "image": image,
                                "command": ["/bin/bash", "-c", script, SCRIPT_NAME],
                                "env": env,
                                "termination_message_policy": "FallbackToLogsOnError",
                                "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
                                "security_context": {"allow_privilege_escalation": False, "read_only_root_filesystem": True},
                                "volume_mounts": [
                                    {"name": "config", "mount_path": CONFIG_DIR, "read_only": True},
                                    {"name": "tmp", "mount_path": "/tmp"},
                                    *({"name": v, "mount_path": f"{MOUNT_PATH}{d}", "read_only": True} for v, d in host_mounts),
                                    *credential_mounts,
                                ],
                            }
                        ],
                        "volumes": [
                            {"name": "config", "config_map": {"name": config_map.metadata.name}},
                            {"name": "tmp", "empty_dir": {}},
                            *({"name": v, "host_path": {"path": d, "type": "Directory"}} for v, d in host_mounts),
                            *credential_volumes,
                        ],
                    },
                },
            ),
        }
        job = k8s.batch.v1.Job(
            f"{name}-job",
            metadata=job_meta,
            spec=job_spec,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[role_binding, cluster_binding, *args.get("after", ())],
                delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{deadline_minutes + 5}m", update=f"{deadline_minutes + 5}m"),
            ),
        )
        self.job = job
        self.log_command = pulumi.Output.concat("kubectl -n ", namespace, " logs job/", self.job_name)
        self.register_outputs({"jobName": self.job_name, "logCommand": self.log_command})
