"""The leak index's lookups with one encoding per column (issue #21: each output column converted,
dictionary-encoded and measured once for the whole-cell lookup, the text-like test and the spans;
spans looked up without a pandas round trip; ASCII letters-and-digits values upper-cased without
the separator regex; a run's letters-only whole without splitting it) find exactly what they found
before: the same rows, columns and counts.

The reference is the previous code, kept verbatim in ``tests/engine/leak_index_reference.py``
(:class:`MainLeakIndex` and the functions it calls). Both search outputs built from adversarial
pieces — accents, case, no-break and thin spaces, tabs, NIR/IBAN/phone/e-mail formats, identifiers
glued to words, empty and missing cells, very long texts — against one index of planted originals.
"""

from __future__ import annotations

import leak_index_reference as ref  # tests/engine: the previous code, verbatim
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_leak_equivalence import PLAN, TEXT_COLUMNS, _original, _output

from anonymizer.engine import verify
from anonymizer.engine.verify import LeakIndex

NIR, IBAN, TAX = "185017510012362", "FR7630006000011234567890189", "0123456789211"
ORIGINAL = pd.DataFrame({
    "NIR": [NIR, "2 85 03 2A 056 123 45", ""], "IBAN": ["", IBAN.lower(), "FR76 3000 6000 0112 3456 7890 189"],
    "TEL": ["06 12 34 56 78", "+33 (0)7 11 22 33 44", ""], "MAIL": ["Jean.Dupont@exemple.fr", "", "élodie_x@caf.fr"],
    "NUMCAF": ["1234567", "7654321", "ABCDEFGH"], "REF": ["R01-00042", "", "x"],
    "NOM": ["DURAND", f"Martin {NIR}", "LEFÈVRE"], "CAT": ["A", f"compte {IBAN}", "voir 0612345678"],
    "COMMENT": [f"numéro fiscal {TAX} transmis", "NIR 1 85 01 75 100 123 62 à vérifier", ""], "NOTE": ["", "", ""],
})

# pieces of cells: identifiers in their written forms, separators of every kind, accents, case
_PIECES = list("abcXYZ019 7.-/+@_:,;()éÉßİı\u00a0\u202f\u2009\u3000\t\n\r\x0b\x0c") + [
    "FR76", "fr76", "0612", "2A", "2a", NIR, "1 85 01 75 100 123 62", "1.85.01.75.100.123.62", IBAN, IBAN.lower(),
    "FR76 3000 6000 0112 3456 7890 189", TAX, "01234 56789 211", "06 12 34 56 78", "06.12.34.56.78",
    "+33 6 12 34 56 78", "+33(0)6 12 34 56 78", "0033612345678", "07-11-22-33-44", "Jean.Dupont@exemple.fr",
    "JEAN.DUPONT@EXEMPLE.FR", "élodie_x@caf.fr", "1234567", "7654321", "abcdefgh", "r01-00042", "R01 00042",
    "NIR:", "Durand", "DURAND", "LEFÈVRE", "rappeler", "Mme"]
_CELL = st.one_of(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join), st.text(max_size=30),
                  st.just(""), st.none())
_LONG = st.lists(st.sampled_from(_PIECES), min_size=200, max_size=400).map(" ".join)  # a very long text


def _indexes() -> tuple[LeakIndex, ref.MainLeakIndex]:
    new, old = LeakIndex(PLAN), ref.MainLeakIndex(PLAN)
    new.add(ORIGINAL)
    old.add(ORIGINAL)
    return new, old


NEW, OLD = _indexes()


def _same(new: LeakIndex, old: LeakIndex, out: pd.DataFrame) -> dict:
    hits = new.search(out, TEXT_COLUMNS)
    assert hits == old.search(out, TEXT_COLUMNS)
    assert new.search(out, TEXT_COLUMNS, {"NUMCAF", "EXTRA"}) == old.search(out, TEXT_COLUMNS, {"NUMCAF", "EXTRA"})
    for col in out.columns:
        for text in (False, True):
            assert np.array_equal(new.row_hits(out[col], text=text), old.row_hits(out[col], text=text)), (col, text)
        for like in (False, True):  # the hashes and rows of every hit, not only their counts
            a, b = new._text_hits(out[col], only_text_like=like), old._text_hits(out[col], only_text_like=like)
            assert _flat(a) == _flat(b), (col, like)
        pa_, fa = new._hits(out[col])
        pb, fb = old._hits(out[col])
        assert np.array_equal(pa_, pb) and fa.keys() == fb.keys()
        for kind in fa:
            assert np.array_equal(fa[kind][0], fb[kind][0]) and np.array_equal(fa[kind][1], fb[kind][1]), (col, kind)
    return hits


def _flat(sources: list[tuple[np.ndarray, dict]]) -> list:
    """Every (row, kind, hash) found, in order (the row positions and their hashes)."""
    return sorted((int(r), kind, int(h)) for pos, by_kind in sources for kind, (hs, mask) in by_kind.items()
                  for r, h in zip(pos[mask], hs[mask], strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL, _CELL), min_size=0, max_size=12), st.lists(_LONG, max_size=2))
def test_adversarial_outputs_give_the_same_hits(cells, long_texts):
    out = pd.DataFrame(cells, columns=["CAT", "COMMENT", "NUMCAF", "EXTRA"], dtype=object)
    if long_texts:
        extra = pd.DataFrame({"CAT": long_texts, "COMMENT": long_texts, "NUMCAF": long_texts, "EXTRA": long_texts})
        out = pd.concat([out, extra], ignore_index=True)
    _same(NEW, OLD, out)
    _same(NEW, OLD, out.astype("str"))  # pandas' Arrow-backed text columns, as read from a file


def test_planted_values_are_found_alike():
    out = pd.DataFrame({
        "CAT": ["1 85 01 75 100 123 62", "x", None], "COMMENT": [f"écrire à JEAN.DUPONT@EXEMPLE.FR {TAX}", "", "tél +33 6 12 34 56 78"],
        "NOTE": [f"RIB\u00a0: {IBAN[:4]} {IBAN[4:]}".lower(), "r01-00042", "Martin\u202f185017510012362"],
        "NUMCAF": ["1234567", "abcdefgh", "7654321"], "EXTRA": ["0033711223344", "Élodie_X@CAF.FR", "ß" * 9],
    })
    hits = _same(NEW, OLD, out)
    assert hits[("NIR", "CAT")] == 1 and hits[("MAIL", "COMMENT")] == 1 and hits[("IBAN", "NOTE")] == 1
    assert hits[("NUMCAF", "NUMCAF")] == 3 and hits[("TEL", "EXTRA")] == 1 and hits[("MAIL", "EXTRA")] == 1


@pytest.mark.parametrize("seed", range(3))
def test_generated_tables_give_the_same_hits(seed):
    rng = np.random.default_rng(100 + seed)
    original = _original(rng, 80)
    new, old = LeakIndex(PLAN), ref.MainLeakIndex(PLAN)
    for part in (original.iloc[:40], original.iloc[40:]):
        new.add(part)
        old.add(part)
    out = _output(rng, original)
    assert _same(new, old, out)
    _same(new, old, out.astype("str").iloc[::-1])
    _same(new, old, out.iloc[:0])


_ANY = st.one_of(st.text(max_size=40), st.sampled_from(_PIECES), st.none())


@settings(max_examples=400, deadline=None)
@given(st.lists(_ANY, max_size=20))
def test_bare_is_the_previous_bare(values):
    arr = pa.array(values, type=pa.string())
    assert verify._bare(arr).to_pylist() == ref._bare(arr).to_pylist()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join), st.text(max_size=60)),
                max_size=6), st.booleans())
def test_spans_are_the_previous_spans(texts, aligned):
    assert verify.span_lists(texts, aligned=aligned) == ref.span_lists(texts, aligned=aligned)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ANY, st.from_regex(r"\+?(00)?[0-9]{0,16}", fullmatch=True)), max_size=20))
def test_text_like_and_distinct_hits_are_the_previous_ones(values):
    distinct = pa.array(list(dict.fromkeys(v for v in values if v is not None)), type=pa.string())
    assert np.array_equal(verify._text_like_distinct(distinct), ref._text_like(distinct))
    unions = NEW._unions()
    new, old = verify._distinct_hits(distinct, unions), ref._distinct_hits(distinct, unions)
    assert new.keys() == old.keys()
    for kind in new:
        assert np.array_equal(new[kind][0], old[kind][0]) and np.array_equal(new[kind][1], old[kind][1]), kind
