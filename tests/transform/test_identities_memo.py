"""``name_hashes`` keeps each text value's (identity number, word count) for the run (issue #21:
the fake names of a column, its re-draws and the context columns are hashed again and again from
lists of a few thousand names) and gives exactly the numbers of the reference, which hashed every
distinct value on each call (tests/transform/identities_reference.py): on seeded random name cells
(accents, civilities, compound names, digits, empty and missing cells, non-text values), hashed
alone, together, repeatedly and after the memo was cleared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.transform import identities
from anonymizer.transform.identities import name_hashes

from . import identities_reference as reference

WORDS = ["Jean", "JEAN", "jéan", "Marie-Claire", "M.", "Mme", "DE LA", "Fontaine", "Œdipe", "O'Neil", "12",
         "Dupont", " ", "-", "ß", "İsmail", "x"]


def _cells(rng: np.random.Generator, n: int) -> list:
    out: list = [" ".join(rng.choice(WORDS, rng.integers(0, 4))) for _ in range(n)]
    out[::13] = [None] * len(out[::13])
    out[::17] = [np.nan] * len(out[::17])
    return out


def _check(values) -> None:
    new, old = name_hashes(values), reference.name_hashes(values)
    assert np.array_equal(new[0], old[0]) and np.array_equal(new[1], old[1])
    assert new[0].dtype == old[0].dtype and new[1].dtype == old[1].dtype


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_name_hashes_equal_the_reference_with_and_without_the_memo(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    cells = _cells(rng, 400)
    identities._HASHED.clear()
    for series in (pd.Series(cells, dtype=object), pd.Series(cells, dtype="str"), pd.Series(cells[:7], dtype=object),
                   pd.Series(cells, dtype=object)):  # cold, warm, a subset, warm again
        _check(series)
    _check(pd.Series([1, True, 1.5, "1", "True", None], dtype=object))  # non-text values are not memoised
    _check(pd.Series([], dtype=object))
    monkeypatch.setattr(identities, "_HASHED_MAX", 50)  # the memo fills and is cleared mid-way
    for _ in range(3):
        _check(pd.Series(_cells(rng, 200), dtype=object))
    assert len(identities._HASHED) <= 50 + 200
