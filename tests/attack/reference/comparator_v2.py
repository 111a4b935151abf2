# src/anonymizer/attack/facts.py's Comparator.contribution and .agree at commit 855857a (before a
# member comparator could be given its released rows' sets, gathered once by the caller for every
# swapped fact sharing one class array, issue #21), kept verbatim - only the methods became
# functions of the comparator (``self``) reading each other here - as the reference the new ones
# must equal (tests/attack/test_member_scores_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np

from anonymizer.attack.facts import MEMBER_BASE, UNKNOWN


def contribution(self, i: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The score each pair (original i[k], released r[k]) gets from this comparator."""
    if self.type == "categorical":
        a, b = self._o(i), self._r(r)
        out = np.zeros(len(i))
        ok = (a != UNKNOWN) & (b != UNKNOWN)
        out[ok] = self.table[a[ok], b[ok]]
        return out
    agree = _agree(self, i, r)
    if self.w_strata is not None:
        out = np.zeros(len(i))
        w = self.w_strata[self.strata[r]]
        out[agree == 1] = w[agree == 1, 0]
        out[agree == 0] = w[agree == 0, 1]
        return out
    # the weight of each verdict read at it from [disagree, agree, nothing] (-1: the last): the
    # floats the three masked writes into zeros gave (a zero weight is no score), in one gather
    return np.array([self.w_disagree or 0.0, self.w_agree or 0.0, 0.0], dtype=np.float64)[agree]


def _agree(self, i: np.ndarray, r: np.ndarray) -> np.ndarray:
    """For pairs (original i[k], released r[k]): 1 agree, 0 disagree, -1 unknown."""
    if self.type in ("eq", "categorical"):
        a, b = self._o(i), self._r(r)
        out = (a == b).astype(np.int8)
        out[(b == UNKNOWN) | (a == UNKNOWN)] = -1
        return out
    if self.type == "dist":
        x, at = self._o(i), r if self.r_at is None else self.r_at[r]
        lo, hi = self._rel[:, 0][at], self._rel[:, 1][at]  # each bound gathered alone (not (k, 2) rows)
        gap = np.maximum(np.maximum(lo - x, x - hi), 0.0)
        out = (gap <= self.width).astype(np.int8)
        out[np.isnan(x) | np.isnan(lo)] = -1
        return out
    # member: is the original code among the released row's set's codes?
    codes = self._o(i)
    sets = r if self.set_of is None else self.set_of[r]
    dense = self._dense()
    if dense is not None:  # a (set, code) grid, the unknown code's column first: one lookup per pair
        grid, stride, odd = dense
        if odd:  # codes below UNKNOWN read code 0, as the boolean grid read them
            codes = np.where(codes == UNKNOWN, UNKNOWN, np.maximum(codes, 0))
        at = np.multiply(sets, stride, dtype=np.int64)  # a negative set counts from the end, as a row would
        at += codes
        at += 1
        out = grid[at]
    else:
        wanted = sets.astype(np.int64) * MEMBER_BASE + codes
        pos = np.minimum(np.searchsorted(self.members, wanted), max(len(self.members) - 1, 0))
        out = (self.members[pos] == wanted).astype(np.int8) if len(self.members) else np.zeros(len(i), np.int8)
        out[codes == UNKNOWN] = -1
    unknown_rows = self.extra.get("unknown_rows")
    if unknown_rows is not None:
        out[unknown_rows[r]] = -1
    return out



agree = _agree
