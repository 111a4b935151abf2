"""The bulk number readers and writers (``parse_numbers``, ``round_half_up_many``,
``format_numbers``) and ``generalize``'s ``round`` built on them give exactly what the value-by-value
code gave (issue #21: 700,000 ``parse_number`` + ``format_number`` calls per 100,000 rows).

The reference is the per-value ``round`` of ``transform.generalize._numeric`` as it was (main at
283e449), copied verbatim with ``round_half_up`` and ``format_number`` of that commit: an
independent computation, compared on seeded random amounts and on the edge cases (decimal commas
and dots, negative numbers and negative zeros, half-way values, thousands separators, exponents,
non-ASCII digits, spaces around, empty and missing cells, text that is no number).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from anonymizer.transform.base import TransformContext, from_text, map_distinct, to_text
from anonymizer.transform.generalize import generalize
from anonymizer.values.numbers import (
    ParsedNumber,
    format_numbers,
    parse_number,
    parse_numbers,
    round_half_up_many,
)

# ----------------------------------------------------------------------------- the reference (283e449)


def _ref_round_half_up(v: float, decimals: int) -> float:
    """Commercial rounding (half away from zero), not Python's banker's rounding."""
    q = 10.0**decimals
    return math.copysign(math.floor(abs(v) * q + 0.5 + 1e-9) / q, v)


def _ref_format_number(v: float, like: ParsedNumber | None, decimals: int | None = None) -> str:
    """Write ``v`` with the decimals, decimal separator and thousands separator of ``like``."""
    dec = like.decimals if decimals is None and like is not None else (decimals or 0)
    s = str(int(_ref_round_half_up(v, 0))) if dec <= 0 else f"{_ref_round_half_up(v, dec):.{dec}f}"
    if s in ("-0", "-0.0") or re.fullmatch(r"-0\.0+", s):
        s = s[1:]
    if like is not None and like.thousands:
        sign = "-" if s.startswith("-") else ""
        body = s.lstrip("-")
        whole, _, frac = body.partition(".")
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        s = sign + like.thousands.join(groups) + ("." + frac if frac else "")
    if like is not None and like.comma:
        s = s.replace(".", ",")
    return s


def _ref_round(series: pd.Series, params: dict) -> pd.Series:
    """``generalize(method=round)`` as it was: one parse and one format per distinct value."""
    text = to_text(series)
    parsed_cache: dict[str, object] = {}

    def parse(v: str):
        r = parsed_cache.get(v)
        if r is None:
            r = parsed_cache[v] = parse_number(v) or False
        return r or None

    step = float(params.get("step", 1))
    dec = params.get("decimals")

    def fn(v: str) -> str:
        p = parse(v)
        if p is None:
            return "*"
        r = _ref_round_half_up(p.value / step, 0) * step
        return _ref_format_number(r, p, None if dec is None else int(dec))

    return from_text(series, map_distinct(text, fn))


# ----------------------------------------------------------------------------- inputs

EDGE = ["", "0", "-0", "+0", "0,00", "-0,00", "-0.001", "-0,004", "5", "-5", "15", "-15", "25", "-25",
        "0,5", "-0,5", "1,5", "2,5", "-2,5", "0.125", "0,135", "1,005", "2.675", "1,45", "-1,45", "4,99",
        "5,00", "1234,56", "-1234,56", "1 234,56", "1\u00a0234,56", "-12\u202f345", "1\u2009000.5",
        "12 34", "1e3", "1,5E+03", "-2.5e-2", "1e25", "1e400", "9" * 400, " 12,5", "12,5 ", "\u0663\u0664",
        "12,", ",5", "1.2.3", "abc", "12 €", "+7,25", "00012,30", "0000", "999999999999999,99",
        "123456789012345678901234567890", "-0,0000001", "0.0000000000000001", "7" * 17 + ",5"]


def _random_amounts(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        kind = rng.integers(0, 6)
        whole = int(rng.integers(0, 10 ** int(rng.integers(1, 9))))
        decimals = int(rng.integers(0, 4))
        frac = f"{int(rng.integers(0, 10**decimals)):0{decimals}d}" if decimals else ""
        sign = "-" if rng.random() < 0.2 else ""
        sep = "," if rng.random() < 0.7 else "."
        if kind == 0:      # half-way on the step: x5 or x5,00
            whole = whole // 10 * 10 + 5
            frac = "0" * decimals
        body = f"{whole:,}".replace(",", " ") if kind == 1 and whole >= 1000 else str(whole)  # grouped
        s = sign + body + (sep + frac if decimals else "")
        if kind == 2 and rng.random() < 0.1:
            s = rng.choice(["", "n/a", " " + s, s + "e2"])
        out.append(s)
    return out


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("values", [EDGE, [], ["12,5"], ["", ""]])
def test_parse_numbers_is_parse_number(values):
    got = parse_numbers(values)
    for i, v in enumerate(values):
        p = parse_number(v)
        assert got.ok[i] == (p is not None), v
        if p is not None:
            assert (got.value[i], got.decimals[i], got.comma[i], got.thousands[i]) == (
                p.value, p.decimals, p.comma, p.thousands), v


def test_parse_numbers_random():
    rng = np.random.default_rng(7)
    values = _random_amounts(rng, 5000)
    got = parse_numbers(values)
    for i, v in enumerate(values):
        p = parse_number(v)
        assert got.ok[i] == (p is not None)
        if p is not None:
            assert got.value[i] == p.value and got.decimals[i] == p.decimals and got.comma[i] == p.comma


def test_round_half_up_many_is_round_half_up():
    rng = np.random.default_rng(3)
    v = np.concatenate([rng.normal(0, 1000, 20000), np.round(rng.normal(0, 1000, 5000), 1) + 0.05,
                        np.arange(-50, 50) + 0.5, [0.0, -0.0, 1e15, -1e15, 2.675, 1.005, 0.125, 1e-12]])
    for d in (0, 1, 2, 3):
        got = round_half_up_many(v, d)
        ref = [_ref_round_half_up(x, d) for x in v.tolist()]
        assert [repr(x) for x in got.tolist()] == [repr(x) for x in ref]  # -0.0 and 0.0 told apart


def test_format_numbers_is_format_number():
    rng = np.random.default_rng(5)
    v = np.concatenate([rng.normal(0, 5000, 3000), [0.0, -0.0, -0.004, -0.5, 0.5, 2.5, -2.5, 1e15, 123456789.125,
                                                   -0.0000001]])
    n = len(v)
    decimals = rng.integers(-1, 4, n)
    comma = rng.random(n) < 0.5
    thousands = rng.choice(np.array(["", "", "", " ", "\u00a0"], dtype=object), n)
    got = format_numbers(v, decimals, comma, thousands)
    for i in range(n):
        like = ParsedNumber(0.0, int(decimals[i]), bool(comma[i]), thousands[i])
        assert got[i] == _ref_format_number(float(v[i]), like, int(decimals[i])), (v[i], decimals[i])


@pytest.mark.parametrize("params", [{"method": "round", "step": 10}, {"method": "round", "step": 1},
                                    {"method": "round", "step": 0.05}, {"method": "round", "step": 10, "decimals": 0},
                                    {"method": "round", "step": 100, "decimals": 2},
                                    {"method": "round", "step": 0.1, "decimals": 1}])
@pytest.mark.parametrize("seed", [0, 1])
def test_generalize_round_is_the_reference(params, seed):
    rng = np.random.default_rng(seed)
    values = _random_amounts(rng, 3000) + [v for v in EDGE if v != "9" * 400]  # infinite: see below
    rng.shuffle(values)
    ctx = TransformContext(column="X", entity="AMOUNT", row_context=None, entities={})
    for series in (pd.Series(values, dtype="str"), pd.Series(values, dtype=object), pd.Series(values[:1], dtype="str")):
        got = generalize(series, key=b"", params=params, context=ctx)
        ref = _ref_round(series, params)
        assert got.dtype == ref.dtype
        assert got.tolist() == ref.tolist()


def test_generalize_round_numeric_column_is_the_reference():
    rng = np.random.default_rng(11)
    ctx = TransformContext(column="X", entity="AMOUNT", row_context=None, entities={})
    for series in (pd.Series(np.round(rng.normal(500, 300, 2000), 2)), pd.Series(rng.integers(-999, 999, 500)),
                   pd.Series([1.5, np.nan, -2.5, 25.0])):
        got = generalize(series, key=b"", params={"method": "round", "step": 10}, context=ctx)
        ref = _ref_round(series, {"method": "round", "step": 10})
        assert got.dtype == ref.dtype
        assert got.fillna(-1).tolist() == ref.fillna(-1).tolist()


def test_generalize_round_of_an_infinite_amount_fails_like_the_reference():
    series = pd.Series(["12", "9" * 400], dtype="str")
    ctx = TransformContext(column="X", entity="AMOUNT", row_context=None, entities={})
    with pytest.raises(OverflowError):
        _ref_round(series, {"step": 10})
    with pytest.raises(OverflowError):
        generalize(series, key=b"", params={"method": "round", "step": 10}, context=ctx)
