"""Partitioning without a cluster: record boundaries of CSV files and partitions equal to anon's batch reader.

Expected boundaries come from how the test built the bytes (the length of each record it
wrote), not from the scanner; expected rows from ``anonymizer.io.iter_batches``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from anonymizer.errors import InputError, UsageError
from anonymizer.io import iter_batches, write_table
from anonymizer.io.parts import csv_record_ends, list_files, open_dataset, read_part

RECORDS = [
    "ID;NOM;NOTE\n",
    '1;"DUPONT; Jean";"ligne 1\nligne 2"\n',
    '2;"O""BRIEN";"dit ""oui""\n et part"\n',
    "3;MARTIN;\n",
    '4;"";"""\n"""\n',
    "5;ÉLISE;fin\n",
]


def _bytes(records, enc="utf-8") -> tuple[bytes, list[int]]:
    blob, ends = b"", []
    for r in records:
        blob += r.encode(enc)
        ends.append(len(blob))
    return blob, ends


def test_record_ends_skip_quoted_newlines(tmp_path):
    blob, ends = _bytes(RECORDS)
    path = tmp_path / "t.csv"
    path.write_bytes(blob)
    assert blob.count(b"\n") > len(RECORDS)  # the trap is real: more newlines than records
    assert csv_record_ends(path).tolist() == ends
    # a block boundary inside a quoted field must not change anything
    assert csv_record_ends(path, chunk=7).tolist() == ends


def _all_rows(path: Path, **opts) -> pd.DataFrame:
    return pd.concat(list(iter_batches(path, **opts)[1]), ignore_index=True)


@pytest.mark.parametrize("rows", [1, 2, 3, 100])
@pytest.mark.parametrize("terminator,final", [("\n", True), ("\r\n", True), ("\n", False)])
def test_csv_partitions_equal_the_batch_reader(tmp_path, rows, terminator, final):
    recs = [r.replace("\n", terminator) if not r.startswith(('2;', '1;', '4;')) else r for r in RECORDS]
    blob, _ = _bytes(recs, "cp1252")
    if not final:
        blob = blob.rstrip(b"\r\n")
    path = tmp_path / "t.csv"
    path.write_bytes(blob)
    ds = open_dataset(path, rows=rows)
    got = pd.concat([read_part(p) for p in ds.parts], ignore_index=True)
    want = _all_rows(path)
    assert len(want) == 5
    pd.testing.assert_frame_equal(got, want)
    assert len(ds.parts) == -(-5 // rows)
    assert ds.meta.encoding == "cp1252" and ds.meta.delimiter == ";"


def test_parquet_partitions_cross_row_groups(tmp_path, frame):
    path = tmp_path / "t.parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=170)
    assert pq.ParquetFile(path).metadata.num_row_groups > 3
    for rows in (1000, 333, 170, 2000):
        ds = open_dataset(path, rows=rows)
        got = pd.concat([read_part(p) for p in ds.parts], ignore_index=True)
        pd.testing.assert_frame_equal(got, _all_rows(path))
        assert [p.rows for p in ds.parts][0] == min(rows, len(frame))


def test_folder_and_glob_of_parts(inputs, frame):
    for src in (inputs["folder"], str(inputs["folder"] / "p*.parquet")):
        ds = open_dataset(src, rows=200)
        assert [f.name for f in ds.files] == ["p0.parquet", "p1.parquet", "p2.parquet"]
        got = pd.concat([read_part(p) for p in ds.parts], ignore_index=True)
        pd.testing.assert_frame_equal(got, frame)


def test_folder_listing_skips_hidden_and_refuses_mixed(tmp_path, frame):
    d = tmp_path / "ds"
    d.mkdir()
    write_table(frame.head(10), d / "a.csv")
    write_table(frame.head(10), d / "b.csv")
    (d / ".hidden.csv").write_text("x\n1\n")
    (d / "_SUCCESS").write_text("")
    fmt, files = list_files(d)
    assert fmt == "csv" and [f.name for f in files] == ["a.csv", "b.csv"]
    write_table(frame.head(10), d / "c.parquet")
    with pytest.raises(InputError, match="mixes formats"):
        list_files(d)
    e = tmp_path / "e"
    e.mkdir()
    write_table(frame.head(5), e / "a.csv")
    write_table(frame.head(5).rename(columns={"NIR": "NIR2"}), e / "b.csv")
    with pytest.raises(InputError, match="header differs"):
        open_dataset(e, rows=10)
    with pytest.raises(InputError):
        list_files(tmp_path / "nothing-*.csv")


def test_only_csv_and_parquet(tmp_path, frame):
    path = tmp_path / "t.jsonl"
    write_table(frame.head(3), path)
    with pytest.raises(UsageError, match="convert"):
        list_files(path)


def test_boundaries_are_independent_of_the_scan_block(inputs):
    a = csv_record_ends(inputs["csv"])
    b = csv_record_ends(inputs["csv"], chunk=4093)
    assert np.array_equal(a, b) and len(a) == 601  # header + 600 records (some with quoted newlines)
