"""The `azure` stack end to end through the offline plan: what `pulumi up --stack azure` declares."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
import yaml

from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR, NODE_LABELS_SERVICES
from gitpod_refarch.program import main as program
from gitpod_refarch_tools import render
from gitpod_refarch_tools.fakes import azure as fakes
from gitpod_refarch_tools.graph import waits_for
from gitpod_refarch_tools.harness import Plan, Registration, run_program
from gitpod_refarch_tools.stackfile import build_config

from .conftest import ROOT, installer_config, secrets_in, unwrap

AKS = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
SERVER = "azure-native:dbformysql:Server"
CONFIGURATION = "azure-native:dbformysql:Configuration"
ACCOUNT = "azure-native:storage:StorageAccount"
ACR = "azure-native:containerregistry:Registry"
ZONE = "azure-native:dns:Zone"
ROLE = "azure-native:authorization:RoleAssignment"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
FEDERATION = "azure-native:managedidentity:FederatedIdentityCredential"
K8S_PROVIDER = "pulumi:providers:kubernetes"
ZONE_ID = "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com"


def plan_azure(config: dict[str, str] | None = None) -> Plan:
    project, cfg = build_config(ROOT, "azure", [f"{k}={v}" for k, v in (config or {}).items()], [])
    return run_program(program, cfg.values, cfg.secret_keys, project=project, stack="azure")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_azure()


def role(plan: Plan, role_guid: str, *, named: str = "") -> Registration:
    """The one assignment of `role_guid` (whose logical name contains `named`, where several identities hold it)."""
    found = [r for r in plan.by_type(ROLE) if r.inputs["roleDefinitionId"].endswith(role_guid) and named in r.name]
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def test_plan_is_valid_for_the_2022_11_installer(plan):
    assert render.installer_checks(plan) == []
    config = installer_config(plan)
    acr = plan.one(ACR)
    assert config["metadata"]["region"] == "northeurope"
    # TLS with the roots the program ships (tests/test_security_controls.py, "database TLS").
    assert config["database"] == {
        "inCluster": False,
        "external": {"certificate": {"kind": "secret", "name": "database"}},
        "ssl": {"caCert": {"kind": "secret", "name": "database-ca"}},
    }
    assert config["objectStorage"] == {"inCluster": False, "azure": {"credentials": {"kind": "secret", "name": "storage-azure"}}}
    assert config["containerRegistry"]["inCluster"] is False
    assert config["containerRegistry"]["external"]["url"] == f"${{{acr.name}.loginServer}}"
    assert config["workspace"]["runtime"]["containerdSocket"] == "/run/containerd/containerd.sock"


def test_installer_secrets_hold_the_azure_values(plan):
    secrets = secrets_in(plan)
    server = plan.one(SERVER)
    database = secrets["database"]
    assert database["host"] == f"${{{server.name}.fullyQualifiedDomainName}}"
    assert (database["port"], database["username"]) == ("3306", "gitpod")
    assert database["password"] == f"${{{plan.one('random:index/randomPassword:RandomPassword').name}.result}}"
    assert json.loads(database["encryptionKeys"])[0]["primary"] is True
    account = plan.one(ACCOUNT)
    assert secrets["storage-azure"] == {"accountName": f"${{{account.name}.name}}", "accountKey": fakes.STORAGE_KEY}
    login = f"${{{plan.one(ACR).name}.loginServer}}"
    auths = json.loads(secrets["container-registry"][".dockerconfigjson"])["auths"]
    assert list(auths) == [login]
    assert auths[login]["password"] == fakes.REGISTRY_PASSWORD
    assert base64.b64decode(auths[login]["auth"]).decode().endswith(":" + fakes.REGISTRY_PASSWORD)
    registry_secret = next(r for r in plan.by_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == "container-registry")
    assert registry_secret.inputs["type"] == "kubernetes.io/dockerconfigjson"


def test_no_secret_reaches_the_plan_in_plain_text(plan):
    text = render.render_json(plan)
    password_placeholder = f"${{{plan.one('random:index/randomPassword:RandomPassword').name}.result}}"
    for secret in (fakes.STORAGE_KEY, fakes.REGISTRY_PASSWORD, password_placeholder):
        assert secret not in text
    assert {"kubeconfig"} <= plan.secret_outputs
    assert "installerConfig" not in plan.secret_outputs


def test_sign_in_is_entra_id_only_and_the_deployer_is_cluster_admin(plan):
    """Issue 15: no local accounts, Azure RBAC, and a kubeconfig that signs in with kubelogin non-interactively."""
    aks = plan.one(AKS)
    assert aks.inputs["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
    assert aks.inputs["disableLocalAccounts"] is True
    admin = role(plan, "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")  # Azure Kubernetes Service RBAC Cluster Admin
    assert admin.inputs["scope"] == f"${{{aks.name}.id}}"
    assert admin.inputs["principalId"] == "33333333-3333-3333-3333-333333333333"  # getClientConfig's objectId
    assert admin.inputs["principalType"] == "User"  # gitpod:azure.clusterAdminType's default; ARM checks it
    provider = plan.one(K8S_PROVIDER)
    assert admin.urn in waits_for(plan.resources, provider.urn)
    config = yaml.safe_load(unwrap(provider.inputs["kubeconfig"]))
    cluster = config["clusters"][0]["cluster"]
    assert cluster["certificate-authority-data"] == fakes.CLUSTER_CA  # decoded from AKS' base64 answer, kept
    assert cluster["server"].startswith("https://")
    user = config["users"][0]["user"]
    assert list(user) == ["exec"]  # no client certificate, token or password
    assert user["exec"]["command"] == "kubelogin"
    assert user["exec"]["args"] == ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]


def test_stateful_resources_are_protected_and_the_cluster_is_not(plan):
    protected = {r.type for r in plan.resources if r.protect}
    assert {
        "azure-native:resources:ResourceGroup",
        SERVER,
        "azure-native:dbformysql:Database",
        ACCOUNT,
        ACR,
        ZONE,
        "random:index/randomString:RandomString",
        "random:index/randomPassword:RandomPassword",  # a new password would no longer match the server's
        "azure-native:privatedns:PrivateZone",  # the server resolves through it
    } <= protected
    assert all(r.protect for r in plan.by_type("random:index/randomString:RandomString"))  # name suffixes of global names
    assert not plan.one(AKS).protect
    lock = plan.one("azure-native:authorization:ManagementLockByScope")
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["scope"] == f"${{{plan.one(SERVER).name}.id}}"


def test_nothing_is_protected_when_protect_is_off():
    plan = plan_azure({"protect": "false", "database.deletionProtection": "false"})
    assert [r.name for r in plan.resources if r.protect] == []
    assert plan.by_type("azure-native:authorization:ManagementLockByScope") == []


def test_database_storage_registry_and_zone_never_wait_for_the_cluster(plan):
    cluster_side = {r.urn for r in plan.resources if r.type in (AKS, POOL, K8S_PROVIDER, FEDERATION)}
    cluster_side |= {r.urn for r in plan.resources if r.name.startswith("gitpod-cluster")}
    for type_ in (SERVER, "azure-native:dbformysql:Database", CONFIGURATION, ACCOUNT, ACR, ZONE):
        assert plan.by_type(type_), f"no {type_} in the plan"
        for resource in plan.by_type(type_):
            assert not waits_for(plan.resources, resource.urn) & cluster_side, resource.name
    for grant in (
        role(plan, "7f951dda-4ed3-4680-a7ca-43fe172d538d"),
        role(plan, "befefa01-2a29-4197-83a8-272ff33ce314", named="cert-manager"),
    ):
        assert not waits_for(plan.resources, grant.urn) & cluster_side, grant.name
    # ... and the cluster does not wait for them either.
    data_side = {r.urn for r in plan.resources if r.type in (SERVER, ACCOUNT, ACR, ZONE)}
    assert not waits_for(plan.resources, plan.one(AKS).urn) & data_side


def test_kubernetes_provider_waits_for_every_pool_and_serves_everything(plan):
    provider = plan.one(K8S_PROVIDER)
    dependencies = set(provider.depends_on)
    pools = plan.by_type(POOL)
    assert len(pools) == 2
    assert {plan.one(AKS).urn} | {p.urn for p in pools} <= dependencies
    # Only cert-manager needs its federated credential; nothing else deployed to AKS waits for it.
    # external-dns likewise needs its own.
    for workload in ("cert-manager", "external-dns"):
        federation = plan.one(FEDERATION, f"gitpod-cluster-{workload}-federation").urn
        assert federation not in dependencies
        assert federation in plan.one("kubernetes:helm.sh/v3:Release", f"gitpod-{workload}-chart").depends_on
    k8s = [r for r in plan.resources if r.custom and r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider == provider.urn for r in k8s)


def test_aks_cluster(plan):
    aks = unwrap(plan.one(AKS).inputs)
    assert aks["kubernetesVersion"] == "1.35"
    assert aks["networkProfile"] | {} == {
        "networkPlugin": "azure",
        "networkPluginMode": "overlay",
        "networkPolicy": "calico",
        "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        "loadBalancerSku": "standard",
        "outboundType": "loadBalancer",
    }
    assert aks["oidcIssuerProfile"] == {"enabled": True}
    assert aks["securityProfile"] == {"workloadIdentity": {"enabled": True}}
    assert aks["sku"] == {"name": "Base", "tier": "Standard"}
    # The example stack shows a restricted range (issue 15).
    assert aks["apiServerAccessProfile"] == {"authorizedIPRanges": ["203.0.113.0/24"]}
    kubelet = next(r for r in plan.by_type(IDENTITY) if r.name.endswith("kubelet-identity"))
    assert aks["identityProfile"]["kubeletidentity"]["resourceId"] == f"${{{kubelet.name}.id}}"
    control_plane = next(r for r in plan.by_type(IDENTITY) if r.name.endswith("control-plane-identity"))
    assert aks["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [f"${{{control_plane.name}.id}}"]}
    # AKS checks both grants when the cluster is created with a brought-along kubelet identity.
    subnet_join = role(plan, "4d97b98b-1d4f-4787-a291-c67834d212e7")
    operator = role(plan, "f1a07417-d97a-45cb-824c-7a7467783830")
    assert operator.inputs["scope"] == f"${{{kubelet.name}.id}}"
    assert subnet_join.inputs["principalId"] == operator.inputs["principalId"] == f"${{{control_plane.name}.principalId}}"
    assert {subnet_join.urn, operator.urn} <= set(plan.one(AKS).depends_on)


def test_node_pools_carry_gitpod_labels_and_autoscale(plan):
    (services,) = unwrap(plan.one(AKS).inputs)["agentPoolProfiles"]
    assert services["mode"] == "System"
    assert services["nodeLabels"] == dict.fromkeys(NODE_LABELS_SERVICES, "true")
    assert (services["vmSize"], services["minCount"], services["maxCount"], services["osDiskSizeGB"]) == ("Standard_D4_v4", 1, 4, 128)
    pools = {r.inputs["agentPoolName"]: unwrap(r.inputs) for r in plan.by_type(POOL)}
    assert pools["regularws"]["nodeLabels"] == {NODE_LABEL_REGULAR: "true"}
    assert pools["headlessws"]["nodeLabels"] == {NODE_LABEL_HEADLESS: "true"}
    for pool in [services, *pools.values()]:
        assert pool["enableAutoScaling"] is True
        assert (pool["osType"], pool["osSKU"]) == ("Linux", "Ubuntu2204")
    for pool in pools.values():
        assert (pool["mode"], pool["vmSize"], pool["maxCount"], pool["osDiskSizeGB"]) == ("User", "Standard_D8_v4", 50, 512)
        assert pool["orchestratorVersion"] == "1.35"
        assert pool["resourceName"] == "${gitpod-cluster-aks.name}"


def test_cert_manager_uses_workload_identity_on_the_zone(plan):
    cert_manager = next(r for r in plan.by_type(IDENTITY) if r.name.endswith("cert-manager-identity"))
    zone = plan.one(ZONE)
    assert zone.inputs["zoneName"] == "gitpod.example.com"
    grant = role(plan, "befefa01-2a29-4197-83a8-272ff33ce314", named="cert-manager")
    assert grant.inputs["scope"] == f"${{{zone.name}.id}}"
    assert grant.inputs["principalId"] == f"${{{cert_manager.name}.principalId}}"
    assert grant.inputs["roleDefinitionId"].startswith(f"/subscriptions/{fakes.SUBSCRIPTION_ID}/providers/")
    federation = plan.one(FEDERATION, "gitpod-cluster-cert-manager-federation").inputs
    assert federation["subject"] == "system:serviceaccount:cert-manager:cert-manager"
    assert federation["issuer"] == "${gitpod-cluster-aks.oidcIssuerProfile.issuerURL}"
    assert federation["audiences"] == ["api://AzureADTokenExchange"]
    # The identity comes to the cluster in the zone's contract: the one the zone grants.
    assert (federation["resourceName"], federation["resourceGroupName"]) == (
        f"${{{cert_manager.name}.name}}",
        "${gitpod-azure-resource-group.name}",
    )
    client_id = f"${{{cert_manager.name}.clientId}}"
    values = unwrap(plan.one("kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart").inputs["values"])
    assert values["podLabels"] == {"azure.workload.identity/use": "true"}
    assert values["serviceAccount"]["annotations"] == {"azure.workload.identity/client-id": client_id}
    issuer = unwrap(plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"])
    assert issuer["acme"]["solvers"] == [
        {
            "dns01": {
                "azureDNS": {
                    "hostedZoneName": "gitpod.example.com",
                    "resourceGroupName": "${gitpod-azure-resource-group.name}",
                    "subscriptionID": fakes.SUBSCRIPTION_ID,
                    "environment": "AzurePublicCloud",
                    "managedIdentity": {"clientID": client_id},
                }
            }
        }
    ]
    assert plan.outputs["nameServers"] == [f"${{{zone.name}.nameServers}}"]


def test_mysql_flexible_server_is_private_and_configured_for_gitpod(plan):
    server = unwrap(plan.one(SERVER).inputs)
    assert server["version"] == "5.7"
    assert server["sku"] == {"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"}
    assert server["administratorLogin"] == "gitpod"
    assert server["backup"] == {"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}
    assert server["highAvailability"] == {"mode": "Disabled"}
    assert server["network"] == {
        "delegatedSubnetResourceId": "${gitpod-azure-database-subnet.id}",
        "privateDnsZoneResourceId": "${gitpod-database-private-zone.id}",
    }
    assert plan.one("azure-native:privatedns:PrivateZone").inputs["privateZoneName"].endswith(".private.mysql.database.azure.com")
    link = plan.one("azure-native:privatedns:VirtualNetworkLink")
    assert link.inputs["virtualNetwork"] == {"id": "${gitpod-azure-vnet.id}"}
    assert link.urn in plan.one(SERVER).depends_on
    subnet = unwrap(plan.one("azure-native:network:Subnet", "gitpod-azure-database-subnet").inputs)
    assert subnet["delegations"] == [{"name": "mysql-flexible-server", "serviceName": "Microsoft.DBforMySQL/flexibleServers"}]
    parameters = {r.inputs["configurationName"]: r.inputs["value"] for r in plan.by_type(CONFIGURATION)}
    assert parameters == {"explicit_defaults_for_timestamp": "OFF", "require_secure_transport": "ON"}
    database = plan.one("azure-native:dbformysql:Database").inputs
    assert (database["databaseName"], database["charset"]) == ("gitpod", "utf8")


def test_mysql_8_and_high_availability():
    plan = plan_azure({"database.version": "8.0", "database.highAvailability": "true", "database.backupRetentionDays": "14"})
    server = unwrap(plan.one(SERVER).inputs)
    assert server["version"] == "8.0.21"
    assert server["highAvailability"] == {"mode": "ZoneRedundant"}
    assert server["backup"]["backupRetentionDays"] == 14
    parameters = {r.inputs["configurationName"]: r.inputs["value"] for r in plan.by_type(CONFIGURATION)}
    assert parameters["sql_generate_invisible_primary_key"] == "OFF"
    assert any(w.startswith("gitpod:database.version: MySQL 8.0 is outside") for w in plan.warnings)


def test_storage_account_is_private_encrypted_in_transit_and_soft_deletes(plan):
    account = unwrap(plan.one(ACCOUNT).inputs)
    assert account["allowBlobPublicAccess"] is False
    assert account["minimumTlsVersion"] == "TLS1_2"
    assert account["enableHttpsTrafficOnly"] is True
    assert account["allowSharedKeyAccess"] is True  # the MinIO Azure gateway authenticates with the key
    assert account["networkRuleSet"]["defaultAction"] == "Deny"
    assert account["networkRuleSet"]["virtualNetworkRules"] == [
        {"virtualNetworkResourceId": "${gitpod-azure-node-subnet.id}", "action": "Allow"}
    ]
    nodes = unwrap(plan.one("azure-native:network:Subnet", "gitpod-azure-node-subnet").inputs)
    assert nodes["serviceEndpoints"] == [{"service": "Microsoft.Storage"}]
    blob = unwrap(plan.one("azure-native:storage:BlobServiceProperties").inputs)
    assert blob["deleteRetentionPolicy"] == {"enabled": True, "days": 7}


def test_registry_pushes_with_admin_credentials_and_kubelets_pull(plan):
    acr = plan.one(ACR)
    assert unwrap(acr.inputs)["adminUserEnabled"] is True
    assert acr.inputs["sku"] == {"name": "Standard"}
    pull = role(plan, "7f951dda-4ed3-4680-a7ca-43fe172d538d")
    assert pull.inputs["scope"] == f"${{{acr.name}.id}}"
    assert pull.inputs["principalId"] == "${gitpod-azure-kubelet-identity.principalId}"


def test_existing_zone_and_resource_group_are_used_not_created():
    plan = plan_azure(
        {
            "certificate.zone.create": "false",
            "certificate.zone.existingId": ZONE_ID,
            "azure.createResourceGroup": "false",
            "certManager.namespace": "certs",
        }
    )
    assert render.installer_checks(plan) == []
    assert plan.by_type(ZONE) == [] and plan.by_type("azure-native:resources:ResourceGroup") == []
    assert plan.one(SERVER).inputs["resourceGroupName"] == "gitpod-prod"
    grant = role(plan, "befefa01-2a29-4197-83a8-272ff33ce314", named="cert-manager")
    assert grant.inputs["scope"] == ZONE_ID
    assert grant.inputs["roleDefinitionId"].startswith("/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/")
    solver = unwrap(plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"])["acme"]["solvers"][0]["dns01"]["azureDNS"]
    assert (solver["hostedZoneName"], solver["resourceGroupName"], solver["subscriptionID"]) == (
        "example.com",
        "dns-rg",
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    )
    assert plan.one(FEDERATION, "gitpod-cluster-cert-manager-federation").inputs["subject"] == "system:serviceaccount:certs:cert-manager"
    assert "nameServers" not in plan.outputs


def test_options_reach_the_cluster():
    plan = plan_azure(
        {
            "azure.networkPlugin": "kubenet",
            "azure.clusterTier": "Free",
            "azure.authorizedIpRanges[0]": "198.51.100.0/24",
            "azure.osSku": "AzureLinux",
            "azure.clusterAdminObjectId": "44444444-4444-4444-4444-444444444444",
            "azure.clusterAdminType": "Group",
            "azure.registrySku": "Premium",
            "cluster.kubernetesVersion": "1.36",
        }
    )
    aks = unwrap(plan.one(AKS).inputs)
    assert aks["networkProfile"]["networkPlugin"] == "kubenet" and "networkPluginMode" not in aks["networkProfile"]
    assert aks["networkProfile"]["networkPolicy"] == "calico"
    assert aks["sku"]["tier"] == "Free"
    assert aks["apiServerAccessProfile"] == {"authorizedIPRanges": ["198.51.100.0/24"]}
    admin = role(plan, "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")
    assert (admin.inputs["principalId"], admin.inputs["principalType"]) == ("44444444-4444-4444-4444-444444444444", "Group")
    assert {p["osSKU"] for p in [*aks["agentPoolProfiles"], *(unwrap(r.inputs) for r in plan.by_type(POOL))]} == {"AzureLinux"}
    assert plan.one(ACR).inputs["sku"] == {"name": "Premium"}
    assert any(w.startswith("gitpod:azure.networkPlugin:") for w in plan.warnings)


def test_self_signed_certificates_need_no_dns_identity():
    plan = plan_azure({"certificate.issuer": "selfsigned"})
    assert render.installer_checks(plan) == []
    assert plan.by_type(ZONE) == [] and plan.by_type(FEDERATION) == []
    assert not [r for r in plan.by_type(IDENTITY) if "cert-manager" in r.name]
    values = unwrap(plan.one("kubernetes:helm.sh/v3:Release", "gitpod-cert-manager-chart").inputs["values"])
    assert "podLabels" not in values and "serviceAccount" not in values


def test_cloudflare_dns01_needs_no_azure_identity():
    project, cfg = build_config(ROOT, "azure", ["certificate.dns01=cloudflare"], ["certificate.cloudflare.apiToken=token"])
    plan = run_program(program, cfg.values, cfg.secret_keys, project=project, stack="azure")
    assert plan.by_type(ZONE) == [] and plan.by_type(FEDERATION) == []
    assert not [r for r in plan.by_type(IDENTITY) if "cert-manager" in r.name]
    issuer = unwrap(plan.one("kubernetes:cert-manager.io/v1:ClusterIssuer").inputs["spec"])
    assert list(issuer["acme"]["solvers"][0]["dns01"]) == ["cloudflare"]


def test_the_platform_keeps_its_children_whichever_module_declares_them(plan):
    """The VNet (`network.py`) and cert-manager's identity (declared by `dns.py`) stay children of
    `AzurePlatform` under their names: new URNs would replace the subnets, and with them the cluster."""
    platform = "urn:pulumi:azure::gitpod::gitpod:index:AzurePlatform"
    children = {r.urn.removeprefix(f"{platform}$") for r in plan.resources if r.parent == f"{platform}::gitpod-azure"}
    assert children == {
        "azure-native:resources:ResourceGroup::gitpod-azure-resource-group",
        "azure-native:network:VirtualNetwork::gitpod-azure-vnet",
        "azure-native:network:Subnet::gitpod-azure-node-subnet",
        "azure-native:network:Subnet::gitpod-azure-database-subnet",
        "azure-native:managedidentity:UserAssignedIdentity::gitpod-azure-kubelet-identity",
        "azure-native:managedidentity:UserAssignedIdentity::gitpod-azure-cert-manager-identity",
        "azure-native:managedidentity:UserAssignedIdentity::gitpod-azure-external-dns-identity",
    }


def test_invalid_settings_stop_the_plan_before_any_resource():
    from gitpod_refarch_tools.harness import PlanError

    with pytest.raises(PlanError) as error:
        plan_azure({"azure.osSku": "Ubuntu2204", "cluster.kubernetesVersion": "1.37"})
    assert error.value.lines[-1].startswith("gitpod:azure.osSku: 'Ubuntu2204' is not available with Kubernetes 1.37")


def test_names_are_stable_and_every_child_belongs_to_its_component(plan):
    urns = [r.urn for r in plan.resources]
    assert len(urns) == len(set(urns))
    components = {r.urn: r for r in plan.resources if not r.custom}
    assert {r.type for r in components.values()} >= {
        "gitpod:index:AzurePlatform",
        "gitpod:index:AksCluster",
        "gitpod:index:MysqlFlexibleServer",
        "gitpod:index:BlobStorage",
        "gitpod:index:ContainerRegistry",
        "gitpod:index:AzureDnsZone",
    }
    for r in plan.resources:
        if r.custom:
            assert r.parent in components, f"{r.name} is not parented to a component"
            assert r.name.startswith(components[r.parent].name), f"{r.name} is not named from its component"
    # Logical names of stateful resources are part of their URNs: changing them destroys data.
    assert {r.name for r in plan.resources if r.protect} >= {
        "gitpod-azure-resource-group",
        "gitpod-database-server",
        "gitpod-database-gitpod-database",
        "gitpod-database-admin-password",
        "gitpod-database-private-zone",
        "gitpod-storage-account",
        "gitpod-registry-acr",
        "gitpod-dns-zone",
    }


MAINTENANCE = "azure-native:containerservice:MaintenanceConfiguration"
SUBNET = "azure-native:network:Subnet"


def test_workspace_pools_are_created_one_after_the_other(plan):
    # Concurrent pools on one subnet fail with VirtualNetworkNotInSucceededState (Azure/AKS#4522).
    pools = {r.inputs["agentPoolName"]: r for r in plan.by_type(POOL)}
    regular, headless = pools["regularws"], pools["headlessws"]
    assert regular.urn in headless.depends_on
    assert headless.urn not in waits_for(plan.resources, regular.urn)
    assert plan.one(AKS).urn in regular.depends_on
    # ... without making anything else wait: the provider waited for every pool already.
    provider = plan.one(K8S_PROVIDER)
    assert {regular.urn, headless.urn} <= set(provider.depends_on)
    for resource in plan.resources:
        if resource.urn not in (headless.urn, provider.urn) and resource.parent != provider.urn and resource.provider != provider.urn:
            assert headless.urn not in resource.depends_on, resource.name


def test_every_pool_names_the_cluster_minor():
    for version in ("1.35", "1.36"):
        plan = plan_azure({"cluster.kubernetesVersion": version})
        aks = unwrap(plan.one(AKS).inputs)
        (services,) = aks["agentPoolProfiles"]
        assert aks["kubernetesVersion"] == services["orchestratorVersion"] == version
        assert {r.inputs["orchestratorVersion"] for r in plan.by_type(POOL)} == {version}
        assert aks["autoUpgradeProfile"] == {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}


def test_workspace_pools_are_replaced_old_first_when_aks_cannot_change_them(plan):
    for pool in plan.by_type(POOL):
        assert pool.ignore_changes == ["count"]
        assert set(pool.replace_on_changes) == {"vmSize", "osDiskSizeGB"}
        # The new pool has the same AKS name: creating it before deleting the old one would fail.
        assert pool.delete_before_replace is True
    # ... while the services pool (and the cluster) are never replaced by a pool change.
    assert plan.one(AKS).replace_on_changes == [] and plan.one(AKS).delete_before_replace is False


def test_auto_upgrades_run_only_in_the_weekly_window(plan):
    windows = {r.inputs["configName"]: r for r in plan.by_type(MAINTENANCE)}
    assert set(windows) == {"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
    for config in windows.values():
        assert config.parent == plan.one("gitpod:index:AksCluster").urn
        assert config.inputs["resourceName"] == "${gitpod-cluster-aks.name}"
        assert unwrap(config.inputs["maintenanceWindow"]) == {
            "schedule": {"weekly": {"dayOfWeek": "Sunday", "intervalWeeks": 1}},
            "startTime": "00:00",
            "durationHours": 12,
            "utcOffset": "+00:00",
        }
        # They need the cluster and nothing else; nothing waits for them.
        assert waits_for(plan.resources, config.urn) & {r.urn for r in plan.by_type(POOL)} == set()
        assert all(config.urn not in r.depends_on for r in plan.resources)


def test_maintenance_settings_and_exclusions_reach_both_windows():
    plan = plan_azure(
        {
            "cluster.maintenance.day": "Saturday",
            "cluster.maintenance.startTime": "22:30",
            "cluster.maintenance.durationHours": "6",
            "cluster.maintenance.exclusions[0].name": "year-end",
            "cluster.maintenance.exclusions[0].start": "2026-12-20",
            "cluster.maintenance.exclusions[0].end": "2027-01-04",
        }
    )
    for config in plan.by_type(MAINTENANCE):
        window = unwrap(config.inputs["maintenanceWindow"])
        assert window["schedule"] == {"weekly": {"dayOfWeek": "Saturday", "intervalWeeks": 1}}
        assert (window["startTime"], window["durationHours"]) == ("22:30", 6)
        assert window["notAllowedDates"] == [{"start": "2026-12-20", "end": "2027-01-04"}]


def test_the_maintenance_fake_refuses_what_aks_refuses() -> None:
    from dataclasses import replace
    from datetime import date

    from pulumi_azure_native import containerservice

    from gitpod_refarch.azure.cluster import AUTO_UPGRADE_SCHEDULE, NODE_OS_UPGRADE_SCHEDULE, maintenance_window
    from gitpod_refarch.settings.model import MaintenanceExclusion, MaintenanceSettings

    good = MaintenanceSettings(day="Sunday", start_time="00:00", duration_hours=12, exclusions=())

    def program(window: MaintenanceSettings, config: str = AUTO_UPGRADE_SCHEDULE) -> Callable[[], None]:
        def run() -> None:
            containerservice.MaintenanceConfiguration(
                "window",
                config_name=config,
                resource_name_="aks",
                resource_group_name="group",
                maintenance_window=maintenance_window(window),
            )

        return run

    run_program(program(good), {}, project="gitpod", stack="t")
    backwards = MaintenanceExclusion("backwards", date(2027, 1, 4), date(2026, 12, 20))
    refused: list[tuple[MaintenanceSettings, str]] = [
        (replace(good, duration_hours=3), AUTO_UPGRADE_SCHEDULE),
        (replace(good, start_time="7:00"), NODE_OS_UPGRADE_SCHEDULE),
        (replace(good, day="Sun"), NODE_OS_UPGRADE_SCHEDULE),
        (replace(good, exclusions=(backwards,)), AUTO_UPGRADE_SCHEDULE),
        (good, "nodeImageSchedule"),  # AKS gates the channels by these names only
    ]
    for window, config in refused:
        with pytest.raises(Exception, match="AKS would refuse maintenance configuration"):
            run_program(program(window, config), {}, project="gitpod", stack="t")


def test_mysql_keeps_the_storage_it_grew_to(plan):
    server = plan.one(SERVER)
    assert unwrap(server.inputs)["storage"] == {"storageSizeGB": 20, "autoGrow": "Enabled"}
    # After a refresh the state holds the grown size; the program's 20 must not shrink it.
    assert "storage.storageSizeGB" in server.ignore_changes


@pytest.mark.parametrize("ha", ["false", "true"])
def test_mysql_keeps_the_zone_azure_placed_it_in(ha):
    """After a failover and a refresh the state holds a zone the program never set; dropping it would
    replace the server (`availabilityZone` is create-only), so the engine keeps it."""
    server = plan_azure({"database.highAvailability": ha}).one(SERVER)
    assert "availabilityZone" not in unwrap(server.inputs)
    assert "availabilityZone" in server.ignore_changes


def test_mysql_keeps_a_maintenance_window_set_outside_the_program(plan):
    """Update-only in the REST API, so docs/azure.md has users set it with the CLI; a refresh records it."""
    server = plan.one(SERVER)
    assert "maintenanceWindow" not in unwrap(server.inputs)
    assert "maintenanceWindow" in server.ignore_changes


@pytest.mark.parametrize("plugin", ["azure-overlay", "kubenet"])
def test_the_node_subnet_keeps_the_route_table_aks_attaches(plugin):
    plan = plan_azure({"azure.networkPlugin": plugin})
    nodes = plan.one(SUBNET, "gitpod-azure-node-subnet")
    assert "routeTable" not in nodes.inputs
    assert nodes.ignore_changes == ["routeTable"]


def test_plan_diff_names_pool_replacements_and_rolls():
    from gitpod_refarch_tools import diff
    from gitpod_refarch_tools.render import to_json

    base = to_json(plan_azure())
    resized = diff.diff_plans(base, to_json(plan_azure({"cluster.nodePools.regularWorkspaces.machineType": "Standard_D16_v4"})))
    assert not resized.flagged  # no data store is lost ...
    [replaced] = resized.disruptions  # ... but the workspaces on the pool stop
    assert (replaced.kind, replaced.name) == ("replace", "gitpod-cluster-regularws-pool")
    assert replaced.reason.startswith("vmSize: 'Standard_D8_v4' -> 'Standard_D16_v4'")
    upgraded = diff.diff_plans(base, to_json(plan_azure({"cluster.kubernetesVersion": "1.36"})))
    assert sorted((d.kind, d.name) for d in upgraded.disruptions) == [
        ("roll", "gitpod-cluster-aks"),
        ("roll", "gitpod-cluster-headlessws-pool"),
        ("roll", "gitpod-cluster-regularws-pool"),
    ]
    assert all("1.35' -> '1.36'" in d.reason for d in upgraded.disruptions)
    kubenet = diff.diff_plans(base, to_json(plan_azure({"azure.networkPlugin": "kubenet"})))
    assert any(
        d.kind == "rebuild" and d.name == "gitpod-cluster-aks" and d.reason.startswith("networkProfile") for d in kubenet.disruptions
    )


DAEMONSET = "kubernetes:apps/v1:DaemonSet"


def test_workspace_nodes_turn_off_ubuntu_2404s_userns_restriction(plan):
    """AKS cannot set this sysctl (no user data; not in linuxOSConfig.sysctls), so the shared DaemonSet does."""
    from gitpod_refarch.compatibility import WORKSPACE_NODE_SYSCTLS
    from gitpod_refarch.nodesysctl import sysctl_script

    daemonset = plan.one(DAEMONSET)
    assert daemonset.provider == plan.one(K8S_PROVIDER).urn
    inputs = unwrap(daemonset.inputs)
    assert inputs["metadata"]["namespace"] == "gitpod"
    pod = inputs["spec"]["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    # Either workspace label (terms are ORed), never the services pool.
    assert sorted(e["key"] for t in terms for e in t["matchExpressions"]) == sorted([NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR])
    [init] = pod["initContainers"]
    assert init["securityContext"]["privileged"] is True
    assert sysctl_script(WORKSPACE_NODE_SYSCTLS) in init["command"][-1]
    # Deployed whatever the node OS, so it already runs when AKS moves the pools to Ubuntu 24.04.
    for sku in ("Ubuntu2204", "AzureLinux"):
        assert len(plan_azure({"azure.osSku": sku}).by_type(DAEMONSET)) == 1


def test_plan_diff_names_the_services_pool_reimage_and_database_restarts():
    from gitpod_refarch_tools import diff
    from gitpod_refarch_tools.render import to_json

    base = to_json(plan_azure())
    # The services pool lives inside the cluster resource: a new OS SKU reimages it as well.
    os_change = diff.diff_plans(base, to_json(plan_azure({"azure.osSku": "Ubuntu"})))
    assert sorted((d.kind, d.name) for d in os_change.disruptions) == [
        ("roll", "gitpod-cluster-aks"),
        ("roll", "gitpod-cluster-headlessws-pool"),
        ("roll", "gitpod-cluster-regularws-pool"),
    ]
    # Flexible Server restarts to change compute, and is down during a major version upgrade.
    resized = diff.diff_plans(base, to_json(plan_azure({"database.instanceSize": "Standard_D4ds_v4"})))
    [restart] = resized.disruptions
    assert (restart.kind, restart.name) == ("restart", "gitpod-database-server")
    assert "sku.name: 'Standard_D2ds_v4' -> 'Standard_D4ds_v4'" in restart.reason
    upgraded = diff.diff_plans(base, to_json(plan_azure({"database.version": "8.0"})))
    assert [(d.kind, d.name) for d in upgraded.disruptions] == [("restart", "gitpod-database-server")]
    assert not upgraded.flagged  # in place: `version` is updatable (FlexibleServers.json), nothing is lost
    # Backup retention changes without a restart.
    quiet = diff.diff_plans(base, to_json(plan_azure({"database.backupRetentionDays": "14"})))
    assert quiet.disruptions == [] and not quiet.flagged


def test_plan_diff_treats_a_new_database_network_as_a_replacement():
    """`network` is create-only on Flexible Server; azure-native replaces the server when it changes."""
    from gitpod_refarch_tools import diff
    from gitpod_refarch_tools.render import to_json

    base = to_json(plan_azure())
    head = json.loads(json.dumps(base))
    [server] = [r for r in head["resources"] if r["type"] == SERVER]
    server["inputs"]["network"]["delegatedSubnetResourceId"] = (
        "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/v/subnets/other"
    )
    result = diff.diff_plans(base, head)
    dangers = {d.name: d for d in result.dangers}
    assert sorted(dangers) == ["gitpod-database-gitpod-database", "gitpod-database-server"]
    assert dangers["gitpod-database-server"].reason.startswith("network:")
    # The database inside goes with the server: its `serverName` names the replaced server.
    assert dangers["gitpod-database-gitpod-database"].fields == ("serverName",)


@pytest.mark.parametrize("version", ["5.7", "8.0"])
def test_gitpod_installs_only_once_the_gitpod_database_exists_with_its_parameters(version):
    """The installer Job's session-init and migrations need the `gitpod` database, created with
    `explicit_defaults_for_timestamp` OFF (tables created before it would keep the wrong defaults).

    Both are resources of their own next to the server, so taking only the server's host name would
    let the Job run while Azure is still applying them (the RDS instance, by contrast, is created
    with its parameter group and database).
    """
    plan = plan_azure({"database.version": version})
    job = plan.one("kubernetes:batch/v1:Job", "gitpod-installation-job")
    waited = waits_for(plan.resources, job.urn)
    database = plan.one("azure-native:dbformysql:Database")
    assert database.urn in waited
    assert {c.urn for c in plan.by_type(CONFIGURATION)} <= waited
    # The Secret holding the host carries the wait, so an installer run by hand gets it too.
    assert database.urn in waits_for(plan.resources, plan.one("kubernetes:core/v1:Secret", "gitpod-installer-database").urn)
