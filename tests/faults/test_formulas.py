"""CSV injection: sanitize's CSV output disarms formula cells by default (after its transforms),
keeps them with --keep-formulas; scan and check report them in inputs. The output is read back
with the csv module, independently of anon's reader."""

from __future__ import annotations

import csv
import json

import pandas as pd
import yaml

from conftest import KEY_HEX, POLICY, extract_frame

ATTACKS = ['=HYPERLINK("http://evil.invalid","clic")', "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+A1+A2", "-A1"]


def _planted(folder):
    df = extract_frame()
    df.loc[:4, "NOMFAM"] = ATTACKS            # faked: the fakes of these names keep their first character
    df["NOTE"] = ["=2+3" if i % 3 == 0 else "ok" for i in range(len(df))]   # kept as it is
    df.loc[:3, "AAH_MT"] = ["-12,5", "-1 234,50", "=1+1", "+5"]  # negative amounts are numbers
    df.to_csv(folder / "formula.csv", sep=";", index=False)
    policy = {**POLICY, "columns": {**POLICY["columns"],
                                    "NOTE": {"role": "insensitive", "entity": None, "action": "keep",
                                             "reviewed": True}}}
    (folder / "fpolicy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    return df


def _cells(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _starts_like_formula(cell: str) -> bool:
    """A spreadsheet runs it: =, @, tab, CR first, or a sign not followed by a digit (this table's numbers)."""
    return cell[:1] in ("=", "@", "\t", "\r") or (cell[:1] in "+-" and cell[:1] != "" and not cell[1:2].isdigit())


def test_sanitize_disarms_formula_cells_by_default(run_cli, workdir):
    df = _planted(workdir)
    out = workdir / "safe.csv"
    r = run_cli("sanitize", workdir / "formula.csv", "--policy", workdir / "fpolicy.yaml", "-o", out, "--no-rescan",
                env={"ANON_KEY": KEY_HEX})
    assert r.exit_code == 0, r.output
    rows = _cells(out)
    cells = [v for row in rows for v in row.values()]
    assert not [c for c in cells if _starts_like_formula(c)]
    assert [row["NOTE"] for row in rows] == [("'=2+3" if v == "=2+3" else v) for v in df["NOTE"]]
    assert [row["AAH_MT"] for row in rows][:4] == ["-12,5", "-1 234,50", "'=1+1", "+5"]
    assert sum(row["NOMFAM"].startswith("'") for row in rows) == 5  # the fakes of the five planted names
    manifest = json.loads((workdir / "safe.csv.manifest.json").read_text())
    assert manifest["columns"]["NOTE"]["formulas_neutralised"] == 20
    assert manifest["columns"]["AAH_MT"]["formulas_neutralised"] == 1
    assert manifest["columns"]["NOMFAM"]["formulas_neutralised"] == 5


def test_keep_formulas_keeps_them(run_cli, workdir):
    df = _planted(workdir)
    out = workdir / "safe.csv"
    r = run_cli("sanitize", workdir / "formula.csv", "--policy", workdir / "fpolicy.yaml", "-o", out, "--no-rescan",
                "--keep-formulas", env={"ANON_KEY": KEY_HEX})
    assert r.exit_code == 0, r.output
    assert [row["NOTE"] for row in _cells(out)] == df["NOTE"].tolist()
    manifest = json.loads((workdir / "safe.csv.manifest.json").read_text())
    assert not any("formulas_neutralised" in c for c in manifest["columns"].values())


def test_scan_and_check_report_formula_cells(run_cli, workdir):
    _planted(workdir)
    r = run_cli("scan", workdir / "formula.csv", "--no-ner", "--format", "json")
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    by_col = {f["column"]: f["stats"].get("formula_cells", 0) for f in report["findings"]}
    assert by_col["NOTE"] == 20 and by_col["AAH_MT"] == 1 and by_col["SEXE"] == 0
    assert report["summary"]["formula_cells"] == sum(by_col.values())
    c = run_cli("check", workdir / "formula.csv", "--no-ner", "--format", "json", "--no-cache")
    found = [f for fr in json.loads(c.stdout)["files"] for f in fr["findings"] if f["rule"] == "formula-cells"]
    assert {f["column"] for f in found} >= {"NOTE", "AAH_MT"}
    assert not any("=2+3" in json.dumps(f) for f in found)  # never a raw cell


def test_a_sanitized_csv_passes_the_formula_rule(run_cli, workdir):
    _planted(workdir)
    out = workdir / "safe.csv"
    assert run_cli("sanitize", workdir / "formula.csv", "--policy", workdir / "fpolicy.yaml", "-o", out,
                   "--no-rescan", env={"ANON_KEY": KEY_HEX}).exit_code == 0
    frame = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    from anonymizer.values.formulas import formula_mask

    assert not any(formula_mask(frame[c].astype("str")).any() for c in frame.columns)
