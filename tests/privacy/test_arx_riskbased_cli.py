"""Risk-based privacy models (ARX's AverageReidentificationRisk, SampleUniqueness, PopulationUniqueness) through
``anon sanitize --hierarchies``.

Expected values are ARX 3.9.2's (arx-deidentifier/arx, src/test/org/deidentifier/arx/test/
TestAnonymizationRiskBased.java, all six rows): Adult, 4 % suppression, every column a quasi-identifier,
createPrecomputedEntropyMetric(0.1) (= ``--metric entropy``) or createPrecomputedLossMetric(0.1) (= ``--metric loss``),
PopulationUniqueness(0.0001, model, ARXPopulationModel.create(Region.USA), deterministic solver, 15 iterations a try).
ARX's Loss values are compared to 1e-9 relative: anon's Loss of the same transformation differs from ARX's in the
11th digit (see test_arx_metrics_cli.py, where ARX floors it to 10 decimals)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

from .test_arx_cli import levels_in_column_order, run_arx

CASES = [
    # (ARX row, options, metric, expected levels, expected loss)
    ("0-average-risk", ["--max-average-risk", "0.01"], "entropy", [1, 0, 1, 1, 3, 2, 2, 1, 1], 314637.8461904862),
    ("1-sample-uniques", ["--max-sample-uniques", "0.01"], "loss", [0, 3, 0, 0, 1, 1, 1, 1, 0], 0.1606952725863784),
    ("2-dankar", ["--max-population-uniques", "0.0001", "--population-model", "dankar", "--population", "usa"],
     "entropy", [0, 0, 1, 1, 1, 2, 1, 0, 0], 144298.1603344462),
    ("3-zayatz", ["--max-population-uniques", "0.0001", "--population-model", "zayatz", "--population", "usa"],
     "loss", [0, 3, 0, 0, 1, 1, 1, 1, 0], 0.16078200456326086),
    ("4-pitman", ["--max-population-uniques", "0.0001", "--population-model", "pitman", "--population", "usa"],
     "entropy", [0, 0, 1, 1, 1, 2, 1, 0, 0], 144298.1603344462),
    ("5-snb", ["--max-population-uniques", "0.0001", "--population-model", "snb", "--population", "usa"],
     "loss", [0, 3, 0, 0, 2, 1, 1, 1, 0], 0.17599055898432758),
]


@pytest.mark.parametrize(("row", "options", "metric", "levels", "loss"), CASES, ids=[c[0] for c in CASES])
def test_risk_based_models_match_arx(run_cli, shared_data, tmp_path, row, options, metric, levels, loss):
    reached = run_arx(run_cli, shared_data, tmp_path, "adult", *options, "--max-suppression", "0.04",
                      "--metric", metric)
    assert reached["exact"] is True
    assert levels_in_column_order(shared_data, "adult", reached, "") == levels
    assert reached["information_loss"] == pytest.approx(loss, rel=1e-12 if metric == "entropy" else 1e-9)
    out = pd.read_csv(reached["output"], sep=";", dtype=str, keep_default_na=False)
    assert int(out.eq("*").all(axis=1).sum()) == reached["suppressed_records"] <= math.floor(0.04 * len(out))
    if row.startswith("0"):  # the released records' average risk, counted on the file written
        kept = out[~out.eq("*").all(axis=1)]
        assert kept.groupby(list(out.columns)).ngroups / len(kept) <= 0.01


# -- fast checks, on three of Adult's columns -------------------------------------------------------------------


@pytest.fixture
def small_adult(shared_data, tmp_path):
    """Adult's age, sex and race with their hierarchies, in a folder of the test's own."""
    src = shared_data / "adult"
    folder = tmp_path / "h"
    folder.mkdir()
    for col in ("age", "sex", "race"):
        shutil.copy(src / f"adult_hierarchy_{col}.csv", folder)
    df = pd.read_csv(src / "adult.csv", sep=";", dtype=str, keep_default_na=False)[["age", "sex", "race"]]
    data = tmp_path / "adult3.csv"
    df.to_csv(data, sep=";", index=False)
    return data, folder, df


def _released(out: pd.DataFrame) -> pd.DataFrame:
    return out[~out.eq("*").all(axis=1)]


@pytest.mark.parametrize("risk", ["0.05", "0.2"])
def test_average_risk_holds_on_the_released_file(run_cli, small_adult, tmp_path, risk):
    data, folder, df = small_adult
    out_path = tmp_path / "o.csv"
    res = run_cli("sanitize", data, "--hierarchies", folder, "--max-average-risk", risk, "--max-suppression", "0.02",
                  "-o", out_path, "--no-rescan", "--no-report")
    assert res.exit_code == 0, res.output
    out = pd.read_csv(out_path, sep=";", dtype=str, keep_default_na=False)
    kept = _released(out)
    assert kept.groupby(list(out.columns)).ngroups / len(kept) <= float(risk)
    assert len(out) - len(kept) <= math.floor(0.02 * len(df))


def test_sample_uniques_holds_and_is_less_generalised_than_k2(run_cli, small_adult, tmp_path):
    """No sample unique allowed is 2-anonymity on the released records: the same optimum as --k 2."""
    data, folder, _df = small_adult
    got = {}
    for name, opts in (("su", ["--max-sample-uniques", "0"]), ("k2", ["--k", "2"])):
        out_path = tmp_path / f"{name}.csv"
        res = run_cli("sanitize", data, "--hierarchies", folder, *opts, "--max-suppression", "0.01",
                      "--metric", "entropy", "-o", out_path, "--no-rescan", "--no-report")
        assert res.exit_code == 0, res.output
        out = pd.read_csv(out_path, sep=";", dtype=str, keep_default_na=False)
        assert _released(out).groupby(list(out.columns)).size().min() >= 2
        got[name] = out
    assert got["su"].equals(got["k2"])


def test_risk_refusals(run_cli, small_adult, tmp_path):
    data, folder, _df = small_adult
    base = ["sanitize", data, "--hierarchies", folder, "-o", tmp_path / "x.csv", "--no-report", "--no-rescan"]
    res = run_cli(*base, "--max-population-uniques", "0.01")
    assert res.exit_code == 2 and "--population" in res.output and "Traceback" not in res.output
    res = run_cli(*base, "--max-population-uniques", "0.01", "--population", "atlantis")
    assert res.exit_code == 2 and "usa" in res.output
    res = run_cli(*base, "--max-average-risk", "1.5")
    assert res.exit_code == 2


# -- the parts, against independent computations --------------------------------------------------------------


def test_binary_search_suppresses_the_shortest_prefix_for_a_monotone_model():
    """Average risk only falls as the smallest classes go, so ARX's binary search finds the shortest prefix
    that holds (computed here by trying every prefix)."""
    from anonymizer.privacy.models import average_risk_holds, enforce_sample_based

    rng = np.random.default_rng(7)
    for _ in range(200):
        sizes = np.sort(rng.integers(1, 12, size=rng.integers(1, 60)))
        r = float(rng.uniform(0.08, 0.9))
        sup = enforce_sample_based(sizes, [lambda kept, r=r: average_risk_holds(kept, r)], 0, 10**9)
        shortest = next(p for p in range(len(sizes) + 1)
                        if p == len(sizes) or len(sizes[p:]) / sizes[p:].sum() <= r)
        assert sup.sum() == shortest and sup[:shortest].all()


def test_binary_search_aborts_past_the_budget():
    from anonymizer.privacy.models import average_risk_holds, enforce_sample_based

    sizes = np.array([1] * 50 + [10] * 5)
    sup = enforce_sample_based(sizes, [lambda kept: average_risk_holds(kept, 0.1)], 0, 10)
    assert sizes[sup].sum() > 10  # stopped once a failing prefix is over the budget: infeasible


def test_arx_trigamma_is_the_bare_sum_below_twelve():
    from anonymizer.risk.population import arx_trigamma, trigamma

    for x in (0.5, 1.0, 3.7, 8.0, 11.5):
        k = 0
        bare = 0.0
        while x + k < 8:
            bare += 1.0 / (x + k) ** 2
            k += 1
        assert float(arx_trigamma(x)) == pytest.approx(bare, rel=1e-15, abs=0 if x < 8 else 1e-300)
    for x in (12.0, 30.5, 1e4):  # from 12 on, ARX's series is the function
        assert float(arx_trigamma(x)) == pytest.approx(float(trigamma(x)), rel=1e-12)
        tail = x + 200_000  # Euler-Maclaurin for the rest of the series
        assert float(arx_trigamma(x)) == pytest.approx(sum(1.0 / (x + i) ** 2 for i in range(200_000))
                                                       + 1.0 / tail + 0.5 / tail**2, rel=1e-9)


def test_pitman_with_arx_solver_finds_the_same_root_as_the_damped_one():
    """Where both solvers converge they solve the same likelihood equations (Hoshino 2001)."""
    from anonymizer.risk.population import pitman_uniques, pitman_uniques_arx

    rng = np.random.default_rng(3)
    sizes = rng.zipf(1.8, size=3000)
    sizes = sizes[sizes < 500]
    a, b = pitman_uniques(sizes, 10_000_000), pitman_uniques_arx(sizes, 10_000_000)
    assert not math.isnan(a) and b == pytest.approx(a, rel=1e-4)


def test_population_uniqueness_is_arx_rule(monkeypatch):
    """ARX's PopulationUniqueness: without sample uniques it holds; when Pitman fails, the named model counts 0
    uniques, which with sample uniques fails, and Dankar's rule (called without its Zayatz fallback) gives −1
    at f <= 0.1, which fails too."""
    from anonymizer.privacy import models as M
    from anonymizer.risk import population as P

    assert M.population_uniques_holds(np.array([2, 3, 5]), 0.0, 1_000_000, "dankar")
    monkeypatch.setattr(P, "pitman_uniques_arx", lambda kept, n, per_try: math.nan)
    sizes = np.array([1, 1, 2, 3])
    assert M.population_uniques_share(sizes, 1_000_000, "dankar") == -1.0 / 1_000_000
    assert M.population_uniques_share(sizes, 1_000_000, "pitman") == 0.0
    assert not M.population_uniques_holds(sizes, 1.0, 1_000_000, "dankar")
    assert not M.population_uniques_holds(sizes, 1.0, 1_000_000, "pitman")
    monkeypatch.setattr(P, "pitman_uniques_arx", lambda kept, n, per_try: 50.0)
    assert M.population_uniques_holds(sizes, 50.0 / 1_000_000, 1_000_000, "dankar")
    assert not M.population_uniques_holds(sizes, 49.0 / 1_000_000, 1_000_000, "dankar")


@pytest.mark.parametrize("supp", [0.0, 0.02])
@pytest.mark.parametrize("models", [{"avg_risk": 0.1}, {"sample_uniques": 0.005, "k": 2},
                                    {"population_uniques": 0.0005, "population_model": "dankar", "population": 60_000}],
                         ids=["avg", "su+k", "dankar"])
def test_search_finds_the_exhaustive_optimum(shared_data, models, supp):
    """The bound-ordered walk (and the descent, with k) prunes nothing the exhaustive evaluation would keep."""
    from anonymizer.privacy import load_hierarchies, search

    src = shared_data / "adult"
    cols = ["age", "sex", "race", "marital-status"]
    df = pd.read_csv(src / "adult.csv", sep=";", dtype=str, keep_default_na=False, nrows=6000)[cols]
    hs = {c: h for c, h in load_hierarchies(src).items() if c in cols}
    for metric in ("entropy", "loss"):
        fast = search(df, hs, max_suppression=supp, metric=metric, **models)
        every = search(df, hs, max_suppression=supp, metric=metric, strategy="exhaustive", **models)
        assert fast.exact and every.exact
        assert fast.feasible == every.feasible
        if every.feasible:
            assert fast.information_loss == pytest.approx(every.information_loss, rel=1e-12)


@pytest.mark.parametrize("option", [["--max-average-risk", "0.1"], ["--max-sample-uniques", "0.01"],
                                    ["--k-map", "3", "--population", "usa"]])
def test_risk_thresholds_without_hierarchies_are_refused_not_ignored(run_cli, small_adult, tmp_path, option):
    """Only the hierarchies search enforces them: without --hierarchies the run stops before writing anything."""
    import secrets

    data, _folder, _df = small_adult
    key = tmp_path / "key"
    key.write_text(secrets.token_hex(32))
    out = tmp_path / "x.csv"
    res = run_cli("sanitize", data, "--key-file", key, *option, "-o", out, "--no-report", "--no-rescan")
    assert res.exit_code == 2 and "--hierarchies" in res.output and "Traceback" not in res.output
    assert not out.exists()
