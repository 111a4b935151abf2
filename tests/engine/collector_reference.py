"""The pass-1 collector (``engine.gather``) as it was at main d48292e, before its Arrow path kept
a dictionary per column: kept verbatim as a reference (tests/engine/test_collector_equivalence.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.io import as_text
from anonymizer.values.text import FEW_ROWS, text_matrix


class ColumnCollector:
    """Gathers columns batch by batch as codes into one dictionary per column.

    The gathered quasi-identifier and sensitive columns are what pass A keeps for the whole
    table. As text they take ~10 bytes a cell; as per-batch categoricals the categories were
    repeated in every batch (a high-cardinality column such as QF, 228,486 distinct values in
    5 million rows, kept 25,000 strings per batch: +5.5 MB a batch). Here each distinct value
    is stored once, and a cell costs its code: 1, 2 or 4 bytes.
    """

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
            self._add_text(c, as_text(frame[c]))

    def _add_text(self, c: str, text: pd.Series) -> None:
        """One column of a batch of many rows: its distinct values found by Arrow (a dictionary
        encoding, in first-seen order, without a Python string per cell), then only those looked
        up in the column's categories — the same categories in the same order, the same codes as
        :meth:`_add_values` (which hashed every cell as a Python object: 4 s of pass 1 on 100,000
        rows)."""
        try:
            arr = pa.array(text, from_pandas=True)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or arr.null_count:
                raise TypeError(arr.type)
        except (pa.ArrowException, TypeError, ValueError, UnicodeError):  # not plain text: the general way
            self._add_values(c, text.to_numpy(dtype=object))
            return
        encoded = pc.dictionary_encode(arr)
        uniques = encoded.dictionary.to_numpy(zero_copy_only=False)
        rows = encoded.indices.to_numpy(zero_copy_only=False)
        cats = self._cats[c]
        if not isinstance(cats, pd.Index):
            cats = pd.Index(cats, dtype=object)
        known = cats.get_indexer(uniques) if len(cats) else np.full(len(uniques), -1, dtype=np.intp)
        missing = known < 0
        if missing.any():  # new values, appended in the order they first appear in the batch
            known[missing] = np.arange(len(cats), len(cats) + int(missing.sum()))
            cats = cats.append(pd.Index(uniques[missing], dtype=object))
        self._cats[c] = cats
        self._codes[c].append(known[rows].astype(_code_dtype(len(cats))))

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


def compact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One frame as :class:`ColumnCollector` stores it (categorical text columns)."""
    collector = ColumnCollector([str(c) for c in frame.columns])
    collector.add(frame)
    return collector.frame().set_axis(frame.index)
