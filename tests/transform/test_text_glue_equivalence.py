"""``redact``'s glue after issue #21's per-label and per-pair work writes exactly what it wrote before.

``span_fakes`` reads each label's entity once, ``replace_spans`` writes a text with one span by two
slices (and sorts with a C key), ``_shift_rows`` fills each distinct (text, offset) pair of the dated
rows once and gives the rows their text with ``numpy``, and ``redact`` takes the rows' texts by their
codes in one call. The reference is the code before (main at 1532238), copied verbatim in
``text_reference``; both are compared on drawn comments (overlapping entities, accents, numbers,
e-mails, NIR, IBAN, phones, dates, the placeholder character, empty cells), with and without a
row context (the rows' own offsets, a person id, none), in fake and tag mode.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform.base import PERSON_ID, Deriver
from anonymizer.transform.text import (
    DATE_SHIFT,
    PH,
    Operators,
    _HeldDates,
    _redact,
    _shift_rows,
    replace_spans,
    span_fakes,
)

from . import text_reference as reference
from .conftest import KEY, Span, ctx, pattern_spans

#: a deterministic detector whose entities overlap (a date inside a NIR, a phone inside an IBAN,
#: a commune code inside a post code...) and cover every way a span is written (fake, level, date, tag)
PATTERNS = {
    "PERSON": re.compile(r"\b(?:Jean|Marie|Anaïs|Éloïse) [A-ZÉÈ][A-ZÉÈ\-]+\b"),
    "PHONE_NUMBER": re.compile(r"0\d(?:[ .]?\d\d){4}"),
    "NIR": re.compile(r"[12] ?\d\d ?\d\d ?(?:\d\d|2[AB]) ?\d{3} ?\d{3} ?\d\d"),
    "IBAN_CODE": re.compile(r"FR\d\d(?: ?\d{4}){5} ?\d{3}"),
    "EMAIL_ADDRESS": re.compile(r"[\w.]+@[\w.]+\.\w+"),
    "DATE_TIME": re.compile(r"\b\d\d/\d\d(?:/\d{4})?\b"),
    "POSTAL_CODE": re.compile(r"\b\d{5}\b"),
    "COMMUNE_CODE": re.compile(r"\b\d{3}\b"),
    "AGE": re.compile(r"\b\d\d ans\b"),
    "AMOUNT": re.compile(r"\b\d+(?:,\d\d)? €"),
    "URL": re.compile(r"www\.\w+\.fr"),
    "LOCATION": re.compile(r"\b(?:Paris|Lyon|Bordeaux)\b"),
}

PIECES = ["Appel de", "Jean DUPONT", "Marie MARTIN-LEROY", "Anaïs ÉTIENNE", "Éloïse D", "au", "06 12 34 56 78",
          "0612345678", "06.12.34.56.78", "NIR", "1 85 05 75 123 456 78", "285052A12345678", "IBAN",
          "FR76 3000 6000 0112 3456 7890 189", "jean.dupont@example.fr", "le", "12/03/2021", "14/10", "31/12/1999",
          "75013", "2A004", "013", "42 ans", "693,58 €", "12 €", "www.caf.fr", "Paris", "Lyon", "RAS", "é", "ß", "٣",
          ",", ".", "\n", "\t", "  ", PH, "\x02", PH + "0\x02", "x"]


def detector(texts: list[str]) -> list[list[Span]]:
    return pattern_spans(PATTERNS, texts)


def _frame(n: int, how: str, shifts: list[int], people: list[str]) -> pd.DataFrame | None:
    if how == "shift":
        return pd.DataFrame({DATE_SHIFT: np.array(shifts[:n], dtype=np.int64)})
    if how == "person":
        return pd.DataFrame({PERSON_ID: people[:n]})
    return None


comments = st.lists(st.sampled_from(PIECES), max_size=9).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(comments, st.just("")), max_size=14), st.sampled_from(["shift", "person", "none"]),
       st.lists(st.integers(-400, 400), min_size=14, max_size=14),
       st.lists(st.sampled_from(["p1", "p2", "p3", ""]), min_size=14, max_size=14),
       st.sampled_from(["fake", "tag"]))
def test_redact_as_before(texts, how, shifts, people, mode):
    series = pd.Series(texts, dtype="str")
    frame = _frame(len(texts), how, shifts, people)
    params = {"detector": detector, "mode": mode}
    got = _redact(series, key=KEY, params=params, context=ctx("COMMENT", row_context=frame))
    want = reference.redact(series, key=KEY, params=params, context=ctx("COMMENT", row_context=frame))
    assert got.dtype == want.dtype
    assert got.tolist() == want.tolist()


def test_redact_as_before_on_repeated_dated_comments():
    """Many rows, few texts and few offsets: the per-pair work is what is shared."""
    rng = np.random.default_rng(3)
    base = ["Appel de Jean DUPONT le 12/03/2021 au 06 12 34 56 78", "RAS", "", "vu le 14/10 et le 31/12/1999",
            f"note {PH} du 12/03/2021 à Paris", "Marie MARTIN-LEROY, 42 ans, 693,58 €", "né le 12/03/1985"]
    texts = [base[i] for i in rng.integers(0, len(base), 3000)]
    series = pd.Series(texts, dtype="str")
    for frame in (pd.DataFrame({DATE_SHIFT: rng.integers(-5, 5, 3000)}),
                  pd.DataFrame({DATE_SHIFT: rng.integers(-2 ** 40, 2 ** 40, 3000)}),  # far apart: pairs of integers
                  pd.DataFrame({PERSON_ID: rng.choice(["a", "b", "c", "d"], 3000)}), None):
        for mode in ("fake", "tag"):
            params = {"detector": detector, "mode": mode}
            got = _redact(series, key=KEY, params=params, context=ctx("COMMENT", row_context=frame))
            want = reference.redact(series, key=KEY, params=params, context=ctx("COMMENT", row_context=frame))
            assert got.tolist() == want.tolist()
    assert got.tolist() != texts  # it did redact


def test_offsets_given_as_floats_as_before():
    series = pd.Series(["vu le 12/03/2021", "le 14/10", "vu le 12/03/2021"], dtype="str")
    frame = pd.DataFrame({DATE_SHIFT: [1.0, -30.0, 2.0]})
    got, want = (fn(series, key=KEY, params={"detector": detector}, context=ctx("COMMENT", row_context=frame)).tolist()
                 for fn in (_redact, reference.redact))
    assert got == want


# ----------------------------------------------------------------------------- the pieces


class _R:
    def __init__(self, entity_type, start, end, score: float = 0.9) -> None:
        self.entity_type, self.start, self.end, self.score = entity_type, start, end, score


@st.composite
def _text_and_spans(draw):
    """A text and spans on it: valid or not (empty, reversed, out of range, not integers, overlapping)."""
    text = draw(st.text(alphabet="ab \t\n.é٣" + PH, max_size=30))
    n = len(text)
    bound = st.one_of(st.integers(-2, n + 2), st.integers(0, n), st.sampled_from([True, 1.0]))
    spans = [_R(draw(st.sampled_from(["PERSON", "PHONE", "DATE", "AGE", "URL", "", None])), draw(bound), draw(bound))
             for _ in range(draw(st.integers(0, 4)))]
    return text, spans


class _Shows(Operators):
    def _make(self, label):  # a replacement that shows what span it was given
        return lambda s: f"[{label}:{s}]"


@settings(max_examples=500, deadline=None)
@given(_text_and_spans())
def test_replace_spans_as_before(case):
    text, spans = case
    try:
        want = reference.replace_spans(text, spans, _Shows("tag", None))
    except Exception as e:  # noqa: BLE001 - the engine refuses some spans: so must the new code, alike
        with pytest.raises(type(e)):
            replace_spans(text, spans, _Shows("tag", None))
        return
    assert replace_spans(text, spans, _Shows("tag", None)) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(comments, max_size=8))
def test_replace_spans_and_span_fakes_as_before_with_the_real_operators(texts):
    d = Deriver(KEY)
    pending = [(t, found) for t, found in zip(texts, detector(texts), strict=True) if found]
    known = span_fakes(pending, d)
    assert known == reference.span_fakes(pending, Deriver(KEY))
    new, old = Operators("fake", d, known, dates=_HeldDates()), Operators("fake", d, known, dates=_HeldDates())
    assert [replace_spans(t, f, new) for t, f in pending] == [reference.replace_spans(t, f, old) for t, f in pending]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.data())
def test_shift_rows_as_before(codes, data):
    """Each dated row's text once per (text, offset); the others as they are; a text left for
    row-by-row work (``None``) through ``alone``."""
    codes = np.array(codes, dtype=np.intp)
    uniques = pd.Index([f"t{i}" for i in range(6)], dtype=object)
    dated = np.array(data.draw(st.lists(st.booleans(), min_size=6, max_size=6)), dtype=bool)
    out = [None if dated[i] and data.draw(st.booleans()) else f"{PH}0{chr(2)} u{i}" for i in range(6)]
    spread = data.draw(st.sampled_from([3, 400, 2 ** 61]))
    shifts = np.array(data.draw(st.lists(st.integers(-spread, spread), min_size=len(codes), max_size=len(codes))),
                      dtype=np.int64)
    frame = pd.DataFrame({DATE_SHIFT: shifts})
    series = pd.Series([uniques[c] for c in codes], dtype=object)

    def run(fn):
        dates = _HeldDates()
        dates.hold("12/03/2021")
        calls = []
        got = fn(list(out), codes, uniques, dated, series, KEY, 180, ctx("C", row_context=frame), dates,
                 lambda t, shift: calls.append((t, shift)) or f"{t}@{shift}")
        return list(got), sorted(calls)

    assert run(_shift_rows) == run(reference._shift_rows)
