"""``summarize_changes`` counts a tall batch's cells with four or five column comparisons and NumPy
(issue #21) and gives the reference's counts (tests/engine/summary_reference.py): seeded random
before/after frames of text (``str``, object, ``string`` with NA), integer, float and nullable
columns, with empty cells, ``*`` and missing values, tall and short (the matrix path), and a
dropped column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import summary_reference as reference  # tests/engine: the old code, verbatim

from anonymizer.policy.plan import ColumnStep, Plan
from anonymizer.transform.apply import summarize_changes

VALUES = np.array(["", "*", "a", "b", "Jean", "12", "1", None], dtype=object)


def _frames(seed: int, n: int):
    rng = np.random.default_rng(seed)
    pick = lambda: rng.choice(VALUES, n)  # noqa: E731
    before = pd.DataFrame({"S": pd.Series(pick(), dtype="str"), "O": pick(), "T": pd.Series(pick(), dtype="string"),
                           "I": rng.integers(0, 3, n), "F": rng.choice([1.0, 2.5, np.nan], n),
                           "N": pd.Series(rng.choice([1, 2, None], n), dtype="Int64"), "D": pick()})
    after = pd.DataFrame({"S": pd.Series(pick(), dtype="str"), "O": pick(), "T": pd.Series(pick(), dtype="string"),
                          "I": rng.integers(0, 3, n).astype(str), "F": rng.choice([1.0, 2.5, np.nan], n),
                          "N": pd.Series(rng.choice([1, None], n), dtype="Int64")})
    steps = [ColumnStep(c, "quasi_identifier", None, "fake") for c in "SOTIFN"] + [ColumnStep("D", "other", None, "drop")]
    return before, after, Plan(steps, [], {}, "test", True)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [50, 1000])
def test_summary_counts_equal_the_reference(seed, n):
    before, after, plan = _frames(seed, n)
    got = summarize_changes(before, after, plan)
    assert got == reference.summarize_changes(before, after, plan)
    assert any(v.get("hidden") for v in got.values()) and any(v.get("emptied") for v in got.values())


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [50, 1000])
def test_columns_written_as_read_count_as_the_reference(seed, n):
    """A column written as it was read (the same Series, a copy, the same values in another text
    dtype, with NA) is counted without comparing (issue #21: ``Series.equals`` first), and a
    changed column with missing comparisons (``string`` NA on both sides) as before."""
    before, after, plan = _frames(seed, n)
    after = after.assign(S=before["S"], O=before["O"].copy(), T=before["T"].astype(object),
                         I=before["I"], F=before["F"].copy(), N=before["N"])
    got = summarize_changes(before, after, plan)
    assert got == reference.summarize_changes(before, after, plan)
    assert got["S"]["changed"] == 0 and got["S"]["present"] > 0
    rng = np.random.default_rng(seed)
    na = pd.DataFrame({c: pd.Series(rng.choice(VALUES, n), dtype="string") for c in "SOTIFN"})
    na_after = na.assign(S=na["S"].where(rng.random(n) < 0.5, "x"))
    assert summarize_changes(na, na_after, plan) == reference.summarize_changes(na, na_after, plan)
