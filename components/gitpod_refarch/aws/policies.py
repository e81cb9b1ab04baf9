"""IAM policy documents (pure data), each naming exactly the bucket, zone or principal it is for.

Writes are never granted on `*`: object writes are scoped to `<bucket>/*`, record changes to one
hosted zone (and to TXT records, all DNS-01 needs), scaling to the cluster's own Auto Scaling
groups. The only wildcard resources are read-only calls that cannot be scoped further: Route53's
`change/*` (`GetChange`), `ListHostedZones` (external-dns needs it) and the cluster-autoscaler's
Describe calls.
"""

from __future__ import annotations

from typing import Any

from .platform import Partition

Document = dict[str, Any]

#: What Gitpod's content service and the Docker registry's S3 driver need on their bucket
#: (Gitpod's reference-architecture docs and the registry's S3 driver docs list the same set).
BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
OBJECT_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload")


def _document(*statements: Document) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def service_trust(service: str) -> Document:
    """Trust for an AWS service principal (`eks.amazonaws.com`, `ec2.amazonaws.com`)."""
    return _document({"Effect": "Allow", "Principal": {"Service": service}, "Action": ["sts:AssumeRole", "sts:TagSession"]})


def service_account_trust(oidc_provider_arn: str, issuer_url: str, namespace: str, service_account: str) -> Document:
    """IRSA trust: only this Kubernetes service account of this cluster may assume the role."""
    issuer = issuer_url.removeprefix("https://")
    return _document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{issuer}:aud": "sts.amazonaws.com",
                }
            },
        }
    )


def bucket_access(bucket_arn: str) -> Document:
    """Read and write objects in one bucket; no bucket creation, deletion or policy changes."""
    return _document(
        {"Sid": "Bucket", "Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": bucket_arn},
        {"Sid": "Objects", "Effect": "Allow", "Action": list(OBJECT_ACTIONS), "Resource": f"{bucket_arn}/*"},
    )


def tls_only(bucket_arn: str) -> Document:
    """Bucket policy refusing plain-HTTP requests (the access keys must never cross the wire in clear)."""
    return _document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def route53_dns01(zone_arn: str, partition: Partition) -> Document:
    """cert-manager's Route53 solver, limited to TXT records in one hosted zone.

    `ListHostedZonesByName` is left out: the ClusterIssuer names the zone by id.
    """
    return _document(
        {"Sid": "ReadChangeStatus", "Effect": "Allow", "Action": "route53:GetChange", "Resource": partition.arn("route53", "change/*")},
        {"Sid": "ListRecords", "Effect": "Allow", "Action": "route53:ListResourceRecordSets", "Resource": zone_arn},
        {
            "Sid": "AnswerChallenges",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": zone_arn,
            "Condition": {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}},
        },
    )


#: Record types external-dns writes: its default `--managed-record-types` (A, AAAA, CNAME; an ELB
#: target becomes an alias A/AAAA record) and its TXT ownership records (kubernetes-sigs/external-dns
#: v0.21.0 `docs/registry/txt.md`, `docs/tutorials/aws.md`; checked 2026-11).
EXTERNAL_DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "TXT")


def route53_records(zone_arn: str) -> Document:
    """external-dns' Route53 provider, limited to one hosted zone and the record types it manages.

    `ListHostedZones` is called on every sync (provider/aws/aws.go at v0.21.0, `zones`) and has no
    resource-level permissions, so it is granted on `*` (read-only). `ListTagsForResources`, in
    external-dns' example policy, is only called with `--aws-zone-tags`, which is not used.
    """
    return _document(
        {"Sid": "FindZone", "Effect": "Allow", "Action": "route53:ListHostedZones", "Resource": "*"},
        {"Sid": "ListRecords", "Effect": "Allow", "Action": "route53:ListResourceRecordSets", "Resource": zone_arn},
        {
            "Sid": "PublishGitpod",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": zone_arn,
            "Condition": {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": list(EXTERNAL_DNS_RECORD_TYPES)}},
        },
    )


#: What the autoscaler reads; AWS offers no resource-level permission for these Describe calls (nor
#: for `ec2:GetInstanceTypesFromInstanceRequirements`), so they are granted on `*`. The set is the
#: "Full Cluster Autoscaler Features Policy" of kubernetes/autoscaler
#: cluster-autoscaler/cloudprovider/aws/README.md (read Aug 2026), without `eks:DescribeNodegroup`,
#: which is scoped below.
AUTOSCALER_READ_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
AUTOSCALER_SCALE_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")


def autoscaling_group_arn(partition: Partition, region: str, account: str, group_name: str) -> str:
    """An Auto Scaling group's ARN by name (its id segment is a wildcard: it is not known by name)."""
    return partition.arn("autoscaling", f"autoScalingGroup:*:autoScalingGroupName/{group_name}", region, account)


def cluster_autoscaler(owner_tag: str, owner_value: str, group_arns: list[str], node_group_arns: list[str]) -> Document:
    """The cluster-autoscaler's role: read everything it must, scale only this cluster's node groups.

    Scaling is limited twice, to the node groups' own Auto Scaling groups and to groups tagged as
    owned by this cluster (the tag-based condition the autoscaler's README recommends), so a
    group this stack does not manage is never resized even if its name is reused.
    """
    return _document(
        {"Sid": "Read", "Effect": "Allow", "Action": list(AUTOSCALER_READ_ACTIONS), "Resource": "*"},
        {"Sid": "ReadNodeGroups", "Effect": "Allow", "Action": "eks:DescribeNodegroup", "Resource": node_group_arns},
        {
            "Sid": "ScaleOwnGroups",
            "Effect": "Allow",
            "Action": list(AUTOSCALER_SCALE_ACTIONS),
            "Resource": group_arns,
            "Condition": {"StringEquals": {f"aws:ResourceTag/{owner_tag}": owner_value}},
        },
    )
