"""Dates, places, ages and amounts in free text written at their columns' level (issue #16 item 4).

Expected values come from ``datetime`` and ``Decimal`` here, and the per-person offset from the
``shift_dates`` action itself run on a date column of the same rows (the contract: one draw).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from anonymizer.detect.validators import parse_text_date
from anonymizer.policy.plan import ColumnStep
from anonymizer.transform import redact, shift_dates
from anonymizer.transform.text_levels import (
    age_in_text,
    amount_in_text,
    levels_of_plan,
    place_in_text,
    shift_text_date,
)

from .conftest import KEY, OTHER_KEY, Span, ctx, text

DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")



def detector(texts: list[str]) -> list[list[Span]]:
    """Dates (with or without a year) and amounts before "€", found by this file's own regexes."""
    out = []
    for t in texts:
        found = [Span("DATE", m.start(), m.end()) for m in DATE.finditer(t)]
        found += [Span("AMOUNT", m.start(), m.end()) for m in re.finditer(r"\d+,\d\d(?= €)", t)]
        out.append(found)
    return out


# ----- the writers


@pytest.mark.parametrize(("span", "days", "expected"), [
    ("21/07/1985", 30, "20/08/1985"), ("21/07/85", -200, "02/01/85"), ("3.4.05", 1, "4.4.05"),
    ("21/07", 30, "20/08"), ("21-07", -1, "20-07"), ("1/9", 40, "11/10"), ("1985-07-21", 165, "1986-01-02"),
    ("12 mars 1985", -12, "28 février 1985"), ("1er mars", 31, "1er avril"), ("1er mars", 1, "2 mars"),
    ("21 JUILLET", 11, "1 AOÛT"), ("28/02", 1, "29/02"), ("31/12", 1, "01/01"), ("21/7", 15, "5/8"),
    ("05 mars", 1, "06 mars"),
])
def test_a_date_is_shifted_in_its_own_form(span, days, expected):
    assert shift_text_date(parse_text_date(span), days) == expected


def test_a_date_without_a_year_never_comes_back_below_a_year_of_shift():
    for days in [*range(-364, 0), *range(1, 365)]:
        for span in ("29/02", "01/01", "31/12", "28/02", "01/03"):
            assert shift_text_date(parse_text_date(span), days) != span


@pytest.mark.parametrize(("span", "expected"), [("33110", "33"), ("06000", "06"), ("20090", "2A"),
                                                ("2A004", "2A"), ("97411", "974")])
def test_a_place_becomes_its_departement(span, expected):
    assert place_in_text(span) == expected


@pytest.mark.parametrize(("span", "width", "expected"), [("34 ans", 5, "30-34 ans"), ("35 ans", 5, "35-39 ans"),
                                                         ("1 an", 5, "0-4 ans"), ("34 ans", 10, "30-39 ans")])
def test_an_age_becomes_its_band(span, width, expected):
    assert age_in_text(span, width) == expected


@pytest.mark.parametrize("span", ["167,41", "1 234,56", "1.234,56", "12.05", "80", "995", "5,00", "1\u00a0999,5"])
def test_an_amount_is_rounded_with_its_own_separators(span):
    step = 10
    got = amount_in_text(span, step)
    thousands = re.search(r"\d([ \u00a0.])\d{3}(?!\d)", span)
    plain = span.replace(thousands.group(1), "") if thousands else span
    value = Decimal(plain.replace(",", "."))
    want = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    decimals = len(re.split(r"[.,]", plain)[1]) if re.search(r"[.,]", plain) else 0
    assert Decimal(re.sub(r"[ \u00a0]|\.(?=\d{3})", "", got).replace(",", ".")) == want
    assert (len(re.split(r"[.,]", got)[-1]) if decimals else 0) == decimals
    assert ("," in got) == ("," in span)


def test_levels_follow_the_plan():
    steps = [ColumnStep("D1", "quasi_identifier", "DATE", "shift_dates", {"max_days": 90}),
             ColumnStep("D2", "sensitive", "DATE", "shift_dates", {"max_days": 90}),
             ColumnStep("D3", "sensitive", "DATE", "shift_dates", {}),
             ColumnStep("M", "sensitive", "AMOUNT", "generalize", {"method": "round", "step": 100}),
             ColumnStep("A", "quasi_identifier", "AGE", "generalize", {"method": "band", "width": 10})]
    assert levels_of_plan(steps) == {"max_days": 90, "amount_step": 100.0, "age_width": 10}
    assert levels_of_plan(steps[2:3]) == {"max_days": 180}  # shift_dates' default
    assert levels_of_plan([]) == {}


# ----- redact: the row's person offset


def test_comment_dates_move_with_the_persons_date_columns():
    people = pd.DataFrame({"__person_id__": ["a", "b", "a", "c", "b"]})
    comments = text(["rappeler le 21/07", "rappeler le 21/07", "vu le 03/02/2021, indu 167,41 €", "RAS", "le 29/02"])
    births = text(["21/07/1985", "21/07/1990", "03/02/2021", "01/01/2000", "29/02/2000"])
    c = ctx("COMMENT", "FREE_TEXT", row_context=people)
    out = redact(comments, key=KEY, params={"detector": detector}, context=c)
    shifted = shift_dates(births, key=KEY, params={"max_days": 180}, context=ctx("D", "DATE", row_context=people))
    for i in (0, 1, 2, 4):
        offset = (dt.datetime.strptime(shifted[i], "%d/%m/%Y") - dt.datetime.strptime(births[i], "%d/%m/%Y")).days
        quoted = DATE.search(out[i]).group(0)
        assert quoted[:5] == f"{dt.datetime.strptime(shifted[i], '%d/%m/%Y'):%d/%m}", (i, offset)
    assert out[0] != out[1]  # the same text, two people: two offsets
    assert out[3] == "RAS"
    assert "indu 170,00 €" in out[2] and "167,41" not in out[2]


def test_a_redraw_under_another_key_keeps_the_rows_shift():
    people = pd.DataFrame({"__person_id__": ["a", "b"]})
    comments = text(["rappeler le 21/07", "le 01/03"])
    first = redact(comments, key=KEY, params={"detector": detector}, context=ctx(row_context=people))
    from anonymizer.transform.text import with_date_shift

    frame = with_date_shift(people, people["__person_id__"], KEY, {"mode": "fake"})
    again = redact(comments, key=OTHER_KEY, params={"detector": detector}, context=ctx(row_context=frame))
    assert again.tolist() == first.tolist()


def test_without_a_person_each_comment_text_has_its_own_keyed_shift():
    comments = text(["du 01/03 au 15/03", "du 01/03 au 15/03", "le 01/03", "du 01/03 au 15/03"])
    out = redact(comments, key=KEY, params={"detector": detector}, context=ctx())
    assert out[0] == out[1] == out[3]  # same text, same shift
    a, b = (dt.date(2000, int(m[3:5]), int(m[:2])) for m in DATE.findall(out[0]))
    assert (b - a).days == 14  # the dates of one comment move together
    assert out[0][3:8] != "01/03"
    again = redact(comments, key=OTHER_KEY, params={"detector": detector}, context=ctx())
    assert again[0] != out[0]  # keyed


def test_levels_from_params_and_tag_mode():
    comments = text(["indu 167,41 €, le 21/07"])
    out = redact(comments, key=KEY, params={"detector": detector, "amount_step": 100, "max_days": 1},
                 context=ctx(row_context=pd.DataFrame({"__person_id__": ["a"]})))
    assert out[0] in ("indu 200,00 €, le 20/07", "indu 200,00 €, le 22/07")
    tagged = redact(comments, key=None, params={"detector": detector, "mode": "tag"}, context=ctx())
    assert tagged[0] == "indu <AMOUNT> €, le <DATE>"


def test_an_unreadable_date_span_is_tagged():
    def odd(texts):
        return [[Span("DATE_TIME", 3, 9)] for _ in texts]

    out = redact(text(["le demain soir"]), key=KEY, params={"detector": odd}, context=ctx())
    assert out[0] == "le <DATE> soir"


def test_a_text_holding_the_placeholder_character_is_still_shifted():
    people = pd.DataFrame({"__person_id__": ["a", "a"]})
    comments = text(["le 21/07 \x01 0\x02", "le 21/07"])
    out = redact(comments, key=KEY, params={"detector": detector}, context=ctx(row_context=people))
    assert out[0] == out[1] + " \x01 0\x02"
    assert "21/07" not in out[1]


def test_the_date_shift_memo_gives_each_max_days_its_own_offsets(monkeypatch):
    """``with_date_shift(..., memo)`` (apply_plan: one memo per batch, several comment columns) gives
    the frame it gives without the memo, for every ``max_days``, and draws each ``max_days`` once."""
    from anonymizer.transform import dates
    from anonymizer.transform.text import DATE_SHIFT, with_date_shift

    people = pd.DataFrame({"__person_id__": [f"p{i % 37}" for i in range(300)] + ["", "p1"]})
    pid = people["__person_id__"]
    want = {m: with_date_shift(people, pid, KEY, {"mode": "fake", "max_days": m}) for m in (1, 3, 180, 365)}
    calls = []
    real = dates.person_offsets
    monkeypatch.setattr(dates, "person_offsets", lambda *a: calls.append(a[2]) or real(*a))
    memo: dict = {}
    for m in (180, 3, 180, 1, 365, 3, 180, 1):
        got = with_date_shift(people, pid, KEY, {"mode": "fake", "max_days": m}, memo)
        pd.testing.assert_frame_equal(got, want[m])
    assert sorted(calls) == [1, 3, 180, 365]
    assert want[1][DATE_SHIFT].abs().max() == 1 and want[365][DATE_SHIFT].abs().max() > 3
    # tag mode and no key: the frame unchanged, nothing drawn nor kept
    assert with_date_shift(people, pid, KEY, {"mode": "tag"}, memo) is people
    assert with_date_shift(people, pid, None, {"mode": "fake"}, memo) is people
    assert sorted(memo) == [1, 3, 180, 365]
