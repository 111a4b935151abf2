"""ARX's published utility values for Loss with the RANK aggregate and other gs-factors and for monotonic
Precision, reproduced through ``anon evaluate`` (and ``--gs-factor`` / ``precision-mono`` through
``anon sanitize``) on ARX's folders as they are.

Expected values are ARX 3.9.2's (arx-deidentifier/arx, src/test/org/deidentifier/arx/test/
TestUtilityMetrics.java rows 175, 180, 181 — ``createLossMetric(AggregateFunction.RANK)`` —, 213, 218, 219
— ``createPrecisionMetric(true)`` —, TestUtilityMetricsLoss.java and TestAnonymizationHeuristic.java). ARX
evaluates each listed node of the lattice and suppresses the classes that violate k = 5 whether or not the
node is within the suppression limit, which is what ``anon evaluate --max-suppression 1`` does."""

from __future__ import annotations

import json

import pytest


def evaluate(run_cli, shared_data, name: str, sensitive: str, levels: str, *options: str) -> dict:
    res = run_cli("evaluate", shared_data / name / f"{name}.csv", "--hierarchies", shared_data / name,
                  "--sensitive", sensitive, "--levels", levels, "--max-suppression", "1", "--format", "json", *options)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)["metrics"]


# (dataset, sensitive, node, ARX's value): TestUtilityMetrics, KAnonymity(5)
RANK = [
    ("adult", "occupation", "0,0,0,0,0,0,0,0", [0.5090179696] * 8),
    ("adult", "occupation", "0,0,0,2,0,0,0,0", [1.0] + [0.3843909555] * 7),
    ("adult", "occupation", "0,3,1,1,1,1,0,0",
     [1.0, 0.4535066198, 0.299545786, 0.220264444, 0.2196339765, 0.0350772495, 0.0350772495, 0.0350772495]),
    ("adult", "occupation", "1,4,1,0,1,2,2,1", [1.0] * 6 + [0.1899012001, 6.63086e-5]),
    ("adult", "occupation", "0,4,1,1,3,1,2,1", [1.0] * 5 + [0.4331609309, 0.2728756382, 0.0]),
    ("adult", "occupation", "0,3,0,2,3,2,2,1", [1.0] * 5 + [0.1924014362, 5.967774e-4, 5.967774e-4]),
    ("adult", "occupation", "1,1,1,0,1,0,1,1",
     [1.0, 1.0, 1.0, 0.3444921234, 0.258026656, 0.1193682062, 0.0822889728, 0.0822889728]),
    ("adult", "occupation", "0,2,1,1,1,1,1,1",
     [1.0, 1.0, 0.4441902614, 0.2991180956, 0.287697268, 0.2057865305, 0.1079684853, 0.0187653338]),
    ("adult", "occupation", "1,4,1,2,3,2,2,1", [1.0] * 8),
    ("cup", "RAMNTALL", "0,0,0,0,0,0,0", [1.0] * 7),
    ("cup", "RAMNTALL", "1,3,1,2,0,1,0",
     [1.0, 1.0, 0.8155607556, 0.7900544424, 0.7717769772, 0.7717564351, 0.7717564351]),
    ("cup", "RAMNTALL", "3,2,0,2,0,1,1",
     [1.0, 0.2561838558, 0.133081417, 0.122839341, 0.0559162223, 0.0463895588, 0.0463895588]),
    ("cup", "RAMNTALL", "1,4,1,1,0,2,4",
     [1.0, 1.0, 1.0, 0.4964691603, 0.2630597271, 0.1179842143, 0.1179048249]),
]


@pytest.mark.parametrize(("name", "sensitive", "levels", "expected"), RANK)
def test_loss_rank_matches_arx(run_cli, shared_data, name, sensitive, levels, expected):
    got = evaluate(run_cli, shared_data, name, sensitive, levels, "--k", "5")["loss_rank"]
    assert got == pytest.approx(expected, abs=1.5e-10)  # ARX floors each value to 10 decimals


PRECISION_MONO = [
    ("adult", "occupation", "0,0,0,0,0,0,0,0", 0.0),
    ("adult", "occupation", "0,4,1,1,1,1,0,1", 0.5416666666666667),
    ("adult", "occupation", "1,3,1,0,1,2,2,0", 0.6354166666666667),
    ("adult", "occupation", "1,3,0,0,2,0,2,0", 0.4270833333333333),
    ("adult", "occupation", "0,4,0,0,1,1,2,1", 0.47916666666666663),
    ("cup", "RAMNTALL", "2,2,0,0,1,1,1", 0.3428571428571428),
    ("cup", "RAMNTALL", "5,2,1,1,0,1,4", 0.607142857142857),
    ("cup", "RAMNTALL", "5,4,1,2,1,4,4", 0.9999999999999998),
]


@pytest.mark.parametrize(("name", "sensitive", "levels", "expected"), PRECISION_MONO)
def test_precision_monotonic_matches_arx(run_cli, shared_data, name, sensitive, levels, expected):
    metrics = evaluate(run_cli, shared_data, name, sensitive, levels, "--k", "5")
    assert metrics["precision_monotonic"] == pytest.approx(expected, abs=1e-12)
    # the non-monotonic precision counts suppressed records as fully generalised: never lower
    assert metrics["precision"] >= metrics["precision_monotonic"] - 1e-12


# TestUtilityMetricsLoss: the optimum of k = 5 + hierarchical t = 0.2 with 5 % suppression at several gs-factors
GS = [
    ("0.0", [1.0] * 5 + [0.2728756382, 0.0, 0.0]),
    ("0.5", [1.0] * 5 + [0.3077954048, 0.0458855513, 0.0458855513]),
]


@pytest.mark.parametrize(("gs", "expected"), GS)
def test_gs_factor_matches_arx(run_cli, shared_data, gs, expected):
    metrics = evaluate(run_cli, shared_data, "adult", "occupation", "1,4,0,0,3,1,2,1", "--k", "5", "--t", "0.2",
                       "--t-distance", "hierarchical", "--gs-factor", gs)
    assert metrics["loss_rank"] == pytest.approx(expected, abs=1.5e-10)


def test_gs_factor_of_arx_heuristic_node(run_cli, shared_data):
    """TestAnonymizationHeuristic: createLossMetric(0.1), k = 5, node [0,3,0,0,0,0,0,0,0] → 0.09257312971977383
    (ARX floors each attribute's value to 10 decimals before the geometric mean: ~1e-9 relative)."""
    res = run_cli("evaluate", shared_data / "adult" / "adult.csv", "--hierarchies", shared_data / "adult", "--k", "5",
                  "--levels", "0,3,0,0,0,0,0,0,0", "--gs-factor", "0.1", "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["metrics"]["loss"] == pytest.approx(0.09257312971977383, rel=2e-9)


def test_gs_factor_and_precision_mono_reach_the_search(run_cli, shared_data, tmp_path):
    """The search minimises Loss at the gs-factor given: its optimum, scored by ``anon evaluate`` at that
    gs-factor, is the loss reported and no worse than the default optimum scored the same way."""
    from .test_arx_cli import run_arx

    def loss_at(levels: dict, gs: str) -> float:
        order = ",".join(f"{c}={v}" for c, v in levels.items())
        res = run_cli("evaluate", shared_data / "adult" / "adult.csv", "--hierarchies", shared_data / "adult",
                      "--k", "5", "--levels", order, "--max-suppression", "0.02", "--gs-factor", gs, "--format", "json")
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)["metrics"]["loss"]

    for sub in ("low", "default", "mono"):
        (tmp_path / sub).mkdir()
    low = run_arx(run_cli, shared_data, tmp_path / "low", "adult", "--k", "5", "--max-suppression", "0.02", "--gs-factor", "0.1")
    default = run_arx(run_cli, shared_data, tmp_path / "default", "adult", "--k", "5", "--max-suppression", "0.02")
    assert low["exact"] is True
    assert low["information_loss"] == pytest.approx(loss_at(low["levels"], "0.1"), rel=1e-12)
    assert low["information_loss"] <= loss_at(default["levels"], "0.1") + 1e-12
    assert low["information_loss"] != pytest.approx(default["information_loss"])  # the factor reached the metric
    mono = run_arx(run_cli, shared_data, tmp_path / "mono", "adult", "--k", "5", "--max-suppression", "0", "--metric",
                   "precision-mono")
    folder = shared_data / "adult"
    heights = {c: (folder / f"adult_hierarchy_{c}.csv").read_text().splitlines()[0].count(";")
               for c in mono["levels"]}
    assert mono["information_loss"] == pytest.approx(
        sum(v / heights[c] for c, v in mono["levels"].items()) / len(heights), rel=1e-12)
