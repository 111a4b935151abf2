"""XLSX formulas (issue #18 item 9): a formula cell is read as the value the spreadsheet stored
with it; one with no stored value (a workbook written by a script: openpyxl never calculates) is
data nobody can see, so every command refuses the workbook (exit 2) naming the sheet, the row and
the column, never a cell — instead of reading it as empty."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from anonymizer.errors import InputError
from anonymizer.io import iter_batches, read_table

SECRET = "Zorglub"  # a cell value that must never appear in a message


def _book(path: Path) -> Path:
    """A workbook written by openpyxl: a name, an amount and a formula over the amount."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Allocataires"
    ws.append(["nom", "montant", "double"])
    for i in range(3):
        ws.append([f"{SECRET}{i}", 10 + i, f"=B{i + 2}*2"])
    wb.save(path)
    return path


def _with_cache(src: Path, dst: Path) -> Path:
    """The same workbook as a spreadsheet application saves it: each formula with its computed
    value in <v>; C3's result stored as an empty text (t="str", empty <v>), as Excel does for ="" ."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                assert xml.count("<v />") == 3  # openpyxl's formula cells: an empty value
                xml = xml.replace('<c r="C2"><f>B2*2</f><v /></c>', '<c r="C2"><f>B2*2</f><v>20</v></c>')
                xml = xml.replace('<c r="C3"><f>B3*2</f><v /></c>', '<c r="C3" t="str"><f>B3*2</f><v></v></c>')
                xml = xml.replace('<c r="C4"><f>B4*2</f><v /></c>', '<c r="C4"><f>B4*2</f><v>24</v></c>')
                assert "<v />" not in xml
                data = xml.encode()
            zout.writestr(item, data)
    return dst


MESSAGE = re.compile(r"sheet 'Allocataires' row 2: 'double' holds a formula with no computed value stored")


def test_a_formula_without_a_stored_value_is_refused_by_the_readers(tmp_path):
    path = _book(tmp_path / "book.xlsx")
    with pytest.raises(InputError, match=MESSAGE.pattern) as err:
        read_table(path)
    assert SECRET not in str(err.value) and "B2" not in str(err.value)  # no cell, no formula
    _meta, batches = iter_batches(path, batch_rows=2)
    with pytest.raises(InputError, match=MESSAGE.pattern):
        list(batches)


def test_formulas_with_stored_values_are_read_as_those_values(tmp_path):
    path = _with_cache(_book(tmp_path / "raw.xlsx"), tmp_path / "book.xlsx")
    df = read_table(path).df
    assert df["double"].tolist() == ["20", "", "24"]
    assert df["nom"].tolist() == [f"{SECRET}{i}" for i in range(3)]
    _meta, batches = iter_batches(path, batch_rows=2)
    assert [b["double"].tolist() for b in batches] == [["20", ""], ["24"]]


def test_a_formula_in_the_header_is_refused(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["id", "=CONCAT(\"a\",\"b\")"])
    wb.active.append(["1", "2"])
    wb.save(tmp_path / "h.xlsx")
    with pytest.raises(InputError, match=r"sheet 'Sheet' header: 'column 2' holds a formula"):
        read_table(tmp_path / "h.xlsx")


@pytest.mark.parametrize("command", ["scan", "convert", "sanitize", "check"])
def test_every_command_refuses_it_in_one_line_and_writes_nothing(command, run_cli, tmp_path):
    src = _book(tmp_path / "book.xlsx")
    before = src.read_bytes()
    key = tmp_path / "key"
    key.write_text("0f" * 32 + "\n")
    key.chmod(0o600)
    out = tmp_path / "out"
    out.mkdir()
    args = {"scan": ["scan", src, "--no-ner"],
            "convert": ["convert", src, "-o", out / "book.csv"],
            "sanitize": ["sanitize", src, "--profile", "training", "--key-file", key, "--weak-key-ok",
                         "-o", out / "book.csv"],
            "check": ["check", src]}[command]
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "formula with no computed value" in line]
    assert lines, result.output
    assert SECRET not in result.output and "B2*2" not in result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []
    assert src.read_bytes() == before


def test_the_cached_workbook_converts_to_its_values(run_cli, tmp_path):
    src = _with_cache(_book(tmp_path / "raw.xlsx"), tmp_path / "book.xlsx")
    result = run_cli("convert", src, "-o", tmp_path / "book.csv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "book.csv").read_text().splitlines()
    assert lines[0] == "nom,montant,double"
    assert [line.split(",")[2] for line in lines[1:]] == ["20", "", "24"]
