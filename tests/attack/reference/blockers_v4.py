# _blockers of src/anonymizer/attack/linkage.py at commit 0cf6d4a (before it read each comparator's
# hidden codes once and numbered the patterns by factorisation, issue #21), kept verbatim as the
# reference (tests/attack/test_measure_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np

from anonymizer.attack.facts import UNKNOWN, Comparator
from anonymizer.attack.linkage import MAX_PATTERNS


def _blockers(strict: list[Comparator]) -> list[Comparator]:
    """The strict comparators candidates are looked up by: per fact the one released rows hide
    least (a coarse bin known for every row beats a fine one that local recoding hides in half
    of them), added while the rows' patterns of hidden codes stay few (each pattern is an index).
    The others still rule candidates out, in the scoring."""
    best: dict[str, Comparator] = {}
    for c in strict:
        hidden = int((c.rel == UNKNOWN).sum())
        if c.fact not in best or hidden < int((best[c.fact].rel == UNKNOWN).sum()):
            best[c.fact] = c
    chosen: list[Comparator] = []
    pattern = np.zeros(len(strict[0].rel) if strict else 0, dtype=np.int64)  # per row: its pattern so far
    for c in sorted(best.values(), key=lambda c: int((c.rel == UNKNOWN).sum())):
        trial = pattern * 2 + (c.rel == UNKNOWN)
        distinct, inverse = np.unique(trial, return_inverse=True)
        if len(distinct) <= MAX_PATTERNS:
            chosen.append(c)
            pattern = inverse.reshape(-1).astype(np.int64)
    return chosen
