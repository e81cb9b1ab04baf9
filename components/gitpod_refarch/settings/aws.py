"""`gitpod:aws`: where and how the AWS reference architecture is built."""

from __future__ import annotations

from dataclasses import dataclass

from .clouds import CloudSection
from .reader import Section


@dataclass(frozen=True)
class AwsSettings:
    region: str = "eu-west-1"


def parse(s: Section, cloud: str) -> AwsSettings:
    return AwsSettings(region=s.string("region", "eu-west-1") or "eu-west-1")


SECTION = CloudSection(parse=parse)
