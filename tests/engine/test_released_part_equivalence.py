"""Pass 2's released values as arrays (``engine.parallel.released_part``, no frame in between)
are exactly what ``apply_plan`` read before from the frame of tests/engine/released_part_reference.py
(main at f4ca61e, verbatim): the same columns in the same order, and per cell the same value of the
same type, on solved random tables sliced into batches (levels, suppressed records, swapped
columns) with and without a key quasi-identifier slice of mixed dtypes (text with missing values,
numbers, categoricals, a name the levels also release)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engine import released_part_reference as ref
from tests.privacy.test_recoding_equivalence import random_table

from anonymizer.engine.parallel import released_part
from anonymizer.errors import PrivacyTargetError
from anonymizer.privacy.recoding import build_groups, solve_and_swap, split_groups

KEY = b"k" * 32


def _cells(values) -> list[tuple[str, object]]:
    """Each cell as (type name, value); NaN as a marker (NaN != NaN)."""
    return [(type(v).__name__, "NaN" if isinstance(v, float) and v != v else v) for v in values]


def _same(batch: pd.DataFrame, part: tuple) -> None:
    old = ref.released_part(batch, part)
    new = released_part(batch, part)
    want = {c: s.to_numpy() for c, s in old.items()}  # what apply_plan read of the frame
    got = {c: v if isinstance(v, np.ndarray) else v.to_numpy() for c, v in new.items()}
    assert list(got) == list(want)
    for c in want:
        assert len(got[c]) == len(want[c])
        assert _cells(got[c]) == _cells(want[c]), c


def _solved(seed: int):
    frame, specs, _sensitive = random_table(seed)
    primary, secondary = split_groups(build_groups(specs))
    k = int(np.random.default_rng(seed).integers(2, 5))
    try:
        return frame, solve_and_swap(frame, primary, secondary, KEY, k=k, max_suppression=1.0)
    except PrivacyTargetError:
        return frame, None


def _qi_slice(rng: np.random.Generator, n: int, index: pd.Index, clash: str | None) -> pd.DataFrame:
    text = rng.choice(np.array(["75001", "", "2A004", "*", "é ü", "0"], dtype=object), n)
    text[rng.random(n) < 0.2] = None
    text[rng.random(n) < 0.1] = np.nan
    cols = {"qi_text": text, "qi_int": rng.integers(-5, 5, n), "qi_float": rng.random(n),
            "qi_cat": pd.Categorical(rng.choice(["a", "b", "c"], n))}
    if clash is not None:  # a column the levels release too: the slice's value wins, as with concat
        cols[clash] = rng.choice(np.array(["x", "y"], dtype=object), n)
    return pd.DataFrame(cols, index=index)


@pytest.mark.parametrize("seed", range(30))
def test_released_arrays_are_the_reference_frame_columns(seed):
    frame, solution = _solved(seed)
    if solution is None:
        pytest.skip("no solution at this k")
    rng = np.random.default_rng(500 + seed)
    start = int(rng.integers(0, len(frame)))
    stop = int(rng.integers(start, len(frame) + 1))
    batch = frame.iloc[start:stop]
    records = solution.slice(start, stop)
    _same(batch, (None, records))
    clash = str(rng.choice(list(frame.columns))) if seed % 3 == 0 else None
    _same(batch, (_qi_slice(rng, len(batch), batch.index, clash), records))
    _same(batch, (_qi_slice(rng, len(batch), batch.index, None), None))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6), st.integers(-3, 3), st.floats(allow_nan=True)),
                min_size=0, max_size=30), st.integers(0, 10_000))
def test_any_key_quasi_identifier_slice(values, offset):
    """The key quasi-identifiers' slice (ARX mode, the key-variable search) with any cells."""
    index = pd.RangeIndex(offset, offset + len(values))
    batch = pd.DataFrame({"x": np.arange(len(values))}, index=index)
    qi = pd.DataFrame({"q": pd.Series(values, dtype=object, index=index),
                       "r": pd.Series([str(v) for v in values], dtype=object, index=index)})
    _same(batch, (qi, None))
