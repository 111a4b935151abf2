"""Attacks on a release: what an adversary holding people's original values achieves.

``linkage`` re-identifies people in the released rows (the release gate's figures); ``facts``
says what the attacker knows and how the release is compared with it.
"""

from anonymizer.attack.facts import Fact
from anonymizer.attack.linkage import LinkageReport, linkage_attack

__all__ = ["Fact", "LinkageReport", "linkage_attack"]
