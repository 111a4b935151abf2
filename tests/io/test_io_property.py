"""Property: any table of text cells survives a CSV write + read unchanged, in every dialect."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.io import read_table, write_table

# cp1252-encodable text including the characters CSV must quote (; , | tab quote CR LF)
ALPHABET = st.sampled_from(list("aZ09 ;,|\t\"'\r\néèçàŒœ€-_./") + ["2A", "01", "NIR"])
CELL = st.lists(ALPHABET, max_size=8).map("".join)


@st.composite
def tables(draw):
    ncols = draw(st.integers(1, 4))
    nrows = draw(st.integers(1, 6))
    names = [f"c{i}" for i in range(ncols)]
    rows = draw(st.lists(st.lists(CELL, min_size=ncols, max_size=ncols), min_size=nrows, max_size=nrows))
    return pd.DataFrame(rows, columns=names, dtype=str)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    df=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    lt=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from(["minimal", "all"]),
)
def test_csv_round_trip_of_arbitrary_text(tmp_path_factory, df, delimiter, encoding, lt, quoting):
    d = tmp_path_factory.mktemp("rt")
    out = write_table(df, d / "t.csv", delimiter=delimiter, encoding=encoding, line_terminator=lt, quoting=quoting)
    back = read_table(out, delimiter=delimiter, encoding=encoding).df
    assert back.columns.tolist() == df.columns.tolist()
    assert back.astype(object).values.tolist() == df.astype(object).values.tolist()


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2100), max_size=30))
def test_fast_cp1252_encoder_agrees_with_the_codec(text):
    """encode_text's latin-1 + fallback path must equal Python's strict cp1252 codec, errors included."""
    from anonymizer.io.csvio import encode_text

    try:
        expected = text.encode("cp1252")
    except UnicodeEncodeError:
        expected = None
    try:
        got = encode_text(text, "cp1252")
    except UnicodeEncodeError:
        got = None
    assert got == expected


# Cells that make sniffing hard: other delimiters, decimal commas, quotes, line breaks, empties.
TRICKY = st.sampled_from(
    ["Léa", "DUPONT", "01234", "2A004", "12,5", "3.25", "a;b", "x,y", "p|q", "t\tu", 'dit "oui"', "", "06 12", "l1\nl2"]
)


@st.composite
def tricky_tables(draw):
    ncols = draw(st.integers(2, 6))
    nrows = draw(st.integers(3, 12))
    rows = draw(st.lists(st.lists(TRICKY, min_size=ncols, max_size=ncols), min_size=nrows, max_size=nrows))
    return pd.DataFrame(rows, columns=[f"C{i}" for i in range(ncols)], dtype=str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    df=tricky_tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    lt=st.sampled_from(["\n", "\r\n"]),
)
def test_dialect_is_detected_without_hints(tmp_path_factory, df, delimiter, encoding, lt):
    out = write_table(df, tmp_path_factory.mktemp("s") / "t.csv", delimiter=delimiter, encoding=encoding,
                      line_terminator=lt)
    t = read_table(out)  # no delimiter, no encoding: everything sniffed
    non_ascii = any(not v.isascii() for v in df.to_numpy().ravel().tolist())
    expected_encoding = encoding if non_ascii or encoding == "utf-8-sig" else "utf-8"  # ASCII reads as utf-8
    assert (t.meta.delimiter, t.meta.encoding, t.meta.line_terminator) == (delimiter, expected_encoding, lt)
    assert t.df.values.tolist() == df.values.tolist()
