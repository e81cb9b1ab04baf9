"""Gitpod Self-Hosted 2022.11's compatibility table and installer requirements, as data.

Three kinds of rule, because they deserve different treatment:

* **hard requirements** the 2022.11 installer enforces (`validate cluster`): always errors;
* **unsupported** combinations Gitpod's documentation names (ECR, GKE Dataplane V2 / Autopilot, GKE
  with self-signed certificates, MySQL majors Gitpod's DB layer cannot use): always errors;
* **untested** versions outside what Gitpod tested in 2022 (Kubernetes 1.22-1.24, containerd
  1.4-1.6, kernel 5.4-5.15, Ubuntu LTS, MySQL 5.7, Calico): today's clouds no longer offer most of
  them, so these are warnings that say what was tested and why it may still work; with
  `gitpod:compatibility: strict` they become errors.

Sources: Gitpod's Self-Hosted documentation, "Requirements" with its product compatibility matrix
(https://www.gitpod.io/docs/configure/self-hosted/latest/requirements) and "Required Components"
(https://www.gitpod.io/docs/self-hosted/latest/required-components); the 2022.11 installer's
cluster checks and node labels (gitpod-io/gitpod@2022.11.3 install/installer/pkg/cluster/checks.go:
kernel ">= 5.4.0-0", Kubernetes ">= 1.21.0-0", containerd, cert-manager's ClusterIssuers; affinity.go:
the gitpod.io/workload_* labels); the issues cited next to each refusal reason below; and the
clouds' own version calendars for what they still create
(https://cloud.google.com/kubernetes-engine/docs/release-schedule,
https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html,
https://learn.microsoft.com/azure/aks/supported-kubernetes-versions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

GITPOD_RELEASE = "2022.11"

# -- hard requirements of the 2022.11 installer (pkg/cluster/checks.go) ---------------------------
MIN_KUBERNETES = (1, 21)
MIN_KERNEL = (5, 4)
REQUIRED_RUNTIME = "containerd"
CERT_MANAGER_API = "cert-manager.io/v1"
# cert-manager releases from v1.15 replace `installCRDs` with `crds.enabled`/`crds.keep`, which this
# program relies on to keep Certificates alive if the chart is ever removed.
MIN_CERT_MANAGER = (1, 15)

#: Node labels the installer's affinity check requires ("true" on at least one node each), plus
#: `workload_services`, which installers after 2022.11 require and Gitpod's Terraform also set.
NODE_LABELS_SERVICES = (
    "gitpod.io/workload_meta",
    "gitpod.io/workload_ide",
    "gitpod.io/workload_workspace_services",
    "gitpod.io/workload_services",
)
NODE_LABEL_REGULAR = "gitpod.io/workload_workspace_regular"
NODE_LABEL_HEADLESS = "gitpod.io/workload_workspace_headless"
ALL_NODE_LABELS = (*NODE_LABELS_SERVICES, NODE_LABEL_REGULAR, NODE_LABEL_HEADLESS)
#: The labels of each node pool of a managed cluster, by its `gitpod:cluster.nodePools` key.
POOL_LABELS: dict[str, tuple[str, ...]] = {
    "services": NODE_LABELS_SERVICES,
    "regularWorkspaces": (NODE_LABEL_REGULAR,),
    "headlessWorkspaces": (NODE_LABEL_HEADLESS,),
}

#: Kernel settings workspace nodes need, applied only where the kernel has them.
#:
#: Ubuntu 24.04 sets `kernel.apparmor_restrict_unprivileged_userns=1`: an unprivileged process
#: without an AppArmor profile that allows `userns` may still create a user namespace, but is moved
#: into the `unprivileged_userns` profile, which denies every capability inside it
#: (https://ubuntu.com/blog/ubuntu-23-10-restricted-unprivileged-user-namespaces; the audit trail
#: of exactly this, "DENIED operation=mount profile=unprivileged_userns", is google/nsjail#236).
#: Gitpod 2022.11 starts every workspace that way: ws-manager runs the workspace container as UID
#: 33333, not privileged, with AppArmor `unconfined` (gitpod-io/gitpod@2022.11.3
#: components/ws-manager/pkg/manager/create.go, `createDefaultSecurityContext` and the
#: `container.apparmor.security.beta.kubernetes.io/workspace` annotation), and workspacekit's ring0
#: clones ring1 with CLONE_NEWUSER|CLONE_NEWNS and then mounts inside it
#: (components/workspacekit/cmd/rings.go). With the restriction on, those mounts fail and no
#: workspace starts, so workspace nodes turn it off (the pre-24.04 default).
WORKSPACE_NODE_SYSCTLS: dict[str, str] = {"kernel.apparmor_restrict_unprivileged_userns": "0"}

# -- what Gitpod tested (the compatibility table) ------------------------------------------------
#: The Cloud SQL Auth Proxy image the installer deploys with `database.cloudSQL`. It is hard-coded
#: (install/installer/pkg/components/database/cloudsql/constants.go@2022.11.3) and rendered with
#: `ctx.ImageName(ImageRepo, ...)` rather than `common.ThirdPartyContainerRepo(cfg.Repository, ...)`,
#: so the installer's `repository` does not redirect it (only `dropImageRepo: true` would).
CLOUDSQL_PROXY_IMAGE = "b.gcr.io/cloudsql-docker/gce-proxy:1.11"

TESTED_KUBERNETES = ("1.22", "1.23", "1.24")
TESTED_CONTAINERD = ("1.4", "1.5", "1.6")
TESTED_KERNEL = ((5, 4), (5, 15))
TESTED_OS = ("ubuntu-18.04", "ubuntu-20.04", "ubuntu-22.04")
TESTED_MYSQL = ("5.7",)
#: The MySQL the installer runs with `database.inCluster: true`: bitnami/mysql pinned to
#: `5.7.34-debian-10-r55` (install/installer/third_party/charts/mysql/values.yaml@2022.11.3), whatever
#: `gitpod:database.version` says.
INCLUSTER_MYSQL = "5.7"
TESTED_CNI = ("calico",)

Status = Literal["supported", "limited", "unsupported"]


@dataclass(frozen=True)
class Entry:
    """One row of the compatibility table."""

    category: str
    component: str
    status: Status
    note: str = ""


TABLE: tuple[Entry, ...] = (
    Entry("Orchestration System", "Kubernetes", "supported", "tested on 1.22, 1.23 and 1.24"),
    Entry("Orchestration Platform", "GKE", "supported", "Dataplane V2 unsupported; not supported with self-signed certs"),
    Entry("Orchestration Platform", "EKS", "supported"),
    Entry("Orchestration Platform", "AKS", "supported"),
    Entry("Orchestration Platform", "K3s", "limited"),
    Entry("Container Network Interface", "Calico VXLAN", "supported"),
    Entry("Container Runtime", "containerd", "supported", "tested on 1.4, 1.5 and 1.6"),
    Entry("Operating System", "Linux kernel", "supported", "tested from 5.4 to 5.15"),
    Entry("Operating System", "Ubuntu", "supported", "18.04, 20.04 and 22.04"),
    Entry("Certificate Management", "cert-manager", "supported", "any version implementing cert-manager.io/v1"),
    Entry("Database", "MySQL", "supported", "5.7"),
    Entry("Bucket Storage", "MinIO", "supported"),
    Entry("Bucket Storage", "Google Cloud Storage", "supported"),
    Entry("Bucket Storage", "AWS S3", "supported"),
    Entry("Bucket Storage", "Azure Blob Storage", "supported", "listed on the Required Components page"),
    Entry("Image Registry", "Docker Registry HTTP API V2", "supported"),
    Entry("Image Registry", "Google Container Registry", "supported"),
    Entry("Image Registry", "AWS S3 (in-cluster registry backed by S3)", "supported"),
    Entry("Image Registry", "Artifactory", "limited"),
    Entry("Image Registry", "Sonatype Nexus", "limited"),
    Entry("Image Registry", "Amazon ECR", "unsupported", "does not create repositories on push"),
    Entry("Source Control", "GitHub.com", "supported"),
    Entry("Source Control", "GitLab.com", "supported"),
    Entry("Source Control", "Bitbucket.org", "supported"),
    Entry("Source Control", "GitLab Self-Managed", "supported", "LTS (14.x)"),
    Entry("Source Control", "Bitbucket Server", "supported", "from v7.20"),
    Entry("Source Control", "GitHub Enterprise", "supported"),
)

# -- reasons for refusals, quoted in error messages -------------------------------------------
ECR_REASON = (
    "Gitpod does not support Amazon ECR: ECR does not implement the Docker Registry HTTP API V2 "
    "fully (it does not create a repository when an image is pushed to one that does not exist), "
    "and Gitpod's image builder pushes to <url>/base-images and <url>/workspace-images. "
    "Fix: use kind 's3' (the in-cluster registry backed by an S3 bucket), as Gitpod recommends on AWS."
)
DATAPLANE_V2_REASON = (
    "Gitpod's compatibility table marks GKE Dataplane V2 as unsupported (Calico is the only "
    "supported network policy on GKE). Fix: use 'legacy' (Calico network policy on the legacy datapath)."
)
AUTOPILOT_REASON = (
    "GKE Autopilot always runs Dataplane V2 and Container-Optimized OS and forbids the privileged "
    "workspace daemons Gitpod needs; Gitpod marks Dataplane V2 unsupported. Fix: use 'standard'."
)
GKE_SELFSIGNED_REASON = (
    "Gitpod's compatibility table says GKE is not supported in combination with self-signed "
    "certificates (gitpod-io/gitpod#11168: GKE nodes' containerd cannot be made to trust a custom CA, "
    "so workspace images fail to pull). Fix: use 'letsencrypt' with dns01 'clouddns', or 'existing' "
    "with a publicly trusted certificate."
)
MYSQL_REASON = (
    "Gitpod 2022.11 was tested on MySQL 5.7; its TypeScript DB layer needs mysql_native_password, "
    "which MySQL 8.4 disables and 9.x removes, so only 5.7 and 8.0 can work."
)


# -- version helpers ----------------------------------------------------------------------------
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?.*")


def parse_version(text: str) -> tuple[int, int] | None:
    """`1.24.17+k3s1` -> (1, 24); `5.15.0-1102-azure` -> (5, 15); None if not a version."""
    match = _VERSION.fullmatch(text.strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


def minor(text: str) -> str | None:
    parsed = parse_version(text)
    return f"{parsed[0]}.{parsed[1]}" if parsed else None


def in_tested(version: str, tested: Iterable[str]) -> bool:
    return minor(version) in set(tested)
