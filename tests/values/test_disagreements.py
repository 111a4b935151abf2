"""Issue #15, item 4: the places where two copies of a French-value parser disagreed.

Each test goes through the public entry points that existed before ``anonymizer.values``
(detector, ``shift_dates``, ``generalize``, the privacy hierarchies, ``io.as_text``,
``transform.base.to_text``) and asks them to agree; each failed on the code before the parser.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anonymizer.detect import validators
from anonymizer.io import as_text
from anonymizer.privacy import Hierarchy, dates, default_hierarchy, intervals, load_hierarchies, prefixes
from anonymizer.transform import generalize, shift_dates
from anonymizer.transform.base import to_text

from .conftest import KEY, ctx, text

SRC = Path(__file__).resolve().parents[2] / "src" / "anonymizer"


def _shift(values: list[str], pids: list[str]) -> list[str]:
    return shift_dates(text(values), key=KEY, params={"max_days": 180}, context=ctx("D", "DATE", pids)).tolist()


def _gen(values: list[str], entity: str | None = None, **params) -> list[str]:
    return generalize(text(values), params=params, context=ctx("X", entity)).tolist()


# ---------------------------------------------------------------- "12/03/85": a date to detect, blanked by shift_dates


def test_two_digit_year_is_shifted_like_its_four_digit_form():
    assert validators.parse_date("12/03/85") == dt.date(1985, 3, 12)  # the detector's reading
    pids = ["A", "A", "B", "B"]
    four = _shift(["12/03/1985", "28/02/2004", "12/03/1985", "31/12/1999"], pids)
    two = _shift(["12/03/85", "28/02/04", "12/03/85", "31/12/99"], pids)
    assert all(two), "a detected date must be shifted, not blanked"
    # same person, same offset: the two-digit form lands on the same day, written JJ/MM/AA
    assert two == [f[:6] + f[8:] for f in four]


def test_two_digit_year_is_generalized_and_in_the_date_hierarchy():
    assert _gen(["12/03/85", "07/11/01"], method="month") == ["01/03/85", "01/11/01"]
    assert _gen(["12/03/85"], method="year") == ["01/01/85"]
    h = dates(["12/03/85", "12/03/1985"])
    assert h.levels[1]["12/03/85"] == h.levels[1]["12/03/1985"] == "03/1985"
    assert h.levels[3]["12/03/85"] == "1980-1989"


# ---------------------------------------------------------------- postcode "1000": 01 in generalize, * in the hierarchy


def test_postcode_that_lost_its_leading_zero_is_01_everywhere():
    assert _gen(["1000", "01000"], "POSTAL_CODE", method="departement") == ["01", "01"]
    ints = generalize(pd.Series([1000, 33000]), params={"method": "departement"}, context=ctx("CP", "POSTAL_CODE"))
    assert ints.tolist() == ["01", "33"]
    h = prefixes(["1000", "01000"])
    assert h.levels[2]["1000"] == h.levels[2]["01000"] == "01"
    assert h.levels[1]["1000"] == "010**"
    assert h.levels[3]["1000"] == "Auvergne-Rhône-Alpes"
    assert default_hierarchy(pd.Series([1000, 1300]), "POSTAL_CODE").levels[2] == {"1000": "01", "1300": "01"}


def test_corsican_postcodes_map_to_2a_2b_in_generalize_and_hierarchy():
    # Ajaccio 20000 / 20090 and Porto-Vecchio 20137 are in Corse-du-Sud; Bastia 20200 / 20600,
    # Calvi 20260 and Corte 20250 in Haute-Corse (rules/data/communes.csv lists them with 2A/2B)
    codes = ["20000", "20090", "20137", "20200", "20260", "20250", "20600"]
    want = ["2A", "2A", "2A", "2B", "2B", "2B", "2B"]
    assert _gen(codes, "POSTAL_CODE", method="departement") == want
    h = default_hierarchy(pd.Series(codes, name="CODPOST"), "POSTAL_CODE")
    assert [h.levels[2][c] for c in codes] == want


def test_postcodes_of_the_bundled_communes_table_agree_with_their_departement():
    """Every real commune of rules/data/communes.csv: its post code and its COG code give its département."""
    from anonymizer.resources import rules_path

    table = pd.read_csv(rules_path("data", "communes.csv"), sep=";", comment="#", dtype=str)
    by_post = _gen(table["codpost"].tolist(), "POSTAL_CODE", method="departement")
    by_cog = _gen(table["codcom"].tolist(), "COMMUNE_CODE", method="departement")
    assert by_post == by_cog == table["dep"].tolist()
    h = prefixes(table["codpost"].tolist(), "postcode")
    assert [h.levels[2][c] for c in table["codpost"]] == table["dep"].tolist()


# ---------------------------------------------------------------- io.as_text vs transform.base.to_text


@pytest.mark.parametrize("series, want", [
    (pd.Series([1e16, 12.0, np.nan, 2.5]), ["10000000000000000", "12", "", "2.5"]),
    (pd.Series(pd.to_datetime(["2021-03-04 10:30:00", "2021-03-05 00:00:00", None])), ["2021-03-04 10:30:00", "2021-03-05", ""]),
    (pd.Series([3.0, "x", None, pd.Timestamp("2020-01-02")], dtype=object), ["3", "x", "", "2020-01-02"]),
])
def test_as_text_and_to_text_read_a_cell_the_same_way(series, want):
    assert as_text(series).tolist() == want
    assert to_text(series).tolist() == want


# ---------------------------------------------------------------- four month tables


def test_one_month_table_in_the_sources():
    holders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if "janvier" in p.read_text(encoding="utf-8"))
    assert holders == ["values/dates.py"]


@pytest.mark.parametrize("value, day", [
    ("12 janv. 1985", dt.date(1985, 1, 12)), ("1er févr. 2001", dt.date(2001, 2, 1)),
    ("3 FEVRIER 1999", dt.date(1999, 2, 3)), ("25 déc. 2010", dt.date(2010, 12, 25)),
    ("14  juillet 1990", dt.date(1990, 7, 14)),
])
def test_every_month_spelling_the_detector_reads_is_read_everywhere(value, day):
    from anonymizer.check.rules import _exact_dates

    assert validators.parse_date(value) == day
    shifted = _shift([value], ["A"])[0]
    assert shifted, "shift_dates blanked a date the detector reads"
    assert _gen([value], method="month")[0] != "*"
    assert dates([value]).levels[1][value] == f"{day.month:02d}/{day.year}"
    assert _exact_dates(text([value])) == 1.0


# ---------------------------------------------------------------- two readers of the ARX hierarchy format


def test_generalize_and_hierarchies_folder_read_an_arx_file_the_same_way(tmp_path):
    # saved by a spreadsheet: a byte-order mark, and a value listed twice (the first row is the one)
    path = tmp_path / "x_hierarchy_NATIO.csv"
    path.write_text("\ufeffFR;France;*\nMA;Etranger;*\nDZ;Etranger\nFR;Etranger;*\n", encoding="utf-8")
    folder = load_hierarchies(tmp_path)["NATIO"]
    direct = Hierarchy.from_arx_csv(path)
    values = ["FR", "MA", "DZ"]
    for level in (1, 2):
        by_policy = _gen(values, method="hierarchy", hierarchy=str(path), level=level)
        assert by_policy == folder.generalize(values, level) == direct.generalize(values, level)
    assert _gen(values, method="hierarchy", hierarchy=str(path), level=1) == ["France", "Etranger", "Etranger"]


# ---------------------------------------------------------------- amounts: thin and narrow no-break spaces


def test_grouped_amounts_are_numbers_for_generalize_and_the_hierarchy():
    values = ["1\u202f234,56", "1\u2009234,56", "1\u00a0234,56", "1 234,56"]
    assert _gen(values, method="band", width=1000) == ["[1000;2000["] * 4
    h = intervals(values, (1000,))
    assert [h.levels[1][v] for v in values] == ["[1000, 2000["] * 4


def test_t_closeness_orders_grouped_amounts_as_numbers():
    """risk's ordered distance read "1 234,56" as text (after "200,00"); privacy's search did too."""
    from anonymizer.risk.diversity import numeric_order

    codes, m, ordered = numeric_order(pd.Series(["1 234,56", "200,00", "15\u202f000,00"], dtype="str"))
    assert ordered and m == 3 and list(codes) == [1, 0, 2]
