"""Which changes stop running workspaces or restart Gitpod's database, though no data is lost.

`stateful` answers "is data lost?"; this answers "what goes down?", for `plan --diff`:

* **roll**: a node pool's nodes are all replaced in place, drained one after another, so every
  running workspace on them is stopped (and must be restarted by its user).
* **replace**: a node pool is replaced as a whole: a new one is created, the old one deleted with
  its nodes (same effect on workspaces; on the services pool Gitpod is briefly down).
* **restart**: a database restarts (minutes without Gitpod).
* **rebuild**: the cluster itself is replaced: a new cluster, and the old one deleted with every
  node and everything deployed in it (Gitpod is down until reinstalled; in-cluster volumes are lost).

A launch template is a special case: the plan cannot see its new version number (a placeholder),
so any input change of a template is reported as a roll of the node groups that use it, which is
what EKS does with a group that follows the template's latest version.

The tables hold, per type, the engine (camelCase) input paths, from the providers' schemas:
terraform-provider-aws internal/service/eks/node_group.go (ForceNew fields; `launch_template.version`,
`release_version` and `version` go through UpdateNodegroupVersion, a rolling update) and
internal/service/rds/instance.go (class, version and parameter group changes are applied with
`apply_immediately`, which restarts the instance); for AKS, pulumi-azure-native 3's `forceNewMap`
for ManagedCluster (provider/pkg/gen) plus its URL parameters, azure-native's replacement of an
AgentPool on `vmSize` (and the program's own on `osDiskSizeGB`, azure/cluster.py), and in-place
reimaging on version and OS changes (MicrosoftDocs/azure-aks-docs, upgrade-os-version.md); and
terraform-provider-google (google-beta, which pulumi-gcp wraps) services/container/resource_container_cluster.go, resource_container_node_pool.go
and node_config.go at v7.45.0 (ForceNew fields; `machine_type`, `disk_size_gb`, `disk_type`,
`image_type` and `network_config.enable_private_nodes` go through UpdateNodePool, which recreates
the pool's nodes). Inputs under `ignore_changes` (a GKE pool's `initialNodeCount`, the cluster's
temporary `nodeConfig`) are left out: Pulumi never sends their changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .stateful import lookup

#: Inputs whose change rolls every node of the pool.
ROLL_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:eks/nodeGroup:NodeGroup": ("launchTemplate.version", "releaseVersion", "version"),
    "azure-native:containerservice:AgentPool": ("orchestratorVersion", "osSKU"),
    # The services pool is declared inside the cluster (agentPoolProfiles): a minor upgrade or a new
    # OS SKU reimages it like any other pool.
    "azure-native:containerservice:ManagedCluster": ("kubernetesVersion", "agentPoolProfiles.0.osSKU"),
    "gcp:container/nodePool:NodePool": (
        "nodeConfig.machineType",
        "nodeConfig.diskSizeGb",
        "nodeConfig.diskType",
        "nodeConfig.imageType",
        "networkConfig.enablePrivateNodes",
    ),
}

#: Inputs whose change replaces the pool.
POOL_REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:eks/nodeGroup:NodeGroup": (
        "amiType",
        "capacityType",
        "clusterName",
        "diskSize",
        "instanceTypes",
        "launchTemplate.id",
        "launchTemplate.name",
        "nodeGroupName",
        "nodeGroupNamePrefix",
        "nodeRoleArn",
        "remoteAccess",
        "subnetIds",
    ),
    "azure-native:containerservice:AgentPool": ("agentPoolName", "resourceName", "resourceGroupName", "vmSize", "osDiskSizeGB"),
    "gcp:container/nodePool:NodePool": (
        "name",
        "location",
        "cluster",
        "project",
        "maxPodsPerNode",
        "nodeConfig.serviceAccount",
        "nodeConfig.oauthScopes",
        "nodeConfig.metadata",
    ),
}

#: Inputs whose change replaces the cluster (and so everything deployed into it).
CLUSTER_REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "azure-native:containerservice:ManagedCluster": (
        "resourceName",
        "resourceGroupName",
        "location",
        "dnsPrefix",
        "networkProfile",
        "nodeResourceGroup",
        "linuxProfile",
    ),
    "gcp:container/cluster:Cluster": (
        "name",
        "location",
        "project",
        "network",
        "subnetwork",
        "networkingMode",
        "ipAllocationPolicy",
        "datapathProvider",
        "description",
    ),
}

#: Launch templates: every input is part of a template version; the pools using it roll (see module doc).
TEMPLATE_TYPES: frozenset[str] = frozenset({"aws:ec2/launchTemplate:LaunchTemplate"})
#: Where a pool names its template: the input path holding the template's `id`.
TEMPLATE_REFERENCE: dict[str, str] = {"aws:eks/nodeGroup:NodeGroup": "launchTemplate.id"}

#: Inputs whose in-place change restarts a database. Cloud SQL restarts for a new machine tier or
#: availability type (https://cloud.google.com/sql/docs/mysql/instance-settings, "Impact of changing
#: instance settings") and for an in-place major upgrade, which keeps the instance, its data and its
#: IP address (https://cloud.google.com/sql/docs/mysql/upgrade-major-db-version-inplace; checked 2026-11).
RESTART_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": ("engineVersion", "instanceClass", "parameterGroupName"),
    "gcp:sql/databaseInstance:DatabaseInstance": ("databaseVersion", "settings.tier", "settings.availabilityType"),
    # Flexible Server: "Compute scaling requires a restart and takes 60-120 seconds, while storage
    # scaling doesn't" (MicrosoftDocs/azure-databases-docs concepts-service-tiers-storage.md), and a
    # major version upgrade takes the server down while it runs (how-to-upgrade.md).
    "azure-native:dbformysql:Server": ("sku.name", "sku.tier", "version"),
}


def changed(keys: tuple[str, ...], base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    """The keys whose value differs between two resources' inputs."""
    return [key for key in keys if lookup(base, key) != lookup(head, key)]


def uses_template(pool: Mapping[str, Any], template_name: str) -> bool:
    """Whether a pool's template reference is the plan's placeholder for that template's id."""
    path = TEMPLATE_REFERENCE.get(str(pool.get("type")))
    return path is not None and lookup(pool.get("inputs") or {}, path) == f"${{{template_name}.id}}"
