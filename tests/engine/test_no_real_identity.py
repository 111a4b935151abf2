"""No fake is someone's real identity (issue #16 item 7), and no identifier glued to a name
survives (item 4).

A fake name, phone, e-mail, NIR, IBAN or file number is drawn from the same space as the real
ones, so it can be *another* row's real value: the fakes are re-drawn against the originals of
the whole table. Expected values are computed here, independently of the code: identities are
compared as sets of accent- and case-folded name words, identifiers without separators (phones
on their last nine digits), validity with stdnum, schwifty and the ARCEP fiction ranges.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from faker.providers.person.fr_FR import Provider as FakerPerson
from schwifty import IBAN
from stdnum.fr import nir

from anonymizer.engine.verify import LeakIndex
from anonymizer.policy.plan import ColumnStep, Plan
from anonymizer.transform.apply import apply_plan

KEY = bytes(range(32))
CIVILITIES = {"m", "mr", "mme", "mlle", "monsieur", "madame", "mademoiselle"}


def _plan(*steps: ColumnStep) -> Plan:
    return Plan(list(steps), [], {}, "test", True)


def identity(*parts: str) -> tuple[str, ...]:
    """A person's name as the sorted folded words of its parts, civilities aside."""
    words = []
    for p in parts:
        folded = unicodedata.normalize("NFKD", str(p)).encode("ascii", "ignore").decode().casefold()
        words += [w for w in re.findall(r"[a-z]+", folded) if w not in CIVILITIES]
    return tuple(sorted(words))


def row_identities(df: pd.DataFrame, firsts: list[str], lasts: list[str], fulls: list[str] = ()) -> list[set]:
    """Per row, every (first name, surname) pair its columns spell and every full name."""
    out = []
    for _, r in df.iterrows():
        ids = {identity(r[f], r[la]) for f in firsts for la in lasts if identity(r[f]) and identity(r[la])}
        ids |= {identity(r[c]) for c in fulls if len(identity(r[c])) >= 2}
        out.append(ids)
    return out


def released(df: pd.DataFrame, plan: Plan, **kw) -> pd.DataFrame:
    """What sanitize writes for these rows, with the leak index built from them (pass 1)."""
    index = LeakIndex(plan)
    index.add(df)
    return apply_plan(df, plan, key=KEY, avoid=index, **kw)


# ------------------------------------------------------------------ identifiers


def _digits9(v: str) -> str:
    return re.sub(r"\D", "", v)[-9:]


def _alnum(v: str) -> str:
    return re.sub(r"[\W_]", "", v).upper()


KINDS = {
    # entity: (an original value, the comparison form, what a valid fake of the kind looks like)
    "PHONE": ("06 12 34 56 78", _digits9, lambda v: v.startswith("06 39 98 ")),
    "EMAIL": ("jean.dupont@gmail.com", _alnum, lambda v: v.endswith("@example.fr")),
    "NIR": ("185017510012362", _alnum, nir.is_valid),
    "IBAN": ("FR7630003698707100934022911", _alnum, lambda v: IBAN(v).is_valid),
    "CAF_NUMBER": ("2922127", _alnum, lambda v: re.fullmatch(r"[1-9]\d{6}", v) is not None),
}


@pytest.mark.parametrize("entity", sorted(KINDS))
def test_a_fake_equal_to_another_rows_original_is_drawn_again(entity):
    value, form, valid = KINDS[entity]
    plan = _plan(ColumnStep("X", "identifier", entity, "fake"))
    first = apply_plan(pd.DataFrame({"X": [value]}), plan, key=KEY)["X"][0]
    df = pd.DataFrame({"X": [value, first]})  # row 1's real value is row 0's first draw
    assert apply_plan(df, plan, key=KEY)["X"][0] == first  # without the index, it would be released
    stats: dict = {}
    out = released(df, plan, stats=stats)["X"]
    originals = {form(v) for v in df["X"]}
    assert form(out[0]) not in originals and form(out[1]) not in originals
    assert valid(out[0]) and stats == {}  # re-drawn as a valid fake of its kind, not suppressed


# ------------------------------------------------------------------ names

NAMES = [ColumnStep("NOMFAM", "identifier", "LAST_NAME", "fake"),
         ColumnStep("PRENOM", "identifier", "FIRST_NAME", "fake"),
         ColumnStep("SEXE", "quasi_identifier", "SEX", "keep"),
         ColumnStep("NOMCJ", "identifier", "LAST_NAME", "fake"),
         ColumnStep("PRENOMCJ", "identifier", "FIRST_NAME", "fake"),
         ColumnStep("SEXECJ", "quasi_identifier", "SEX", "keep"),
         ColumnStep("ENF1_PRENOM", "identifier", "FIRST_NAME", "fake"),
         ColumnStep("ENF1_SEXE", "quasi_identifier", "SEX", "keep")]
FIRSTS, LASTS = ["PRENOM", "PRENOMCJ", "ENF1_PRENOM"], ["NOMFAM", "NOMCJ"]


def test_a_fake_full_name_equal_to_another_rows_name_is_drawn_again():
    plan = _plan(ColumnStep("REFERENT", "identifier", "PERSON", "fake"))
    first = apply_plan(pd.DataFrame({"REFERENT": ["M. Jean DUPONT"]}), plan, key=KEY)["REFERENT"][0]
    words = first.split()  # "M. Prénom NOM": row 1 holds that person written "NOM Prénom"
    df = pd.DataFrame({"REFERENT": ["M. Jean DUPONT", f"{words[-1]} {' '.join(words[1:-1])}"]})
    assert identity(apply_plan(df, plan, key=KEY)["REFERENT"][0]) == identity(df["REFERENT"][1])
    out = released(df, plan)["REFERENT"]
    originals = {identity(v) for v in df["REFERENT"]}
    assert identity(out[0]) not in originals and identity(out[1]) not in originals
    assert out[0].startswith("M. ") and out[0] == released(df, plan)["REFERENT"][0]  # deterministic


def _family(**kw) -> dict:
    row = {"NOMFAM": "DUPONT", "PRENOM": "Jean", "SEXE": "1", "NOMCJ": "LEROY", "PRENOMCJ": "Marie",
           "SEXECJ": "2", "ENF1_PRENOM": "Lucas", "ENF1_SEXE": "1",
           "COMMENT": "Appel de M. Jean DUPONT avec Marie LEROY et Lucas DUPONT."}
    return {**row, **kw}


def test_a_rows_fake_first_name_and_surname_that_spell_a_real_person_are_drawn_again_text_included():
    plan = _plan(*NAMES, ColumnStep("COMMENT", "free_text", "FREE_TEXT", "redact", {"ner": False}))
    f = apply_plan(pd.DataFrame([_family()]), plan, key=KEY).iloc[0]  # row 0's first draws
    # other beneficiaries really are row 0's fake allocataire, spouse and child
    df = pd.DataFrame([_family(),
                       _family(NOMFAM=f.NOMFAM, PRENOM=f.PRENOM, NOMCJ="", PRENOMCJ="", ENF1_PRENOM="", COMMENT=""),
                       _family(NOMFAM=f.NOMCJ, PRENOM=f.PRENOMCJ, SEXE="2", NOMCJ="", PRENOMCJ="", ENF1_PRENOM="",
                               COMMENT=""),
                       _family(NOMFAM=f.NOMFAM, PRENOM=f.ENF1_PRENOM, NOMCJ="", PRENOMCJ="", ENF1_PRENOM="",
                               COMMENT="")])
    originals = set().union(*row_identities(df, FIRSTS, LASTS))
    before = row_identities(apply_plan(df, plan, key=KEY), FIRSTS, LASTS)[0]
    assert len(before & originals) == 3  # the first draws spell three real people
    out = released(df, plan)
    for ids in row_identities(out, FIRSTS, LASTS):
        assert not ids & originals
    r = out.iloc[0]
    assert r.NOMFAM == f.NOMFAM and r.NOMCJ == f.NOMCJ  # surnames first: the first names were re-drawn
    # the comment names the row's people as its columns now do, never by a first draw
    expected = f"Appel de M. {r.PRENOM} {r.NOMFAM} avec {r.PRENOMCJ} {r.NOMCJ} et {r.ENF1_PRENOM} {r.NOMFAM}."
    assert r.COMMENT.casefold() == expected.casefold()


def test_when_every_single_first_name_is_taken_a_compound_one_is_drawn():
    plan = _plan(*NAMES[:3])
    fake_surname = apply_plan(pd.DataFrame([_family()])[["NOMFAM", "PRENOM", "SEXE"]], plan, key=KEY)["NOMFAM"][0]
    pool = list(dict.fromkeys(FakerPerson.first_names_male + FakerPerson.first_names_female))
    # beside the fake surname of DUPONT, every first name of the lists is a real person's
    df = pd.DataFrame({"NOMFAM": ["DUPONT"] + [fake_surname] * len(pool), "PRENOM": ["Jean"] + pool,
                       "SEXE": ["1"] * (1 + len(pool))})
    originals = set().union(*row_identities(df, ["PRENOM"], ["NOMFAM"]))
    stats: dict = {}
    out = released(df, plan, stats=stats)
    assert out["NOMFAM"][0] == fake_surname and stats == {}
    first = out["PRENOM"][0]
    assert "-" in first and identity(first, fake_surname) not in originals
    assert all(fold in {identity(n)[0] for n in FakerPerson.first_names_male} for fold in identity(first))


# ------------------------------------------------------------------ an Excel-style table (issue #16)

HEADERS = {"Civilité": ("quasi_identifier", "CIVILITY", "keep"), "Nom": ("identifier", "LAST_NAME", "fake"),
           "Nom d'usage": ("identifier", "LAST_NAME", "fake"), "Prénom": ("identifier", "FIRST_NAME", "fake"),
           "Sexe": ("quasi_identifier", "SEX", "keep"), "Né(e) le": ("quasi_identifier", "BIRTH_DATE", "keep"),
           "CP": ("quasi_identifier", "POSTAL_CODE", "keep"),
           "Nom du conjoint": ("identifier", "LAST_NAME", "fake"),
           "Prénom du conjoint": ("identifier", "FIRST_NAME", "fake"),
           "Prénom enfant 1": ("identifier", "FIRST_NAME", "fake"),
           "Référent": ("identifier", "PERSON", "fake"), "Téléphone": ("identifier", "PHONE", "fake"),
           "Commentaire": ("free_text", "FREE_TEXT", "redact")}
X_FIRSTS, X_LASTS = ["Prénom", "Prénom du conjoint", "Prénom enfant 1"], ["Nom", "Nom d'usage", "Nom du conjoint"]


def excel_table(n: int = 2000) -> pd.DataFrame:
    """Beneficiaries named from the same lists the fakes are drawn from (common French names), so
    a first draw often spells somebody else's name; two rows carry identifiers glued to a name."""
    rnd = random.Random(16)
    male, female, last = FakerPerson.first_names_male, FakerPerson.first_names_female, FakerPerson.last_names
    rows = []
    for _ in range(n):
        sex = rnd.choice("12")
        nom, prenom = rnd.choice(last), rnd.choice(male if sex == "1" else female)
        couple = rnd.random() < 0.5
        civ = "M." if sex == "1" else "Mme"
        rows.append({
            "Civilité": civ, "Nom": nom.upper(), "Nom d'usage": rnd.choice(last).upper() if rnd.random() < 0.2 else "",
            "Prénom": prenom, "Sexe": sex, "Né(e) le": f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/19"
                                                     f"{rnd.randint(40, 99)}",
            "CP": rnd.choice(["33000", "33100", "69003", "75011", "13005"]),
            "Nom du conjoint": rnd.choice(last).upper() if couple else "",
            "Prénom du conjoint": rnd.choice(female if sex == "1" else male) if couple else "",
            "Prénom enfant 1": rnd.choice(male + female) if rnd.random() < 0.6 else "",
            "Référent": f"{rnd.choice(male + female)} {rnd.choice(last).upper()}",
            "Téléphone": f"06 {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}",
            "Commentaire": f"Appel de {civ} {prenom} {nom.upper()} le {rnd.randint(1, 28):02d}/0{rnd.randint(1, 9)}.",
        })
    rows[7]["Nom"], rows[7]["Commentaire"] = "Durand 185017510012362", ""
    rows[8]["Prénom"], rows[8]["Commentaire"] = "Nicolas 0600000000", ""
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_excel_style_table_releases_no_real_identity_and_no_glued_identifier(run_cli, tmp_path: Path):
    df = excel_table()
    src = tmp_path / "beneficiaires.csv"
    src.write_bytes(df.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))
    columns = {c: {"role": r, "entity": e, "action": a} for c, (r, e, a) in HEADERS.items()}
    columns["Commentaire"]["params"] = {"ner": False}
    policy = {"version": 1, "profile": "training", "strict": True,
              "privacy": {"k": 2, "max_suppression": 0.5, "quasi_identifiers": ["Sexe", "CP"]},
              "columns": columns}
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    plan = _plan(*(ColumnStep(c, r, e, a, columns[c].get("params", {})) for c, (r, e, a) in HEADERS.items()))
    originals = set().union(*row_identities(df, X_FIRSTS, X_LASTS, ["Référent"]))
    # the premise: the first draws (the release before re-draws existed) spell real people
    before = apply_plan(df, plan, key=KEY)
    first_draws = row_identities(before, X_FIRSTS, X_LASTS, ["Référent"])
    assert sum(bool(ids & originals) for ids in first_draws) > 100

    out = tmp_path / "publie.csv"
    result = run_cli("sanitize", src, "--policy", tmp_path / "policy.yaml", "-o", out, "--no-rescan",
                     env={"ANON_KEY": KEY.hex()})
    assert result.exit_code == 0, result.output
    assert json.loads(Path(f"{out}.manifest.json").read_text())["released"] is True
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    assert len(got) == len(df)
    for ids in row_identities(got, X_FIRSTS, X_LASTS, ["Référent"]):
        assert not ids & originals
    # the comment names the row's person as the columns now do (where the first draws did: a
    # fake that equals another original name of the row is replaced again, an older matter), or
    # by the neutral tag when the new fake is one of the row's original names
    def agree(r) -> bool:
        return f"{r['Prénom']} {r['Nom']}".casefold() in r["Commentaire"].casefold()

    agreed = [i for i, r in before.iterrows() if r["Commentaire"] and agree(r)]
    assert len(agreed) > 0.95 * len(df)
    redrawn = [i for i in agreed if got["Prénom"][i] != before["Prénom"][i]]
    assert len(redrawn) > 100
    assert all(agree(got.iloc[i]) or "[NOM]" in got["Commentaire"][i] for i in agreed)
    assert sum("[NOM]" in got["Commentaire"][i] for i in redrawn) < 0.05 * len(redrawn)
    # the identifiers glued to names: in no file written, whole, as digits, or spaced
    blob = "\n".join(p.read_text(encoding="cp1252", errors="replace") for p in tmp_path.iterdir()
                     if p.name.startswith("publie"))
    bare = re.sub(r"[\s.\-]", "", blob)
    for leaked in ("185017510012362", "0600000000"):
        assert leaked not in bare
    assert "Durand" not in got["Nom"][7] and "Nicolas" not in got["Prénom"][8]
    assert nir.is_valid(re.search(r"\d{15}", got["Nom"][7]).group(0))
    assert re.search(r"063998\d{4}", got["Prénom"][8])


def test_the_excel_table_holds_what_the_test_says():
    df = excel_table()
    assert len(df) == 2000 and list(df.columns) == list(HEADERS)
    # names from the fakes' own lists: many rows share an identity's words with others
    ids = list(itertools.chain.from_iterable(row_identities(df, X_FIRSTS, X_LASTS, ["Référent"])))
    assert len(ids) > 6000
