"""Utility and linkability read categoricals through their codes: same figures as row-by-row text.

The reference below turns every cell into text and factorises the concatenated columns, the
plain reading of the definitions in ``risk/utility.py``; the module must agree with it on object
and categorical columns alike (NaN, "", "*", decimal commas, unused categories).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from anonymizer.risk.classes import missing_mask
from anonymizer.risk.utility import column_utility, linkability


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("")


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


def reference_utility(before: pd.Series, after: pd.Series) -> dict:
    b, a = _text(before).tolist(), _text(after).tolist()
    n = len(b)
    values = sorted(set(b) | set(a))
    pb = np.array([b.count(v) for v in values]) / n
    pa = np.array([a.count(v) for v in values]) / n
    joint = np.array(list(pd.Series(list(zip(b, a, strict=True))).value_counts()))
    h_in = _entropy(np.array(list(pd.Series(b).value_counts())))
    h_out = _entropy(np.array(list(pd.Series(a).value_counts())))
    bm, am = missing_mask(before), missing_mask(after)
    out = {"distinct_before": len(set(b)), "distinct_after": len(set(a)),
           "missing_before": int(bm.sum()), "missing_after": int(am.sum()),
           "tvd": 0.5 * float(np.abs(pb - pa).sum()),
           "changed_cells": sum(x != y for x, y in zip(b, a, strict=True)),
           "suppressed_cells": int((am & ~bm).sum()),
           "information_loss": (_entropy(joint) - h_out) / h_in if h_in > 0 else 0.0}
    out["share_changed"] = out["changed_cells"] / n

    def num(values, miss):
        vals = [float(v.replace(",", ".")) if not m else math.nan for v, m in zip(values, miss, strict=True)]
        return np.array(vals)

    try:
        nb, na = num(b, bm), num(a, am)
    except ValueError:
        return out
    if (~bm).any() and (~am).any():
        out["numeric"] = {"mean_before": np.nanmean(nb), "mean_after": np.nanmean(na),
                          "std_before": np.nanstd(nb), "std_after": np.nanstd(na)}
    return out


def reference_linkability(orig: pd.DataFrame, out: pd.DataFrame, qi: list[str]) -> float:
    o = list(zip(*[_text(orig[c]).tolist() for c in qi], strict=True))
    r = list(zip(*[_text(out[c]).tolist() for c in qi], strict=True))
    count = pd.Series(o).value_counts().to_dict()
    return float(np.mean([(oj == rj) / count[rj] if rj in count else 0.0 for oj, rj in zip(o, r, strict=True)]))


def _columns(rng: np.random.Generator, n: int, numeric: bool) -> tuple[pd.Series, pd.Series]:
    pool = (["12,5", "3", "7,25", "", None, "*", "40"] if numeric
            else ["Paris", "Lyon", "", None, "*", "Nice", "75", "**"])
    before = pd.Series(rng.choice(np.array(pool, dtype=object), n), dtype=object)
    after = before.where(rng.random(n) < 0.6, pd.Series(rng.choice(np.array(pool, dtype=object), n), dtype=object))
    return before, after


@pytest.mark.parametrize("numeric", [False, True])
@pytest.mark.parametrize("categorical", [False, True])
def test_column_utility_matches_text_reference(numeric, categorical):
    rng = np.random.default_rng(7 + numeric)
    before, after = _columns(rng, 400, numeric)
    if categorical:  # with an unused category, as a gathered column may carry
        before = before.astype("category").cat.add_categories(["unused"])
        after = after.astype("category")
    got = column_utility(before, after, aligned=True)
    want = reference_utility(before, after)
    assert ("numeric" in got) == ("numeric" in want) == numeric
    for key, value in want.items():
        if isinstance(value, dict):
            for k2, v2 in value.items():
                assert got[key][k2] == pytest.approx(float(v2)), (key, k2)
        else:
            assert got[key] == pytest.approx(value), key


@pytest.mark.parametrize("categorical", [False, True])
def test_linkability_matches_text_reference(categorical):
    rng = np.random.default_rng(3)
    cols = {}
    outs = {}
    for c, numeric in (("a", False), ("b", True), ("c", False)):
        cols[c], outs[c] = _columns(rng, 300, numeric)
    orig, out = pd.DataFrame(cols), pd.DataFrame(outs)
    if categorical:
        orig, out = orig.astype("category"), out.astype("category")
    got = linkability(orig, out, ["a", "b", "c"])
    assert got["share_linked_exact"] == pytest.approx(reference_linkability(orig, out, ["a", "b", "c"]))
    for c in "abc":
        assert got["share_qi_cells_unchanged"][c] == pytest.approx(
            float((_text(orig[c]).to_numpy() == _text(out[c]).to_numpy()).mean()))
