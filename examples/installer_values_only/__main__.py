"""Only the installer values: Gitpod's config and Secrets from values you already have.

Useful when the database, bucket and registry are managed elsewhere (another team, another
stack): describe them with the contracts, and `InstallerConfig` creates the Gitpod namespace and
the Secrets with exactly the keys the 2022.11 installer validates, and outputs the config YAML.
"""

import pulumi
import pulumi_kubernetes as k8s

from gitpod_refarch import CertificateInfo, ExternalDatabase, InClusterRegistry, InstallerConfig, InstallerInputs, S3Storage

config = pulumi.Config()

inputs = InstallerInputs(
    domain=config.get("domain") or "gitpod.example.com",
    database=ExternalDatabase(
        host="mysql.internal",
        username="gitpod",
        password=config.get_secret("dbPassword") or pulumi.Output.secret("change-me"),
    ),
    storage=S3Storage(
        region="eu-west-1",
        endpoint="s3.eu-west-1.amazonaws.com",
        bucket="my-gitpod-bucket",
        access_key_id=config.get_secret("s3AccessKeyId") or pulumi.Output.secret("AKIA..."),
        secret_access_key=config.get_secret("s3SecretAccessKey") or pulumi.Output.secret("..."),
    ),
    registry=InClusterRegistry(),
    certificate=CertificateInfo("https-certificates"),
)

installer = InstallerConfig.of(
    "gitpod",
    {"inputs": inputs},
    opts=pulumi.ResourceOptions(providers=[k8s.Provider("cluster", context=config.get("context"))]),
)

pulumi.export("installerConfig", installer.config_yaml)
