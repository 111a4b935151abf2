# src/anonymizer/attack/linkage.py's _score_pairs at commit d48292e (before a comparator scored by
# agreement alone read an int8 agreement table and its three scores instead of a float64 score table,
# issue #21 memory), kept verbatim - only its imports point at the module - as the reference the new
# one must equal float for float (tests/attack/test_score_pairs_memory.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.attack.facts import Comparator
from anonymizer.attack.linkage import _fact_table, _reps, _row_dependent


def _score_pairs(ii: np.ndarray, rr: np.ndarray, scored: list[Comparator],
                 rclass: np.ndarray | None = None) -> np.ndarray:
    """Score of each pair (original ii[k], released rr[k]), comparator by comparator in the order
    of ``scored``: a comparator of two values from its table of (original value, released value)
    scores when it has one, else on the distinct value pairs present (each fact's pairs coded and
    deduplicated once for all its comparators); row-dependent comparators pair by pair.
    ``rclass`` (:func:`_row_classes` of ``scored``): each (original, class of released rows) is
    scored once, on its first pair."""
    if rclass is not None and len(ii) > 1:
        inverse, _pairs = pd.factorize(ii * (int(rclass.max()) + 1) + rclass[rr])
        if len(_pairs) < len(ii):
            first = np.zeros(len(_pairs), dtype=np.int64)
            first[inverse[::-1]] = np.arange(len(ii))[::-1]
            return _score_pairs(ii[first], rr[first], scored)[inverse]
    total = np.zeros(len(ii), dtype=np.float64)
    flat: dict[int, np.ndarray] = {}     # per fact (its value codes): each pair's (original, released) value cell
    distinct: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    # a fact's per-pair arrays are dropped after its last comparator: kept for every fact they were
    # two int64 arrays per fact and pair (76 facts x 4 million pairs: 2.4 GB, the attack's peak)
    last = {id(c.value_codes[0]): i for i, c in enumerate(scored) if not _row_dependent(c)}
    for i, c in enumerate(scored):
        if _row_dependent(c):
            total += c.contribution(ii, rr)
            continue
        o, r = c.value_codes
        nr = int(r.max()) + 1
        key = id(o)
        cell = flat.get(key)
        if cell is None:
            cell = flat[key] = o[ii] * nr + r[rr]
        done = last[key] == i
        if done:
            del flat[key]
        table = _fact_table(c, len(ii))
        if table is not None:
            total += table[cell]
            if done:
                distinct.pop(key, None)
            continue
        got = distinct.pop(key, None) if done else distinct.get(key)
        if got is None:
            inverse, cells = pd.factorize(cell)
            rep_o, rep_r = _reps(c)
            got = (inverse, rep_o[cells // nr], rep_r[cells % nr])
            if not done:
                distinct[key] = got
        del cell
        inverse, ri, rj = got
        total += c.contribution(ri, rj)[inverse]
    return total
