"""Parquet / XLSX / JSONL / SAS / Stata / SPSS: fixtures made here with the libraries themselves."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest

from anonymizer.errors import UsageError
from anonymizer.io import detect_format, iter_batches, list_sheets, read_table, write_table

NIRS = ["185057512345678", "2A0041234567890", ""]


def test_parquet_file_folder_and_glob(tmp_path):
    t1 = pa.table({"NIR": NIRS[:2], "AGE": [34, 5]})
    t2 = pa.table({"NIR": ["299999999999999"], "AGE": [71]})
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(t1, folder / "part-0.parquet")
    pq.write_table(t2, folder / "part-1.parquet")
    whole = read_table(folder).df
    assert whole["NIR"].tolist() == NIRS[:2] + ["299999999999999"]
    assert whole["AGE"].dtype == np.int64  # typed formats keep their dtypes
    assert read_table(str(folder / "part-*.parquet")).df["AGE"].tolist() == [34, 5, 71]
    assert detect_format(str(folder / "*.parquet")) == "parquet"
    meta, batches = iter_batches(folder, batch_rows=2)
    assert [len(b) for b in batches] == [2, 1]
    out = write_table(whole, tmp_path / "all.parquet", like=meta)
    assert pq.read_table(out).to_pandas()["AGE"].tolist() == [34, 5, 71]


def test_xlsx_numbers_stored_by_excel_render_without_float_artefacts(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Allocataires"
    ws.append(["NIR", "CODPOS", "NBENF", "MT", "DTNAIS", "NOTE"])
    ws.append([185057512345678, "01234", 3.0, 123.45, dt.datetime(1985, 3, 15), "=1+1"])
    ws.append([None, "2A004", 0, 0.1 + 0.2, None, None])
    ws2 = wb.create_sheet("Autre")
    ws2.append(["x"])
    ws2.append(["y"])
    ws["F2"].data_type = "s"  # a text cell that looks like a formula
    p = tmp_path / "book.xlsx"
    wb.save(p)
    t = read_table(p)
    assert t.meta.sheet == "Allocataires"
    assert t.df.iloc[0].tolist()[:5] == ["185057512345678", "01234", "3", "123.45", "1985-03-15"]
    assert t.df.iloc[1].tolist()[:4] == ["", "2A004", "0", "0.3"]
    assert list_sheets(p) == ["Allocataires", "Autre"]
    assert read_table(p, sheet="Autre").df["x"].tolist() == ["y"]
    assert read_table(p, sheet=1).df["x"].tolist() == ["y"]
    with pytest.raises(UsageError, match="no sheet named"):
        read_table(p, sheet="Feuil9")
    out = write_table(t.df, tmp_path / "copy.xlsx", like=t.meta)
    back = openpyxl.load_workbook(out)["Allocataires"]
    assert back["A2"].value == "185057512345678"  # written as text: no precision loss, no E+14
    assert back["F2"].data_type == "s"  # a '=...' text is never turned into a formula
    assert read_table(out).df.equals(t.df)


def test_jsonl_keeps_number_literals_and_writes_them_back(tmp_path):
    lines = [
        {"nir": "185057512345678", "cp": "01234", "n": 3, "mt": 12.50, "ok": True, "x": None, "tags": ["a"]},
        {"nir": "2A0041234567890", "cp": "2A004", "n": 0, "mt": 1e3, "ok": False, "x": "s", "tags": []},
    ]
    raw = "".join(json.dumps(obj) + "\n" for obj in lines)
    raw = raw.replace("12.5", "12.50")  # a literal json.dumps would not write: must survive as text
    p = tmp_path / "t.jsonl"
    p.write_text(raw)
    t = read_table(p)
    assert t.df.iloc[0].tolist() == ["185057512345678", "01234", "3", "12.50", "true", "", '["a"]']
    assert t.df["mt"].iloc[1] == "1000.0"
    out = write_table(t.df, tmp_path / "o.jsonl", like=t.meta)
    back = [json.loads(line) for line in out.read_text().splitlines()]
    assert back[0]["n"] == 3 and back[0]["mt"] == 12.5 and back[0]["ok"] is True and back[0]["x"] is None
    assert back[1]["cp"] == "2A004" and back[1]["x"] == "s"


@pytest.mark.parametrize(("ext", "writer"), [("dta", "write_dta"), ("sav", "write_sav"), ("xpt", "write_xport")])
def test_statistical_formats_round_trip(tmp_path, ext, writer):
    df = pd.DataFrame(
        {"NIR": ["185057512345678", "2A0041234567890"], "AGE": [34.0, np.nan], "CP": ["01234", "2A004"]}
    )
    src = tmp_path / f"in.{ext}"
    getattr(pyreadstat, writer)(df.astype({"NIR": object, "CP": object}), str(src))
    t = read_table(src)
    assert t.meta.format == ext
    assert t.df["NIR"].tolist() == df["NIR"].tolist()
    assert t.df["CP"].tolist() == ["01234", "2A004"]
    assert t.df["AGE"].iloc[0] == 34.0 and pd.isna(t.df["AGE"].iloc[1])
    meta, batches = iter_batches(src, batch_rows=1)
    assert [len(b) for b in batches] == [1, 1]
    out = write_table(t.df, tmp_path / f"out.{ext}", like=t.meta)
    again, _ = getattr(pyreadstat, {"dta": "read_dta", "sav": "read_sav", "xpt": "read_xport"}[ext])(str(out))
    assert again["NIR"].tolist() == df["NIR"].tolist()
    assert again["AGE"].iloc[0] == 34.0


def test_format_conversions_keep_identifier_text(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes("NIR;CP;MT\r\n185057512345678;01234;1,5\r\n2A0041234567890;2A004;\r\n".encode("cp1252"))
    t = read_table(src)
    for ext in ("parquet", "xlsx", "jsonl", "dta", "sav", "xpt"):
        back = read_table(write_table(t.df, tmp_path / f"c.{ext}", like=t.meta)).df
        assert back["NIR"].tolist() == ["185057512345678", "2A0041234567890"], ext
        assert back["CP"].tolist() == ["01234", "2A004"], ext
        # XLSX stores an amount as a number a spreadsheet sums (issue #19): read back as 1.5
        assert back["MT"].tolist() == (["1.5", ""] if ext == "xlsx" else ["1,5", ""]), ext


def test_dtypes_option_casts_named_columns(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"age;cp\n34;01234\n;2A004\n")
    df = read_table(src, dtypes={"age": "int64"}).df
    assert df["age"].tolist()[0] == 34 and pd.isna(df["age"].iloc[1])
    assert df["cp"].tolist() == ["01234", "2A004"]
    from anonymizer.errors import InputError

    with pytest.raises(InputError, match="column 'cp' cannot be read as int64"):
        read_table(src, dtypes={"cp": "int64"})
