"""Property tests: any bytes, any Unicode given as a table file are read as a table or refused
with an InputError (one line, no traceback), never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.errors import AnonError
from anonymizer.io import read_table

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"t{suffix}"
        p.write_bytes(data)
        try:
            table = read_table(p)
        except AnonError as exc:
            assert "\n" not in str(exc) and str(p) in str(exc)
            return
        assert isinstance(table.df, pd.DataFrame)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([".csv", ".jsonl", ".xlsx", ".parquet", ".txt"]))
def test_random_bytes_are_a_table_or_a_clean_error(data, suffix):
    _read(data, suffix)


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
       st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_random_unicode_is_a_table_or_a_clean_error(text, encoding):
    _read(text.encode(encoding, errors="replace"), ".csv")


@SETTINGS
@given(st.lists(st.lists(st.text(alphabet=';,"\n\r\tabc=+-@1 é', max_size=6), min_size=1, max_size=4),
                min_size=1, max_size=6))
def test_csv_like_text_is_a_table_or_a_clean_error(rows):
    _read("\n".join(";".join(r) for r in rows).encode("utf-8"), ".csv")
