"""`gitpod:azure`: where and how the Azure reference architecture is built."""

from __future__ import annotations

from dataclasses import dataclass

from .clouds import CloudSection
from .reader import Section


@dataclass(frozen=True)
class AzureSettings:
    location: str = "northeurope"
    resource_group: str | None = None


def parse(s: Section, cloud: str) -> AzureSettings:
    return AzureSettings(
        location=s.string("location", "northeurope") or "northeurope",
        resource_group=s.string("resourceGroup"),
    )


SECTION = CloudSection(parse=parse)
