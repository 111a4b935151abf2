"""Array helpers shared by every package (this module imports nothing from ``anonymizer``)."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-D integer array, by sorting it: NumPy 2's ``np.unique`` finds the
    distinct values of an integer array with a hash table, which for millions of distinct 64-bit
    hashes is two orders of magnitude slower than a sort (1M: 0.7 s against 8 ms; the merge of
    the 1M-row leak index spent 5.6 s in it). ``values`` is not modified.

    Integer arrays only: for floats ``np.unique`` folds every NaN into one, this keeps them all."""
    out = np.sort(values)
    if len(out) < 2:
        return out
    keep = np.empty(len(out), dtype=bool)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]
