"""Workspace nodes trust a private CA: the DaemonSet, where it is (and is not) deployed, its host script."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomllib

from gitpod_refarch.compatibility import NODE_LABEL_HEADLESS, NODE_LABEL_REGULAR
from gitpod_refarch.nodetrust import CA_FILE_NAME, CERTS_D, TRUST_STORE_DIR, host_script
from gitpod_refarch_tools.graph import waits_for
from gitpod_refarch_tools.harness import Plan, PlanError

from .conftest import plan_stack_file

DAEMONSET = "kubernetes:apps/v1:DaemonSet"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
EXISTING = {"certificate.issuer": "existing", "certificate.existing.tlsCert": PEM}
EXISTING_KEY = {"certificate.existing.tlsKey": "-----BEGIN PRIVATE KEY-----secret"}
CLOUDFLARE = {"certificate.issuer": "letsencrypt", "certificate.dns01": "cloudflare", "certificate.email": "ops@example.com"}


def trust_daemonsets(plan: Plan) -> list[Any]:
    return [r for r in plan.by_type(DAEMONSET) if r.inputs["metadata"]["name"] == "gitpod-node-ca-trust"]


def the_daemonset(plan: Plan) -> Any:
    [daemonset] = trust_daemonsets(plan)
    return daemonset


def init_container(daemonset: Any) -> dict[str, Any]:
    [init] = daemonset.inputs["spec"]["template"]["spec"]["initContainers"]
    return init


# -- presence per stack and issuer --------------------------------------------------------------
def test_a_self_signed_existing_cluster_gets_it_on_the_workspace_nodes_only():
    plan = plan_stack_file("local")
    daemonset = the_daemonset(plan)
    spec = daemonset.inputs["spec"]["template"]["spec"]
    terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [
        {"matchExpressions": [{"key": NODE_LABEL_REGULAR, "operator": "Exists"}]},
        {"matchExpressions": [{"key": NODE_LABEL_HEADLESS, "operator": "Exists"}]},
    ]
    assert daemonset.inputs["metadata"]["namespace"] == "gitpod"
    init = init_container(daemonset)
    assert init["env"] == [{"name": "GITPOD_CA", "valueFrom": {"secretKeyRef": {"name": "gitpod-refarch-ca", "key": "ca.crt"}}}]
    assert init["command"][:4] == ["/usr/bin/nsenter", "-t", "1", "-a"]
    assert init["command"][-1] == host_script("gitpod.lab.example.com")
    # The CA Secret is cert-manager's: the DaemonSet comes after the CA Certificate that fills it.
    ca = next(r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if r.inputs["spec"].get("isCA"))
    assert ca.urn in waits_for(plan.resources, daemonset.urn)


def test_it_can_be_turned_off():
    assert trust_daemonsets(plan_stack_file("local", {"certificate.trustOnNodes": "false"})) == []


def test_a_public_certificate_needs_none():
    plan = plan_stack_file("local", CLOUDFLARE, {"certificate.cloudflare.apiToken": "cf-token"})
    assert trust_daemonsets(plan) == []


def test_an_existing_certificate_with_its_ca_uses_that_ca():
    plan = plan_stack_file("local", {**EXISTING, "certificate.existing.caCert": PEM}, EXISTING_KEY)
    env = init_container(the_daemonset(plan))["env"]
    assert env[0]["valueFrom"]["secretKeyRef"] == {"name": "gitpod-custom-ca", "key": "ca.crt"}


def test_an_existing_certificate_without_a_ca_needs_none():
    assert trust_daemonsets(plan_stack_file("local", EXISTING, EXISTING_KEY)) == []


@pytest.mark.parametrize("stack", ["aws", "azure"])
def test_eks_and_aks_get_it_with_a_self_signed_ca(stack):
    assert trust_daemonsets(plan_stack_file(stack)) == []  # Let's Encrypt by default
    config = {"certificate.issuer": "selfsigned", "certificate.dns01": ""}
    the_daemonset(plan_stack_file(stack, config))


# -- refusals ----------------------------------------------------------------------------------
def test_gke_refuses_it_with_the_reason():
    with pytest.raises(PlanError) as caught:
        plan_stack_file("gcp", {"certificate.trustOnNodes": "true"})
    [problem] = [p for p in caught.value.lines if "trustOnNodes" in p]
    assert problem.startswith("gitpod:certificate.trustOnNodes: is not allowed on GKE.")
    assert "containerd" in problem and "gitpod-io/gitpod#9585" in problem and "letsencrypt" in problem


def test_gke_does_not_deploy_it_by_default():
    assert trust_daemonsets(plan_stack_file("gcp")) == []


def test_asking_for_it_without_a_private_ca_is_refused():
    with pytest.raises(PlanError) as caught:
        plan_stack_file("local", {**CLOUDFLARE, "certificate.trustOnNodes": "true"}, {"certificate.cloudflare.apiToken": "t"})
    assert any(p.startswith("gitpod:certificate.trustOnNodes: is true, but issuer 'letsencrypt'") for p in caught.value.lines)


# -- the host script ---------------------------------------------------------------------------
def run_on_fake_host(root: Path, script: str, ca: str, active_unit: str = "containerd") -> list[str]:
    """Run `script` with the trust store and certs.d under `root`, and stubs that record their calls."""
    bin_dir = root / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = root / "calls.log"
    stubs = {
        "update-ca-certificates": f'echo "update-ca-certificates $*" >> {log}',
        # `systemctl is-active --quiet <unit>` succeeds for the active unit only.
        "systemctl": f'echo "systemctl $*" >> {log}; if [ "$1" = is-active ]; then [ "$3" = {active_unit} ]; fi',
        "containerd": "echo 'config_path = \"/etc/containerd/certs.d\"'",
    }
    for name, body in stubs.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    local = script.replace(TRUST_STORE_DIR, f"{root}{TRUST_STORE_DIR}").replace(CERTS_D, f"{root}{CERTS_D}")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "GITPOD_CA": ca}
    subprocess.run(["sh", "-c", local], check=True, env=env, capture_output=True)
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [c for c in calls if not c.startswith("systemctl is-active")]


def test_the_host_script_installs_the_ca_and_restarts_containerd_only_on_change(tmp_path):
    script = host_script("gitpod.example.com")
    first = run_on_fake_host(tmp_path, script, PEM)
    assert first == ["update-ca-certificates ", "systemctl restart containerd"]
    assert (tmp_path / TRUST_STORE_DIR.lstrip("/") / CA_FILE_NAME).read_text() == PEM
    host_dir = tmp_path / CERTS_D.lstrip("/") / "reg.gitpod.example.com:20000"
    hosts = tomllib.loads((host_dir / "hosts.toml").read_text())
    assert hosts == {"server": "https://reg.gitpod.example.com:20000", "ca": CA_FILE_NAME}
    assert (host_dir / hosts["ca"]).read_text() == PEM
    # A reboot or a rescheduled pod runs it again: nothing changed, nothing restarted.
    assert run_on_fake_host(tmp_path, script, PEM) == []
    # A new CA (rotation, a new existing.caCert) is written and containerd restarted again.
    assert run_on_fake_host(tmp_path, script, PEM.replace("MIIB", "MIIC")) == ["update-ca-certificates ", "systemctl restart containerd"]


def test_on_k3s_the_k3s_unit_is_restarted(tmp_path):
    calls = run_on_fake_host(tmp_path, host_script("gitpod.example.com"), PEM, active_unit="k3s")
    assert calls == ["update-ca-certificates ", "systemctl restart k3s"]


def test_an_empty_ca_fails_loudly(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        run_on_fake_host(tmp_path, host_script("gitpod.example.com"), "")
