# src/anonymizer/attack/linkage.py's _row_classes at commit 855857a (before a released side that
# several comparators read - a fact's released codes, read by each of its comparators - was packed
# once, issue #21), kept verbatim - only its imports point at the module - as the reference the new
# one must equal code for code (tests/attack/test_row_classes_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.attack.facts import Comparator
from anonymizer.attack.linkage import _released_sides


def _row_classes(scored: list[Comparator], n: int) -> np.ndarray | None:
    """Per released row, its class among the rows ``scored`` cannot tell apart (the same released
    value of every fact, the same swapped class...): the scores of a person against two rows of one
    class are the same floats, so each (person, class) is scored once. None when the classes are
    nearly as many as the rows (nothing to gain)."""
    code = np.zeros(n, dtype=np.int64)
    span = 1  # the codes so far lie in [0, span): sides are packed into one number while it fits
    for c in scored:
        for side in _released_sides(c, n):
            side = np.asarray(side, dtype=np.int64)
            if not len(side):
                continue
            lo, width = int(side.min()), int(side.max()) + 2
            if span * width >= 2**62 or lo < -1:  # renumbered (by first appearance, as at the end)
                code, _ = pd.factorize(code)
                code = np.asarray(code, dtype=np.int64)
                span = int(code.max()) + 1
            code = code * width + side + 1
            span *= width
            if lo < -1:  # values the packing would confuse: renumbered at once, as before
                code, _ = pd.factorize(code)
                code = np.asarray(code, dtype=np.int64)
                span = int(code.max()) + 1
    code = np.asarray(pd.factorize(code)[0], dtype=np.int64)
    return code if n and int(code.max()) + 1 <= n // 2 else None
