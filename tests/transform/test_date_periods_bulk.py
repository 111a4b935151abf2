"""``generalize`` by month or year (styles keep and short) writes the periods of all the distinct
values of a column at once (``generalize._date_periods``: the JJ/MM/AAAA and AAAA-MM-JJ forms read
in bulk by ``values.dates.day_dates``, each period's text written once per distinct year, month
and form) and gives exactly what the value-by-value ``_date_period`` gave (issue #21: ~5 s of a
1M-row pass 1).

The reference is ``_date_period`` and the month/year branch of ``generalize`` as they were (main
at e381c8c), copied verbatim over the ``parse_date``/``render_date`` of the values package;
compared on seeded random dates of every form, hypothesis-drawn ones and the edge cases of the
ladders' bulk test (impossible days, leap days, years out of range, mixed separators, spaces,
times of day, text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform.base import TransformContext, from_text, map_distinct, to_text
from anonymizer.transform.generalize import _date_periods, generalize
from anonymizer.values.dates import midnight, month_word, parse_date, render_date

# ----------------------------------------------------------------------------- the reference (e381c8c)


def _ref_date_period(value: str, method: str, style: str) -> str:
    p = parse_date(value)
    if p is None:
        return "*"
    m = p.month if method == "month" else 1
    f = p.form
    if style == "short":
        if p.precision == "year" or method == "year":
            return f"{p.year:04d}"
        if f.kind in ("dmy", "my"):
            return f"{m:02d}{f.sep or '/'}{p.year:04d}"
        if f.kind == "text":
            return f"{month_word(f, m)}{f.space2}{p.year:04d}"
        return f"{p.year:04d}{f.sep}{m:02d}"
    if f.tail:  # a period has no time of day: the original's would say more than the period
        f = f._replace(tail=midnight(f.tail))
    return render_date(f, p.year, m, 1)


def _ref_generalize_dates(series: pd.Series, method: str, style: str) -> pd.Series:
    text = to_text(series)
    return from_text(series, map_distinct(text, lambda v: _ref_date_period(v, method, style)), numeric=False)


# ----------------------------------------------------------------------------- inputs

EDGE = ["", "01/01/1985", "31/12/2999", "01/01/3000", "31/12/0999", "01/01/1000", "29/02/2000", "29/02/1900",
        "29/02/2024", "29/02/2023", "31/04/2020", "00/01/2020", "01/00/2020", "01/13/2020", "32/01/2020",
        "12/03/1985", "12-03-1985", "12.03.1985", "12/03-1985", "12-03/1985", "1985-03-12", "1985/03/12",
        "1985.03.12", "1985-03/12", "1985-02-29", "2000-02-29", "1985-13-01", "1985-00-10", " 12/03/1985",
        "12/03/1985 ", "12/03/1985 10:30", "1985-03-12T10:30:00Z", "5/3/1985", "12/03/85", "12/03/29",
        "19850312", "198503", "1985-03", "03/1985", "1985", "12 mars 1985", "1er MARS 1985", "12 janv. 1985",
        "abc", "12/03/198a", "\u0661\u0662/03/1985", "12/03/19855", "0000-00-00", "31/12/9999", "*",
        "2021-07-01 10:30:00", "01/07/2021 10:30", "juillet 2021", "07/2021", "2021-07"]

METHODS = [(m, s) for m in ("month", "year") for s in ("keep", "short")]


def _random_dates(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        y = int(rng.integers(900, 3100)) if rng.random() < 0.1 else int(rng.integers(1920, 2030))
        m = int(rng.integers(0, 14)) if rng.random() < 0.05 else int(rng.integers(1, 13))
        d = int(rng.integers(0, 33)) if rng.random() < 0.1 else int(rng.integers(1, 29))
        sep = str(rng.choice(["/", "/", "/", "-", "."]))
        form = rng.integers(0, 10)
        if form < 6:
            out.append(f"{d:02d}{sep}{m:02d}{sep}{y:04d}")
        elif form < 8:
            out.append(f"{y:04d}{sep}{m:02d}{sep}{d:02d}")
        elif form == 8:
            out.append(f"{y:04d}{m:02d}{d:02d}")
        else:
            out.append(str(rng.choice(EDGE)))
    return out


def _ctx(method: str, style: str) -> tuple[dict, TransformContext]:
    return {"method": method, "style": style}, TransformContext(column="d", entity="DATE")


# ----------------------------------------------------------------------------- equivalence


@pytest.mark.parametrize(("method", "style"), METHODS)
def test_periods_equal_the_reference_on_edges_and_random_dates(method: str, style: str) -> None:
    values = EDGE[1:] + _random_dates(np.random.default_rng(21), 20000)
    values = list(dict.fromkeys(values))
    got = _date_periods(np.array(values, dtype=object), method, style)
    want = [_ref_date_period(v, method, style) for v in values]
    assert got.tolist() == want


@pytest.mark.parametrize(("method", "style"), METHODS)
def test_generalize_equals_the_reference_column(method: str, style: str) -> None:
    values = _random_dates(np.random.default_rng(2021), 5000) + EDGE
    series = pd.Series(values, dtype=object)
    params, ctx = _ctx(method, style)
    got = generalize(series, params=params, context=ctx)
    want = _ref_generalize_dates(series, method, style)
    pd.testing.assert_series_equal(got, want)
    assert got.tolist() == want.tolist()


def test_generalize_equals_the_reference_on_missing_and_empty() -> None:
    for series in (pd.Series([], dtype=object), pd.Series(["", None, "12/03/1985", ""], dtype=object),
                   pd.Series(["", ""], dtype=object)):
        for method, style in METHODS:
            params, ctx = _ctx(method, style)
            pd.testing.assert_series_equal(generalize(series, params=params, context=ctx),
                                           _ref_generalize_dates(series, method, style))


_digits = st.text(alphabet="0123456789", min_size=1, max_size=4)


@st.composite
def _date_texts(draw) -> str:
    sep1, sep2 = draw(st.sampled_from("/.- ")), draw(st.sampled_from("/.- "))
    a, b, c = draw(_digits), draw(_digits), draw(_digits)
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"{a}{sep1}{b}{sep2}{c}"
    if form == 1:
        return f"{int(a) % 100:02d}{sep1}{int(b) % 100:02d}{sep1}{int(c) % 10000:04d}"
    if form == 2:
        return f"{int(c) % 10000:04d}{sep1}{int(a) % 100:02d}{sep1}{int(b) % 100:02d}"
    return draw(st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(_date_texts(), min_size=1, max_size=30, unique=True), st.sampled_from(METHODS))
def test_periods_equal_the_reference_on_drawn_texts(values: list[str], ms: tuple[str, str]) -> None:
    method, style = ms
    values = [v for v in values if v != ""]
    got = _date_periods(np.array(values, dtype=object), method, style)
    assert got.tolist() == [_ref_date_period(v, method, style) for v in values]
