"""Date shifting: one keyed offset per person, intervals kept exactly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from anonymizer.errors import PolicyError
from anonymizer.transform import PERSON_ID, shift_dates

from .conftest import KEY, OTHER_KEY, ctx, text


def d(s: str) -> dt.date:
    return dt.datetime.strptime(s, "%d/%m/%Y").date()


def shift(values, pids, key=KEY, column="D", **params):
    rc = pd.DataFrame({PERSON_ID: text(pids)})
    return shift_dates(text(values), key=key, params=params, context=ctx(column, "DATE", rc))


def test_intervals_between_dates_of_a_person_are_kept_exactly():
    pids = ["A", "A", "B", "C"]
    enf1 = ["03/05/2010", "01/01/2000", "29/02/2016", "31/12/1999"]
    enf2 = ["17/09/2013", "28/02/2001", "01/03/2016", "01/01/2000"]
    s1 = shift(enf1, pids, column="ENF1_DTNAIS")
    s2 = shift(enf2, pids, column="ENF2_DTNAIS")
    for a, b, x, y in zip(enf1, enf2, s1, s2, strict=True):
        assert (d(y) - d(x)) == (d(b) - d(a))
    # same person -> same offset in every column and row
    off = [(d(x) - d(a)).days for a, x in zip(enf1, s1, strict=True)]
    assert off[0] == off[1]
    assert all(1 <= abs(o) <= 180 for o in off)


def test_offsets_bounded_nonzero_and_keyed():
    pids = [f"p{i}" for i in range(300)]
    vals = ["15/06/2000"] * 300
    a = [(d(x) - d("15/06/2000")).days for x in shift(vals, pids, max_days=30)]
    b = [(d(x) - d("15/06/2000")).days for x in shift(vals, pids, key=OTHER_KEY, max_days=30)]
    assert all(1 <= abs(o) <= 30 for o in a)
    assert len(set(a)) > 40  # spread over the range (60 possible values)
    assert a != b


def test_consistent_across_files_and_formats():
    f1 = shift(["2021-03-04", "15/06/2000"], ["X", "Y"])
    f2 = shift(["04/03/2021"], ["X"])
    assert dt.date.fromisoformat(f1.iloc[0]) == d(f2.iloc[0])
    assert len(f1.iloc[0]) == 10 and f1.iloc[0][4] == "-"


def test_month_values_shift_by_whole_months_and_missing_stays():
    pids = ["A", "A", "A"]
    out = shift(["202112", "", "202001"], pids)
    y0, m0 = int(out.iloc[0][:4]), int(out.iloc[0][4:])
    y2, m2 = int(out.iloc[2][:4]), int(out.iloc[2][4:])
    assert (y0 * 12 + m0) - (y2 * 12 + m2) == 23
    assert out.iloc[1] == ""


def test_unparseable_values_are_suppressed_or_refused():
    out = shift(["not a date", "01/01/2000"], ["A", "A"])
    assert out.iloc[0] == "" and out.iloc[1] != "01/01/2000"
    with pytest.raises(PolicyError, match="1 value"):
        shift(["not a date"], ["A"], on_error="error")


def test_person_key_required_never_row_index():
    with pytest.raises(PolicyError, match="person key"):
        shift_dates(text(["01/01/2000"]), key=KEY, params={}, context=ctx("D", "DATE"))
    # falls back to an identifier column of the row context
    rc = pd.DataFrame({"NUMALLOC": text(["1234567"])})
    out = shift_dates(text(["01/01/2000"]), key=KEY, params={},
                      context=ctx("D", "DATE", rc, {"NUMALLOC": "CAF_NUMBER"}))
    assert out.iloc[0] == shift(["01/01/2000"], ["1234567"]).iloc[0]


def test_datetime64_columns_shift_natively():
    s = pd.Series(pd.to_datetime(["2000-01-01", None, "2010-05-05"]))
    rc = pd.DataFrame({PERSON_ID: text(["A", "B", "A"])})
    out = shift_dates(s, key=KEY, params={}, context=ctx("D", "DATE", rc))
    assert pd.isna(out.iloc[1])
    assert (out.iloc[2] - out.iloc[0]) == (s.iloc[2] - s.iloc[0])


def test_numeric_month_column_stays_numeric():
    s = pd.Series([202112, 202001], dtype="int64")
    rc = pd.DataFrame({PERSON_ID: text(["A", "A"])})
    out = shift_dates(s, key=KEY, params={}, context=ctx("MOIS", "DATE", rc))
    assert out.dtype == s.dtype
    a, b = int(out.iloc[0]), int(out.iloc[1])
    assert (a // 100 * 12 + a % 100) - (b // 100 * 12 + b % 100) == 23
