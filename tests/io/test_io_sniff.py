"""Dialect and format detection on hand-written samples."""

from __future__ import annotations

import pytest

from anonymizer.errors import InputError
from anonymizer.io import detect_format, read_table
from anonymizer.io.sniff import sniff_delimiter, sniff_quoting

SAMPLES = [
    # ; file where every row also holds exactly one decimal comma: ',' splits regularly too, into fewer columns
    ("NOM;MT;CP;SEXE\nA;12,5;01234;1\nB;3,25;2A004;2\nC;0,5;33000;1\n", ";"),
    # , file with ; inside a quoted free-text column
    ('id,comment,cp\n1,"appel; rappel",01234\n2,"ok; vu",2A004\n', ","),
    ("a\tb\tc\n1\t2,5\t3\n4\t5\t6\n", "\t"),
    ("a|b\n1|x,y\n2|z;w\n", "|"),
    ("only_one_column\nx\ny\n", ","),
    # quoted fields with embedded newlines and delimiters
    ('a;b;c\n"x\ny;z";2;3\n4;"5;6";7\n', ";"),
]


@pytest.mark.parametrize(("text", "expected"), SAMPLES)
def test_sniff_delimiter(text, expected):
    assert sniff_delimiter(text) == expected


def test_quoting_style():
    assert sniff_quoting('"a";"b"\n"1";""\n', ";", '"') == "all"
    assert sniff_quoting('a;"b;c"\n1;2\n', ";", '"') == "minimal"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("nom\nLéa\n".encode(), "utf-8"),
        ("\ufeffnom\nLéa\n".encode(), "utf-8-sig"),
        ("nom\nLéa €\n".encode("cp1252"), "cp1252"),
        (b"nom\nL\xe9a \x8d\n", "latin-1"),  # 0x8D is undefined in cp1252
    ],
)
def test_encoding_detection(tmp_path, raw, encoding):
    p = tmp_path / "e.csv"
    p.write_bytes(raw)
    t = read_table(p)
    assert t.meta.encoding == encoding
    assert t.df.columns.tolist() == ["nom"]
    assert t.df["nom"].iloc[0].startswith("Léa")


def test_forced_utf8_fails_on_a_late_cp1252_byte(tmp_path):
    body = "".join(f"{i};ligne\n" for i in range(200_000))
    p = tmp_path / "late.csv"
    p.write_bytes(("id;txt\n" + body + "999;é\n").encode("cp1252"))
    with pytest.raises(InputError, match="cannot be decoded as utf-8"):
        read_table(p, encoding="utf-8")


def test_forced_delimiter(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes(b"a;b,c\n1;2,3\n")
    assert read_table(p, delimiter=",").df.columns.tolist() == ["a;b", "c"]
    assert read_table(p, delimiter=";").df.columns.tolist() == ["a", "b,c"]


def test_detect_format_by_magic_without_extension(tmp_path):
    import pandas as pd

    from anonymizer.io import write_table

    df = pd.DataFrame({"a": ["1"]})
    for fmt in ("parquet", "xlsx", "dta", "sav", "xpt"):
        p = write_table(df, tmp_path / f"t.{fmt}")
        bare = tmp_path / f"noext_{fmt}"
        bare.write_bytes(p.read_bytes())
        assert detect_format(bare) == fmt
    (tmp_path / "plain").write_bytes(b"a;b\n1;2\n")
    assert detect_format(tmp_path / "plain") == "csv"


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_quote_scan_finds_line_breaks_inside_quotes_across_chunks(tmp_path, monkeypatch, chunk):
    from anonymizer.io import sniff

    monkeypatch.setattr(sniff, "CHUNK_BYTES", chunk)
    cases = {
        b'a;b\n"x;y";"dit ""oui"""\n1;2\n': (False, False),  # quotes, but no break inside them
        b'a;b\n"x\ny";1\n': (False, True),
        b'a;b\n"x""\r\n""y";1\n': (False, True),  # doubled quotes keep the parity
        b'a;b\n1;"open\n': (True, True),
        b"a;b\n1;2\n": (False, False),
    }
    for i, (raw, expected) in enumerate(cases.items()):
        p = tmp_path / f"q{i}.csv"
        p.write_bytes(raw)
        assert sniff.quote_scan(p, '"') == expected, raw


def test_fast_path_and_safe_path_read_the_same(tmp_path):
    fast = tmp_path / "fast.csv"
    fast.write_bytes(b'a;b\n"x;y";1\n2;"z"\n')
    safe = tmp_path / "safe.csv"
    safe.write_bytes(b'a;b\n"x;y";1\n2;"z"\n3;"l1\nl2"\n')
    assert read_table(fast).df.values.tolist() == [["x;y", "1"], ["2", "z"]]
    assert read_table(safe).df.values.tolist() == [["x;y", "1"], ["2", "z"], ["3", "l1\nl2"]]
