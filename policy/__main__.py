"""The policy pack's entry point; the policies themselves are in `gitpod_policies` (importable, tested)."""

from gitpod_policies import DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES
from pulumi_policy import PolicyPack

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=DEFAULT_ENFORCEMENT)
