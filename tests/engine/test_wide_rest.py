"""Wide short tables (issue #18 item 8), the rest of sanitize and scan: the CSV writer, the leak
index's search inside cells, the policy's checks against the table's columns, the YAML alias
measure and the scan's terminal table do a bounded amount of work per column.

Work is counted, not timed (benchmarks/bench_wide.py times the whole run), as in
test_wide_scale.py: calls into pandas' and pyarrow's Python code, string comparisons, or rich's
rendering. Results are checked against computations written here or against the tall path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from anonymizer import configfiles
from anonymizer.attack.facts import code_frame
from anonymizer.cli import scan as scan_cli
from anonymizer.engine import verify
from anonymizer.engine.verify import LeakIndex, cell_identifiers, counter_run, counter_runs
from anonymizer.io.csvio import CsvSink
from anonymizer.policy.plan import ColumnStep, Plan, build_plan
from anonymizer.transform.apply import apply_plan
from wide_tables import LARGE, SMALL, assert_linear_and_small, library_calls
from wide_tables import wide_frame as _wide


def wide_frame(columns: int, rows: int = 5, seed: int = 1) -> pd.DataFrame:
    return _wide(columns, rows, seed, dtype="str")


def _plan(columns) -> Plan:
    return Plan([ColumnStep(c, "quasi_identifier", "CATEGORY", "keep") for c in columns], [], {}, "test", False)


def _csv_bytes(frames: list[pd.DataFrame], **dialect) -> bytes:
    raw = io.BytesIO()
    sink = CsvSink(raw, Path("out.csv"), **dialect)
    for f in frames:
        sink.write(f)
    sink.close()
    return raw.getvalue()


def test_few_row_csv_batches_cost_little_per_column_and_are_what_the_csv_module_writes():
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame.iloc[1, 2] = 'a "quoted", value'
        frame.iloc[3, 4] = "two\nlines"
        frame.iloc[0, 6] = np.nan
        out, work[n] = library_calls(_csv_bytes, [frame])
        expect = io.StringIO()
        writer = csv.writer(expect, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows(frame.astype(object).fillna("").itertuples(index=False))
        assert out == expect.getvalue().encode("utf-8")
    assert_linear_and_small(work, per_column=20)  # old: 233


@pytest.mark.parametrize("dialect", [{}, {"delimiter": ";", "decimal": ",", "quoting": "all", "encoding": "latin-1"},
                                     {"delimiter": "\t", "line_terminator": "\r\n", "final_newline": False}])
def test_few_row_batches_write_the_same_bytes_as_tall_ones(dialect):
    """The same 600 rows written in one batch (Arrow's path) and in batches of 5 (the few-row
    path): the same bytes, floats, missing cells, quotes and line breaks included."""
    rng = np.random.default_rng(3)
    frame = pd.concat([wide_frame(12, seed=s) for s in range(120)], ignore_index=True)
    frame["amount"] = rng.normal(size=600).round(3)
    frame["count"] = rng.integers(0, 50, 600)
    frame.loc[::7, "amount"] = np.nan
    frame.loc[::5, "c00001"] = 'say "hi"; then\r\nleave\t,'
    frame.loc[::11, "c00002"] = ""
    frame.loc[::13, "c00003"] = None
    tall = _csv_bytes([frame], **dialect)
    few = _csv_bytes([frame.iloc[i:i + 5] for i in range(0, 600, 5)], **dialect)
    assert few == tall
    lone = frame[["c00002"]]  # one column: an empty field is written "" (not a blank line)
    assert _csv_bytes([lone.iloc[i:i + 5] for i in range(0, 600, 5)], **dialect) == _csv_bytes([lone], **dialect)


def test_leak_index_searches_inside_cells_with_little_work_per_column():
    """Identifiers written inside cells are indexed as cell_identifiers finds them column by
    column; the columns whose cells are all short are not searched one by one."""
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame.iloc[1, 3] = "écrire à jean.dupont@example.org demain"
        frame.iloc[2, n - 2] = "IBAN FR7630006000011234567890189 du compte"
        plan = _plan(frame.columns)
        index = LeakIndex(plan)
        _r, work[n] = library_calls(index.add, frame)
        expect = LeakIndex(plan)
        found: dict[str, list[str]] = {}
        for c in frame.columns:  # the per-column search, on every column
            for ent, spans in cell_identifiers(frame[c]).items():
                found.setdefault(ent, []).extend(spans)
        assert set(found) == {"EMAIL", "IBAN"}
        for ent, spans in sorted(found.items()):
            expect._add_values(verify.inside_source(ent), ent, pd.Series(spans, dtype=object))
        got, want = index.column_hashes(), expect.column_hashes()
        assert got.keys() == want.keys() and len(got) == 2
        assert all(np.array_equal(got[k], want[k]) for k in want)
    assert_linear_and_small(work, per_column=40)  # old: 162


def test_attack_codes_of_a_wide_frame_cost_little_per_column():
    """The release gate's coding of every column (codes in order of first appearance over the
    column's texts, missing -> ""): as a dictionary gives them, with little pandas work a column."""
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame.iloc[2, 3] = np.nan
        frame.iloc[4, 3] = ""
        coded, work[n] = library_calls(code_frame, frame, list(frame.columns))
        for c in frame.columns:
            values = ["" if v != v else v for v in frame[c].astype(object)]
            first = list(dict.fromkeys(values))
            assert list(coded[c].codes) == [first.index(v) for v in values], c
            assert list(coded[c].uniques) == first, c
    assert_linear_and_small(work, per_column=40)  # old: 140


def test_released_columns_pass_through_with_little_work_per_column():
    """Columns whose released values the privacy step fixed are the batch's output as they are
    (on the batch's index, pandas' text type), with little pandas work a column."""
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n).set_axis(range(10, 15))
        fixed = wide_frame(n, seed=2)  # the released values: other texts, a fresh index
        fixed.iloc[0, 1] = np.nan
        out, work[n] = library_calls(apply_plan, frame, _plan(frame.columns), key=None, fixed=fixed)
        assert list(out.index) == list(range(10, 15)) and list(out.columns) == list(frame.columns)
        for c in frame.columns:
            assert out[c].dtype == "str", c
            assert [None if v != v else v for v in out[c].astype(object)] == \
                [None if v != v else v for v in fixed[c].astype(object)], c
    assert_linear_and_small(work, per_column=140)  # old: 195 (a Series a column, then a frame of them)


def test_row_counters_are_found_with_little_work_per_column():
    """The columns of consecutive integers (a line counter) among thousands of short ones: the
    same answers as counter_run column by column, little pandas work a column."""
    work = {}
    for n in (SMALL, LARGE):
        frame = wide_frame(n)
        frame["count"] = ["7", "8", "9", "10", "11"]
        frame["zeros"] = ["07", "08", "09", "10", "11"]  # leading zeros: an identifier, not a counter
        frame["shuffled"] = ["7", "9", "8", "10", "11"]  # the right ends, not a counter
        frame.iloc[1, 5] = np.nan
        columns = list(frame.columns)
        got, work[n] = library_calls(counter_runs, frame, columns)
        assert got == [counter_run(frame[c]) for c in columns]
        assert dict(zip(columns, got, strict=True))["count"] == (7, 11)
        assert sum(r is not None for r in got) == 1
    assert_linear_and_small(work, per_column=20)  # old: 170 (a Series and a conversion a column)


class _Name(str):
    """A column name that counts the string comparisons made with it."""

    compared = 0
    __hash__ = str.__hash__

    def __eq__(self, other):
        _Name.compared += 1
        return str.__eq__(self, other)


def test_policy_checks_compare_each_column_a_bounded_number_of_times():
    """build_plan's checks of the policy against the table (every column decided, the listed
    quasi-identifiers present, no decision for an absent column): linear, not a scan of the column
    list for each name."""
    work = {}
    for n in (SMALL, LARGE):
        columns = [_Name(f"c{i:05d}") for i in range(n)]
        policy = {"version": 1, "profile": "internal", "privacy": {"quasi_identifiers": [str(c) for c in columns]},
                  "columns": {str(c): {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep"}
                              for c in columns}}
        _Name.compared = 0
        plan = build_plan(columns, policy, strict=False)
        work[n] = _Name.compared
        assert [s.column for s in plan.steps] == columns
        assert list(plan.privacy.quasi_identifiers) == columns
    assert_linear_and_small(work, per_column=8)  # old: 644,000 comparisons at 800 columns (quadratic)


def test_yaml_without_an_anchor_is_not_walked(monkeypatch):
    """The alias measure walks the composed document only when its text has an anchor; a value
    holding "&" is measured and loads; an alias bomb is still refused (tests/test_configfiles.py)."""
    walked = []
    real = configfiles._expanded_size
    monkeypatch.setattr(configfiles, "_expanded_size", lambda node: walked.append(1) or real(node))
    doc = {f"c{i}": {"action": "keep", "note": "x"} for i in range(50)}
    import yaml

    assert configfiles.parse_yaml(yaml.safe_dump(doc), "p.yaml", "policy file") == doc
    assert walked == []
    assert configfiles.parse_yaml("a: 'R&D'\nb: &x [1]\nc: *x\n", "p.yaml", "policy file") == {
        "a": "R&D", "b": [1], "c": [1]}
    assert walked == [1]


def _report(n: int):
    findings = [SimpleNamespace(column=f"col\n{i:05d}" if i == 7 else f"c{i:05d}", role="quasi_identifier",
                                entity="CATEGORY" if i % 2 else None, confidence=0.3,
                                evidence=["first", f"evidence {i}"], examples=[f"m{i}**"] if i % 3 else [],
                                stats={"formula_cells": 1 if i == 5 else 0})
                for i in range(n)]
    return SimpleNamespace(source="wide.csv", rows=5, columns=n, sampled_rows=5, findings=findings,
                           formula_cells=lambda: 1)


def test_a_very_long_scan_table_is_printed_as_plain_lines():
    n = getattr(scan_cli, "PLAIN_TABLE_ABOVE", 1_000) + 1  # (the old code has no such constant)
    buf = io.StringIO()
    scan_cli.render_terminal(_report(n), Console(file=buf, width=160))
    lines = buf.getvalue().splitlines()
    assert lines[0] == f"anon scan: wide.csv (5 rows × {n} columns, 5 sampled)"
    assert lines[1].split() == ["column", "role", "entity", "conf", "evidence", "example", "(masked)"]
    for i, line in enumerate(lines[2:2 + n]):
        name = "col 00007" if i == 7 else f"c{i:05d}"  # a newline in a name: a space, one line a finding
        assert line.startswith(name + " ")
        fields = line[len(name):].split()
        assert fields[:5] == ["quasi_identifier", "CATEGORY" if i % 2 else "-", "30%", "evidence", str(i)]
        assert fields[5:] == ([f"m{i}**"] if i % 3 else [])
    assert lines[2 + n].split() == ["identifier:", "0", "quasi_identifier:", str(n), "sensitive:", "0",
                                    "free_text:", "0", "insensitive:", "0"]
    assert "c00005" in lines[3 + n]  # the formula warning names the column
    # a table of PLAIN_TABLE_ABOVE findings keeps rich's box
    small = io.StringIO()
    scan_cli.render_terminal(_report(20), Console(file=small, width=160))
    assert "┃" in small.getvalue() or "│" in small.getvalue()
