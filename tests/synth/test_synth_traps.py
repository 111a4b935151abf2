"""Planted difficulties are present where the ground truth says; free-text offsets are exact."""

from __future__ import annotations

import csv
import re
from collections import Counter

import schwifty
from stdnum.fr import nir, siret

from anonymizer.resources import rules_path

from .helpers import DTREF, age, date, phone_digits

HEALTH_WORDS = {"hospitalisation", "Hospitalisation longue durée", "Suivi psychiatrique", "Grossesse à risque",
                "Addiction à l'alcool", "Dépression sévère", "arrêt maladie", "grossesse"}


def _planted(truth, kind):
    return [p for p in truth["planted"] if p["kind"] == kind]


def test_single_row_traps(df, truth):
    (cent,) = _planted(truth, "centenarian")
    assert age(date(df["DTNAIS"].iloc[cent["rows"][0]]), DTREF) >= 100
    (nine,) = _planted(truth, "nine_children")
    r = df.iloc[nine["rows"][0]]
    assert r["NBENF"] == "9" and r["ENF5_DTNAIS"] and int(r["NBPERS"]) >= 10
    (sm,) = _planted(truth, "small_overseas_commune")
    assert df["CODCOM"].iloc[sm["rows"][0]].startswith("97")
    assert (df["CODCOM"] == df["CODCOM"].iloc[sm["rows"][0]]).sum() == 1
    (cedex,) = _planted(truth, "cedex_postcode")
    assert df["CODPOST"].iloc[cedex["rows"][0]] == "33076"
    (lp,) = _planted(truth, "la_poste_siret")
    s = df["SIRETEMP"].iloc[lp["rows"][0]]
    assert s.startswith("356000000") and siret.is_valid(s)
    assert sum(map(int, s)) % 5 == 0


def test_one_off_nationalities(df, truth):
    counts = Counter(df["CODNATIO"])
    singles = [c for c, n in counts.items() if n == 1]
    assert len(singles) >= 3
    for p in _planted(truth, "oneoff_nationality"):
        assert counts[df["CODNATIO"].iloc[p["rows"][0]]] == 1


def test_ages_span_and_centenarian_unique(df):
    ages = [age(date(v), DTREF) for v in df["DTNAIS"]]
    assert min(ages) >= 18 and max(ages) >= 100
    assert sum(a >= 100 for a in ages) == 1


def test_listed_trap_rows_really_have_the_trap(df, truth):
    (sci,) = _planted(truth, "nir_scientific_notation")
    assert sci["count"] == len(sci["rows"]) == df["NIR"].str.contains("E+", regex=False).sum()
    assert all("E+" in df["NIR"].iloc[r] for r in sci["rows"])
    (ib,) = _planted(truth, "iban_with_spaces")
    assert all(" " in df["IBAN"].iloc[r] for r in ib["rows"])
    (ph,) = _planted(truth, "phone_without_leading_zero")
    assert all(re.fullmatch(r"6\d{8}", df["TELPORT"].iloc[r]) for r in ph["rows"])
    (let,) = _planted(truth, "iban_with_letter")
    assert all(re.search("[A-Z]", df["IBAN"].iloc[r].replace(" ", "")[4:]) for r in let["rows"])
    (intl,) = _planted(truth, "phone_international")
    assert all("+33" in df["TEL"].iloc[r] + df["TELPORT"].iloc[r] for r in intl["rows"])
    (dots,) = _planted(truth, "phone_dotted")
    assert all("." in df["TEL"].iloc[r] + df["TELPORT"].iloc[r] for r in dots["rows"])
    (ll,) = _planted(truth, "landlord_is_a_person")
    for r in ll["rows"]:
        assert df["STATOCC"].iloc[r] == "LOC_PRIV" and df["SIRETBAIL"].iloc[r] == ""
        assert not df["NOMBAIL"].iloc[r].startswith("SCI ")
    assert any(df["NOMBAIL"].iloc[r].startswith(("M. ", "Mme ")) for r in ll["rows"])


def test_landlord_ids_are_reused(df):
    ids = df.loc[df["IDBAIL"] != "", "IDBAIL"]
    assert all(re.fullmatch(r"B\d{7}", v) for v in ids)
    assert ids.duplicated().any()
    # one id, one landlord name
    assert (df[df["IDBAIL"] != ""].groupby("IDBAIL")["NOMBAIL"].nunique() == 1).all()


def test_free_text_offsets_point_at_the_entities(df, truth):
    spans = truth["free_text"]
    assert set(spans) == {"COMMENT_GEST", "COMMENT_CTRL", "MOTIF_SUSP", "OBS_TS", "OBJ_DERCOURRIEL"}
    seen = Counter()
    for col, items in spans.items():
        texts = df[col].tolist()
        for row, start, end, entity in items:
            piece = texts[row][start:end]
            assert piece and piece == piece.strip(), (col, row)
            seen[entity] += 1
            if entity == "NIR":
                assert nir.is_valid(piece)
            elif entity == "IBAN":
                schwifty.IBAN(piece, validate_bban=True)
            elif entity == "PHONE":
                assert len(phone_digits(piece)) == 10
            elif entity == "EMAIL":
                assert piece == df["MAIL"].iloc[row]
            elif entity == "HEALTH":
                assert piece in HEALTH_WORDS
            elif entity == "DATE":
                assert re.fullmatch(r"\d{2}/\d{2}(/\d{4})?", piece)
            elif entity == "AMOUNT":
                assert re.fullmatch(r"\d+,\d{2}", piece)
            elif entity == "PERSON":
                assert re.fullmatch(r"[^\W\d_][\w' \-]*", piece)
            elif entity == "ADDRESS":
                assert piece.startswith(df["NUMVOIE"].iloc[row] or piece.split(" ")[0])
    for entity in ("PERSON", "PHONE", "NIR", "IBAN", "AMOUNT", "HEALTH", "DATE", "ORGANIZATION", "EMAIL"):
        assert seen[entity] > 0, entity
    # the allocataire's own name appears in some comments, and other people's names too
    own = sum(df["NOMFAM"].iloc[r] in df["COMMENT_GEST"].iloc[r] for r, *_ in spans["COMMENT_GEST"])
    assert own > 0
    assert (df["COMMENT_GEST"] != "").mean() > 0.3


def test_bank_table_matches_schwifty_registry():
    with open(rules_path("data", "banks.csv"), encoding="utf-8") as fh:
        banks = list(csv.DictReader([x for x in fh if not x.startswith("#")], delimiter=";"))
    assert len(banks) >= 10
    for b in banks:
        candidates = {str(x) for x in schwifty.BIC.candidates_from_bank_code("FR", b["bank_code"])}
        assert b["bic"] in candidates, b["bank_code"]


def test_country_codes_have_the_insee_shape():
    with open(rules_path("data", "pays.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader([x for x in fh if not x.startswith("#")], delimiter=";"))
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"99[1-5]\d\d", c) for c in codes)
    assert {r["groupe"] for r in rows} == {"FR", "UE", "HUE"}


def test_risk_picture_of_schema_section_4(df):
    """(SEXE, DTNAIS, CODCOM) singles almost everyone out; (age band, département, NBENF) does not."""
    fine = df.groupby(["SEXE", "DTNAIS", "CODCOM"])["NUMLIGNE"].transform("size")
    assert (fine == 1).mean() > 0.9
    band = [age(date(v), DTREF) // 10 for v in df["DTNAIS"]]
    coarse = df.assign(band=band, dep=df["CODCOM"].str[:2]).groupby(["band", "dep", "NBENF"])["NUMLIGNE"].transform("size")
    assert (coarse >= 11).mean() > 0.8
