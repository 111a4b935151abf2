"""``replace_row_names`` reads a batch's name columns once for all its free-text columns (issue
#21: ``apply_plan`` passes a per-batch memo): the rows it may change are the ones the old
per-column ``_may_name`` found (tests/transform/row_names_reference.py, verbatim), and the texts
written with a shared memo are the ones written without it, the old per-row loop's
(test_row_names.reference); a memo built from other name columns is not reused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform import row_names
from anonymizer.transform.row_names import _looked_for_rows, _may_name, replace_row_names

from .row_names_reference import _may_name as reference_may_name
from .test_row_names import _outcome, _table, reference

_NAMES = st.one_of(st.sampled_from(["DUPONT", "Le Goff", "  Paul  ", "Jean Pierre", "DE LA FONTAINE", "Al", "İlker",
                                    "Strauß", "x|y", "", " ", "ab cd", "Anne-Marie", "\u212aarl"]),
                   st.text(alphabet="aAbBéÉ -'ßİı\u212a", max_size=12), st.none(), st.integers(-5, 500))


@st.composite
def _rows(draw):
    n = draw(st.integers(0, 12))
    k = draw(st.integers(1, 4))
    columns = [np.array(draw(st.lists(_NAMES, min_size=n, max_size=n)) + [], dtype=object) for _ in range(k)]
    words = [str(v) for col in columns for v in col] + ["dupont", "GOFF", "LA", "PIERRE", "ANNE", "ILKER", "STRAUSS"]
    cells = [" ".join(draw(st.lists(st.sampled_from(words), max_size=4))).upper() + draw(st.text(max_size=3))
             for _ in range(n)]
    return cells, columns


@settings(max_examples=400, deadline=None)
@given(_rows())
def test_may_name_finds_the_rows_the_per_column_reading_found(case):
    cells, columns = case
    assert _may_name(cells, _looked_for_rows(columns)).tolist() == reference_may_name(cells, columns).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_may_name_on_random_tables(seed):
    text, original, _fakes, _plan, redrawn = _table(seed, 300)
    columns = [original[c].to_numpy(dtype=object) for c in original] + [r.to_numpy(dtype=object) for r in redrawn.values()]
    cells = [t.upper() for t in text]
    got = _may_name(cells, _looked_for_rows(columns))
    assert got.tolist() == reference_may_name(cells, columns).tolist()
    assert 0 < got.sum() < len(cells)


def _want(text, original, fakes, plan, redrawn):
    """The old per-row loop's texts; where it failed (a name matched through a case twin of
    ``re.IGNORECASE``, test_row_names), the texts written without a memo."""
    want = _outcome(reference, text, original, fakes, plan, redrawn)
    if want[0] == "KeyError":
        return replace_row_names(text, original, fakes, plan, redrawn).tolist()
    return want[0]


@pytest.mark.parametrize("seed", range(6))
def test_a_shared_memo_writes_what_each_column_alone_writes(seed):
    text, original, fakes, plan, redrawn = _table(seed, 300)
    others = [text, text.sample(frac=1.0, random_state=seed).set_axis(text.index), text.str.upper(), text.str[::-1]]
    for given_redrawn in (None, redrawn):
        memo: dict = {}
        for t in others:
            want = _want(t, original, fakes, plan, given_redrawn)
            assert replace_row_names(t, original, fakes, plan, given_redrawn, memo).tolist() == want
            assert replace_row_names(t, original, fakes, plan, given_redrawn).tolist() == want
        assert "row_names" in memo


def test_the_memo_is_read_once_per_batch_and_not_for_other_name_columns(monkeypatch):
    text, original, fakes, plan, redrawn = _table(7, 200)
    built = []
    real = row_names._looked_for_rows
    monkeypatch.setattr(row_names, "_looked_for_rows", lambda columns: built.append(1) or real(columns))
    memo: dict = {}
    for _ in range(3):
        replace_row_names(text, original, fakes, plan, redrawn, memo)
    assert len(built) == 1
    # other fakes, other first draws, another frame, another index: built again, and right
    other_fakes = {c: f.sample(frac=1.0, random_state=1).set_axis(f.index) for c, f in fakes.items()}
    other_redrawn = {c: r.shift(1, fill_value="") for c, r in redrawn.items()}
    cases = [(text, original, other_fakes, other_redrawn), (text, original, other_fakes, None),
             (text, original.iloc[::-1].set_axis(original.index), fakes, redrawn),
             (text.set_axis(text.index + 1), original.set_axis(text.index + 1),
              {c: f.set_axis(text.index + 1) for c, f in fakes.items()}, redrawn)]
    for t, o, f, r in cases:
        n = len(built)
        got = replace_row_names(t, o, f, plan, r, memo).tolist()
        assert len(built) == n + 1
        assert got == _want(t, o, f, plan, r)
