"""Gitpod's compatibility rules and security rules as Pulumi policies (pulumi-policy 1.21).

`__main__.py` only builds the `PolicyPack` from `POLICIES` (its constructor starts a gRPC server
and never returns), so the tests import this package and run every policy in-process.

    pulumi preview --stack <stack> --policy-pack policy [--policy-pack-config policy/config.json]

One module per concern, each policy's name, description and enforcement level written next to its
check (the layout of pulumi/compliance-policies):

* `properties`: resource type tokens and property access that never judges a value unknown during a
  preview (the engine runs policies again with known values on `pulumi up`);
* `security`: who can reach the cluster's API, control-plane logs, AKS local accounts, database
  TLS, public node addresses, long-lived keys;
* `data_safety`: deletion protection (Azure's management lock included) and Pulumi `protect` on
  everything that holds data;
* `gitpod`: MySQL majors and a pinned cert-manager, where an organisation may ask for more than
  Gitpod does.

Every rule checks what a stack's config can change; tests/test_policy.py makes each fire on a
real plan variant.

Every rule says what Gitpod or the data needs and how to fix it. Any policy's level, and the
settings in its `config_schema`, can be changed per stack with `--policy-pack-config` (see
docs/review.md).

The pack imports what it shares with the program normally: Gitpod's labels, version floors and
refusal reasons from `gitpod_refarch.compatibility`, the stateful types from
`gitpod_refarch_tools.stateful`. `requirements.txt` installs both from this checkout (without any
cloud SDK).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from . import data_safety, gitpod, security

PACK_NAME = "gitpod-refarch"
#: The pack's level for a policy that states none; every policy here states its own.
DEFAULT_ENFORCEMENT = EnforcementLevel.MANDATORY

POLICIES: list[Policy] = [*security.POLICIES, *data_safety.POLICIES, *gitpod.POLICIES]


def policy(name: str) -> Policy:
    """The policy with this name (for tests and tools)."""
    return next(p for p in POLICIES if p.name == name)
