"""The main job on the fictitious extract: scan, propose, sanitize with --profile training.

Checked independently of the engine: every original value of every identifier column of
the generator's ground truth (7 characters or more, i.e. not a house number) is searched
for in the raw bytes of every file sanitize wrote, and the manifest's digest is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from anonymizer.synth import generate_extract

KEY = "9d2f71c0b84e3a65f1e8c27d40b9a356"


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    df, truth = generate_extract(1500, seed=7)
    path = tmp_path_factory.mktemp("e2e") / "extract.csv"
    path.write_bytes(df.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))
    return path, df, truth


@pytest.mark.slow
def test_training_profile_releases_a_file_without_any_original_identifier(extract, run_cli):
    path, df, truth = extract
    out = path.with_name("training.csv")
    result = run_cli("sanitize", path, "--profile", "training", "-o", out, env={"ANON_KEY": KEY})
    assert result.exit_code == 0, result.output
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["released"] is True
    assert manifest["output"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["privacy"]["reached"]["k"] == 5

    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    identifiers = {c: info["entity"] for c, info in truth["columns"].items() if info["role"] == "identifier"}
    assert len(identifiers) == 29
    free_text = [c for c, info in truth["columns"].items() if info["role"] == "free_text"]

    def norm(v: str) -> str:
        return re.sub(r"[\s.\-]", "", str(v)).upper()

    # values that point at one person: searched as whole cells and as tokens of free text,
    # in every output file (table, manifest, risk reports)
    cells = {norm(v) for col in got.columns for v in got[col].unique()}
    blobs = "\n".join(p.read_text(encoding="cp1252", errors="replace") for p in path.parent.iterdir()
                      if p.name.startswith("training"))
    cells |= {norm(t) for t in re.findall(r"[\w.+-]+@[\w.-]+|\+?\d[\d .]{5,}\d|\b\w{7,}\b", blobs)}
    leaks = []
    for col, entity in identifiers.items():
        if entity in {"NIR", "IBAN", "PHONE", "EMAIL", "FR_TAX_ID", "CAF_NUMBER", "CAF_MATRICULE", "RECORD_ID"}:
            originals = {norm(v) for v in df[col].unique() if len(norm(v)) >= 7}
            if originals & cells:
                leaks.append(col)
    assert leaks == [], f"original identifier values survive in: {leaks}"
    # names and address parts: never kept in their own row, nor in the row's free text
    for col, entity in identifiers.items():
        if entity not in {"LAST_NAME", "FIRST_NAME", "PERSON", "STREET_NAME"}:
            continue
        orig, new = df[col].str.upper(), got[col].str.upper()
        same = (orig != "") & (orig == new)
        assert not same.any(), f"{col}: {int(same.sum())} row(s) keep their original value"
        if entity == "LAST_NAME":
            for tcol in free_text:
                hits = sum(
                    1 for name, text in zip(orig, got[tcol].str.upper(), strict=True)
                    if len(name) >= 3 and text and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
                )
                assert hits == 0, f"{hits} row(s) of {tcol} still hold their own {col}"

    assert list(got.columns) == list(df.columns), "training keeps every column"
    qi = manifest["privacy"]["quasi_identifiers"]
    suppressed = (got[qi] == "*").all(axis=1)
    assert got[~suppressed].groupby(qi).size().min() >= 5
    assert suppressed.mean() <= 0.05
