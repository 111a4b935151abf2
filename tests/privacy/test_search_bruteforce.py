"""The search's optimum equals an exhaustive pandas search (tests/privacy/_bruteforce.py) on generated
tables for every model and metric, and on Adult over the whole lattice of 12,960 transformations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from anonymizer.privacy import Hierarchy, search

from ._bruteforce import brute_force

ROWS = {
    "age": [[str(v), f"{v // 2 * 2}-{v // 2 * 2 + 1}", f"{v // 4 * 4}-{v // 4 * 4 + 3}", "*"] for v in range(8)],
    "zone": [["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"], ["e", "e", "*"]],
    "sex": [["1", "*"], ["2", "*"]],
}
SENS = ["s0", "s1", "s2", "s3", "s4"]


def table(draw_rows):
    return pd.DataFrame(draw_rows, columns=["age", "zone", "sex", "diag"])


row_st = st.tuples(st.sampled_from([r[0] for r in ROWS["age"]]), st.sampled_from([r[0] for r in ROWS["zone"]]),
                   st.sampled_from(["1", "2"]), st.sampled_from(SENS))


def hierarchies(cols=("age", "zone", "sex")):
    return {c: Hierarchy([list(r) for r in ROWS[c]], name=c) for c in cols}


def _check(df, opts):
    rows = {c: ROWS[c] for c in ("age", "zone", "sex")}
    best, best_nodes, evaluate = brute_force(df, rows, **opts)
    r = search(df, hierarchies(), **opts)
    if not best_nodes:
        assert r.levels is None
        return
    assert r.levels is not None and r.exact
    assert r.information_loss == pytest.approx(best, rel=1e-9, abs=1e-9)
    ok, sup, val = evaluate(r.levels)  # the chosen node, re-checked independently
    assert ok and sup == r.suppressed
    assert val == pytest.approx(best, rel=1e-9, abs=1e-9)
    ex = search(df, hierarchies(), strategy="exhaustive", **opts)
    assert ex.information_loss == pytest.approx(best, rel=1e-9, abs=1e-9)
    greedy = search(df, hierarchies(), strategy="greedy", **opts)
    assert not greedy.exact
    if greedy.levels is not None:  # a heuristic: feasible, never better than the optimum
        g_ok, _, g_val = evaluate(greedy.levels)
        assert g_ok and g_val >= best - 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=8, max_size=50), k=st.integers(1, 6),
       supp=st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]),
       metric=st.sampled_from(["loss", "entropy", "entropy_monotonic", "discernibility", "precision", "aecs", "height"]))
def test_k_anonymity_all_metrics_match_bruteforce(rows, k, supp, metric):
    _check(table(rows), dict(k=k, max_suppression=supp, metric=metric))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=8, max_size=50), l=st.sampled_from([2, 3]),  # noqa: E741
       variant=st.sampled_from(["distinct", "entropy", "recursive"]), c=st.sampled_from([1.0, 2.0, 3.0]),
       k=st.sampled_from([None, 2, 3]), supp=st.sampled_from([0.0, 0.1, 0.3]),
       metric=st.sampled_from(["loss", "entropy", "discernibility"]))
def test_l_diversity_matches_bruteforce(rows, l, variant, c, k, supp, metric):  # noqa: E741
    _check(table(rows), dict(k=k, l=l, l_variant=variant, c=c, sensitive="diag", max_suppression=supp, metric=metric))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=8, max_size=50), t=st.sampled_from([0.1, 0.2, 0.35, 0.5]),
       variant=st.sampled_from(["equal", "ordered"]), k=st.sampled_from([None, 2]),
       supp=st.sampled_from([0.0, 0.1, 0.3]), metric=st.sampled_from(["loss", "entropy", "precision"]))
def test_t_closeness_matches_bruteforce(rows, t, variant, k, supp, metric):
    _check(table(rows), dict(k=k, t=t, t_variant=variant, sensitive="diag", max_suppression=supp, metric=metric))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=8, max_size=80), k=st.integers(2, 8),
       l=st.sampled_from([None, 2]), supp=st.sampled_from([0.05, 0.2, 0.5, 1.0]),  # noqa: E741
       metric=st.sampled_from(["loss", "entropy", "precision"]))
def test_top_down_walk_finds_the_optimum_first_in_tie_order(rows, k, l, supp, metric):  # noqa: E741
    """With a suppression budget the top-down walk (bounds raised from suppressed records) replaces the
    bound-ordered walk: the brute force's optimum, and among tied optima the first in the documented
    (bound, level sum, index) order. (The bound-ordered walk's pre-pass can stop at a later tied node:
    it returned (0, 0, 1) for (0, 0, 0) on 8 rows of age 0 and one of age 4, k = 5, entropy.)"""
    from anonymizer.privacy import lattice as L
    from anonymizer.privacy import models as M
    from anonymizer.privacy.metrics import make_metric

    df = table(rows)
    qis = ["age", "zone", "sex"]
    opts = dict(k=k, l=l, sensitive="diag" if l else None, max_suppression=supp, metric=metric)
    best, best_nodes, _ = brute_force(df, {c: ROWS[c] for c in qis}, **opts)
    prob = L._Problem(df, hierarchies(), qis, opts["sensitive"], M.Models(k=k, l=l), supp)
    assume(prob.budget > 0)
    met = make_metric(metric)
    met.prepare(prob)
    floors = L._Floors(prob, met)
    assert floors.kind is not None  # loss, entropy and precision all have a floor
    came_down, _, exact = L._descend(prob, met, None, floors)
    assert exact
    if not best_nodes:
        assert came_down is None
        return
    assert came_down[1] == pytest.approx(best, rel=1e-9, abs=1e-9)
    tied = np.array([[n[q] for q in qis] for n in best_nodes], dtype=np.int64)
    radix = np.array([len(ROWS["zone"][0]) * len(ROWS["sex"][0]), len(ROWS["sex"][0]), 1])
    key = sorted(zip(np.round(met.bound(tied), 12), tied.sum(axis=1), tied @ radix, map(tuple, tied.tolist()), strict=True))
    assert came_down[0] == key[0][3]
    walked, _, _ = L._exact(prob, met, None, descend=False)
    assert walked[1] == pytest.approx(best, rel=1e-9, abs=1e-9)


def test_hand_made_tricky_table():
    # Two singletons force either suppression (budget 2 of 10) or generalising age: with suppression
    # the optimum keeps every level at 0; without it age must go to the band level.
    df = pd.DataFrame({
        "age": ["0", "0", "0", "1", "1", "1", "6", "7", "0", "1"],
        "zone": ["a"] * 10, "sex": ["1"] * 10, "diag": ["s0"] * 10,
    })
    r = search(df, hierarchies(), k=2, max_suppression=0.2, metric="height")
    assert r.levels == {"age": 0, "zone": 0, "sex": 0} and r.suppressed == 2
    r0 = search(df, hierarchies(), k=2, max_suppression=0.0, metric="height")
    assert r0.levels == {"age": 1, "zone": 0, "sex": 0} and r0.suppressed == 0


def test_infeasible_returns_none():
    df = pd.DataFrame({"age": ["0", "1"], "zone": ["a", "b"], "sex": ["1", "2"], "diag": ["s0", "s1"]})
    r = search(df, hierarchies(), k=3)
    assert r.levels is None and not r.feasible


# --- Adult, whole lattice -------------------------------------------------------------------------

def _adult_bruteforce_loss(df, rows, qis, k, supp):
    """Exhaustive k-anonymity + ARX loss over all 12,960 nodes, numpy version of _bruteforce (same
    definitions, vectorised so it runs in seconds): generalised codes per (column, level), classes by
    a hash of a mixed-radix key."""
    n = len(df)
    budget = math.floor(supp * n + 1e-9)
    codes, shares = {}, {}
    for col in qis:
        hrows = rows[col]
        for lv in range(len(hrows[0])):
            mapping = {r[0]: r[lv] for r in hrows}
            gen = df[col].map(mapping)
            cnt = pd.Series([r[lv] for r in hrows]).value_counts() / len(hrows)
            codes[col, lv] = pd.factorize(gen)[0]
            shares[col, lv] = gen.map(cnt).to_numpy(dtype=float)
    import itertools

    best, best_node = math.inf, None
    for levels in itertools.product(*[range(len(rows[c][0])) for c in qis]):
        key = np.zeros(n, dtype=np.int64)
        for col, lv in zip(qis, levels, strict=True):  # Adult's product of cardinalities fits in int64
            key = key * (codes[col, lv].max() + 1) + codes[col, lv]
        inv = pd.factorize(key)[0]
        counts = np.bincount(inv)
        sup_mask = counts[inv] < k
        if sup_mask.sum() > budget:
            continue
        per = []
        for col, lv in zip(qis, levels, strict=True):
            agg = np.where(sup_mask, 1.0, shares[col, lv]).sum()
            lo = n / len(rows[col])
            per.append(max((agg - lo) / (n - lo), 0.0))
        val = float(np.prod([(v + 1) ** (1 / len(per)) for v in per]) - 1)
        if val < best - 1e-12:
            best, best_node = val, dict(zip(qis, levels, strict=True))
    return best, best_node


@pytest.mark.slow
@pytest.mark.parametrize("supp", [0.0, 0.02, 1.0])
def test_adult_whole_lattice_loss_matches_bruteforce(shared_data, supp):
    import csv

    from anonymizer.privacy import load_hierarchies

    df = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str, keep_default_na=False)
    rows = {}
    for path in sorted((shared_data / "adult").glob("adult_hierarchy_*.csv")):
        with open(path, newline="") as fh:
            rows[path.stem.split("_hierarchy_")[1]] = [r for r in csv.reader(fh, delimiter=";") if r]
    qis = list(df.columns)
    best, best_node = _adult_bruteforce_loss(df, rows, qis, 5, supp)
    r = search(df, load_hierarchies(shared_data / "adult"), k=5, max_suppression=supp, metric="loss")
    assert r.information_loss == pytest.approx(best, rel=1e-12)
    assert r.levels == best_node


def test_large_lattice_falls_back_to_heuristic_and_says_so():
    rng = np.random.default_rng(0)
    df = table([(str(rng.integers(8)), "abcde"[rng.integers(5)], "12"[rng.integers(2)], "s0") for _ in range(60)])
    rows = {c: ROWS[c] for c in ("age", "zone", "sex")}
    best, _, evaluate = brute_force(df, rows, k=3, max_suppression=0.05)
    r = search(df, hierarchies(), k=3, max_suppression=0.05, max_exact_nodes=10)  # lattice has 24 nodes
    assert r.exact is False and r.to_dict()["search"] == "heuristic"
    ok, _, val = evaluate(r.levels)
    assert ok and val >= best - 1e-9
    # a zero time budget stops the exact search at once: the answer is still feasible, flagged heuristic
    r0 = search(df, hierarchies(), k=3, max_suppression=0.05, time_budget=1e-9)
    assert r0.exact is False and evaluate(r0.levels)[0]
