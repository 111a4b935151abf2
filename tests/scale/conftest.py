"""A hand-made extract with a hand-written policy, written as CSV, Parquet and a folder of Parquet parts.

The rows cover the tricky cases for partitioning: quoted fields holding the delimiter,
doubled quotes and newlines (a CSV split at a raw newline would cut them), blank cells,
accents in cp1252, and quasi-identifier classes that straddle partitions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from stdnum.fr import nir as stdnir

KEY = b"Zq8#kP2$vL9@wX4!mR7&tY1^nB5*cH3%"  # raw (not hex): the same 32 bytes through the API and ANON_KEY
ROWS = 600


def _nir(sex: str, yy: str, mm: str, order: int) -> str:
    body = f"{sex}{yy}{mm}33063{order % 1000:03d}"
    return body + stdnir.calc_check_digits(body)


def make_frame(n: int = ROWS) -> pd.DataFrame:
    rows = []
    names = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU"]
    for i in range(n):
        sex = "1" if i % 2 else "2"
        rows.append({
            "NUMALLOC": f"{1000000 + (i * 7919) % 8999999:07d}",
            "NIR": _nir(sex, f"{60 + i % 30:02d}", f"{1 + i % 12:02d}", i),
            "NOMFAM": names[i % 10] + ("" if i % 7 else "-LÉGER"),
            "PRENOM": ["Marie", "Jean", "Sophie", "Pierre", "Julie", "Luc", "Élodie"][i % 7],
            "SEXE": sex,
            "DTNAIS": f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{60 + i % 30:02d}",
            "CODPOST": ["33000", "33100", "33200", "33800", "33300", "33400", ""][i % 7],
            "TELPORT": f"06 {10 + i % 90:02d} {i // 100 % 100:02d} 56 {i % 100:02d}",
            "AAH_MT": f"{(i * 37) % 900},{i % 100:02d}",
            "COMMENT": ["", "RAS", f"rappeler au 06 {10 + i % 90:02d} 00 00 00", "vu"][i % 4],
            "NOTE": ["", "RAS", 'dit "oui"; suite', "ligne 1\nligne 2, suite", "pièce; manquante"][i % 5],
        })
    return pd.DataFrame(rows)


POLICY = {
    "version": 1,
    "profile": "training",
    "strict": True,
    "person_id": ["NUMALLOC"],
    "privacy": {"k": 5, "max_suppression": 0.2, "quasi_identifiers": ["DTNAIS", "SEXE", "CODPOST"],
                "sensitive": ["AAH_MT"]},
    "columns": {
        "NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
        "NIR": {"role": "identifier", "entity": "NIR", "action": "fake"},
        "NOMFAM": {"role": "identifier", "entity": "LAST_NAME", "action": "fake"},
        "PRENOM": {"role": "identifier", "entity": "FIRST_NAME", "action": "fake"},
        "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
        "DTNAIS": {"role": "quasi_identifier", "entity": "BIRTH_DATE", "action": "keep"},
        "CODPOST": {"role": "quasi_identifier", "entity": "POSTAL_CODE", "action": "keep"},
        "TELPORT": {"role": "identifier", "entity": "PHONE", "action": "fake"},
        "AAH_MT": {"role": "sensitive", "entity": "AMOUNT", "action": "keep"},
        # free text is dropped: redacting it would load spaCy in every worker (20 s each here);
        # NOTE carries the CSV traps (quotes, ';', newlines) through to the output instead
        "COMMENT": {"role": "free_text", "entity": "FREE_TEXT", "action": "drop"},
        "NOTE": {"role": "insensitive", "entity": None, "action": "keep"},
    },
}


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="session")
def inputs(tmp_path_factory, frame) -> dict[str, Path]:
    """The same rows as a cp1252 ';' CSV, one Parquet file, and a folder of three Parquet parts."""
    from anonymizer.io import write_table

    d = tmp_path_factory.mktemp("inputs")
    csv = d / "extract.csv"
    csv.write_bytes(frame.to_csv(sep=";", index=False).encode("cp1252"))
    pq = d / "extract.parquet"
    write_table(frame, pq)
    folder = d / "parts"
    folder.mkdir()
    cuts = [0, 180, 390, len(frame)]
    for i in range(3):
        write_table(frame.iloc[cuts[i]: cuts[i + 1]].reset_index(drop=True), folder / f"p{i}.parquet")
    policy = d / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    return {"csv": csv, "parquet": pq, "folder": folder, "policy": policy}
