"""Fixtures of the fault corpus: a small extract and a reviewed policy that sanitize releases
in a few seconds (no free text: no spaCy model), a strong key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

KEY_HEX = "7c1f4be09a3d5e6821f0c9b4d7a2e58f3b61c0d9e4a7f2b85c3e1d0a9b6f4c27"

ROWS = 60


def extract_frame(rows: int = ROWS) -> pd.DataFrame:
    return pd.DataFrame({
        "NUMALLOC": [f"{1000000 + i * 7919 % 8999999:07d}" for i in range(rows)],
        "NOMFAM": [["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD"][i % 6] + chr(65 + i % 26)
                   for i in range(rows)],
        "SEXE": ["1" if i % 2 else "2" for i in range(rows)],
        "DTNAIS": [f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{60 + i % 30:02d}" for i in range(rows)],
        "CODPOST": [["33000", "33100", "33200", "33800", "33300", "33400"][i % 6] for i in range(rows)],
        "AAH_MT": [f"{(i * 37) % 900},{i % 100:02d}" for i in range(rows)],
    })


POLICY = {
    "version": 1, "profile": "training", "strict": True, "person_id": ["NUMALLOC"],
    "privacy": {"k": 5, "max_suppression": 0.2, "quasi_identifiers": ["DTNAIS", "SEXE", "CODPOST"],
                "sensitive": ["AAH_MT"]},
    "columns": {
        "NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
        "NOMFAM": {"role": "identifier", "entity": "LAST_NAME", "action": "fake"},
        "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
        "DTNAIS": {"role": "quasi_identifier", "entity": "BIRTH_DATE", "action": "keep"},
        "CODPOST": {"role": "quasi_identifier", "entity": "POSTAL_CODE", "action": "keep"},
        "AAH_MT": {"role": "sensitive", "entity": "AMOUNT", "action": "keep"},
    },
}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """extract.csv, policy.yaml and key (0600) in a fresh folder."""
    extract_frame().to_csv(tmp_path / "extract.csv", sep=";", index=False)
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    key = tmp_path / "key"
    key.write_text(KEY_HEX + "\n")
    key.chmod(0o600)
    return tmp_path
