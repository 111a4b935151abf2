"""ℓ-diversity, t-closeness and attribute inference for one sensitive attribute.

* **ℓ-diversity** (Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam 2007, "ℓ-diversity:
  privacy beyond k-anonymity", ACM TKDD 1(1)), per class:
  *distinct* ℓ = number of distinct sensitive values; *entropy* ℓ = exp(−Σ p log p);
  *recursive (c,ℓ)*: with the class's value counts sorted r₁ ≥ r₂ ≥ … ≥ r_m, the class is
  (c,ℓ)-diverse when r₁ < c·(r_ℓ + … + r_m); we report the largest such ℓ. The table's ℓ is the
  minimum over classes.
* **t-closeness** (Li, Li & Venkatasubramanian 2007, "t-closeness: privacy beyond k-anonymity
  and ℓ-diversity", ICDE), the Earth Mover's Distance between a class's distribution P and the
  whole table's Q: *equal distance* (categorical) EMD = ½ Σ|p_i − q_i|; *ordered distance*
  (numeric/ordinal, m ordered values) EMD = 1/(m−1) · Σ_i |Σ_{j≤i} (p_j − q_j)|. The table's t
  is the maximum over classes.
* **Inference** (WP29 Opinion 05/2014, "inference"): a record's sensitive value is *certain*
  when every record of its class has it, *near-certain* when at least ``near`` of them do.

Missing sensitive cells follow the module rule of :mod:`anonymizer.risk.classes` (a value of
their own, ``*``); in ordered distance that value sorts first.
All computations work on (class, value) pairs built with one factorisation: no Python loop
over records or classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.risk.classes import _blank_values, group_sorted
from anonymizer.values.numbers import to_numbers


def numeric_order(series: pd.Series) -> tuple[np.ndarray, int, bool]:
    """Codes 0..m-1 in the attribute's order and m; bool says whether the order is numeric.

    A column is ordered numerically when it has a numeric dtype or every non-missing value
    parses as a number (decimal comma accepted); otherwise codes follow first appearance (fine
    for equal distance). Missing cells are one value, first in the order. Work is done on the
    distinct values only.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    blank = _blank_values(uniq) if len(uniq) else np.zeros(0, dtype=bool)
    num = to_numbers(uniq)  # booleans are no numbers
    ordered = bool((~blank).any()) and bool(np.isfinite(num[~blank]).all())
    vals = np.r_[np.where(blank, -np.inf, num), -np.inf]  # last slot: NaN cells (code -1)
    if ordered:
        dense, levels = pd.factorize(vals)
        rank = np.empty(len(levels), dtype=np.int64)
        rank[np.argsort(np.asarray(levels, dtype=float), kind="stable")] = np.arange(len(levels))
        return _compact(rank[dense][codes]) + (True,)
    slot = np.r_[np.arange(1, len(uniq) + 1), 0]
    slot[:-1][blank] = 0
    return _compact(slot[codes]) + (False,)


def _compact(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber codes 0..m-1 keeping their order, dropping levels no record has (m = values present)."""
    present = np.bincount(codes) > 0
    remap = np.cumsum(present) - 1
    return remap[codes].astype(np.int64), int(present.sum())


def _pairs(class_id: np.ndarray, codes: np.ndarray, m: int):
    """(class, value) pairs sorted by class then value, with counts and each record's pair id.

    One sort of an int64 key (:func:`group_sorted`) instead of a hash table: on 10M records with
    millions of classes the sort is faster and gives the order the ordered EMD needs.
    """
    key = class_id.astype(np.int64) * m + codes
    pair_ids, counts, uniq = group_sorted(key)
    return pair_ids, uniq // m, uniq % m, counts


def diversity(class_id: np.ndarray, sizes: np.ndarray, codes: np.ndarray, m: int, *, ordered: bool,
              c: float = 3.0, near: float = 0.9) -> dict:
    """ℓ (distinct, entropy, recursive (c,ℓ)), t (equal, ordered) and inference for one attribute.

    ``class_id`` (kept records, 0..g-1), ``sizes`` (g), ``codes`` (kept records, 0..m-1 in order).
    """
    g = len(sizes)
    n = int(sizes.sum())
    if n == 0:
        return {"records": 0}
    pair_ids, pcls, pval, counts = _pairs(class_id, codes, m)
    # ℓ-diversity
    distinct = np.bincount(pcls, minlength=g)
    p = counts / sizes[pcls]
    entropy = np.bincount(pcls, weights=-p * np.log(p), minlength=g)
    # recursive (c,ℓ): a class with one value has ℓ = 1 if r1 < c·r1 (c > 1) else 0; the others
    # need their counts in decreasing order: one argsort of an int64 composite key, on them only
    recursive_l = np.where(distinct == 1, 1.0 if c > 1 else 0.0, 0.0)
    multi = distinct[pcls] > 1
    if multi.any():
        mc, mp = counts[multi], pcls[multi]
        cmax = int(mc.max()) + 1
        order = np.argsort(mp * cmax + (cmax - 1 - mc))
        cs, pc = mc[order], mp[order]
        starts = np.r_[0, np.flatnonzero(np.diff(pc)) + 1]
        ends = np.r_[starts[1:], len(pc)]
        seg = np.repeat(np.arange(len(starts)), ends - starts)
        cum = np.cumsum(cs)
        tail = cum[ends - 1][seg] - cum + cs
        r1 = cs[starts][seg]
        recursive_l += np.bincount(pc, weights=(r1 < c * tail).astype(float), minlength=g)
    # t-closeness, equal distance
    q_counts = np.bincount(codes, minlength=m)
    q = q_counts / n
    t_equal = 0.5 * (np.bincount(pcls, weights=np.abs(p - q[pval]) - q[pval], minlength=g) + 1.0)
    t_equal = np.clip(t_equal, 0.0, 1.0)
    out_t: dict = {"equal": {"max": float(t_equal.max()), "mean_over_records": float((t_equal * sizes).sum() / n)}}
    if ordered and m > 1:
        t_ord = _ordered_emd(pcls, pval, counts, sizes, q_counts, n, m)
        out_t["ordered"] = {"max": float(t_ord.max()), "mean_over_records": float((t_ord * sizes).sum() / n)}
    # inference: share of records whose own value dominates their class
    own_share = counts[pair_ids] / sizes[class_id]
    return {
        "records": n,
        "distinct_values": int(m),
        "ordered": bool(ordered),
        "l_distinct": int(distinct.min()),
        "l_entropy": float(np.exp(entropy.min())),
        "l_recursive": {"c": float(c), "l": int(recursive_l.min())},
        "classes_with_one_value": int((distinct == 1).sum()),
        "t_closeness": out_t,
        "inference": {
            "near_threshold": float(near),
            "records_certain": int((own_share >= 1.0).sum()),
            "share_certain": float((own_share >= 1.0).mean()),
            "records_near_certain": int((own_share >= near).sum()),
            "share_near_certain": float((own_share >= near).mean()),
        },
    }


def _ordered_emd(pcls, pval, counts, sizes, q_counts, n, m, *, chunk: int = 1 << 20) -> np.ndarray:
    """Ordered-distance EMD per class: 1/(m−1) Σ_i |P_i − Q_i| with cumulative P, Q.

    P is a step function changing only at the class's values; on each segment [a, b) where P
    is constant the sum Σ|P − Q_i| is read from prefix sums of Q (Q is non-decreasing), so the
    cost is O(pairs · log m), not O(classes · m). Pairs are processed in chunks cut at class
    boundaries, which bounds the temporary arrays (memory) on tables of millions of classes.
    """
    g = len(sizes)
    total = np.zeros(g)
    Q = np.cumsum(q_counts) / n
    SQ = np.r_[0.0, np.cumsum(Q)]
    npairs = len(pcls)
    lo = 0
    while lo < npairs:
        hi = min(npairs, lo + chunk)
        if hi < npairs:  # move the cut back to the first pair of the class straddling it
            cut = np.searchsorted(pcls[lo:hi], pcls[hi], side="left") + lo
            hi = cut if cut > lo else int(np.searchsorted(pcls, pcls[hi], side="right"))
        pc, pv, cnt = pcls[lo:hi], pval[lo:hi], counts[lo:hi]  # sorted by (class, value) by _pairs
        new = np.empty(len(pc), dtype=bool)
        new[0] = True
        np.not_equal(pc[1:], pc[:-1], out=new[1:])
        starts = np.flatnonzero(new)
        cum = np.cumsum(cnt)
        # cumulative count within the class = cum − cum at the end of the previous class
        offset = np.repeat(np.r_[0, cum[starts[1:] - 1]], np.diff(np.r_[starts, len(pc)]))
        P = (cum - offset) / sizes[pc]
        del cum, offset
        b = np.r_[pv[1:], m]
        b[np.r_[starts[1:] - 1, len(pc) - 1]] = m  # a class's last value runs to the end
        idx = np.clip(np.searchsorted(Q, P, side="right"), pv, b)
        seg_sum = P * (2 * idx - pv - b) - 2 * SQ[idx] + SQ[pv] + SQ[b]
        del P, idx, b
        total += np.bincount(pc, weights=seg_sum, minlength=g)
        total[pc[starts]] += SQ[pv[starts]]  # segment [0, first value): P = 0
        lo = hi
    return np.clip(total / (m - 1), 0.0, 1.0)
