"""anonymizer.values.dates: every form read, written back the same way, and the detectors' forms covered.

The expected dates come from the test's own writing of each form (and its own month list), not
from the module under test.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from anonymizer.detect import validators
from anonymizer.detect.recognizers._base import FLAGS_CI
from anonymizer.detect.recognizers.date_fr import FrDateRecognizer
from anonymizer.values.dates import PIVOT, FrDate, detect_date, midnight, parse_date, render_date

FULL = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"]
ABBR = ["janv", "févr", None, "avr", None, None, "juil", None, "sept", "oct", "nov", "déc"]
TIMES = ["", "T10:30:00", " 10:30", "T23:59:59.123456Z", " 08:00:00+01:00", "T0730"]
SPACES = [" ", "  ", "\u00a0"]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def two(v: int, pad: bool) -> str:
    return f"{v:02d}" if pad else str(v)


@st.composite
def written(draw) -> tuple[str, tuple[int, int, int, str]]:
    """A date written in one of the forms, and the (year, month, day, precision) it says."""
    kind = draw(st.sampled_from(["dmy", "dmy2", "ymd", "compact", "text", "ym", "my", "y"]))
    lo, hi = (dt.date(1931, 1, 1), dt.date(2030, 12, 31)) if kind == "dmy2" else (dt.date(1000, 1, 1), dt.date(2999, 12, 31))
    d = draw(st.dates(lo, hi))
    pad_d = d.day >= 10 or draw(st.booleans())
    pad_m = d.month >= 10 or draw(st.booleans())
    sep = draw(st.sampled_from("/-."))
    if kind in ("dmy", "dmy2"):
        year = f"{d.year % 100:02d}" if kind == "dmy2" else f"{d.year:04d}"
        s = f"{two(d.day, pad_d)}{sep}{two(d.month, pad_m)}{sep}{year}{draw(st.sampled_from(TIMES))}"
        return s, (d.year, d.month, d.day, "day")
    if kind == "ymd":
        return (f"{d.year:04d}{sep}{two(d.month, pad_m)}{sep}{two(d.day, pad_d)}{draw(st.sampled_from(TIMES))}",
                (d.year, d.month, d.day, "day"))
    if kind == "compact":
        return f"{d.year:04d}{d.month:02d}{d.day:02d}", (d.year, d.month, d.day, "day")
    if kind == "text":
        abbr = ABBR[d.month - 1]
        word = abbr + "." if abbr and draw(st.booleans()) else FULL[d.month - 1]
        if word != strip_accents(word) and draw(st.booleans()):
            word = strip_accents(word)
        word = draw(st.sampled_from([word, word.upper(), word[:1].upper() + word[1:]]))
        if d.day == 1 and draw(st.booleans()):
            day = "1er"
        else:
            day = f"{d.day:02d}" if d.day < 10 and draw(st.booleans()) else str(d.day)
        s = f"{day}{draw(st.sampled_from(SPACES))}{word}{draw(st.sampled_from(SPACES))}{d.year:04d}"
        return s, (d.year, d.month, d.day, "day")
    if kind == "ym":
        return f"{d.year:04d}{draw(st.sampled_from(['', '-']))}{d.month:02d}", (d.year, d.month, 1, "month")
    if kind == "my":
        return f"{two(d.month, pad_m)}{sep}{d.year:04d}", (d.year, d.month, 1, "month")
    return f"{d.year:04d}", (d.year, 1, 1, "year")


@settings(max_examples=1000, deadline=None)
@given(written())
def test_every_form_reads_its_date_and_writes_back_the_same_text(case):
    s, want = case
    p = parse_date(s)
    assert p is not None, s
    assert (p.year, p.month, p.day, p.precision) == want
    assert p.render() == s
    assert parse_date(p.render()) == p  # parse(render(x)) == x for a parsed value


@settings(max_examples=1000, deadline=None)
@given(written(), st.dates(dt.date(1000, 1, 1), dt.date(2999, 12, 31)))
def test_another_date_written_in_a_form_reads_back_as_that_date(case, other):
    form = parse_date(case[0]).form
    x = FrDate(other.year, other.month if form.precision != "year" else 1,
               other.day if form.precision == "day" else 1, form)
    out = x.render()
    back = parse_date(out)
    assert back is not None, out
    assert (back.year, back.month, back.day, back.precision) == (x.year, x.month, x.day, x.precision)
    assert back.render() == out
    if form.year2:  # two digits inside the pivot window only: never read back as another century
        assert back.form.year2 == (1901 + PIVOT <= other.year <= 2000 + PIVOT)


def test_two_digit_year_rule():
    assert parse_date("12/03/30").year == 2030 and parse_date("12/03/31").year == 1931
    assert parse_date("01/01/00").year == 2000 and parse_date("31/12/99").year == 1999
    form = parse_date("12/03/85").form
    assert render_date(form, 1925, 3, 12) == "12/03/1925"  # outside the window: four digits
    assert render_date(form, 2031, 1, 2) == "02/01/2031"
    assert render_date(form, 2004, 2, 29) == "29/02/04"


@pytest.mark.parametrize("bad", ["31/02/1985", "12/13/1985", "00/03/1985", "1985-02-30", "198513", "13/1985",
                                 "12 brumaire 1985", "12/03/1985xyz", "12/03-1985", "0999", "3000", "12/03/985",
                                 "", "  ", "mars 1985", "2e mars 1985", "12 mars 85", "1985-03-12 ", "1985-03-12T"])
def test_not_dates(bad):
    assert parse_date(bad) is None or bad.strip() != bad  # surrounding spaces are stripped


def test_surrounding_spaces_are_ignored():
    assert parse_date(" 12/03/1985 ").render() == "12/03/1985"
    assert parse_date("1985-03-12 ").precision == "day"


def test_written_forms_keep_their_spelling():
    for s in ["12 janv. 1985", "1er MARS 2001", "3 Fevrier 1999", "25  déc. 2010", "05 mai 2000", "1 août 1990"]:
        assert parse_date(s).render() == s
    p = parse_date("1er janv. 1985")
    assert p.written_as(1985, 3, 1) == "1er mars 1985"       # no abbreviation of mars: no dot
    assert p.written_as(1985, 2, 14) == "14 févr. 1985"
    assert parse_date("3 FEVRIER 1999").written_as(1999, 8, 15) == "15 AOUT 1999"
    assert parse_date("3 FÉVRIER 1999").written_as(1999, 8, 15) == "15 AOÛT 1999"


def test_midnight_keeps_layout_and_zone():
    assert midnight("T10:30:00Z") == "T00:00:00Z"
    assert midnight(" 08:15:00+01:00") == " 00:00:00+01:00"
    assert midnight("T23:59:59.123-05:00") == "T00:00:00.000-05:00"
    assert midnight("") == ""


# ---------------------------------------------------------------- the detectors' forms


def _oracle(s: str) -> dt.date | None:
    """The date a detector match says, computed here: numeric fields or a French month word."""
    t = regex.sub(r"\s+", " ", s.strip())
    months = {strip_accents(w): i for i, w in enumerate(FULL, 1)}
    months.update({strip_accents(w): i for i, w in enumerate(ABBR, 1) if w})
    try:
        if " " in t:
            day, word, year = t.split(" ")
            month = months.get(strip_accents(word.casefold().rstrip(".")))
            if month is None:
                return None
            return dt.date(int(year), month, 1 if day.casefold() == "1er" else int(day))
        parts = regex.split(r"[/.\-]", t)
        if len(parts[0]) == 4:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        y = int(parts[2])
        return dt.date(y if len(parts[2]) == 4 else (2000 + y if y <= 30 else 1900 + y), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def _generator(pattern: str) -> str:
    """The recognizer's pattern without its look-arounds, for hypothesis to generate from."""
    for look in (r"(?<![\w./\-])", r"\b"):
        pattern = pattern.replace(look, "")
    return regex.sub(r"\(\?!\[\\w\]\|\[\./\\-\]\\d\)", "", pattern)


_PATTERNS = [(name, regex.compile(rx, FLAGS_CI)) for name, rx, _ in FrDateRecognizer.PATTERNS]
_FRENCH = "0123456789/.-: \t\u00a0abcdefghijklmnopqrstuvwxyzéèêûôàçABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÛ"


_WITH_YEAR = [(n, r) for n, r, _ in FrDateRecognizer.PATTERNS if n in ("date_written", "date_dmy", "date_iso")]
_NO_YEAR = [n for n, _, _ in FrDateRecognizer.PATTERNS if n not in dict(_WITH_YEAR)]


def test_the_recognizer_patterns_are_all_covered_here():
    assert {n for n, _ in _WITH_YEAR} | set(_NO_YEAR) == {n for n, _, _ in FrDateRecognizer.PATTERNS}
    assert len(_WITH_YEAR) == 3 and len(_NO_YEAR) == 3


@pytest.mark.parametrize("name, rx", _WITH_YEAR)
def test_every_date_the_recognizer_finds_is_parsed_to_the_same_day(name, rx):
    import re

    recognizer = FrDateRecognizer()
    full = dict(_PATTERNS)[name]

    pattern = re.compile(_generator(rx), re.IGNORECASE)

    # mostly the characters French files hold (unrestricted, from_regex draws exotic digits and spaces)
    @settings(max_examples=1000, deadline=None)
    @given(st.from_regex(pattern, fullmatch=True, alphabet=_FRENCH) | st.from_regex(pattern, fullmatch=True))
    def check(s: str) -> None:
        assume(full.fullmatch(s))
        found = recognizer.validate_result(s) is not False
        want = _oracle(s)
        assert found == (want is not None and 1800 <= want.year <= 2099), s
        if found:
            p = parse_date(s)
            assert p is not None and p.precision == "day" and p.as_date() == want, s

    check()


@settings(max_examples=1000, deadline=None)
@given(st.from_regex(r"[0-9]{1,4}[/.\- ]?[0-9]{0,4}[/.\- ]?[0-9]{0,4}(?:[T ][0-9:.]{1,9}Z?)?", fullmatch=True)
       | written().map(lambda c: c[0]))
def test_what_the_column_checks_accept_the_parser_reads(s):
    """scan's DATE / YEAR_MONTH checks and check's exact-date rule, on generated near-dates."""
    import pandas as pd

    from anonymizer.check.rules import _exact_dates

    day = validators.parse_date(s)
    if day is not None:
        p = parse_date(s)
        assert p is not None and p.precision == "day" and p.as_date() == day
        assert detect_date(s) == day
    if validators.is_year_month(s):
        p = parse_date(s)
        assert p is not None and p.precision == "month" and p.form.kind == "ym"
    if s.strip() and _exact_dates(pd.Series([s], dtype="str")) == 1.0:
        assert parse_date(s).precision == "day"


def _no_year_oracle(s: str) -> tuple[int, int] | None:
    """(month, day) a year-less match says, computed here; None when no leap year has it."""
    t = regex.sub(r"\s+", " ", s.strip())
    months = {strip_accents(w): i for i, w in enumerate(FULL, 1)}
    months.update({strip_accents(w): i for i, w in enumerate(ABBR, 1) if w})
    if " " in t:
        day, word = t.split(" ")
        month = months.get(strip_accents(word.casefold().rstrip(".")))
        d = 1 if day.casefold() == "1er" else int(day)
    else:
        day, month = (int(x) for x in regex.split(r"[/\-]", t))
        d = day
    try:
        dt.date(2000, month or 0, d)
    except ValueError:
        return None
    return month, d


_WORDS = "|".join(sorted({w for w in FULL} | {strip_accents(w) for w in FULL} | {w for w in ABBR if w}))


@settings(max_examples=1500, deadline=None)
@given(st.from_regex(r"le ([0-3]?[0-9][/\-][01]?[0-9]|(?:1er|[0-3]?[0-9]) (?:" + _WORDS + r"))", fullmatch=True,
                     alphabet=_FRENCH).map(lambda s: s[3:])
       .map(lambda s: s.upper() if len(s) % 3 == 0 else s))
def test_every_year_less_date_the_recognizer_finds_is_a_day_and_month_of_the_calendar(s):
    """``rappeler le 21/07``, ``le 3-4``, ``le 1er aout``: the recognizer (in the sentence a comment
    writes) finds exactly the day and month a leap year has, and reads the same one."""
    from anonymizer.detect.validators import parse_text_date

    text = f"rappeler le {s} svp"
    found = [r for r in FrDateRecognizer().analyze(text, ["DATE"]) if r.entity_type == "DATE"]
    want = _no_year_oracle(s)
    spans = {text[r.start:r.end] for r in found}
    if want is None:
        assert s not in spans, s
        return
    assert s in spans, (s, spans)
    p = parse_text_date(s)
    assert p is not None and p.year is None and (p.month, p.day) == want, s
