"""Generalisation against hand-computed expectations."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.errors import PolicyError
from anonymizer.transform import generalize

from .conftest import ctx, text


def gen(values, entity=None, **params):
    return generalize(text(values), params=params, context=ctx(entity=entity)).tolist()


def test_dates_to_month_and_year_keep_format():
    vals = ["15/03/1985", "1985-03-15", "198503", "", "31.12.2001", "12 mars 1985"]
    assert gen(vals, method="month") == ["01/03/1985", "1985-03-01", "198503", "", "01.12.2001", "1 mars 1985"]
    assert gen(vals, method="year") == ["01/01/1985", "1985-01-01", "198501", "", "01.01.2001", "1 janvier 1985"]
    assert gen(vals, method="month", style="short") == ["03/1985", "1985-03", "198503", "", "12.2001", "mars 1985"]
    assert gen(vals, method="year", style="short") == ["1985", "1985", "1985", "", "2001", "1985"]


def test_birth_date_defaults_to_year_and_garbage_is_suppressed():
    assert gen(["07/11/1990", "not a date", "31/02/2001"], entity="BIRTH_DATE") == ["01/01/1990", "*", "*"]


def test_age_band_hand_computed():
    # at 31/12/2021: born 01/01/1990 -> 31; born 31/12/2003 -> 18 (birthday that day); 01/01/2004 -> 17
    vals = ["01/01/1990", "31/12/2003", "01/01/2004", "15/06/1921"]
    assert gen(vals, method="age_band", reference_date="31/12/2021") == ["30-39", "10-19", "10-19", "100-109"]
    assert gen(vals, method="age_band", reference_date="31/12/2021", bounds=[0, 18, 25, 65], top=90) == [
        "25-64", "18-24", "0-17", "90+"]
    with pytest.raises(PolicyError, match="reference_date"):
        gen(vals, method="age_band")


def test_numeric_bands_rounding_and_coding():
    assert gen(["34", "40", "0", "", "7"], method="band", width=10) == ["30-39", "40-49", "0-9", "", "0-9"]
    assert gen(["1234,56", "999,99"], method="band", width=1000) == ["[1000;2000[", "[0;1000["]
    assert gen(["17", "18", "95"], method="band", width=10, bottom=18, top=90) == ["<18", "10-19", "90+"]
    assert gen(["123,45", "125,00", "1 234,50", "-7,5"], method="round", step=10) == [
        "120,00", "130,00", "1 230,00", "-10,0"]
    assert gen(["123.456", "0.5"], method="round", step=0.5) == ["123.500", "0.5"]
    assert gen(["3", "9", "12", "0"], method="top_bottom", top=5, bottom=1) == ["3", "5", "5", "1"]
    # quantile threshold of 1..100 at 0.9 is 90.1 (linear interpolation), written with the input's 0 decimals
    vals = [str(i) for i in range(1, 101)]
    out = gen(vals, method="top_bottom", top_quantile=0.9)
    assert out[:90] == vals[:90] and set(out[90:]) == {"90"}


def test_numeric_dtype_rounding_stays_numeric():
    s = pd.Series([1234.56, None, 5.0])
    out = generalize(s, params={"method": "round", "step": 100}, context=ctx())
    assert out.dtype == s.dtype
    assert out.iloc[0] == 1200 and pd.isna(out.iloc[1]) and out.iloc[2] == 0


def test_departement_from_post_and_cog_codes():
    vals = ["33000", "2A004", "2B033", "20090", "20600", "97411", "97150", "1000", "75056", "", "330630101"]
    # Corsican post codes: Ajaccio 20090 is Corse-du-Sud, Bastia 20600 Haute-Corse (values.places)
    assert gen(vals, method="departement") == ["33", "2A", "2B", "2A", "2B", "974", "971", "01", "75", "", "33"]
    ints = generalize(pd.Series([33000, 1000]), params={"method": "departement"}, context=ctx())
    assert ints.tolist() == ["33", "01"]


def test_hierarchy_levels(tmp_path):
    h = tmp_path / "natio.csv"
    h.write_text("FR;FR;Europe;*\nBE;UE;Europe;*\nMA;HUE;Afrique;*\n", encoding="utf-8")
    vals = ["FR", "MA", "", "XX"]
    assert gen(vals, method="hierarchy", hierarchy=str(h), level=1) == ["FR", "HUE", "", "*"]
    assert gen(vals, method="hierarchy", hierarchy=str(h), level=2) == ["Europe", "Afrique", "", "*"]
    assert gen(vals, method="hierarchy", hierarchy=str(h), level=9) == ["*", "*", "", "*"]
    with pytest.raises(PolicyError, match="1 distinct value") as exc:
        gen(vals, method="hierarchy", hierarchy=str(h), level=1, unknown="error")
    assert "XX" not in str(exc.value)


def test_adult_hierarchy_from_shared_data(shared_data):
    path = next((shared_data / "adult").glob("*education*.csv"), None)
    if path is None:
        pytest.skip("no education hierarchy in the shared Adult data")
    rows = [r.split(";") for r in path.read_text().splitlines() if r]
    vals = [r[0] for r in rows]
    assert gen(vals, method="hierarchy", hierarchy=str(path), level=1) == [r[1] for r in rows]


def test_missing_method_is_a_policy_error():
    with pytest.raises(PolicyError, match="method"):
        gen(["x"])
