"""anonymizer.values.numbers: amounts read and written back the way French files write them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.values.numbers import AMOUNT_RE2, GROUP_SEPARATORS, format_number, parse_number


@st.composite
def amounts(draw) -> tuple[str, Decimal, int, bool, str]:
    """An amount written by hand here: sign, digits grouped by 3 (or not), decimal comma or dot."""
    whole = draw(st.integers(0, 10**12))
    decimals = draw(st.integers(0, 3))
    frac = draw(st.integers(0, 10**decimals - 1)) if decimals else 0
    negative = draw(st.booleans())
    comma = draw(st.booleans())
    group = draw(st.sampled_from(["", *GROUP_SEPARATORS])) if whole >= 1000 else ""
    digits = f"{whole:,}".replace(",", group) if group else str(whole)
    s = ("-" if negative else "") + digits + ((("," if comma else ".") + f"{frac:0{decimals}d}") if decimals else "")
    value = Decimal(f"{'-' if negative else ''}{whole}.{frac:0{decimals}d}" if decimals else f"{'-' if negative else ''}{whole}")
    return s, value, decimals, comma and decimals > 0, group


@settings(max_examples=2000, deadline=None)
@given(amounts())
def test_amounts_read_their_value_and_write_back_the_same_text(case):
    s, value, decimals, comma, group = case
    p = parse_number(s)
    assert p is not None, s
    assert p.value == float(value)
    assert (p.decimals, p.comma, p.thousands) == (decimals, comma, group)
    if value == 0 and s.startswith("-"):
        return  # "-0,00" is written "0,00"
    assert format_number(p.value, p) == s
    assert parse_number(format_number(p.value, p)) == p  # parse(render(x)) == x


@settings(max_examples=1000, deadline=None)
@given(amounts(), st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_another_amount_written_like_one_reads_back_as_itself(case, other):
    like = parse_number(case[0])
    out = format_number(float(other), like)
    back = parse_number(out)
    assert back is not None, out
    assert Decimal(str(back.value)).quantize(Decimal(1).scaleb(-like.decimals)) == other.quantize(
        Decimal(1).scaleb(-like.decimals), rounding="ROUND_HALF_UP")
    assert (back.decimals, back.comma) == (like.decimals, like.comma)


@pytest.mark.parametrize("text, value, decimals, comma, plain", [
    ("1e16", 1e16, 0, False, "10000000000000000"), ("1E+16", 1e16, 0, False, "10000000000000000"),
    ("1,5E+03", 1500.0, 0, True, "1500"), ("2.5e-3", 0.0025, 4, False, "0.0025"), ("-1e3", -1000.0, 0, False, "-1000"),
    ("1,25e1", 12.5, 1, True, "12,5"),
])
def test_scientific_notation_reads_as_the_plain_number(text, value, decimals, comma, plain):
    p = parse_number(text)
    assert (p.value, p.decimals, p.comma) == (value, decimals, comma)
    assert format_number(p.value, p) == plain


def test_integers_beyond_float_precision_are_not_invented():
    assert parse_number("1e25") is None          # the float is 10000000000000000905969664, not 10^25
    assert format_number(parse_number("1e16").value, parse_number("1e16")) == "10000000000000000"


@pytest.mark.parametrize("bad", ["", "12,", ",5", "1 23", "1  234", "12 345 67", "1.234.567", "abc", "1e", "--1", "1,2,3"])
def test_not_plain_numbers(bad):
    assert parse_number(bad) is None


def test_scan_amount_pattern_accepts_what_the_parser_reads():
    """The scan matches AMOUNT_RE2 on a pyarrow string column (RE2); the parser reads the same cells."""
    import pandas as pd

    cells = [f"1{g}234,56" for g in GROUP_SEPARATORS] + ["12,5", "-3", "1 234 567,89"]
    assert pd.Series(cells, dtype="str").str.fullmatch(AMOUNT_RE2).all()
    assert all(parse_number(c) is not None for c in cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(amounts().map(lambda c: c[0]) | st.text(alphabet="0123456789 ,.-+eE\u00a0\u202fx", max_size=12),
                max_size=30))
def test_many_at_once_reads_as_one_at_a_time(values):
    import numpy as np

    from anonymizer.values.numbers import to_numbers

    one = [np.nan if (p := parse_number(v)) is None else p.value for v in values]
    np.testing.assert_array_equal(to_numbers(values), np.array(one, dtype=float))

