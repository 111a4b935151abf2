"""``row_names._may_name`` as it was before its per-batch memo (main at 855857a), copied verbatim
with ``_looked_for``: the name columns read again (text, factorised, each name's words) for each
free-text column. tests/transform/test_row_names_memo.py compares it with the new
``_may_name(cells, _looked_for_rows(columns))``."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _looked_for(name: str) -> tuple[str, ...]:
    """What :func:`_may_name` looks for of one name: its upper case and its words' (3 letters or more)."""
    whole = name.strip()
    if len(whole) < 3:
        return ()
    parts = whole.split()
    return (whole.upper(),) + tuple(p.upper() for p in parts if len(p) >= 3 and len(parts) > 1)


def _may_name(cells: list[str], columns: list[np.ndarray]) -> np.ndarray:
    """Rows whose upper-case text holds one of the row's names of at least 3 letters, or one of
    their words (whatever the fake): the only rows :func:`replace_row_names` can change. Each
    distinct name is read once."""
    per_column = []
    for col in columns:
        codes, names = pd.factorize(np.asarray([str(v) for v in col], dtype=object))
        looked = np.empty(len(names), dtype=object)
        looked[:] = [_looked_for(n) for n in names]
        per_column.append(looked[codes])
    rows = zip(*per_column, strict=True)
    return np.fromiter((any(k in u for ks in row for k in ks) for row, u in zip(rows, cells, strict=True)),
                       dtype=bool, count=len(cells))
