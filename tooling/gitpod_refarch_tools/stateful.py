"""Which resources hold data, and which of their inputs make Pulumi replace them.

A replaced database, bucket, zone or registry is an empty one: Pulumi creates the new resource and
deletes the old one with everything in it. Two things cause that and both are invisible in an
ordinary diff of the program: a changed URN (a renamed resource or component, a new parent) and a
changed input that the provider cannot update in place. `plan --diff`, the URN snapshots and the
critical-path guard all work from the tables below, so one list says what "stateful" means.

`REPLACE_ON_CHANGE` lists, per type, the engine (camelCase) input paths whose change forces a
replacement. It is deliberately the short list that matters for data, taken from each provider's
schema (`replaceOnChanges` / Terraform `ForceNew`) for pulumi-gcp 10, pulumi-aws 7,
pulumi-azure-native 3, pulumi-random 4 and pulumi-kubernetes 4; it is not every such input.
Resources marked `protect` are treated as stateful too, whatever their type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: type token -> input paths (dotted, engine names) whose change replaces the resource.
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    # -- databases --------------------------------------------------------------------------------
    # Cloud SQL: the instance name is its identity (and cannot be reused for a week after deletion);
    # region and project move it. `databaseVersion` is not here: terraform-provider-google patches it
    # in place, a major upgrade that keeps the data (services/sql/resource_sql_database_instance.go,
    # not ForceNew; checked at v7.45.0, 2026-11), so `disruptive` lists it as a restart.
    "gcp:sql/databaseInstance:DatabaseInstance": (
        "name",
        "region",
        "project",
        "masterInstanceName",
        "encryptionKeyName",
    ),
    "gcp:sql/database:Database": ("name", "instance", "project"),
    "aws:rds/instance:Instance": (
        "identifier",
        "identifierPrefix",
        "engine",
        "region",
        "availabilityZone",
        "dbName",
        "username",
        "kmsKeyId",
        "storageEncrypted",
        "characterSetName",
        "timezone",
        "snapshotIdentifier",
    ),
    "aws:rds/cluster:Cluster": (
        "clusterIdentifier",
        "clusterIdentifierPrefix",
        "engine",
        "region",
        "databaseName",
        "masterUsername",
        "kmsKeyId",
        "storageEncrypted",
    ),
    # Flexible Server: `administratorLogin`, `availabilityZone` and `network` (delegated subnet,
    # private DNS zone) are create-only (x-ms-mutability create/read in FlexibleServers.json,
    # 2024-02-01-preview), which azure-native turns into replacements (provider/pkg/gen/properties.go).
    "azure-native:dbformysql:Server": (
        "serverName",
        "resourceGroupName",
        "location",
        "administratorLogin",
        "availabilityZone",
        "network",
    ),
    "azure-native:dbformysql:Database": ("databaseName", "serverName", "resourceGroupName"),
    # -- bucket storage -----------------------------------------------------------------------------
    "gcp:storage/bucket:Bucket": ("name", "location", "project"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "region", "objectLockEnabled"),
    "aws:s3/bucketV2:BucketV2": ("bucket", "bucketPrefix", "region", "objectLockEnabled"),
    "azure-native:storage:StorageAccount": ("accountName", "resourceGroupName", "location"),
    "azure-native:storage:BlobContainer": ("containerName", "accountName", "resourceGroupName"),
    # An Azure resource group takes every resource in it with it.
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
    # -- image registries -----------------------------------------------------------------------------
    "gcp:artifactregistry/repository:Repository": ("repositoryId", "location", "format", "project"),
    "aws:ecr/repository:Repository": ("name", "region"),
    "azure-native:containerregistry:Registry": ("registryName", "resourceGroupName", "location"),
    # -- DNS zones (a new zone gets new name servers: the delegation at the registrar breaks) -----------
    "gcp:dns/managedZone:ManagedZone": ("name", "dnsName", "project", "visibility"),
    "aws:route53/zone:Zone": ("name", "delegationSetId"),
    "azure-native:dns:Zone": ("zoneName", "resourceGroupName"),
    "azure-native:network:Zone": ("zoneName", "resourceGroupName"),
    # The private zone a MySQL Flexible Server resolves through; replacing it cuts the database off.
    "azure-native:privatedns:PrivateZone": ("privateZoneName", "resourceGroupName"),
    # -- keys and generated secrets (a new value locks Gitpod out of what the old one encrypted) -------
    "random:index/randomPassword:RandomPassword": (
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "number",
        "minLower",
        "minUpper",
        "minNumeric",
        "minSpecial",
        "overrideSpecial",
        "keepers",
    ),
    "random:index/randomBytes:RandomBytes": ("length", "keepers"),
    # Suffixes that name a database, bucket or registry (a new one renames, i.e. replaces, it).
    "random:index/randomString:RandomString": (
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "number",
        "minLower",
        "minUpper",
        "minNumeric",
        "minSpecial",
        "overrideSpecial",
        "keepers",
    ),
    "random:index/randomId:RandomId": ("byteLength", "prefix", "keepers"),
    "gcp:kms/cryptoKey:CryptoKey": ("name", "keyRing"),
    "gcp:kms/keyRing:KeyRing": ("name", "location", "project"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage"),
    # -- Kubernetes: deleting a namespace deletes the PersistentVolumeClaims in it ---------------------
    "kubernetes:core/v1:Namespace": ("metadata.name",),
    "kubernetes:core/v1:PersistentVolumeClaim": ("metadata.name", "metadata.namespace", "spec.storageClassName"),
}

STATEFUL_TYPES: frozenset[str] = frozenset(REPLACE_ON_CHANGE)

#: Stateful types whose loss is recoverable: a new generated password is written to the database
#: user and the installer's Secret in the same `pulumi up`. Their URNs are still watched (a rename
#: rotates the password and restarts Gitpod), but they need not be `protect`ed.
REGENERATED_TYPES: frozenset[str] = frozenset({"random:index/randomPassword:RandomPassword"})

#: Types that should carry `protect` (the `stateful-resources-protected` policy, the plan's warning).
PROTECT_TYPES: frozenset[str] = STATEFUL_TYPES - REGENERATED_TYPES

#: The data stores proper (databases, buckets, registries, DNS zones): what must never wait for
#: the cluster (see `critical_path`) because none of them needs it.
DATA_TYPES: frozenset[str] = frozenset(
    {
        "gcp:sql/databaseInstance:DatabaseInstance",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "azure-native:dbformysql:Server",
        "gcp:storage/bucket:Bucket",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "gcp:artifactregistry/repository:Repository",
        "aws:ecr/repository:Repository",
        "azure-native:containerregistry:Registry",
        "gcp:dns/managedZone:ManagedZone",
        "aws:route53/zone:Zone",
        "azure-native:dns:Zone",
        "azure-native:network:Zone",
    }
)

#: The cluster and its node pools: the slow chain the data stores must stay off.
CLUSTER_TYPES: frozenset[str] = frozenset(
    {
        "gcp:container/cluster:Cluster",
        "gcp:container/nodePool:NodePool",
        "aws:eks/cluster:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        "azure-native:containerservice:ManagedCluster",
        "azure-native:containerservice:AgentPool",
    }
)


def is_stateful(resource: Mapping[str, Any]) -> bool:
    """A plan-JSON resource that holds data: a stateful type, or anything marked `protect`."""
    return resource.get("type") in STATEFUL_TYPES or bool(resource.get("protect"))


def lookup(inputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted input path, or None when any step is missing.

    A numeric step indexes a list (`agentPoolProfiles.0.osSKU`), for inputs that hold one
    sub-resource per entry, such as the node pool declared inside an AKS cluster.
    """
    value: Any = inputs
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            return None
    return value
