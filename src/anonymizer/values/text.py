"""How any cell reads as text: the one ``as_text`` (``anonymizer.io.as_text`` and the transforms' ``to_text``).

What a value looks like to a person, without float artefacts: ``str`` values, ``""`` for missing,
integral floats without ``.0`` (``1e16`` -> ``10000000000000000``: the float holds that integer
exactly), timestamps as ``YYYY-MM-DD`` at midnight and with their time otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math

import numpy as np
import pandas as pd


def _float_text(v: float) -> str:
    if math.isnan(v):
        return ""
    if v.is_integer() and abs(v) < 1e18:
        return str(int(v))  # 185057512345678.0 -> "185057512345678", 1e16 -> "10000000000000000"
    return repr(float(v))


def _value_text(v: object) -> str:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, float | np.floating):
        return _float_text(float(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, pd.Timestamp | _dt.datetime):
        if v.hour == v.minute == v.second == v.microsecond == 0 and v.tzinfo is None:
            return v.strftime("%Y-%m-%d")
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


def as_text(series: pd.Series) -> pd.Series:
    """Return ``series`` as text: ``str`` values, ``""`` for missing, integers without ``.0``.

    Text columns pass through (missing -> ``""``); typed columns from Parquet/SAS/Stata/SPSS
    are rendered value by value: ``3.0`` -> ``"3"``, ``NaN``/``None``/``NaT`` -> ``""``,
    midnight timestamps -> ``"YYYY-MM-DD"``.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # each category rendered once, cells by code
        cats = as_text(pd.Series(np.asarray(dtype.categories, dtype=object))).to_numpy(dtype=object)
        return pd.Series(np.append(cats, "")[series.cat.codes.to_numpy()], index=series.index, dtype=object,
                         name=series.name)
    if isinstance(dtype, pd.StringDtype):
        # already text (copy-on-write: safe to share); the array's isna, not Series.hasnans: 5x
        # cheaper, and as_text runs once per column (10,000 columns in wide tables, issue #18)
        return series.fillna("") if series.array.isna().any() else series
    if dtype is np.dtype(object) and _all_str(series):
        out = series.fillna("") if series.hasnans else series
        return out.astype(str)
    if pd.api.types.is_integer_dtype(dtype) and not series.hasnans:
        return series.astype("int64").astype(str) if dtype != "uint64" else series.map(str).astype(str)
    if pd.api.types.is_float_dtype(dtype):
        return _float_column_text(series)
    if pd.api.types.is_bool_dtype(dtype) and not series.hasnans:
        return series.map(lambda b: str(bool(b))).astype(str)
    # distinct values are few in typical columns: render each once, map back
    values = series.to_numpy(dtype=object, na_value=None)
    uniq: dict[object, str] = {}
    out_list = []
    for v in values:
        try:
            t = uniq[v]
        except (KeyError, TypeError):
            t = _value_text(v)
            with contextlib.suppress(TypeError):
                uniq[v] = t
        out_list.append(t)
    return pd.Series(out_list, index=series.index, name=series.name, dtype=str)


def _float_column_text(series: pd.Series) -> pd.Series:
    """``_float_text`` of every cell: integral values vectorised, the others by ``repr``."""
    arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        integral = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 1e18)
    out = np.full(len(arr), "", dtype=object)
    out[integral] = arr[integral].astype(np.int64).astype(str).astype(object)
    other = np.flatnonzero(~integral & ~np.isnan(arr))
    if len(other):
        out[other] = [repr(float(v)) for v in arr[other].tolist()]
    return pd.Series(out, index=series.index, name=series.name, dtype=str)


def _all_str(series: pd.Series) -> bool:
    """Every non-missing value is a ``str`` (pandas' C type inference, no Python loop)."""
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def object_text(series: pd.Series) -> pd.Series:
    """:func:`as_text`'s values as Python ``str`` in an object Series (same index and name):
    what per-value Python code iterates over (``transform.base.to_text``). An object column of
    strings is not round-tripped through the ``str`` dtype."""
    if series.dtype is np.dtype(object) and _all_str(series):
        return series.fillna("") if series.hasnans else series
    out = as_text(series)
    if out.dtype != object:
        out = out.astype(object)
    return out if out.name == series.name else out.rename(series.name)


# Below this many rows a pandas call on a column (20-50 µs of overhead) costs more than its
# cells: a wide short table (10,000 columns × 5 rows, issue #18 item 8) takes the NumPy paths
# over all its columns at once; tall batches keep pandas' per-column C paths.
FEW_ROWS = 256


def text_matrix(frame: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
    """:func:`as_text` of the given columns (default: all) as one rows × columns object array.

    Columns of pandas' text dtype are converted in one call (missing -> ``""``, as ``as_text``
    does); any other dtype goes through ``as_text`` column by column."""
    columns = None if columns is None or list(columns) == list(frame.columns) else list(columns)
    sub = frame if columns is None else frame[columns]  # (a selection costs a third more a column)
    if all(isinstance(d, pd.StringDtype) for d in sub.dtypes):
        return sub.to_numpy(dtype=object, na_value="")
    out = np.empty(sub.shape, dtype=object)
    for j in range(sub.shape[1]):
        s = sub.iloc[:, j]
        out[:, j] = (s.to_numpy(dtype=object, na_value="") if isinstance(s.dtype, pd.StringDtype)
                     else as_text(s).to_numpy(dtype=object))
    return out


def factorize_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of text values (no missing: ``""``): (int64 codes, distinct values in
    first-seen order, an object array). A few values by a dictionary (a pandas hash table costs
    ~30 µs to set up, per column of a wide short table), more by pandas."""
    if len(values) <= FEW_ROWS:
        lookup: dict[object, int] = {}
        codes = np.array([lookup.setdefault(v, len(lookup)) for v in values], dtype=np.int64)
        return codes, np.array(list(lookup), dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)
