"""Vectorised text formatting with pyarrow compute: numbers, dates and amounts to strings.

Every column of the extract is built as a pyarrow string array so that a million rows are
formatted in C, never with one Python call per cell.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = np.datetime64("1970-01-01", "D")
_DATE_FIRST = np.datetime64("1890-01-01", "D")
_DATE_LAST = np.datetime64("2035-12-31", "D")
_BASE = int((_DATE_FIRST - EPOCH).astype(int))
MISSING = np.iinfo(np.int64).min  # sentinel for "no date" / "no number"


def _date_pool() -> pa.Array:
    days = np.arange(_DATE_FIRST, _DATE_LAST + 1)
    y = days.astype("datetime64[Y]").astype(int) + 1970
    m = days.astype("datetime64[M]").astype(int) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(int) + 1
    s = [f"{a:02d}/{b:02d}/{c:04d}" for a, b, c in zip(d.tolist(), m.tolist(), y.tolist(), strict=True)]
    return pa.array(s, pa.string())


_DATES: pa.Array | None = None
_TWO = pa.array([f"{i:02d}" for i in range(100)], pa.string())


def date_str(days: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 -> ``JJ/MM/AAAA``; MISSING -> ``""``."""
    global _DATES
    if _DATES is None:
        _DATES = _date_pool()
    days = np.asarray(days, dtype=np.int64)
    miss = days == MISSING
    idx = np.where(miss, 0, days - _BASE)
    if idx.size and (idx.min() < 0 or idx.max() >= len(_DATES)):
        raise ValueError("date out of the generator's range")
    out = _DATES.take(pa.array(idx))
    return blank(miss, out) if miss.any() else out


def int_str(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers -> decimal strings, zero-padded to ``width``; MISSING -> ``""``."""
    values = np.asarray(values, dtype=np.int64)
    miss = values == MISSING
    s = pc.cast(pa.array(np.where(miss, 0, values)), pa.string())
    if width:
        s = pc.utf8_lpad(s, width=width, padding="0")
    return blank(miss, s) if miss.any() else s


def money(cents: np.ndarray) -> pa.Array:
    """Non-negative amounts in cents -> ``1234,56`` (decimal comma, no thousands separator)."""
    cents = np.asarray(cents, dtype=np.int64)
    miss = cents == MISSING
    c = np.where(miss, 0, cents)
    out = cat(int_str(c // 100), ",", _TWO.take(pa.array(c % 100)))
    return blank(miss, out) if miss.any() else out


def cat(*parts) -> pa.Array:
    """Element-wise concatenation of arrays and scalars (strings)."""
    args = [p if isinstance(p, pa.Array | pa.ChunkedArray) else pa.scalar(str(p), pa.string()) for p in parts]
    return pc.binary_join_element_wise(*args, "")


def pick(values, idx: np.ndarray) -> pa.Array:
    """``values[idx]`` for a list/array of strings and an integer index array."""
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def where(mask: np.ndarray, a, b) -> pa.Array:
    """``a`` where mask else ``b`` (arrays or string scalars)."""
    a = a if isinstance(a, pa.Array) else pa.scalar(str(a), pa.string())
    b = b if isinstance(b, pa.Array) else pa.scalar(str(b), pa.string())
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)


def blank(mask: np.ndarray, a) -> pa.Array:
    """``""`` where mask, else ``a``."""
    return where(mask, "", a)


def const(value: str, n: int) -> pa.Array:
    """A column holding one value."""
    return pa.array(np.full(n, value, dtype=object), pa.string())


def lengths(a: pa.Array) -> np.ndarray:
    """Length in characters (code points, as Python's ``len``) of each string."""
    return pc.utf8_length(a).to_numpy(zero_copy_only=False).astype(np.int64)
