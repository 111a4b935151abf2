"""anonymizer.values.text: the one ``as_text``, and ``to_text`` as its object-dtype view."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anonymizer import io
from anonymizer.transform.base import to_text
from anonymizer.values import as_text

COLUMNS = {
    "str": pd.Series(["a", "", None, "12"], dtype="str"),
    "object": pd.Series(["a", None, 3.0, 7, dt.date(2020, 1, 2), b"x"], dtype=object),
    "float": pd.Series([1.0, np.nan, 1e16, 123456789012345.0, 0.1, -2.5]),
    "int": pd.Series([1, 2, -3], dtype="int64"),
    "Int64": pd.Series([1, None, 3], dtype="Int64"),
    "uint64": pd.Series([2**64 - 1, 0], dtype="uint64"),
    "bool": pd.Series([True, False]),
    "datetime": pd.Series(pd.to_datetime(["2021-03-04 10:30:00", "2021-03-05 00:00:00", None])),
    "tz": pd.Series(pd.to_datetime(["2021-03-04 00:00:00"]).tz_localize("Europe/Paris")),
    "category": pd.Series(pd.Categorical(["b", None, "a"]), name="C"),
}
WANT = {
    "str": ["a", "", "", "12"],
    "object": ["a", "", "3", "7", "2020-01-02", "x"],
    "float": ["1", "", "10000000000000000", "123456789012345", "0.1", "-2.5"],
    "int": ["1", "2", "-3"],
    "Int64": ["1", "", "3"],
    "uint64": ["18446744073709551615", "0"],
    "bool": ["True", "False"],
    "datetime": ["2021-03-04 10:30:00", "2021-03-05", ""],
    "tz": ["2021-03-04 00:00:00+01:00"],
    "category": ["b", "", "a"],
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_one_rendering_for_io_and_transforms(name):
    s = COLUMNS[name].rename(name) if name != "category" else COLUMNS[name]
    s.index = range(10, 10 + len(s))
    assert io.as_text is as_text
    got = as_text(s)
    assert got.tolist() == WANT[name]
    assert list(got.index) == list(s.index) and got.name == s.name
    t = to_text(s)
    assert t.tolist() == WANT[name] and t.dtype == object and t.name == s.name and list(t.index) == list(s.index)


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False), st.integers(-10**17, 10**17)
                          .map(float)), max_size=20))
def test_integral_floats_read_as_the_integer_the_float_holds(values):
    s = pd.Series(values, dtype="float64")
    got = as_text(s).tolist()
    for v, t in zip(values, got, strict=True):
        if v is None or v != v:
            assert t == ""
        elif float(v).is_integer() and abs(v) < 1e18:
            assert t == str(int(v)) and float(t) == v
        else:
            assert float(t) == v
    assert to_text(s).tolist() == got
