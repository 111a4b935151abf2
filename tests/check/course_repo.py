"""A small course-material repository with real-looking leaks hidden in odd places, and clean files.

Identities are made with Faker (fr_FR, seeded) and NIRs carry a valid key computed by
python-stdnum, so the leaks look like the real thing to any detector. ``LEAKS`` lists the raw
values that must never appear in any report.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
from faker import Faker
from stdnum.fr import nir as stdnir

EXPECTED_FAIL = {
    "data/classeur.xlsx",          # the leak is on the second sheet
    "notebooks/tp1.ipynb",         # the leak is a df.head() saved in an output
    "data/mesures.csv",            # a column named x3 full of NIRs
    "data/suivi_dossiers.csv",     # phone numbers in a comment field
    "cours/seance1.qmd",           # a ```csv block in a Quarto file
}
EXPECTED_PASS = {
    "data/aggregat.csv",           # a frequency table, every count >= 11
    "data/communes.csv",           # no people at all
    "data/extrait_formation.csv",  # released by anon sanitize: fakes, its manifest, content checked
    "README.md",                   # a pipe table documenting columns
    "notebooks/clean.ipynb",       # an aggregated output
}
IGNORED = {"private/vraies_donnees.csv", "data/export.raw.csv", "fixtures/leak.csv"}


def make_nir(rng: random.Random, sex: int, year: int, month: int) -> str:
    dept = rng.choice(["33", "24", "47", "40", "75"])
    body = f"{sex}{year % 100:02d}{month:02d}{dept}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    return body + stdnir.calc_check_digits(body)


def make_phone(rng: random.Random) -> str:
    return f"0{rng.choice([6, 7])} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def people(n: int, seed: int) -> pd.DataFrame:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        sex = rng.choice([1, 2])
        year, month, day = rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28)
        rows.append({
            "NOM": fake.last_name().upper(),
            "PRENOM": fake.first_name_male() if sex == 1 else fake.first_name_female(),
            "NIR": make_nir(rng, sex, year, month),
            "DTNAIS": f"{day:02d}/{month:02d}/{year}",
            "SEXE": str(sex),
            "CODPOST": rng.choice(["33000", "33100", "33600", "24000", "47000"]),
            "TEL": make_phone(rng),
            "VILLE": rng.choice(["Bordeaux", "Pessac", "Mérignac", "Périgueux", "Agen"]),
        })
    return pd.DataFrame(rows)


def _notebook(cells: list[dict]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}},
                       "cells": cells}, indent=1, ensure_ascii=False)


def _output(df: pd.DataFrame, n: int) -> dict:
    return {"output_type": "execute_result", "execution_count": n, "metadata": {},
            "data": {"text/html": df.to_html().splitlines(True), "text/plain": repr(df).splitlines(True)}}


TEST_KEY = "2c7e0a94f1b85d36e9a0c4f7b2d18e53"


def sanitize_release(raw: Path, out: Path, *extra: str) -> Path:
    """Release ``raw`` with the real ``anon sanitize --profile training`` (fixed key): returns the
    manifest it wrote beside ``out``."""
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    out.parent.mkdir(parents=True, exist_ok=True)
    res = CliRunner().invoke(cli, ["sanitize", str(raw), "--profile", "training", "-o", str(out), "--no-report",
                                   "--force", *extra], env={"ANON_KEY": TEST_KEY})
    assert res.exit_code == 0, res.output
    manifest = Path(f"{out}.manifest.json")
    assert manifest.is_file()
    return manifest


def with_contact(df: pd.DataFrame) -> pd.DataFrame:
    """Add an e-mail column (a real-looking domain) so releases carry both of sanitize's marks."""
    out = df.copy()
    out["MAIL"] = [f"{p.lower()}.{n.lower()}@orange.fr".replace(" ", "") for p, n in zip(out["PRENOM"], out["NOM"],
                                                                                        strict=True)]
    return out


def build_course_repo(root: Path) -> list[str]:
    """Write the repository under ``root``; return the raw leaked values (for the masking tests)."""
    rng = random.Random(7)
    (root / ".git").mkdir(parents=True)
    for d in ("data", "notebooks", "cours", "private", "fixtures"):
        (root / d).mkdir()
    leaks: list[str] = []

    # --- leaks in odd places
    sheet2 = people(30, seed=1)[["NOM", "PRENOM", "NIR", "DTNAIS"]]
    synth = pd.DataFrame({"departement": ["33", "24", "47"], "nb_dossiers": ["1520", "340", "289"]})
    with pd.ExcelWriter(root / "data" / "classeur.xlsx", engine="openpyxl") as xw:
        synth.to_excel(xw, sheet_name="Synthese", index=False)
        sheet2.to_excel(xw, sheet_name="Feuil2", index=False)
    leaks += sheet2["NIR"].tolist() + (sheet2["PRENOM"] + " " + sheet2["NOM"]).tolist()

    head = people(5, seed=2)[["NOM", "PRENOM", "TEL", "VILLE"]]
    (root / "notebooks" / "tp1.ipynb").write_text(_notebook([
        {"cell_type": "markdown", "metadata": {}, "source": ["# TP 1 : lecture des données\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["import pandas as pd\n"], "outputs": []},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "source": ["df = pd.read_csv('extrait.csv')\n",
                                                                           "df.head()"],
         "outputs": [_output(head, 2)]},
    ]), encoding="utf-8")
    leaks += head["TEL"].tolist()

    mes = pd.DataFrame({
        "x1": [rng.choice(["A", "B", "C"]) for _ in range(50)],
        "x2": [f"{rng.randint(100, 900)},{rng.randint(0, 99):02d}" for _ in range(50)],
        "x3": [make_nir(rng, rng.choice([1, 2]), rng.randint(1950, 2000), rng.randint(1, 12)) for _ in range(50)],
    })
    mes.to_csv(root / "data" / "mesures.csv", sep=";", index=False)
    leaks += mes["x3"].tolist()

    phones = [make_phone(rng) for _ in range(40)]
    suivi = pd.DataFrame({
        "type_dossier": [rng.choice(["RSA", "AAH", "APL", "PAJE"]) for _ in range(40)],
        "statut": [rng.choice(["ouvert", "clos", "en attente"]) for _ in range(40)],
        "commentaire": [f"Allocataire injoignable, rappeler au {p} avant vendredi" if i % 3 else
                        "Pièces reçues, dossier complet" for i, p in enumerate(phones)],
    })
    suivi.to_csv(root / "data" / "suivi_dossiers.csv", index=False)
    leaks += [p for i, p in enumerate(phones) if i % 3]

    qmd_people = people(6, seed=3)[["NOM", "PRENOM", "DTNAIS", "VILLE"]]
    (root / "cours" / "seance1.qmd").write_text(
        "---\ntitle: Séance 1\n---\n\nVoici un extrait :\n\n```csv\n" + qmd_people.to_csv(index=False)
        + "```\n\n```{r}\nsummary(df)\n```\n", encoding="utf-8")
    leaks += qmd_people["DTNAIS"].tolist() + (qmd_people["NOM"]).tolist()

    # --- clean files
    agg = pd.DataFrame([{"departement": d, "tranche_age": a, "sexe": s, "nb_allocataires": str(rng.randint(11, 900))}
                        for d in ("33", "24", "47") for a in ("18-29", "30-44", "45-59", "60+") for s in ("F", "M")])
    agg.to_csv(root / "data" / "aggregat.csv", sep=";", index=False)

    communes = pd.DataFrame({
        "code_insee": ["33063", "33318", "33281", "24322", "47001", "40192"],
        "nom_commune": ["Bordeaux", "Pessac", "Mérignac", "Périgueux", "Agen", "Mont-de-Marsan"],
        "population": ["261804", "66760", "75223", "29538", "32485", "29807"],
        "superficie_km2": ["49,36", "38,82", "48,17", "9,82", "11,49", "36,61"],
    })
    communes.to_csv(root / "data" / "communes.csv", index=False)

    # a real release: anon sanitize's output and manifest (the raw extract stays outside the repository)
    fake_people = people(60, seed=4)
    formation = pd.DataFrame({"NOM": fake_people["NOM"], "PRENOM": fake_people["PRENOM"],
                              "TEL": fake_people["TEL"], "DEPT": fake_people["CODPOST"].str[:2]})
    raw = root.parent / f"{root.name}-raw" / "extrait_brut.csv"
    raw.parent.mkdir(exist_ok=True)
    formation.to_csv(raw, index=False)
    sanitize_release(raw, root / "data" / "extrait_formation.csv")

    (root / "README.md").write_text(
        "# Cours : données sociales\n\n| colonne | type | description |\n|---|---|---|\n"
        "| NIR | texte | numéro de sécurité sociale |\n| SEXE | code | 1 homme, 2 femme |\n"
        "| DTNAIS | date | date de naissance |\n\nLancez `anon check .` avant de publier.\n", encoding="utf-8")

    counts = agg.groupby("departement", as_index=False)["nb_allocataires"].agg(lambda s: str(sum(map(int, s))))
    (root / "notebooks" / "clean.ipynb").write_text(_notebook([
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["agg"], "outputs": [_output(counts, 1)]},
    ]), encoding="utf-8")

    # --- leaky files that must be skipped
    (root / ".gitignore").write_text("private/\n*.pyc\n", encoding="utf-8")
    (root / "data" / ".gitignore").write_text("*.raw.csv\n", encoding="utf-8")
    (root / ".anonignore").write_text("# fixtures reviewed by the DPO\nfixtures/\n", encoding="utf-8")
    for rel, seed in (("private/vraies_donnees.csv", 5), ("data/export.raw.csv", 6), ("fixtures/leak.csv", 8)):
        df = people(20, seed=seed)
        df.to_csv(root / rel, index=False)
        leaks += df["NIR"].tolist()
    return leaks
