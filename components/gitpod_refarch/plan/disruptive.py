"""Which changes stop running workspaces or restart Gitpod's database, though no data is lost.

`stateful` answers "is data lost?"; this answers "what goes down?", for `plan --diff`:

* **roll**: a node pool's nodes are all replaced in place, drained one after another, so every
  running workspace on them is stopped (and must be restarted by its user).
* **replace**: a node pool is replaced as a whole: a new one is created, the old one deleted with
  its nodes (same effect on workspaces; on the services pool Gitpod is briefly down).
* **restart**: a database restarts (minutes without Gitpod).
* **cluster**: the cluster itself is replaced: Gitpod and every workspace stop, and whatever lives
  only inside the cluster (the in-cluster database, registry and object storage) is lost.

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
reimaging on version and OS changes (MicrosoftDocs/azure-aks-docs, upgrade-os-version.md).
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
}

#: Inputs whose change replaces the whole cluster.
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
}

#: Launch templates: every input is part of a template version; the pools using it roll (see module doc).
TEMPLATE_TYPES: frozenset[str] = frozenset({"aws:ec2/launchTemplate:LaunchTemplate"})
#: Where a pool names its template: the input path holding the template's `id`.
TEMPLATE_REFERENCE: dict[str, str] = {"aws:eks/nodeGroup:NodeGroup": "launchTemplate.id"}

#: Inputs whose in-place change restarts a database.
RESTART_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:rds/instance:Instance": ("engineVersion", "instanceClass", "parameterGroupName"),
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
