"""The amount ladder's ``rounded`` level renders a whole array of distinct values at once
(``ladders._rounded_many``: bulk parsing, the step once per distinct exponent, the half-up
rounding over the array, each result written once) and gives exactly what the value-by-value
``_rounded`` gave (issue #21: 1.6 s of a 1M-row solve).

The float steps are the same operations in the same order; the one that is not, ``floor(log10)``,
is ``np.log10``'s only where it lies farther than 1e-9 from an integer and ``math.log10``'s
otherwise. The reference is ``_rounded`` and its helpers as they were (main at e381c8c), copied
verbatim over ``parse_number``/``round_half_up``; compared on the amounts of a generated extract,
on powers of ten and their float neighbours, on seeded random amounts of every written form and on
hypothesis-drawn floats and texts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.privacy.ladders import STAR, _exponents, _rounded_many, ladder_for
from anonymizer.values.numbers import parse_number, round_half_up

# ----------------------------------------------------------------------------- the reference (e381c8c)


def _number(v: str) -> float | None:
    p = parse_number(v)
    return None if p is None or not math.isfinite(p.value) else p.value


def _step(x: float, digits: int) -> float:
    """The rounding step that keeps ``digits`` significant digits of ``x`` (at least 1)."""
    if x == 0:
        return 1.0
    return max(10.0 ** (math.floor(math.log10(abs(x))) - digits + 1), 1.0)


def _fmt(x: float) -> str:
    return f"{int(x)}" if x == int(x) else f"{x:g}"


def _rounded(v: str) -> str:
    """Two significant digits, half up (a rent of 537,20 is 540, 1 234 is 1 200)."""
    x = _number(v)
    if x is None:
        return STAR
    step = _step(x, 2)
    return _fmt(round_half_up(x / step, 0) * step)


def _ref(values: list[str]) -> list[str]:
    return [v if v == "" else _rounded(v) for v in values]


# ----------------------------------------------------------------------------- inputs

EDGE = ["", "0", "-0", "0,00", "-0,0", "1", "-1", "5", "9,5", "9,49", "94,5", "95", "99,5", "999,5", "1 234",
        "1 234,56", "1.234,56", "537,20", "537.2", "+12", " 12 ", "1,5e3", "1.5E-3", "1e25", "1e308", "1e400",
        "1" + "0" * 400, "abc", "12abc", "1 2", "١٢", "NaN", "inf", "-inf", "0,0000001", "123456789012345678",
        "4503599627370495,5", "9007199254740993", "*", "1,", ",5", "--1", "12.345.678", "12 345 678,9"]


def _powers() -> list[str]:
    out = []
    for e in range(-12, 25):
        p = 10.0 ** e
        for x in (p, math.nextafter(p, 0), math.nextafter(p, math.inf), p * 0.95, p * 0.995, p * 9.95, p * 9.5):
            out += [repr(x), repr(-x), f"{x:.2f}".replace(".", ","), f"{x:.6f}"]
    return out


def _random_amounts(rng: np.random.Generator, n: int) -> list[str]:
    out = []
    for _ in range(n):
        x = float(rng.lognormal(5, 3)) * (-1 if rng.random() < 0.1 else 1)
        form = int(rng.integers(0, 6))
        if form == 0:
            out.append(f"{x:.2f}".replace(".", ","))
        elif form == 1:
            out.append(f"{x:.2f}")
        elif form == 2:
            out.append(str(int(x)))
        elif form == 3:
            out.append(f"{x:,.2f}".replace(",", " ").replace(".", ","))
        elif form == 4:
            out.append(repr(x))
        else:
            out.append(f"{x:.3e}")
    return out


# ----------------------------------------------------------------------------- equivalence


def test_rounded_many_equals_the_reference_on_edges_and_powers_of_ten():
    values = list(dict.fromkeys(EDGE + _powers()))
    assert _rounded_many(np.array(values, dtype=object)).tolist() == _ref(values)


@pytest.mark.parametrize("seed", range(3))
def test_rounded_many_equals_the_reference_on_random_amounts(seed):
    values = list(dict.fromkeys(_random_amounts(np.random.default_rng(seed), 20000)))
    assert _rounded_many(np.array(values, dtype=object)).tolist() == _ref(values)


def test_the_ladder_renders_the_rounded_level_as_before():
    ladder = ladder_for("AMOUNT", "amount")
    values = np.array(list(dict.fromkeys(EDGE + _random_amounts(np.random.default_rng(7), 3000))), dtype=object)
    assert ladder.apply(values, "rounded").tolist() == _ref(values.tolist())
    assert ladder.render["rounded"]("537,20") == "540"


@pytest.mark.slow
def test_rounded_many_equals_the_reference_on_a_generated_extract():
    from anonymizer.synth import generate_extract

    table, _truth = generate_extract(rows=20000, seed=2021)
    columns = [c for c in ("RESSCJ_N2", "QF", "LOYER", "MTREMBPRET", "RESS_N2_ALL", "RFR_N2", "REVACT_M1",
                           "INDCHOM_M", "PENSRET_M", "PENSALIM_M", "RSA_MT", "PPA_MT", "AL_MT", "AF_MT")
               if c in table.columns]
    assert len(columns) >= 10
    for column in columns:
        values = list(dict.fromkeys(table[column].astype(str).tolist()))
        assert _rounded_many(np.array(values, dtype=object)).tolist() == _ref(values), column


@settings(max_examples=400, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40))
def test_rounded_many_equals_the_reference_on_drawn_floats(xs):
    values = list(dict.fromkeys([repr(x) for x in xs] + [f"{x:.2f}".replace(".", ",") for x in xs if abs(x) < 1e20]))
    assert _rounded_many(np.array(values, dtype=object)).tolist() == _ref(values)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789,. -+e", max_size=10), min_size=1, max_size=30))
def test_rounded_many_equals_the_reference_on_drawn_texts(texts):
    values = list(dict.fromkeys(texts))
    assert _rounded_many(np.array(values, dtype=object)).tolist() == _ref(values)


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=5e-324, max_value=1.7e308, allow_nan=False, allow_infinity=False))
def test_exponents_are_maths_floor_log10(x):
    assert _exponents(np.array([x]))[0] == math.floor(math.log10(x))
