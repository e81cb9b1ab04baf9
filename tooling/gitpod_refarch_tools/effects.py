"""What a change does to each resource type the program creates: the one table `plan --diff` reads.

A preview needs credentials, so the offline diff must know on its own which input changes the
provider cannot apply in place. Per type token, `TYPES` holds:

* `role`: what losing the resource costs. `store` (a database server, bucket, registry or DNS zone:
  its data), `state` (a database inside its server, a volume claim, a generated key, a resource
  group: what is in it or depends on it), `regenerated` (a password
  that `up` rotates everywhere it is used), `in-cluster` (the installer's namespace: the in-cluster
  database, object storage and registry volumes live in it), `cluster` and `pool` (Gitpod runs on
  them), `provider` (replacing it replaces everything it manages), `other`.
* `replace`: the engine (camelCase) input paths whose change makes the provider replace the
  resource, taken from the provider's own source (below). A nested path covers every list element
  (`networkProfile.networkPlugin`, `nodeConfig.oauthScopes`).
* `roll` and `restart`: in-place changes that still take something down (every node of a pool is
  replaced one after another; a database restarts). `computed`: those the provider fills in when
  unset, so a base plan without one cannot tell whether the live value differs.
* `source`: where `replace` (and `roll`/`restart`) come from.

Where the lists come from:

* Bridged providers (pulumi-aws 7, pulumi-gcp 10, pulumi-random 4): Terraform `ForceNew` (SDKv2) or
  `RequiresReplace` (framework) in the upstream schema, which pulumi-terraform-bridge turns into
  replacements. terraform-provider-aws internal/service/... (read 2026-11 from stored copies that
  are not all of one release: `region` is from the 6.x guide below; re-read a file against the
  pinned provider when a verdict hinges on it),
  terraform-provider-google-beta v7.45.0 services/... (pulumi-gcp wraps google-beta; read 2026-11),
  terraform-provider-random v3.9.0 internal/provider/resource_*.go.
* azure-native 3: it replaces a resource when a URL path parameter changes (`resourceGroupName`, the
  resource's own name parameter: provider/pkg/provider/diff.go `calculateDetailedDiff`), when a
  property the REST spec marks create-only changes (`x-ms-mutability` without `update`:
  provider/pkg/gen/properties.go; `location` of a tracked resource is create-only by ARM's
  RPC-Put-V1-14, as specification/common-types/resource-management/v5/types.json declares it), and
  for the properties in its
  `forceNewMap` (provider/pkg/gen/replacement.go; the AKS `networkProfile` entries as narrowed by
  pulumi/pulumi-azure-native#4771, merged 2026-07-16, before the pinned 3.29.0).
* pulumi-kubernetes 4: `.metadata.name` and `.metadata.namespace` of every object, plus the per-kind
  lists in provider/pkg/provider/diff.go (`forceNew`; a Secret's data too unless the provider sets
  `enableSecretMutable`, which this program's providers do not), and `.name`/`.namespace` of a Helm
  release (provider/pkg/provider/helm_release.go). A Kubernetes provider is replaced, with every
  object it manages, when its `kubeconfig`, `context`, `cluster` or `clusterIdentifier` changes
  (provider.go `DiffConfig`; an unknown kubeconfig, as when its cluster is replaced, counts).
* The engine itself: a `Stash` never replaces on input (pkg/resource/deploy/builtins.go); any
  resource is replaced when its `replacementTrigger` or a path in its `replaceOnChanges` changes.

A provider's own configuration reaches its resources too (`PROVIDER_DEFAULTS`): every regional AWS
resource takes the provider's `region` unless it sets its own, and changing it forces a new resource
(terraform-provider-aws website/docs/guides/enhanced-region-support.html.markdown, "How `region`
works"; IAM and Route 53 are global); Google resources take the provider's `project`, `region` and
`zone` (tpgresource.DefaultProviderProject and friends in their CustomizeDiff).

`tests/test_plan_diff.py` fails when the program declares a type this table does not list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["store", "state", "regenerated", "in-cluster", "cluster", "pool", "provider", "other"]


@dataclass(frozen=True)
class Rule:
    """What changing a resource of one type does."""

    role: Role
    replace: tuple[str, ...]
    source: str
    roll: tuple[str, ...] = ()
    restart: tuple[str, ...] = ()
    #: Optional+Computed inputs among `roll`/`restart`: left unset, the provider keeps whatever the
    #: live resource has, so setting one later changes something only if that differs.
    computed: tuple[str, ...] = ()


def _aws(path: str) -> str:
    return f"hashicorp/terraform-provider-aws internal/service/{path}.go (ForceNew; read 2026-11)"


def _google(path: str) -> str:
    return f"hashicorp/terraform-provider-google-beta v7.45.0 google-beta/services/{path}.go (ForceNew)"


_AZURE = "azure-native path parameters and forceNewMap (provider/pkg/provider/diff.go, provider/pkg/gen/replacement.go)"
#: ARM guideline RPC-Put-V1-14: a tracked resource's location is read/create only (the specs' linter
#: rule LocationMustHaveXmsMutability; common-types v5 TrackedResource declares it so). Read per spec
#: for Flexible Server only; a location change replaces the resource group, which holds them all.
_AZURE_TRACKED = _AZURE + "; `location` is create-only for tracked resources (ARM RPC-Put-V1-14)"
_K8S = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew) and provider.go (identity fields)"
_RANDOM = "hashicorp/terraform-provider-random v3.9.0 internal/provider/resource_{}.go (RequiresReplace)"
#: `region` on every regional AWS resource (enhanced region support, terraform-provider-aws 6).
_REGION = ("region",)
_K8S_IDENTITY = ("metadata.name", "metadata.namespace")
_RANDOM_CHARSET = (
    "keepers",
    "length",
    "special",
    "upper",
    "lower",
    "number",
    "numeric",
    "minNumeric",
    "minUpper",
    "minLower",
    "minSpecial",
    "overrideSpecial",
)
_S3_CHILD = ("bucket", "expectedBucketOwner", *_REGION)

#: type token -> what changing it does.
TYPES: dict[str, Rule] = {
    # == AWS ===========================================================================================
    "pulumi:providers:aws": Rule(
        "provider",
        (),
        "pulumi-terraform-bridge DiffConfig replaces a bridged provider only for config marked ForcesProviderReplace; "
        "a region change reaches each resource through its own `region` (PROVIDER_DEFAULTS)",
    ),
    "aws:ec2/vpc:Vpc": Rule("other", ("cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", *_REGION), _aws("ec2/vpc_")),
    "aws:ec2/subnet:Subnet": Rule(
        "other",
        (
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
            "vpcId",
            *_REGION,
        ),
        _aws("ec2/vpc_subnet"),
    ),
    "aws:ec2/internetGateway:InternetGateway": Rule("other", _REGION, _aws("ec2/vpc_internet_gateway") + "; vpc_id re-attaches in place"),
    "aws:ec2/eip:Eip": Rule(
        "other", ("address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool", *_REGION), _aws("ec2/ec2_eip")
    ),
    "aws:ec2/natGateway:NatGateway": Rule(
        "other",
        ("allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId", *_REGION),
        _aws("ec2/vpc_nat_gateway"),
    ),
    "aws:ec2/routeTable:RouteTable": Rule("other", ("vpcId", *_REGION), _aws("ec2/vpc_route_table")),
    "aws:ec2/route:Route": Rule(
        "other",
        ("routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId", *_REGION),
        _aws("ec2/vpc_route"),
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Rule(
        "other", ("subnetId", "gatewayId", *_REGION), _aws("ec2/vpc_route_table_association")
    ),
    "aws:ec2/securityGroup:SecurityGroup": Rule(
        "other", ("description", "name", "namePrefix", "vpcId", *_REGION), _aws("ec2/vpc_security_group")
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": Rule(
        "other", ("securityGroupId", *_REGION), _aws("ec2/vpc_security_group_ingress_rule") + " (RequiresReplace)"
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": Rule(
        "other", ("securityGroupId", *_REGION), _aws("ec2/vpc_security_group_egress_rule") + " (RequiresReplace)"
    ),
    # Every input is part of a template version; node groups that follow the latest version roll (see diff).
    "aws:ec2/launchTemplate:LaunchTemplate": Rule("other", ("name", "namePrefix", *_REGION), _aws("ec2/ec2_launch_template")),
    "aws:eks/cluster:Cluster": Rule(
        "cluster",
        (
            "name",
            "roleArn",
            "bootstrapSelfManagedAddons",
            "accessConfig.bootstrapClusterCreatorAdminPermissions",
            "kubernetesNetworkConfig.ipFamily",
            "kubernetesNetworkConfig.serviceIpv4Cidr",
            "outpostConfig.controlPlaneInstanceType",
            "outpostConfig.controlPlanePlacement.groupName",
            "remoteNetworkConfig",
            *_REGION,
        ),
        _aws("eks/cluster") + "; vpc_config.subnet_ids and security_group_ids update in place",
    ),
    # Holds the control-plane (audit) logs; retention and KMS key change in place (PutRetentionPolicy).
    # `other`, not `state`: it is only replaced with the cluster's name, when the cluster goes too.
    # The cluster-autoscaler's scale-from-zero label templates on each node group's Auto Scaling group.
    "aws:autoscaling/tag:Tag": Rule("other", ("autoscalingGroupName", "tag.key", *_REGION), _aws("autoscaling/group_tag")),
    "aws:cloudwatch/logGroup:LogGroup": Rule("other", ("name", "namePrefix", "logGroupClass", *_REGION), _aws("logs/group")),
    "aws:eks/nodeGroup:NodeGroup": Rule(
        "pool",
        (
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
            *_REGION,
        ),
        _aws("eks/node_group") + "; launch_template.version, release_version and version go through UpdateNodegroupVersion, "
        "a rolling replacement of the nodes",
        roll=("launchTemplate.version", "releaseVersion", "version"),
    ),
    "aws:eks/addon:Addon": Rule("other", ("addonName", "clusterName", *_REGION), _aws("eks/addon")),
    "aws:eks/accessEntry:AccessEntry": Rule("other", ("clusterName", "principalArn", "type", *_REGION), _aws("eks/access_entry")),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": Rule(
        "other", ("accessScope", "clusterName", "policyArn", "principalArn", *_REGION), _aws("eks/access_policy_association")
    ),
    # IAM is global: no `region`.
    "aws:iam/role:Role": Rule("other", ("name", "namePrefix", "path"), _aws("iam/role")),
    "aws:iam/rolePolicy:RolePolicy": Rule("other", ("name", "namePrefix", "role"), _aws("iam/role_policy")),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Rule("other", ("role", "policyArn"), _aws("iam/role_policy_attachment")),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": Rule("other", ("url",), _aws("iam/openid_connect_provider")),
    "aws:iam/user:User": Rule("other", (), _aws("iam/user") + "; name and path change in place (UpdateUser)"),
    "aws:iam/userPolicy:UserPolicy": Rule("other", ("name", "namePrefix", "user"), _aws("iam/user_policy")),
    # A new key is written to the storage Secret in the same `up`.
    "aws:iam/accessKey:AccessKey": Rule("other", ("user", "pgpKey"), _aws("iam/access_key")),
    # RDS applies class, version, parameter-group and CA changes with `apply_immediately`, restarting the
    # instance; a major version upgrade needs `allow_major_version_upgrade` and is in place
    # (engine_version is Optional+Computed without ForceNew).
    "aws:rds/instance:Instance": Rule(
        "store",
        (
            "identifier",
            "identifierPrefix",
            "engine",
            "availabilityZone",
            "dbName",
            "username",
            "kmsKeyId",
            "storageEncrypted",
            "characterSetName",
            "ncharCharacterSetName",
            "timezone",
            "snapshotIdentifier",
            "customIamInstanceProfile",
            "restoreToPointInTime",
            "s3Import",
            *_REGION,
        ),
        _aws("rds/instance")
        + "; a new ca_cert_identifier restarts the instance (ModifyDBInstance CertificateRotationRestart, default true)",
        restart=("engineVersion", "instanceClass", "parameterGroupName", "caCertIdentifier"),
        computed=("caCertIdentifier",),
    ),
    # A new family (a major upgrade) is a new group; Pulumi creates it before the instance moves to it.
    "aws:rds/parameterGroup:ParameterGroup": Rule(
        "other", ("description", "family", "name", "namePrefix", *_REGION), _aws("rds/parameter_group")
    ),
    "aws:rds/subnetGroup:SubnetGroup": Rule(
        "other", ("name", "namePrefix", *_REGION), _aws("rds/subnet_group") + "; subnet_ids change in place (ModifyDBSubnetGroup)"
    ),
    "aws:route53/zone:Zone": Rule("store", ("name", "delegationSetId"), _aws("route53/zone")),
    "aws:s3/bucket:Bucket": Rule("store", ("bucket", "bucketPrefix", "objectLockEnabled", *_REGION), _aws("s3/bucket")),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": Rule("other", _S3_CHILD, _aws("s3/bucket_lifecycle_configuration")),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Rule("other", ("bucket", *_REGION), _aws("s3/bucket_ownership_controls")),
    "aws:s3/bucketPolicy:BucketPolicy": Rule("other", ("bucket", *_REGION), _aws("s3/bucket_policy")),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Rule("other", _S3_CHILD, _aws("s3/bucket_public_access_block")),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": Rule(
        "other", _S3_CHILD, _aws("s3/bucket_server_side_encryption_configuration")
    ),
    "aws:s3/bucketVersioning:BucketVersioning": Rule("other", _S3_CHILD, _aws("s3/bucket_versioning")),
    # Not created by this program; listed so the policy pack and `--diff` know them when a program
    # that imports the components adds one (lists carried over from the earlier table, not re-read).
    "aws:rds/cluster:Cluster": Rule(
        "store",
        (
            "clusterIdentifier",
            "clusterIdentifierPrefix",
            "engine",
            "databaseName",
            "masterUsername",
            "kmsKeyId",
            "storageEncrypted",
            *_REGION,
        ),
        _aws("rds/cluster"),
    ),
    "aws:s3/bucketV2:BucketV2": Rule("store", ("bucket", "bucketPrefix", "objectLockEnabled", *_REGION), _aws("s3/bucket")),
    "aws:ecr/repository:Repository": Rule("store", ("name", *_REGION), _aws("ecr/repository")),
    "aws:kms/key:Key": Rule("state", ("customerMasterKeySpec", "keyUsage", *_REGION), _aws("kms/key")),
    # == Google Cloud ==================================================================================
    "pulumi:providers:gcp": Rule(
        "provider",
        (),
        "pulumi/pulumi-gcp provider/resources.go marks no config ForcesProviderReplace; project, region and zone reach "
        "each resource through PROVIDER_DEFAULTS",
    ),
    "gcp:projects/service:Service": Rule("other", ("service", "project"), _google("resourcemanager/resource_google_project_service")),
    "gcp:projects/serviceIdentity:ServiceIdentity": Rule(
        "other", ("service", "project"), _google("resourcemanager/resource_project_service_identity")
    ),
    "gcp:projects/iAMMember:IAMMember": Rule(
        "other", ("project", "role", "member", "condition"), "google-beta tpgiamresource/resource_iam_member.go, iam_project.go (ForceNew)"
    ),
    "gcp:projects/iAMCustomRole:IAMCustomRole": Rule(
        "other", ("roleId", "project"), _google("resourcemanager/resource_google_project_iam_custom_role")
    ),
    "gcp:serviceaccount/account:Account": Rule(
        "other", ("accountId", "project"), _google("resourcemanager/resource_google_service_account")
    ),
    "gcp:serviceaccount/iAMMember:IAMMember": Rule(
        "other",
        ("serviceAccountId", "role", "member", "condition"),
        "google-beta tpgiamresource/resource_iam_member.go, iam_service_account.go (ForceNew)",
    ),
    # A new key is written to the installer's Secret in the same `up`.
    "gcp:serviceaccount/key:Key": Rule(
        "other",
        ("serviceAccountId", "keyAlgorithm", "privateKeyType", "publicKeyType", "publicKeyData", "keepers"),
        _google("resourcemanager/resource_google_service_account_key"),
    ),
    "gcp:compute/network:Network": Rule(
        "other",
        ("name", "autoCreateSubnetworks", "description", "internalIpv6Range", "networkProfile", "params", "project"),
        _google("compute/resource_compute_network"),
    ),
    # ip_cidr_range is also replaced when it shrinks (CustomizeDiff IsShrinkageIpCidr); not modelled.
    "gcp:compute/subnetwork:Subnetwork": Rule(
        "other",
        (
            "name",
            "network",
            "description",
            "externalIpv6Prefix",
            "internalIpv6Prefix",
            "params",
            "region",
            "reservedInternalRange",
            "resolveSubnetMask",
            "project",
        ),
        _google("compute/resource_compute_subnetwork"),
    ),
    "gcp:compute/router:Router": Rule(
        "other",
        ("name", "encryptedInterconnectRouter", "nccGateway", "network", "params", "region", "project"),
        _google("compute/resource_compute_router"),
    ),
    "gcp:compute/routerNat:RouterNat": Rule(
        "other",
        ("name", "router", "endpointTypes", "initialNatIps", "region", "type", "project"),
        _google("compute/resource_compute_router_nat"),
    ),
    "gcp:compute/globalAddress:GlobalAddress": Rule(
        "other",
        ("name", "address", "addressType", "description", "ipVersion", "network", "prefixLength", "purpose", "project"),
        _google("compute/resource_compute_global_address"),
    ),
    "gcp:servicenetworking/connection:Connection": Rule(
        "other", ("network", "service"), _google("servicenetworking/resource_service_networking_connection")
    ),
    # `machine_type`, `disk_size_gb`, `disk_type`, `image_type` and private nodes go through
    # UpdateNodePool, which recreates the pool's nodes (a roll). The cluster's `initialNodeCount` and
    # temporary `nodeConfig` are under ignore_changes in this program, so never sent.
    "gcp:container/cluster:Cluster": Rule(
        "cluster",
        (
            "name",
            "location",
            "project",
            "network",
            "subnetwork",
            "description",
            "clusterIpv4Cidr",
            "enableKubernetesAlpha",
            "enableTpu",
            "enableAutopilot",
            "initialNodeCount",
            "confidentialNodes",
            "masterAuth.clientCertificateConfig",
            "nodePools",
            "ipAllocationPolicy",
            "networkingMode",
            "privateClusterConfig.masterIpv4CidrBlock",
            "privateClusterConfig.privateEndpointSubnetwork",
            "defaultMaxPodsPerNode",
            "datapathProvider",
            "dataplaneOptimizationMode",
            "clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey",
            "userManagedKeysConfig",
        ),
        _google("container/resource_container_cluster"),
    ),
    "gcp:container/nodePool:NodePool": Rule(
        "pool",
        (
            "project",
            "cluster",
            "location",
            "name",
            "namePrefix",
            "placementPolicy",
            "queuedProvisioning",
            "maxPodsPerNode",
            "initialNodeCount",
            "networkConfig.createPodRange",
            "networkConfig.podRange",
            "networkConfig.podIpv4CidrBlock",
            "networkConfig.additionalNodeNetworkConfigs",
            "networkConfig.additionalPodNetworkConfigs",
            "networkConfig.podCidrOverprovisionConfig",
            "networkConfig.subnetwork",
            "nodeConfig.guestAccelerators",
            "nodeConfig.localSsdCount",
            "nodeConfig.ephemeralStorageConfig",
            "nodeConfig.ephemeralStorageLocalSsdConfig",
            "nodeConfig.localNvmeSsdBlockConfig",
            "nodeConfig.secondaryBootDisks",
            "nodeConfig.metadata",
            "nodeConfig.minCpuPlatform",
            "nodeConfig.oauthScopes",
            "nodeConfig.preemptible",
            "nodeConfig.reservationAffinity",
            "nodeConfig.spot",
            "nodeConfig.serviceAccount",
            "nodeConfig.shieldedInstanceConfig",
            "nodeConfig.sandboxConfig",
            "nodeConfig.bootDiskKmsKey",
            "nodeConfig.nodeGroup",
            "nodeConfig.advancedMachineFeatures",
            "nodeConfig.soleTenantConfig",
            "nodeConfig.hostMaintenancePolicy",
            "nodeConfig.enableConfidentialStorage",
            "nodeConfig.localSsdEncryptionMode",
            "nodeConfig.maxRunDuration",
            "nodeConfig.flexStart",
        ),
        _google("container/resource_container_node_pool") + " and node_config.go",
        roll=(
            "nodeConfig.machineType",
            "nodeConfig.diskSizeGb",
            "nodeConfig.diskType",
            "nodeConfig.imageType",
            "networkConfig.enablePrivateNodes",
        ),
    ),
    # `database_version` is patched in place (a major upgrade keeps the instance, its data and its IP:
    # https://cloud.google.com/sql/docs/mysql/upgrade-major-db-version-inplace), as is the private
    # network (only removing it is ForceNew, privateNetworkCustomizeDiff). A new tier or availability
    # type restarts the instance (https://cloud.google.com/sql/docs/mysql/instance-settings).
    "gcp:sql/databaseInstance:DatabaseInstance": Rule(
        "store",
        ("name", "region", "project", "encryptionKeyName", "settings.collation", "masterInstanceName", "replicaConfiguration"),
        _google("sql/resource_sql_database_instance"),
        restart=("databaseVersion", "settings.tier", "settings.availabilityType"),
    ),
    # A database inside its instance: its loss is data loss, but it is part of a store, not a store of its own.
    "gcp:sql/database:Database": Rule("state", ("name", "instance", "project"), _google("sql/resource_sql_database")),
    "gcp:sql/user:User": Rule("other", ("name", "instance", "host", "type", "project"), _google("sql/resource_sql_user")),
    "gcp:artifactregistry/repository:Repository": Rule(
        "store",
        (
            "format",
            "repositoryId",
            "kmsKeyName",
            "location",
            "mode",
            "mavenConfig.allowSnapshotOverwrites",
            "mavenConfig.versionPolicy",
            "remoteRepositoryConfig",
            "project",
        ),
        _google("artifactregistry/resource_artifact_registry_repository"),
    ),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": Rule(
        "other",
        ("project", "location", "repository", "role", "member", "condition"),
        "google-beta artifactregistry/iam_artifact_registry_repository.go, tpgiamresource/resource_iam_member.go (ForceNew)",
    ),
    "gcp:dns/managedZone:ManagedZone": Rule(
        "store",
        ("name", "dnsName", "reverseLookup", "serviceDirectoryConfig", "visibility", "project"),
        _google("dns/resource_dns_managed_zone"),
    ),
    "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember": Rule(
        "other",
        ("project", "managedZone", "role", "member", "condition"),
        "google-beta dns/iam_dns_managed_zone.go, tpgiamresource/resource_iam_member.go (ForceNew)",
    ),
    # Not created by this program (Gitpod creates its own GCS buckets); see the AWS note above.
    "gcp:storage/bucket:Bucket": Rule(
        "store",
        ("name", "location", "project", "enableObjectRetention", "customPlacementConfig.dataLocations", "hierarchicalNamespace"),
        _google("storage/resource_storage_bucket"),
    ),
    "gcp:kms/keyRing:KeyRing": Rule("state", ("name", "location", "project"), _google("kms/resource_kms_key_ring")),
    "gcp:kms/cryptoKey:CryptoKey": Rule(
        "state",
        ("name", "keyRing", "cryptoKeyBackend", "destroyScheduledDuration", "importOnly", "purpose", "protectionLevel"),
        _google("kms/resource_kms_crypto_key"),
    ),
    # == Azure =========================================================================================
    # An Azure resource group takes every resource in it with it.
    "azure-native:resources:ResourceGroup": Rule("state", ("resourceGroupName", "location"), _AZURE),
    "azure-native:network:VirtualNetwork": Rule("other", ("resourceGroupName", "virtualNetworkName", "location"), _AZURE),
    "azure-native:network:Subnet": Rule("other", ("resourceGroupName", "virtualNetworkName", "subnetName"), _AZURE),
    "azure-native:managedidentity:UserAssignedIdentity": Rule("other", ("resourceGroupName", "resourceName", "location"), _AZURE_TRACKED),
    "azure-native:managedidentity:FederatedIdentityCredential": Rule(
        "other", ("resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"), _AZURE
    ),
    "azure-native:authorization:RoleAssignment": Rule(
        "other", ("scope", "roleAssignmentName", "principalId"), _AZURE + " (forceNewMap: principalId, scope)"
    ),
    "azure-native:authorization:ManagementLockByScope": Rule("other", ("scope", "lockName"), _AZURE),
    # The services pool is declared inside the cluster (agentPoolProfiles): a new Kubernetes minor or
    # OS SKU reimages it like any other pool (MicrosoftDocs/azure-aks-docs upgrade-os-version.md).
    "azure-native:containerservice:ManagedCluster": Rule(
        "cluster",
        (
            "resourceGroupName",
            "resourceName",
            "location",
            "diskEncryptionSetID",
            "dnsPrefix",
            "fqdnSubdomain",
            "linuxProfile",
            "nodeResourceGroup",
            "windowsProfile",
            "networkProfile.serviceCidr",
            "networkProfile.serviceCidrs",
            "networkProfile.dnsServiceIP",
            "networkProfile.networkMode",
            "networkProfile.networkPlugin",
            "networkProfile.networkPluginMode",
            "networkProfile.podCidr",
            "networkProfile.networkDataplane",
            "networkProfile.networkPolicy",
            "networkProfile.outboundType",
        ),
        _AZURE_TRACKED,
        roll=("kubernetesVersion", "agentPoolProfiles.osSKU"),
    ),
    # The program adds `osDiskSizeGB` through replace_on_changes (azure/cluster.py); the plan records it.
    "azure-native:containerservice:AgentPool": Rule(
        "pool",
        ("resourceGroupName", "resourceName", "agentPoolName", "gpuInstanceProfile", "vmSize", "networkProfile.nodePublicIPTags"),
        _AZURE + " (forceNewMap: gpuInstanceProfile, vmSize, nodePublicIPTags)",
        roll=("orchestratorVersion", "osSKU"),
    ),
    "azure-native:containerservice:MaintenanceConfiguration": Rule("other", ("resourceGroupName", "resourceName", "configName"), _AZURE),
    # Flexible Server (FlexibleServers.json 2024-02-01-preview): administratorLogin, availabilityZone,
    # network and the create modes are create-only; `version` is updatable (a major upgrade in place,
    # which takes the server down while it runs: MicrosoftDocs/azure-databases-docs how-to-upgrade.md),
    # and compute scaling restarts it (concepts-service-tiers-storage.md).
    "azure-native:dbformysql:Server": Rule(
        "store",
        (
            "resourceGroupName",
            "serverName",
            "location",
            "administratorLogin",
            "availabilityZone",
            "createMode",
            "sourceServerResourceId",
            "restorePointInTime",
            "network",
        ),
        _AZURE_TRACKED + "; x-ms-mutability create-only in FlexibleServers.json 2024-02-01-preview",
        restart=("sku.name", "sku.tier", "version"),
    ),
    "azure-native:dbformysql:Database": Rule("state", ("resourceGroupName", "serverName", "databaseName"), _AZURE),
    "azure-native:dbformysql:Configuration": Rule("other", ("resourceGroupName", "serverName", "configurationName"), _AZURE),
    "azure-native:storage:StorageAccount": Rule(
        "store", ("resourceGroupName", "accountName", "location", "isHnsEnabled"), _AZURE + " (forceNewMap: isHnsEnabled, location)"
    ),
    "azure-native:storage:BlobServiceProperties": Rule("other", ("resourceGroupName", "accountName", "blobServicesName"), _AZURE),
    "azure-native:storage:BlobContainer": Rule("store", ("resourceGroupName", "accountName", "containerName"), _AZURE),
    "azure-native:containerregistry:Registry": Rule("store", ("resourceGroupName", "registryName", "location"), _AZURE_TRACKED),
    "azure-native:dns:Zone": Rule("store", ("resourceGroupName", "zoneName", "location"), _AZURE_TRACKED),
    "azure-native:network:Zone": Rule("store", ("resourceGroupName", "zoneName", "location"), _AZURE_TRACKED),
    # The private zone a MySQL Flexible Server resolves through; replacing it cuts the database off.
    "azure-native:privatedns:PrivateZone": Rule("state", ("resourceGroupName", "privateZoneName", "location"), _AZURE_TRACKED),
    "azure-native:privatedns:VirtualNetworkLink": Rule(
        "other", ("resourceGroupName", "privateZoneName", "virtualNetworkLinkName", "location"), _AZURE_TRACKED
    ),
    # == Kubernetes ====================================================================================
    "pulumi:providers:kubernetes": Rule(
        "provider",
        ("kubeconfig", "context", "cluster", "clusterIdentifier", "renderYamlToDirectory"),
        "pulumi/pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig",
    ),
    # Deleting a namespace deletes everything in it, the in-cluster stores' PersistentVolumeClaims too.
    "kubernetes:core/v1:Namespace": Rule("in-cluster", _K8S_IDENTITY, _K8S),
    "kubernetes:core/v1:Secret": Rule(
        "other", (*_K8S_IDENTITY, "type", "stringData", "data"), _K8S + " (data too: enableSecretMutable is not set)"
    ),
    "kubernetes:core/v1:NodePatch": Rule("other", _K8S_IDENTITY, _K8S + " (a Patch resource updates everything else in place)"),
    "kubernetes:core/v1:PersistentVolumeClaim": Rule(
        "state", (*_K8S_IDENTITY, "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"), _K8S
    ),
    "kubernetes:apps/v1:DaemonSet": Rule("other", (*_K8S_IDENTITY, "spec.selector"), _K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": Rule("other", (*_K8S_IDENTITY, "roleRef"), _K8S),
    # The installer Job and its RBAC (`GitpodInstallation`). A new Job re-runs the installer, whose
    # `helm upgrade --atomic` keeps the running release on failure: no outage of its own.
    "kubernetes:batch/v1:Job": Rule(
        "other", (*_K8S_IDENTITY, "spec.completions", "spec.parallelism", "spec.selector", "spec.template"), _K8S
    ),
    "kubernetes:core/v1:ConfigMap": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:core/v1:ServiceAccount": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": Rule("other", (*_K8S_IDENTITY, "roleRef"), _K8S),
    "kubernetes:storage.k8s.io/v1:StorageClass": Rule("other", (*_K8S_IDENTITY, "parameters", "provisioner"), _K8S),
    "kubernetes:cert-manager.io/v1:Certificate": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:cert-manager.io/v1:ClusterIssuer": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:cert-manager.io/v1:Issuer": Rule("other", _K8S_IDENTITY, _K8S),
    "kubernetes:helm.sh/v3:Release": Rule("other", ("name", "namespace"), "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go"),
    # == Generated values ==============================================================================
    # A new value locks Gitpod out of what the old one encrypted (keys), or renames what it names.
    "random:index/randomBytes:RandomBytes": Rule("state", ("keepers", "length"), _RANDOM.format("bytes")),
    "random:index/randomId:RandomId": Rule("state", ("keepers", "byteLength", "prefix"), _RANDOM.format("id")),
    "random:index/randomString:RandomString": Rule("state", _RANDOM_CHARSET, _RANDOM.format("string")),
    "random:index/randomPassword:RandomPassword": Rule("regenerated", _RANDOM_CHARSET, _RANDOM.format("password")),
    # A new SSH host key makes every user's SSH client refuse the gateway (host key changed).
    "tls:index/privateKey:PrivateKey": Rule(
        "state",
        ("algorithm", "rsaBits", "ecdsaCurve"),
        "hashicorp/terraform-provider-tls internal/provider/resource_private_key.go (RequiresReplace, 2026-11-30)",
    ),
    "pulumi:index:Stash": Rule("other", (), "pulumi/pulumi pkg/resource/deploy/builtins.go (a Stash only updates `input`)"),
}

#: Provider type -> configuration keys its resources take as their own input when they do not set it.
#: A resource inherits a key only if its type has that input (the key is in its `replace` list).
PROVIDER_DEFAULTS: dict[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("region",),
    "pulumi:providers:gcp": ("project", "region", "zone"),
}


def rule(type_: str) -> Rule | None:
    return TYPES.get(type_)


def types_with(*roles: Role) -> frozenset[str]:
    return frozenset(t for t, r in TYPES.items() if r.role in roles)


def lookup(inputs: Any, path: str) -> Any:
    """The value at a dotted input path, or None when any step is missing.

    A numeric step indexes a list (`agentPoolProfiles.0.osSKU`); a name applied to a list maps over
    its elements (`agentPoolProfiles.osSKU` is every pool's OS SKU), as the providers' nested
    replace lists mean.
    """
    value: Any = inputs
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        elif isinstance(value, list):
            value = [lookup(item, part) for item in value]
        else:
            return None
    return value


def normalize(path: str) -> str:
    """An input path without list indices, in dotted form: `agentPoolProfiles[0].count` -> `agentPoolProfiles.count`."""
    return ".".join(p for p in path.replace("[", ".").replace("]", "").split(".") if p and not p.isdigit())


def overlaps(a: str, b: str) -> bool:
    """Whether two normalized paths are the same input or one contains the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def covered(path: str, paths: Sequence[str]) -> bool:
    """Whether `path` lies at or under one of `paths` (e.g. an `ignoreChanges` entry)."""
    norm = normalize(path)
    return any(norm == p or norm.startswith(p + ".") for p in map(normalize, paths))
