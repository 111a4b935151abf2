"""CSV round trips of hand-written tricky files (bytes written here, never by anon)."""

from __future__ import annotations

import pytest

from anonymizer.errors import InputError
from anonymizer.io import iter_batches, read_table, write_table

# Each case: (bytes of a canonical file, expected encoding, delimiter, line terminator, expected cells)
CP1252_SEMI = (
    "NOM;NIR;CODPOS;MTAAH;COMMENT\r\n"
    'Dupont;185057512345678;01234;123,45;"appel au 06 12; rappel"\r\n'
    "Lé\u00e6;2A0041234567890;2A004;;\"dit \"\"urgent\"\"\"\r\n"
    'Œuvre;2B0041234567890;20167;0,5;"ligne 1\r\nligne 2"\r\n'
).encode("cp1252")

UTF8_BOM_COMMA = "\ufeffid,ville,montant\n1,Besançon,\"1,5\"\n2,Saint-Étienne,\n".encode()
LATIN1_TAB = "a\tb\n\x81x\t01\n".encode("latin-1")  # 0x81 is undefined in cp1252: only latin-1 holds it
PIPE_QUOTE_ALL = b'"a"|"b"\n"x"|"1"\n"y"|""\n'


@pytest.mark.parametrize(
    ("raw", "encoding", "delimiter", "lt", "first_row"),
    [
        (CP1252_SEMI, "cp1252", ";", "\r\n", ["Dupont", "185057512345678", "01234", "123,45", "appel au 06 12; rappel"]),
        (UTF8_BOM_COMMA, "utf-8-sig", ",", "\n", ["1", "Besançon", "1,5"]),
        (LATIN1_TAB, "latin-1", "\t", "\n", ["\x81x", "01"]),
        (PIPE_QUOTE_ALL, "utf-8", "|", "\n", ["x", "1"]),
    ],
)
def test_canonical_files_round_trip_byte_identical(tmp_path, raw, encoding, delimiter, lt, first_row):
    src = tmp_path / "in.csv"
    src.write_bytes(raw)
    t = read_table(src)
    assert (t.meta.encoding, t.meta.delimiter, t.meta.line_terminator) == (encoding, delimiter, lt)
    assert t.df.iloc[0].tolist() == first_row
    out = write_table(t.df, tmp_path / "out.csv", like=t.meta)
    assert out.read_bytes() == raw


def test_identifier_like_text_is_never_mangled(tmp_path):
    src = tmp_path / "ids.csv"
    src.write_bytes(CP1252_SEMI)
    df = read_table(src).df
    assert df["NIR"].tolist() == ["185057512345678", "2A0041234567890", "2B0041234567890"]
    assert df["CODPOS"].tolist() == ["01234", "2A004", "20167"]
    assert df["MTAAH"].tolist() == ["123,45", "", "0,5"]  # decimal commas stay text, empty stays ""
    assert df["COMMENT"].iloc[2] == "ligne 1\r\nligne 2"
    assert df["NOM"].iloc[1] == "Lé\u00e6"
    assert not df.isna().any().any()


def test_decimal_comma_recorded(tmp_path):
    src = tmp_path / "d.csv"
    src.write_bytes(CP1252_SEMI)
    assert read_table(src).meta.decimal == ","


def test_refuses_to_overwrite_input_even_through_a_link(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(CP1252_SEMI)
    link = tmp_path / "alias.csv"
    link.hardlink_to(src)
    t = read_table(src)
    for target in (src, link, tmp_path / "." / "in.csv"):
        with pytest.raises(InputError, match="refusing to overwrite the input"):
            write_table(t.df, target, like=t.meta)
    assert src.read_bytes() == CP1252_SEMI


def test_batches_concatenate_to_the_whole(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(CP1252_SEMI)
    meta, batches = iter_batches(src, batch_rows=2)
    sizes = [len(b) for b in batches]
    assert sizes == [2, 1]
    assert meta.encoding == "cp1252"
