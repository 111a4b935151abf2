# src/anonymizer/attack/facts.py's Comparator.contribution, .agree and ._dense at commit f4ca61e
# (before a member comparator read its (set, code) grid as one flat int8 table with the unknown
# code's column in it, and a comparator's score was read from [w_disagree, w_agree, 0.0] at its
# verdict instead of written into zeros through masks, issue #21), kept verbatim - only the
# methods became functions of the comparator (``self``) reading each other here, and the grid is
# cached as "dense_v1", apart from the new one's - as the reference the new ones must equal
# (tests/attack/test_member_scores_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np

from anonymizer.attack.facts import DENSE_CELLS, MEMBER_BASE, UNKNOWN


def contribution(self, i: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The score each pair (original i[k], released r[k]) gets from this comparator."""
    if self.type == "categorical":
        a, b = self._o(i), self._r(r)
        out = np.zeros(len(i))
        ok = (a != UNKNOWN) & (b != UNKNOWN)
        out[ok] = self.table[a[ok], b[ok]]
        return out
    agree = _agree(self, i, r)
    out = np.zeros(len(i))
    if self.w_strata is not None:
        w = self.w_strata[self.strata[r]]
        out[agree == 1] = w[agree == 1, 0]
        out[agree == 0] = w[agree == 0, 1]
        return out
    if self.w_agree:
        out[agree == 1] = self.w_agree
    if self.w_disagree:
        out[agree == 0] = self.w_disagree
    return out


def agree(self, i: np.ndarray, r: np.ndarray) -> np.ndarray:
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
    dense = _dense(self)
    if dense is not None:  # a (set, code) grid: one lookup per pair
        out = dense[sets, np.maximum(codes, 0)].view(np.int8)
    else:
        wanted = sets.astype(np.int64) * MEMBER_BASE + codes
        pos = np.minimum(np.searchsorted(self.members, wanted), max(len(self.members) - 1, 0))
        out = (self.members[pos] == wanted).astype(np.int8) if len(self.members) else np.zeros(len(i), np.int8)
    out[codes == UNKNOWN] = -1
    unknown_rows = self.extra.get("unknown_rows")
    if unknown_rows is not None:
        out[unknown_rows[r]] = -1
    return out


_agree = agree  # what contribution calls (its local ``agree`` holds the verdicts)


def _dense(self) -> np.ndarray | None:
    """A member comparator's sets as a boolean (set, code) grid, built once, when small enough
    (``DENSE_CELLS``); codes beyond the grid are in no set (the grid is widened to the
    original codes)."""
    got = self.extra.get("dense_v1")
    if got is None and "dense_v1" not in self.extra:
        sets = int(self.members[-1] // MEMBER_BASE) + 1 if len(self.members) else 0
        if self.set_of is not None:
            sets = max(sets, int(self.set_of.max()) + 1 if len(self.set_of) else 0)
        elif "rows" in self.extra:  # a set per released row: the grid spans every row
            sets = max(sets, int(self.extra["rows"]))
        else:
            self.extra["dense_v1"] = None
            return None
        width = max(int(self.orig.max()) + 1 if len(self.orig) else 0,
                    int((self.members % MEMBER_BASE).max()) + 1 if len(self.members) else 0, 1)
        if sets * width <= DENSE_CELLS:
            got = np.zeros((sets, width), dtype=bool)
            got[self.members // MEMBER_BASE, self.members % MEMBER_BASE] = True
        self.extra["dense_v1"] = got
    return got
