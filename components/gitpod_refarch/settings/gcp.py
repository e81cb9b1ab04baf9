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
from typing import TYPE_CHECKING

from .. import compatibility as compat
from .clouds import Add, CloudSection
from .reader import Section

if TYPE_CHECKING:
    from .model import Settings

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

DEFAULT_SUBNET_CIDR = "10.255.0.0/16"
DEFAULT_PODS_CIDR = "10.0.0.0/12"
DEFAULT_SERVICES_CIDR = "10.64.0.0/12"
DEFAULT_REPOSITORY = "gitpod"
#: 2 vCPU / 7.5 GB, the size of the reference's legacy `db-n1-standard-2` tier in Enterprise edition.
DEFAULT_SQL_TIER = "db-custom-2-7680"
SQL_TIER_PATTERN = re.compile(r"db-(custom-\d+-\d+|n1-(standard|highmem)-\d+|f1-micro|g1-small)")
#: The oldest minor GKE's channels still created in late 2026 (Extended starts about there).
OLDEST_GKE_MINOR = (1, 31)


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str = "europe-west1"
    #: A zone makes the cluster zonal (one control plane, covered by GKE's free tier); None is regional.
    zone: str | None = None
    release_channel: str = "REGULAR"
    #: Nodes without external IPs, reaching the internet through Cloud NAT.
    private_nodes: bool = True
    #: CIDRs allowed to reach the public control-plane endpoint; empty means any address.
    master_authorized_networks: tuple[str, ...] = ()
    subnet_cidr: str = DEFAULT_SUBNET_CIDR
    pods_cidr: str = DEFAULT_PODS_CIDR
    services_cidr: str = DEFAULT_SERVICES_CIDR
    #: Artifact Registry repository ID for kind `artifact-registry`; None means `gitpod`.
    registry_repository: str | None = None
    #: gcr.io host for kind `gcr`; None means `gcr.io`.
    gcr_host: str | None = None

    @property
    def location(self) -> str:
        """Where the cluster lives: its zone when zonal, else the region."""
        return self.zone or self.region

    @property
    def repository(self) -> str:
        return self.registry_repository or DEFAULT_REPOSITORY


def _release_channel(s: Section) -> str:
    """A GKE release channel, case-insensitive; "No channel" is refused with the reason."""
    given = s.string("releaseChannel", "REGULAR") or "REGULAR"
    channel = given.strip().upper()
    if channel in NO_CHANNEL:
        s.problems.add(s.key("releaseChannel"), f"{given!r} is not allowed (allowed: {', '.join(RELEASE_CHANNELS)}). {NO_CHANNEL_REASON}")
        return "REGULAR"
    if channel not in RELEASE_CHANNELS:
        s.problems.add(s.key("releaseChannel"), f"{given!r} is not allowed (allowed: {', '.join(RELEASE_CHANNELS)}).")
        return "REGULAR"
    return channel


#: `ipaddress.is_private` also admits loopback, link-local and benchmark ranges, which GKE refuses.
RFC1918 = tuple(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _cidr(s: Section, name: str, default: str) -> ipaddress.IPv4Network:
    text = s.string(name, default) or default
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


def parse(s: Section, cloud: str) -> GcpSettings:
    project = s.string(
        "project",
        pattern=PROJECT_PATTERN,
        pattern_help=PROJECT_HELP,
        required=True,
        required_help="Set it: pulumi config set --path gcp.project <project-id>",
    )
    problems_before = len(s.problems.items)
    region = s.string("region", "europe-west1", pattern=REGION_PATTERN, pattern_help=REGION_HELP) or "europe-west1"
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
        project=project or "",
        region=region,
        zone=zone,
        release_channel=_release_channel(s),
        private_nodes=s.boolean("privateNodes", True),
        master_authorized_networks=tuple(authorized),
        subnet_cidr=str(ranges["subnetCidr"]),
        pods_cidr=str(ranges["podsCidr"]),
        services_cidr=str(ranges["servicesCidr"]),
        registry_repository=s.string("registryRepository", pattern=REPOSITORY_PATTERN, pattern_help=REPOSITORY_HELP),
        gcr_host=s.string("gcrHost", choices=tuple(GCR_HOSTS)),
    )


def rules(settings: Settings, add: Add) -> None:
    """GKE-only verdicts that need the whole settings (the section alone cannot see other keys)."""
    gcp = settings.gcp
    if gcp is None:
        return
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


def _dns_zone(settings: Settings, add: Add) -> None:
    cert = settings.certificate
    if not (cert.issuer.startswith("letsencrypt") and cert.dns01 == "clouddns"):
        return
    zone = cert.zone
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


SECTION = CloudSection(parse=parse, rules=rules)
