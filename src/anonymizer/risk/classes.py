"""Equivalence classes: quasi-identifier columns encoded once as integer codes, grouped with numpy.

**Missing-value rule** (one rule, used by every measure of the report):

* A cell is *missing* when it is NaN/None, the empty string, or made only of ``*``
  (the usual mark of a suppressed or fully generalised cell, as in ARX hierarchies).
* A missing cell is an ordinary value of its own, ``*``: it equals every other missing cell of the
  same column and no real value. This is ARX's rule for suppressed cells. sdcMicro's
  alternative (``NA`` matches every value) makes classes larger and so can only lower the
  measured risk; our rule never reports less risk than it.
* A record whose quasi-identifiers are *all* missing is a *suppressed record*: it carries no
  quasi-identifying information and counts as removed (DESIGN.md, "suppressed records count as
  removed"); it is left out of the classes and reported apart.

Rows are never looped over in Python: each column is factorised once (``pd.factorize``) and
columns are combined as mixed-radix integer keys, re-compressed when the radix product would
overflow 63 bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING_CODE = 0  # code 0 is reserved for the missing value "*" in every encoded column


def _blank_values(values) -> np.ndarray:
    """True for the values that count as missing: NaN/None, "", or only ``*`` (after stripping)."""
    s = pd.Series(values, dtype=object)
    na = s.isna().to_numpy(dtype=bool)
    text = s.where(~na, "").astype(str).str.strip()
    return na | (text == "").to_numpy(dtype=bool) | text.str.fullmatch(r"\*+").to_numpy(dtype=bool)


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize codes (-1 for NaN) and, per distinct value, whether it is a missing value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    dtype = series.dtype.categories.dtype if isinstance(series.dtype, pd.CategoricalDtype) else series.dtype
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        blank = _blank_values(np.asarray(uniques, dtype=object))
    else:
        blank = np.zeros(len(uniques), dtype=bool)
    return codes, blank


def missing_mask(series: pd.Series) -> np.ndarray:
    """True where a cell is missing under the module's rule (NaN, "", only ``*``).

    The rule is applied to the distinct values only, then mapped back through the codes.
    """
    codes, blank = _factorize(series)
    return (codes < 0) | np.r_[blank, False][codes]


def encode_column(series: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes for one column: 0 = missing, 1..m = the distinct values; returns (codes, m + 1)."""
    codes, blank = _factorize(series)
    m = len(blank)
    dtype = np.int32 if m < 2**31 - 2 else np.int64  # int32 halves memory on big tables
    # code 0 for NaN (-1 + 1) and for every blank value; values turned into "missing" keep an
    # unused code slot, harmless for grouping
    remap = np.arange(1, m + 2, dtype=dtype)
    remap[:m][blank] = MISSING_CODE
    remap[m] = MISSING_CODE  # index -1 (NaN) lands on the last slot
    return remap[codes], m + 1


def combine_codes(columns: list[np.ndarray], cards: list[int]) -> np.ndarray:
    """Combine per-column codes into one int64 key per row (equal keys = equal tuples)."""
    n = len(columns[0]) if columns else 0
    if not columns:
        return np.zeros(n, dtype=np.int64)
    key = columns[0].astype(np.int64, copy=True)
    span = int(cards[0])
    for codes, card in zip(columns[1:], cards[1:], strict=True):
        if span * int(card) >= 2**62:
            key, _ = compress(key)
            span = int(key.max()) + 1 if n else 1
        key = key * int(card) + codes.astype(np.int64)
        span *= int(card)
    return key


def compress(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids 0..g-1 for an int key (hash-based, no sort); returns (ids, g)."""
    ids, uniq = pd.factorize(key)
    return ids.astype(np.int64), len(uniq)


def group_sorted(key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal int64 keys with one sort: (ids in key order, group sizes, first key of each group).

    A sort beats a hash table when most keys are distinct (millions of small classes), and the
    ids come out in key order, so groups are numbered the same way on every run.
    """
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), key[:0]
    order = np.argsort(key)
    sk = key[order]
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(sk[1:], sk[:-1], out=start[1:])
    ids = np.empty(n, dtype=np.int64)
    running = np.cumsum(start)
    running -= 1  # in place: one temporary of n int64 instead of two
    ids[order] = running
    del running, order
    firsts = np.flatnonzero(start)
    sizes = np.diff(np.r_[firsts, n]).astype(np.int64)
    return ids, sizes, sk[firsts]


@dataclass
class Classes:
    """The partition of the kept records into equivalence classes.

    ``class_id[r]`` is the class of kept record ``r`` (``-1`` for suppressed records),
    ``sizes[c]`` the size of class ``c``; ``kept`` marks records that are not suppressed.
    """

    class_id: np.ndarray
    sizes: np.ndarray
    kept: np.ndarray
    n_records: int

    @property
    def n_kept(self) -> int:
        return int(self.kept.sum())

    @property
    def n_suppressed(self) -> int:
        return self.n_records - self.n_kept

    def record_sizes(self) -> np.ndarray:
        """Size of each kept record's class (aligned with the kept records)."""
        return self.sizes[self.class_id[self.kept]]


def encode_table(df: pd.DataFrame, cols: list[str]) -> tuple[list[np.ndarray], list[int]]:
    """Encode each named column once; the codes are reused by every measure."""
    codes, cards = [], []
    for col in cols:
        c, m = encode_column(df[col])
        codes.append(c)
        cards.append(m)
    return codes, cards


def classes_from_codes(codes: list[np.ndarray], cards: list[int], n: int) -> Classes:
    """Group records by their quasi-identifier codes (all-missing records are suppressed)."""
    if not codes:
        return Classes(np.zeros(n, dtype=np.int64), np.array([n] if n else [], dtype=np.int64),
                       np.ones(n, dtype=bool), n)
    all_missing = np.ones(n, dtype=bool)
    for c in codes:
        all_missing &= c == MISSING_CODE
    kept = ~all_missing
    key = combine_codes(codes, cards)
    if kept.all():
        class_id, sizes, _ = group_sorted(key)
        return Classes(class_id, sizes, kept, n)
    class_id = np.full(n, -1, dtype=np.int64)
    ids, sizes, _ = group_sorted(key[kept])
    class_id[kept] = ids
    return Classes(class_id, sizes, kept, n)


def equivalence_classes(df: pd.DataFrame, qi: list[str]) -> Classes:
    """Equivalence classes of ``df`` on the quasi-identifiers ``qi`` (Sweeney 2002)."""
    codes, cards = encode_table(df, qi)
    return classes_from_codes(codes, cards, len(df))
