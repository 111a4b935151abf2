"""anonymizer.values.places: post, COG, IRIS and département codes -> département."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anonymizer.transform import fake
from anonymizer.values.places import POSTAL_PATTERN, departement_of, place_code

from .conftest import KEY, ctx, text


@pytest.mark.parametrize("code, kind, dep", [
    ("33000", None, "33"), ("33000", "postcode", "33"), ("75056", "commune", "75"), ("2A004", "commune", "2A"),
    ("2b033", None, "2B"), ("97411", "commune", "974"), ("97150", "postcode", "971"), ("98800", "postcode", "988"),
    ("97500", None, "975"),
    # Corsican post codes by range; a digits-only 20xxx commune code is a pre-1976 COG code
    ("20000", "postcode", "2A"), ("20199", None, "2A"), ("20200", "postcode", "2B"), ("20620", "postcode", "2B"),
    ("20405", "postcode", "2B"), ("20004", "commune", "20"),
    # CEDEX and spaces
    ("33076 CEDEX", "postcode", "33"), ("33076 Cedex 9", None, "33"), ("33 000", None, "33"), ("2A 004", "commune", "2A"),
    # a lost leading zero
    ("1000", None, "01"), ("1000", "postcode", "01"), ("1053", "commune", "01"), ("10530101", "iris", "01"),
    ("1", "departement", "01"),
    # IRIS and département codes
    ("330630101", "iris", "33"), ("2A0040101", None, "2A"), ("974110101", "iris", "974"),
    ("33", "departement", "33"), ("2A", "departement", "2A"), ("971", None, "971"),
])
def test_departement(code, kind, dep):
    assert departement_of(code, kind) == dep


@pytest.mark.parametrize("code, kind", [
    ("", None), ("ABCDE", None), ("2C004", None), ("123", "postcode"), ("330630101", "postcode"),
    ("10530101", None), ("1", None), ("33", "commune"), ("123456", None), ("3300O", None),
])
def test_not_a_place_code(code, kind):
    assert departement_of(code, kind) is None and place_code(code, kind) is None


@given(st.from_regex(POSTAL_PATTERN, fullmatch=True).filter(str.isascii))
def test_every_post_code_keeps_its_first_digits_and_survives_losing_its_zero(code):
    dep = departement_of(code, "postcode")
    if code.startswith("20"):
        assert dep == ("2A" if int(code) < 20200 else "2B")
    else:
        assert dep == code[: 3 if code[:2] in ("97", "98") else 2]
    assert departement_of(str(int(code)), "postcode") == dep  # 01000 read as the number 1000


def test_fake_post_codes_keep_their_departement_and_their_width():
    codes = ["20137", "20090", "20200", "20600", "1000", "1300", "33000", "97411"]
    out = fake(text(codes), key=KEY, params={}, context=ctx("CODPOST", "POSTAL_CODE")).tolist()
    assert [len(o) for o in out] == [len(c) for c in codes]
    assert out != codes
    assert [departement_of(o, "postcode") for o in out] == [departement_of(c, "postcode") for c in codes]


def test_fake_of_an_integer_post_code_column_stays_integer_and_in_its_departement():
    s = pd.Series([1000, 33000, 20090])
    out = fake(s, key=KEY, params={}, context=ctx("CP", "POSTAL_CODE"))
    assert [departement_of(str(v), "postcode") for v in out] == ["01", "33", "2A"]
