"""``redact`` sends many texts per presidio-anonymizer call: the result must be the one-by-one result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from anonymizer.detect import find_spans
from anonymizer.transform.base import Deriver, TransformContext
from anonymizer.transform.text import _anonymize, _engine, _ShiftedDates, redact, text_shift

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
        expected = [_anonymize(_engine(), t, s, mode, d, dates=_ShiftedDates(text_shift(KEY, t, 180))) if s else t
                    for t, s in zip(series, spans, strict=True)]
        assert got.tolist() == expected
        assert sum(a != b for a, b in zip(got, series, strict=True)) > 20  # it did redact
