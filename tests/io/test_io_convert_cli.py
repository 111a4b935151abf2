"""``anon convert`` end to end: exit codes, one stderr line per bad input, nothing written."""

from __future__ import annotations

import json

import pytest

CSV = "NIR;CP;MT\r\n185057512345678;01234;1,5\r\n2A0041234567890;2A004;\r\n".encode("cp1252")


def test_convert_csv_to_parquet_and_back_is_byte_identical(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_bytes(CSV)
    r = run_cli("convert", src, "-o", tmp_path / "t.parquet")
    assert r.exit_code == 0, r.output
    r = run_cli("convert", tmp_path / "t.parquet", "-o", tmp_path / "back.csv", "--delimiter", ";",
                "--encoding", "cp1252", "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["rows"] == 2 and summary["columns"] == 3 and summary["output"]["format"] == "csv"
    assert (tmp_path / "back.csv").read_bytes() == CSV.replace(b"\r\n", b"\n")


def test_convert_csv_to_csv_keeps_dialect(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_bytes(CSV)
    r = run_cli("convert", src, "-o", tmp_path / "copy.csv", "--batch-rows", "1")
    assert r.exit_code == 0
    assert (tmp_path / "copy.csv").read_bytes() == CSV


BAD = [
    ("missing.csv", None, "no such file"),
    ("empty.csv", b"", "empty file"),
    ("ragged.csv", b"a;b\n1;2;3\n", "line 2 has 3 fields"),
    ("dupe.csv", b"a;a\n1;2\n", "columns 1 and 2 of the header have the same name"),
    ("garbage.csv", bytes(range(256)), "binary content"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exit_2_one_line_nothing_written(tmp_path, run_cli, name, data, expected):
    src = tmp_path / name
    if data is not None:
        src.write_bytes(data)
    out = tmp_path / "out.csv"
    r = run_cli("convert", src, "-o", out)
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("anon: error: ") and expected in lines[0]
    assert "Traceback" not in r.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".anon-tmp-")] == []


def test_refuses_input_as_output_and_existing_output(tmp_path, run_cli):
    src = tmp_path / "in.csv"
    src.write_bytes(CSV)
    r = run_cli("convert", src, "-o", src, "--force")
    assert r.exit_code == 2 and "refusing to overwrite the input" in r.stderr
    assert src.read_bytes() == CSV
    out = tmp_path / "o.csv"
    out.write_text("keep")
    r = run_cli("convert", src, "-o", out)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert out.read_text() == "keep"
    assert run_cli("convert", src, "-o", out, "--force").exit_code == 0
    assert out.read_bytes() == CSV


def test_help_has_examples(run_cli):
    r = run_cli("convert", "--help")
    assert r.exit_code == 0 and "Examples:" in r.output and "--to" in r.output


def test_dtype_option_types_parquet_columns(tmp_path, run_cli):
    import pyarrow.parquet as pq

    src = tmp_path / "in.csv"
    src.write_bytes(b"NBENF;CP\n3;01234\n;2A004\n")
    r = run_cli("convert", src, "-o", tmp_path / "t.parquet", "--dtype", "NBENF=int64")
    assert r.exit_code == 0, r.output
    t = pq.read_table(tmp_path / "t.parquet")
    assert str(t.schema.field("NBENF").type) == "int64" and t.column("NBENF").to_pylist() == [3, None]
    assert t.column("CP").to_pylist() == ["01234", "2A004"]
    r = run_cli("convert", src, "-o", tmp_path / "u.parquet", "--dtype", "CP=int64")
    assert r.exit_code == 2 and "column 'CP' cannot be read as int64" in r.stderr
    assert not (tmp_path / "u.parquet").exists()
