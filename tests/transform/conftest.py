"""Fixtures for the transform tests: two fixed keys, a context builder and the spans an injected
free-text detector returns."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass
class Span:
    """A detected span, shaped as Presidio's results (what ``redact`` reads of them)."""

    entity_type: str
    start: int
    end: int
    score: float = 0.9


def pattern_spans(patterns: dict[str, re.Pattern], texts: list[str]) -> list[list[Span]]:
    """Every match of each entity's regex in each text: a deterministic detector for ``redact``."""
    return [[Span(e, m.start(), m.end()) for e, rx in patterns.items() for m in rx.finditer(t)] for t in texts]
