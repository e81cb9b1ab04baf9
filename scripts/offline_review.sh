#!/usr/bin/env bash
# Offline review of a pull request: plan every stack of this checkout and diff it against the same
# stack planned from the base branch, as Markdown (the preview workflow appends it to the job
# summary; it needs no credentials, so it also runs for fork pull requests).
#
#   scripts/offline_review.sh BASE_CHECKOUT [PYTHON] >> "$GITHUB_STEP_SUMMARY"
#
# BASE_CHECKOUT is a checkout of the base commit (e.g. `git worktree add --detach ../base <sha>`);
# both sides run with PYTHON (default venv/bin/python), each with its own components/ and tooling/
# first on the path (a base from before the tooling moved out has its CLI inside components/).
# Exit status: 0 when every stack plans cleanly and every change is in place; otherwise the worst
# `plan` exit code seen, in this order: 3 (data loss: something holding data would be destroyed),
# 4 (outage: the cluster, a node pool or Gitpod's namespace would be replaced), 2 (a stack cannot
# be planned), 1 (the installer would reject a config). See docs/review.md.
set -uo pipefail

base=$(cd "${1:?usage: $0 BASE_CHECKOUT [PYTHON]}" && pwd)
python=$(cd "$(dirname "${2:-venv/bin/python}")" && pwd)/$(basename "${2:-venv/bin/python}")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

for file in stacks/Pulumi.*.yaml; do
  stack=${file#stacks/Pulumi.}; stack=${stack%.yaml}
  diff_args=()
  if [ -f "$base/$file" ]; then
    # Exit 1 (installer checks) still prints the plan; only 2 means there is nothing to compare.
    (cd "$base" && PYTHONPATH=components:tooling "$python" -m gitpod_refarch plan --stack "$stack" --format json) > "$work/base-branch.json" 2> "$work/base.err"
    if [ $? -le 1 ]; then
      diff_args=(--diff "$work/base-branch.json")
    else
      echo "> [!NOTE]"
      echo "> The base branch cannot plan stack \`$stack\`, so there is nothing to compare against."
      echo
    fi
  else
    echo "> [!NOTE]"
    echo "> Stack \`$stack\` is new in this pull request."
    echo
  fi
  PYTHONPATH=components:tooling "$python" -m gitpod_refarch plan --stack "$stack" --format markdown "${diff_args[@]}" > "$work/head.md" 2> "$work/head.err"
  code=$?
  cat "$work/head.md"
  if [ -s "$work/head.err" ]; then
    echo "#### \`plan --stack $stack\` failed (exit $code)"
    echo
    echo '```'
    cat "$work/head.err"
    echo '```'
  fi
  echo
  if [ "$code" -eq 3 ] || { [ "$code" -ne 0 ] && [ "$status" -ne 3 ] && [ "$code" -gt "$status" ]; }; then
    status=$code
  fi
  echo "plan $stack: exit $code" >&2
done
exit "$status"
