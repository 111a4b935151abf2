"""k-map with a population estimator (ARX's KMap + CellSizeEstimator) through ``anon sanitize --hierarchies``.

Expected values are ARX 3.9.2's (arx-deidentifier/arx, src/test/org/deidentifier/arx/test/
TestAnonymizationKMap.java, rows 0 and 1): KMap(k, 0.01, ARXPopulationModel.create(Region.USA) = 317,238,626
people, ZERO_TRUNCATED_POISSON), createPrecomputedEntropyMetric(0.1, false), 5 % suppression, occupation set
aside. The other rows of that class need ``adult_subset.csv``, which ../shared/data does not have."""

from __future__ import annotations

import math

import pytest

from .test_arx_cli import levels_in_column_order, run_arx

USA = "317238626"

CASES = [
    ("3", [0, 0, 1, 1, 0, 2, 2, 0], 130804.5332092598),
    ("1000", [0, 0, 1, 1, 1, 2, 1, 0], 151894.1394841501),
]


@pytest.mark.parametrize(("k_map", "levels", "loss"), CASES)
def test_kmap_with_zero_truncated_poisson_matches_arx(run_cli, shared_data, tmp_path, k_map, levels, loss):
    reached = run_arx(run_cli, shared_data, tmp_path, "adult", "--sensitive", "occupation", "--k-map", k_map,
                      "--k-map-estimator", "zero-truncated-poisson", "--population", USA,
                      "--max-suppression", "0.05", "--metric", "entropy")
    assert reached["exact"] is True
    assert levels_in_column_order(shared_data, "adult", reached, "occupation") == levels
    assert reached["information_loss"] == pytest.approx(loss, rel=1e-12)


def _zt_poisson_k(k: int, lam: float, alpha: float) -> int:
    """The smallest c with Σ_{i=1}^{c−1} P(X = i | X > 0) ≥ 1 − α (capped at k), written out independently."""
    acc = 0.0
    for c in range(2, k + 1):
        acc += lam ** (c - 1) * math.exp(-lam) / math.factorial(c - 1) / (1 - math.exp(-lam))
        if acc >= 1 - alpha:
            return c
    return k


@pytest.mark.parametrize(("k", "fraction"), [(3, 30162 / 317238626), (1000, 30162 / 317238626), (10, 0.3),
                                             (50, 0.2), (20, 0.9)])
def test_derived_k_is_the_estimators_quantile(k, fraction):
    from anonymizer.privacy.models import kmap_derived_k

    n = 30162
    got = kmap_derived_k(k, n, round(n / fraction), 0.01, "zero-truncated-poisson")
    assert got == min(k, _zt_poisson_k(k, n / round(n / fraction) * k, 0.01))
    assert 1 <= kmap_derived_k(k, n, round(n / fraction), 0.01, "poisson") <= k


def test_kmap_refusals(run_cli, shared_data, tmp_path):
    adult = shared_data / "adult"
    base = ["sanitize", adult / "adult.csv", "--hierarchies", adult, "--k-map", "5", "-o", tmp_path / "x.csv",
            "--no-report", "--no-rescan"]
    res = run_cli(*base)
    assert res.exit_code == 2 and "--population" in res.output and "Traceback" not in res.output
    res = run_cli(*base, "--population", "1000")
    assert res.exit_code == 2 and "smaller than the table" in res.output
