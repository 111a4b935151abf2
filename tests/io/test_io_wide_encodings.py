"""UTF-16 / UTF-32 text tables (Excel's "Unicode text" export): detected with or without a byte-order
mark, read like their UTF-8 twin, written back byte for byte; undecodable ones refused clearly.

Expected frames come from the UTF-8 text that was encoded (Python's codecs), not from the reader.
"""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from anonymizer.errors import InputError
from anonymizer.io import iter_batches, read_table, write_table
from anonymizer.io.sniff import decode_text, detect_format, wide_encoding

TEXT = "NOM\tPRÉNOM\tTEL\tVILLE\nDUPONT\tJérôme\t06 12 34 56 78\tSaint-Étienne\nMARTIN\tZoë\t07 98 76 54 32\tAgen\n"
EXPECTED = pd.DataFrame([r.split("\t") for r in TEXT.splitlines()[1:]], columns=TEXT.splitlines()[0].split("\t"))

VARIANTS = [  # (codec used to write, encoding the reader must report)
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),
    ("utf-32", "utf-32"), ("utf-32-le", "utf-32-le"), ("utf-32-be", "utf-32-be"),
]


@pytest.mark.parametrize("codec, reported", VARIANTS)
def test_wide_text_is_read_like_its_utf8_twin_and_written_back_identically(tmp_path, codec, reported):
    raw = TEXT.encode(codec)
    src = tmp_path / "export.txt"
    src.write_bytes(raw)
    assert wide_encoding(raw) == reported
    table = read_table(src)
    assert table.meta.encoding == reported and table.meta.delimiter == "\t"
    pd.testing.assert_frame_equal(table.df.astype(object), EXPECTED.astype(object), check_dtype=False)
    _, batches = iter_batches(src, batch_rows=1)
    assert [len(b) for b in batches] == [1, 1]
    out = tmp_path / "copy.txt"
    write_table(table.df, out, like=table.meta)
    assert out.read_bytes() == raw
    assert decode_text(raw) == (TEXT, reported)


def test_no_final_newline_survives_in_utf16(tmp_path):
    raw = TEXT.rstrip("\n").encode("utf-16")
    src = tmp_path / "t.csv"
    src.write_bytes(raw)
    table = read_table(src)
    assert table.meta.extra["final_newline"] is False
    out = tmp_path / "o.csv"
    write_table(table.df, out, like=table.meta)
    assert out.read_bytes() == raw


def test_quotes_and_line_breaks_inside_values_in_utf16(tmp_path):
    text = 'id,commentaire\n1,"appeler le\n06 12 34 56 78"\n2,"dit ""oui"""\n'
    src = tmp_path / "q.csv"
    src.write_bytes(text.encode("utf-16-le"))
    df = read_table(src).df
    assert df["commentaire"].tolist() == ["appeler le\n06 12 34 56 78", 'dit "oui"']


def test_undecodable_utf16_is_an_input_error_naming_the_encoding(tmp_path):
    raw = codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x00\xd8A\x00"  # a lone high surrogate
    src = tmp_path / "bad.csv"
    src.write_bytes(raw)
    with pytest.raises(InputError, match="cannot be decoded as utf-16"):
        read_table(src)


def test_binary_files_are_still_refused(tmp_path):
    src = tmp_path / "garbage.csv"
    src.write_bytes(bytes(range(256)) * 8)
    assert wide_encoding(src.read_bytes()) is None
    with pytest.raises(InputError, match="binary content"):
        read_table(src)
    with pytest.raises(InputError, match="binary content"):
        decode_text(src.read_bytes())


def test_extensionless_utf16_is_taken_for_text(tmp_path):
    src = tmp_path / "export.dat2"
    src.write_bytes(TEXT.encode("utf-16-le"))
    assert detect_format(src) == "csv"
