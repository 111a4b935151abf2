"""Wide short tables (issue #18 item 8): pass 1's gathering, pass 2's transform of a batch and its
change counts, the formula guard and the release of the whole-record levels do a bounded
amount of pandas work per column, and it grows linearly with the columns.

Work is counted, not timed (benchmarks/bench_wide.py times the whole run): the calls into
pandas' Python code while each step runs. On 5-row columns that overhead *is* the cost: the
old code made 300 to 1,750 calls into pandas per column and step (a Series per comparison, a
regex per column, a hash index per column: measured at 800 columns); here a step reads the
table's text at once (a few dozen calls a column, in pandas' conversion of each column) and
works on NumPy arrays. The results are checked against computations written here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.engine.gather import ColumnCollector
from anonymizer.engine.parallel import transform_batch
from anonymizer.policy.plan import ColumnStep, Plan
from anonymizer.privacy.recoding import RecordSolution, build_groups, release
from anonymizer.transform.apply import summarize_changes
from anonymizer.values.formulas import neutralise
from wide_tables import LARGE, SMALL, assert_linear_and_small, library_calls
from wide_tables import wide_frame as _wide


def pandas_calls(fn, *args, **kwargs):
    """(fn's result, how many Python functions of pandas ran while it ran)."""
    return library_calls(fn, *args, libraries=("pandas",), **kwargs)


def wide_frame(columns: int, rows: int = 5, seed: int = 1) -> pd.DataFrame:
    return _wide(columns, rows, seed, dtype="str")


def _changed(frame: pd.DataFrame) -> pd.DataFrame:
    """A transformed copy: every third column hidden (*), every fifth emptied, others as they are."""
    out = {}
    for j, c in enumerate(frame.columns):
        values = list(frame[c])
        if j % 3 == 0:
            values = ["*"] * (len(values) - 1) + values[-1:]
        elif j % 5 == 0:
            values = [""] + values[1:]
        out[c] = values
    return pd.DataFrame(out, index=frame.index).astype("str")


def _plan(columns, action: str = "keep") -> Plan:
    return Plan([ColumnStep(c, "quasi_identifier", "CATEGORY", action) for c in columns], [], {}, "test", False)


def test_change_counts_are_right_and_cost_little_per_column():
    work = {}
    for n in (SMALL, LARGE):
        before = wide_frame(n)
        before.iloc[1, 0] = np.nan  # a missing cell: "" (not present)
        after = _changed(before)
        got, work[n] = pandas_calls(summarize_changes, before, after, _plan(before.columns))
        for c in before.columns:
            a = ["" if v != v else v for v in before[c].astype(object)]
            b = list(after[c])
            expect = {"action": "keep",
                      "changed": sum(x != y for x, y in zip(a, b, strict=True)),
                      "emptied": sum(x != "" and y == "" for x, y in zip(a, b, strict=True)),
                      "present": sum(x != "" for x in a),
                      "exact": sum(x != "" and x == y for x, y in zip(a, b, strict=True)),
                      "hidden": sum(x != "" and x != y and y in ("", "*") for x, y in zip(a, b, strict=True))}
            assert got[c] == expect, c
    assert_linear_and_small(work, per_column=100)  # old: 1,640


def test_tall_batches_count_changes_the_same_way():
    """More rows than the few-row path takes: the per-column path gives the same counts as the
    few-row path does on each slice of them."""
    before = pd.concat([wide_frame(30, seed=s) for s in range(80)], ignore_index=True)  # 400 rows
    after = _changed(before)
    plan = _plan(before.columns)
    whole = summarize_changes(before, after, plan)
    parts = [summarize_changes(before.iloc[i:i + 5], after.iloc[i:i + 5], plan) for i in range(0, 400, 5)]
    for c in before.columns:
        for key in ("changed", "emptied", "present", "exact", "hidden"):
            assert whole[c][key] == sum(p[c][key] for p in parts), (c, key)


def test_gathered_codes_are_right_and_cost_little_per_column():
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame.iloc[2, 1] = np.nan
        collector = ColumnCollector(list(frame.columns))
        _r, work[n] = pandas_calls(collector.add, frame)
        collector.add(frame.iloc[::-1])  # a second batch: the same categories, in first-seen order
        got = collector.frame()
        for c in frame.columns:
            values = ["" if v != v else v for v in frame[c].astype(object)]
            first_seen = list(dict.fromkeys(values))
            assert list(got[c].cat.categories) == first_seen, c
            assert list(got[c].astype(object)) == values + values[::-1], c
    assert_linear_and_small(work, per_column=120)  # old: 760


def test_gathering_after_a_long_dictionary_keeps_its_codes():
    """A few-row batch after a tall one whose columns have many categories: the same codes as
    one pass over all the rows."""
    tall = pd.DataFrame({"x": [f"v{i}" for i in range(1000)], "y": ["a", "b"] * 500}).astype("str")
    few = pd.DataFrame({"x": ["v3", "new", "v999"], "y": ["b", "c", "a"]}).astype("str")
    collector = ColumnCollector(["x", "y"])
    collector.add(tall)
    collector.add(few)
    got = collector.frame()
    assert list(got["x"].cat.categories) == [f"v{i}" for i in range(1000)] + ["new"]
    assert list(got["x"].astype(object)) == list(tall["x"]) + ["v3", "new", "v999"]
    assert list(got["y"].cat.categories) == ["a", "b", "c"]


def test_formula_guard_costs_little_per_column_and_finds_every_formula():
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame.iloc[3, 7] = "=HYPERLINK(1)"
        frame.iloc[0, 9] = "-12,5"  # a signed number: left alone
        frame.iloc[4, n - 1] = "@cmd"
        (out, counts), work[n] = pandas_calls(neutralise, frame)
        assert counts == {frame.columns[7]: 1, frame.columns[n - 1]: 1}
        assert out.iloc[3, 7] == "'=HYPERLINK(1)" and out.iloc[4, n - 1] == "'@cmd" and out.iloc[0, 9] == "-12,5"
    assert_linear_and_small(work, per_column=60)  # old: 300


def _solution(frame: pd.DataFrame) -> RecordSolution:
    groups = build_groups([{"column": c, "entity": "CATEGORY", "family": "category", "action": "keep"}
                           for c in frame.columns])
    levels = np.zeros((len(frame), len(groups)), dtype=np.int8)
    levels[::2] = np.array([g.top for g in groups], dtype=np.int8)  # even records at *, odd ones kept
    suppressed = np.zeros(len(frame), dtype=bool)
    return RecordSolution(groups, levels, suppressed)


def test_released_levels_cost_little_per_column():
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        out, work[n] = pandas_calls(release, frame, _solution(frame))
        expect = frame.astype(object).copy()
        expect.iloc[::2] = "*"
        assert out.astype(object).equals(expect)
    assert_linear_and_small(work, per_column=150)  # old: 613


@pytest.mark.parametrize("action", ["keep", "suppress"])
def test_a_wide_batch_is_transformed_and_counted_with_little_work_per_column(action):
    """Pass 2 on one batch (transform, row-name check, change counts): output and counts as the
    plan says, pandas work linear in the columns."""
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        (out, _names, changes, _coll), work[n] = pandas_calls(transform_batch, frame, None, _plan(frame.columns, action),
                                                               None, None)
        if action == "keep":
            assert out.equals(frame)
        else:
            assert (out.astype(object) == "").all().all()  # suppressed text: empty
        assert all(changes[c]["changed"] == (0 if action == "keep" else 5) for c in frame.columns)
    assert_linear_and_small(work, per_column=250)  # old: 1,750
