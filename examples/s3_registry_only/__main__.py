"""Only the S3-backed registry: Gitpod's in-cluster registry storing images in a new S3 bucket.

What Gitpod recommends on AWS instead of ECR. `S3Bucket` creates the private, encrypted,
versioned bucket and an IAM user whose policy names only that bucket; `InstallerConfig` turns it
into the installer's `containerRegistry.s3storage` and its Secret. Everything else here stays
in-cluster; add your own database and storage contracts as needed.
"""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from gitpod_refarch import CertificateInfo, InClusterDatabase, InClusterStorage, InstallerConfig, InstallerInputs, S3Registry
from gitpod_refarch.aws.storage import S3Bucket

config = pulumi.Config()
region = config.get("region") or "eu-west-1"

bucket = S3Bucket(
    "gitpod-registry",
    {"purpose": "Gitpod workspace images"},
    opts=pulumi.ResourceOptions(providers=[aws.Provider("aws", region=region)]),
)

installer = InstallerConfig.of(
    "gitpod",
    {
        "inputs": InstallerInputs(
            domain=config.get("domain") or "gitpod.example.com",
            database=InClusterDatabase(),
            storage=InClusterStorage(),
            registry=S3Registry(
                bucket=bucket.bucket,
                region=region,
                endpoint=f"s3.{region}.amazonaws.com",
                access_key=bucket.access_key_id,
                secret_key=bucket.secret_access_key,
            ),
            certificate=CertificateInfo("https-certificates"),
        )
    },
    opts=pulumi.ResourceOptions(providers=[k8s.Provider("cluster", context=config.get("context"))]),
)

pulumi.export("registryBucket", bucket.bucket)
pulumi.export("installerConfig", installer.config_yaml)
