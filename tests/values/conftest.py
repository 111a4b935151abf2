"""Helpers for the value-parser tests: a text column, a transform context, a fixed key."""

from __future__ import annotations

import pandas as pd

from anonymizer.transform import PERSON_ID, TransformContext

KEY = bytes(range(32))


def text(values: list[str]) -> pd.Series:
    """A text column as the readers give it (pandas ``str`` dtype, "" = missing)."""
    return pd.Series(values, dtype="str")


def ctx(column: str = "X", entity: str | None = None, pids: list[str] | None = None) -> TransformContext:
    rc = None if pids is None else pd.DataFrame({PERSON_ID: text(pids)})
    return TransformContext(column=column, entity=entity, row_context=rc, entities={})
