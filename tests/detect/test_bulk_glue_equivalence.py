"""``analyze_patterns`` with issue #21's joined condition scan gives exactly what it gave before.

A condition's texts (a digit, N digits in a row, ``PREFILTERS``) are now found by one scan of the
joined texts (``bulk.holding``: the first match of each text and the rest of it), N digits in a row
among the texts already known to hold fewer. The reference is the function as it was (main at
1532238), copied verbatim in ``bulk_reference``; both are compared with the results' order, scores and
metadata on the example extract's comments, edge cases, seeded random texts and hypothesis-drawn
texts (overlapping entities, accents, Unicode digits, e-mails, NIR, IBAN, phones, empty texts and
texts that hold the separator).
"""

from __future__ import annotations

import pytest
import regex as re
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.detect import bulk
from anonymizer.detect.bulk import (
    DIGIT,
    PREFILTERS,
    _Texts,
    analyze_patterns,
    digits_in_a_row,
    holding,
    run_of,
)

from . import bulk_reference as reference
from .test_bulk import EDGE_CASES
from .test_bulk_shortcuts import PIECES, _dump, _example_texts, _random_texts, _recognizers, _texts_with_runs

CONDITIONS = [DIGIT, *(digits_in_a_row(n) for n in (2, 3, 4, 5, 7, 9)), *PREFILTERS.values()]

#: pieces of comments: entities that overlap (a date inside a NIR, a phone inside an IBAN...), accents,
#: Unicode digits, e-mails, URLs, IP addresses, capitals after punctuation and the separator itself
DRAWN_PIECES = PIECES + ["né le 12/03/1985 NIR 185037505612345", "06.12.34.56.78", "0612345678",
                         "FR7630006000011234567890189", "1 85 03 2A 004 123 45", "a@b.fr", "x.y@caf.fr",
                         "3 mars", "mars 2021", "12 rue", "bis", "\x00", "\x00\x00", "٣٣٣٣٣", "１２３", "é1", "1é",
                         "M. DUPONT", "06 12", "34 56 78", "2B", "97 411", "2,5 €", ":", "1.2", "a.B", "@"]


def _same(texts: list[str]) -> None:
    recognizers = _recognizers()
    assert _dump(analyze_patterns(texts, recognizers)) == _dump(reference.analyze_patterns(texts, recognizers))


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_bulk_pass_as_before(seed):
    texts = _example_texts() + EDGE_CASES + PIECES if seed is None else _random_texts(seed, 800) + _texts_with_runs(
        seed, 400)
    _same(texts)


def test_no_text_one_text_empty_texts_and_separators():
    for texts in ([], [""], ["\x00"], ["1\x002"], ["", "", "5"], ["12345\x00", "\x0067890"], ["06 12 34 56 78"],
                  ["a@b.fr\x00c@d.fr", "x"], ["x"] * 3, [" ", "\x00 1", "2 \x00"]):
        _same(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(DRAWN_PIECES), max_size=8).map(" ".join), max_size=12))
def test_bulk_pass_as_before_on_drawn_comments(texts):
    _same(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789٣１ ./-,:@\x00aAeéxX€\n", max_size=40), max_size=10))
def test_bulk_pass_as_before_on_drawn_characters(texts):
    _same(texts)


# ----------------------------------------------------------------------------- the texts of a condition


def _searched(condition, among: _Texts) -> list[int]:
    return [among.position(j) for j, t in enumerate(among.texts) if condition.search(t)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789٣ .:@aB\x00", max_size=30), max_size=12), st.data())
def test_holding_is_a_search_per_text_among_all_or_some_texts(texts, data):
    some = data.draw(st.lists(st.integers(0, max(len(texts) - 1, 0)), unique=True).map(sorted)) if texts else []
    for index in (None, some):
        among = _Texts(texts, index)
        for condition in CONDITIONS:
            assert holding(condition, among) == _searched(condition, among), (condition.pattern, index)


def test_a_condition_that_may_hold_the_separator_is_searched_text_by_text():
    condition = re.compile(r"1.2", re.DOTALL)  # "." matches the separator: no joined scan
    among = _Texts(["1\x002", "1x2", "12"], None)
    assert holding(condition, among) == [0, 1] == _searched(condition, among)


def test_run_of():
    assert [run_of(c) for c in CONDITIONS] == [1, 2, 3, 4, 5, 7, 9, 0, 0, 0]
    assert run_of(re.compile(r"\d{2}", re.VERBOSE)) == 0
    assert run_of(re.compile(r"\d{2,3}")) == 0


def test_the_views_are_the_texts_they_were(monkeypatch):
    """Each pattern runs over the same texts as before: the views' texts, as sets of positions."""
    seen: dict[str, list] = {"new": [], "old": []}
    real = bulk._Texts

    def spy(where):
        return lambda texts, index: seen[where].append(index) or real(texts, index)

    monkeypatch.setattr(bulk, "_Texts", spy("new"))
    monkeypatch.setattr(reference, "_Texts", spy("old"))
    texts = _example_texts() + EDGE_CASES + _random_texts(5, 300)
    recognizers = _recognizers()
    assert _dump(analyze_patterns(texts, recognizers)) == _dump(reference.analyze_patterns(texts, recognizers))
    new = {tuple(i) for i in seen["new"] if i is not None}
    assert new == {tuple(i) for i in seen["old"] if i is not None}
    assert len(new) >= 5
