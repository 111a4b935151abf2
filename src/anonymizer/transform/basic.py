"""The trivial actions: ``keep``, ``suppress`` and the ``drop`` marker."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from anonymizer.settings import ActionParams
from anonymizer.transform.base import TransformContext


class KeepParams(ActionParams):
    """``keep`` takes no parameter."""

    action: ClassVar[str] = "keep"


class SuppressParams(ActionParams):
    """``suppress`` takes no parameter."""

    action: ClassVar[str] = "suppress"


class DropParams(ActionParams):
    """``drop`` takes no parameter."""

    action: ClassVar[str] = "drop"


def keep(series: pd.Series, *, key: bytes | None = None, params: dict | None = None,
         context: TransformContext | None = None) -> pd.Series:
    """The column unchanged (a copy, so later in-place edits cannot reach the input)."""
    return series.copy()


def suppress(series: pd.Series, *, key: bytes | None = None, params: dict | None = None,
             context: TransformContext | None = None) -> pd.Series:
    """Every cell missing: ``""`` for text, NA for numbers and dates (same dtype)."""
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.copy()
        if pd.api.types.is_integer_dtype(out.dtype):
            out = out.astype("Int64")
        out[:] = pd.NA if str(out.dtype) == "Int64" else None
        return out
    return pd.Series([""] * len(series), index=series.index, name=series.name, dtype=series.dtype)


def drop(series: pd.Series, *, key: bytes | None = None, params: dict | None = None,
         context: TransformContext | None = None) -> pd.Series:
    """Marker: the pipeline removes the column (check ``is_drop(fn)``). Called anyway, it
    fails safe and empties the column like ``suppress``."""
    return suppress(series)


drop.drops_column = True  # type: ignore[attr-defined]


def is_drop(fn) -> bool:
    """True for the action whose column the pipeline must remove."""
    return bool(getattr(fn, "drops_column", False))
