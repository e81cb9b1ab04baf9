"""IAM roles for Kubernetes service accounts (IRSA): one role per service account, nothing shared."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import policies


def service_account_role(
    name: str,
    *,
    parent: pulumi.Resource,
    oidc_provider_arn: pulumi.Input[str],
    issuer_url: pulumi.Input[str],
    namespace: str,
    service_account: str,
    managed_policies: Sequence[str] = (),
    inline_policy: pulumi.Input[str] | None = None,
) -> pulumi.Output[str]:
    """Create the role and its permissions; return its ARN, resolved only once they are attached.

    Whatever consumes the ARN (an add-on, a service-account annotation) therefore waits for the
    permissions too, so the first pod using the role never sees an empty role.
    """
    trust = pulumi.Output.all(oidc_provider_arn, issuer_url).apply(
        lambda v: json.dumps(policies.service_account_trust(str(v[0]), str(v[1]), namespace, service_account))
    )
    role = aws.iam.Role(
        name,
        assume_role_policy=trust,
        description=f"IRSA role for {namespace}/{service_account}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    grants: list[pulumi.Output[str]] = []
    for policy_arn in managed_policies:
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-{policy_arn.rsplit('/', 1)[-1]}", role=role.name, policy_arn=policy_arn, opts=pulumi.ResourceOptions(parent=parent)
        )
        grants.append(attachment.id)
    if inline_policy is not None:
        grants.append(
            aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=inline_policy, opts=pulumi.ResourceOptions(parent=parent)).id
        )
    return pulumi.Output.all(role.arn, *grants).apply(lambda v: str(v[0]))
