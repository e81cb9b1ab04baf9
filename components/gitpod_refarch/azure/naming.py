"""Azure resource names that must be globally unique and may hold only letters and digits."""

from __future__ import annotations

import re

import pulumi
import pulumi_random as random


def alphanumeric(prefix: str, room: int) -> str:
    """`prefix` reduced to lower-case letters and digits, at most `room` characters."""
    return re.sub(r"[^a-z0-9]", "", prefix.lower())[:room] or "gitpod"


def unique_suffix(name: str, length: int, opts: pulumi.ResourceOptions) -> random.RandomString:
    """A random suffix that becomes part of a global name; protect it with the resource it names."""
    return random.RandomString(name, length=length, special=False, upper=False, opts=opts)
