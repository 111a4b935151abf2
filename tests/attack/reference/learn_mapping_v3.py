# _learn_mapping of src/anonymizer/attack/linkage.py at commit d48292e (before it read a comparator's
# per-row arrays once and mapped its per-distinct-value table in place of its rows, issue #21 memory),
# kept verbatim as the reference (tests/attack/test_compact_comparators.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np

from anonymizer.attack.facts import UNKNOWN, Comparator
from anonymizer.attack.linkage import ALPHA, MIN_SUPPORT, _chi2_z, _z_for


def _learn_mapping(c: Comparator, z_min: float) -> None:
    """A ``categorical`` comparator from the true pairs.

    Weights learnt from the very pairs being attacked could memorise them (a keyed fake seen
    once would "map" to its original). So the release is taken to treat the fact as a *function*
    of its value (kept, relabelled, generalised; ``*`` aside) only when the values seen at least
    twice — covering most pairs — each come out as one value; the mapping then applies to every
    value, rare ones included, as it would for an attacker who knows the method: an ``eq``
    comparator on the mapped value. Otherwise it is a table of log-likelihood ratios per
    (original, released) value pair, counted only where at least ``MIN_SUPPORT`` true pairs and a
    significant departure from chance (|z| >= z_min) support them."""
    known = (c.orig != UNKNOWN) & (c.rel != UNKNOWN)
    a, b = c.orig[known], c.rel[known]
    if len(a) == 0:
        c.type = "eq"
        return
    na, nb = int(c.orig.max()) + 1, int(max(c.rel.max(), 0)) + 1
    # the distinct (a, b) pairs and their counts, sorted by a: plain NumPy (a table of a few rows
    # per column of a wide table costs more in pandas' fixed costs than in the counting)
    cell, count = np.unique(a * nb + b, return_counts=True)
    pa, pb = cell // nb, cell % nb
    seen_a, per_a = np.unique(pa, return_counts=True)  # per original value: how many released values
    n_of_a = np.bincount(a, minlength=na)
    supported = n_of_a[seen_a] >= 2
    covered = n_of_a[seen_a[supported]].sum() / len(a)
    if covered >= 0.5 and (per_a[supported] == 1).all():  # a function: compare the mapped value
        mapping = np.full(na, UNKNOWN, dtype=np.int64)
        mapping[pa] = pb  # each value shows one value (singletons: what they showed, the function's value)
        c.orig = np.where(c.orig == UNKNOWN, UNKNOWN, mapping[np.maximum(c.orig, 0)])
        c.type = "eq"
        return
    if na * nb > 4_000_000:  # too many values for a table: compare as they are written
        c.orig, c.rel = c.extra["equal"]
        c.type, c.how = "eq", "equal"
        return
    n_a = np.bincount(a, minlength=na).astype(np.float64)
    p_b = np.bincount(c.rel[c.rel != UNKNOWN], minlength=nb).astype(np.float64)
    p_b /= p_b.sum()
    n_ab = np.zeros((na, nb))
    n_ab[pa, pb] = count
    expected = n_a[:, None] * p_b[None, :]
    cells = expected > 0
    chi2 = float((((n_ab - expected) ** 2)[cells] / expected[cells]).sum())
    df = (int((n_a > 0).sum()) - 1) * (int((p_b > 0).sum()) - 1)
    if _chi2_z(chi2, df) < z_min:  # released values independent of the originals: no evidence at all
        c.table = np.zeros((na, nb))
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (n_ab - expected) / np.sqrt(expected * (1 - p_b[None, :]))
        w = np.log(((n_ab + ALPHA * p_b[None, :]) / (n_a[:, None] + ALPHA)) / p_b[None, :])
    evident = (np.abs(z) >= max(z_min, _z_for(int(cells.sum())))) & ((n_ab >= MIN_SUPPORT) | (n_ab == 0))
    w[~evident | ~np.isfinite(w)] = 0.0
    c.table = w
    c.w_agree = float(w.max()) if w.size else 0.0
