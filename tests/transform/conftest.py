"""Fixtures for the transform tests: two fixed keys and a context builder."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.transform import TransformContext

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture
def key() -> bytes:
    return KEY


@pytest.fixture
def other_key() -> bytes:
    return OTHER_KEY


def ctx(column: str = "X", entity: str | None = None, row_context: pd.DataFrame | None = None,
        entities: dict | None = None) -> TransformContext:
    return TransformContext(column=column, entity=entity, row_context=row_context, entities=entities or {})


def text(values: list[str]) -> pd.Series:
    """A text column as the readers give it (pandas ``str`` dtype, "" = missing)."""
    return pd.Series(values, dtype="str")
