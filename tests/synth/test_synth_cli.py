"""``anon generate`` end to end: the file re-read with the plain csv module in cp1252."""

from __future__ import annotations

import csv
import json

import pandas as pd


def test_generate_csv_end_to_end(run_cli, tmp_path):
    out = tmp_path / "x.csv"
    res = run_cli("generate", "--rows", "300", "--seed", "5", "-o", out)
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    assert b"\r\n" in raw
    with open(out, encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert len(rows) == 301 and all(len(r) == 181 for r in rows)
    assert rows[0][:3] == ["NUMLIGNE", "CODCAF", "NUMALLOC"]
    truth = json.loads((tmp_path / "x.csv.truth.json").read_text(encoding="utf-8"))
    assert truth["schema_version"] == 1 and list(truth["columns"]) == rows[0]
    # the written text is exactly the generator's text
    from anonymizer.synth import generate_extract

    df, _ = generate_extract(300, 5)
    assert rows[1:] == df.values.tolist()
    # free-text offsets hold in the file as re-read
    col = rows[0].index("COMMENT_GEST")
    for r, s, e, _ent in truth["free_text"]["COMMENT_GEST"][:50]:
        assert rows[1 + r][col][s:e]


def test_generate_refuses_existing_output_then_force(run_cli, tmp_path):
    out = tmp_path / "y.csv"
    assert run_cli("generate", "--rows", "30", "-o", out).exit_code == 0
    before = out.read_bytes()
    res = run_cli("generate", "--rows", "40", "-o", out)
    assert res.exit_code == 2 and "already exists" in res.output
    assert out.read_bytes() == before
    res = run_cli("generate", "--rows", "40", "-o", out, "--force")
    assert res.exit_code == 0
    assert out.read_bytes().count(b"\r\n") == 41


def test_generate_parquet_and_json_summary(run_cli, tmp_path):
    out = tmp_path / "z.parquet"
    truth = tmp_path / "t.json"
    res = run_cli("generate", "--rows", "120", "-o", out, "--truth", truth, "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows"] == 120 and summary["columns"] == 181
    back = pd.read_parquet(out)
    assert back.shape == (120, 181) and back["NIR"].str.len().max() <= 15
    assert truth.exists()


def test_generate_help_has_examples(run_cli):
    res = run_cli("generate", "--help")
    assert res.exit_code == 0 and "Examples" in res.output and "--rows" in res.output


def test_generate_unknown_departement_is_one_line(run_cli, tmp_path):
    res = run_cli("generate", "--rows", "10", "--departement", "99", "-o", tmp_path / "q.csv")
    assert res.exit_code == 2 and res.output.count("\n") == 1
    assert not (tmp_path / "q.csv").exists()


def test_generate_jsonl_and_xlsx(run_cli, tmp_path):
    for ext in ("jsonl", "xlsx"):
        out = tmp_path / f"w.{ext}"
        res = run_cli("generate", "--rows", "50", "-o", out)
        assert res.exit_code == 0, res.output
        back = pd.read_json(out, lines=True, dtype=False) if ext == "jsonl" else pd.read_excel(out, dtype=str)
        assert back.shape == (50, 181)
