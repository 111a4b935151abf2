# _measure of src/anonymizer/attack/linkage.py at commit 0cf6d4a (before it counted m over the distinct
# true pairs of a fact and the exact u of an eq comparator from its per-value tables, issue #21),
# kept verbatim as the reference (tests/attack/test_measure_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import math

import numpy as np

from anonymizer.attack.facts import UNKNOWN, Comparator
from anonymizer.attack.linkage import U_PAIRS, _agreeing_pairs, _evident, _learn_mapping, _u_se


def _measure(c: Comparator, n: int, rng: np.random.Generator, z_min: float,
             pairs: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """m and u of one comparator, its weights and whether it is strict (module doc).

    ``pairs``: the (person, other row) pairs u is measured on — pairs inside the candidate blocks
    once the blocking is known (module doc); else u is measured over all pairs."""
    c.w_agree = c.w_disagree = 0.0
    c.strict = False
    if c.type == "categorical":
        _learn_mapping(c, z_min)
        if c.type == "categorical":  # a table: m and u say how often a pair scores above 0
            idx = np.arange(n)
            own = c.contribution(idx, idx)
            c.known = int(((c.orig != UNKNOWN) & (c.rel != UNKNOWN)).sum())
            c.m = float((own > 0).mean())
            k = min(U_PAIRS, n * (n - 1))
            i, j = rng.integers(0, n, size=k), rng.integers(0, max(n - 1, 1), size=k)
            c.u = float((c.contribution(i, j + (j >= i)) > 0).mean())
            return
    idx = np.arange(n)
    a = c.agree(idx, idx)
    known = a >= 0
    c.known = int(known.sum())
    if c.known == 0:
        return
    c.m = float((a[known] == 1).mean())
    se = 0.0  # u's sampling error (0: counted exactly)
    if pairs is not None:
        b = c.agree(*pairs)
        kn = b >= 0
        if not kn.any():
            return
        c.u = float((b[kn] == 1).mean())
        total = float(kn.sum())
        se = _u_se(b, pairs)
    elif c.type == "eq":  # u exactly, from the two frequency tables
        o, r = c.orig[c.orig != UNKNOWN], c.rel[c.rel != UNKNOWN]
        if len(o) == 0 or len(r) == 0:
            return
        c.u = float(_agreeing_pairs(o, r) / (len(o) * float(len(r))))
        total = len(o) * float(len(r))
    else:
        k = min(U_PAIRS, n * (n - 1))
        i = rng.integers(0, n, size=k)
        j = rng.integers(0, n - 1, size=k)
        j = j + (j >= i)  # another row
        b = c.agree(i, j)
        kn = b >= 0
        if not kn.any():
            return
        c.u = float((b[kn] == 1).mean())
        total = float(kn.sum())
        se = _u_se(b, None)  # independent random pairs
    u = min(max(c.u, 0.5 / total), 1 - 0.5 / total)
    if not _evident(c.m, c.known, u, se, z_min):
        return
    c.w_agree = math.log(c.m / u)
    c.strict = c.m >= 1.0
    c.w_disagree = -math.inf if c.strict else math.log((1 - c.m) / (1 - u))
