"""The release gate on wide tables (issue #18 item 8): its pandas work does not grow with the
columns, counted (no timing: benchmarks/bench_wide.py times it).

The table is the benchmark's: five rows of random short words and numbers in generic columns,
released with some cells hidden (``*``), as the pipeline hands them to the gate (categorical
columns). A pandas call costs tens of microseconds whatever its size: made per column and per
side of each fact (text Series, string operations, factorisations, value counts), they made the
gate cost ~18 ms per column. The facts of every column are now coded in one pass over the frame,
so the count of Series built and of ``pd.factorize`` calls stays the same from 200 to 800 columns,
while the attack still weighs one comparator per column and attack.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.attack import linkage
from anonymizer.attack.release import release_gate
from anonymizer.policy.plan import ColumnStep, Plan
from wide_tables import wide_frame


def wide_release(columns: int, rows: int = 5, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """benchmarks/bench_wide.py's input (odd columns numbers 0-999, even ones 5 random letters) and
    a release hiding about a third of the cells, both categorical."""
    rng = np.random.default_rng(seed)
    original = wide_frame(columns, rows, rng=rng)
    released = original.mask(rng.random(original.shape) < 0.3, "*")
    return original.astype("category"), released.astype("category")


def _gate_counting(columns: int, monkeypatch) -> tuple[dict[str, int], object]:
    """The gate over every column as a generic category the attacker knows, counting the pandas
    Series built, the ``pd.factorize`` calls, and the comparators measured."""
    original, released = wide_release(columns)
    plan = Plan([ColumnStep(c, "quasi_identifier", "CATEGORY", "keep") for c in original.columns], [], {},
                "test", True)
    counts = {"Series": 0, "factorize": 0, "measured": 0}
    series_init, factorize, measure = pd.Series.__init__, pd.factorize, linkage._measure

    def counted_init(self, *args, **kwargs):
        counts["Series"] += 1
        series_init(self, *args, **kwargs)

    def counted_factorize(*args, **kwargs):
        counts["factorize"] += 1
        return factorize(*args, **kwargs)

    def counted_measure(*args, **kwargs):
        counts["measured"] += 1
        return measure(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(pd.Series, "__init__", counted_init)
        m.setattr(pd, "factorize", counted_factorize)
        m.setattr(linkage, "_measure", counted_measure)
        gate = release_gate(plan, original, released)
    return counts, gate


def test_gate_pandas_work_does_not_grow_with_the_columns(monkeypatch):
    small, gate_small = _gate_counting(200, monkeypatch)
    large, gate_large = _gate_counting(800, monkeypatch)
    for gate, columns in ((gate_small, 200), (gate_large, 800)):
        assert len(gate.attacker.facts) == columns  # every column attacked
        assert gate.attacker.persons_attacked == 5
        assert gate.on_input is not None and len(gate.on_input.facts) == columns
    # one categorical comparator per column, measured in the attack and in the one on the input
    assert small["measured"] == 2 * 200 and large["measured"] == 2 * 800
    for what in ("Series", "factorize"):
        per_column = (large[what] - small[what]) / 600
        assert per_column <= 0.1, (what, small[what], large[what])  # was 52 Series and 10 factorize a column
        assert small[what] <= 50, (what, small[what])


def test_the_mean_success_problem_names_the_threshold_it_broke():
    """A release that is the input itself fails on mean success; the problem says whether the bound was
    1/k or the policy's own max_linkage_success (it said "(1/k)" for both)."""
    rng = np.random.default_rng(4)
    original = pd.DataFrame({f"c{j}": rng.integers(0, 50, 400).astype(str) for j in range(4)}).astype("category")
    steps = [ColumnStep(c, "quasi_identifier", "CATEGORY", "keep") for c in original.columns]
    said = {}
    for name, targets in (("k", {"k": 5}), ("own", {"k": 5, "max_linkage_success": 0.3})):
        gate = release_gate(Plan(steps, [], targets, "test", True), original, original, on_input=False)
        assert gate.attacker.mean_success > 0.3  # four 50-value columns over 400 rows: nearly everyone unique
        [said[name]] = [p for p in gate.problems if "mean success" in p]
    assert said["k"].endswith("above the 20.0% allowed (1/k)")
    assert said["own"].endswith("above the 30.0% allowed (max_linkage_success)")
