"""`gitpod:gcp`: where and how the GCP reference architecture is built."""

from __future__ import annotations

from dataclasses import dataclass

from .clouds import CloudSection
from .reader import Section


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str = "europe-west1"
    zone: str | None = None


def parse(s: Section, cloud: str) -> GcpSettings:
    return GcpSettings(
        project=s.string("project", required=True, required_help="Set it: pulumi config set --path gcp.project <project-id>") or "",
        region=s.string("region", "europe-west1") or "europe-west1",
        zone=s.string("zone"),
    )


SECTION = CloudSection(parse=parse)
