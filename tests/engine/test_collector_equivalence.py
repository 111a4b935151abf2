"""The pass-1 collector's Arrow path (issue #21: each batch column dictionary-encoded by Arrow, only
its distinct values looked up) gives the categories and codes of the collector it replaced, kept
verbatim below as the reference, over seeded random batches: pyarrow and object text, numbers,
categoricals, missing values, empty strings, accents and case, one row, batches below and above
``FEW_ROWS`` in any order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.engine.gather import ColumnCollector
from anonymizer.io import as_text
from anonymizer.values.text import FEW_ROWS, text_matrix

# ----------------------------------------------------------------- the reference (main at 283e449)


class ReferenceCollector:
    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        # a column's categories: an object Index, or while they are few a list (an Index a
        # column and batch was most of a wide short table's gathering); one empty Index shared
        empty = pd.Index([], dtype=object)
        self._cats: dict[str, pd.Index | list] = dict.fromkeys(columns, empty)
        self._codes: dict[str, list[np.ndarray]] = {c: [] for c in columns}

    def add(self, frame: pd.DataFrame) -> None:
        if len(frame) <= FEW_ROWS:  # a wide short table: the text of every column in one call
            texts = text_matrix(frame, self.columns)
            for j, c in enumerate(self.columns):
                self._add_values(c, texts[:, j])
            return
        for c in self.columns:
            self._add_values(c, as_text(frame[c]).to_numpy(dtype=object))

    def _add_values(self, c: str, values: np.ndarray) -> None:
        cats = self._cats[c]
        if len(values) <= FEW_ROWS and len(cats) <= FEW_ROWS:
            # few cells and categories: a dictionary, not a pandas hash index built per column
            # (the same categories in the same first-seen order, the same codes)
            lookup = {v: i for i, v in enumerate(cats)}
            codes = [lookup.setdefault(v, len(lookup)) for v in values]
            if len(lookup) > len(cats):
                self._cats[c] = list(lookup)
            self._codes[c].append(np.array(codes, dtype=_code_dtype(len(lookup))))
            return
        if not isinstance(cats, pd.Index):
            cats = self._cats[c] = pd.Index(cats, dtype=object)
        codes = cats.get_indexer(values)
        missing = codes < 0
        if missing.any():
            cats = cats.append(pd.Index(pd.unique(values[missing]), dtype=object))
            self._cats[c] = cats
            codes[missing] = cats.get_indexer(values[missing])
        self._codes[c].append(codes.astype(_code_dtype(len(cats))))

    def frame(self) -> pd.DataFrame:
        """The gathered columns as categoricals (missing -> ""), with a fresh index."""
        out = {}
        for c in self.columns:
            cats = self._cats[c]
            if not isinstance(cats, pd.Index):
                cats = pd.Index(cats, dtype=object)  # text categories stay objects (a list would infer str)
            parts = self._codes[c]
            codes = np.concatenate([p.astype(_code_dtype(len(cats))) for p in parts]) if parts else np.zeros(0, np.int8)
            # codes were made against these very categories: in range, no check needed (40% of the call)
            out[c] = pd.Categorical.from_codes(codes, categories=cats, validate=False)
        return pd.DataFrame(out)


def _code_dtype(n: int) -> type:
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


# ----------------------------------------------------------------- the comparison

WORDS = ["", "a", "A", "é", "É", "e", "Hélène", "HELENE", "  x", "x  ", "33063", "033063", "1", "1.0", "—", "nan"]


def _column(rng: np.random.Generator, n: int, kind: str, pool: int) -> pd.Series:
    values = [WORDS[i] if i < len(WORDS) else f"v{i}" for i in range(pool)]
    picked = rng.choice(np.asarray(values, dtype=object), n)
    if kind == "str":
        return pd.Series(picked, dtype="str")
    if kind == "object":
        s = pd.Series(picked, dtype=object)
        s[rng.random(n) < 0.2] = None  # missing
        return s
    if kind == "missing":
        return pd.Series(np.where(rng.random(n) < 0.3, None, picked), dtype="str")
    if kind == "int":
        return pd.Series(rng.integers(0, pool, n))
    if kind == "float":
        s = pd.Series(rng.integers(0, pool, n) / 2)
        s[rng.random(n) < 0.2] = np.nan
        return s
    return pd.Series(pd.Categorical(picked))


KINDS = ["str", "object", "missing", "int", "float", "category"]


def _batches(seed: int) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sizes = [int(s) for s in rng.choice([0, 1, 7, FEW_ROWS, FEW_ROWS + 1, 900, 3000], 6)]
    pools = {f"C{j}": int(p) for j, p in enumerate(rng.choice([1, 3, 16, 200, 5000], len(KINDS) * 2))}
    return [pd.DataFrame({c: _column(rng, n, KINDS[j % len(KINDS)], pools[c]).to_numpy()
                          if KINDS[j % len(KINDS)] == "object" else _column(rng, n, KINDS[j % len(KINDS)], pools[c])
                          for j, c in enumerate(pools)}) for n in sizes]


@pytest.mark.parametrize("seed", range(12))
def test_collected_codes_are_the_old_ones(seed):
    batches = _batches(seed)
    columns = list(batches[0].columns)
    new, old = ColumnCollector(columns), ReferenceCollector(columns)
    for b in batches:
        new.add(b)
        old.add(b)
    got, want = new.frame(), old.frame()
    for c in columns:
        assert got[c].dtype == want[c].dtype, c
        assert got[c].cat.categories.dtype == want[c].cat.categories.dtype, c
        assert list(got[c].cat.categories) == list(want[c].cat.categories), c
        assert got[c].cat.codes.dtype == want[c].cat.codes.dtype, c
        assert np.array_equal(got[c].cat.codes.to_numpy(), want[c].cat.codes.to_numpy()), c


def test_the_arrow_path_is_taken_for_tall_text_columns(monkeypatch):
    """The Arrow path is the one measured: a tall text column never hashes a Python string per cell."""
    calls = []
    monkeypatch.setattr(ColumnCollector, "_add_values", lambda self, c, v: calls.append((c, len(v))))
    collector = ColumnCollector(["A"])
    collector.add(pd.DataFrame({"A": pd.Series(["x", "y"] * 500, dtype="str")}))
    collector.add(pd.DataFrame({"A": pd.Series(["x", 1.5] * 500, dtype=object)}))  # rendered as text first
    assert calls == []


def _same_frames(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    for c in want.columns:
        assert got[c].dtype == want[c].dtype, c
        assert got[c].cat.categories.dtype == want[c].cat.categories.dtype, c
        assert list(got[c].cat.categories) == list(want[c].cat.categories), c
        assert got[c].cat.codes.dtype == want[c].cat.codes.dtype, c
        assert np.array_equal(got[c].cat.codes.to_numpy(), want[c].cat.codes.to_numpy()), c


@pytest.mark.parametrize("seed", range(16))
def test_the_dictionary_per_column_collects_as_the_index_did(seed):
    """The Arrow path's dictionary and list per column (the previous collector kept the categories
    in an Index, looked up and appended to at each batch: tests/engine/collector_reference.py,
    main at d48292e): the same categories, their dtype, codes and code dtypes, over many batches
    (new values in most), short ones (the general path) between them in any order."""
    from tests.engine.collector_reference import ColumnCollector as Previous

    rng = np.random.default_rng(100 + seed)
    batches = _batches(seed) + _batches(seed + 50)
    batches = [batches[i] for i in rng.permutation(len(batches))]
    columns = list(batches[0].columns)
    new, old = ColumnCollector(columns), Previous(columns)
    for b in batches:
        new.add(b)
        old.add(b)
    _same_frames(new.frame(), old.frame())
