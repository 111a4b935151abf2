"""Whole-record privacy on wide tables (issue #18 item 8): the search's work grows about linearly
in the number of column groups, counted (no timing: benchmarks/bench_wide.py times it).

The table is the benchmark's: a few rows of random short words and numbers in generic columns,
so that no column alone and no handful of columns makes a class of k: every column has to be
released as ``*`` (the answer, known without the code), and the old search did it with one
search of every group per raised group, each re-hashing every group: cubic in the columns.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from anonymizer.privacy import recoding
from anonymizer.privacy.recoding import build_groups, solve_records
from wide_tables import wide_frame as _wide


def wide_frame(columns: int, rows: int = 5, seed: int = 1) -> pd.DataFrame:
    return _wide(columns, rows, seed)


def _groups(frame: pd.DataFrame) -> list[recoding.Group]:
    """Every column a generic category (what scan proposes for them)."""
    return build_groups([{"column": c, "entity": "CATEGORY", "family": "category", "action": "keep"}
                         for c in frame.columns])


def _solve_counting(columns: int) -> tuple[recoding.RecordSolution, int]:
    """Solve k=5 over every column as a generic category; count the trial raises evaluated."""
    frame = wide_frame(columns)
    solution = solve_records(frame, _groups(frame), k=5, max_suppression=0.05)
    return solution, solution.trials


def _calls_per_group(columns: int) -> float:
    """Function calls (Python and C: each NumPy or pandas call, each helper) the search makes per
    group, leaving out the coding of each column at each level (``_Codes``: once per column and
    level whatever the search does)."""
    frame = wide_frame(columns)
    groups = _groups(frame)
    skip = {recoding._Codes.__init__.__code__, recoding._Codes.get.__code__}
    count, depth = 0, 0

    def profile(f, event, _arg):
        nonlocal count, depth
        if event == "call":
            if depth:
                depth += 1
            elif f.f_code in skip:
                depth = 1
            else:
                count += 1
        elif event == "return" and depth:
            depth -= 1
        elif event == "c_call" and not depth:
            count += 1

    sys.setprofile(profile)
    try:
        solution = solve_records(frame, groups, k=5, max_suppression=0.05)
    finally:
        sys.setprofile(None)
    assert (solution.levels == 1).all()  # the same answer as below: every column at *
    return count / columns


@pytest.mark.parametrize("columns", [40, 300])
def test_records_differing_everywhere_are_released_with_every_column_hidden(columns):
    solution, _calls = _solve_counting(columns)
    assert len(solution.groups) == columns  # one group per generic column, all recoded
    assert not solution.suppressed.any()  # a class of all 5 records, reached without suppression
    tops = np.array([g.top for g in solution.groups])
    assert (solution.levels == tops).all()  # every value differs: nothing finer than * is safe


def test_search_trials_grow_about_linearly_in_the_groups():
    """Doubling the groups twice multiplies the trial raises by about 4 (n log n: a bit more), not
    by 16 or 64 (one search of every group per group raised, each re-hashing every group)."""
    _s, small = _solve_counting(30)
    _s, large = _solve_counting(120)
    assert small > 30  # each group looked at at least once
    assert large <= 6 * small, (small, large)
    # the whole table is solved in a handful of searches of every group, not one per column
    assert large < 20 * 120


def test_the_calls_per_group_do_not_grow_with_the_searches():
    """A search evaluates every group's trials in a few array operations over all the groups, so
    the calls made per group stay flat from 200 to 800 groups (the old loop made a handful of
    NumPy calls per group and trial in each of the log(groups) searches: about 1,060 calls per
    group at 200 groups, 1,330 at 800). What is left per group is done once: its parts at each
    level, its raises by the blind rounds, its lines of the report."""
    few, many = _calls_per_group(200), _calls_per_group(800)
    assert many <= 1.05 * few, (few, many)
    assert many < 300, many


def test_keys_change_only_with_the_group_that_changes():
    """One group's raise re-codes that group only: the key of the other groups' share is the
    same sum (a trial costs the records it moves, not the number of groups)."""
    frame = wide_frame(30)
    groups = _groups(frame)
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
