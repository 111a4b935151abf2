"""``AAAAMM`` month columns ("Mois de droit") under ``shift_dates`` and ``noise`` (issue #19 item 5):
whole months, never month 13 or 00, the ``AAAAMM`` form kept, the shift within the declared
bound and the same for one person. Checked over many values and keys (hypothesis), against
month arithmetic done here."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.errors import PolicyError
from anonymizer.transform import PERSON_ID, noise, shift_dates

from .conftest import KEY, ctx, text

YYYYMM = re.compile(r"(19\d\d|20\d\d)(0[1-9]|1[0-2])")
MONTH = re.compile(r"\d{4}(0[1-9]|1[0-2])")

months = st.builds(lambda y, m: f"{y}{m:02d}", st.integers(1900, 2099), st.integers(1, 12))
tables = st.lists(st.tuples(months, st.integers(0, 30)), min_size=1, max_size=60)
keys = st.binary(min_size=32, max_size=32)


def _index(v: str) -> int:
    return int(v[:4]) * 12 + int(v[4:]) - 1


def _check(rows, out, bound: int) -> None:
    by_person: dict[int, int] = {}
    for (v, pid), o in zip(rows, out, strict=True):
        assert MONTH.fullmatch(o), o  # (a shift may leave 1900-2099: still AAAAMM)
        delta = _index(o) - _index(v)
        assert abs(delta) <= bound
        assert by_person.setdefault(pid, delta) == delta  # one shift per person


@settings(max_examples=60, deadline=None)
@given(rows=tables, key=keys, bound=st.integers(1, 36))
def test_noise_moves_a_month_column_by_whole_months_within_the_bound(rows, key, bound):
    values, pids = [v for v, _ in rows], [str(p) for _, p in rows]
    out = noise(text(values), key=key, params={"absolute": bound},
                context=ctx("Mois de droit", "DATE", pd.DataFrame({PERSON_ID: text(pids)})))
    assert str(out.dtype) == str(text(values).dtype)
    _check(rows, out.tolist(), bound)


@settings(max_examples=60, deadline=None)
@given(rows=tables, key=keys, max_days=st.integers(1, 1000))
def test_shift_dates_moves_a_month_column_by_whole_months_within_the_bound(rows, key, max_days):
    values, pids = [v for v, _ in rows], [str(p) for _, p in rows]
    out = shift_dates(text(values), key=key, params={"max_days": max_days},
                      context=ctx("Mois de droit", "DATE", pd.DataFrame({PERSON_ID: text(pids)})))
    _check(rows, out.tolist(), int(max_days / 30.4375 + 0.5))


def test_an_integer_month_column_stays_integer_and_missing_stays_missing():
    s = pd.Series([202112, 202101, 199912] * 20, dtype="int64")
    out = noise(s, key=KEY, params={"absolute": 6}, context=ctx("MOISDROIT", "DATE"))
    assert out.dtype == s.dtype and all(YYYYMM.fullmatch(str(v)) for v in out)
    assert any(a != b for a, b in zip(out, s, strict=True))
    out = noise(text(["202112", "", "202001"]), key=KEY, params={"absolute": 3}, context=ctx("M", "DATE"))
    assert out.iloc[1] == "" and YYYYMM.fullmatch(out.iloc[0]) and YYYYMM.fullmatch(out.iloc[2])


def test_relative_noise_on_a_month_column_is_refused_and_amounts_stay_amounts():
    with pytest.raises(PolicyError, match="AAAAMM months"):
        noise(text(["202112", "202111"]), key=KEY, params={"relative": 0.05}, context=ctx("M", "DATE"))
    # an amount column whose values happen to look like months is still an amount
    out = noise(text(["202112", "202111"] * 50), key=KEY, params={"absolute": 50}, context=ctx("MT", "AMOUNT"))
    assert any(not YYYYMM.fullmatch(v) for v in out)
