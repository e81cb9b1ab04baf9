"""Apply Gitpod's compatibility table to validated settings.

Returns findings rather than raising, so the loader can report them with the other problems and
the plan can show warnings. The severity policy lives here and nowhere else:
hard requirements and documented unsupported combinations are errors; versions Gitpod did not
test are warnings, or errors under `gitpod:compatibility: strict`; advice is always a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from .. import clouds, dbtls
from .. import compatibility as compat
from ..installer import DEFAULT_REPOSITORY
from .model import Finding, Settings

#: Registry kinds whose pull secret the installer renders itself (`builtin-registry-auth`), so
#: base-image credentials can only be merged after render: the installer Job does it (job.sh,
#: `merge_registry_credentials`), or whoever runs the installer with `installer.deploy: false`.
INSTALLER_RENDERED_REGISTRY_AUTH: tuple[str, ...] = ("incluster", "s3")

Kind = Literal["hard", "unsupported", "untested", "advice"]
#: How a rule reports: `add(kind, key, message)`; `evaluate` turns kinds into severities.
Add = Callable[[Kind, str, str], None]


def evaluate(settings: Settings[Any]) -> list[Finding]:
    """Every finding about the settings: the shared rules, then the selected target's own."""
    findings: list[tuple[Kind, str, str]] = []

    def add(kind: Kind, key: str, message: str) -> None:
        findings.append((kind, key, message))

    offer = clouds.offer(settings.cloud)
    _cluster(settings, offer, add)
    _database(settings, add)
    _database_tls(settings, add)
    _registry_and_tls(settings, add)
    _installer(settings, offer, add)
    _without_effect(settings, offer, add)
    offer.rules(settings, add)

    strict = settings.compatibility == "strict"
    result: list[Finding] = []
    for kind, key, message in findings:
        if kind in ("hard", "unsupported") or (kind == "untested" and strict):
            suffix = " (gitpod:compatibility is 'strict'; set it to 'warn' to accept this.)" if kind == "untested" else ""
            result.append(Finding(key, message + suffix, "error"))
        else:
            result.append(Finding(key, message, "warning"))
    return result


def _cluster(s: Settings[Any], offer: clouds.CloudOffer[Any], add: Add) -> None:
    c = s.cluster
    if offer.cluster is not None and not c.kubernetes_version:
        # The cloud picks (GKE: the release channel's default). Every version a cloud creates
        # today is newer than Gitpod tested, so `strict` must refuse this as it refuses any other.
        add(
            "untested",
            "gitpod:cluster.kubernetesVersion",
            f"is not set, so {offer.cluster.distribution.upper()} picks the version (its release channel's default), and "
            f"every version it creates today is outside those Gitpod {compat.GITPOD_RELEASE} was tested on "
            f"({', '.join(compat.TESTED_KUBERNETES)}). It may still work: the installer only requires >= 1.21.",
        )
    if c.kubernetes_version:
        parsed = compat.parse_version(c.kubernetes_version)
        if parsed is not None and parsed < compat.MIN_KUBERNETES:
            add(
                "hard",
                "gitpod:cluster.kubernetesVersion",
                f"{c.kubernetes_version!r} is too old: the Gitpod {compat.GITPOD_RELEASE} installer requires Kubernetes >= 1.21.",
            )
        elif not compat.in_tested(c.kubernetes_version, compat.TESTED_KUBERNETES):
            add(
                "untested",
                "gitpod:cluster.kubernetesVersion",
                f"Kubernetes {c.kubernetes_version} is outside the versions Gitpod {compat.GITPOD_RELEASE} was tested on "
                f"({', '.join(compat.TESTED_KUBERNETES)}), which no managed cloud creates any more. It may still work: the "
                "installer only requires >= 1.21 and its default render uses GA APIs only.",
            )
    if c.kernel_version:
        parsed = compat.parse_version(c.kernel_version)
        if parsed is not None and parsed < compat.MIN_KERNEL:
            add(
                "hard",
                "gitpod:cluster.kernelVersion",
                f"{c.kernel_version!r} is too old: the installer requires a Linux kernel >= 5.4 on every node.",
            )
        elif parsed is not None and parsed > compat.TESTED_KERNEL[1]:
            add(
                "untested",
                "gitpod:cluster.kernelVersion",
                f"kernel {c.kernel_version} is newer than Gitpod's tested range (5.4 to 5.15, e.g. Ubuntu 22.04). It may "
                "work (the installer only requires >= 5.4, and fsShiftMethod 'fuse' needs no out-of-tree module).",
            )
    if c.container_runtime != compat.REQUIRED_RUNTIME:
        add(
            "hard",
            "gitpod:cluster.containerRuntime",
            f"{c.container_runtime!r} is not allowed: the installer requires containerd on every node.",
        )
    if c.containerd_version and not compat.in_tested(c.containerd_version, compat.TESTED_CONTAINERD):
        add(
            "untested",
            "gitpod:cluster.containerdVersion",
            f"containerd {c.containerd_version} is outside Gitpod's tested versions ({', '.join(compat.TESTED_CONTAINERD)}); "
            "current node images ship 1.7 or 2.x, which may work.",
        )
    if c.node_os and c.node_os not in compat.TESTED_OS:
        add(
            "untested",
            "gitpod:cluster.nodeOs",
            f"{c.node_os!r} is not one of the node operating systems Gitpod tested ({', '.join(compat.TESTED_OS)}).",
        )
    if c.cni and c.cni.lower() not in compat.TESTED_CNI:
        add(
            "untested",
            "gitpod:cluster.cni",
            f"{c.cni!r} is not the CNI Gitpod tested (Calico VXLAN). Workspaces rely on network policies, so make sure your CNI enforces them.",
        )


def _database(s: Settings[Any], add: Add) -> None:
    db = s.database
    if db.version not in compat.TESTED_MYSQL and db.mode != "incluster":
        add(
            "untested",
            "gitpod:database.version",
            f"MySQL {db.version} is outside what Gitpod {compat.GITPOD_RELEASE} was tested on (5.7). Later Gitpod "
            "releases moved to 8.0, and the program creates the user with mysql_native_password and "
            "explicit_defaults_for_timestamp OFF, which 2022.11's DB layer needs.",
        )
    if db.mode == "managed" and db.version == "5.7":
        add(
            "advice",
            "gitpod:database.version",
            "MySQL 5.7 is past community end of life; Cloud SQL, RDS and Azure still create it but bill extended support.",
        )
    if db.mode == "incluster":
        add(
            "advice",
            "gitpod:database.mode",
            "the 2022.11 installer's in-cluster MySQL uses a fixed, publicly known encryptionKeys value and passwords, "
            "and keeps data on one PersistentVolume. Fine for a lab; for production use 'managed' or 'external'.",
        )


#: Where a managed database's connections are already encrypted without a CA in the installer:
#: Cloud SQL through the Auth Proxy the installer deploys (the proxy speaks TLS to the instance).
_PROXY_TLS = ("gcp",)


def _database_tls(s: Settings[Any], add: Add) -> None:
    """TLS to the database needs a CA every Gitpod client can verify the server with.

    Gitpod 2022.11 connects with TLS only when installer `database.ssl.caCert` is set: every
    client then reads DB_CA_CERT (server, ws-manager-bridge, db-migrations and the service-waiter
    init containers through gitpod-db's config.ts or service-waiter/cmd/database.go; usage and
    public-api-server through gitpod-db/go/conn.go), and the session-init Job runs `mysql
    --ssl-mode=VERIFY_IDENTITY` (gitpod-io/gitpod@2022.11.3 install/installer/pkg/common/common.go
    `DatabaseEnv`, install/installer/pkg/components/database/init/job.go). Without a CA nothing
    encrypts, so a server requiring TLS would refuse every client.
    """
    db = s.database
    if db.ca_cert is not None:
        if db.mode != "managed":
            where = "gitpod:database.external.caCert" if db.mode == "external" else "a managed or external database"
            add("hard", "gitpod:database.caCert", f"is only used with mode 'managed', but mode is {db.mode!r}; use {where}.")
        elif s.cloud in _PROXY_TLS:
            add(
                "hard",
                "gitpod:database.caCert",
                "is not used on GKE: Gitpod reaches Cloud SQL through the Cloud SQL Auth Proxy, which encrypts the "
                "connection itself (the instance accepts encrypted connections only). Remove it.",
            )
        elif "-----BEGIN CERTIFICATE-----" not in db.ca_cert:
            add(
                "hard",
                "gitpod:database.caCert",
                "is not a PEM certificate bundle (no '-----BEGIN CERTIFICATE-----' line). Give the file's contents, e.g. "
                '`pulumi config set --path gitpod:database.caCert -- "$(cat ca.pem)"`; see docs/security.md.',
            )
    external_ca = db.external.ca_cert if db.external is not None else None
    for key, ca in (("gitpod:database.caCert", db.ca_cert), ("gitpod:database.external.caCert", external_ca)):
        # `NAME=value` and its terminating NUL count against the limit.
        if ca is not None and len(f"{dbtls.CA_ENV_VAR}={ca}".encode()) + 1 > dbtls.MAX_ENV_STRING:
            add(
                "hard",
                key,
                f"is {len(ca.encode())} bytes; Gitpod 2022.11 hands it to every client as the environment variable "
                f"{dbtls.CA_ENV_VAR}, and Linux refuses to start a process with an environment string over {dbtls.MAX_ENV_STRING} bytes "
                "(MAX_ARG_STRLEN), so no Gitpod pod would start. Fix: give only the roots your server's certificate chains to "
                "(for RDS the region's bundle, not global-bundle.pem; see docs/security.md).",
            )
    if db.require_tls:
        has_ca = (db.mode == "managed" and (db.ca_cert is not None or s.cloud in _PROXY_TLS)) or (
            db.mode == "external" and db.external is not None and db.external.ca_cert is not None
        )
        if not has_ca:
            fix = {
                "managed": 'set gitpod:database.caCert to the cloud\'s CA bundle (docs/security.md, "Database TLS")',
                "external": "set gitpod:database.external.caCert to the CA that signed the server's certificate",
                "incluster": "use a managed or external database; the installer's in-cluster MySQL has no TLS",
            }.get(db.mode, "give the database's CA")
            add(
                "hard",
                "gitpod:database.requireTls",
                f"true needs a CA Gitpod can verify the server with, and this {db.mode} database has none: Gitpod 2022.11 "
                f"connects with TLS only when it has one, so a server requiring TLS would refuse every client. Fix: {fix}, "
                "or set requireTls to false.",
            )
        elif db.mode == "external":
            add(
                "advice",
                "gitpod:database.requireTls",
                "true makes Gitpod connect with TLS (the CA is set), but the program does not manage your server: "
                "turn on require_secure_transport there yourself.",
            )


def _registry_and_tls(s: Settings[Any], add: Add) -> None:
    ext = s.registry.external
    if ext is not None and ext.product in ("artifactory", "nexus"):
        name = {"artifactory": "Artifactory", "nexus": "Sonatype Nexus"}[ext.product]
        add(
            "advice",
            "gitpod:registry.external.url",
            f"{name} has only 'limited support' in Gitpod's compatibility table: it does not create repositories on push, "
            f"so pre-create {ext.url}/base-images and {ext.url}/workspace-images (Docker V2, push enabled) before the first workspace starts.",
        )
    if ext is not None and ext.product == "google" and ext.username not in ("_json_key", "_json_key_base64", "oauth2accesstoken"):
        add(
            "advice",
            "gitpod:registry.external.username",
            f"{ext.username!r} is unusual for a Google registry: use '_json_key' with a service-account key (JSON, one line) as the password.",
        )
    if s.registry.reuse_storage_bucket and s.storage.mode == "external" and s.storage.provider != "s3":
        add(
            "hard",
            "gitpod:registry.reuseStorageBucket",
            f"needs an S3-compatible bucket, but gitpod:storage.external.provider is {s.storage.provider!r}; the registry's "
            "s3storage speaks only S3. Set reuseStorageBucket false and give the registry its own bucket (registry.s3).",
        )
    if s.registry.kind == "gcr":
        add(
            "advice",
            "gitpod:registry.kind",
            "Google Container Registry stopped accepting pushes on 18 Mar 2025; the program creates an Artifact "
            "Registry gcr.io repository, which serves the gcr.io host name.",
        )
    if s.certificate.issuer == "selfsigned":
        add(
            "advice",
            "gitpod:certificate.issuer",
            "with a self-signed CA, every workspace node's containerd and every user's browser must trust the CA before "
            "workspaces start; certificate.trustOnNodes (on by default outside GKE) installs it on the nodes, browsers "
            "need it by hand: see the README section 'Trusting the self-signed CA'.",
        )
    if s.certificate.issuer == "letsencrypt-staging":
        add(
            "advice",
            "gitpod:certificate.issuer",
            "Let's Encrypt staging certificates are not trusted by browsers or containerd; switch to 'letsencrypt' once DNS-01 works.",
        )


def _installer(s: Settings[Any], offer: clouds.CloudOffer[Any], add: Add) -> None:
    # Gitpod's Cloud SQL proxy is deployed exactly when the database is Cloud SQL.
    cloudsql = offer.cloud_sql_proxy and s.database.mode in offer.databases
    if s.installer.repository == DEFAULT_REPOSITORY:
        proxy = (
            f", and the Cloud SQL proxy from {compat.CLOUDSQL_PROXY_IMAGE}, which installer.repository does not redirect"
            if cloudsql
            else ""
        )
        add(
            "advice",
            "gitpod:installer.repository",
            "Gitpod 2022.11 pulls its images from eu.gcr.io/gitpod-core-dev/build and third-party images from "
            f"docker.io/bitnami (moved to bitnamilegacy in 2025){proxy}; if a pull fails, mirror them and set installer.repository.",
        )
    elif cloudsql:
        add(
            "advice",
            "gitpod:installer.repository",
            f"does not redirect the Cloud SQL proxy image {compat.CLOUDSQL_PROXY_IMAGE}: the 2022.11 installer hard-codes it, "
            "so the nodes still pull it from b.gcr.io. Without access to b.gcr.io, mirror it and rewrite the image of the "
            "cloudsqlproxy Deployment the installer renders (docs/bring-your-own.md, 'Air-gapped installs').",
        )
    if s.installer.deploy and s.installer.repository != DEFAULT_REPOSITORY and not s.installer.image_pull_secrets:
        # A public or node-authenticated mirror needs no credentials, so this is only advice.
        add(
            "advice",
            "gitpod:installer.imagePullSecrets",
            f"is empty while installer.repository is the mirror {s.installer.repository!r}: the installer Job and Gitpod pull "
            "from it without credentials. If it is private, set installer.imagePullSecrets, or the Job's pod stays in "
            "ImagePullBackOff and `pulumi up` fails when it times out.",
        )
    if s.installer.fs_shift_method == "shiftfs":
        add(
            "advice",
            "gitpod:installer.fsShiftMethod",
            "shiftfs is an out-of-tree Ubuntu kernel module that is missing from many current kernels; 'fuse' is the 2022.11 default.",
        )
    if s.installer.block_new_users is None:
        add(
            "advice",
            "gitpod:installer.blockNewUsers",
            "is not set, so anyone with an account at a connected source-control host (gitpod:authProviders, or one an admin "
            "adds later) can sign up and run workspaces. Limit sign-ups to your e-mail domains: "
            "pulumi config set --path installer.blockNewUsers.enabled true && "
            "pulumi config set --path 'installer.blockNewUsers.passlist[0]' example.com (or set enabled false to accept this).",
        )
    if s.installer.base_image_registries and s.registry.kind in INSTALLER_RENDERED_REGISTRY_AUTH and not s.installer.deploy:
        # A warning, not an error: the Secret and the allow list are still right, and whoever runs
        # the installer (render, apply) can run the one step the Job would have run before applying.
        add(
            "advice",
            "gitpod:installer.baseImageRegistries",
            f"with gitpod:registry.kind {s.registry.kind!r} the installer renders the registry's pull secret "
            "(builtin-registry-auth), and with installer.deploy false no installer Job merges these credentials into "
            "it: after `gitpod-installer render`, merge the .dockerconfigjson of Secret custom-registry-credentials "
            "into the .dockerconfigjson of the rendered Secret builtin-registry-auth, the rendered entries winning "
            "(docs/configuration.md, 'Private base images'), or Gitpod's image builder, which pulls with that Secret, "
            "cannot pull base images from these registries.",
        )
    http_proxy = s.installer.http_proxy
    if http_proxy is not None and not getattr(s.cloud_settings, "cluster_cidrs", ()) and not any("/" in e for e in http_proxy.no_proxy):
        add(
            "advice",
            "gitpod:installer.httpProxy.noProxy",
            "lists no CIDR, and on an existing cluster the program does not know the pod and Service ranges: add both "
            "(e.g. 10.42.0.0/16 and 10.43.0.0/16 on K3s) so Gitpod's components reach each other without the proxy.",
        )


#: `gitpod:database` keys that size and protect the database the program creates (mode `managed`).
MANAGED_DATABASE_KEYS = ("highAvailability", "deletionProtection", "backupRetentionDays", "instanceSize")


def _without_effect(s: Settings[Any], offer: clouds.CloudOffer[Any], add: Add) -> None:
    """Keys the stack sets that change nothing where they are: say so, and why, instead of
    letting them look effective."""
    db = s.database
    if db.mode != "managed":
        instead = {
            "incluster": "the installer's in-cluster MySQL is one pod on one PersistentVolume, with none of these options",
            "external": "your own MySQL is sized, replicated, backed up and protected where it runs",
        }[db.mode]
        for key in MANAGED_DATABASE_KEYS:
            if f"gitpod:database.{key}" in s.given:
                add(
                    "advice",
                    f"gitpod:database.{key}",
                    f"has no effect with database.mode {db.mode!r}: it applies to the database the program creates "
                    f"(mode 'managed'), and {instead}. Remove it, or set database.mode to 'managed'.",
                )
    if db.mode == "incluster" and "gitpod:database.version" in s.given:
        add(
            "advice",
            "gitpod:database.version",
            f"has no effect with database.mode 'incluster': the Gitpod {compat.GITPOD_RELEASE} installer always runs "
            f"MySQL {compat.INCLUSTER_MYSQL} in the cluster. Remove it, or use 'managed' or 'external' for another version.",
        )

    cert = s.certificate
    zone_keys = sorted(k for k in s.given if k.startswith("gitpod:certificate.zone."))
    if not cert.issuer.startswith("letsencrypt"):
        why = f"issuer is {cert.issuer!r}: only the letsencrypt issuers answer DNS-01 challenges in a zone"
    elif cert.dns01 not in offer.dns01:
        why = (
            f"dns01 is {cert.dns01!r}: the program neither creates nor looks up a {cert.dns01} zone (the API token "
            "reaches every zone it may edit)"
        )
    else:
        why = ""
        if "gitpod:certificate.zone.name" in s.given and not cert.zone.create:
            add(
                "advice",
                "gitpod:certificate.zone.name",
                "has no effect with zone.create false: the program uses the existing zone (zone.existingId) under its own name. Remove it.",
            )
    if why:
        for key in zone_keys:
            add("advice", key, f"has no effect: {why}. Remove it.")

    unread = [k for k in s.other_config_keys if k.split(":", 1)[0] not in offer.provider_config]
    if unread:
        add(
            "advice",
            ", ".join(unread),
            "not read by this program: it reads only gitpod:* settings, and creates its cloud and Kubernetes providers "
            "from them (e.g. the AWS region from gitpod:aws.region), so these keys change nothing. Remove them, or set "
            "the gitpod: setting that does what you meant.",
        )
