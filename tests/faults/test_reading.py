"""Reading (issue #18 item 9): a quoted line break in a header stays in the name, a file mixing
UTF-8 and cp1252 is refused with the line of its first non-UTF-8 byte, a 5 MB cell is read."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ANON = [sys.executable, "-m", "anonymizer"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(ANON + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_quoted_line_break_in_a_header_is_part_of_the_name(tmp_path):
    (tmp_path / "in.csv").write_text('"nom\nfamille";age\nMARTIN;30\nDURAND;40\n', encoding="utf-8")
    res = _run(["convert", "in.csv", "-o", "out.csv"], tmp_path)
    assert res.returncode == 0, res.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows == [["nom\nfamille", "age"], ["MARTIN", "30"], ["DURAND", "40"]]


def test_mixed_utf8_and_cp1252_is_refused_with_the_line_of_the_first_bad_byte(tmp_path):
    raw = b"nom;ville\n" + "Zoé;Paris\n".encode() * 3 + "Loïc;Sète\n".encode("cp1252") + b"Ana;Lyon\n"
    (tmp_path / "in.csv").write_bytes(raw)
    for args in (["convert", "in.csv", "-o", "out.csv"], ["scan", "in.csv", "--no-ner"]):
        res = _run(args, tmp_path)
        assert res.returncode == 2, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "line 5" in lines[0] and "UTF-8" in lines[0], res.stderr
        assert "Loïc" not in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out.csv").exists()


def test_a_cp1252_only_file_is_still_read(tmp_path):
    (tmp_path / "in.csv").write_bytes("nom;ville\nLoïc;Sète\nZoé;Besançon\n".encode("cp1252"))
    res = _run(["convert", "in.csv", "-o", "out.csv"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out.csv").read_bytes().decode("cp1252").splitlines()[2] == "Zoé;Besançon"


def test_a_five_megabyte_cell_is_read(tmp_path):
    big = "a" * 5_000_000
    quoted = "x" * 2_600_000 + "\n" + "y" * 2_600_000  # with a line break: the safe (quoted) path
    rows = "".join(f"{i};v{i}\n" for i in range(50_000))
    (tmp_path / "in.csv").write_text(f"id;txt\n{rows}1;{big}\n2;\"{quoted}\"\n3;b\n", encoding="utf-8")
    res = _run(["convert", "in.csv", "-o", "out.csv"], tmp_path)
    assert res.returncode == 0, res.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        csv.field_size_limit(10_000_000)
        got = list(csv.reader(fh, delimiter=";"))
    assert len(got) == 1 + 50_000 + 3
    assert got[50_001] == ["1", big] and got[50_002] == ["2", quoted] and got[50_003] == ["3", "b"]
