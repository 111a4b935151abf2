"""French headers of Excel-style tables (issue #16): the rules know them, whatever the accents,
"(e)" or "°"; every finding says which family of facts it belongs to and whose value it holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.detect import scan_table
from anonymizer.detect.entities import ENTITIES, FAMILIES
from anonymizer.detect.rules import load_rules, match_rule, normalise_name
from anonymizer.io import read_table
from anonymizer.resources import rules_path


@pytest.mark.parametrize(("header", "normalised"), [
    ("N° allocataire", "n_allocataire"),
    ("Nº allocataire", "no_allocataire"),   # the ordinal sign folds to "o"
    ("Né(e) le", "ne_le"),                  # inclusive ending dropped
    ("Né·e le", "ne_le"),
    ("Nombre d'enfants", "nombre_d_enfants"),
    ("Nb  enfants ", "nb_enfants"),
    ("Nationalité", "nationalite"),
    ("Situation de famille", "situation_de_famille"),
    ("Sœur", "soeur"),
])
def test_header_normalisation(header, normalised):
    assert normalise_name(header) == normalised


@pytest.mark.parametrize(("header", "role", "entity"), [
    ("N° allocataire", "identifier", "CAF_NUMBER"),
    ("Numéro allocataire", "identifier", "CAF_NUMBER"),
    ("Numéro d'allocataire", "identifier", "CAF_NUMBER"),
    ("Num alloc", "identifier", "CAF_NUMBER"),
    ("N° dossier", "identifier", "CAF_NUMBER"),
    ("Numéro de dossier", "identifier", "CAF_NUMBER"),
    ("Matricule", "identifier", "CAF_MATRICULE"),
    ("Né(e) le", "quasi_identifier", "BIRTH_DATE"),
    ("Née le", "quasi_identifier", "BIRTH_DATE"),
    ("Date de naissance", "quasi_identifier", "BIRTH_DATE"),
    ("Date naiss", "quasi_identifier", "BIRTH_DATE"),
    ("DDN", "quasi_identifier", "BIRTH_DATE"),
    ("Nb enfants", "quasi_identifier", "COUNT"),
    ("Nombre d'enfants", "quasi_identifier", "COUNT"),
    ("Situation familiale", "quasi_identifier", "CATEGORY"),
    ("Situation de famille", "quasi_identifier", "CATEGORY"),
    ("Nationalité", "quasi_identifier", "NATIONALITY"),
    ("Sexe", "quasi_identifier", "SEX"),
    ("Genre", "quasi_identifier", "SEX"),
    ("CP", "quasi_identifier", "POSTAL_CODE"),
    ("Code postal", "quasi_identifier", "POSTAL_CODE"),
    ("Ville", "quasi_identifier", "COMMUNE_NAME"),
    ("Commune", "quasi_identifier", "COMMUNE_NAME"),
    ("Code commune", "quasi_identifier", "COMMUNE_CODE"),
    ("Code INSEE", "quasi_identifier", "COMMUNE_CODE"),
])
def test_french_header_rules(header, role, entity):
    rule = match_rule(header, load_rules())
    assert rule is not None and (rule.role, rule.entity) == (role, entity), normalise_name(header)


# ---------------------------------------------------------------- the Excel-style table of the issue

PRENOMS = ["Léa", "Chloé", "Inès", "Zoé", "Hugo", "Théo", "Noé", "Jérôme", "Hélène", "Benoît"]
NOMS = ["LEFÈVRE", "GIRAUD", "MÜLLER", "DUPRÉ", "FAURE", "ROUSSEL", "BOUCHER", "LEMAÎTRE"]
VILLES = [("33000", "Bordeaux", "33063"), ("33400", "Talence", "33522"), ("33600", "Pessac", "33318"),
          ("33700", "Mérignac", "33281"), ("33130", "Bègles", "33039"), ("33150", "Cenon", "33119")]


def _excel_table(rows: int = 2000, seed: int = 1604) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    place = rng.integers(0, len(VILLES), rows)
    day, month, year = rng.integers(1, 29, rows), rng.integers(1, 13, rows), rng.integers(1940, 2004, rows)
    born = [f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(day, month, year, strict=True)]
    return pd.DataFrame({
        "Nom": [NOMS[i] for i in rng.integers(0, len(NOMS), rows)],
        "Prénom": [PRENOMS[i] for i in rng.integers(0, len(PRENOMS), rows)],
        "Né(e) le": born,
        "Sexe": rng.choice(["H", "F"], rows),
        "CP": [VILLES[i][0] for i in place],
        "Ville": [VILLES[i][1] for i in place],
        "Code commune": [VILLES[i][2] for i in place],
        "Situation familiale": rng.choice(["Célibataire", "Marié(e)", "Pacsé(e)", "Divorcé(e)", "Veuf(ve)"], rows),
        "Nb enfants": rng.integers(0, 6, rows).astype(str),
        "Nationalité": rng.choice(["Française", "Algérienne", "Marocaine", "Portugaise", "Italienne"], rows),
        "Commentaire": [f"Rappeler le {b[:5]}, pièces reçues." for b in born],
    })


def test_excel_table_with_french_headers_is_classified(tmp_path):
    path = tmp_path / "beneficiaires.csv"
    path.write_bytes(_excel_table().to_csv(sep=";", index=False).encode("cp1252"))
    table = read_table(path)
    assert table.meta.encoding == "cp1252" and "Né(e) le" in table.df.columns
    found = {f.column: f for f in scan_table(table.df, ner=False).findings}
    expected = {
        "Né(e) le": ("quasi_identifier", "BIRTH_DATE"),  # was DATE (values only): shifted, left out of k
        "Nb enfants": ("quasi_identifier", "COUNT"),
        "Situation familiale": ("quasi_identifier", "CATEGORY"),
        "Nationalité": ("quasi_identifier", "NATIONALITY"),
        "CP": ("quasi_identifier", "POSTAL_CODE"),
        "Ville": ("quasi_identifier", "COMMUNE_NAME"),
        "Code commune": ("quasi_identifier", "COMMUNE_CODE"),
        "Sexe": ("quasi_identifier", "SEX"),
    }
    assert {c: (found[c].role, found[c].entity) for c in expected} == expected
    assert found["Nb enfants"].family == "household" and found["Situation familiale"].family == "household"
    assert found["Né(e) le"].family == "birth" and found["Code commune"].family == "place"
    assert {found[c].subject for c in found} == {"person"}
    assert not any(f.identifier_like for f in found.values())  # codes of 5 digits, dates: not identifiers
    assert all(found[c].confidence >= 0.5 for c in expected)


# ---------------------------------------------------------------- identifier-like values


def _file_numbers(rows: int, shared: int, seed: int = 50) -> list[str]:
    """``rows`` 7-digit file numbers, the last ``shared`` rows repeating earlier ones (a household's
    members share its number)."""
    rng = np.random.default_rng(seed)
    own = [f"{x:07d}" for x in rng.choice(np.arange(1_000_000, 10_000_000), rows - shared, replace=False)]
    return own + own[:shared]


def test_numero_allocataire_is_a_caf_number_and_identifier_like():
    df = pd.DataFrame({"N° allocataire": _file_numbers(50, 10), "Montant": [f"{i * 13 % 700},50" for i in range(50)]})
    f = scan_table(df, ner=False).findings[0]
    assert (f.role, f.entity, f.family) == ("identifier", "CAF_NUMBER", "record")
    assert f.identifier_like
    assert f.stats["fixed_digits"] == {"length": 7, "share": 1.0}
    assert f.stats["singleton_share"] == pytest.approx(30 / 50)  # 10 numbers twice, 30 once


def test_identifier_like_without_a_name_rule_stays_low_confidence_but_is_flagged():
    """The issue's case with a header no rule knows: the values alone give a 30 % category."""
    df = pd.DataFrame({"Référence": _file_numbers(50, 10)})
    f = scan_table(df, ner=False).findings[0]
    assert (f.role, f.entity) == ("quasi_identifier", "CATEGORY") and f.confidence < 0.5
    assert f.identifier_like
    assert any("identifier-like" in e for e in f.evidence)


@pytest.mark.parametrize(("values", "why"), [
    ([f"{33000 + i:05d}" for i in range(50)], "five digits: postal and commune codes"),
    ([f"19{50 + i % 40:02d}{1 + i % 12:02d}{1 + i % 28:02d}" for i in range(50)], "compact dates"),
    ([f"{1_000_000 + i % 5:07d}" for i in range(50)], "shared by many rows"),
    ([f"{10 ** (3 + i % 5) + i}" for i in range(50)], "digits of many lengths"),
    ([f"{1_000_000 + i}" for i in range(8)], "too few values to say"),
])
def test_not_identifier_like(values, why):
    f = scan_table(pd.DataFrame({"X": values}), ner=False).findings[0]
    assert not f.identifier_like, why


# ---------------------------------------------------------------- the CAF extract: subjects and families

gen = pytest.importorskip("anonymizer.synth.generator")

# the spouse section of the extract (reference caf_extract_schema.md §3 D, libellés "... du conjoint")
SPOUSE = {"NIRCJ", "NOMCJ", "PRENOMCJ", "SEXECJ", "DTNAISCJ", "NATIOCJ", "ACTCJ", "CSPCJ", "RESSCJ_N2", "TAUXINCCJ"}
HOUSEHOLD = {"SITFAM", "NBPERS", "NBENF", "ISOLE", "GARDALT"} | {f"ENF{n}_GARDALT" for n in range(1, 6)}
PLACE = {"QPV", "CODCAF"}


@pytest.fixture(scope="module")
def caf():
    df, truth = gen.generate_extract(600, 16)
    return truth["columns"], {f.column: f for f in scan_table(df, ner=False).findings}


def test_caf_extract_subjects(caf):
    truth, found = caf
    children = {c for c in truth if c.startswith("ENF") and c[3].isdigit()}
    assert len(children) == 20 and set(truth) >= SPOUSE
    wrong = {c: f.subject for c, f in found.items()
             if f.subject != ("spouse" if c in SPOUSE else "children" if c in children else "person")}
    assert wrong == {}


def test_caf_extract_families(caf):
    truth, found = caf
    assert {c for c in HOUSEHOLD if found[c].family != "household"} == set()
    assert {c for c in PLACE if found[c].family != "place"} == set()
    assert all(f.family in FAMILIES for f in found.values() if f.family is not None)
    # every other column: its entity's family (the rules name a family only where it differs)
    other = {c: f for c, f in found.items() if c not in HOUSEHOLD | PLACE | {"NBPIECES", "SURFHAB", "NBCONTACT12M"}}
    assert {c for c, f in other.items() if f.entity and f.family != ENTITIES[f.entity].family} == set()


def test_caf_extract_kept_columns_are_not_identifier_like(caf):
    """The extract's direct identifiers look like identifiers (and an employer's SIRET, unique per
    row in 600 rows); nothing the training profile keeps does, so its strict plan goes through."""
    from anonymizer.detect.scan import ScanReport
    from anonymizer.policy import build_plan, propose_policy

    truth, found = caf
    flagged = {c for c, f in found.items() if f.identifier_like}
    assert {"NUMALLOC", "MATRICULE", "NIR", "NIRCJ", "NUMFISC"} <= flagged
    assert {c for c in flagged if truth[c]["role"] != "identifier"} <= {"SIRETEMP", "SIRETBAIL"}
    policy = propose_policy(ScanReport("caf.csv", 600, len(found), 600, list(found.values())), "training")
    kept = {c for c, e in policy["columns"].items() if e["action"] == "keep"}
    assert kept and kept & flagged == set()
    assert all(e.get("confidence", 1) >= 0.5 for c, e in policy["columns"].items() if c in kept)
    build_plan(list(found), policy)  # strict: no PolicyError


def test_scan_schema_lists_the_families():
    import json

    schema = json.loads(rules_path("schemas", "scan.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["finding"]["properties"]["family"]["enum"] == [*FAMILIES, None]


# ---------------------------------------------------------------- families found from the data


def _nationalities(rows: int = 600, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nat = rng.choice(["Française", "Algérienne", "Marocaine", "Portugaise"], rows, p=[0.7, 0.1, 0.1, 0.1])
    code = {"Française": "A1", "Algérienne": "B2", "Marocaine": "C3", "Portugaise": "D4"}
    return pd.DataFrame({"Nationalité": nat, "Xcod": [code[x] for x in nat], "Sexe": rng.choice(["H", "F"], rows),
                         "Zone": rng.choice(["A", "B"], rows)})


def test_a_column_no_rule_knows_joins_the_family_whose_values_determine_it():
    """Issue #16 item 2: "Xcod" re-encodes the nationality (A determines B); "Zone" does not."""
    found = {f.column: f for f in scan_table(_nationalities(), ner=False).findings}
    assert found["Xcod"].family == "nationality" and "follow 'Nationalité'" in found["Xcod"].evidence[-1]
    assert found["Zone"].family == "category"


def test_a_dependency_broken_on_a_few_percent_of_rows_is_no_family():
    df = _nationalities()
    df.loc[df.index[:30], "Xcod"] = "Z9"  # 5 % of the rows disagree: two facts, not one
    found = {f.column: f for f in scan_table(df, ner=False).findings}
    assert found["Xcod"].family == "category"
