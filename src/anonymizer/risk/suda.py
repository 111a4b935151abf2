"""Special uniques: minimal sample uniques (MSU), SUDA and DIS-SUDA scores.

* A record is a *sample unique* on a set S of quasi-identifiers when no other record shares its
  values on S; S is a *minimal sample unique* (MSU) when moreover no proper subset of S makes it
  unique (Elliot, Manning & Ford 2002, "A computational algorithm for handling the special
  uniques problem", IJUFKS 10(5); Manning, Haglin & Keane 2008, SUDA2). Uniqueness is monotone,
  so checking the subsets of size |S|−1 is enough.
* **SUDA score** (Elliot et al. 2002, as sdcMicro's ``suda2(original_scores=TRUE)``): each MSU of
  size k adds Π_{i=k}^{M} (ATT − i), with ATT the number of quasi-identifiers and M the largest
  MSU size searched (at most ATT − 1). Small MSUs weigh most: one rare value alone is the worst.
* **DIS-SUDA** (Elliot 2000/2005, "DIS: a new approach to the measurement of statistical
  disclosure risk"): the file-level DIS — probability that a unique match is a correct match —
  is spread over records in proportion to their SUDA scores. Our approximation: DIS is the
  estimated share of sample uniques that are population uniques (Dankar's rule) when a
  population is known, 1 otherwise (worst case); a record's DIS-SUDA score is
  ``DIS · SUDA_i · n_msu / Σ_j SUDA_j`` capped at 1 (``n_msu`` = records with at least one MSU).

Only column *names* and counts leave this module, never values.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from anonymizer.risk.classes import combine_codes, compress

MAX_COMBINATIONS = 5000  # e.g. 31 quasi-identifiers up to size 3; more and the search stops at size 2


def _unique_mask(codes: list[np.ndarray], cards: list[int], cols: tuple[int, ...]) -> np.ndarray:
    key = combine_codes([codes[c] for c in cols], [cards[c] for c in cols])
    ids, g = compress(key)
    return np.bincount(ids, minlength=g)[ids] == 1


def suda_weight(size: int, att: int, max_size: int) -> int:
    """SUDA weight of one MSU of ``size`` columns: Π_{i=size}^{M} (ATT − i), M = min(max_size, ATT−1)."""
    top = min(max_size, att - 1)
    w = 1
    for i in range(size, top + 1):
        w *= att - i
    return w


def special_uniques(codes: list[np.ndarray], cards: list[int], names: list[str], *, max_size: int = 3,
                    dis: float = 1.0, top: int = 15) -> dict:
    """MSUs up to ``max_size`` columns, SUDA/DIS-SUDA scores, and the column sets behind them."""
    att = len(codes)
    n = len(codes[0]) if att else 0
    max_size = max(1, min(max_size, att))
    # cost grows with the number of column combinations: lower the size rather than run for hours
    while max_size > 1 and sum(comb(att, s) for s in range(1, max_size + 1)) > MAX_COMBINATIONS:
        max_size -= 1
    score = np.zeros(n, dtype=float)
    n_msu = np.zeros(n, dtype=np.int64)
    contrib = np.zeros(att, dtype=float)
    combos: list[dict] = []
    uniq: dict[tuple[int, ...], np.ndarray] = {}
    for size in range(1, max_size + 1):
        w = suda_weight(size, att, max_size)
        for cols in combinations(range(att), size):
            mask = _unique_mask(codes, cards, cols)
            uniq[cols] = mask
            if size > 1 and mask.any():
                for sub in combinations(cols, size - 1):
                    mask = mask & ~uniq[sub]
            cnt = int(mask.sum())
            if cnt:
                score[mask] += w
                n_msu[mask] += 1
                for c in cols:
                    contrib[c] += w * cnt
                combos.append({"columns": [names[c] for c in cols], "size": size, "records": cnt})
        # subsets two sizes below are no longer needed
        for key in [k for k in uniq if len(k) < size - 1]:
            del uniq[key]
    combos.sort(key=lambda d: (-d["records"], d["size"], d["columns"]))
    has = score > 0
    total = float(score.sum())
    dis_scores = np.zeros(n) if total == 0 else np.minimum(1.0, dis * score * has.sum() / total)
    # as sdcMicro: an MSU's weight counts for every column in it, shares of the total score
    # (so they may sum to more than 1)
    contrib_total = total
    return {
        "max_msu_size": int(max_size),
        "records_with_msu": int(has.sum()),
        "share_records_with_msu": float(has.mean()) if n else 0.0,
        "msu_count": int(n_msu.sum()),
        "msu_by_size": {str(s): int(sum(d["records"] for d in combos if d["size"] == s))
                        for s in range(1, max_size + 1)},
        "suda_score": {"max": float(score.max()) if n else 0.0, "mean": float(score.mean()) if n else 0.0,
                       "records_scored": int(has.sum())},
        "dis": float(dis),
        "dis_suda": {"max": float(dis_scores.max()) if n else 0.0, "mean": float(dis_scores.mean()) if n else 0.0,
                     "records_above_0_1": int((dis_scores > 0.1).sum())},
        "column_contribution": {names[c]: (float(contrib[c] / contrib_total) if contrib_total else 0.0)
                                for c in range(att)},
        "combinations": combos[:top],
        "combinations_total": len(combos),
        "_record_scores": score,  # dropped from the JSON report; kept for callers in Python
    }
