"""Gathering columns of every row as dictionary codes: what the global steps keep of a table.

The key quasi-identifier and reported sensitive columns of the whole table are the only
per-row data a streamed run holds (for the privacy search and the risk report). As text they
take ~10 bytes a cell; here each distinct value is stored once and a cell costs its code.
"""

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
        # the Arrow path's categories as a growing list and their codes by value (text only):
        # while a column has one, its ``_cats`` entry is that very list, and ``_inferred`` says
        # whether the Index the categories were kept in before would have had its dtype inferred
        # (an appended Index: ``str`` for text) or stayed ``object`` (:meth:`_as_index`)
        self._lookup: dict[str, dict[str, int]] = {}
        self._inferred: dict[str, bool] = {}

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
        # the batch's distinct texts looked up in a dictionary kept across batches: an Index of
        # the categories rebuilt its hash table at each batch that brought a new value, and was
        # copied to append them (9 s of the 1M-row pass 1, growing with the batches)
        lookup = self._lookup.get(c)
        if lookup is None:  # first batch, or the categories were changed by _add_values
            before = self._cats[c]
            self._inferred[c] = isinstance(before, pd.Index) and before.dtype != object
            cats = list(before)
            lookup = self._lookup[c] = {v: i for i, v in enumerate(cats) if isinstance(v, str)}
            self._cats[c] = cats
        cats = self._cats[c]
        get = lookup.get
        known = np.fromiter((get(u, -1) for u in uniques), dtype=np.intp, count=len(uniques))
        missing = np.flatnonzero(known < 0)
        if len(missing):  # new values, appended in the order they first appear in the batch
            start = len(cats)
            known[missing] = np.arange(start, start + len(missing))
            new = uniques[missing].tolist()
            cats.extend(new)
            lookup.update(zip(new, range(start, start + len(new)), strict=True))
            self._inferred[c] = True
        self._codes[c].append(known[rows].astype(_code_dtype(len(cats))))

    def _as_index(self, c: str) -> pd.Index:
        """The Arrow path's list of categories as the Index it replaced: appended to (its dtype
        inferred, as ``Index.append`` does: ``str`` for text) or not (``object``)."""
        cats = pd.Index(self._cats[c], dtype=object)
        return pd.Index([], dtype=object).append(cats) if self._inferred[c] else cats

    def _add_values(self, c: str, values: np.ndarray) -> None:
        if self._lookup.pop(c, None) is not None:  # the categories may change here: back to an Index
            self._cats[c] = self._as_index(c)
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
            cats = self._as_index(c) if c in self._lookup else self._cats[c]
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
