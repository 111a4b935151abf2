"""``verify.cell_identifiers`` (the cells filtered by Arrow without a cast, only the spans
``_validated`` may accept: ``_inside_candidates``, phones by a findall per cell) finds, per
entity, the same set of identifiers as the definition it replaced, kept verbatim below with its
``_phone_tokens`` (main at d48292e: every span of ``span_lists`` of the kept cells, each validated)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.engine import verify
from anonymizer.engine.verify import (
    _INSIDE_MIN_CHARS,
    _INSIDE_PREFILTER,
    _PHONE_IN_TEXT,
    MAX_TOKEN,
    _to_arrow,
    _validated,
    span_lists,
)
from anonymizer.io import as_text


def _phone_tokens(text: pd.Series) -> pd.Series:
    """French phone numbers written in free text (``06 12 34 56 78``, ``+33 6...``), one entry
    per number, indexed by the cell's row label."""
    found = as_text(text).str.findall(_PHONE_IN_TEXT).explode().dropna()
    return found[found.astype(str).str.len() > 0].astype(str)


def reference_cell_identifiers(values: pd.Series, *, phones: bool = True) -> dict[str, list[str]]:
    """Identifiers found inside the cells of one original column, by entity: NIRs (with their key,
    or 13 plausible characters), numéros fiscaux, IBANs (check digits), e-mail addresses and
    (``phones``) French phone numbers, as the raw spans the leak search normalises (never shown)."""
    text = as_text(values)
    arr = _to_arrow(text)
    if not len(arr):
        return {}
    long_enough = pc.greater_equal(pc.utf8_length(arr), _INSIDE_MIN_CHARS).to_numpy(zero_copy_only=False)
    if not long_enough.any():
        return {}
    keep = np.zeros(len(arr), dtype=bool)
    keep[long_enough] = pc.match_substring_regex(arr.filter(pa.array(long_enough)), _INSIDE_PREFILTER).to_numpy(
        zero_copy_only=False)
    if not keep.any():
        return {}
    cells = pd.Series(pd.unique(text[keep].to_numpy(dtype=object)), dtype=object)
    found: dict[str, list[str]] = {}
    for spans in span_lists(cells):
        for token in spans:
            # _validated accepts an "@", 13 or 15 to 34 characters only: the rest are not called
            n = len(token)
            if (n == 13 or 15 <= n <= MAX_TOKEN or "@" in token) and (ent := _validated(token)):
                found.setdefault(ent, []).append(token)
    numbers = _phone_tokens(cells) if phones else ()
    if len(numbers):
        found["PHONE"] = numbers.tolist()
    return found


def _sets(found: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: sorted(set(v)) for k, v in found.items()}


NIR15, NIR13_2A = "185017510012362", "285022A004123"
IBAN = "FR7630006000011234567890189"
_WORDS = ["Durand", "M", "le", "au", "FR76", "AB12", "A1", "2A", "+33", "06", "12", "1", "85", "01", "75", "100",
          "123", "62", "0123456789211", NIR15, NIR13_2A, IBAN, "3000", "6000", "0112", "3456", "7890", "189",
          "jean.dupont@exemple.fr", "x@y.fr", "NIR:", "é", "(", ")", "0612345678", "1234567890123456"]
_SEPS = [" ", ".", "-", "/", "  ", ", ", "", ":", "\u00a0"]
_CELL = st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_SEPS)), max_size=14).map(
    lambda parts: "".join(w + s for w, s in parts))


@settings(max_examples=1500, deadline=None)
@given(st.lists(_CELL, min_size=1, max_size=6), st.booleans())
def test_identifiers_inside_cells_are_the_previous_ones(cells, phones):
    values = pd.Series(cells, dtype=object)
    assert _sets(verify.cell_identifiers(values, phones=phones)) == _sets(
        reference_cell_identifiers(values, phones=phones))


@pytest.mark.parametrize("cell", [
    f"Durand {NIR15}", "NIR 1 85 01 75 100 123 62 de M", f"IBAN {IBAN[:4]} {IBAN[4:8]} {IBAN[8:]} le 12",
    f"ref AB12 {IBAN}", f"+33 {NIR15}", f"{NIR13_2A} et 0123456789211", f"A1 {NIR15}", f"{IBAN}-{NIR15}",
    "tél 06 12 34 56 78 / jean.dupont@exemple.fr", "1234567890123456 fr76 3000 6000 0112 3456 7890 189",
])
def test_known_cells(cell):
    values = pd.Series([cell, cell.lower(), cell.upper()], dtype=object)
    new = _sets(verify.cell_identifiers(values))
    assert new == _sets(reference_cell_identifiers(values))
    assert new  # each holds an identifier


def test_the_extract_comments():
    """The generated extract's free-text and other columns (every kind of identifier quoted)."""
    from anonymizer.synth import generate_extract

    table, _truth = generate_extract(rows=2000, seed=2021)
    for c in table.columns:
        assert _sets(verify.cell_identifiers(table[c])) == _sets(reference_cell_identifiers(table[c])), c


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=300), st.sampled_from([np.uint64, np.int64]))
def test_sorted_unique_is_np_unique(values, dtype):
    """``verify.sorted_unique`` (a sort) is ``np.unique`` (a hash table in NumPy 2) of the index's
    hashes: the same values, order and dtype, the input left as it was."""
    a = np.array([x % (2**63) if dtype is np.int64 else x for x in values], dtype=dtype)
    a = np.concatenate([a, a[: len(a) // 3]])
    before = a.copy()
    got, want = verify.sorted_unique(a), np.unique(a)
    assert got.dtype == want.dtype and got.tolist() == want.tolist()
    assert np.array_equal(a, before)
