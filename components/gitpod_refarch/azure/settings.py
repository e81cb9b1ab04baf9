"""`gitpod:azure`: where and how the Azure reference architecture is built.

Besides its own keys, this module owns the Azure-only reading of shared keys (the AKS default
Kubernetes version, the node OS image that follows from it, the MySQL SKU) and the Azure
compatibility rules, so the shared loader never learns about AKS or Flexible Server.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import re
from dataclasses import dataclass, field

from .. import compatibility as compat
from ..settings.model import NodePoolSettings, Settings, required
from ..settings.reader import Section
from ..settings.rules import Add

#: AKS' N-1 GA minor in Aug 2026 (N-2 window 1.34-1.36); used when cluster.kubernetesVersion is unset.
DEFAULT_KUBERNETES_VERSION = "1.35"
_VM_SIZE = re.compile(r"Standard_[A-Za-z0-9_]+")
#: Below this, AKS creates clusters only with the Premium tier's long-term support (Aug 2026).
AKS_OLDEST_CREATABLE = (1, 34)

NETWORK_PLUGINS = ("azure-overlay", "kubenet")
#: The node image when gitpod:azure.osSku is unset: Ubuntu 22.04 (kernel 5.15, inside Gitpod's
#: tested range). It does not follow the Kubernetes version: changing a pool's OS reimages every
#: node, so it is a step of its own (see `_node_os`), never a side effect of a version bump.
DEFAULT_OS_SKU = "Ubuntu2204"
OS_SKUS = ("Ubuntu2204", "Ubuntu", "AzureLinux")
#: Kubernetes minors AKS offers each versioned OS SKU for (inclusive; None: no upper bound).
#: Source: MicrosoftDocs/azure-aks-docs articles/aks/upgrade-os-version.md, "Supported OS versions"
#: (ms.date 2026-07-13): Ubuntu2204 1.25-1.36, and "You need to update your OS SKU to a supported
#: OS option to upgrade your Kubernetes version to 1.37 and above". `Ubuntu` and `AzureLinux`
#: follow the Kubernetes version instead (Ubuntu 24.04 from 1.35, Azure Linux 3.0 from 1.32).
OS_SKU_VERSIONS: dict[str, tuple[tuple[int, int], tuple[int, int] | None]] = {
    "Ubuntu2204": ((1, 25), (1, 36)),
    "Ubuntu": ((1, 0), None),  # "supported in all Kubernetes versions"
    "AzureLinux": ((1, 0), None),  # likewise
}
#: The first minor on which `Ubuntu` means Ubuntu 24.04 (kernel 6.8, containerd 2); same source.
UBUNTU_2404_FROM = (1, 35)
#: Cluster auto-upgrade channel the program sets: AKS moves the control plane and every pool to the
#: newest patch of their minor by itself. Source: azure-aks-docs articles/aks/auto-upgrade-cluster.md.
UPGRADE_CHANNEL = "patch"
#: Node OS auto-upgrade channel: a new node image every week, applied in the
#: `aksManagedNodeOSUpgradeSchedule` window. Source: articles/aks/auto-upgrade-node-os-image.md.
NODE_OS_UPGRADE_CHANNEL = "NodeImage"
#: AKS MaintenanceWindow limits (azure-rest-api-specs, containerservice stable/2025-09-01, the API
#: version pulumi-azure-native 3 uses): durationHours 4-24; startTime `^\d{2}:\d{2}$`, "Accepted
#: values are from '00:00' to '23:59'".
AKS_MAINTENANCE_HOURS = (4, 24)
_AKS_START_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
CLUSTER_TIERS = ("Free", "Standard", "Premium")
REGISTRY_SKUS = ("Basic", "Standard", "Premium")

#: Node pools from Gitpod's own AKS Terraform: services, and each workspace pool. VM sizes are
#: checked in the rules (next to the AKS-only pool rules), so both report in one run.
SERVICES_POOL = NodePoolSettings("Standard_D4_v4", 1, 4, 128)
WORKSPACE_POOL = NodePoolSettings("Standard_D8_v4", 1, 50, 512)

#: Azure Database for MySQL Flexible Server default compute: 2 vCores, like Gitpod's `GP_Gen5_2`.
DEFAULT_MYSQL_SKU = "Standard_D2ds_v4"
_MYSQL_TIERS = {"B": "Burstable", "D": "GeneralPurpose", "E": "MemoryOptimized"}
_MYSQL_SKU = re.compile(r"Standard_([BDE])\d+[a-z]*(_v\d+)?")

_LOCATION = re.compile(r"[a-z][a-z0-9]{2,39}")
_RESOURCE_GROUP = re.compile(r"[-\w.()]{0,89}[-\w()]", re.ASCII)
_DNS_ZONE_ID = re.compile(
    r"/subscriptions/(?P<subscription>[0-9a-fA-F-]{36})/resourceGroups/(?P<group>[-\w.()]{1,90})"
    r"/providers/Microsoft\.Network/dns[zZ]ones/(?P<zone>[a-z0-9.-]+)",
    re.ASCII,
)

#: Addresses Azure keeps in every subnet, and the surge node each pool adds during upgrades.
_SUBNET_RESERVED = 5


@dataclass(frozen=True)
class AzureNetworkSettings:
    """Address plan: the VNet, its two subnets, and the overlay pod and service ranges."""

    vnet_cidr: str = "10.2.0.0/16"
    node_subnet_cidr: str = "10.2.0.0/20"
    database_subnet_cidr: str = "10.2.16.0/24"
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.0.0.0/16"

    @property
    def dns_service_ip(self) -> str:
        """kube-dns' address: the tenth address of the service range, as AKS' own default."""
        return str(ipaddress.ip_network(self.service_cidr)[10])


@dataclass(frozen=True)
class AzureSettings:
    location: str = "northeurope"
    #: Resource group for everything; None means "named after gitpod:cluster.name".
    resource_group: str | None = None
    create_resource_group: bool = True
    network_plugin: str = "azure-overlay"
    #: Node image; None means DEFAULT_OS_SKU (see `node_os_sku`).
    os_sku: str | None = None
    cluster_tier: str = "Standard"
    authorized_ip_ranges: tuple[str, ...] = ()
    registry_sku: str = "Standard"
    network: AzureNetworkSettings = field(default_factory=AzureNetworkSettings)


# -- parsing ------------------------------------------------------------------------------------
def parse(s: Section) -> AzureSettings:
    defaults = AzureSettings()
    return AzureSettings(
        location=s.string(
            "location",
            defaults.location,
            pattern=_LOCATION,
            pattern_help="expected an Azure region name such as northeurope or westus2 (`az account list-locations -o table`).",
        ),
        resource_group=s.string(
            "resourceGroup",
            pattern=_RESOURCE_GROUP,
            pattern_help="expected 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending with '.'.",
        ),
        create_resource_group=s.boolean("createResourceGroup", True),
        network_plugin=s.choice("networkPlugin", NETWORK_PLUGINS, defaults.network_plugin),
        os_sku=s.string("osSku", choices=OS_SKUS),
        cluster_tier=s.choice("clusterTier", CLUSTER_TIERS, defaults.cluster_tier),
        authorized_ip_ranges=s.ipv4_networks("authorizedIpRanges", "{} is not an IPv4 address or CIDR range such as 203.0.113.0/24."),
        registry_sku=s.choice("registrySku", REGISTRY_SKUS, defaults.registry_sku),
        network=_network(s.section("network")),
    )


def _cidr(s: Section, key: str, default: str) -> ipaddress.IPv4Network:
    value = s.string(key, default)
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        hint = ""
        with contextlib.suppress(ValueError):
            hint = f" Did you mean {ipaddress.IPv4Network(value, strict=False)}?"
        s.problems.add(s.key(key), f"{value!r} is not an IPv4 network in CIDR form such as {default}.{hint}")
        return ipaddress.IPv4Network(default)


def _network(s: Section) -> AzureNetworkSettings:
    d = AzureNetworkSettings()
    vnet = _cidr(s, "vnetCidr", d.vnet_cidr)
    nodes = _cidr(s, "nodeSubnetCidr", d.node_subnet_cidr)
    database = _cidr(s, "databaseSubnetCidr", d.database_subnet_cidr)
    pods = _cidr(s, "podCidr", d.pod_cidr)
    services = _cidr(s, "serviceCidr", d.service_cidr)
    s.finish()
    for key, subnet in (("nodeSubnetCidr", nodes), ("databaseSubnetCidr", database)):
        if not subnet.subnet_of(vnet):
            s.problems.add(s.key(key), f"{subnet} is not inside vnetCidr ({vnet}); pick a range within it.")
    if nodes.overlaps(database):
        s.problems.add(s.key("databaseSubnetCidr"), f"{database} overlaps nodeSubnetCidr ({nodes}); the two subnets must be disjoint.")
    if database.prefixlen > 28:
        s.problems.add(s.key("databaseSubnetCidr"), f"{database} is too small for a delegated MySQL subnet (allowed: /28 or larger).")
    for key, network in (("podCidr", pods), ("serviceCidr", services)):
        if network.overlaps(vnet):
            s.problems.add(s.key(key), f"{network} overlaps vnetCidr ({vnet}); cluster-internal ranges must not overlap the VNet.")
    if pods.overlaps(services):
        s.problems.add(s.key("serviceCidr"), f"{services} overlaps podCidr ({pods}); the two ranges must be disjoint.")
    if services.prefixlen < 12 or services.prefixlen > 24:
        s.problems.add(s.key("serviceCidr"), f"{services} has an unsupported size (allowed: /12 to /24).")
    return AzureNetworkSettings(str(vnet), str(nodes), str(database), str(pods), str(services))


# -- derived values -----------------------------------------------------------------------------
def kubernetes_version(settings: Settings[AzureSettings]) -> str:
    """The version AKS creates; the loader fills in DEFAULT_KUBERNETES_VERSION when unset."""
    return required(settings.cluster.kubernetes_version, "gitpod:cluster.kubernetesVersion")


def resource_group_name(settings: Settings[AzureSettings]) -> str:
    return settings.cloud_settings.resource_group or settings.cluster.name


def node_os_sku(settings: Settings[AzureSettings]) -> str:
    """The node image of every pool: gitpod:azure.osSku, else Ubuntu 22.04 whatever the version.

    The default does not switch with the Kubernetes version on purpose: a switch would change the
    OS of every pool in the same `pulumi up` as the version, which AKS refuses or turns into two
    node rolls at once. Above 1.36 the rules ask for an explicit choice instead.
    """
    return settings.cloud_settings.os_sku or DEFAULT_OS_SKU


def mysql_tier(sku: str) -> str | None:
    """The Flexible Server tier of a compute SKU, from its VM family letter; None: not a Flexible Server SKU."""
    match = _MYSQL_SKU.fullmatch(sku)
    return _MYSQL_TIERS[match[1]] if match else None


@dataclass(frozen=True)
class ExistingZone:
    id: str
    subscription_id: str
    resource_group: str
    name: str


def existing_zone(settings: Settings[AzureSettings]) -> ExistingZone | None:
    """The Azure DNS zone named by certificate.zone.existingId, when the program must not create one."""
    zone = settings.certificate.zone
    match = _DNS_ZONE_ID.fullmatch(zone.existing_id or "")
    if zone.create or match is None:
        return None
    return ExistingZone(match[0], match["subscription"], match["group"], match["zone"].lower())


def zone_name(settings: Settings[AzureSettings]) -> str:
    existing = existing_zone(settings)
    if existing is not None:
        return existing.name
    return settings.dns_zone_name


# -- compatibility rules ------------------------------------------------------------------------
def rules(settings: Settings[AzureSettings], add: Add) -> None:
    az = settings.cloud_settings
    _kubernetes(settings, add)
    _node_os(settings, az, add)
    _maintenance(settings, add)
    if az.network_plugin == "kubenet":
        add(
            "advice",
            "gitpod:azure.networkPlugin",
            "AKS retires kubenet on 31 Mar 2028 (Gitpod's 2022 Terraform used kubenet + Calico). Use 'azure-overlay' "
            "(Azure CNI Overlay with Calico network policy) for new clusters; changing it later recreates the cluster.",
        )
    _node_pools(settings, az, add)
    _database(settings, add)
    _dns_zone(settings, add)
    if settings.storage.mode == "managed":
        add(
            "advice",
            "gitpod:storage.mode",
            "the 2022.11 installer serves Azure Blob storage through a MinIO gateway pinned to "
            "bitnami/minio:2022.4.29-debian-10-r0 (MinIO removed its Azure gateway after that release), and Bitnami moved "
            "that tag to docker.io/bitnamilegacy in 2025. Mirror it (with Gitpod's images) into your registry and set "
            "gitpod:installer.repository; see docs/azure.md.",
        )


def _kubernetes(settings: Settings[AzureSettings], add: Add) -> None:
    version = kubernetes_version(settings)
    parsed = compat.parse_version(version)
    if parsed is not None and version.strip().lstrip("v") != f"{parsed[0]}.{parsed[1]}":
        add(
            "hard",
            "gitpod:cluster.kubernetesVersion",
            f"{version!r} pins more than the minor, but the cluster runs AKS' '{UPGRADE_CHANNEL}' auto-upgrade channel, which "
            f"moves the control plane and every pool to the newest {parsed[0]}.{parsed[1]} patch by itself; the next "
            f"`pulumi up` would then ask AKS for a downgrade, which it refuses. Fix: give the minor only, "
            f"'{parsed[0]}.{parsed[1]}' (AKS picks its newest patch).",
        )
    if parsed is not None and compat.MIN_KUBERNETES <= parsed < AKS_OLDEST_CREATABLE:
        add(
            "advice",
            "gitpod:cluster.kubernetesVersion",
            f"AKS creates clusters only on its three newest GA minors (1.34-1.36 in Aug 2026) unless the Premium tier's "
            f"long-term support is enabled; {version} will probably be refused. Check: az aks get-versions --location {settings.cloud_settings.location}",
        )


def _os_offered(sku: str, parsed: tuple[int, int]) -> bool:
    low, high = OS_SKU_VERSIONS[sku]
    return low <= parsed and (high is None or parsed <= high)


def _node_os(settings: Settings[AzureSettings], az: AzureSettings, add: Add) -> None:
    version = kubernetes_version(settings)
    parsed = compat.parse_version(version)
    sku = node_os_sku(settings)
    if parsed is not None and sku in OS_SKU_VERSIONS and not _os_offered(sku, parsed):
        low, high = OS_SKU_VERSIONS[sku]
        offered = f"{low[0]}.{low[1]}-{high[0]}.{high[1]}" if high else f"{low[0]}.{low[1]} and newer"
        given = f"{sku!r}" if az.os_sku else f"is not set, and its default {sku!r}"
        add(
            "hard",
            "gitpod:azure.osSku",
            f"{given} is not available with Kubernetes {version} (AKS offers it for {offered}). Changing the node OS "
            "reimages every node, so it is a step of its own: on a running cluster, first set gitpod:azure.osSku to 'Ubuntu' "
            "(Ubuntu 24.04 from Kubernetes 1.35) at the current version and run `pulumi up`, then raise "
            "gitpod:cluster.kubernetesVersion; a new cluster can set 'Ubuntu' right away. See docs/azure.md, \"Upgrades\".",
        )
    elif sku == "Ubuntu" and parsed is not None and parsed >= UBUNTU_2404_FROM:
        how = "set explicitly" if az.os_sku else "the default"
        add(
            "untested",
            "gitpod:azure.osSku",
            f"'Ubuntu' ({how}) gives Ubuntu 24.04 nodes with kernel 6.8 and containerd 2.x on Kubernetes 1.35+, newer than "
            "Gitpod's tested kernels (5.4-5.15). It may work (the installer requires >= 5.4; fsShiftMethod 'fuse' needs no "
            "kernel module; a DaemonSet turns off the AppArmor user-namespace restriction 24.04 enables, on the workspace "
            "nodes). Ubuntu2204 (kernel 5.15) is available up to Kubernetes 1.36.",
        )
    elif sku == "AzureLinux":
        add(
            "untested",
            "gitpod:azure.osSku",
            "'AzureLinux' (Azure Linux 3, kernel 6.6) is not an operating system Gitpod tested (Ubuntu 18.04-22.04). "
            "Use 'Ubuntu2204' where possible.",
        )


def _maintenance(settings: Settings[AzureSettings], add: Add) -> None:
    """AKS' own limits on the weekly window; the shared reader allows no more, but they are AKS facts."""
    window = settings.cluster.maintenance
    low, high = AKS_MAINTENANCE_HOURS
    if not low <= window.duration_hours <= high:
        add(
            "hard",
            "gitpod:cluster.maintenance.durationHours",
            f"{window.duration_hours} is not allowed by AKS maintenance windows (allowed: {low}-{high} hours).",
        )
    if not _AKS_START_TIME.fullmatch(window.start_time):
        add(
            "hard",
            "gitpod:cluster.maintenance.startTime",
            f"{window.start_time!r} is not a time AKS accepts (expected HH:MM, e.g. 22:00, in UTC).",
        )


def _node_pools(settings: Settings[AzureSettings], az: AzureSettings, add: Add) -> None:
    pools = settings.cluster.node_pools
    # Checked here rather than while reading settings, so a wrong size and a zero-node system pool
    # are reported in the same run.
    for key, pool in pools.items():
        if not _VM_SIZE.fullmatch(pool.machine_type):
            add(
                "hard",
                f"gitpod:cluster.nodePools.{key}.machineType",
                f"{pool.machine_type!r} is not an Azure VM size (expected e.g. Standard_D4_v4 or Standard_D8_v4; "
                "list them with `az vm list-sizes --location <location>`).",
            )
    for key in ("machineType", "diskSizeGb"):
        if f"gitpod:cluster.nodePools.services.{key}" in settings.given:
            add(
                "advice",
                f"gitpod:cluster.nodePools.services.{key}",
                "takes effect only when the cluster is created: the services pool is AKS' system pool, declared inside the "
                "cluster, and AKS cannot change a pool's VM size or OS disk size afterwards "
                "(https://learn.microsoft.com/azure/aks/manage-node-pools, 'Limitations'), so a later change makes `pulumi up` "
                "fail. See docs/azure.md, 'Day 2 changes'.",
            )
    if pools["services"].min_nodes < 1:
        add(
            "hard",
            "gitpod:cluster.nodePools.services.minNodes",
            "0 is not allowed on AKS: the services pool is the cluster's system pool, which needs at least 1 node (allowed: 1 or more).",
        )
    max_nodes = sum(p.max_nodes for p in pools.values())
    nodes = ipaddress.IPv4Network(az.network.node_subnet_cidr)
    room = nodes.num_addresses - _SUBNET_RESERVED
    needed = max_nodes + len(pools)
    if room < needed:
        add(
            "hard",
            "gitpod:azure.network.nodeSubnetCidr",
            f"{nodes} has {room} usable addresses, but the node pools can grow to {max_nodes} nodes plus one upgrade surge "
            f"node each ({needed}). Fix: use a larger subnet (e.g. /{32 - math.ceil(math.log2(needed + _SUBNET_RESERVED))} or larger) "
            "or lower the pools' maxNodes.",
        )
    pods = ipaddress.IPv4Network(az.network.pod_cidr)
    per_node = 2 ** max(0, 24 - pods.prefixlen)
    if per_node < max_nodes:
        add(
            "hard",
            "gitpod:azure.network.podCidr",
            f"{pods} gives {per_node} nodes a /24 pod range each, but the node pools can grow to {max_nodes} nodes. "
            "Fix: use a larger range (e.g. /16) or lower the pools' maxNodes.",
        )


def _database(settings: Settings[AzureSettings], add: Add) -> None:
    db = settings.database
    if db.mode != "managed":
        return
    name = required(db.instance_size, "gitpod:database.instanceSize")
    tier = mysql_tier(name)
    if tier is None:
        add(
            "hard",
            "gitpod:database.instanceSize",
            f"{name!r} is not an Azure Database for MySQL Flexible Server SKU (expected e.g. {DEFAULT_MYSQL_SKU}, "
            "Standard_B2ms or Standard_E2ds_v4; list them with `az mysql flexible-server list-skus --location <location>`).",
        )
    elif db.high_availability and tier == "Burstable":
        add(
            "hard",
            "gitpod:database.highAvailability",
            f"true is not available with the Burstable SKU {name!r}. Fix: use a General Purpose SKU such as "
            f"{DEFAULT_MYSQL_SKU}, or set highAvailability to false.",
        )


def _dns_zone(settings: Settings[AzureSettings], add: Add) -> None:
    if settings.certificate.acme_dns01 != "azuredns":
        return
    zone = settings.certificate.zone
    if not zone.create:
        if not zone.existing_id:
            add(
                "hard",
                "gitpod:certificate.zone.existingId",
                "is required when zone.create is false: give the zone's resource ID, "
                "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/dnszones/<zone> "
                "(az network dns zone show -g <group> -n <zone> --query id -o tsv).",
            )
            return
        if _DNS_ZONE_ID.fullmatch(zone.existing_id) is None:
            add(
                "hard",
                "gitpod:certificate.zone.existingId",
                f"{zone.existing_id!r} is not an Azure DNS zone resource ID "
                "(expected /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/dnszones/<zone>).",
            )
            return
    elif zone.existing_id:
        add("hard", "gitpod:certificate.zone.existingId", "is only used when zone.create is false; remove it or set zone.create to false.")
    name = zone_name(settings)
    if settings.domain != name and not settings.domain.endswith("." + name):
        key = "gitpod:certificate.zone.existingId" if not zone.create else "gitpod:certificate.zone.name"
        add(
            "hard",
            key,
            f"zone {name!r} cannot hold records for gitpod:domain {settings.domain!r}; the zone must be the domain or one of its parents.",
        )
