"""`gitpod:gcp`: where and how the GCP reference architecture is built, and GKE-only rules.

Defaults follow Gitpod's own GKE Terraform (`install/infra/modules/gke`: region europe-west1,
subnet 10.255.0.0/16, pods 10.0.0.0/12, services 10.64.0.0/12) except where the platform moved
on: a release channel instead of "No channel" (removed on 14 Jun 2027), private nodes behind
Cloud NAT, and Artifact Registry instead of Container Registry (no pushes since 18 Mar 2025).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .. import compatibility as compat
from ..settings.exposure import api_exposure
from ..settings.model import MaintenanceExclusion, NodePoolSettings, Settings
from ..settings.reader import Section
from ..settings.rules import Add

PROJECT_PATTERN = re.compile(r"([a-z0-9.-]+:)?[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
PROJECT_HELP = (
    "expected a project ID (lower-case letters, digits and hyphens, starting with a letter), not the project's display name or number."
)
REGION_PATTERN = re.compile(r"[a-z]+(-[a-z]+)+\d+")
REGION_HELP = "expected a Google Cloud region such as europe-west1 or us-central1."
ZONE_PATTERN = re.compile(r"[a-z]+(-[a-z]+)+\d+-[a-z]")
ZONE_HELP = "expected a Google Cloud zone such as europe-west1-b."
REPOSITORY_PATTERN = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
REPOSITORY_HELP = "expected an Artifact Registry repository ID (lower-case letters, digits and hyphens, starting with a letter)."

RELEASE_CHANNELS: tuple[str, ...] = ("REGULAR", "STABLE", "RAPID", "EXTENDED")
#: Spellings of GKE's static version ("No channel"), refused with a reason rather than "not allowed".
NO_CHANNEL = ("UNSPECIFIED", "NONE", "NO CHANNEL", "NO_CHANNEL", "STATIC")
NO_CHANNEL_REASON = (
    "GKE's 'No channel' (static version) is deprecated and is removed on 14 Jun 2027; Gitpod's 2022 "
    "Terraform used it to pin Kubernetes 1.22, which GKE no longer creates. Fix: use REGULAR (the default), "
    "STABLE, RAPID or EXTENDED, and set gitpod:cluster.kubernetesVersion for a minimum version."
)

#: `gcr` kind: the gcr.io host -> the Artifact Registry multi-region serving it (gcr.io repositories).
GCR_HOSTS: dict[str, str] = {"gcr.io": "us", "us.gcr.io": "us", "eu.gcr.io": "europe", "asia.gcr.io": "asia"}
DEFAULT_GCR_HOST = "gcr.io"

#: Node pools from Gitpod's own GKE Terraform: services, and each workspace pool.
SERVICES_POOL = NodePoolSettings("n2d-standard-4", 1, 4, 100)
WORKSPACE_POOL = NodePoolSettings("n2d-standard-16", 1, 50, 512)
MACHINE_TYPE = (
    re.compile(r"[a-z][a-z0-9]*-[a-z0-9]+(-[a-z0-9]+)*"),
    "expected a Compute Engine machine type such as n2d-standard-16 or e2-highmem-8.",
)
#: `gitpod:cluster` keys only GKE reads: (allowed values, default); the rules refuse all but the
#: default with Gitpod's reason, so the values stay visible in the error.
CLUSTER_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "mode": (("standard", "autopilot"), "standard"),
    "datapath": (("legacy", "dataplane-v2"), "legacy"),
}

DEFAULT_REGION = "europe-west1"
DEFAULT_RELEASE_CHANNEL = "REGULAR"
DEFAULT_SUBNET_CIDR = "10.255.0.0/16"
DEFAULT_PODS_CIDR = "10.0.0.0/12"
DEFAULT_SERVICES_CIDR = "10.64.0.0/12"
DEFAULT_REPOSITORY = "gitpod"
#: 2 vCPU / 7.5 GB, the size of the reference's legacy `db-n1-standard-2` tier in Enterprise edition.
DEFAULT_SQL_TIER = "db-custom-2-7680"
SQL_TIER_PATTERN = re.compile(r"db-(custom-\d+-\d+|n1-(standard|highmem)-\d+|f1-micro|g1-small)")
#: The oldest minor GKE's channels still created in late 2026 (Extended starts about there).
OLDEST_GKE_MINOR = (1, 31)

# GKE's own limits on a maintenance policy, checked before anything is created (checked 2026-11):
# https://cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions says a
# window must allow at least 48 hours of maintenance in any 32-day rolling period, counting only
# contiguous stretches of 4 hours or more; a "No upgrades" exclusion lasts at most 30 days
# (https://cloud.google.com/kubernetes-engine/docs/concepts/maintenance-windows-and-exclusions), which
# is the same rule seen from the exclusions' side (32 - 30 days = 48 hours); and a cluster holds at
# most 20 exclusions (terraform-provider-google `maintenance_exclusion` MaxItems 20, citing GKE).
#: Hours of maintenance GKE needs in any `MAINTENANCE_ROLLING_DAYS` days.
MAINTENANCE_MIN_HOURS = 48
MAINTENANCE_ROLLING_DAYS = 32
#: A weekly window recurs at least this often in any 32 days (32 = 4 weeks + 4 days).
WEEKLY_OCCURRENCES = MAINTENANCE_ROLLING_DAYS // 7
#: Longest "No upgrades" exclusion, in days.
NO_UPGRADES_MAX_DAYS = 30
MAX_EXCLUSIONS = 20
#: Authorized networks GKE accepts: 50 CIDRs on clusters with public nodes, 100 with private nodes
#: (https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks, "Limitations").
MAX_AUTHORIZED_NETWORKS = {False: 50, True: 100}


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str = DEFAULT_REGION
    #: A zone makes the cluster zonal (one control plane, covered by GKE's free tier); None is regional.
    zone: str | None = None
    release_channel: str = DEFAULT_RELEASE_CHANNEL
    #: Nodes without external IPs, reaching the internet through Cloud NAT.
    private_nodes: bool = True
    #: CIDRs allowed to reach the public control-plane endpoint; empty means any address.
    master_authorized_networks: tuple[str, ...] = ()
    #: Turn the control plane's public endpoint off (needs private nodes).
    private_endpoint: bool = False
    #: Shielded nodes boot with Secure Boot: only signed boot components and kernel modules load.
    secure_boot: bool = True
    #: Any value; a new one replaces every service-account key the program made (rotation).
    key_rotation: str | None = None
    subnet_cidr: str = DEFAULT_SUBNET_CIDR
    pods_cidr: str = DEFAULT_PODS_CIDR
    services_cidr: str = DEFAULT_SERVICES_CIDR
    #: Artifact Registry repository ID for kind `artifact-registry`, as given (`repository` has the default).
    registry_repository: str | None = None
    #: gcr.io host for kind `gcr`, as given (`gcr` has the default).
    gcr_host: str | None = None

    @property
    def cluster_cidrs(self) -> tuple[str, ...]:
        """The pod and Service ranges, which `installer.httpProxy` keeps out of the proxy (`noProxy`)."""
        return (self.pods_cidr, self.services_cidr)

    @property
    def location(self) -> str:
        """Where the cluster lives: its zone when zonal, else the region."""
        return self.zone or self.region

    @property
    def repository(self) -> str:
        """The Artifact Registry repository ID (kind `artifact-registry`)."""
        return self.registry_repository or DEFAULT_REPOSITORY

    @property
    def gcr(self) -> str:
        """The gcr.io host (kind `gcr`)."""
        return self.gcr_host or DEFAULT_GCR_HOST


def _release_channel(s: Section) -> str:
    """A GKE release channel, case-insensitive; "No channel" is refused with the reason."""
    given = s.string("releaseChannel", DEFAULT_RELEASE_CHANNEL)
    channel = given.strip().upper()
    if channel in NO_CHANNEL:
        s.problems.add(s.key("releaseChannel"), f"{given!r} is not allowed (allowed: {', '.join(RELEASE_CHANNELS)}). {NO_CHANNEL_REASON}")
        return DEFAULT_RELEASE_CHANNEL
    if channel not in RELEASE_CHANNELS:
        s.problems.add(s.key("releaseChannel"), f"{given!r} is not allowed (allowed: {', '.join(RELEASE_CHANNELS)}).")
        return DEFAULT_RELEASE_CHANNEL
    return channel


#: `ipaddress.is_private` also admits loopback, link-local and benchmark ranges, which GKE refuses.
RFC1918 = tuple(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _cidr(s: Section, name: str, default: str) -> ipaddress.IPv4Network:
    text = s.string(name, default)
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        s.problems.add(
            s.key(name), f"{text!r} is not valid: expected an IPv4 network in CIDR notation with no host bits set, e.g. {default}."
        )
        return ipaddress.IPv4Network(default)
    if not isinstance(network, ipaddress.IPv4Network) or not any(network.subnet_of(block) for block in RFC1918):
        s.problems.add(
            s.key(name),
            f"{text!r} is not valid: expected a range inside a private RFC 1918 block (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), e.g. {default}.",
        )
        return ipaddress.IPv4Network(default)
    return network


def parse(s: Section) -> GcpSettings:
    project = s.required_string(
        "project",
        pattern=PROJECT_PATTERN,
        pattern_help=PROJECT_HELP,
        required_help="Set it: pulumi config set --path gcp.project <project-id>",
    )
    problems_before = len(s.problems.items)
    region = s.string("region", DEFAULT_REGION, pattern=REGION_PATTERN, pattern_help=REGION_HELP)
    region_valid = len(s.problems.items) == problems_before
    zone = s.string("zone", pattern=ZONE_PATTERN, pattern_help=ZONE_HELP)
    # Judge the zone only against a valid region, never against a default the user did not give.
    if zone and region_valid and not zone.startswith(region + "-"):
        s.problems.add(
            s.key("zone"), f"{zone!r} is not in gitpod:gcp.region {region!r}. Fix: use a zone such as {region}-b, or change the region."
        )
    ranges = {
        name: _cidr(s, name, default)
        for name, default in (("subnetCidr", DEFAULT_SUBNET_CIDR), ("podsCidr", DEFAULT_PODS_CIDR), ("servicesCidr", DEFAULT_SERVICES_CIDR))
    }
    names = list(ranges)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if ranges[first].overlaps(ranges[second]):
                s.problems.add(
                    s.key(second),
                    f"{str(ranges[second])!r} overlaps gitpod:gcp.{first} ({ranges[first]}); nodes, pods and services need disjoint ranges.",
                )
    authorized: list[str] = []
    for cidr in s.string_list("masterAuthorizedNetworks"):
        try:
            authorized.append(str(ipaddress.ip_network(cidr, strict=True)))
        except ValueError:
            s.problems.add(s.key("masterAuthorizedNetworks"), f"{cidr!r} is not valid: expected CIDRs such as 203.0.113.0/24.")
    return GcpSettings(
        project=project,
        region=region,
        zone=zone,
        release_channel=_release_channel(s),
        private_nodes=s.boolean("privateNodes", True),
        master_authorized_networks=tuple(authorized),
        private_endpoint=s.boolean("privateEndpoint", False),
        secure_boot=s.boolean("secureBoot", True),
        key_rotation=s.string("keyRotation"),
        subnet_cidr=str(ranges["subnetCidr"]),
        pods_cidr=str(ranges["podsCidr"]),
        services_cidr=str(ranges["servicesCidr"]),
        registry_repository=s.string("registryRepository", pattern=REPOSITORY_PATTERN, pattern_help=REPOSITORY_HELP),
        gcr_host=s.string("gcrHost", choices=tuple(GCR_HOSTS)),
    )


def _api_access(settings: Settings[GcpSettings], add: Add) -> None:
    gcp = settings.cloud_settings
    if gcp.private_endpoint and not gcp.private_nodes:
        add(
            "hard",
            "gitpod:gcp.privateEndpoint",
            "true needs private nodes, but gitpod:gcp.privateNodes is false (GKE turns the public endpoint off only on "
            "clusters with private nodes). Fix: set privateNodes to true, or privateEndpoint to false.",
        )
    api_exposure(
        add,
        ranges=gcp.master_authorized_networks,
        ranges_key="gitpod:gcp.masterAuthorizedNetworks",
        private=gcp.private_endpoint,
        private_key="gitpod:gcp.privateEndpoint",
        cluster="GKE",
    )
    if gcp.secure_boot and settings.installer.fs_shift_method == "shiftfs":
        add(
            "advice",
            "gitpod:gcp.secureBoot",
            "true cannot load the shiftfs module gitpod:installer.fsShiftMethod 'shiftfs' needs where the node kernel lacks it: "
            "Gitpod's shiftfs-module-loader then builds it with DKMS and loads it unsigned "
            "(gitpod-io/gitpod@2022.11.3 components/ws-daemon/shiftfs-module-loader/entrypoint.sh), which Secure Boot refuses. "
            "Fix: use fsShiftMethod 'fuse' (the default; no kernel module), or set secureBoot to false.",
        )


def rules(settings: Settings[GcpSettings], add: Add) -> None:
    """GKE-only verdicts that need the whole settings (the section alone cannot see other keys)."""
    gcp = settings.cloud_settings
    c = settings.cluster
    if c.mode == "autopilot":
        add("unsupported", "gitpod:cluster.mode", f"'autopilot' is not allowed (allowed: standard). {compat.AUTOPILOT_REASON}")
    if c.datapath == "dataplane-v2":
        add("unsupported", "gitpod:cluster.datapath", f"'dataplane-v2' is not allowed (allowed: legacy). {compat.DATAPLANE_V2_REASON}")
    if settings.certificate.issuer == "selfsigned":
        add("unsupported", "gitpod:certificate.issuer", f"'selfsigned' is not allowed on GKE. {compat.GKE_SELFSIGNED_REASON}")
    kind = settings.registry.kind
    if gcp.registry_repository is not None and kind != "artifact-registry":
        add(
            "hard",
            "gitpod:gcp.registryRepository",
            f"is only used with gitpod:registry.kind 'artifact-registry', but kind is {kind!r}; remove it.",
        )
    if gcp.gcr_host is not None and kind != "gcr":
        add("hard", "gitpod:gcp.gcrHost", f"is only used with gitpod:registry.kind 'gcr', but kind is {kind!r}; remove it.")
    _dns_zone(settings, add)
    _maintenance(settings, add)
    limit = MAX_AUTHORIZED_NETWORKS[gcp.private_nodes]
    if len(gcp.master_authorized_networks) > limit:
        add(
            "hard",
            "gitpod:gcp.masterAuthorizedNetworks",
            f"lists {len(gcp.master_authorized_networks)} CIDRs; GKE accepts at most {limit} "
            f"({'private' if gcp.private_nodes else 'public'} nodes). Merge neighbouring ranges into larger ones.",
        )
    _api_access(settings, add)
    if settings.storage.mode == "managed":
        add(
            "advice",
            "gitpod:storage.mode",
            "Gitpod 2022.11 creates its per-user GCS buckets without uniform bucket-level access, which organizations "
            "created since 3 May 2024 forbid (org policy storage.uniformBucketLevelAccess): workspaces then fail to "
            "start and to back up. Check: gcloud resource-manager org-policies describe storage.uniformBucketLevelAccess "
            f"--project {gcp.project} --effective; if it says enforced: true, exempt the project (docs/gcp.md, "
            "'Organization policies').",
        )
    cert = settings.certificate
    if cert.issuer == "existing" and cert.existing_ca_cert:
        add(
            "unsupported",
            "gitpod:certificate.existing.caCert",
            f"a privately issued certificate is not allowed on GKE. {compat.GKE_SELFSIGNED_REASON}",
        )
    db = settings.database
    if db.mode == "managed" and db.instance_size and not SQL_TIER_PATTERN.fullmatch(db.instance_size):
        add(
            "hard",
            "gitpod:database.instanceSize",
            f"{db.instance_size!r} is not a Cloud SQL Enterprise tier (e.g. {DEFAULT_SQL_TIER}, db-custom-<vCPUs>-<MiB>, db-n1-standard-2).",
        )
    version = settings.cluster.kubernetes_version
    if version:
        parsed = compat.parse_version(version)
        if parsed is not None and compat.MIN_KUBERNETES <= parsed < OLDEST_GKE_MINOR:
            add(
                "advice",
                "gitpod:cluster.kubernetesVersion",
                f"GKE's release channels no longer create {version} (late 2026: about 1.31 and newer); the GKE API will reject it. "
                "Leave it unset to get the channel's default.",
            )
        else:
            add(
                "advice",
                "gitpod:cluster.kubernetesVersion",
                f"on GKE this is the minimum control-plane version; the {gcp.release_channel} release channel upgrades the cluster "
                "and its node pools past it automatically.",
            )


def _maintenance(settings: Settings[GcpSettings], add: Add) -> None:
    """GKE's limits on the maintenance window and exclusions; GKE itself would refuse the cluster update."""
    m = settings.cluster.maintenance
    key = "gitpod:cluster.maintenance"
    if m.duration_hours * WEEKLY_OCCURRENCES < MAINTENANCE_MIN_HOURS:
        needed = -(-MAINTENANCE_MIN_HOURS // WEEKLY_OCCURRENCES)
        add(
            "hard",
            f"{key}.durationHours",
            f"{m.duration_hours} is too short for GKE: it needs at least {MAINTENANCE_MIN_HOURS} hours of maintenance in any "
            f"{MAINTENANCE_ROLLING_DAYS} days, and a weekly window occurs only {WEEKLY_OCCURRENCES} times in some of them. "
            f"Fix: set durationHours to {needed} or more (GKE upgrades only inside the window).",
        )
    if len(m.exclusions) > MAX_EXCLUSIONS:
        add("hard", f"{key}.exclusions", f"lists {len(m.exclusions)} exclusions; a GKE cluster holds at most {MAX_EXCLUSIONS}.")
    for i, exclusion in enumerate(m.exclusions):
        days = exclusion_days(exclusion)
        if days > NO_UPGRADES_MAX_DAYS:
            add(
                "hard",
                f"{key}.exclusions[{i}]",
                f"{exclusion.name!r} ({exclusion.start.isoformat()} to {exclusion.end.isoformat()}) lasts {days} days; GKE allows a "
                f"no-upgrades exclusion of at most {NO_UPGRADES_MAX_DAYS} days. Fix: end it by "
                f"{(exclusion.start + timedelta(days=NO_UPGRADES_MAX_DAYS - 1)).isoformat()}.",
            )
    crowded = _crowded_window(m.exclusions)
    if crowded is not None:
        add(
            "hard",
            f"{key}.exclusions",
            f"leave less than {MAINTENANCE_MIN_HOURS} hours without an exclusion in the {MAINTENANCE_ROLLING_DAYS} days from "
            f"{crowded.isoformat()}; GKE needs that much time for upgrades in any {MAINTENANCE_ROLLING_DAYS} days. "
            "Fix: leave at least two days between exclusions, or merge them into one of at most "
            f"{NO_UPGRADES_MAX_DAYS} days.",
        )


def exclusion_days(exclusion: MaintenanceExclusion) -> int:
    """Days an exclusion covers; both dates are inclusive (it ends at 00:00 UTC the day after `end`)."""
    return (exclusion.end - exclusion.start).days + 1


def _crowded_window(exclusions: tuple[MaintenanceExclusion, ...]) -> date | None:
    """The first day of a 32-day period that exclusions cover so much that less than 48 hours remain.

    Coverage of a sliding period is largest when it starts at an exclusion's start or ends at an
    exclusion's end, so only those periods are checked. Single over-long exclusions are reported on
    their own and skipped here.
    """
    spans = [(e.start, e.end + timedelta(days=1)) for e in exclusions if exclusion_days(e) <= NO_UPGRADES_MAX_DAYS]
    allowed = MAINTENANCE_ROLLING_DAYS - MAINTENANCE_MIN_HOURS // 24
    period = timedelta(days=MAINTENANCE_ROLLING_DAYS)
    starts = sorted({s for s, _ in spans} | {e - period for _, e in spans})
    for first in starts:
        last = first + period
        covered: set[date] = set()
        for start, end in spans:
            day = max(start, first)
            while day < min(end, last):
                covered.add(day)
                day += timedelta(days=1)
        if len(covered) > allowed:
            return first
    return None


def _dns_zone(settings: Settings[GcpSettings], add: Add) -> None:
    if settings.certificate.acme_dns01 != "clouddns":
        return
    zone = settings.certificate.zone
    if not zone.create and not zone.existing_id:
        add(
            "hard",
            "gitpod:certificate.zone.existingId",
            "is required when zone.create is false: set it to the name of the existing Cloud DNS managed zone "
            "(gcloud dns managed-zones list), e.g. pulumi config set --path certificate.zone.existingId example-com",
        )
    if zone.create and zone.existing_id:
        add("hard", "gitpod:certificate.zone.existingId", "is only used with zone.create false; remove it, or set zone.create to false.")
    if zone.name:
        apex = zone.name.rstrip(".")
        if settings.domain != apex and not settings.domain.endswith("." + apex):
            add(
                "hard",
                "gitpod:certificate.zone.name",
                f"{zone.name!r} does not contain gitpod:domain {settings.domain!r}; the zone must be the domain or one of its parents.",
            )
