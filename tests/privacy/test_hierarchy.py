"""Hierarchies: ARX files load as ARX reads them, and the builders give the published / hand-computed levels."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from anonymizer.errors import InputError
from anonymizer.privacy import (
    Hierarchy,
    dates,
    default_hierarchy,
    intervals,
    load_hierarchies,
    masking,
    nationality,
    prefixes,
)


def _read_rows(path):
    with open(path, newline="") as fh:
        return [[c.strip("\r") for c in row] for row in csv.reader(fh, delimiter=";") if row]


def test_adult_hierarchies_load_with_readme_heights(shared_data):
    hs = load_hierarchies(shared_data / "adult")
    heights = {c: h.height for c, h in hs.items()}
    # heights printed in ../shared/data/adult/README.md
    assert heights == {"sex": 1, "age": 4, "race": 1, "marital-status": 2, "education": 3,
                       "native-country": 2, "workclass": 2, "occupation": 2, "salary-class": 1}
    age = hs["age"]
    assert age.generalize(["39"], 1) == ["35-39"]
    assert age.generalize(["39"], 4) == ["*"]
    assert [age.levels[lv]["39"] for lv in range(5)] == ["39", "35-39", "30-39", "20-39", "*"]


def test_cup_heights_and_crlf(shared_data):
    hs = load_hierarchies(shared_data / "cup")
    assert {c: h.height for c, h in hs.items()} == {"ZIP": 5, "AGE": 4, "GENDER": 1, "INCOME": 2, "STATE": 1,
                                                    "RAMNTALL": 4, "NGIFTALL": 4, "MINRAMNT": 4}
    assert all(not v.endswith("\r") for h in hs.values() for r in h.rows for v in r)


def test_interval_builder_hand_computed():
    # ARX's own adult age file groups 1-5 under "0-4" (its labels are shifted by one), so the
    # reference here is hand-computed: bands aligned on 0, integer labels, then '*'.
    h = intervals(["0", "4", "5", "39", "40", "-3", "abc", ""], widths=[5, 10, 20])
    assert h.rows[3] == ["39", "35-39", "30-39", "20-39", "*"]
    assert h.levels[1]["4"] == "0-4" and h.levels[1]["5"] == "5-9" and h.levels[3]["40"] == "40-59"
    assert h.levels[1]["-3"] == "-5--1"
    assert h.levels[1]["abc"] == "*" and h.levels[1][""] == ""
    assert intervals(["2,5"], widths=[1]).levels[1]["2,5"] == "[2, 3["


def test_masking_builder_reproduces_arx_cup_zip_file(shared_data):
    rows = _read_rows(shared_data / "cup" / "cup_hierarchy_ZIP.csv")[:3000]
    assert masking([r[0] for r in rows]).rows == rows


def test_generalize_series_and_unknown_value_is_masked():
    h = Hierarchy([["a", "x", "*"], ["b", "x", "*"]], name="col")
    assert list(h.generalize(pd.Series(["a", "b", "a"]), 1)) == ["x", "x", "x"]
    with pytest.raises(InputError) as exc:
        h.generalize(["secret-value-123456"], 1)
    assert "secret-value-123456" not in str(exc.value)


def test_arx_domain_shares():
    h = Hierarchy([["1", "1-2", "*"], ["2", "1-2", "*"], ["3", "3-4", "*"], ["4", "3-4", "*"]])
    assert h.shares(0)["3"] == 0.25
    assert h.shares(1)["1-2"] == 0.5
    assert h.shares(2)["*"] == 1.0


def test_dates_levels():
    h = dates(["15/03/1985", "1985-03-02", "19991231", ""])
    assert [h.levels[lv]["15/03/1985"] for lv in range(5)] == ["15/03/1985", "03/1985", "1985", "1980-1989", "*"]
    assert h.levels[1]["1985-03-02"] == "03/1985"
    assert h.levels[3]["19991231"] == "1990-1999"
    assert h.levels[1][""] == ""


def test_prefixes_departement_and_region():
    h = prefixes(["33063", "2A004", "2B033", "97411", "20000", "75001", "99100"])
    assert h.levels[1]["33063"] == "330**" and h.levels[1]["97411"] == "974**"
    lv1, lv2 = h.levels[2], h.levels[3]
    assert (lv1["33063"], lv2["33063"]) == ("33", "Nouvelle-Aquitaine")
    assert (lv1["2A004"], lv2["2A004"]) == ("2A", "Corse")
    assert (lv1["2B033"], lv2["2B033"]) == ("2B", "Corse")
    assert (lv1["97411"], lv2["97411"]) == ("974", "La Réunion")
    assert (lv1["20000"], lv2["20000"]) == ("2A", "Corse")  # a post code: Ajaccio, Corse-du-Sud
    assert (lv1["75001"], lv2["75001"]) == ("75", "Île-de-France")
    assert h.levels[4]["75001"] == "*"


def test_shipped_departement_table_covers_96_metropolitan_departements():
    from anonymizer.resources import rules_path

    rows = _read_rows(rules_path("hierarchies", "fr_hierarchy_DEPARTEMENT.csv"))
    metro = [r[0] for r in rows if len(r[0]) == 2 and r[0] not in ("20", "99")]
    assert len(metro) == 96 and len(set(metro)) == 96
    assert {r[1] for r in rows if r[0] in metro} >= {"Bretagne", "Occitanie", "Grand Est"}


def test_nationality_and_default_hierarchies():
    h = nationality(["FR", "UE", "HUE"])
    assert [h.levels[1][v] for v in ("FR", "UE", "HUE")] == ["France", "Etranger", "Etranger"]
    amounts = default_hierarchy(pd.Series(["123,45", "80", "1200"], name="montant"), "AMOUNT")
    assert amounts.name == "montant" and amounts.height == 4
    assert amounts.levels[1]["123,45"] == "[120, 130["
    age = default_hierarchy(pd.Series(["3", "47"]), "AGE")
    assert age.levels[1]["47"] == "45-49" and age.levels[3]["3"] == "0-19"
    assert default_hierarchy(pd.Series(["1", "2"]), "SEX").levels[1] == {"1": "*", "2": "*"}
    assert default_hierarchy(pd.Series(["2A004"]), "COMMUNE_CODE").levels[2]["2A004"] == "2A"
    assert default_hierarchy(pd.Series(["15/03/1985"]), "BIRTH_DATE").levels[2]["15/03/1985"] == "1985"


def test_load_hierarchies_needs_files(tmp_path):
    with pytest.raises(InputError):
        load_hierarchies(tmp_path)
    (tmp_path / "x_hierarchy_col.csv").write_text("a;*\nb;*\n")
    assert list(load_hierarchies(tmp_path)) == ["col"]
