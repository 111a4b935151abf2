"""XLSX output keeps numeric columns numeric (issue #19 item 5e): amounts are written as numbers
a spreadsheet can sum, codes with leading zeros stay text. Read back with openpyxl itself."""

from __future__ import annotations

import openpyxl
import pandas as pd

from anonymizer.io import read_table, write_table


def _cells(path) -> dict[str, list]:
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return {h: [r[i] for r in rows[1:]] for i, h in enumerate(header)}


def test_amounts_are_numbers_and_codes_stay_text(tmp_path):
    df = pd.DataFrame({
        "LOYER": ["548,51", "0,00", "", "1200,5"],
        "AF_MT": ["270", "-30", "0", "1250"],
        "CODPOST": ["01000", "33000", "97411", "2A004"],
        "CODCOM": ["33063", "33069", "01053", "33199"],
        "TELPORT": ["0612345678", "0712345678", "0612000000", "0600000001"],
        "SIRET": ["12345678901234", "98765432109876", "11111111111111", "22222222222222"],
        "NOM": ["MARTIN", "DURAND", "PETIT", "ROUX"],
    }, dtype="str")
    path = write_table(df, tmp_path / "out.xlsx")
    cells = _cells(path)
    for col in ("LOYER", "AF_MT"):
        assert [c.data_type for c in cells[col] if c.value is not None] == ["n"] * sum(v != "" for v in df[col]), col
    assert [c.value for c in cells["LOYER"]] == [548.51, 0.0, None, 1200.5]
    assert cells["LOYER"][0].number_format == "0.00"   # shown as written
    assert [c.value for c in cells["AF_MT"]] == [270, -30, 0, 1250]
    for col in ("CODPOST", "CODCOM", "TELPORT", "SIRET", "NOM"):
        assert all(c.data_type == "s" for c in cells[col]), col
        assert [c.value for c in cells[col]] == df[col].tolist()
    back = read_table(path).df
    assert back["CODPOST"].tolist() == df["CODPOST"].tolist() and back["AF_MT"].tolist() == df["AF_MT"].tolist()


def test_a_later_batch_that_is_not_a_number_stays_text(tmp_path):
    from anonymizer.io import TableWriter

    with TableWriter(tmp_path / "b.xlsx") as w:
        w.write(pd.DataFrame({"MT": ["10", "20"]}, dtype="str"))
        w.write(pd.DataFrame({"MT": ["*", "30"]}, dtype="str"))
    cells = _cells(tmp_path / "b.xlsx")["MT"]
    assert [(c.value, c.data_type) for c in cells] == [(10, "n"), (20, "n"), ("*", "s"), (30, "n")]
