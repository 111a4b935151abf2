"""``values.arrays.sorted_unique`` (a sort) is ``np.unique`` (a hash table in NumPy 2) wherever
it replaced it: identity numbers (uint64), membership keys of the gate's facts and missing-cell
patterns (int64)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform.identities import NameIndex
from anonymizer.values.arrays import packed_codes, sorted_unique


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**64 - 1), max_size=300), st.sampled_from([np.uint64, np.int64, np.int32]))
def test_sorted_unique_is_np_unique(values, dtype):
    """The same values, order and dtype; the input left as it was."""
    info = np.iinfo(dtype)
    a = np.array([x % (int(info.max) - int(info.min) + 1) + int(info.min) for x in values], dtype=dtype)
    a = np.concatenate([a, a[: len(a) // 3], a[:2]])
    before = a.copy()
    got, want = sorted_unique(a), np.unique(a)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
    assert np.array_equal(a, before)


def test_empty_and_single():
    for a in (np.zeros(0, np.uint64), np.zeros(0, np.int64), np.array([5], np.int64)):
        got, want = sorted_unique(a), np.unique(a)
        assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_name_index_is_the_np_unique_of_its_identities():
    """The index of a generated extract (in batches, like pass 1) holds ``np.unique`` of every
    identity number its batches spell."""
    from anonymizer.synth import generate_extract
    from anonymizer.transform.identities import name_hashes

    table, _truth = generate_extract(rows=3000, seed=2021)
    entities = {"NOMFAM": "LAST_NAME", "NOMUSAGE": "LAST_NAME", "PRENOM": "FIRST_NAME",
                "NOMCJ": "LAST_NAME", "PRENOMCJ": "FIRST_NAME"}
    index, spelt = NameIndex(), []
    for start in range(0, len(table), 700):
        batch = table.iloc[start:start + 700]
        index.add(batch, entities)
        hashed = {c: name_hashes(batch[c]) for c in entities}
        for f in ("PRENOM", "PRENOMCJ"):
            for la in ("NOMFAM", "NOMUSAGE", "NOMCJ"):
                (hf, nf), (hl, nl) = hashed[f], hashed[la]
                spelt.append((hf + hl)[(nf > 0) & (nl > 0)])
    want = np.unique(np.concatenate(spelt).astype(np.uint64))
    got = index.hashes()
    assert got.dtype == want.dtype and np.array_equal(got, want) and len(got) > 1000
    again = NameIndex()
    again.add_hashes(got[::-1].copy())
    again.add_hashes(got[:50].copy())
    assert np.array_equal(again.hashes(), want)
    assert pd.Series(got).is_monotonic_increasing


@pytest.mark.parametrize("width", [3, 70_000, 2**40])
def test_packed_codes_are_equal_exactly_when_the_tuples_are(width):
    """Against a factorisation of the tuples themselves: narrow codes, codes whose product overflows
    int64 (the key renumbered on the way), negative and very wide codes (renumbered first)."""
    rng = np.random.default_rng(width)
    rows = 3_000
    columns = [rng.integers(-1, 4, size=rows), rng.integers(0, width, size=rows) % 97 * (width // 97 + 1),
               rng.integers(0, width, size=rows) % 13, rng.integers(0, 5, size=rows)] * 3
    key = packed_codes(iter(columns), rows)
    want = pd.factorize(pd.MultiIndex.from_arrays(columns))[0]
    assert np.array_equal(pd.factorize(key)[0], want)


def test_packed_codes_renumber_before_the_product_overflows():
    """Five columns 65,536 wide: packed as they are, the first column would be multiplied by 2**64
    and vanish (rows differing only there would share a key)."""
    rows = 4
    first = np.array([0, 1, 0, 1])
    rest = [np.array([0, 65_535, 65_535, 0])] * 4
    key = packed_codes([first, *rest], rows)
    assert len(set(key.tolist())) == 4
