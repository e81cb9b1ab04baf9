"""`EksCluster`: EKS with Ubuntu managed node groups, IRSA, add-ons, Calico and a gp3 StorageClass.

Build order follows what each step really needs:

    roles -> cluster -> OIDC provider -> vpc-cni/kube-proxy (with IRSA) -> node groups
          -> coredns/ebs-csi (they schedule pods) -> Kubernetes provider -> StorageClass, Calico,
          cluster-autoscaler (its role scoped to the node groups' Auto Scaling groups)

The Kubernetes provider handed back depends on the node groups and CoreDNS, so whatever is
deployed with it (cert-manager, the installer's Secrets) never races a cluster without nodes or
DNS. The EBS CSI add-on (about a minute) is handed back separately (`ClusterInfo.volumes_ready`):
only the installer Job, whose release claims volumes, waits for it. Authentication uses EKS access entries only (`API` mode, no aws-auth ConfigMap):
the deployer becomes cluster admin at creation and `admin_role_arns` are added explicitly.

Day 2 is planned for, because each of these would otherwise surprise an operator:

* **Node image.** The launch templates use the image kept in a `pulumi.Stash` until its source (the
  SSM parameter path or a pinned AMI id) changes, so a Canonical refresh does not roll the nodes
  on an unrelated `up`; a new Kubernetes minor, Ubuntu release or pin does.
* **Add-on versions.** EKS's default version of each add-on for the cluster's minor, resolved when
  the minor changes (another stash), so a control-plane upgrade upgrades vpc-cni, kube-proxy,
  CoreDNS and the EBS CSI driver with it, and nothing changes on AWS's schedule in between.
* **Node-group size.** The desired size is the group's current size (read from EKS), raised to
  `min_nodes` when that is raised, so `up` never resets what an autoscaler chose and raising the
  minimum does not fail with "Minimum capacity can't be greater than desired size".
"""

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Required, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..certmanager import NAMESPACE as CERT_MANAGER_NAMESPACE
from ..certmanager.issuers import SERVICE_ACCOUNT as CERT_MANAGER_SERVICE_ACCOUNT
from ..compatibility import NODE_LABELS_SERVICES, POOL_LABELS, WORKSPACE_NODE_SYSCTLS
from ..contracts import CONTAINERD_DEFAULT, CertManagerIdentity, ClusterInfo, DnsInfo, Route53ZoneInfo
from ..externaldns import NAMESPACE as EXTERNAL_DNS_NAMESPACE
from ..externaldns import SERVICE_ACCOUNT as EXTERNAL_DNS_SERVICE_ACCOUNT
from . import autoscaler, policies
from . import calico as calico_chart
from .ami import node_image
from .irsa import service_account_role
from .kubeconfig import kubeconfig
from .platform import AwsContext, Partition
from .settings import CLUSTER_DNS_IP, CONTROL_PLANE_LOG_TYPES, SERVICE_CIDR, eks_version
from .userdata import bootstrap_script, user_data

TYPE = "gitpod:index:EksCluster"
#: Canonical's Ubuntu images boot from /dev/sda1.
ROOT_DEVICE = "/dev/sda1"
ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
#: The EKS add-ons, in the order they are needed: networking before the nodes, then DNS and volumes.
ADDONS = ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver")
#: Tag naming each node group, also how the program finds a group's current size in EKS.
GROUP_TAG = "Name"
#: How long `pulumi up` waits for a node group's rolling update (a new image or Kubernetes minor).
NODE_GROUP_UPDATE_TIMEOUT = "6h"


@dataclass(frozen=True)
class NodePool:
    """One managed node group: its size, disk and the Gitpod labels its nodes carry."""

    key: str
    machine_type: str
    min_nodes: int
    max_nodes: int
    disk_size_gb: int
    labels: tuple[str, ...]
    #: Kernel settings for these nodes (`compatibility.WORKSPACE_NODE_SYSCTLS` on workspace pools).
    sysctls: tuple[tuple[str, str], ...] = ()

    @property
    def desired_nodes(self) -> int:
        """Start with at least one node, so the installer's node-label check passes at once; the
        autoscaler may scale the group down to `min_nodes` afterwards."""
        return min(max(self.min_nodes, 1), self.max_nodes)

    def desired_size(self, current: int | None) -> int:
        """The size to declare: the group's current size kept within the bounds, or the initial size.

        Declaring the current size (rather than ignoring the field) is what lets a raised
        `min_nodes` go through: EKS checks the new minimum against the desired size sent with it.
        """
        if current is None:
            return self.desired_nodes
        return min(max(current, self.min_nodes), self.max_nodes)


class EksNodePool(TypedDict, total=False):
    """One managed node group, as plain values (the component makes a `NodePool` of it)."""

    key: Required[str]
    """Pool name, the suffix of its resources' names and of its `Name` tag (`services`, ...)."""
    machine_type: Required[str]
    """EC2 instance type, e.g. `m6i.2xlarge`."""
    min_nodes: Required[int]
    """Smallest size the group (and the autoscaler) may go to."""
    max_nodes: Required[int]
    """Largest size the group (and the autoscaler) may go to."""
    disk_size_gb: Required[int]
    """Root volume size (gp3) of each node."""
    labels: Required[Sequence[str]]
    """Node labels set to `true` on these nodes, e.g. `compatibility.POOL_LABELS[...]`."""
    sysctls: Mapping[str, str]
    """Kernel settings the nodes' user data applies at boot (default: none)."""


def node_pool(args: EksNodePool) -> NodePool:
    """The `NodePool` a pool's plain args describe (what another language's program sends)."""
    return NodePool(
        args["key"],
        args["machine_type"],
        int(args["min_nodes"]),
        int(args["max_nodes"]),
        int(args["disk_size_gb"]),
        tuple(args["labels"]),
        tuple(args.get("sysctls", {}).items()),
    )


class EksClusterArgs(TypedDict, total=False):
    cluster_name: Required[str]
    """EKS cluster name, also in the subnets' `kubernetes.io/cluster/<name>` tags (required)."""
    kubernetes_version: Required[str]
    """Kubernetes minor, e.g. `1.35` (required)."""
    support_type: Required[str]
    """`STANDARD` (upgraded by EKS at the end of standard support) or `EXTENDED` (paid) (required)."""
    region: Required[str]
    """AWS region, for the kubeconfig (required)."""
    profile: str
    """AWS CLI profile the kubeconfig's `aws eks get-token` uses (default: the environment's)."""
    private_subnet_ids: Required[Sequence[pulumi.Input[str]]]
    """Subnets for nodes and the control plane's network interfaces (required). Load balancers
    find their subnets by tag, so the public ones need not be named here."""
    node_security_group_id: Required[pulumi.Input[str]]
    """Security group every node carries besides the cluster's own (required)."""
    public_access_cidrs: Required[Sequence[str]]
    """Who may reach the public API endpoint, e.g. `["0.0.0.0/0"]` (required; authentication still applies)."""
    private_endpoint: bool
    """Turn the public endpoint off; the API is then reachable from the VPC only (default false)."""
    log_retention_days: Required[int]
    """Days CloudWatch Logs keeps the control-plane logs (required)."""
    admin_role_arns: Sequence[str]
    """IAM roles/users given cluster-admin through access entries (besides the deployer)."""
    ami_id: Required[str]
    """Ubuntu EKS image for every node group, as resolved now (required; see `ami.node_image`)."""
    ami_parameter: str
    """SSM parameter path `ami_id` was read from; the nodes keep their image until it changes
    (default: none, the image is keyed by `ami_id` itself, i.e. a pinned id)."""
    node_pools: Required[Sequence[EksNodePool]]
    """The managed node groups (required)."""
    service_cidr: Required[str]
    """Kubernetes Service range, outside the VPC (required; the program uses `settings.SERVICE_CIDR`)."""
    cluster_dns_ip: Required[str]
    """CoreDNS Service address inside `service_cidr` (required; the nodes' bootstrap is told it)."""
    calico: Required[bool]
    """Enforce NetworkPolicy with Calico (required); otherwise with the VPC CNI's own engine."""
    calico_version: str
    """Tigera operator chart version (required when `calico`)."""
    dns01_zone_arn: pulumi.Input[str]
    """Hosted zone cert-manager may write DNS-01 TXT records to; no cert-manager role without it."""
    cert_manager_namespace: str
    """Namespace of cert-manager's service account (default `cert-manager`)."""
    cert_manager_service_account: str
    """cert-manager's service account (default `cert-manager`)."""
    records_zone_arn: pulumi.Input[str]
    """Hosted zone external-dns may publish Gitpod's records in; no external-dns role without it."""
    cluster_autoscaler: bool
    """Install the cluster-autoscaler for the node groups (default true; see `autoscaler`)."""
    autoscaler_node_selector: Mapping[str, str]
    """Where the autoscaler runs (default: nodes labelled `gitpod.io/workload_services`)."""


def control_plane_log_group(cluster_name: str) -> str:
    """The CloudWatch Logs group EKS writes a cluster's control-plane logs to (fixed by EKS)."""
    return f"/aws/eks/{cluster_name}/cluster"


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster Gitpod 2022.11 can run on, and a Kubernetes provider for it."""

    cluster_name: pulumi.Output[str]
    """The EKS cluster's name."""
    kubeconfig: pulumi.Output[str]
    """Kubeconfig using `aws eks get-token` (secret)."""
    provider: k8s.Provider
    """Kubernetes provider that waits for the node groups and add-ons."""
    oidc_provider_arn: pulumi.Output[str]
    """IAM OIDC provider for service-account roles."""
    cert_manager_role_arn: pulumi.Output[str] | None
    """Role cert-manager assumes for Route53 DNS-01 (None without `dns01_zone_arn`)."""
    node_image: pulumi.Output[dict[str, Any]]
    """`parameter` (SSM path or None), `amiId` (what the nodes run), `latestAmiId` (what the source says now)."""
    addon_versions: pulumi.Output[dict[str, str]]
    """Add-on name -> the version installed."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        # The partition follows from the region (`Partition.of`), as the platform's does.
        partition = Partition.of(args["region"])
        cluster_name = args["cluster_name"]
        region = args["region"]
        child = pulumi.ResourceOptions(parent=self)

        # -- IAM for the control plane and the nodes --------------------------------------------
        cluster_role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps(policies.service_trust("eks.amazonaws.com")), opts=child)
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-role-AmazonEKSClusterPolicy",
            role=cluster_role.name,
            policy_arn=partition.managed_policy("AmazonEKSClusterPolicy"),
            opts=child,
        )
        node_role = aws.iam.Role(
            f"{name}-node-role", assume_role_policy=json.dumps(policies.service_trust(f"ec2.{partition.dns_suffix}")), opts=child
        )
        # No CNI policy on the nodes: the VPC CNI has its own service-account role below.
        node_policies = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-role-{policy}", role=node_role.name, policy_arn=partition.managed_policy(policy), opts=child
            )
            for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
        ]

        # -- control plane ----------------------------------------------------------------------
        # EKS writes control-plane logs to this group, creating it (with no expiry) if it does not
        # exist; created first, the group keeps the retention the program gives it. AWS recommends
        # exactly that order (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html).
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=control_plane_log_group(cluster_name),
            retention_in_days=args["log_retention_days"],
            opts=child,
        )
        private = args.get("private_endpoint", False)
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cluster_name,
            version=args["kubernetes_version"],
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": list(args["private_subnet_ids"]),
                "endpoint_private_access": True,
                # Both change in place (UpdateClusterConfig); the allowlist applies to the public endpoint only.
                "endpoint_public_access": not private,
                "public_access_cidrs": None if private else list(args["public_access_cidrs"]),
            },
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            # The add-ons below are EKS-managed; EKS's unmanaged copies would fight them.
            bootstrap_self_managed_addons=False,
            kubernetes_network_config={"service_ipv4_cidr": args["service_cidr"], "ip_family": "ipv4"},
            upgrade_policy={"support_type": args["support_type"]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[cluster_policy, log_group]),
        )
        endpoint = cluster.endpoint
        certificate_authority = cluster.certificate_authority.apply(lambda ca: ca.data or "")
        issuer: pulumi.Output[str] = cluster.identities.apply(lambda ids: (ids[0].oidcs[0].issuer if ids and ids[0].oidcs else None) or "")
        oidc = aws.iam.OpenIdConnectProvider(f"{name}-oidc", url=issuer, client_id_lists=["sts.amazonaws.com"], opts=child)

        for arn in args.get("admin_role_arns", ()):
            suffix = hashlib.sha256(arn.encode()).hexdigest()[:8]
            entry = aws.eks.AccessEntry(f"{name}-admin-{suffix}", cluster_name=cluster.name, principal_arn=arn, type="STANDARD", opts=child)
            aws.eks.AccessPolicyAssociation(
                f"{name}-admin-{suffix}",
                cluster_name=cluster.name,
                principal_arn=arn,
                policy_arn=partition.arn("eks", f"cluster-access-policy/{ADMIN_POLICY}", account="aws"),
                access_scope={"type": "cluster"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
            )

        def irsa(role: str, namespace: str, account: str, **kwargs: object) -> pulumi.Output[str]:
            return service_account_role(
                f"{name}-{role}",
                parent=self,
                oidc_provider_arn=oidc.arn,
                issuer_url=issuer,
                namespace=namespace,
                service_account=account,
                **kwargs,  # type: ignore[arg-type]
            )

        # -- add-on versions ----------------------------------------------------------------------
        # EKS's default version for the minor (not the most recent one, which moves on AWS's
        # schedule), kept until the minor changes; `pulumi up --replace <this stash>` picks up
        # newer defaults within a minor.
        version = args["kubernetes_version"]
        found_versions = {
            addon: aws.eks.get_addon_version(addon_name=addon, kubernetes_version=version, opts=pulumi.InvokeOptions(parent=self)).version
            for addon in ADDONS
        }
        versions = pulumi.Stash(
            f"{name}-addon-versions", input=found_versions, opts=pulumi.ResourceOptions(parent=self, replacement_trigger=version)
        )
        addon_version = {addon: versions.output.apply(functools.partial(_pick, addon)) for addon in ADDONS}

        def addon(key: str, addon_name: str, opts: pulumi.ResourceOptions, **kwargs: Any) -> aws.eks.Addon:
            """An EKS-managed add-on at its kept version, overwriting what EKS or an earlier install set."""
            return aws.eks.Addon(
                f"{name}-{key}",
                cluster_name=cluster.name,
                addon_name=addon_name,
                addon_version=addon_version[addon_name],
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=opts,
                **kwargs,
            )

        # -- add-ons the nodes need to become Ready ------------------------------------------------
        use_calico = args["calico"]
        vpc_cni = addon(
            "vpc-cni",
            "vpc-cni",
            child,
            service_account_role_arn=irsa(
                "vpc-cni", "kube-system", "aws-node", managed_policies=[partition.managed_policy("AmazonEKS_CNI_Policy")]
            ),
            configuration_values=json.dumps(calico_chart.VPC_CNI_WITH_CALICO if use_calico else calico_chart.VPC_CNI_WITHOUT_CALICO),
        )
        kube_proxy = addon("kube-proxy", "kube-proxy", child)

        # -- node groups --------------------------------------------------------------------------
        # The image first resolved for this source, kept while the source stays (see module doc).
        ami_source = args.get("ami_parameter") or args["ami_id"]
        image = pulumi.Stash(
            f"{name}-node-image", input=args["ami_id"], opts=pulumi.ResourceOptions(parent=self, replacement_trigger=ami_source)
        )
        image_id: pulumi.Output[str] = image.output.apply(str)
        current_sizes = _current_sizes(cluster, pulumi.InvokeOptions(parent=self))
        bootstrap = pulumi.Output.all(endpoint, certificate_authority)
        # Created by EKS: admits the control plane; nodes with a launch template must carry it.
        cluster_security_group: pulumi.Output[str] = cluster.vpc_config.apply(lambda c: c.cluster_security_group_id or "")
        dns_ip = args["cluster_dns_ip"]
        node_groups: list[aws.eks.NodeGroup] = []
        use_autoscaler = args.get("cluster_autoscaler", True)
        group_names: list[pulumi.Output[str]] = []
        for pool in map(node_pool, args["node_pools"]):
            labels, sysctls, group_tag = pool.labels, dict(pool.sysctls), f"{cluster_name}-{pool.key}"
            template = aws.ec2.LaunchTemplate(
                f"{name}-{pool.key}-template",
                description=f"Gitpod {pool.key} nodes (Ubuntu EKS image)",
                image_id=image_id,
                update_default_version=True,
                vpc_security_group_ids=[args["node_security_group_id"], cluster_security_group],
                user_data=bootstrap.apply(
                    lambda v, labels=labels, sysctls=sysctls: user_data(
                        bootstrap_script(cluster_name, str(v[0]), str(v[1]), dns_ip, labels, sysctls)
                    )  # type: ignore[misc]
                ),
                block_device_mappings=[
                    aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                        device_name=ROOT_DEVICE,
                        ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                            volume_size=pool.disk_size_gb,
                            volume_type="gp3",
                            # Gitpod's EKS reference: workspaces are I/O heavy (image layers, backups).
                            iops=6000,
                            throughput=500,
                            encrypted="true",
                            delete_on_termination="true",
                        ),
                    )
                ],
                # IMDSv2 only, one hop: workspace pods run users' code and must not reach the
                # node's role; everything in the cluster that needs AWS has its own IRSA role.
                metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                    http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
                ),
                tag_specifications=[
                    aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags={"Name": f"{cluster_name}-{pool.key}"})
                    for kind in ("instance", "volume")
                ],
                opts=child,
            )
            node_groups.append(
                aws.eks.NodeGroup(
                    f"{name}-{pool.key}",
                    cluster_name=cluster.name,
                    node_role_arn=node_role.arn,
                    subnet_ids=list(args["private_subnet_ids"]),
                    instance_types=[pool.machine_type],
                    capacity_type="ON_DEMAND",
                    scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                        min_size=pool.min_nodes,
                        max_size=pool.max_nodes,
                        desired_size=current_sizes.apply(functools.partial(_desired, pool, group_tag)),
                    ),
                    update_config={"max_unavailable": 1},
                    labels=dict.fromkeys(labels, "true"),
                    launch_template={"id": template.id, "version": template.latest_version.apply(str)},
                    tags={GROUP_TAG: group_tag},
                    opts=pulumi.ResourceOptions(
                        parent=self,
                        depends_on=[vpc_cni, kube_proxy, *node_policies],
                        # A roll replaces `max_unavailable` (1) node at a time, each drained first: far
                        # longer than the provider's 60-minute default for a group of dozens of nodes.
                        custom_timeouts=pulumi.CustomTimeouts(update=NODE_GROUP_UPDATE_TIMEOUT),
                    ),
                )
            )
            if use_autoscaler:
                # EKS does not copy node-group tags to the Auto Scaling group, where the autoscaler
                # reads a group's labels when it has no node to copy them from (see `autoscaler`).
                group_name = node_groups[-1].resources.apply(_autoscaling_group_name)
                group_names.append(group_name)
                for key, value in autoscaler.node_template_tags(labels).items():
                    aws.autoscaling.Tag(
                        f"{name}-{pool.key}-asg-{key.rsplit('/', 1)[-1]}",
                        autoscaling_group_name=group_name,
                        tag=aws.autoscaling.TagTagArgs(key=key, value=value, propagate_at_launch=False),
                        opts=child,
                    )

        # -- add-ons that schedule pods -----------------------------------------------------------
        after_nodes = pulumi.ResourceOptions(parent=self, depends_on=node_groups)
        coredns = addon("coredns", "coredns", after_nodes)
        ebs_csi = addon(
            "ebs-csi",
            "aws-ebs-csi-driver",
            after_nodes,
            service_account_role_arn=irsa(
                "ebs-csi",
                "kube-system",
                "ebs-csi-controller-sa",
                managed_policies=[partition.managed_policy("service-role/AmazonEBSCSIDriverPolicy")],
            ),
        )

        self.cert_manager_role_arn = None
        annotations: dict[str, pulumi.Input[str]] = {}
        zone_arn = args.get("dns01_zone_arn")
        if zone_arn is not None:
            self.cert_manager_role_arn = irsa(
                "cert-manager",
                args.get("cert_manager_namespace", CERT_MANAGER_NAMESPACE),
                args.get("cert_manager_service_account", CERT_MANAGER_SERVICE_ACCOUNT),
                inline_policy=pulumi.Output.from_input(zone_arn).apply(lambda arn: json.dumps(policies.route53_dns01(arn, partition))),
            )
            annotations["eks.amazonaws.com/role-arn"] = self.cert_manager_role_arn
        external_dns: dict[str, pulumi.Input[str]] = {}
        records_zone = args.get("records_zone_arn")
        if records_zone is not None:
            external_dns["eks.amazonaws.com/role-arn"] = irsa(
                "external-dns",
                EXTERNAL_DNS_NAMESPACE,
                EXTERNAL_DNS_SERVICE_ACCOUNT,
                inline_policy=pulumi.Output.from_input(records_zone).apply(lambda arn: json.dumps(policies.route53_records(arn))),
            )

        # -- Kubernetes access --------------------------------------------------------------------
        self.kubeconfig = pulumi.Output.secret(
            bootstrap.apply(lambda v: kubeconfig(cluster_name, str(v[0]), str(v[1]), region, args.get("profile")))
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            # Not the EBS CSI add-on: only what provisions volumes waits for it (`ClusterInfo.volumes_ready`).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*node_groups, coredns]),
        )
        on_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)
        # The installer's PVCs and the KOTS-era preflight both need a default StorageClass; EKS
        # (1.30+) marks none as default.
        k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "fsType": "ext4"},
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Delete",
            opts=on_cluster,
        )
        if use_calico:
            calico_chart.install(name, parent=self, provider=self.provider, version=args["calico_version"])
        if use_autoscaler:
            account = aws.get_caller_identity(opts=pulumi.InvokeOptions(parent=self)).account_id
            owner_tag = autoscaler.OWNER_TAG.format(cluster=cluster_name)
            autoscaler_policy = pulumi.Output.all(
                account, pulumi.Output.all(*group_names), pulumi.Output.all(*(g.arn for g in node_groups))
            ).apply(
                lambda v: json.dumps(
                    policies.cluster_autoscaler(
                        owner_tag,
                        autoscaler.OWNER_TAG_VALUE,
                        [policies.autoscaling_group_arn(partition, region, str(v[0]), str(g)) for g in v[1]],
                        [str(arn) for arn in v[2]],
                    )
                )
            )
            autoscaler.install(
                name,
                parent=self,
                provider=self.provider,
                minor=version,
                cluster_name=cluster_name,
                region=region,
                role_arn=irsa("cluster-autoscaler", autoscaler.NAMESPACE, autoscaler.SERVICE_ACCOUNT, inline_policy=autoscaler_policy),
                node_selector=args.get("autoscaler_node_selector", {NODE_LABELS_SERVICES[-1]: "true"}),
            )

        self.cluster_name = cluster.name
        self.oidc_provider_arn = oidc.arn
        self.node_image = pulumi.Output.all(image_id, image.input).apply(
            lambda v: {"parameter": args.get("ami_parameter"), "amiId": v[0], "latestAmiId": v[1]}
        )
        self.addon_versions = versions.output.apply(lambda v: {k: str(x) for k, x in v.items()})
        # The cluster contract for the rest of the architecture (Python only: not in the schema).
        self.info: ClusterInfo = ClusterInfo(
            provider=self.provider,
            distribution="eks",
            containerd=CONTAINERD_DEFAULT,
            kubeconfig=self.kubeconfig,
            name=cluster.name,
            cert_manager_identity=CertManagerIdentity(service_account_annotations=annotations),
            external_dns_identity=CertManagerIdentity(service_account_annotations=external_dns),
            outputs={"nodeImage": self.node_image},
            volumes_ready=(ebs_csi,),
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "oidcProviderArn": self.oidc_provider_arn,
                "certManagerRoleArn": self.cert_manager_role_arn,
                "nodeImage": self.node_image,
                "addonVersions": self.addon_versions,
            }
        )


def _current_sizes(cluster: aws.eks.Cluster, opts: pulumi.InvokeOptions) -> pulumi.Output[Mapping[str, int]]:
    """Desired size of each existing node group of the cluster, by its `Name` tag (empty at creation).

    Keyed by the cluster's `id` (its name, but known only once the cluster exists): during the
    first preview the lookup waits instead of asking EKS about a cluster that is not there yet.
    A group being replaced is still listed, so its successor starts at the same size.
    """

    def describe(names: Sequence[str]) -> pulumi.Output[Mapping[str, int]]:
        groups = [aws.eks.get_node_group_output(cluster_name=cluster.id, node_group_name=n, opts=opts) for n in sorted(names)]
        return pulumi.Output.all(*groups).apply(_sizes_by_tag)

    listed = aws.eks.get_node_groups_output(cluster_name=cluster.id, opts=opts)
    return listed.names.apply(lambda names: describe(names or []))


def _autoscaling_group_name(resources: Sequence[Any] | None) -> str:
    """The Auto Scaling group EKS created for a managed node group (one per group)."""
    groups = resources[0].autoscaling_groups if resources else None
    if not groups or not groups[0].name:
        raise ValueError("EKS reported no Auto Scaling group for the node group")
    return str(groups[0].name)


def _pick(addon: str, versions: Mapping[str, Any]) -> str:
    return str(versions[addon])


def _desired(pool: NodePool, tag: str, sizes: Mapping[str, int]) -> int:
    return pool.desired_size(sizes.get(tag))


def _sizes_by_tag(groups: Sequence[Any]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for group in groups:
        tag = (group.tags or {}).get(GROUP_TAG)
        configs = group.scaling_configs or []
        if tag and configs:
            sizes[tag] = max(sizes.get(tag, 0), int(configs[0].desired_size))
    return sizes


# -- the builder ------------------------------------------------------------------------------------
def _pools(ctx: AwsContext) -> list[EksNodePool]:
    names = ("services", "regular-workspaces", "headless-workspaces")
    pools: list[EksNodePool] = []
    for name, (key, p) in zip(names, ctx.settings.cluster.node_pools.items(), strict=True):
        pool: EksNodePool = {
            "key": name,
            "machine_type": p.machine_type,
            "min_nodes": p.min_nodes,
            "max_nodes": p.max_nodes,
            "disk_size_gb": p.disk_size_gb,
            "labels": POOL_LABELS[key],
        }
        if key != "services":
            pool["sysctls"] = dict(WORKSPACE_NODE_SYSCTLS)
        pools.append(pool)
    return pools


def build(ctx: AwsContext, dns: DnsInfo | None) -> ClusterInfo:
    """The EKS cluster; with a Route53 zone for DNS-01, cert-manager's role is scoped to it."""
    settings, aws_settings, platform = ctx.settings, ctx.settings.cloud_settings, ctx.platform
    version = eks_version(settings)
    image = node_image(
        aws_settings.ubuntu_release, version, aws_settings.node_image, platform.region, pulumi.InvokeOptions(provider=platform.provider)
    )
    args: EksClusterArgs = {
        "cluster_name": settings.cluster.name,
        "kubernetes_version": version,
        "support_type": aws_settings.support_type,
        "region": platform.region,
        "private_subnet_ids": platform.network.private_subnet_ids,
        "node_security_group_id": platform.network.node_security_group_id,
        "public_access_cidrs": list(aws_settings.public_access_cidrs),
        "private_endpoint": aws_settings.private_endpoint,
        "log_retention_days": aws_settings.log_retention_days,
        "admin_role_arns": list(aws_settings.admin_role_arns),
        "ami_id": image.ami_id,
        "node_pools": _pools(ctx),
        "service_cidr": SERVICE_CIDR,
        "cluster_dns_ip": CLUSTER_DNS_IP,
        "calico": aws_settings.calico,
        "calico_version": aws_settings.calico_version,
        "cert_manager_namespace": settings.cert_manager.namespace,
        "cert_manager_service_account": CERT_MANAGER_SERVICE_ACCOUNT,
    }
    if image.parameter is not None:
        args["ami_parameter"] = image.parameter
    if aws_settings.profile:
        args["profile"] = aws_settings.profile
    match dns:
        case Route53ZoneInfo():
            # The zone belongs to the DNS concern (built before the cluster, never waiting for it);
            # the cluster only needs its ARN to scope cert-manager's role.
            args["dns01_zone_arn"] = dns.zone_arn
            if settings.certificate.zone.records:
                args["records_zone_arn"] = dns.zone_arn
    return EksCluster(f"{ctx.name}-cluster", args, opts=ctx.opts(platform.opts())).info
