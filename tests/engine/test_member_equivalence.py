"""``verify.member`` (sorted search for many values) against its previous definition, kept
verbatim in tests/engine/leak_reference.py."""

from __future__ import annotations

import leak_reference as ref  # tests/engine: the old code, verbatim
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.engine.verify import _SORT_FROM, _hashes, member

u64 = st.integers(min_value=0, max_value=2**64 - 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(u64, max_size=300), st.lists(u64, max_size=600), st.data())
def test_member_matches_reference(index: list[int], values: list[int], data) -> None:
    union = np.unique(np.array(index, dtype=np.uint64))
    vals = np.array(values, dtype=np.uint64)
    if len(union) and len(vals):  # some values taken from the index, duplicates included
        picks = data.draw(st.lists(st.integers(0, len(union) - 1), max_size=len(vals)))
        vals[: len(picks)] = union[picks]
    assert np.array_equal(member(vals, union), ref.member(vals, union))


@pytest.mark.parametrize("n", [0, 1, _SORT_FROM - 1, _SORT_FROM, 50_000])
def test_member_on_hashes_of_text(n: int) -> None:
    rng = np.random.default_rng(n)
    words = np.array([f"ID{i:09d}" for i in rng.integers(0, 10**6, 20_000)], dtype=object)
    union = np.unique(_hashes(words))
    probe = np.array([f"ID{i:09d}" for i in rng.integers(0, 10**6, n)], dtype=object)
    h = _hashes(probe) if n else np.zeros(0, dtype=np.uint64)
    got = member(h, union)
    assert got.dtype == bool and np.array_equal(got, ref.member(h, union))
    assert np.array_equal(got, np.isin(h, union))
