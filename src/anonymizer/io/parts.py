"""Partitions of an input dataset: which rows each Dask task reads, read with anon's own readers.

A dataset is one file, a folder, or a glob of CSV or Parquet files. It is cut into
partitions of about ``rows`` rows without loading it:

* **Parquet**: from the footer metadata (row-group sizes); a task reads the row groups
  covering its row range and slices them, cast to the dataset schema the local reader uses;
* **CSV**: from record boundaries found by one vectorised scan of the bytes. A newline
  ends a record when the number of quote characters before it is even — true for every
  RFC 4180 file, because a quote inside a quoted field is written doubled (RFC 4180 §2.7),
  so quoted newlines never cut a record. A task parses ``header + its byte range`` with
  the same pyarrow options as ``anonymizer.io`` (every column text, ``""`` for missing).

Nothing here imports Dask: the specs are small picklable values, the readers pure
functions, so they run (and are tested) without a cluster.
"""

from __future__ import annotations

import glob as _glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _

SCAN_CHUNK = 16 << 20  # bytes per block of the CSV boundary scan
TABLE_FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class PartSpec:
    """One partition: ``file`` rows [start, stop) (Parquet) or bytes [start, stop) (CSV)."""

    index: int
    file: str
    fmt: str
    start: int
    stop: int
    rows: int | None = None  # known for Parquet, counted records for CSV (blank lines included)
    header: bytes = b""      # CSV: the header record, prepended before parsing
    dialect: Any = None      # CSV: anonymizer.io.sniff.CsvDialect
    schema: Any = None       # Parquet: the dataset's pyarrow schema


@dataclass
class Dataset:
    """The files of an input and how to cut them."""

    path: Path
    fmt: str
    files: list[Path]
    meta: Any  # TableMeta of the whole input (Parquet) or of its first file (CSV)
    columns: list[str]
    parts: list[PartSpec] = field(default_factory=list)

    @property
    def single_file(self) -> bool:
        return len(self.files) == 1 and self.files[0] == self.path


def list_files(path: str | Path, fmt: str | None = None) -> tuple[str, list[Path]]:
    """The table files of a file, folder (recursive, hidden and ``_`` files skipped) or glob, sorted."""
    from anonymizer.io.sniff import EXTENSIONS

    text = str(path)
    p = Path(path)
    if any(ch in text for ch in "*?["):
        files = [Path(f) for f in sorted(_glob.glob(text, recursive=True)) if Path(f).is_file()]
        if not files:
            raise InputError(_('{path}: no file matches this pattern').format(path=path))
    elif p.is_dir():
        files = sorted(
            f for f in p.rglob("*")
            if f.is_file() and not any(s.startswith((".", "_")) for s in f.relative_to(p).parts)
            and (fmt is None or EXTENSIONS.get(f.suffix.lower()) == fmt)
            and EXTENSIONS.get(f.suffix.lower()) in TABLE_FORMATS
        )
        if not files:
            raise InputError(_('{p}: the folder holds no CSV or Parquet file').format(p=p))
    elif p.is_file():
        files = [p]
    else:
        from anonymizer.fsfaults import regular_file

        regular_file(p)  # says why: missing, a link loop, a FIFO or a device
        raise InputError(_('{p}: no such file').format(p=p))
    fmts = {fmt or EXTENSIONS.get(f.suffix.lower()) or _sniffed(f) for f in files}
    if len(fmts) != 1:
        raise InputError(_('{path}: mixes formats ({items}); give one format per dataset').format(path=path, items=', '.join(sorted(map(str, fmts)))))
    kind = fmts.pop()
    if kind not in TABLE_FORMATS:
        raise UsageError(_('{path}: the dask engine reads CSV or Parquet (this is {kind}); convert it first with anon convert').format(path=path, kind=kind))
    return kind, files


def _sniffed(f: Path) -> str:
    from anonymizer.io import detect_format

    return detect_format(f)


# ----------------------------------------------------------------------------- CSV


def csv_record_ends(path: str | Path, quotechar: str = '"', newline: int = 10,
                    chunk: int = SCAN_CHUNK) -> np.ndarray:
    """Byte offsets just after every record-ending newline (quote parity even), in order."""
    q = ord(quotechar) if quotechar else -1
    ends: list[np.ndarray] = []
    quotes_before = 0
    offset = 0
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            arr = np.frombuffer(block, dtype=np.uint8)
            nl = np.flatnonzero(arr == newline)
            if q >= 0:
                qpos = np.flatnonzero(arr == q)
                parity = (quotes_before + np.searchsorted(qpos, nl)) % 2
                quotes_before += len(qpos)
                nl = nl[parity == 0]
            ends.append(nl.astype(np.int64) + offset + 1)
            offset += len(block)
    return np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64)


def csv_parts(path: Path, dialect: Any, rows: int, first_index: int = 0) -> list[PartSpec]:
    """Byte ranges of about ``rows`` records each (after the header record)."""
    newline = 13 if dialect.line_terminator == "\r" else 10
    ends = csv_record_ends(path, dialect.quotechar, newline)
    size = path.stat().st_size
    if len(ends) == 0 or ends[-1] != size:
        ends = np.append(ends, size)  # no final newline: the last record ends with the file
    header_end = int(ends[0])
    with open(path, "rb") as fh:
        header = fh.read(header_end)
    body_ends = ends[1:]
    cuts = [header_end, *(int(e) for e in body_ends[rows - 1:: rows])]
    if cuts[-1] != size:
        cuts.append(size)
    specs = []
    for i in range(len(cuts) - 1):
        n = int(np.searchsorted(body_ends, cuts[i + 1], side="right") - np.searchsorted(body_ends, cuts[i], side="right"))
        specs.append(PartSpec(first_index + i, str(path), "csv", cuts[i], cuts[i + 1], n, header, dialect))
    if not specs:  # header only
        specs.append(PartSpec(first_index, str(path), "csv", header_end, header_end, 0, header, dialect))
    return specs


def _read_csv_part(spec: PartSpec) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from anonymizer.io.csvio import _empty, _options, _raise_read_error, _to_pandas

    d = spec.dialect
    with open(spec.file, "rb") as fh:
        fh.seek(spec.start)
        body = fh.read(spec.stop - spec.start)
    if not body.strip(b"\r\n"):
        return _empty(d.header)
    read, parse, convert = _options(d, use_threads=False)
    try:
        table = pacsv.read_csv(pa.BufferReader(spec.header + body), read_options=read,
                               parse_options=parse, convert_options=convert)
    except (pa.ArrowInvalid, UnicodeDecodeError, pa.ArrowException) as exc:
        _raise_read_error(Path(spec.file), d, exc)
    return _to_pandas(table)


# ----------------------------------------------------------------------------- Parquet


def parquet_parts(path: Path, schema: Any, rows: int, first_index: int = 0) -> list[PartSpec]:
    import pyarrow.parquet as pq

    try:
        total = pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a bad footer
        raise InputError(_('{path}: not a readable Parquet file').format(path=path)) from None
    bounds = list(range(0, total, rows)) + [total]
    if len(bounds) == 1:
        bounds = [0, 0]
    return [PartSpec(first_index + i, str(path), "parquet", a, b, b - a, schema=schema)
            for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))]


def _read_parquet_part(spec: PartSpec) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(spec.file)
        md = pf.metadata
        groups, first, pos = [], None, 0
        for g in range(md.num_row_groups):
            n = md.row_group(g).num_rows
            if pos + n > spec.start and pos < spec.stop:
                groups.append(g)
                first = pos if first is None else first
            pos += n
        if groups:
            t = pf.read_row_groups(groups).slice(spec.start - first, spec.stop - spec.start)
        else:
            t = pf.schema_arrow.empty_table()
        if spec.schema is not None:
            t = pa.Table.from_batches(t.to_batches(), schema=spec.schema) if t.schema.equals(
                spec.schema) else t.select(spec.schema.names).cast(spec.schema)
    except (pa.ArrowException, OSError, KeyError):
        raise InputError(_('{file}: not a readable Parquet file (or its columns differ from the first part)').format(file=spec.file)) from None
    return t.to_pandas()


# ----------------------------------------------------------------------------- both


def read_part(spec: PartSpec) -> pd.DataFrame:
    """The rows of one partition, exactly as ``anonymizer.io.iter_batches`` would give them."""
    df = _read_csv_part(spec) if spec.fmt == "csv" else _read_parquet_part(spec)
    df.index = pd.RangeIndex(len(df))
    return df


def open_dataset(path: str | Path, *, rows: int, read_opts: dict[str, Any] | None = None) -> Dataset:
    """List the files of ``path``, check they share one header, and cut them into partitions."""
    read_opts = dict(read_opts or {})
    fmt, files = list_files(path, read_opts.pop("fmt", None))
    if rows < 1:
        raise UsageError(_("batch_rows must be >= 1"))
    parts: list[PartSpec] = []
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.dataset as pads

        from anonymizer.io import TableMeta

        try:  # the schema the local reader uses: the dataset's (its first file's)
            schema = pads.dataset([str(f) for f in files], format="parquet").schema
        except (pa.ArrowException, OSError):
            raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None
        p = Path(path)
        meta = TableMeta(path=p if p.exists() else None, format="parquet", extra={"arrow_schema": schema})
        columns = [str(c) for c in schema.names]
        for f in files:
            parts += parquet_parts(f, schema, rows, len(parts))
    else:
        from anonymizer.io.csvio import _check_header, _precheck, csv_meta
        from anonymizer.io.sniff import sniff_csv

        meta, columns = None, []
        for f in files:
            d = sniff_csv(f, delimiter=read_opts.get("delimiter"), encoding=read_opts.get("encoding"))
            _check_header(f, d.header)
            _precheck(f, d)
            if meta is None:
                meta, columns = csv_meta(f, d), list(d.header)
            elif list(d.header) != columns:
                raise InputError(_("{f}: its header differs from the first file's ({name})").format(f=f, name=files[0].name))
            parts += csv_parts(f, d, rows, len(parts))
    return Dataset(Path(path), fmt, files, meta, columns, parts)
