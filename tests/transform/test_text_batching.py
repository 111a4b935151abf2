"""``redact`` replaces spans by slicing, many texts at once: the result must be presidio-anonymizer's,
text by text, with the same operators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.detect import find_spans
from anonymizer.transform.base import Deriver, TransformContext
from anonymizer.transform.text import (
    Operators,
    _anonymize,
    _engine,
    _ShiftedDates,
    redact,
    replace_spans,
    text_shift,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"
KEY = b"k" * 32


def test_batched_redaction_equals_text_by_text():
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    texts = [t for c in ("COMMENT_GEST", "COMMENT_CTRL", "OBJ_DERCOURRIEL") for t in df[c] if t.strip()]
    # spans touching both ends of a text: joined, they must not merge with the neighbour's
    texts += ["Mme DURAND", "M. Paul MARTIN appelle", "0612345678", "06 12 34 56 78 "]
    series = pd.Series(texts * 2 + [""])
    for mode in ("fake", "tag"):
        got = redact(series, key=KEY, params={"mode": mode, "ner": False},
                     context=TransformContext(column="TXT", entity=None))
        d = Deriver(KEY) if mode == "fake" else None
        spans = find_spans(list(series), ner=False)
        # one by one, each text's dates shifted by its own offset (no person key in this table)
        expected = [_anonymize(_engine(), t, s, Operators(mode, d, dates=_ShiftedDates(text_shift(KEY, t, 180)))) if s else t
                    for t, s in zip(series, spans, strict=True)]
        assert got.tolist() == expected
        assert sum(a != b for a, b in zip(got, series, strict=True)) > 20  # it did redact


class _R:
    def __init__(self, entity_type: str, start: int, end: int, score: float = 0.9) -> None:
        self.entity_type, self.start, self.end, self.score = entity_type, start, end, score


@st.composite
def _text_and_spans(draw):
    """A text of words, spaces, tabs and newlines, and spans on it: mostly disjoint, touching or
    separated by spaces alone (which presidio merges when the labels agree), sometimes overlapping."""
    text = draw(st.text(alphabet="ab \t\n.", min_size=0, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=10)))
    spans = [_R(draw(st.sampled_from(["PERSON", "PHONE", "LOCATION"])), a, b)
             for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    if spans and draw(st.booleans()):  # an overlap or a span inside another: the engine's own rules
        a = draw(st.integers(0, len(text) - 1))
        spans.append(_R(draw(st.sampled_from(["PERSON", "PHONE"])), a, draw(st.integers(a + 1, len(text))), 0.5))
    return text, draw(st.permutations(spans))


@settings(max_examples=400, deadline=None)
@given(_text_and_spans())
def test_slicing_writes_what_presidio_anonymizer_writes(case):
    text, spans = case
    class Ops(Operators):
        def _make(self, label):  # a replacement that shows what span it was given
            return lambda s: f"[{label}:{s}]"

    assert replace_spans(text, spans, Ops("tag", None)) == _anonymize(_engine(), text, spans, Ops("tag", None))
