"""Cells a spreadsheet would run as formulas ("CSV injection"), and how to disarm them.

OWASP's rule (https://owasp.org/www-community/attacks/CSV_Injection): a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be evaluated by Excel, LibreOffice
or Google Sheets when the CSV is opened (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``); a leading
single quote makes it text.

The rule is about text. A cell that is only a signed number — a sign, digits, spaces and ``.``
or ``,`` separators (``-12.5``, ``-1 234,50``, ``+33 6 12 34 56 78``) — has no function, cell
reference or operator for a spreadsheet to run, so it is left as it is: negative amounts stay
numbers. Anything else with such a first character is a *formula cell*, whatever its column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.values.text import FEW_ROWS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

# a sign, digits with space / no-break space / thin space / . / , separators, an optional exponent
_PLAIN_NUMBER = r"[+-]?\d[\d \u00a0\u202f.,]*(?:[eE][+-]?\d+)?%?|-+"  # or dashes only: "-" for "none"
_STARTS = r"^[=+\-@\t\r]"


def formula_mask(texts: pd.Series) -> np.ndarray:
    """True where a text cell would be run as a formula (see the module's rule); False for
    missing and non-text cells."""
    if len(texts) == 0:
        return np.zeros(0, dtype=bool)
    s = texts.astype("string") if texts.dtype == object else texts
    starts = np.array(s.str.contains(_STARTS, regex=True).fillna(False).to_numpy(dtype=bool))  # writable
    if not starts.any():
        return starts
    idx = np.flatnonzero(starts)
    plain = s.iloc[idx].str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
    starts[idx[plain]] = False
    return starts


def is_text(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.StringDtype) or series.dtype == object or str(series.dtype) == "str"


def _maybe_formula_columns(df: pd.DataFrame) -> list[int]:
    """Positions of the columns :func:`formula_mask` has to look at. In a batch of few rows (a
    wide short table: one pandas regex per column was most of the cost) the text columns are read
    at once and a column none of whose cells starts with a formula character is skipped: it has
    no formula cell. Other dtypes are always looked at."""
    if len(df) > FEW_ROWS:
        return list(range(df.shape[1]))
    text = [j for j, d in enumerate(df.dtypes) if isinstance(d, pd.StringDtype)]
    cells = df.iloc[:, text].to_numpy(dtype=object, na_value="") if text else np.empty((len(df), 0), dtype=object)
    starts = {j for row in cells for j, v in zip(text, row, strict=True) if v[:1] in FORMULA_START}
    other = set(range(df.shape[1])).difference(text)
    return sorted(starts | other)


def neutralise(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """``df`` with every formula cell of its text columns prefixed by a single quote, and the
    count per column (columns without one are not listed). ``df`` itself is not changed."""
    counts: dict[str, int] = {}
    out = df
    for j in _maybe_formula_columns(df):
        col = df.columns[j]
        s = df.iloc[:, j]
        if not is_text(s):
            continue
        mask = formula_mask(s)
        n = int(mask.sum())
        if not n:
            continue
        if out is df:
            out = df.copy(deep=False)
        fixed = s.astype(object).copy()
        fixed[mask] = NEUTRALISER + s[mask].astype(object)
        out.isetitem(j, pd.Series(fixed, index=s.index, dtype=s.dtype, name=col))
        counts[str(col)] = counts.get(str(col), 0) + n
    return out, counts
