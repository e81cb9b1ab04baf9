"""`gitpod:aws`: where and how the AWS reference architecture is built, and what EKS/RDS cost.

The EKS and RDS lifecycle facts and Canonical's table of Ubuntu EKS images below are dated, each
with its source, so the rules compare them with today's date: a version that was fine when the
stack was written can move into paid extended support, and the warning should say so.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .. import compatibility as compat
from .. import dbtls
from ..settings.exposure import api_exposure, open_to_internet
from ..settings.model import NodePoolSettings, Settings, required
from ..settings.reader import Section
from ..settings.rules import Add

DEFAULT_REGION = "eu-west-1"
#: A minor in EKS standard support until 27 Mar 2027 (1.34 leaves it on 2 Dec 2026).
DEFAULT_KUBERNETES_VERSION = "1.35"
DEFAULT_VPC_CIDR = "10.100.0.0/16"
#: EKS picks 172.20.0.0/16 for Services when the VPC is in 10.0.0.0/8; the program sets it
#: explicitly so the nodes' bootstrap can be told the cluster DNS address.
SERVICE_CIDR = "172.20.0.0/16"
CLUSTER_DNS_IP = "172.20.0.10"


@dataclass(frozen=True)
class UbuntuEksRelease:
    """One Ubuntu release's EKS images as Canonical publishes them in SSM."""

    #: The `<vol>` segment of the SSM path: Canonical moved to gp3 root volumes with 23.10.
    volume: str
    #: The Kubernetes minors Canonical publishes images for (oldest first).
    minors: tuple[str, ...]


#: Canonical's Ubuntu EKS images in the SSM Parameter Store, as published in canonical/ubuntu-cloud-docs,
#: docs/aws/aws-how-to/instances/find-ubuntu-images.rst at commit 9a500e6 (24 Jul 2026): the EKS
#: SSM drop-down (`/aws/service/canonical/ubuntu/{eks_product}/{release}/{k8s}/stable/{serial}/{arch}/hvm/{vol}/ami-id`
#: with `k8s: 1.35{resolute,noble}, 1.34{noble,jammy}, ... 1.31{noble,jammy}` and `vol: ebs-gp3{resolute,noble},
#: ebs-gp2{jammy}`) and "VOL_TYPE: ebs-gp2 (for <= 22.04) and ebs-gp3 (for >= 24.04)". eksctl's
#: resolver (eksctl-io/eksctl pkg/ami/ssm_resolver.go, Aug 2026) builds the same paths.
#: (The path takes the release number; Canonical also accepts the codename, jammy/noble/resolute.)
UBUNTU_EKS: dict[str, UbuntuEksRelease] = {
    "22.04": UbuntuEksRelease("ebs-gp2", ("1.31", "1.32", "1.33", "1.34")),
    "24.04": UbuntuEksRelease("ebs-gp3", ("1.31", "1.32", "1.33", "1.34", "1.35")),
    "26.04": UbuntuEksRelease("ebs-gp3", ("1.35",)),
}
UBUNTU_EKS_AS_OF = date(2026, 7, 24)
UBUNTU_RELEASES = tuple(UBUNTU_EKS)
#: Published for every minor of the EKS calendar that Canonical still builds (1.31 to 1.35); 22.04
#: stops at 1.34, which leaves standard support on 2 Dec 2026.
DEFAULT_UBUNTU_RELEASE = "24.04"
#: `gitpod:aws.nodeImage`: an AMI id, or the serial (build date) of one of Canonical's images.
_AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_SERIAL = re.compile(r"\d{8}(?:\.\d+)?")
SUPPORT_TYPES = ("STANDARD", "EXTENDED")
#: Tigera operator chart (and its CRD chart); 3.32 is tested on Kubernetes 1.34-1.36.
DEFAULT_CALICO_VERSION = "v3.32.2"
#: The Gitpod EKS reference's RDS size (2 vCPU, 8 GiB).
DEFAULT_DB_INSTANCE = "db.m5.large"
#: Node pools from Gitpod's own EKS Terraform: services, and each workspace pool.
SERVICES_POOL = NodePoolSettings("m6i.xlarge", 1, 4, 300)
WORKSPACE_POOL = NodePoolSettings("m6i.4xlarge", 1, 50, 512)
MACHINE_TYPE = (
    re.compile(r"[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|\d*xlarge|metal(-\d+xl)?)"),
    "expected an EC2 instance type such as m6i.4xlarge or r6i.2xlarge.",
)
#: Who may reach the public Kubernetes API endpoint unless `publicAccessCidrs` narrows it
#: (authentication still applies).
DEFAULT_PUBLIC_ACCESS_CIDRS = ("0.0.0.0/0",)
#: Control-plane log types the cluster sends to CloudWatch Logs: the API server's own log, the
#: Kubernetes audit log and the IAM authenticator's (who authenticated as whom). `controllerManager`
#: and `scheduler` help debugging only. EKS writes them to the log group `/aws/eks/<cluster>/cluster`
#: (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html, read 2026-11).
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator")
DEFAULT_LOG_RETENTION_DAYS = 90
#: The retention periods CloudWatch Logs accepts (days; 0 means never expire, which the program
#: does not offer): hashicorp/terraform-provider-aws internal/service/logs/group.go
#: `retention_in_days` (IntInSlice; read 2026-11).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

#: EKS minor -> (end of standard support, end of extended support).
EKS_CALENDAR: dict[str, tuple[date, date]] = {
    "1.29": (date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": (date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": (date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": (date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": (date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": (date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": (date(2027, 3, 27), date(2028, 3, 27)),
}
EXTENDED_COST = "$0.60 per cluster-hour instead of $0.10, about +$365 per month"
#: RDS Extended Support for MySQL 5.7 was extended "through June 30, 2029 (previously February 28,
#: 2027)", and MySQL 8.0 "entered RDS Extended Support on August 1, 2026" (AWS Database Blog, "Amazon
#: RDS for MySQL LTS version 9.7 is now generally available",
#: https://aws.amazon.com/blogs/database/amazon-rds-for-mysql-lts-version-9-7-is-now-generally-available/,
#: read Nov 2026). At the end of Extended Support RDS upgrades the major version itself
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html).
RDS_MYSQL57_END = date(2029, 6, 30)
RDS_MYSQL80_EXTENDED_FROM = date(2026, 8, 1)
#: How far ahead an approaching end of standard support is worth a warning.
NOTICE_DAYS = 90

#: Today's date; tests replace it to pin the calendar.
today: Callable[[], date] = date.today

_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_ARN = re.compile(r"arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)/[\w+=,.@/-]+")
_ZONE_ID = re.compile(r"Z[A-Z0-9]{1,31}")


@dataclass(frozen=True)
class AwsSettings:
    """The `gitpod:aws` section, validated."""

    region: str = DEFAULT_REGION
    #: Explicit zones (e.g. eu-west-1a, eu-west-1b); empty means the region's first N available.
    availability_zones: tuple[str, ...] = ()
    availability_zone_count: int = 2
    vpc_cidr: str = DEFAULT_VPC_CIDR
    ubuntu_release: str = DEFAULT_UBUNTU_RELEASE
    #: Pin of the node image: an AMI id (`ami-...`) or a Canonical serial (`20260715`); None keeps
    #: the image that was current when the node groups were created (see `aws.ami`).
    node_image: str | None = None
    support_type: str = "STANDARD"
    calico: bool = True
    calico_version: str = DEFAULT_CALICO_VERSION
    #: IAM roles/users given cluster-admin through EKS access entries (besides the deployer).
    admin_role_arns: tuple[str, ...] = ()
    #: CIDRs allowed to reach the public Kubernetes API endpoint.
    public_access_cidrs: tuple[str, ...] = DEFAULT_PUBLIC_ACCESS_CIDRS
    #: Turn the public API endpoint off: only the VPC (and networks peered with it) reach the API.
    private_endpoint: bool = False
    #: Days CloudWatch Logs keeps the control-plane logs.
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    #: Any value; a new one replaces every IAM access key the program made (rotation).
    key_rotation: str | None = None
    #: AWS CLI/SDK profile for the provider and the kubeconfig; None uses the environment.
    profile: str | None = None

    @property
    def cluster_cidrs(self) -> tuple[str, ...]:
        """The pod range (the VPC: the VPC CNI gives pods VPC addresses) and the Service range,
        which `installer.httpProxy` keeps out of the proxy (`noProxy`)."""
        return (self.vpc_cidr, SERVICE_CIDR)


def parse(s: Section) -> AwsSettings:
    region = s.string("region", DEFAULT_REGION, pattern=_REGION, pattern_help="expected an AWS region such as eu-west-1.")
    zones = s.string_list(
        "availabilityZones", pattern=re.compile(r"[a-z0-9-]+[a-z]"), pattern_help="expected a zone name such as eu-west-1a."
    )
    for zone in zones:
        if not zone.startswith(region):
            s.problems.add(s.key("availabilityZones"), f"{zone!r} is not in gitpod:aws.region {region!r}; list zones such as {region}a.")
    if zones and not 2 <= len(zones) <= 6:
        s.problems.add(
            s.key("availabilityZones"), f"lists {len(zones)} zone(s) (allowed: 2 to 6); EKS needs subnets in at least two zones."
        )
    if len(set(zones)) != len(zones):
        s.problems.add(s.key("availabilityZones"), "lists a zone twice; list each zone once.")
    count = s.integer("availabilityZoneCount", 2, minimum=2, maximum=6)
    private_endpoint = s.boolean("privateEndpoint", False)
    if zones and s.present("availabilityZoneCount"):
        s.problems.add(s.key("availabilityZoneCount"), "is set together with availabilityZones; set only one of them.")
    result = AwsSettings(
        region=region,
        availability_zones=zones,
        availability_zone_count=count,
        vpc_cidr=_vpc_cidr(s),
        ubuntu_release=s.choice("ubuntuRelease", UBUNTU_RELEASES, DEFAULT_UBUNTU_RELEASE),
        node_image=_node_image(s),
        support_type=s.choice("supportType", SUPPORT_TYPES, "STANDARD"),
        calico=s.boolean("calico", True),
        calico_version=s.string(
            "calicoVersion",
            DEFAULT_CALICO_VERSION,
            pattern=re.compile(r"v\d+\.\d+\.\d+"),
            pattern_help="expected a Calico release such as v3.32.2.",
        ),
        admin_role_arns=s.string_list(
            "adminRoleArns",
            pattern=_ARN,
            pattern_help="expected an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins.",
        ),
        public_access_cidrs=_public_access_cidrs(s, private_endpoint),
        private_endpoint=private_endpoint,
        log_retention_days=_log_retention(s),
        key_rotation=s.string("keyRotation"),
        profile=s.string("profile"),
    )
    for arn in result.admin_role_arns:
        if ":assumed-role/" in arn or ":sts::" in arn:
            s.problems.add(
                s.key("adminRoleArns"),
                f"{arn!r} is a session ARN; EKS access entries need the role itself (arn:aws:iam::<account>:role/<name>).",
            )
    return result


def _public_access_cidrs(s: Section, private_endpoint: bool) -> tuple[str, ...]:
    """The allowlist as given; unset means any address, unless the public endpoint is off (then none)."""
    given = s.ipv4_networks("publicAccessCidrs", "{} is not an IPv4 CIDR such as 203.0.113.0/24.")
    if given or private_endpoint:
        return given
    return DEFAULT_PUBLIC_ACCESS_CIDRS


def _log_retention(s: Section) -> int:
    days = s.integer("logRetentionDays", DEFAULT_LOG_RETENTION_DAYS, minimum=1, maximum=LOG_RETENTION_DAYS[-1])
    if days not in LOG_RETENTION_DAYS:
        s.problems.add(
            s.key("logRetentionDays"),
            f"{days} is not a retention CloudWatch Logs offers (allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}).",
        )
        return DEFAULT_LOG_RETENTION_DAYS
    return days


def _node_image(s: Section) -> str | None:
    value = s.string("nodeImage")
    if value is None or _AMI_ID.fullmatch(value) or _SERIAL.fullmatch(value):
        return value
    s.problems.add(
        s.key("nodeImage"),
        f"{value!r} is neither an AMI id (ami- and 8 or 17 hex digits) nor a Canonical image serial (a build date such as "
        "20260715, or 20260715.1). List the serials with: aws ssm get-parameters-by-path --recursive --path "
        "/aws/service/canonical/ubuntu/eks/<release>/<minor>/stable --query 'Parameters[].Name'",
    )
    return None


def is_ami_id(node_image: str | None) -> bool:
    """Whether `gitpod:aws.nodeImage` names an image directly (no SSM lookup, no Canonical table)."""
    return node_image is not None and _AMI_ID.fullmatch(node_image) is not None


def _vpc_cidr(s: Section) -> str:
    text = s.string("vpcCidr", DEFAULT_VPC_CIDR)
    try:
        network = ipaddress.IPv4Network(text)
    except ValueError:
        s.problems.add(s.key("vpcCidr"), f"{text!r} is not an IPv4 network in CIDR form such as 10.100.0.0/16 (host bits must be zero).")
        return DEFAULT_VPC_CIDR
    if not 16 <= network.prefixlen <= 20:
        s.problems.add(
            s.key("vpcCidr"),
            f"{text!r} is a /{network.prefixlen} (allowed: /16 to /20). Pods take VPC addresses with the VPC CNI, so the VPC must be large.",
        )
        return DEFAULT_VPC_CIDR
    if network.overlaps(ipaddress.IPv4Network(SERVICE_CIDR)):
        s.problems.add(s.key("vpcCidr"), f"{text!r} overlaps the cluster's Service range {SERVICE_CIDR}; choose a range in 10.0.0.0/8.")
        return DEFAULT_VPC_CIDR
    return text


# -- compatibility and cost rules ------------------------------------------------------------------
def eks_version(settings: Settings[AwsSettings]) -> str:
    """The EKS minor the cluster runs (EKS picks the patch release)."""
    version = required(settings.cluster.kubernetes_version, "gitpod:cluster.kubernetesVersion")
    return compat.minor(version) or version


def rules(settings: Settings[AwsSettings], add: Add) -> None:
    aws = settings.cloud_settings
    _support(settings, aws, add)
    _node_image_rules(settings, aws, add)
    _autoscaler_rules(eks_version(settings), add)
    if aws.ubuntu_release != "22.04":
        add(
            "untested",
            "gitpod:aws.ubuntuRelease",
            f"Ubuntu {aws.ubuntu_release} EKS images run a kernel newer than Gitpod's tested range (5.4 to 5.15; 24.04 ships 6.8 "
            "or later). It may work: the installer only requires >= 5.4, fsShiftMethod 'fuse' needs no out-of-tree module, and "
            "the workspace nodes turn off the AppArmor user-namespace restriction Ubuntu enables since 24.04.",
        )
    if not aws.calico:
        add(
            "untested",
            "gitpod:aws.calico",
            "Gitpod was tested with Calico network policy. With calico false the program turns on the VPC CNI's own network "
            "policy engine instead, so the NetworkPolicies Gitpod installs are still enforced, but Gitpod did not test it.",
        )
    _database(settings, add)
    _registry(settings, add)
    _dns(settings, add)
    _api_access(aws, add)


def _api_access(aws: AwsSettings, add: Add) -> None:
    if aws.private_endpoint and aws.public_access_cidrs and not open_to_internet(aws.public_access_cidrs):
        add(
            "hard",
            "gitpod:aws.publicAccessCidrs",
            "is set while gitpod:aws.privateEndpoint is true, which turns the public endpoint these ranges guard off "
            "(EKS applies publicAccessCidrs to the public endpoint only). Fix: remove publicAccessCidrs, or set "
            "privateEndpoint to false.",
        )
        return
    api_exposure(
        add,
        ranges=aws.public_access_cidrs,
        ranges_key="gitpod:aws.publicAccessCidrs",
        private=aws.private_endpoint,
        private_key="gitpod:aws.privateEndpoint",
        cluster="EKS",
    )


def published_pairs() -> list[str]:
    """Every (release, minor) Canonical publishes, as `24.04/1.35` (for messages)."""
    return [f"{release}/{minor}" for release, info in UBUNTU_EKS.items() for minor in info.minors]


def _node_image_rules(settings: Settings[AwsSettings], aws: AwsSettings, add: Add) -> None:
    """Refuse an image lookup Canonical cannot answer, before anything is created."""
    version = eks_version(settings)
    if is_ami_id(aws.node_image):
        add(
            "advice",
            "gitpod:aws.nodeImage",
            f"pins {aws.node_image}: the program cannot check that it is an Ubuntu EKS image for Kubernetes {version}. Change it "
            "together with gitpod:cluster.kubernetesVersion (the kubelet comes with the image).",
        )
        return
    newest = max((m for info in UBUNTU_EKS.values() for m in info.minors), key=lambda v: compat.parse_version(v) or (0, 0))
    parsed, newest_parsed = compat.parse_version(version), compat.parse_version(newest)
    if parsed is not None and newest_parsed is not None and parsed > newest_parsed:
        return  # newer than Canonical's table: the calendar finding says to check; the lookup decides
    if version not in UBUNTU_EKS[aws.ubuntu_release].minors:
        add(
            "hard",
            "gitpod:aws.ubuntuRelease",
            f"Canonical publishes no Ubuntu {aws.ubuntu_release} EKS image for Kubernetes {version} (Canonical's table as of "
            f"{UBUNTU_EKS_AS_OF:%d %b %Y}; release/minor pairs: {', '.join(published_pairs())}). Fix: choose a release published "
            "for gitpod:cluster.kubernetesVersion, or pin gitpod:aws.nodeImage to an AMI id.",
        )


def _autoscaler_rules(version: str, add: Add) -> None:
    """A minor newer than the autoscaler table gets the newest known chart: say so."""
    from .autoscaler import CHARTS, CHARTS_AS_OF, chart_for

    if version in CHARTS:
        return
    try:
        chart = chart_for(version)
    except ValueError:
        return  # older than every chart: the EKS calendar rule already refuses the minor
    add(
        "advice",
        "gitpod:cluster.kubernetesVersion",
        f"the program knows cluster-autoscaler charts up to Kubernetes {max(CHARTS, key=lambda m: compat.parse_version(m) or (0, 0))} "
        f"(as of {CHARTS_AS_OF:%d %b %Y}), so it installs chart {chart.version} (autoscaler {chart.app_version}) on "
        f"{version}; the autoscaler should match the cluster's minor: check kubernetes/autoscaler for a newer chart.",
    )


def _support(settings: Settings[AwsSettings], aws: AwsSettings, add: Add) -> None:
    key = "gitpod:cluster.kubernetesVersion"
    version = eks_version(settings)
    now = today()
    dates = EKS_CALENDAR.get(version)
    parsed = compat.parse_version(version)
    newest = max(EKS_CALENDAR, key=lambda v: compat.parse_version(v) or (0, 0))
    if dates is None:
        if parsed is not None and parsed < (compat.parse_version(min(EKS_CALENDAR)) or (0, 0)):
            add("hard", key, f"EKS no longer creates clusters on Kubernetes {version}. Fix: use {DEFAULT_KUBERNETES_VERSION}.")
        else:
            add(
                "advice",
                key,
                f"Kubernetes {version} is newer than this program's EKS calendar (newest {newest}); check that EKS offers it "
                "(aws eks describe-cluster-versions) and that Canonical publishes an Ubuntu EKS image for it.",
            )
        return
    standard_end, extended_end = dates
    if now >= extended_end:
        add(
            "hard",
            key,
            f"EKS extended support for Kubernetes {version} ended on {extended_end:%d %b %Y}; EKS no longer creates it. "
            f"Fix: use {DEFAULT_KUBERNETES_VERSION}.",
        )
    elif now >= standard_end:
        if aws.support_type == "STANDARD":
            add(
                "hard",
                "gitpod:aws.supportType",
                f"'STANDARD' cannot run Kubernetes {version}: it left EKS standard support on {standard_end:%d %b %Y}, and STANDARD "
                f"means EKS upgrades the cluster at that point. Fix: use kubernetesVersion {DEFAULT_KUBERNETES_VERSION}, or set "
                f"supportType EXTENDED and accept extended-support billing ({EXTENDED_COST}) until {extended_end:%d %b %Y}.",
            )
        else:
            add(
                "advice",
                key,
                f"Kubernetes {version} is in EKS extended support: the control plane costs {EXTENDED_COST}, until "
                f"{extended_end:%d %b %Y}, when EKS upgrades it automatically. {DEFAULT_KUBERNETES_VERSION} is in standard support.",
            )
    elif (standard_end - now).days <= NOTICE_DAYS:
        then = (
            "EKS then upgrades the control plane to the next minor automatically (supportType STANDARD)"
            if aws.support_type == "STANDARD"
            else f"the cluster then stays on {version} in extended support ({EXTENDED_COST}; supportType EXTENDED)"
        )
        add(
            "advice",
            key,
            f"EKS standard support for Kubernetes {version} ends on {standard_end:%d %b %Y} ({(standard_end - now).days} days); {then}. "
            f"Consider {newest}.",
        )
    elif aws.support_type == "EXTENDED":
        add(
            "advice",
            "gitpod:aws.supportType",
            f"'EXTENDED': when standard support for {version} ends on {standard_end:%d %b %Y}, the cluster stays on it and the "
            f"control plane costs {EXTENDED_COST}, until you upgrade.",
        )


def _database(settings: Settings[AwsSettings], add: Add) -> None:
    db = settings.database
    if db.mode != "managed":
        return
    if db.instance_size is not None and not db.instance_size.startswith("db."):
        add("hard", "gitpod:database.instanceSize", f"{db.instance_size!r} is not an RDS instance class; use e.g. {DEFAULT_DB_INSTANCE}.")
    region = settings.cloud_settings.region
    if db.ca_cert is None and db.require_tls is None:
        # Only here when the shipped roots (`dbtls.RDS`) have none for the region (a default would
        # make every Gitpod client fail to verify the server); `requireTls: true` without a CA is
        # refused by the generic rule.
        add(
            "hard",
            "gitpod:database.caCert",
            f"has no default in gitpod:aws.region {region!r}: the RDS roots shipped with the program (retrieved "
            f"{dbtls.RDS.retrieved}) have none for it, and Gitpod needs the region's CA to connect with TLS. Fix: give the "
            "region's bundle (AWS's list: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html; "
            f"commercial regions: https://truststore.pki.rds.amazonaws.com/{region}/{region}-bundle.pem), e.g. "
            '`pulumi config set --path gitpod:database.caCert -- "$(cat rds-ca.pem)"`; '
            "or set gitpod:database.requireTls to false to connect without TLS.",
        )
    if db.version == "5.7":
        add(
            "advice",
            "gitpod:database.version",
            f"RDS bills MySQL 5.7 Extended Support ($0.20 per vCPU-hour in its third year: about $292 per month for a "
            f"{DEFAULT_DB_INSTANCE}, twice that with Multi-AZ) and upgrades 5.7 instances to 8.0 itself after "
            f"{RDS_MYSQL57_END:%d %b %Y}. Plan the move to 8.0 (gitpod:database.version 8.0, see docs/aws.md) before then.",
        )
    elif db.version == "8.0" and today() >= RDS_MYSQL80_EXTENDED_FROM:
        add(
            "advice",
            "gitpod:database.version",
            f"RDS for MySQL 8.0 has been in paid RDS Extended Support since {RDS_MYSQL80_EXTENDED_FROM:%d %b %Y}; Gitpod 2022.11's "
            "database layer was only tested on 5.7, and this program offers no newer major.",
        )


def _registry(settings: Settings[AwsSettings], add: Add) -> None:
    reg = settings.registry
    if reg.kind == "s3" and reg.reuse_storage_bucket and settings.storage.mode == "incluster":
        add(
            "hard",
            "gitpod:registry.reuseStorageBucket",
            "needs a bucket to reuse, but gitpod:storage.mode is 'incluster'. Fix: set storage.mode 'managed' (an S3 bucket) "
            "or set reuseStorageBucket false (the registry gets its own bucket).",
        )


def _dns(settings: Settings[AwsSettings], add: Add) -> None:
    if settings.certificate.acme_dns01 != "route53":
        return
    zone, name = settings.certificate.zone, settings.dns_zone_name
    if settings.domain != name and not settings.domain.endswith("." + name):
        add(
            "hard",
            "gitpod:certificate.zone.name",
            f"{name!r} does not contain gitpod:domain {settings.domain!r}; the DNS-01 records for the domain must live in the zone. "
            "Fix: use the domain itself or one of its parents.",
        )
    if zone.existing_id is not None and not _ZONE_ID.fullmatch(zone.existing_id):
        add(
            "hard",
            "gitpod:certificate.zone.existingId",
            f"{zone.existing_id!r} is not a Route53 hosted zone id (e.g. Z0123456789ABCDEFGHIJ, without /hostedzone/).",
        )
    if zone.create and zone.existing_id is not None:
        add(
            "hard",
            "gitpod:certificate.zone.existingId",
            f"{zone.existing_id!r} is given while zone.create is true (the default), so it would be ignored and a new zone "
            "created. Fix: set zone.create false to use that zone, or remove existingId.",
        )
    if not zone.create and zone.existing_id is None:
        add(
            "hard",
            "gitpod:certificate.zone.create",
            "is false but no zone.existingId is given, so there is no zone to answer DNS-01 challenges in. "
            "Fix: set zone.existingId to your hosted zone's id, or zone.create true.",
        )
