"""`GitpodReferenceArchitecture`: the whole stack as one component, for programs in any language.

Its args are the stack settings (`docs/configuration.md`), as typed objects instead of `gitpod:*`
config keys, and its outputs are the stack outputs. It runs the program's own code: the args go
through the same validation (`settings.load_settings`) and the same `architecture.build`, with the
component as the parent of everything. The program itself keeps building at the stack root, so
the URNs of existing stacks do not change.

This module deliberately has no `from __future__ import annotations`: the Pulumi SDK's schema
analyzer (`pulumi.provider.experimental.analyzer`) reads the annotations at run time and cannot
resolve string annotations. Every type here is one the analyzer models: `TypedDict`s (the provider
hands nested objects over as dicts), `str`/`int`/`bool`, lists, `dict[str, Any]`, `Input`/`Output`.
Plain (non-`Input`) settings are marked plain in the schema, so SDKs in other languages ask for
values known when the program runs: settings decide which resources exist. Only credentials
(`password`, `accessKeyId`, `secretAccessKey`, `apiToken`, `tlsKey`, `clientSecret`) may be Outputs.
"""

import inspect
import typing
from collections.abc import Mapping
from typing import Any, TypedDict

import pulumi
from pulumi.provider.experimental.util import camel_case
from typing_extensions import Required  # typing.Required is 3.11+; typing-extensions comes with pulumi

from .architecture import build
from .settings import SettingsError, load_settings
from .settings.reader import NAMESPACE, ConfigSource

TYPE = "gitpod:index:GitpodReferenceArchitecture"


class NodePoolOptions(TypedDict, total=False):
    """One node pool (`gitpod:cluster.nodePools.<pool>`); defaults per cloud in docs/configuration.md."""

    machine_type: str
    """Machine type / instance type / VM size."""
    min_nodes: int
    """Autoscaling lower bound."""
    max_nodes: int
    """Autoscaling upper bound (at least `minNodes`)."""
    disk_size_gb: int
    """Boot disk size in GB."""


class NodePoolsOptions(TypedDict, total=False):
    """The three pools of a managed cluster (`gitpod:cluster.nodePools`)."""

    services: NodePoolOptions
    """Pool for Gitpod's services."""
    regular_workspaces: NodePoolOptions
    """Pool for regular workspaces."""
    headless_workspaces: NodePoolOptions
    """Pool for prebuilds and image builds."""


class MaintenanceExclusionOptions(TypedDict, total=False):
    """A period without automatic upgrades (`gitpod:cluster.maintenance.exclusions[]`)."""

    name: str
    """1-40 lower-case letters, digits and hyphens."""
    start: str
    """First day, `YYYY-MM-DD` (UTC)."""
    end: str
    """Last day, `YYYY-MM-DD` (UTC, inclusive)."""


class MaintenanceOptions(TypedDict, total=False):
    """The weekly maintenance window, GKE and AKS only (`gitpod:cluster.maintenance`)."""

    day: str
    """Week day the window opens on (default `Sunday`)."""
    start_time: str
    """`HH:MM` UTC (default `00:00`)."""
    duration_hours: int
    """4-24 hours (default 12)."""
    exclusions: list[MaintenanceExclusionOptions]
    """Periods with no automatic upgrades."""


class ClusterOptions(TypedDict, total=False):
    """The cluster: an existing one reached by kubeconfig, or a managed one (`gitpod:cluster`)."""

    name: str
    """Base name of the cluster and derived cloud resources (default `gitpod`)."""
    kubernetes_version: str
    """Managed: the version to create; existing: the version it runs (for the compatibility check)."""
    kubeconfig: str
    """Existing: path to the kubeconfig (default `$KUBECONFIG` or `~/.kube/config`)."""
    context: str
    """Existing: kubeconfig context (default: its current context)."""
    distribution: str
    """Existing: `generic` or `k3s` (default `generic`)."""
    label_nodes: list[str]
    """Existing: nodes to give every Gitpod workload label."""
    kernel_version: str
    """Existing: node kernel, for the compatibility check."""
    containerd_version: str
    """Existing: node containerd, for the compatibility check."""
    container_runtime: str
    """Existing: must be `containerd` (the default)."""
    node_os: str
    """Existing: e.g. `ubuntu-22.04`, for the compatibility check."""
    cni: str
    """Existing: e.g. `calico`, for the compatibility check."""
    mode: str
    """GCP: `standard` (`autopilot` is refused)."""
    datapath: str
    """GCP: `legacy` (`dataplane-v2` is refused)."""
    node_pools: NodePoolsOptions
    """Managed: the three node pools."""
    maintenance: MaintenanceOptions
    """GCP, Azure: the maintenance window."""


class ExternalDatabaseOptions(TypedDict, total=False):
    """Your own MySQL (`gitpod:database.external`)."""

    host: str
    """Host name, no scheme (required)."""
    port: int
    """Port (default 3306)."""
    username: str
    """User (default `gitpod`)."""
    password: pulumi.Input[str]
    """Password (required; may be a secret Output; always stored as a secret)."""
    ca_cert: str
    """PEM CA for TLS to the database."""
    encryption_key: pulumi.Input[str]
    """The existing installation's database encryption key (base64 of 32 bytes, or its `encryptionKeys` list)."""


class DatabaseOptions(TypedDict, total=False):
    """Gitpod's MySQL (`gitpod:database`)."""

    mode: str
    """`incluster` (default), `managed` (the cloud's MySQL) or `external`."""
    version: str
    """`5.7` (default) or `8.0`."""
    high_availability: bool
    """Managed: a standby in another zone (default false)."""
    deletion_protection: bool
    """Managed: the cloud refuses to delete the instance (default true)."""
    backup_retention_days: int
    """Managed: automated backups kept, 1-35 (default 7)."""
    instance_size: str
    """Managed: tier / instance class / SKU (default per cloud)."""
    external: ExternalDatabaseOptions
    """With mode `external`: how to reach it."""
    ca_cert: str
    """PEM root CAs of the managed server's certificate; Gitpod connects with TLS (default on AWS and Azure: the roots the package ships)."""
    require_tls: bool
    """Require TLS on the managed server (default: true when there is a CA)."""


class S3BucketOptions(TypedDict, total=False):
    """An S3-compatible bucket (`gitpod:storage.external`, `gitpod:registry.s3`)."""

    endpoint: str
    """Host without scheme, e.g. `s3.eu-west-1.amazonaws.com` (required)."""
    bucket: str
    """Bucket name (required)."""
    region: str
    """Region (required)."""
    access_key_id: pulumi.Input[str]
    """Access key id (required; may be a secret Output; always stored as a secret)."""
    secret_access_key: pulumi.Input[str]
    """Secret access key (required; may be a secret Output; always stored as a secret)."""


class ExternalStorageOptions(TypedDict, total=False):
    """Any S3-compatible endpoint for workspace content (`gitpod:storage.external`).

    The fields of `S3BucketOptions` are repeated, not inherited: the analyzer reads a field's
    docstring from the class that declares the field being analyzed only.
    """

    endpoint: str
    """Host without scheme, e.g. `s3.eu-west-1.amazonaws.com` (required)."""
    bucket: str
    """Bucket name (required)."""
    region: str
    """Region; also the installer's `metadata.region` (required)."""
    access_key_id: pulumi.Input[str]
    """Access key id (required; may be a secret Output; always stored as a secret)."""
    secret_access_key: pulumi.Input[str]
    """Secret access key (required; may be a secret Output; always stored as a secret)."""
    allow_insecure_connection: bool
    """Plain HTTP to the endpoint, for lab MinIO only (default false)."""
    provider: str
    """`s3` (default), `gcs` or `azure`: which kind of bucket `external` is."""
    project: str
    """With `gcs`: the Google Cloud project."""
    service_account_key: pulumi.Input[str]
    """With `gcs`: a service-account key JSON with roles/storage.admin on the project."""
    account_name: str
    """With `azure`: the storage account's name."""
    account_key: pulumi.Input[str]
    """With `azure`: the storage account's key."""


class StorageOptions(TypedDict, total=False):
    """Object storage for workspace content and backups (`gitpod:storage`)."""

    mode: str
    """`incluster` (default), `managed` or `external`."""
    external: ExternalStorageOptions
    """With mode `external`: the bucket."""


class ExternalRegistryOptions(TypedDict, total=False):
    """Any Docker Registry HTTP API V2 registry (`gitpod:registry.external`)."""

    url: str
    """Repository prefix Gitpod pushes under, no scheme (required)."""
    server: str
    """Host the credentials are for (default: the host part of `url`)."""
    username: str
    """Registry user (required)."""
    password: pulumi.Input[str]
    """Password or token with push rights (required; may be a secret Output; always stored as a secret)."""
    product: str
    """`generic`, `artifactory`, `nexus` or `google` (default: detected from `url`)."""


class RegistryOptions(TypedDict, total=False):
    """Where workspace images are pushed (`gitpod:registry`)."""

    kind: str
    """`incluster` (default), `artifact-registry`, `gcr`, `acr`, `s3` or `external`."""
    external: ExternalRegistryOptions
    """With kind `external`: the registry."""
    reuse_storage_bucket: bool
    """Kind `s3`: keep images in the object-storage bucket (default false)."""
    s3: S3BucketOptions
    """Kind `s3` outside AWS: the bucket for the registry's blobs."""


class CloudflareOptions(TypedDict, total=False):
    """Cloudflare DNS-01 (`gitpod:certificate.cloudflare`)."""

    api_token: pulumi.Input[str]
    """API token with Zone:DNS:Edit (required; may be a secret Output; always stored as a secret)."""


class ExistingCertificateOptions(TypedDict, total=False):
    """A certificate you already have (`gitpod:certificate.existing`)."""

    tls_cert: str
    """PEM chain covering `<domain>`, `*.<domain>`, `*.ws.<domain>` (required)."""
    tls_key: pulumi.Input[str]
    """PEM private key (required; may be a secret Output; always stored as a secret)."""
    ca_cert: str
    """PEM CA when the certificate is privately issued."""


class DnsZoneOptions(TypedDict, total=False):
    """The public DNS zone on a cloud (`gitpod:certificate.zone`)."""

    create: bool
    """Create the zone (default true; protected)."""
    name: str
    """Zone name when it is a parent of the domain (default: the domain)."""
    existing_id: str
    """With `create: false`: the existing zone's id or name."""
    records: bool
    """Publish `<domain>`, `*.<domain>` and `*.ws.<domain>` with external-dns (default: when a zone answers DNS-01)."""


class IssuerRefOptions(TypedDict, total=False):
    """An Issuer or ClusterIssuer you already run (`certificate.issuerRef`)."""

    name: str
    """Its name."""
    kind: str
    """`ClusterIssuer` (default) or `Issuer`."""


class CertificateOptions(TypedDict, total=False):
    """Gitpod's TLS certificate (`gitpod:certificate`)."""

    issuer: str
    """`selfsigned` (default on existing clusters), `letsencrypt` (default on clouds), `letsencrypt-staging` or `existing`."""
    dns01: str
    """DNS-01 provider: `clouddns`, `route53`, `azuredns` (cloud defaults) or `cloudflare`."""
    email: str
    """ACME account e-mail."""
    secret_name: str
    """TLS Secret name (default `https-certificates`)."""
    cloudflare: CloudflareOptions
    """With dns01 `cloudflare`: the token."""
    existing: ExistingCertificateOptions
    """With issuer `existing`: the PEM material."""
    zone: DnsZoneOptions
    """Clouds: the public zone."""
    trust_on_nodes: bool
    """Install a private CA on the workspace nodes (default: when the CA is private, except on GKE)."""
    issuer_ref: IssuerRefOptions
    """Use your own issuer instead of the program's."""


class CertManagerOptions(TypedDict, total=False):
    """The cert-manager install (`gitpod:certManager`)."""

    version: str
    """Chart version, pinned (default `v1.21.1`)."""
    chart: str
    """Chart reference (default jetstack's OCI chart)."""
    namespace: str
    """Namespace cert-manager runs in (default `cert-manager`)."""
    image_repository: str
    """Mirror prefix for cert-manager's images (default `quay.io/jetstack`)."""


class ImagePullSecretOptions(TypedDict, total=False):
    """Credentials for one registry mirror of Gitpod's images (`gitpod:installer.imagePullSecrets[]`)."""

    server: str
    """Registry host (required)."""
    username: str
    """User (required)."""
    password: pulumi.Input[str]
    """Password (required; may be a secret Output; always stored as a secret)."""


class BlockNewUsersOptions(TypedDict, total=False):
    """Only e-mail domains in `passlist` may sign up (`installer.blockNewUsers`)."""

    enabled: bool
    """Block sign-ups outside the passlist."""
    passlist: list[str]
    """E-mail domains that may still sign up (at least one when enabled)."""


class HttpProxyOptions(TypedDict, total=False):
    """The HTTP(S) proxy Gitpod's components use (`installer.httpProxy`)."""

    http_proxy: pulumi.Input[str]
    """Proxy URL for HTTP."""
    https_proxy: pulumi.Input[str]
    """Proxy URL for HTTPS (default: `http_proxy`)."""
    no_proxy: list[str]
    """Extra hosts and ranges reached directly (the cluster's own are always added)."""


class ProxyServiceOptions(TypedDict, total=False):
    """Gitpod's `proxy` Service (`installer.proxyService`)."""

    type: str
    """`LoadBalancer` (default), `NodePort` or `ClusterIP`."""
    annotations: dict[str, str]
    """Annotations, e.g. for an internal load balancer."""


class InstallerOptions(TypedDict, total=False):
    """Options of the Gitpod installer config (`gitpod:installer`)."""

    repository: str
    """Where Gitpod's images are pulled from (default `eu.gcr.io/gitpod-core-dev/build`)."""
    region: str
    """Installer `metadata.region` (default: the storage's region)."""
    log_level: str
    """`trace` ... `panic` (default `info`)."""
    fs_shift_method: str
    """`fuse` (default) or `shiftfs`."""
    containerd_runtime_dir: str
    """Override of `workspace.runtime.containerdRuntimeDir` (absolute path)."""
    containerd_socket: str
    """Override of `workspace.runtime.containerdSocket` (absolute path)."""
    image_pull_secrets: list[ImagePullSecretOptions]
    """Credentials for pulling from the `repository` mirror."""
    deploy: bool
    """Run the installer in the cluster (default true); false stops at the config and Secrets."""
    block_new_users: BlockNewUsersOptions
    """Limit sign-ups to e-mail domains."""
    open_vsx_url: str
    """The Open VSX registry (default https://open-vsx.org)."""
    workspace: dict[str, Any]
    """Workspace `requests`, `limits`, timeouts and PVCs, keys as in docs/configuration.md."""
    ssh_gateway: bool
    """Enable the SSH gateway with a generated host key."""
    http_proxy: HttpProxyOptions
    """The HTTP(S) proxy Gitpod's components use."""
    license: pulumi.Input[str]
    """A Gitpod license key."""
    base_image_registries: list[ImagePullSecretOptions]
    """Credentials for private workspace base images."""
    drop_image_repo: bool
    """For mirrors that flatten image paths."""
    proxy_service: ProxyServiceOptions
    """Gitpod's `proxy` Service type and annotations."""
    config_patch: dict[str, Any]
    """Deep-merged over the generated config (managed blocks refused)."""
    customization: list[dict[str, Any]]
    """The installer's `customization` list."""


class AuthProviderOptions(TypedDict, total=False):
    """An OAuth app users sign in with (`gitpod:authProviders[]`)."""

    type: str
    """`GitHub` (default), `GitLab`, `Bitbucket` or `BitbucketServer`."""
    host: str
    """Host of the source-control system (default by type)."""
    id: str
    """Gitpod's identifier for it (default: the host)."""
    client_id: str
    """OAuth client id (required)."""
    client_secret: pulumi.Input[str]
    """OAuth client secret (required; may be a secret Output; always stored as a secret)."""


class GitpodReferenceArchitectureArgs(TypedDict, total=False):
    """The stack settings as one object: each field is the `gitpod:` config key of the same name
    (docs/configuration.md, docs/<cloud>.md), with the same defaults and the same validation."""

    domain: Required[str]
    """Gitpod's domain; Gitpod serves `<domain>`, `*.<domain>` and `*.ws.<domain>`."""
    cloud: str
    """`existing` (default), `gcp`, `aws` or `azure`."""
    compatibility: str
    """`warn` (default) or `strict`: whether untested versions are warnings or errors."""
    namespace: str
    """Kubernetes namespace Gitpod is installed into (default `gitpod`)."""
    protect: bool
    """Protect stateful resources from deletion (default true)."""
    cluster: ClusterOptions
    """The cluster."""
    database: DatabaseOptions
    """Gitpod's MySQL."""
    storage: StorageOptions
    """Object storage."""
    registry: RegistryOptions
    """The container registry."""
    certificate: CertificateOptions
    """The TLS certificate."""
    cert_manager: CertManagerOptions
    """The cert-manager install."""
    installer: InstallerOptions
    """Installer config options."""
    auth_providers: list[AuthProviderOptions]
    """OAuth apps users sign in with."""
    gcp: dict[str, Any]
    """With cloud `gcp`: the `gitpod:gcp` object, keys as in docs/gcp.md (e.g. `project`, `region`)."""
    aws: dict[str, Any]
    """With cloud `aws`: the `gitpod:aws` object, keys as in docs/aws.md (e.g. `region`)."""
    azure: dict[str, Any]
    """With cloud `azure`: the `gitpod:azure` object, keys as in docs/azure.md (e.g. `location`)."""


class GitpodReferenceArchitecture(pulumi.ComponentResource):
    """Gitpod Self-Hosted 2022.11's reference architecture: the cluster (existing, GKE, EKS or
    AKS), MySQL, object storage, registry, cert-manager with Gitpod's certificate, and the
    installer's config and Secrets, and (with `installer.deploy`, the default) the installer Job
    that releases Gitpod."""

    installer_config: pulumi.Output[str]
    """The installer's `gitpod.config.yaml` (it names Secrets; it holds no secret value)."""
    namespace: pulumi.Output[str]
    """Namespace to run the installer against."""
    certificate_secret: pulumi.Output[str]
    """TLS Secret holding the certificate for the three names."""
    issuer: pulumi.Output[str]
    """cert-manager issuer that signs it."""
    warnings: pulumi.Output[list[str]]
    """Compatibility warnings and advice for these settings."""
    kubeconfig: pulumi.Output[str] | None
    """Managed clusters only: a kubeconfig for the new cluster (secret)."""
    name_servers: pulumi.Output[list[str]] | None
    """When a DNS zone is created: the name servers to delegate the domain to."""
    oauth_callback_urls: pulumi.Output[dict[str, str]] | None
    """With `authProviders`: provider id -> the callback URL to register with its OAuth app."""
    url: pulumi.Output[str]
    """Where users open Gitpod: `https://<domain>`."""
    registry_url: pulumi.Output[str]
    """The repository prefix Gitpod pushes workspace images under."""
    registry_server: pulumi.Output[str]
    """The host that registry's credentials are for (differs from `registryUrl` on Google registries)."""
    cluster_name: pulumi.Output[str] | None
    """Managed clusters: the GKE, EKS or AKS cluster's name."""
    database_host: pulumi.Output[str] | None
    """With a MySQL reached by host (RDS, Azure Flexible Server, `external`): its host name."""
    database_instance: pulumi.Output[str] | None
    """With Cloud SQL: the connection name `<project>:<region>:<instance>` the proxy uses."""
    storage_bucket: pulumi.Output[str] | None
    """With an S3 bucket (AWS `managed`, `external`): the bucket for workspace content."""
    storage_account: pulumi.Output[str] | None
    """With Azure Blob storage: the storage account."""
    registry_bucket: pulumi.Output[str] | None
    """With the installer's registry on S3 (`registry.kind: s3`): its bucket."""
    node_image: pulumi.Output[dict[str, Any]] | None
    """EKS: the node image (`parameter`, `amiId`, `latestAmiId`)."""
    installer_job: pulumi.Output[str] | None
    """With `installer.deploy` (the default): the installer Job that released Gitpod."""
    installer_log: pulumi.Output[str] | None
    """With `installer.deploy`: the command that prints the installer Job's log."""
    key_created: pulumi.Output[dict[str, str]] | None
    """Keys Gitpod 2022.11 forces (GCP service-account keys, AWS access keys): concern -> creation date."""

    def __init__(self, name: str, args: GitpodReferenceArchitectureArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        try:
            settings = load_settings(settings_source(args), project=pulumi.get_project(), stack=pulumi.get_stack())
        except SettingsError as error:
            # Every problem at once, before any resource exists. Keys are named as the stack
            # setting they mirror: `gitpod:cluster.labelNodes` is the arg `cluster.labelNodes`.
            raise pulumi.RunError(f"invalid {type(self).__name__} args ({len(error.problems)} problem(s)):\n{error}") from None
        for finding in settings.warnings:
            pulumi.log.warn(str(finding), resource=self)
        outputs = build(settings, name, parent=self).outputs
        # Every stack output has an attribute (tests/test_component_package.py checks the
        # example stacks); None where the stack has no such output, as in the program.
        for key, attribute in OUTPUTS.items():
            value = outputs.get(key)
            setattr(self, attribute, None if value is None else pulumi.Output.from_input(value))
        self.register_outputs(dict(outputs))


#: Stack output name -> the component's attribute holding it (schema name = the output's name).
OUTPUTS: dict[str, str] = {camel_case(a): a for a in inspect.get_annotations(GitpodReferenceArchitecture) if not a.startswith("_")}


def settings_source(args: Mapping[str, Any]) -> ConfigSource:
    """The `gitpod:*` config these args stand for: snake_case fields back to the config's camelCase keys.

    Every key counts as secret config: a credential given as a plain string is accepted (this
    component stores every credential as a secret anyway), and no value is echoed in an error.
    """
    values = {f"{NAMESPACE}:{key}": value for key, value in _to_config(args, GitpodReferenceArchitectureArgs).items()}
    return ConfigSource(values, secret_keys=values)


def _to_config(value: Mapping[str, Any], shape: type) -> dict[str, Any]:
    hints: dict[str, Any] = shape.__annotations__  # a TypedDict's, inherited keys included (no evaluation of `Input`)
    return {camel_case(key): _convert(item, hints.get(key)) for key, item in value.items()}


def _convert(value: Any, hint: Any) -> Any:
    hint = typing.get_args(hint)[0] if typing.get_origin(hint) is Required else hint
    if isinstance(value, Mapping) and hint is not None and typing.is_typeddict(hint):
        return _to_config(value, hint)
    if isinstance(value, list | tuple) and typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return [_convert(v, item) for v in value]
    return _whole_numbers(value)


def _whole_numbers(value: Any) -> Any:
    """Numbers cross the provider protocol as floats; the settings reader wants whole numbers as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value
