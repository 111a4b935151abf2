"""Writers: atomicity, refusal rules, encoding errors, dialect options, as_text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.errors import InputError, UsageError
from anonymizer.io import TableWriter, as_text, atomic_output, read_table, write_table


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".anon-tmp-")]


def test_exception_mid_write_leaves_no_output_and_no_temp(tmp_path):
    out = tmp_path / "out.csv"
    df = pd.DataFrame({"a": ["1", "2"]})
    with pytest.raises(RuntimeError), TableWriter(out) as w:
        w.write(df)
        raise RuntimeError("boom")
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_keyboard_interrupt_keeps_existing_output_untouched(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b"old content\n")
    with pytest.raises(KeyboardInterrupt), TableWriter(out, force=True) as w:
        w.write(pd.DataFrame({"a": ["new"]}))
        raise KeyboardInterrupt
    assert out.read_bytes() == b"old content\n"
    assert _leftovers(tmp_path) == []


def test_atomic_output_text_and_binary(tmp_path):
    out = tmp_path / "r.json"
    with atomic_output(out) as fh:
        fh.write("{}")
        assert not out.exists()  # nothing visible before the block ends
    assert out.read_text() == "{}"
    with pytest.raises(ValueError), atomic_output(out, "wb") as fh:
        fh.write(b"partial")
        raise ValueError
    assert out.read_text() == "{}"
    assert _leftovers(tmp_path) == []


def test_force_false_refuses_existing_output(tmp_path):
    out = tmp_path / "o.csv"
    out.write_text("x\n")
    with pytest.raises(UsageError, match="already exists"):
        write_table(pd.DataFrame({"a": ["1"]}), out, force=False)
    with pytest.raises(UsageError, match="already exists"), atomic_output(out, force=False):
        pass
    assert out.read_text() == "x\n"


def test_character_cp1252_cannot_hold_names_the_column_not_the_value(tmp_path):
    df = pd.DataFrame({"NOM": ["Dupont", "Ŝmith"], "X": ["1", "2"]})  # Ŝ is not in cp1252
    out = tmp_path / "o.csv"
    with pytest.raises(InputError) as err:
        write_table(df, out, encoding="cp1252")
    msg = str(err.value)
    assert "'NOM'" in msg and "row 2" in msg and "cp1252" in msg
    assert "mith" not in msg
    assert not out.exists() and _leftovers(tmp_path) == []


def test_values_with_bare_cr_are_quoted_under_lf_terminator(tmp_path):
    """The csv module only quotes the characters of its own line terminator; anon quotes both."""
    df = pd.DataFrame({"a": ["x\ry", "plain", "z\nw"], "b": ["1", "2", "3"]})
    out = write_table(df, tmp_path / "o.csv", line_terminator="\n")
    assert out.read_bytes() == b'a,b\n"x\ry",1\nplain,2\n"z\nw",3\n'
    assert read_table(out).df.equals(read_table(out).df)
    assert read_table(out).df["a"].tolist() == ["x\ry", "plain", "z\nw"]


def test_dialect_options_override_like(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes("a;b\r\nx;é\r\n".encode("cp1252"))
    t = read_table(src)
    out = write_table(t.df, tmp_path / "o.csv", like=t.meta, delimiter=",", encoding="utf-8", line_terminator="\n")
    assert out.read_bytes() == "a,b\nx,é\n".encode()
    out2 = write_table(t.df, tmp_path / "o2.csv", like=t.meta, quoting="all")
    assert out2.read_bytes() == '"a";"b"\r\n"x";"é"\r\n'.encode("cp1252")


def test_missing_final_newline_round_trips(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"a,b\n1,2")
    t = read_table(src)
    assert write_table(t.df, tmp_path / "o.csv", like=t.meta).read_bytes() == b"a,b\n1,2"


def test_unknown_option_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="delimiter"):
        write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "o.parquet", delimiter=";")
    with pytest.raises(UsageError, match="sas7bdat"):
        write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "o.sas7bdat")


def test_as_text_renders_typed_columns_without_artefacts():
    s = pd.Series([185057512345678.0, 3.0, np.nan, 0.1, 1e16])
    assert as_text(s).tolist() == ["185057512345678", "3", "", "0.1", "10000000000000000"]
    assert as_text(pd.Series([1, 2], dtype="Int64").astype("Int64").reindex([0, 1, 2])).tolist() == ["1", "2", ""]
    assert as_text(pd.Series(pd.to_datetime(["2021-03-15", None]))).tolist() == ["2021-03-15", ""]
    assert as_text(pd.Series(["01234", None, ""], dtype=object)).tolist() == ["01234", "", ""]
    assert as_text(pd.Series(["2A004", np.nan], dtype="str")).tolist() == ["2A004", ""]


def test_typed_frame_to_csv_uses_text_rendering_and_decimal_comma(tmp_path):
    df = pd.DataFrame({"n": [1.0, 2.5, np.nan], "k": pd.array([1, None, 3], dtype="Int64")})
    out = write_table(df, tmp_path / "o.csv", delimiter=";", decimal=",")
    assert out.read_bytes() == b"n;k\n1;1\n2,5;\n;3\n"


def test_output_gets_the_usual_file_mode_not_the_temp_files_0600(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        out = write_table(pd.DataFrame({"a": ["1"]}), tmp_path / "o.csv")
        assert out.stat().st_mode & 0o777 == 0o644
        os.chmod(out, 0o640)
        write_table(pd.DataFrame({"a": ["2"]}), out)
        assert out.stat().st_mode & 0o777 == 0o640  # replacing keeps the existing mode
    finally:
        os.umask(umask)


def test_float_columns_follow_the_input_files_decimal_comma(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"MT;CP\r\n12,5;01234\r\n3,25;2A004\r\n")
    t = read_table(src)
    df = t.df.copy()
    df["MT"] = [12.75, np.nan]  # a transform produced floats
    out = write_table(df, tmp_path / "o.csv", like=t.meta)
    assert out.read_bytes() == b"MT;CP\r\n12,75;01234\r\n;2A004\r\n"
