"""Population uniqueness against ARX's published figures and against the models' own equations,
recomputed here in plain Python (loops, math.comb), never with the code under test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from anonymizer.risk.classes import equivalence_classes
from anonymizer.risk.population import (
    _snb_equations,
    digamma,
    pitman_uniques,
    population_uniqueness,
    shlosser_classes,
    snb_uniques,
    trigamma,
    zayatz_uniques,
)


def arx_digits(x: float) -> int:
    """ARX's TestRiskMetrics.compareUniqueness: four significant digits, truncated."""
    return int(x * 10000)


@pytest.fixture(scope="module")
def adult_sizes(shared_data):
    df = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str)
    return df, equivalence_classes(df, list(df.columns)).sizes


# ARX TestRiskMetrics.testDecisionRule2 (all nine adult columns are quasi-identifiers)
@pytest.mark.parametrize(("fraction", "expected", "model"), [
    (0.1, 0.27684993883653597, "pitman"),
    (0.2, 0.3577099234829125, None),
    (0.01, 0.1446083531167384, "pitman"),
    (1.0, 0.5142895033485844, None),
])
def test_dankar_rule_matches_arx_on_adult(adult_sizes, fraction, expected, model):
    df, sizes = adult_sizes
    N = round(len(df) / fraction)
    res = population_uniqueness(sizes, N)
    assert arx_digits(res["dankar"]["share"]) == arx_digits(expected)
    if model:
        assert res["dankar"]["model"] == model


def test_zayatz_matches_arx_fallback_figure(adult_sizes):
    # ARX's test accepts 0.3207402393466189 when its rule falls back to Zayatz at f = 0.1
    df, sizes = adult_sizes
    N = round(len(df) / 0.1)
    assert arx_digits(zayatz_uniques(sizes, N) / N) == arx_digits(0.3207402393466189)


def test_sample_uniqueness_adult_matches_arx(adult_sizes):
    df, sizes = adult_sizes
    assert (sizes == 1).sum() / len(df) == pytest.approx(0.5142895033485844, abs=1e-15)


def test_digamma_trigamma_known_values():
    euler = 0.5772156649015329
    assert digamma(1.0) == pytest.approx(-euler, abs=1e-12)
    assert digamma(0.5) == pytest.approx(-euler - 2 * math.log(2), abs=1e-12)
    assert trigamma(1.0) == pytest.approx(math.pi**2 / 6, abs=1e-12)
    assert trigamma(0.5) == pytest.approx(math.pi**2 / 2, abs=1e-11)
    # ψ(x) = d/dx lnΓ(x), by central differences of math.lgamma
    for x in (0.3, 2.7, 13.0, 250.5):
        h = 1e-5
        assert digamma(x) == pytest.approx((math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h), rel=1e-7)


def _hyper_p1(N: int, K: int, n: int) -> float:
    """P(X = 1) for X ~ Hypergeometric(N, K marked, n draws), exact integers."""
    if n - 1 > N - K:
        return 0.0
    return K * math.comb(N - K, n - 1) / math.comb(N, n)


def test_zayatz_against_exact_hypergeometric():
    sizes = np.array([1, 1, 1, 2, 2, 3, 5, 1, 4, 2])
    n, N = int(sizes.sum()), 90
    u = len(sizes)
    fj = {s: int((sizes == s).sum()) for s in set(sizes.tolist())}
    denom = sum(c / u * _hyper_p1(N, s, n) for s, c in fj.items())
    cond = (fj[1] / u * _hyper_p1(N, 1, n)) / denom
    expected = fj[1] * cond / (n / N)
    assert zayatz_uniques(sizes, N) == pytest.approx(expected, rel=1e-9)


def test_pitman_against_an_independent_solver():
    """Hoshino (2001) ML equations written as plain loops, solved here by bisection nested in bisection."""
    small = np.array([1] * 30 + [2] * 10 + [3] * 5 + [7] * 2)
    n, u = int(small.sum()), len(small)
    N = n * 20
    fj = {j: int((small == j).sum()) for j in set(small.tolist())}

    def g1(t, a):  # ∂logL/∂θ
        return sum(1 / (t + i * a) for i in range(1, u)) - sum(1 / (t + i) for i in range(1, n))

    def g2(t, a):  # ∂logL/∂α
        return sum(i / (t + i * a) for i in range(1, u)) - sum(c * sum(1 / (k - a) for k in range(1, j))
                                                               for j, c in fj.items())

    def theta_for(a):  # g1 decreases in θ: bisection on a log scale
        lo, hi = 1e-9, 1e7
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if g1(mid, a) > 0 else (lo, mid)
        return lo

    lo, hi = 1e-6, 1 - 1e-6  # g2 along the profile θ(α) changes sign once on (0, 1)
    assert g2(theta_for(lo), lo) * g2(theta_for(hi), hi) < 0
    for _ in range(60):
        mid = (lo + hi) / 2
        if g2(theta_for(mid), mid) * g2(theta_for(lo), lo) > 0:
            lo = mid
        else:
            hi = mid
    a = (lo + hi) / 2
    t = theta_for(a)
    expected = math.exp(math.lgamma(t + 1) - math.lgamma(t + a)) * N**a
    assert pitman_uniques(small, N) == pytest.approx(expected, rel=1e-6)


def test_snb_model_equations_against_brute_force_sum():
    """E[f1], E[f2] of the SNB model (Chen & Keller-McNulty 1998) by summing the distribution."""
    a, b, K, f = 1.7, 0.3, 1000.0, 0.2
    e1 = e2 = 0.0
    for y in range(0, 2000):
        p_f = math.exp(math.lgamma(a + y) - math.lgamma(a) - math.lgamma(y + 1) + a * math.log(b) + y * math.log(1 - b))
        F = y + 1
        e1 += p_f * F * f * (1 - f) ** (F - 1)
        e2 += p_f * math.comb(F, 2) * f**2 * (1 - f) ** (F - 2)
    g1, g2 = _snb_equations(a, b, K, f)
    assert g1 == pytest.approx(K * e1, rel=1e-9)
    assert g2 == pytest.approx(K * e2, rel=1e-9)


def test_snb_solution_reproduces_observed_f1_f2():
    sizes = np.array([1] * 400 + [2] * 120 + [3] * 50 + [4] * 20 + [9] * 10)
    n = int(sizes.sum())
    N = n * 5
    est = snb_uniques(sizes, N)
    assert 0 < est < N
    k_est = shlosser_classes(sizes, n / N)
    # Shlosser's estimator (Haas et al. 1995), recomputed
    q = 1 - n / N
    fj = {s: int((sizes == s).sum()) for s in set(sizes.tolist())}
    num = sum(q**s * c for s, c in fj.items())
    den = sum(s * (n / N) * q ** (s - 1) * c for s, c in fj.items())
    expected_k = len(sizes) + fj[1] * num / den
    assert k_est == pytest.approx(expected_k)


def test_no_sample_uniques_means_no_population_uniques():
    res = population_uniqueness(np.array([2, 3, 5]), 1000)
    assert res["dankar"]["uniques"] == 0
    assert all(e["uniques"] == 0 for e in res["estimates"].values())


# ARX's DataProvider table (TestRiskMetrics.testDecisionRule / testAverageRisk / testHighestIndividualRisk)
ARX_SMALL = pd.DataFrame({
    "age": ["34", "45", "66", "70", "34", "70", "45"],
    "gender": ["male", "female", "male", "female", "female", "male", "male"],
    "zipcode": ["81667", "81675", "81925", "81931", "81931", "81931", "81931"],
})


def test_arx_small_example_before_anonymisation():
    from anonymizer.risk import risk_report

    rep = risk_report(ARX_SMALL, list(ARX_SMALL.columns), sampling_fraction=0.2)
    assert arx_digits(rep["population_uniqueness"]["dankar"]["share"]) == arx_digits(1.0)
    rep = risk_report(ARX_SMALL, list(ARX_SMALL.columns), sampling_fraction=0.1)
    assert rep["prosecutor"]["average"] == 1.0
    assert rep["prosecutor"]["highest"] == 1.0


def test_arx_small_example_after_2_anonymisation():
    from anonymizer.risk import risk_report

    # the 2-anonymous generalisation age <50/>=50, gender *, zipcode 3 digits (ARX's hierarchies)
    out = pd.DataFrame({
        "age": ["<50", "<50", ">=50", ">=50", "<50", ">=50", "<50"],
        "gender": ["*"] * 7,
        "zipcode": ["816**", "816**", "819**", "819**", "819**", "819**", "819**"],
    })
    rep = risk_report(out, list(out.columns), sampling_fraction=0.1)
    assert rep["prosecutor"]["average"] == 0.42857142857142855
    assert rep["prosecutor"]["highest"] == 0.5
    assert rep["population_uniqueness"]["dankar"]["share"] == 0


def test_pitman_closed_form_sums_equal_explicit_sums(adult_sizes):
    """Digamma closed forms (used above 100,000 classes) against the explicit sums, on ARX's case."""
    df, sizes = adult_sizes
    N = round(len(df) / 0.1)
    closed = pitman_uniques(sizes, N, closed_form_above=10)
    assert closed == pytest.approx(pitman_uniques(sizes, N), rel=1e-12)
    assert arx_digits(closed / N) == arx_digits(0.27684993883653597)
