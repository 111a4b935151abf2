"""The table formats anon reads and writes: one entry per format.

Each entry gives the format's extensions (the first is the one an output gets by default),
whether it is a text format (every column read as text, missing = ``""``) or keeps native
dtypes, its reader (whole table and batches) and its writer (a sink). ``read_table``,
``iter_batches``, ``TableWriter``, the extension sniffing and the CLI's output names all use
this table: adding a format is its entry here plus its reader/writer code.

The readers and writers are small adapters with one signature per kind, importing their
module when called, so this module stays importable from :mod:`.sniff` without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]   # lower case, with the dot; the first is written by default
    text: bool                    # every column read as text (else native dtypes)
    read: Callable[..., Any]      # (path, *, nrows, delimiter, encoding, sheet) -> (DataFrame, TableMeta)
    batches: Callable[..., Any]   # (path, *, batch_rows, delimiter, encoding, sheet) -> (TableMeta, Iterator)
    sink: Callable[..., Any] | None  # (tmp, path, *, like, opts) -> (sink, raw file or None); None: read only
    write_options: tuple[str, ...] = ()
    why_not_written: str = ""     # when ``sink`` is None


# ---------------------------------------------------------------- readers


def _read_csv(path: Path, *, nrows, delimiter, encoding, sheet):
    from anonymizer.io.csvio import read_csv

    return read_csv(path, delimiter=delimiter, encoding=encoding, nrows=nrows)


def _batches_csv(path: Path, *, batch_rows, delimiter, encoding, sheet):
    from anonymizer.io.csvio import open_csv_batches

    return open_csv_batches(path, batch_rows=batch_rows, delimiter=delimiter, encoding=encoding)


def _read_parquet(path: Path, *, nrows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.read_parquet(path, nrows=nrows)


def _batches_parquet(path: Path, *, batch_rows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.iter_parquet(path, batch_rows=batch_rows)


def _read_xlsx(path: Path, *, nrows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.read_xlsx(path, sheet=sheet, nrows=nrows)


def _batches_xlsx(path: Path, *, batch_rows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.iter_xlsx(path, batch_rows=batch_rows, sheet=sheet)


def _read_jsonl(path: Path, *, nrows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.read_jsonl(path, encoding=encoding, nrows=nrows)


def _batches_jsonl(path: Path, *, batch_rows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.iter_jsonl(path, batch_rows=batch_rows, encoding=encoding)


def _read_stat(fmt: str, path: Path, *, nrows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.read_stat(path, fmt, encoding=encoding, nrows=nrows)


def _batches_stat(fmt: str, path: Path, *, batch_rows, delimiter, encoding, sheet):
    from anonymizer.io import formats

    return formats.iter_stat(path, fmt, batch_rows=batch_rows, encoding=encoding)


# ---------------------------------------------------------------- writers


def _sink_csv(tmp: Path, path: Path, *, like, opts):
    from anonymizer.io.csvio import CsvSink
    from anonymizer.io.writers import csv_options

    raw = open(tmp, "wb")  # noqa: SIM115 - the writer closes it (commit or cleanup)
    try:
        return CsvSink(raw, path, **csv_options(like, opts)), raw
    except BaseException:
        raw.close()
        raise


def _sink_jsonl(tmp: Path, path: Path, *, like, opts):
    from anonymizer.io import formats

    raw = open(tmp, "wb")  # noqa: SIM115 - the writer closes it (commit or cleanup)
    return formats.JsonlSink(raw, path, like=like), raw


def _sink_parquet(tmp: Path, path: Path, *, like, opts):
    from anonymizer.io import formats

    return formats.ParquetSink(tmp, path, like=like, **opts), None


def _sink_xlsx(tmp: Path, path: Path, *, like, opts):
    from anonymizer.io import formats

    sheet = opts.get("sheet") or (like.sheet if like is not None else None)
    return formats.XlsxSink(tmp, path, sheet=sheet), None


def _sink_stat(fmt: str, tmp: Path, path: Path, *, like, opts):
    from anonymizer.io import formats

    return formats.StatSink(tmp, path, fmt, like=like), None


def _stat(name: str, extensions: tuple[str, ...], *, written: bool = True, why: str = "") -> Format:
    return Format(name, extensions, False, partial(_read_stat, name), partial(_batches_stat, name),
                  partial(_sink_stat, name) if written else None, (), why)


CSV_OPTIONS = ("encoding", "delimiter", "line_terminator", "quotechar", "quoting", "decimal", "header", "final_newline")

REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("csv", (".csv", ".tsv", ".tab", ".txt"), True, _read_csv, _batches_csv, _sink_csv, CSV_OPTIONS),
    Format("parquet", (".parquet", ".pq"), False, _read_parquet, _batches_parquet, _sink_parquet, ("compression",)),
    Format("xlsx", (".xlsx", ".xlsm"), True, _read_xlsx, _batches_xlsx, _sink_xlsx, ("sheet",)),
    Format("jsonl", (".jsonl", ".ndjson"), True, _read_jsonl, _batches_jsonl, _sink_jsonl),
    _stat("sas7bdat", (".sas7bdat",), written=False,
          why="writing sas7bdat is not supported; write xpt (SAS transport), parquet or csv"),
    _stat("xpt", (".xpt",)),
    _stat("dta", (".dta",)),
    _stat("sav", (".sav", ".zsav")),
)}

#: Every format name, in the order help texts list them.
FORMATS: tuple[str, ...] = tuple(REGISTRY)
#: Formats anon can write.
WRITABLE: tuple[str, ...] = tuple(n for n, f in REGISTRY.items() if f.sink is not None)
#: Extension -> format.
EXTENSIONS: dict[str, str] = {ext: f.name for f in REGISTRY.values() for ext in f.extensions}


def default_extension(fmt: str) -> str:
    """The extension an output of ``fmt`` gets when no name says otherwise."""
    return REGISTRY[fmt].extensions[0]


def extension_conflict(path: str | Path, fmt: str | None) -> str | None:
    """Why ``path`` cannot hold a ``fmt`` output (its extension names another format), or None:
    ``-o safe.csv --to xlsx`` would write a workbook that every tool opens as a CSV."""
    named = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None or named is None or named == fmt:
        return None
    from anonymizer.i18n import _

    return _("{name}: its extension is {named}'s, not {fmt}'s; name it {suggested} or leave out --to").format(
        name=Path(path).name, named=named, fmt=fmt, suggested=Path(path).stem + default_extension(fmt))
