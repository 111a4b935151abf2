"""Numbers are written as Babel's ``format_decimal`` writes them, with its pattern and locale
parsed once per (language, decimals) instead of on every call (issue #21, target 5: a 100-row
sanitize formats ~1,300 numbers for its verdict table and HTML report). The reference is the
function as it was (tests/i18n_number_reference.py), compared on integers, floats of every
magnitude and sign, halves that round either way, and the values the reports show."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.i18n_number_reference import number as reference

from anonymizer import i18n
from anonymizer.i18n import number, percent

pytest.importorskip("babel")

LANGS = ("fr", "en")
DECIMALS = (0, 1, 2, 3)
values = st.one_of(
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-10**6, max_value=10**6).map(lambda n: n / 1000),  # x.xx5 halves and thirds
    st.integers(min_value=-10**6, max_value=10**6).map(lambda n: n / 8),
    st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda share: 100 * share),  # percent()
)


def _outcome(f, *args) -> tuple[str, str]:
    """What ``f(*args)`` writes, or the exception it raises (a bool is refused alike)."""
    try:
        return "text", f(*args)
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return "raises", type(exc).__name__


@settings(max_examples=400, deadline=None)
@given(value=values, decimals=st.sampled_from(DECIMALS), lang=st.sampled_from(LANGS))
def test_number_is_the_reference(value, decimals, lang):
    assert _outcome(number, value, decimals, lang) == _outcome(reference, value, decimals, lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("decimals", DECIMALS)
def test_edge_values(lang, decimals):
    for value in (0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.05, 0.15, 0.25, 0.005, 1e-9, -1e-9, 999.95, 999.9999, 1234567.891,
                  10**12, -10**12, 2**53 + 1, 20.0, True, False, math.pi, 100 / 3, 1 / 3, 2 / 3, 0.1 + 0.2):
        assert _outcome(number, value, decimals, lang) == _outcome(reference, value, decimals, lang), (value, decimals)
    assert number(None, decimals, lang) == reference(None, decimals, lang) == "—"


def test_the_language_in_force_is_read_on_each_call():
    try:
        i18n.set_language("fr")
        assert number(10204.5, 1) == reference(10204.5, 1, "fr") == "10\u202f204,5"
        assert percent(0.2) == "20,0\u00a0%"
        i18n.set_language("en")
        assert number(10204.5, 1) == reference(10204.5, 1, "en") == "10,204.5"
        assert percent(0.2) == "20.0 %"
    finally:
        i18n.set_language(None)
