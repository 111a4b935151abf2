"""k-anonymity, prosecutor risk, ℓ-diversity, t-closeness and SUDA against hand-computed values,
published sdcMicro / SDC Practice Guide examples, ARX's adult figures and brute force."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.risk import risk_report
from anonymizer.risk.classes import encode_table, equivalence_classes
from anonymizer.risk.suda import special_uniques

# SDC Practice Guide (Benschop, Machingauta & Welch, World Bank/IHSN), the 10-record table of
# its risk chapter; sdcMicro's tests/testthat/test_suda2.R "suda2 sdc guideline" uses it too.
GUIDE = pd.DataFrame({
    "Residence": ["Urban", "Urban", "Urban", "Urban", "Rural", "Urban", "Urban", "Urban", "Urban", "Urban"],
    "Gender": ["Female", "Female", "Female", "Male", "Female", "Male", "Female", "Male", "Female", "Female"],
    "Education": ["Secondary incomplete", "Secondary incomplete", "Primary incomplete", "Secondary complete",
                  "Secondary complete", "Secondary complete", "Primary complete", "Post-secondary",
                  "Secondary incomplete", "Secondary incomplete"],
    "Labor": ["Employed", "Employed", "Non-LF", "Employed", "Unemployed", "Employed", "Non-LF", "Unemployed",
              "Non-LF", "Non-LF"],
})
GUIDE_FK = [2, 2, 1, 2, 1, 2, 1, 1, 2, 2]  # by hand: rows 1-2, 4-6 and 9-10 share their keys


def test_guide_sample_frequencies_and_prosecutor_risk():
    cl = equivalence_classes(GUIDE, list(GUIDE.columns))
    assert cl.record_sizes().tolist() == GUIDE_FK
    rep = risk_report(GUIDE, list(GUIDE.columns), k=2)
    assert rep["k_anonymity"]["k_achieved"] == 1
    assert rep["prosecutor"]["sample_uniques"] == 4
    assert rep["prosecutor"]["average"] == pytest.approx((6 * 0.5 + 4 * 1.0) / 10)
    assert rep["prosecutor"]["highest"] == 1.0
    assert rep["k_anonymity"]["records_below_k"] == 4
    assert rep["marketer"]["average"] == pytest.approx(7 / 10)  # 7 classes / 10 records


def test_suda_scores_sdc_guideline_example():
    # sdcMicro test_suda2.R: expect_equal(su$score, c(0,0,6,0,12,0,6,10,0,0))
    codes, cards = encode_table(GUIDE, list(GUIDE.columns))
    res = special_uniques(codes, cards, list(GUIDE.columns), max_size=4)
    assert res["_record_scores"].tolist() == [0, 0, 6, 0, 12, 0, 6, 10, 0, 0]


def test_suda_scores_book_example():
    # sdcMicro test_suda2.R "suda2 book example": su$score[5:8] == c(4, 2, 6, 8)
    tab = pd.DataFrame({
        "age": ["20s"] * 7 + ["60s"],
        "gender": ["male"] * 4 + ["female"] * 3 + ["male"],
        "income": ["50k+", "50k+"] + ["50k-"] * 6,
        "education": ["highschool"] * 4 + ["university", "highschool", "middleschool", "university"],
    })
    codes, cards = encode_table(tab, list(tab.columns))
    res = special_uniques(codes, cards, list(tab.columns), max_size=4)
    assert res["_record_scores"][4:8].tolist() == [4, 2, 6, 8]


def test_suda_attribute_contributions_sdcmicro_example():
    # sdcMicro test_suda2.R "simple example contribution": a 50 %, b 37.5 %, c 37.5 %
    dat = pd.DataFrame({"a": ["2", "1", "1"], "b": ["0", "3", "0"], "c": ["0", "6", "0"]})
    codes, cards = encode_table(dat, list(dat.columns))
    res = special_uniques(codes, cards, list(dat.columns), max_size=3)
    assert res["column_contribution"] == pytest.approx({"a": 0.5, "b": 0.375, "c": 0.375})


def test_adult_average_and_highest_risk_match_arx(shared_data):
    # ARX TestRiskMetrics.testAverageRisk2 / testHighestIndividualRisk2 (before anonymisation)
    df = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str)
    rep = risk_report(df, list(df.columns), sampling_fraction=0.1)
    assert rep["prosecutor"]["average"] == 0.6465751607983555
    assert rep["prosecutor"]["highest"] == 1.0
    assert rep["prosecutor"]["share_sample_uniques"] == 0.5142895033485844  # ARX testDecisionRule2, f = 1
    # marketer without population = classes / records, which is ARX's average risk on the same table
    assert risk_report(df, list(df.columns))["marketer"]["average"] == pytest.approx(0.6465751607983555, abs=1e-15)
    assert rep["population_uniqueness"]["dankar"]["model"] == "pitman"


def test_missing_rule_sdcmicro_ldiversity_example():
    # sdcMicro test_ldiversity.R: NA occupation rows 1-3 form one group with 3 distinct values
    t = pd.DataFrame({
        "sex": ["female", "female", "female", "male", "male", "female", "female"],
        "occupation": ["", "", "", "teacher", "teacher", "nurse", "nurse"],
        "ethnicity": ["other"] * 5 + ["majority"] * 2,
        "sensitive": ["1", "0", "2", "1", "0", "0", "1"],
    })
    rep = risk_report(t, ["sex", "occupation", "ethnicity"], ["sensitive"], k=2)
    assert rep["sensitive"]["sensitive"]["l_distinct"] == 2
    assert rep["k_anonymity"]["histogram"][1]["classes"] == 2  # two classes of size 2
    assert rep["k_anonymity"]["histogram"][2]["classes"] == 1  # the missing-occupation class of 3


def test_missing_cells_are_a_value_and_all_missing_rows_are_suppressed():
    t = pd.DataFrame({"a": ["x", "", "*", "x", "", "**"], "b": ["1", "1", "1", "1", "", "*"]})
    rep = risk_report(t, ["a", "b"], k=2)
    assert rep["dataset"]["suppressed_records"] == 2  # rows 5 and 6: every QI missing
    assert rep["dataset"]["records_kept"] == 4
    # ("x","1") x2 and ("*","1") x2: "" and "*" are the same missing value
    assert rep["k_anonymity"]["k_achieved"] == 2
    assert rep["dataset"]["missing_qi_cells"] == {"a": 4, "b": 2}


def test_typed_columns_with_nan():
    t = pd.DataFrame({"age": [30, 30, np.nan, np.nan, 41], "sex": ["F", "F", "M", "M", "M"]})
    rep = risk_report(t, ["age", "sex"])
    assert rep["prosecutor"]["sample_uniques"] == 1
    assert rep["k_anonymity"]["classes"] == 3


def test_small_cells_and_threshold():
    sizes = [1, 3, 10, 11, 25]
    t = pd.DataFrame({"g": sum(([str(i)] * s for i, s in enumerate(sizes)), [])})
    rep = risk_report(t, ["g"], small_cell=11, threshold=0.2, k=5)
    assert rep["small_cells"]["classes_under_threshold"] == 3
    assert rep["small_cells"]["records_in_small_classes"] == 14
    assert rep["prosecutor"]["records_above_threshold"] == 4  # risks 1 and 1/3 exceed 0.2
    assert rep["k_anonymity"]["records_below_k"] == 4
    assert rep["journalist"]["highest"] == rep["prosecutor"]["highest"]  # no population: equal


def test_journalist_with_sampling_fraction():
    t = pd.DataFrame({"g": ["a", "b", "b", "c", "c", "c", "c"]})
    rep = risk_report(t, ["g"], sampling_fraction=0.25)
    # population class sizes 4, 8, 16 → highest 1/4, average (1/4 + 2/8 + 4/16) / 7
    assert rep["journalist"]["highest"] == pytest.approx(0.25)
    assert rep["journalist"]["average"] == pytest.approx((0.25 + 0.25 + 0.25) / 7)


# ---------------------------------------------------------------- brute force (hypothesis)

tables = st.integers(min_value=1, max_value=40).flatmap(lambda n: st.tuples(
    st.lists(st.sampled_from(["a", "b", "c", ""]), min_size=n, max_size=n),
    st.lists(st.sampled_from(["1", "2"]), min_size=n, max_size=n),
    st.lists(st.sampled_from(["10", "20", "30", "40", "7"]), min_size=n, max_size=n),
))


def _norm(v: str) -> str:
    return "*" if v.strip("*") == "" else v


@settings(max_examples=150, deadline=None)
@given(tables)
def test_brute_force_k_prosecutor_l_t(data):
    q1, q2, s = data
    df = pd.DataFrame({"q1": q1, "q2": q2, "s": s})
    rep = risk_report(df, ["q1", "q2"], ["s"], k=3, l_c=2.0)
    keys = [(_norm(a), _norm(b)) for a, b in zip(q1, q2, strict=True)]
    kept = [i for i, key in enumerate(keys) if key != ("*", "*")]
    groups: dict = {}
    for i in kept:
        groups.setdefault(keys[i], []).append(i)
    if not kept:
        assert rep["dataset"]["records_kept"] == 0
        return
    sizes = [len(g) for g in groups.values()]
    assert rep["k_anonymity"]["k_achieved"] == min(sizes)
    assert rep["k_anonymity"]["records_below_k"] == sum(x for x in sizes if x < 3)
    risks = [1 / len(groups[keys[i]]) for i in kept]
    assert rep["prosecutor"]["average"] == pytest.approx(sum(risks) / len(risks))
    assert rep["prosecutor"]["sample_uniques"] == sum(1 for x in sizes if x == 1)
    # ℓ and t, from the definitions (Machanavajjhala et al. 2007; Li et al. 2007)
    vals_all = [s[i] for i in kept]
    order = sorted(set(vals_all), key=float)
    q = Counter(vals_all)
    ld, le, lr, te, to = [], [], [], [], []
    for g in groups.values():
        c = Counter(s[i] for i in g)
        ld.append(len(c))
        le.append(math.exp(-sum(v / len(g) * math.log(v / len(g)) for v in c.values())))
        r = sorted(c.values(), reverse=True)
        lr.append(max([ll for ll in range(1, len(r) + 1) if r[0] < 2.0 * sum(r[ll - 1:])], default=0))
        te.append(0.5 * sum(abs(c[v] / len(g) - q[v] / len(vals_all)) for v in order))
        cum, acc = 0.0, 0.0
        for v in order:
            cum += c[v] / len(g) - q[v] / len(vals_all)
            acc += abs(cum)
        to.append(acc / (len(order) - 1) if len(order) > 1 else 0.0)
    d = rep["sensitive"]["s"]
    assert d["l_distinct"] == min(ld)
    assert d["l_entropy"] == pytest.approx(min(le))
    assert d["l_recursive"]["l"] == min(lr)
    assert d["t_closeness"]["equal"]["max"] == pytest.approx(max(te), abs=1e-12)
    if len(order) > 1:
        assert d["t_closeness"]["ordered"]["max"] == pytest.approx(max(to), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=25).flatmap(
    lambda n: st.lists(st.tuples(*[st.sampled_from("xyz")] * 4), min_size=n, max_size=n)))
def test_brute_force_minimal_sample_uniques(rows):
    cols = ["a", "b", "c", "d"]
    df = pd.DataFrame(rows, columns=cols)
    codes, cards = encode_table(df, cols)
    res = special_uniques(codes, cards, cols, max_size=3)

    def unique(i, S):
        return sum(all(r[c] == rows[i][c] for c in S) for r in rows) == 1

    expected = np.zeros(len(rows))
    n_records = 0
    for i in range(len(rows)):
        has = False
        for size in (1, 2, 3):
            for S in combinations(range(4), size):
                if unique(i, S) and not any(unique(i, T) for T in combinations(S, size - 1) if T):
                    expected[i] += math.prod(4 - j for j in range(size, 4))  # Π_{j=size}^{3} (4 - j)
                    has = True
        n_records += has
    assert res["_record_scores"].tolist() == expected.tolist()
    assert res["records_with_msu"] == n_records


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=2, max_value=60).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 6), min_size=n, max_size=n), st.lists(st.integers(0, 4), min_size=n, max_size=n),
    st.integers(1, 7))))
def test_ordered_emd_chunks_agree_with_definition(data):
    """The chunked ordered EMD (memory bound on big tables) against Li et al.'s formula, per class."""
    import importlib

    div = importlib.import_module("anonymizer.risk.diversity")
    cls_raw, vals, chunk = data
    cid = np.unique(np.array(cls_raw), return_inverse=True)[1]
    codes = np.unique(np.array(vals), return_inverse=True)[1]
    m = int(codes.max()) + 1
    if m < 2:
        return
    sizes = np.bincount(cid)
    _, pcls, pval, cnt = div._pairs(cid, codes, m)
    q = np.bincount(codes, minlength=m)
    got = div._ordered_emd(pcls, pval, cnt, sizes, q, len(codes), m, chunk=chunk)
    for c in range(len(sizes)):
        p = np.bincount(codes[cid == c], minlength=m) / sizes[c]
        expected = np.abs(np.cumsum(p - q / len(codes))).sum() / (m - 1)
        assert got[c] == pytest.approx(expected, abs=1e-12)
