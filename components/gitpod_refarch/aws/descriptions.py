"""What EC2 accepts in security-group and rule descriptions, as data, and a check at declaration.

EC2 refuses the whole request (and `pulumi up` stops) for one character outside its set, and no
schema knows the set: the provider only checks the length. The sets, from the EC2 API reference
(read Nov 2026):

* `CreateSecurityGroup` `GroupDescription`: "Up to 255 characters in length. Valid characters:
  a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*"
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html);
* a rule's `Description`: `IpRange` allows the same set, but `UserIdGroupPair` and `PrefixListId`
  (rules that reference another group or a prefix list) leave out "&": "a-z, A-Z, 0-9, spaces,
  and ._-:/()#,@[]+=;{}!$*"
  (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html). Rules use
  the smaller set, whatever they reference.
"""

from __future__ import annotations

import string
from typing import Literal

MAX_LENGTH = 255
GROUP_DESCRIPTION_CHARS: frozenset[str] = frozenset(string.ascii_letters + string.digits + " ._-:/()#,@[]+=&;{}!$*")
RULE_DESCRIPTION_CHARS: frozenset[str] = GROUP_DESCRIPTION_CHARS - {"&"}

Kind = Literal["group", "rule"]


def invalid_characters(text: str, kind: Kind) -> str:
    """The characters of `text` EC2 would refuse in that kind of description, in order of appearance."""
    allowed = GROUP_DESCRIPTION_CHARS if kind == "group" else RULE_DESCRIPTION_CHARS
    return "".join(dict.fromkeys(c for c in text if c not in allowed))


def ec2_description(text: str, kind: Kind = "rule") -> str:
    """`text`, or a ValueError naming what EC2 would refuse (a bug in this program, caught by the plan)."""
    bad = invalid_characters(text, kind)
    if bad or len(text) > MAX_LENGTH:
        raise ValueError(f"EC2 refuses the security {kind} description {text!r}: characters {bad!r}, length {len(text)}")
    return text
