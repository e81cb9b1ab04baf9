"""Built-in Azure roles the architecture grants, each scoped to the one resource that needs it."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.authorization as authorization

#: Built-in role definition GUIDs (identical in every subscription).
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
DNS_ZONE_CONTRIBUTOR = "befefa01-2a29-4197-83a8-272ff33ce314"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
#: Reader (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles, checked 2026-11).
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
#: "Azure Kubernetes Service RBAC Cluster Admin": every Kubernetes action on the cluster it is
#: assigned on, through Azure RBAC (MicrosoftDocs/azure-docs articles/role-based-access-control/
#: built-in-roles/containers.md; read 2026-11).
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


def role_definition_id(subscription_id: pulumi.Input[str], role: str) -> pulumi.Output[str]:
    """The subscription-qualified ID Azure returns on read, so refreshes never see a diff."""
    return pulumi.Output.concat("/subscriptions/", subscription_id, "/providers/Microsoft.Authorization/roleDefinitions/", role)


def grant(
    name: str,
    *,
    role: str,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    subscription_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    principal_type: str = "ServicePrincipal",
) -> authorization.RoleAssignment:
    """Assign `role` on `scope` to a managed identity (or another principal of `principal_type`).

    `principal_type` is always sent: for identities the program creates, so Azure does not look the
    new identity up in Entra ID first, which fails for a few minutes after it is created
    (replication delay); and it must match the principal's real kind, which ARM checks.
    """
    return authorization.RoleAssignment(
        name,
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=role_definition_id(subscription_id, role),
        scope=scope,
        opts=opts,
    )
