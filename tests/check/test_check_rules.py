"""The table rules with the real scanner: k and record risk on key quasi-identifiers, small cells,
tables without people, exemptions. Expected k values are computed with a plain pandas groupby."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from anonymizer.check.config import config_from_dict
from anonymizer.check.rules import evaluate_table


def _rules(findings, level="error"):
    return sorted({f.rule for f in findings if f.level == level})


@pytest.fixture(scope="module")
def cfg():
    return config_from_dict({"ner": False})


def _microdata(n: int, seed: int, fine: bool) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        if fine:
            birth = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2000)}"
            rows.append({"DTNAIS": birth, "SEXE": rng.choice("12"), "CODPOST": rng.choice(["33000", "33100", "24000"]),
                         "MONTANT_RSA": f"{rng.randint(100, 700)},{rng.randint(0, 99):02d}"})
        else:
            rows.append({"SEXE": rng.choice("12"), "TRANCHE_AGE": rng.choice(["18-29", "30-44", "45-59"]),
                         "DEPARTEMENT": rng.choice(["33", "24"]), "MONTANT_RSA": str(rng.choice([300, 400, 500]))})
    return pd.DataFrame(rows)


def test_fine_quasi_identifiers_fail_k_and_record_risk(cfg):
    df = _microdata(300, 1, fine=True)
    k = df.groupby(["DTNAIS", "SEXE", "CODPOST"]).size().min()
    assert k < 5  # independent check of the premise
    findings = evaluate_table(df, cfg)
    assert _rules(findings) == ["k-anonymity", "record-risk"]
    kf = next(f for f in findings if f.rule == "k-anonymity")
    assert f"k = {k} " in kf.message and "DTNAIS" in kf.message


def test_small_excerpt_fails_on_exact_birth_dates_only(cfg):
    fine = _microdata(30, 1, fine=True)
    assert _rules(evaluate_table(fine, cfg)) == ["exact-birth-date"]
    # the same rows with the birth month only: an excerpt too small for k to mean anything passes
    month = fine.assign(DTNAIS=fine["DTNAIS"].str[3:])
    assert _rules(evaluate_table(month, cfg)) == []
    coarse_head = _microdata(400, 2, fine=False).head(5)
    assert coarse_head.groupby(["SEXE", "TRANCHE_AGE", "DEPARTEMENT"]).size().min() < 5
    assert _rules(evaluate_table(coarse_head, cfg)) == []
    # the cut-off is a setting
    assert "k-anonymity" in _rules(evaluate_table(coarse_head, config_from_dict({"ner": False, "risk_min_rows": 1})))


def test_coarse_quasi_identifiers_pass(cfg):
    df = _microdata(400, 2, fine=False)
    assert df.groupby(["SEXE", "TRANCHE_AGE", "DEPARTEMENT"]).size().min() >= 5
    assert _rules(evaluate_table(df, cfg)) == []


def test_k_threshold_is_configurable(cfg):
    df = _microdata(400, 2, fine=False)
    k = int(df.groupby(["SEXE", "TRANCHE_AGE", "DEPARTEMENT"]).size().min())
    strict = config_from_dict({"ner": False, "k": k + 1, "max_record_risk": 1.0})
    assert _rules(evaluate_table(df, strict)) == ["k-anonymity"]
    lenient = config_from_dict({"ner": False, "k": k, "max_record_risk": 1.0})
    assert _rules(evaluate_table(df, lenient)) == []


def _aggregate(small: int | None) -> pd.DataFrame:
    rows = [{"departement": d, "sexe": s, "nb_allocataires": str(100 + 7 * i)}
            for i, (d, s) in enumerate((d, s) for d in ("33", "24", "47") for s in ("F", "M"))]
    if small is not None:
        rows[3]["nb_allocataires"] = str(small)
    return pd.DataFrame(rows)


def test_frequency_table_small_cells(cfg):
    assert _rules(evaluate_table(_aggregate(None), cfg)) == []
    findings = evaluate_table(_aggregate(4), cfg)
    assert _rules(findings) == ["small-cells"]
    assert "1 of 6 cells" in findings[0].message and findings[0].column == "nb_allocataires"
    # zero is not a small cell; the threshold is configurable
    assert _rules(evaluate_table(_aggregate(0), cfg)) == []
    assert _rules(evaluate_table(_aggregate(4), config_from_dict({"ner": False, "small_cell": 4}))) == []


def test_a_table_without_people_passes_even_with_unique_places(cfg):
    df = pd.DataFrame({
        "code_insee": ["33063", "33318", "33281", "24322", "47001"],
        "nom_commune": ["Bordeaux", "Pessac", "Mérignac", "Périgueux", "Agen"],
        "population": ["261804", "66760", "75223", "29538", "32485"],
    })
    assert _rules(evaluate_table(df, cfg)) == []


def test_exempt_column_is_not_reported(cfg):
    from stdnum.fr import nir

    bodies = [f"1{60 + i:02d}0133063{100 + i:03d}" for i in range(20)]
    df = pd.DataFrame({"x3": [b + nir.calc_check_digits(b) for b in bodies], "y": ["a", "b"] * 10})
    assert _rules(evaluate_table(df, cfg)) == ["direct-identifier"]
    assert _rules(evaluate_table(df, cfg, exempt_columns={"x3"})) == []


def test_weak_identifier_warns_unless_configured_to_fail(cfg):
    df = _microdata(400, 2, fine=False)
    df.insert(0, "ID_DOSSIER", [f"D{i:06d}" for i in range(len(df))])
    findings = evaluate_table(df, cfg)
    assert _rules(findings) == [] and "weak-identifier" in _rules(findings, "warning")
    strict = config_from_dict({"ner": False, "fail_on_weak_identifiers": True})
    assert "weak-identifier" in _rules(evaluate_table(df, strict))


def test_findings_hold_masked_examples_only(cfg):
    phones = [f"06 {10 + i} 34 56 {20 + i}" for i in range(30)]
    df = pd.DataFrame({"contact": phones, "categorie": ["x", "y", "z"] * 10})
    findings = evaluate_table(df, cfg)
    assert findings and findings[0].examples
    blob = repr([f.to_dict() for f in findings])
    for p in phones:
        assert p not in blob and p.replace(" ", "") not in blob


def test_names_in_a_comment_field_need_the_ner_pass():
    rng = random.Random(1)
    first = ["Julien", "Sophie", "Nicolas", "Camille", "Antoine", "Claire", "Thomas", "Laura"]
    last = ["Martin", "Bernard", "Dubois", "Moreau", "Lefebvre", "Girard", "Durand", "Leroy"]
    df = pd.DataFrame({
        "type": [rng.choice(["RSA", "AAH"]) for _ in range(40)],
        # written in running case, without a civility: no pattern shape, only NER sees a name
        "obs": [f"Entretien avec {rng.choice(first)} {rng.choice(last)} le 12 mars, situation stable"
                if i % 2 else "" for i in range(40)],
    })
    assert _rules(evaluate_table(df, config_from_dict({"ner": False}))) == []
    findings = evaluate_table(df, config_from_dict({"ner": True}))
    assert _rules(findings) == ["free-text-pii"] and "PERSON" in findings[0].message
    assert findings[0].column == "obs"


def test_names_after_a_civility_are_found_without_ner():
    rng = random.Random(1)
    names = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY"]
    df = pd.DataFrame({
        "type": [rng.choice(["RSA", "AAH"]) for _ in range(40)],
        "obs": [f"Entretien avec Mme {rng.choice(names)} le 12 mars, situation stable et dossier à revoir"
                if i % 2 else "" for i in range(40)],
    })
    findings = evaluate_table(df, config_from_dict({"ner": False}))
    assert _rules(findings) == ["free-text-pii"] and "PERSON" in findings[0].message


def test_frequency_tables_recognised_by_grid_or_population_count_name(cfg):
    rng = random.Random(3)
    grid = [{"departement": d, "tranche_age": a, "sexe": s} for d in ("33", "24", "47")
            for a in ("18-29", "30-44", "45-59", "60+") for s in ("F", "M")]
    # means only (no count): a full cross table is not microdata
    means = pd.DataFrame([{**g, "montant_moyen": f"{rng.randint(100, 900)},{rng.randint(0, 99):02d}"} for g in grid])
    assert _rules(evaluate_table(means, cfg)) == []
    # counts in a column named after the population counted
    counts = pd.DataFrame([{**g, "allocataires": str(rng.randint(20, 900))} for g in grid])
    assert _rules(evaluate_table(counts, cfg)) == []
    counts.loc[5, "allocataires"] = "3"
    assert _rules(evaluate_table(counts, cfg)) == ["small-cells"]
    # sparse (zero cells left out) but with a count column: still a frequency table
    sparse = counts.drop(index=range(0, 24, 2)).reset_index(drop=True)
    assert _rules(evaluate_table(sparse, cfg)) == ["small-cells"]


def test_unique_microdata_with_integer_amounts_is_not_taken_for_a_frequency_table(cfg):
    df = _microdata(300, 4, fine=True)
    df["MONTANT_RSA"] = df["MONTANT_RSA"].str.split(",").str[0]
    df["NUM_DOSSIER"] = [str(1000 + i) for i in range(len(df))]
    assert "k-anonymity" in _rules(evaluate_table(df, cfg))
    small = df.head(40)
    assert "exact-birth-date" in _rules(evaluate_table(small, cfg))


def test_a_column_only_named_like_names_is_a_warning(cfg):
    cities = pd.DataFrame({"name": ["Paris", "Lyon", "Nice", "Lille", "Metz", "Brest", "Dijon", "Nancy"],
                           "population": ["2100000", "520000", "340000", "236000", "117000", "140000", "159000",
                                          "104000"]})
    findings = evaluate_table(cities, cfg)
    assert _rules(findings) == [] and _rules(findings, "warning") == ["weak-identifier"]
    people = pd.DataFrame({"name": ["Jean Martin", "Marie Bernard", "Luc Petit", "Anne Durand", "Paul Leroy",
                                    "Julie Moreau", "Marc Simon", "Lea Laurent"], "x": list("abcdabcd")})
    assert _rules(evaluate_table(people, cfg)) == ["direct-identifier"]


def test_person_from_ner_needs_a_minimum_share_validated_patterns_do_not():
    from types import SimpleNamespace

    from anonymizer.check.rules import _free_text_hits

    cfg = config_from_dict({})
    f = SimpleNamespace(text_entities={"PERSON": 0.02, "PHONE": 0.01, "DATE": 0.9})
    assert _free_text_hits(f, cfg) == {"PHONE": 0.01}
    f = SimpleNamespace(text_entities={"PERSON": 0.05})
    assert _free_text_hits(f, cfg) == {"PERSON": 0.05}
    assert _free_text_hits(f, config_from_dict({"person_min_share": 0.5})) == {}
