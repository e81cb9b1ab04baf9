"""Who may reach a managed cluster's Kubernetes API: one verdict shared by the three clouds.

Each cloud names the two choices differently (EKS `publicAccessCidrs` and a private endpoint, GKE
master authorized networks and a private endpoint, AKS authorized IP ranges), but the risk is
the same: an API server that answers every address on the internet is one leaked credential or
one authentication bug away from the cluster. The program does not close it by default, because
the Pulumi Kubernetes provider itself must reach the API from wherever `pulumi up` runs; the plan
says so instead, naming the key that closes it (docs/security.md, "Cluster access").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from .rules import Add

#: What "any address" looks like in an allowlist.
ANY_IPV4 = "0.0.0.0/0"


def open_to_internet(ranges: Sequence[str]) -> bool:
    """Whether an allowlist admits every IPv4 address (empty means no allowlist on every cloud)."""
    return not ranges or any(ipaddress.ip_network(r, strict=False).prefixlen == 0 for r in ranges if _is_network(r))


def _is_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def api_exposure(
    add: Add,
    *,
    ranges: Sequence[str],
    ranges_key: str,
    private: bool,
    private_key: str | None,
    cluster: str,
) -> None:
    """Warn when the API answers any address; refuse `0.0.0.0/0` next to a private endpoint.

    `private_key` is None on a cloud where the program offers no private endpoint (AKS: see
    docs/azure.md), so the warning then names the allowlist alone.
    """
    if private:
        if any(_is_network(r) and ipaddress.ip_network(r, strict=False).prefixlen == 0 for r in ranges):
            add(
                "hard",
                ranges_key,
                f"lists {ANY_IPV4} while {private_key} is true: a private endpoint exists to keep the API off the internet, "
                f"and {ANY_IPV4} admits every address. Fix: list the networks that may reach the API (e.g. your VPN's "
                "203.0.113.0/24), or remove the key.",
            )
        return
    if open_to_internet(ranges):
        closing = f"list the networks that may reach it in {ranges_key} (e.g. [203.0.113.0/24])"
        if private_key:
            closing += f", or set {private_key} to true (then `pulumi up` must run from inside the network)"
        add(
            "advice",
            ranges_key,
            f"the {cluster} API server accepts connections from any address on the internet (authentication still "
            f"applies, but one leaked credential or API-server flaw is then exposed to everyone). To close it, {closing}. "
            'See docs/security.md, "Cluster access".',
        )
