"""Whole-record privacy on wide tables (issue #18 item 8): the search's work grows about linearly
in the number of column groups, counted (no timing: benchmarks/bench_wide.py times it).

The table is the benchmark's: a few rows of random short words and numbers in generic columns,
so that no column alone and no handful of columns makes a class of k: every column has to be
released as ``*`` (the answer, known without the code), and the old search did it with one
search of every group per raised group, each re-hashing every group: cubic in the columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.privacy import recoding
from anonymizer.privacy.recoding import build_groups, solve_records


def wide_frame(columns: int, rows: int = 5, seed: int = 1) -> pd.DataFrame:
    """benchmarks/bench_wide.py's input: odd columns numbers 0-999, even ones 5 random letters."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    data = {}
    for i in range(columns):
        data[f"c{i + 1:05d}"] = (rng.integers(0, 1000, rows).astype(str) if i % 2
                                 else ["".join(rng.choice(letters, 5)) for _ in range(rows)])
    return pd.DataFrame(data)


def _solve_counting(columns: int, monkeypatch) -> tuple[recoding.RecordSolution, int]:
    """Solve k=5 over every column as a generic category (what scan proposes for them); count the
    class-size evaluations (one per trial raise and per re-keying)."""
    frame = wide_frame(columns)
    groups = build_groups([{"column": c, "entity": "CATEGORY", "family": "category", "action": "keep"}
                           for c in frame.columns])
    calls = 0
    real = recoding._small

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(recoding, "_small", counted)
    solution = solve_records(frame, groups, k=5, max_suppression=0.05)
    return solution, calls


@pytest.mark.parametrize("columns", [40, 300])
def test_records_differing_everywhere_are_released_with_every_column_hidden(columns, monkeypatch):
    solution, _calls = _solve_counting(columns, monkeypatch)
    assert len(solution.groups) == columns  # one group per generic column, all recoded
    assert not solution.suppressed.any()  # a class of all 5 records, reached without suppression
    tops = np.array([g.top for g in solution.groups])
    assert (solution.levels == tops).all()  # every value differs: nothing finer than * is safe


def test_search_work_grows_about_linearly_in_the_groups(monkeypatch):
    """Doubling the groups twice multiplies the evaluations by about 4 (n log n: a bit more), not
    by 16 or 64 (one search of every group per group raised, each re-hashing every group)."""
    _s, small = _solve_counting(30, monkeypatch)
    _s, large = _solve_counting(120, monkeypatch)
    assert small > 30  # each group looked at at least once
    assert large <= 6 * small, (small, large)
    # the whole table is solved in a handful of searches of every group, not one per column
    assert large < 20 * 120


def test_keys_change_only_with_the_group_that_changes():
    """One group's raise re-codes that group only: the key of the other groups' share is the
    same sum (a trial costs the records it moves, not the number of groups)."""
    frame = wide_frame(30)
    groups = build_groups([{"column": c, "entity": "CATEGORY", "family": "category", "action": "keep"}
                           for c in frame.columns])
    codes = recoding._Codes(frame, groups)
    levels = np.zeros((len(frame), len(groups)), dtype=np.int8)
    before = recoding._keys(codes, levels)
    raised = levels.copy()
    raised[:, 7] = 1
    with np.errstate(over="ignore"):
        incremental = (before - recoding._part(codes, 7, levels[:, 7]) + recoding._part(codes, 7, raised[:, 7]))
    assert np.array_equal(incremental, recoding._keys(codes, raised))
    # and distinct released tuples keep distinct keys: the 5 records differ, then all agree
    assert len(set(before.tolist())) == 5
    assert len(set(recoding._keys(codes, np.ones_like(levels)).tolist())) == 1
