#!/bin/bash
# Installs (or upgrades) Gitpod from inside the cluster, as KOTS's kots-install.sh did
# (gitpod-io/gitpod@2022.11.3 install/installer/scripts/kots-install.sh), run by the
# `GitpodInstallation` component's Job in the Gitpod 2022.11 installer image. That image
# (install/installer/leeway.Dockerfile@2022.11.3) is alpine 3.16 with bash, jq, yq, helm 3.8
# (/usr/bin/helm), kubectl (/usr/local/bin/kubectl) and the installer at /app/installer.
#
# Each step is one function, listed in STEPS in the order they run; add a step by writing a
# function and naming it there. A failing step stops the run: its name and the way to read the
# whole log go to the container's termination message, which the Pulumi Kubernetes provider
# shows in the `pulumi up` error, and the log is saved to the ConfigMap $LOG_CONFIGMAP.
#
# The config is never changed here: it is the program's `installerConfig`, mounted read-only.
# Node detection writes into a scratch copy and is only compared with it.
set -euo pipefail

: "${NAMESPACE:?}" "${CONFIG_FILE:?}" "${TLS_SECRET:?}" "${JOB_NAME:?}"
APP_DIR="${APP_DIR:-/app}"                      # where the image keeps the installer
INSTALLER="${APP_DIR}/installer"
MOUNT_PATH="${MOUNT_PATH:-/mnt/node}"           # the node's / (read-only), for containerd detection
WORK_DIR="${WORK_DIR:-/tmp/gitpod-install}"
SA_DIR="${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"
RELEASE="${RELEASE:-gitpod}"
HELM_TIMEOUT="${HELM_TIMEOUT:-20m}"
CERTIFICATE_TIMEOUT_SECONDS="${CERTIFICATE_TIMEOUT_SECONDS:-900}"
POLL_SECONDS="${POLL_SECONDS:-10}"
LABELS_MAY_BE_ABSENT="${LABELS_MAY_BE_ABSENT:-}"  # space-separated node labels of pools that may have zero nodes
LOG_CONFIGMAP="${LOG_CONFIGMAP:-}"
REGISTRY_CREDENTIALS_FILE="${REGISTRY_CREDENTIALS_FILE:-}"  # a mounted .dockerconfigjson to merge, or none
TERMINATION_LOG="${TERMINATION_LOG:-/dev/termination-log}"
LOG_FILE="${WORK_DIR}/installer.log"
STEP_FILE="${WORK_DIR}/step"
CHART_DIR="${WORK_DIR}/chart"
export KUBECONFIG="${WORK_DIR}/kubeconfig"

STEPS=(
    write_kubeconfig
    installer_version
    check_node
    validate_config
    wait_for_certificate
    validate_cluster
    render
    merge_registry_credentials
    escape_templates
    helm_upgrade
)

log() { echo "gitpod-installer: $*"; }

fail() {
    echo "gitpod-installer: ERROR: $*" >&2
    return 1
}

# One value of the installer config by its key; the keys read here occur once in the file.
config_value() {
    sed -n -E "s/^[[:space:]]*$1:[[:space:]]*['\"]?([^'\"]*)['\"]?[[:space:]]*\$/\\1/p" "$2" | head -n 1
}

# `validate cluster` has no in-cluster fallback (it reads only --kubeconfig/KUBECONFIG), so it
# gets a kubeconfig for this pod's ServiceAccount; helm and kubectl use the same one.
write_kubeconfig() {
    : "${KUBERNETES_SERVICE_HOST:?not running in a pod}" "${KUBERNETES_SERVICE_PORT:?}"
    cat >"${KUBECONFIG}" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: in-cluster
    cluster:
      server: https://${KUBERNETES_SERVICE_HOST}:${KUBERNETES_SERVICE_PORT}
      certificate-authority: ${SA_DIR}/ca.crt
users:
  - name: installer
    user:
      tokenFile: ${SA_DIR}/token
contexts:
  - name: installer
    context: {cluster: in-cluster, user: installer, namespace: ${NAMESPACE}}
current-context: installer
EOF
}

installer_version() {
    "${INSTALLER}" version
}

# KOTS let the installer detect containerd and shiftfs on a workspace node and wrote the result
# into the config. Here the config already says where they are, so detection runs on a copy
# and a difference fails the run instead of silently changing what Gitpod is configured with.
check_node() {
    local detected="${WORK_DIR}/detected.yaml"
    cp "${CONFIG_FILE}" "${detected}"
    "${INSTALLER}" config files containerd --config "${detected}" --mount-path "${MOUNT_PATH}"
    local key want got mismatch=""
    for key in containerdRuntimeDir containerdSocket; do
        want="$(config_value "${key}" "${CONFIG_FILE}")"
        got="$(config_value "${key}" "${detected}")"
        if [ "${want}" != "${got}" ]; then
            mismatch="${mismatch} workspace.runtime.${key} is '${want}' but node ${NODE_NAME:-?} has '${got}';"
        fi
    done
    if [ -n "${mismatch}" ]; then
        fail "containerd on this node does not match the config:${mismatch} set gitpod:cluster.distribution" \
            "or gitpod:installer.containerdRuntimeDir/containerdSocket to what the nodes use"
    fi
    log "containerd paths match the node"
    # `fuse` works on every kernel; only a config asking for shiftfs needs the module, so only
    # then is the installer's shiftfs probe (a privileged Job on a workspace node) run.
    if [ "$(config_value fsShiftMethod "${CONFIG_FILE}")" = "shiftfs" ]; then
        "${INSTALLER}" config cluster shiftfs --config "${detected}" --namespace "${NAMESPACE}" --ensure-namespace=false
        if [ "$(config_value fsShiftMethod "${detected}")" != "shiftfs" ]; then
            fail "the config asks for fsShiftMethod 'shiftfs' but the workspace nodes' kernel has no shiftfs module;" \
                "set gitpod:installer.fsShiftMethod to 'fuse'"
        fi
        log "shiftfs is supported on the workspace nodes"
    fi
}

validate_config() {
    "${INSTALLER}" validate config --config "${CONFIG_FILE}"
}

# cert-manager writes the TLS Secret only once the Certificate is issued; `validate cluster`
# and Gitpod's proxy both need it. With Let's Encrypt that needs the zone's NS delegation.
wait_for_certificate() {
    local waited=0
    until kubectl --namespace "${NAMESPACE}" get secret "${TLS_SECRET}" --output name >/dev/null 2>&1; do
        if [ "${waited}" -ge "${CERTIFICATE_TIMEOUT_SECONDS}" ]; then
            kubectl --namespace "${NAMESPACE}" describe certificate "${TLS_SECRET}" || true
            fail "the TLS Secret ${NAMESPACE}/${TLS_SECRET} does not exist after ${CERTIFICATE_TIMEOUT_SECONDS}s: cert-manager" \
                "has not issued the certificate (with Let's Encrypt: delegate the domain to the zone's name servers," \
                "\`pulumi stack output nameServers\`, then run \`pulumi up\` again)"
        fi
        log "waiting for the TLS Secret ${NAMESPACE}/${TLS_SECRET} (${waited}s)"
        sleep "${POLL_SECONDS}"
        waited=$((waited + POLL_SECONDS))
    done
    log "TLS Secret ${NAMESPACE}/${TLS_SECRET} exists"
}

# The live preflight KOTS never ran: node labels, kernel, containerd, Kubernetes version,
# cert-manager, namespace and every Secret the config names. Its only tolerated error is a
# node label of a pool allowed to have zero nodes (LABELS_MAY_BE_ABSENT): the label check
# requires one labelled node per pool, which an autoscaled pool has only once a pod needs it.
validate_cluster() {
    local out="${WORK_DIR}/validate-cluster.out" status=0
    "${INSTALLER}" validate cluster --kubeconfig "${KUBECONFIG}" --config "${CONFIG_FILE}" \
        --namespace "${NAMESPACE}" >"${out}" 2>&1 || status=$?
    cat "${out}"
    if [ "${status}" -eq 0 ]; then
        return 0
    fi
    local errors
    # On failure the installer prints its JSON result (and exits 1); anything else is a failure too.
    if ! errors="$(jq -s -r --arg allowed "${LABELS_MAY_BE_ABSENT}" '
            [.[] | select(type == "object" and has("items") and has("status"))] | last
            | if . == null then error("no validation result") else . end
            | ($allowed | split(" ") | map(select(. != "") | "Affinity label not found in cluster: " + .)) as $ok
            | [.items[] | .errors[]? | select(.type == "ERROR") | .message | select(. as $m | $ok | index($m) | not)]
            | .[]' "${out}")"; then
        fail "validate cluster failed (exit ${status}) without a result; see its output above"
    fi
    if [ -n "${errors}" ]; then
        fail "validate cluster found problems: $(echo "${errors}" | paste -s -d ';' -)"
    fi
    log "validate cluster: only labels of pools that may have zero nodes are missing (${LABELS_MAY_BE_ABSENT}); continuing"
}

# `--use-experimental-config`: without it render ignores the config's `experimental` block.
# The manifests become a one-template Helm chart, as KOTS did, so the release is upgraded and
# rolled back as a whole.
render() {
    rm -rf "${CHART_DIR}"
    mkdir -p "${CHART_DIR}/templates"
    printf 'apiVersion: v2\nname: gitpod\ndescription: Gitpod Self-Hosted, rendered by its installer\nversion: "1.0.0"\n' \
        >"${CHART_DIR}/Chart.yaml"
    "${INSTALLER}" render --use-experimental-config --config "${CONFIG_FILE}" --namespace "${NAMESPACE}" \
        >"${CHART_DIR}/templates/gitpod.yaml"
    log "rendered $(grep -c '^kind:' "${CHART_DIR}/templates/gitpod.yaml" || true) objects"
}

# With its own registry (`inCluster: true`) the installer renders the registry's pull secret,
# `builtin-registry-auth`, so extra credentials for private workspace base images
# (gitpod:installer.baseImageRegistries, Secret custom-registry-credentials) can only be added to
# what it rendered. As kots-install.sh@2022.11.3 did with its `reg_docker_config`, after render and
# before the escaping: the rendered `.dockerconfigjson` is decoded and merged with
# `jq -s '.[0] * .[1]' <credentials> <rendered>`, a recursive merge of the whole documents in
# which the rendered values win (the in-cluster registry's own login is never replaced; a
# credential's fields the rendered entry lacks are kept), then written back base64-encoded.
# The tools are the image's (install/installer/leeway.Dockerfile@2022.11.3: alpine 3.16, `apk add
# jq yq`, busybox base64): Alpine's `yq` package is mikefarah's yq v4 (community/yq/APKBUILD), and
# the yq expressions are kots-install.sh's, which ran in this same image.
# yq rewrites the whole file (sequences re-indented: the same YAML), as it did under KOTS.
# Nothing read here is printed: the credentials stay in the mounted file, a scratch file in
# WORK_DIR (removed) and the environment of the one yq call that writes them; tool errors that
# could quote them are discarded in favour of this script's own message.
merge_registry_credentials() {
    if [ -z "${REGISTRY_CREDENTIALS_FILE}" ]; then
        log "no base-image registry credentials to merge"
        return 0
    fi
    local manifest="${CHART_DIR}/templates/gitpod.yaml" rendered="${WORK_DIR}/builtin-registry-auth.json" merged hosts
    local select='select(.kind == "Secret" and .metadata.name == "builtin-registry-auth") | .data.".dockerconfigjson"'
    if [ ! -r "${REGISTRY_CREDENTIALS_FILE}" ]; then
        fail "the base-image registry credentials ${REGISTRY_CREDENTIALS_FILE} are not mounted"
    fi
    if ! hosts="$(jq -r '.auths | keys | join(" ")' "${REGISTRY_CREDENTIALS_FILE}" 2>/dev/null)"; then
        fail "${REGISTRY_CREDENTIALS_FILE} is not a .dockerconfigjson with an \"auths\" object"
    fi
    if ! yq eval-all "(${select})" "${manifest}" 2>/dev/null | base64 -d >"${rendered}" 2>/dev/null ||
        ! jq -e -s 'length == 1 and (.[0].auths | type == "object")' "${rendered}" >/dev/null 2>&1; then
        rm -f "${rendered}"
        fail "the rendered manifest has no Secret builtin-registry-auth with a .dockerconfigjson to merge" \
            "gitpod:installer.baseImageRegistries into (is containerRegistry.inCluster true?)"
    fi
    if ! merged="$(jq -c -s '.[0] * .[1]' "${REGISTRY_CREDENTIALS_FILE}" "${rendered}" 2>/dev/null | base64 -w 0)"; then
        rm -f "${rendered}"
        fail "could not merge the base-image registry credentials into builtin-registry-auth"
    fi
    rm -f "${rendered}"
    if ! REGISTRY_SECRET="${merged}" yq eval-all --inplace "(${select}) |= env(REGISTRY_SECRET)" "${manifest}" >/dev/null 2>&1; then
        fail "could not write the merged credentials into Secret builtin-registry-auth"
    fi
    log "merged the credentials for ${hosts} into Secret builtin-registry-auth"
}

# `{{` in the manifests is escaped from Helm's templating (as KOTS did), after every change to them.
escape_templates() {
    # shellcheck disable=SC2016
    sed -i -E 's/(.*\{\{.*)/{{`\1`}}/' "${CHART_DIR}/templates/gitpod.yaml"
}

helm_upgrade() {
    helm upgrade --install --atomic --cleanup-on-fail --wait --timeout "${HELM_TIMEOUT}" \
        --namespace "${NAMESPACE}" --reset-values "${RELEASE}" "${CHART_DIR}"
}

run_steps() {
    local step
    for step in "${STEPS[@]}"; do
        echo "${step}" >"${STEP_FILE}"
        log "step ${step}"
        "${step}"
    done
    echo "done" >"${STEP_FILE}"
}

save_log() {
    [ -n "${LOG_CONFIGMAP}" ] || return 0
    kubectl --namespace "${NAMESPACE}" create configmap "${LOG_CONFIGMAP}" --from-file=installer.log="${LOG_FILE}" \
        --dry-run=client --output yaml | kubectl --namespace "${NAMESPACE}" apply -f - >/dev/null ||
        echo "gitpod-installer: could not save the log to ConfigMap ${LOG_CONFIGMAP}" >&2
}

main() {
    mkdir -p "${WORK_DIR}"
    : >"${LOG_FILE}"
    echo "start" >"${STEP_FILE}"
    local status
    # The steps run in a subshell (errexit stops at the first failure) whose output is logged.
    set +e
    (set -e; run_steps) 2>&1 | tee -a "${LOG_FILE}"
    status="${PIPESTATUS[0]}"
    set -e
    save_log
    if [ "${status}" -ne 0 ]; then
        local message reason
        reason="$(grep '^gitpod-installer: ERROR: ' "${LOG_FILE}" | tail -n 1 | sed 's/^gitpod-installer: ERROR: //' || true)"
        message="step '$(cat "${STEP_FILE}")' failed (exit ${status})${reason:+: ${reason}}"
        message="${message}; full log: kubectl -n ${NAMESPACE} logs job/${JOB_NAME}"
        if [ -n "${LOG_CONFIGMAP}" ]; then
            message="${message} (kept in configmap/${LOG_CONFIGMAP})"
        fi
        echo "gitpod-installer: ${message}" >&2
        # The termination message (at most 4096 bytes) is what `pulumi up` shows for the failed Job.
        printf '%s\n' "${message}" | tail -c 4000 >"${TERMINATION_LOG}" 2>/dev/null || true
        return "${status}"
    fi
    log "Gitpod is installed"
}

main "$@"
