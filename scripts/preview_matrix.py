"""Which stacks the preview workflow runs `pulumi preview` for, and with which credentials.

    python scripts/preview_matrix.py            # prints the GitHub Actions matrix as JSON

One entry per `stacks/Pulumi.<stack>.yaml` (the directory is read, never a fixed list), so a
cloud's example stack is previewed as soon as its file is merged and the repository variables
for its cloud exist. A stack is skipped, with the reason in the job summary, when:

* its `gitpod:cloud` is `existing`: its cluster and state live with its owner (the offline plan
  covers it);
* its cloud's OIDC variables are not set (GCP_WORKLOAD_IDENTITY_PROVIDER + GCP_SERVICE_ACCOUNT,
  AWS_ROLE_ARN + AWS_REGION, AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_SUBSCRIPTION_ID);
* no state backend is configured: PULUMI_BACKEND_URL_<CLOUD> or PULUMI_BACKEND_URL (gs://,
  s3://, azblob://), or PULUMI_CLOUD_ORGANIZATION for Pulumi Cloud (the workflow then logs in
  with OIDC through pulumi/auth-actions).

The policy pack and its config are not named here: this script runs from the pull request's
checkout, and the preview job takes both from the base commit (docs/review.md). In GitHub Actions the
matrix is also written to $GITHUB_OUTPUT (`matrix=...`) and the skips to $GITHUB_STEP_SUMMARY.
Needs only PyYAML.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: Repository variables each cloud's OIDC login needs (docs/review.md explains how to create them).
CLOUD_VARIABLES: dict[str, tuple[str, ...]] = {
    "gcp": ("GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT"),
    "aws": ("AWS_ROLE_ARN", "AWS_REGION"),
    "azure": ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"),
}


def _project(root: Path) -> tuple[str, Path]:
    data = yaml.safe_load((root / "Pulumi.yaml").read_text()) or {}
    return str(data.get("name", "gitpod")), root / str(data.get("stackConfigDir", "."))


def matrix(root: Path, env: Mapping[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Matrix entries for the stacks that can be previewed, and why the others are skipped."""
    project, stacks_dir = _project(root)
    entries: list[dict[str, Any]] = []
    skipped: list[str] = []
    for path in sorted(stacks_dir.glob("Pulumi.*.yaml")):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
        cloud = str(config.get(f"{project}:cloud", "existing"))
        if cloud not in CLOUD_VARIABLES:
            skipped.append(f"`{stack}`: gitpod:cloud is `{cloud}`; its cluster and state live with its owner (see the offline plan).")
            continue
        missing = [name for name in CLOUD_VARIABLES[cloud] if not env.get(name)]
        if missing:
            skipped.append(f"`{stack}`: set the repository variable(s) {', '.join(missing)} to preview {cloud} stacks.")
            continue
        organization = env.get("PULUMI_CLOUD_ORGANIZATION", "")
        backend = env.get(f"PULUMI_BACKEND_URL_{cloud.upper()}") or env.get("PULUMI_BACKEND_URL", "")
        if not backend and not organization:
            skipped.append(
                f"`{stack}`: no state backend; set PULUMI_BACKEND_URL (or PULUMI_BACKEND_URL_{cloud.upper()}) or PULUMI_CLOUD_ORGANIZATION."
            )
            continue
        entries.append(
            {
                "stack": stack,
                "cloud": cloud,
                "stack_name": f"{organization}/{project}/{stack}" if organization and not backend else stack,
                "backend": backend,
                "pulumi_cloud": bool(organization and not backend),
            }
        )
    return entries, skipped


def main() -> int:
    entries, skipped = matrix(ROOT, os.environ)
    text = json.dumps({"include": entries})
    print(text)
    if output := os.environ.get("GITHUB_OUTPUT"):
        with open(output, "a") as handle:
            handle.write(f"matrix={text}\ncount={len(entries)}\n")
    if skipped and (summary := os.environ.get("GITHUB_STEP_SUMMARY")):
        with open(summary, "a") as handle:
            handle.write("### Pulumi previews skipped\n\n" + "".join(f"- {line}\n" for line in skipped))
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
