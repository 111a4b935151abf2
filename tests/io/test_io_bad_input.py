"""Every bad input gives one InputError line naming the file and the problem, never a cell value."""

from __future__ import annotations

import pytest

from anonymizer.errors import InputError
from anonymizer.io import iter_batches, read_table

SECRET = "185057512345678"  # a NIR-like value: must never appear in an error message


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


CASES = [
    ("empty.csv", b"", "empty file"),
    ("ragged_more.csv", f"a;b;c\n1;2;3\n4;{SECRET};6;7\n".encode(), "line 3 has 4 fields, the header has 3"),
    ("ragged_less.csv", f"a;b;c\n1;2;3\n\n{SECRET};5\n".encode(), "line 4 has 2 fields, the header has 3"),
    ("ragged_quoted.csv", f'a;b\n"x\ny";1\n{SECRET}\n'.encode(), "line 4 has 1 fields, the header has 2"),
    ("dupe.csv", b"NIR;nom;NIR\n1;2;3\n", "columns 1 and 3 of the header have the same name; rename one"),
    # no header: the first record became the names; they are cells, never quoted
    ("headerless.csv", f"{SECRET};06 12 34 56 78;{SECRET}\n{SECRET};06 12 34 56 78;{SECRET}\n".encode(),
     "columns 1 and 3 of the header have the same name; the first row looks like data"),
    ("garbage.csv", bytes(range(256)) * 4, "binary content"),
    ("unterminated.csv", f'a;b\n1;"{SECRET}\n'.encode(), "malformed CSV at line 2"),
    ("table.parquet", b"not parquet at all", "not a readable Parquet"),
    ("book.xlsx", b"PK\x03\x04 broken zip", "not a readable XLSX"),
    ("data.sav", b"$FL2 truncated", "not a readable sav"),
    ("data.dta", b"<stata_dta> truncated", "not a readable dta"),
    ("data.sas7bdat", b"\x00" * 12 + b"\xc2\xea\x81\x60\xb3\x14\x11\xcf" + b"\x00" * 100, "not a readable sas7bdat"),
    ("data.xpt", b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!", "not a readable xpt"),
    ("data.jsonl", f'{{"a": "{SECRET}"}}\n{{"a": \n'.encode(), "line 2 is not valid JSON"),
    ("blank.csv", b"\n\n\n", "no header"),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_line(tmp_path, name, data, expected):
    p = _write(tmp_path, name, data)
    with pytest.raises(InputError) as err:
        read_table(p)
    msg = str(err.value)
    assert expected in msg
    assert str(p) in msg
    assert "\n" not in msg
    assert SECRET not in msg


def test_ragged_rows_found_in_batches_too(tmp_path):
    rows = "".join(f"{i};x\n" for i in range(5000))
    p = _write(tmp_path, "late.csv", (f"a;b\n{rows}{SECRET};x;y\n").encode())
    _, batches = iter_batches(p, batch_rows=1000)
    with pytest.raises(InputError, match="line 5002 has 3 fields") as err:
        list(batches)
    assert SECRET not in str(err.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "absent.csv")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_table(tmp_path / "folder")


def test_forced_wrong_encoding(tmp_path):
    p = _write(tmp_path, "cp.csv", "nom;ville\nLéa;Besançon\n".encode("cp1252"))
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_table(p, encoding="utf-8")
    assert read_table(p).df["ville"].tolist() == ["Besançon"]


def test_late_non_utf8_byte_decides_the_encoding(tmp_path):
    """A cp1252 byte far beyond the sniffing sample still makes the whole file cp1252."""
    body = "".join(f"{i};ligne\n" for i in range(200_000))  # > 1 MiB of ASCII
    p = _write(tmp_path, "late.csv", ("id;txt\n" + body + "999;é\n").encode("cp1252"))
    t = read_table(p)
    assert t.meta.encoding == "cp1252"
    assert t.df["txt"].iloc[-1] == "é"


def test_header_only_is_a_valid_empty_table(tmp_path):
    p = _write(tmp_path, "h.csv", b"NIR;NOM\r\n")
    t = read_table(p)
    assert list(t.df.columns) == ["NIR", "NOM"]
    assert len(t.df) == 0
    assert t.meta.extra["header_only"] is True
    _, batches = iter_batches(p)
    assert [len(b) for b in batches] == [0]


def test_unknown_extension_with_binary_content(tmp_path):
    p = _write(tmp_path, "blob.bin", b"\x00\x01\x02" * 100)
    with pytest.raises(InputError, match="unknown table format"):
        read_table(p)


@pytest.mark.parametrize(("name", "expected"), [("old.xls", "save it as .xlsx"), ("doc.json", ".jsonl"),
                                                ("t.csv.gz", "decompress")])
def test_unsupported_formats_say_what_to_do(tmp_path, name, expected):
    p = _write(tmp_path, name, b"\xd0\xcf\x11\xe0 whatever")
    with pytest.raises(InputError, match=expected):
        read_table(p)
