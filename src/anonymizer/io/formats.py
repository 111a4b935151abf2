"""Readers and writers for the non-CSV formats: Parquet, XLSX, JSON Lines, SAS/Stata/SPSS.

XLSX and JSONL are text formats for anon (every column read as text); Parquet and the
statistical formats keep their native dtypes (``as_text`` renders them when needed).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import glob
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _, ngettext
from anonymizer.io.meta import TableMeta, check_unique_names
from anonymizer.values.text import as_text

# ----------------------------------------------------------------------------- Parquet


def parquet_format() -> pads.ParquetFileFormat:
    """Parquet without pre-buffering: by default the scanner coalesces and keeps the column
    chunks it reads ahead, which grew to 700 MB of Arrow memory over 60 batches of the
    5-million-row file (217 MB without, flat)."""
    return pads.ParquetFileFormat(default_fragment_scan_options=pads.ParquetFragmentScanOptions(pre_buffer=False))


def _parquet_dataset(path: Path) -> pads.Dataset:
    text = str(path)
    try:
        if any(ch in text for ch in "*?["):
            files = sorted(glob.glob(text, recursive=True))
            if not files:
                raise InputError(_('{path}: no file matches this pattern').format(path=path))
            return pads.dataset(files, format=parquet_format())
        return pads.dataset(path, format=parquet_format())
    except (pa.ArrowInvalid, pa.ArrowException, OSError):
        raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None


def _check_columns(path: Path, names: list[str]) -> None:
    check_unique_names(path, [str(n) for n in names])


def _parquet_meta(path: Path, schema: pa.Schema) -> TableMeta:
    return TableMeta(path=path if path.exists() else None, format="parquet", extra={"arrow_schema": schema})


def read_parquet(path: Path, *, nrows: int | None = None) -> tuple[pd.DataFrame, TableMeta]:
    ds = _parquet_dataset(path)
    try:
        if nrows is None:
            table = ds.to_table()
        else:
            head, n = [], 0
            for b in file_batches(ds, min(nrows, 65_536)):
                head.append(b)
                n += b.num_rows
                if n >= nrows:
                    break
            table = pa.Table.from_batches(head, schema=ds.schema).slice(0, nrows)
    except (pa.ArrowException, OSError):
        raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None
    _check_columns(path, table.column_names)
    return table.to_pandas(), _parquet_meta(path, ds.schema)


def file_batches(ds: pads.Dataset, batch_rows: int, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Record batches file by file with ``ParquetFile.iter_batches`` (no pre-buffering).

    pyarrow's dataset scanner reads ahead 16 batches and 4 files and pre-buffers column
    chunks: on the 5-million-row, 181-column file ``Dataset.head(20_000)`` held 6.2 GB and
    a batch iterator 4.2 GB; without read-ahead it still kept 380-940 MB of Arrow memory
    over 40 batches. This reader: 136-194 MB, flat over 100 batches."""
    for f in ds.files:
        pf = pq.ParquetFile(f, pre_buffer=False)
        schema = ds.schema if columns is None else pa.schema([ds.schema.field(c) for c in columns])
        for b in pf.iter_batches(batch_size=batch_rows, columns=columns):
            yield b if b.schema.equals(schema) else pa.Table.from_batches([b]).select(schema.names).cast(
                schema).to_batches()[0]


def iter_parquet(path: Path, *, batch_rows: int) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    ds = _parquet_dataset(path)
    _check_columns(path, ds.schema.names)

    def gen() -> Iterator[pd.DataFrame]:
        pending: list[pa.RecordBatch] = []
        n = 0
        yielded = False
        try:
            for b in file_batches(ds, batch_rows):
                pending.append(b)
                n += b.num_rows
                while n >= batch_rows:
                    t = pa.Table.from_batches(pending, schema=ds.schema)
                    yield t.slice(0, batch_rows).to_pandas()
                    yielded = True
                    rest = t.slice(batch_rows)
                    pending, n = rest.to_batches(), rest.num_rows
        except (pa.ArrowException, OSError):
            raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None
        if n or not yielded:
            yield pa.Table.from_batches(pending, schema=ds.schema).to_pandas()

    return _parquet_meta(path, ds.schema), gen()


class ParquetSink:
    """Streams batches into one Parquet file; the first batch (or ``like``'s schema) fixes the schema."""

    def __init__(self, tmp: Path, path: Path, *, like: TableMeta | None = None, compression: str = "zstd"):
        self.tmp, self.path = tmp, path
        self.like_schema = like.extra.get("arrow_schema") if like is not None else None
        self.compression = compression
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None

    def _table(self, df: pd.DataFrame) -> pa.Table:
        df = df.copy(deep=False)
        df.columns = [str(c) for c in df.columns]
        try:
            if self.schema is None and self.like_schema is not None and list(df.columns) == self.like_schema.names:
                try:
                    return pa.Table.from_pandas(df, schema=self.like_schema, preserve_index=False)
                except (pa.ArrowException, TypeError, ValueError):
                    pass  # the columns were transformed: let the data decide
            t = pa.Table.from_pandas(df, preserve_index=False)
            if self.schema is not None:
                t = t.cast(self.schema)
            return t
        except (pa.ArrowException, TypeError, ValueError):
            raise InputError(_('{path}: a batch cannot be stored with the Parquet schema of the first batch').format(path=self.path)) from None

    def write(self, df: pd.DataFrame) -> None:
        t = self._table(df)
        if self.writer is None:
            self.schema = t.schema.remove_metadata()
            t = t.replace_schema_metadata(None)
            self.writer = pq.ParquetWriter(self.tmp, self.schema, compression=self.compression)
        self.writer.write_table(t.replace_schema_metadata(None))

    def close(self) -> None:
        if self.writer is None:
            pq.write_table(pa.table({}), self.tmp)
        else:
            self.writer.close()

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):  # best effort on the error path
                self.writer.close()


# ----------------------------------------------------------------------------- XLSX


def cell_text(v: Any) -> str:
    """What an Excel cell shows as text: integers without ``.0``, dates ISO, empty -> ``""``."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e18:
            return str(int(v))
        return format(v, ".15g")  # Excel keeps 15 significant digits: 0.1+0.2 shows as 0.3
    if isinstance(v, _dt.datetime):
        if v.hour == v.minute == v.second == v.microsecond == 0:
            return v.strftime("%Y-%m-%d")
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date | _dt.time):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return str(v)
    return str(v)


def _open_workbook(path: Path):
    import zipfile

    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise InputError(_('{path}: not a readable XLSX workbook').format(path=path)) from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException
        if type(exc).__name__ == "InvalidFileException":
            raise InputError(_('{path}: not a readable XLSX workbook').format(path=path)) from None
        raise


def list_sheets(path: str | Path) -> list[str]:
    """Names of the sheets of an XLSX workbook (the CI gate checks every one)."""
    p = Path(path)
    if not p.exists():
        raise InputError(_('{p}: no such file').format(p=p))
    wb = _open_workbook(p)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _pick_sheet(wb, path: Path, sheet: str | int | None):
    names = wb.sheetnames
    if sheet is None:
        return wb[names[0]]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        i = int(sheet)
        if not 0 <= i < len(names):
            raise UsageError(_('{path}: no sheet number {i} (the workbook has {names})').format(path=path, i=i, names=len(names)))
        return wb[names[i]]
    if sheet not in names:
        raise UsageError(_('{path}: no sheet named {sheet!r}; sheets: {names}').format(path=path, sheet=sheet, names=', '.join(names)))
    return wb[sheet]


class _NoCachedValue:
    """A formula cell stored without the value it computes (see ``_sheet_rows``)."""

    def __repr__(self) -> str:
        return "<formula without a cached value>"


NO_CACHED_VALUE = _NoCachedValue()


def _sheet_rows(ws) -> Iterator[tuple]:
    """A read-only sheet's rows as value tuples, as ``ws.iter_rows(values_only=True)`` gives them
    with ``data_only`` (the values the spreadsheet computed and stored), except that a formula
    cell with no stored value is :data:`NO_CACHED_VALUE` instead of ``None``: a workbook written
    by a program that does not calculate (openpyxl, most scripts) stores formulas only, and
    reading them as empty would silently lose data we cannot see. One pass, the same XML parser
    (its cell hook only); rows missing from the file are empty, and every row the file holds is
    read (not only those within its declared dimension)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                # no <v>, or an empty one on a number cell (openpyxl writes <v />); an empty text
                # result is stored as t="str" with an empty <v>: a value, the empty string
                stored = element.find(VALUE_TAG)
                if stored is None or (not stored.text and element.get("t", "n") == "n"):
                    cell["value"] = NO_CACHED_VALUE
            return cell

    wb = ws.parent
    with ws._get_source() as src:
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                         date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        expected = 1
        for idx, cells in parser.parse():
            for _ in range(expected, idx):
                yield ()
            values: list[Any] = [None] * max((c["column"] for c in cells), default=0)
            for c in cells:
                values[c["column"] - 1] = c["value"]
            yield tuple(values)
            expected = idx + 1


def _no_cached_value(path: Path, sheet: str, where: str, columns: list[str]) -> InputError:
    """The one-line refusal of formulas without values: sheet, row and columns, never a cell."""
    return InputError(ngettext(
        "{path}: sheet {sheet!r} {where}: {columns} holds a formula with no computed value stored (the workbook "
        "was saved by a program that does not calculate, such as a script): open and save it in a spreadsheet "
        "application, or export the values, then run again",
        "{path}: sheet {sheet!r} {where}: {columns} hold formulas with no computed value stored (the workbook "
        "was saved by a program that does not calculate, such as a script): open and save it in a spreadsheet "
        "application, or export the values, then run again", len(columns)).format(
            path=path, sheet=sheet, where=where, columns=", ".join(repr(c) for c in columns)))


def _xlsx_rows(path: Path, sheet: str | int | None) -> tuple[TableMeta, list[str], Iterator[list[str]]]:
    wb = _open_workbook(path)
    ws = _pick_sheet(wb, path, sheet)
    rows = _sheet_rows(ws)
    try:
        header_row = next(rows, None)
    except Exception:
        wb.close()
        raise
    if header_row is None:
        wb.close()
        raise InputError(_('{path}: sheet {title!r} is empty (no header row)').format(path=path, title=ws.title))
    if any(v is NO_CACHED_VALUE for v in header_row):
        wb.close()
        raise _no_cached_value(path, ws.title, "header", [f"column {i + 1}" for i, v in enumerate(header_row)
                                                          if v is NO_CACHED_VALUE])
    header = [cell_text(v) for v in header_row]
    while header and header[-1] == "":
        header.pop()
    if not header:
        wb.close()
        raise InputError(_('{path}: sheet {title!r} has an empty header row').format(path=path, title=ws.title))
    _check_columns(path, header)
    meta = TableMeta(path=path, format="xlsx", sheet=ws.title, extra={"sheets": list(wb.sheetnames)})
    width = len(header)

    def gen() -> Iterator[list[str]]:
        try:
            for lineno, row in enumerate(rows, start=2):
                if NO_CACHED_VALUE in row:
                    raise _no_cached_value(path, ws.title, f"row {lineno}", [
                        header[i] if i < width else f"column {i + 1}"
                        for i, v in enumerate(row) if v is NO_CACHED_VALUE])
                values = [cell_text(v) for v in row]
                if len(values) > width:
                    if any(values[width:]):
                        raise InputError(
                            _('{path}: sheet {title!r} row {lineno} has values beyond the {width} header columns').format(path=path, title=ws.title, lineno=lineno, width=width)
                        )
                    values = values[:width]
                elif len(values) < width:
                    values += [""] * (width - len(values))
                yield values
        finally:
            wb.close()

    return meta, header, gen()


def _drop_trailing_blank(rows: list[list[str]]) -> list[list[str]]:
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in header})
    cols = list(zip(*rows, strict=True))
    return pd.DataFrame({h: pd.Series(c, dtype=str) for h, c in zip(header, cols, strict=True)})


def read_xlsx(path: Path, *, sheet: str | int | None = None, nrows: int | None = None) -> tuple[pd.DataFrame, TableMeta]:
    meta, header, rows = _xlsx_rows(path, sheet)
    data: list[list[str]] = []
    for r in rows:
        data.append(r)
        if nrows is not None and len(data) >= nrows:
            break
    return _frame(header, _drop_trailing_blank(data)), meta


def iter_xlsx(path: Path, *, batch_rows: int, sheet: str | int | None = None) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    meta, header, rows = _xlsx_rows(path, sheet)

    def gen() -> Iterator[pd.DataFrame]:
        buf: list[list[str]] = []
        blanks: list[list[str]] = []  # blank rows are kept only if data follows them
        yielded = False
        for r in rows:
            if not any(r):
                blanks.append(r)
                continue
            buf.extend(blanks)
            blanks = []
            buf.append(r)
            if len(buf) >= batch_rows:
                yield _frame(header, buf[:batch_rows])
                yielded = True
                buf = buf[batch_rows:]
        if buf or not yielded:
            yield _frame(header, buf)

    return meta, gen()


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_ROWS = 1_048_576
#: A text cell written as an XLSX number: a plain decimal (point or comma) without a leading zero,
#: a sign other than minus or a thousands separator, at most 11 integer digits (what Excel shows
#: without an exponent). ``01000``, ``0612345678`` or a 14-digit SIRET stay text.
_XLSX_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,10})(?:[.,]\d{1,9})?")


def _numeric_text(values: list[str]) -> bool:
    """Every value present is a plain number (``_XLSX_NUMBER``), and there is one."""
    present = [v for v in values if v != ""]
    return bool(present) and all(_XLSX_NUMBER.fullmatch(v) for v in present)


def _decimal_cell(ws: Any, number: float, decimals: int) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=number)
    cell.number_format = "0." + "0" * decimals
    return cell


def _as_number(v: str) -> int | float:
    t = v.replace(",", ".")
    return float(t) if "." in t else int(t)


class XlsxSink:
    """Write-only workbook; text stays text (a ``=...`` cell is stored as a string, never a formula).

    A text column whose values are all plain numbers in the first batch (amounts: ``548,51``,
    ``270``) is written as numbers, so a spreadsheet can sum it; a value of a later batch that is
    not a plain number stays text. Codes with a leading zero never match: they stay text."""

    def __init__(self, tmp: Path, path: Path, *, sheet: str | None = None):
        import openpyxl

        self.tmp, self.path = tmp, path
        self.wb = openpyxl.Workbook(write_only=True)
        self.ws = self.wb.create_sheet(title=(sheet or "Sheet1")[:31])
        self.columns: list[str] | None = None
        self.numeric: list[bool] | None = None  # per column: text written as numbers (decided on batch 1)
        self.rows = 0

    def _cell(self, v: Any, col: str):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(v, str):
            if _ILLEGAL_XLSX.search(v):
                raise InputError(_('{path}: column {col!r} holds control characters XLSX cannot store').format(path=self.path, col=col))
            if v.startswith("="):
                c = WriteOnlyCell(self.ws, value=v)
                c.data_type = "s"
                return c
        return v

    def _number(self, v: str) -> Any:
        """A number cell; its decimals shown as written (``1,50`` stays 1.50 on screen)."""
        number = _as_number(v)
        if isinstance(number, int):
            return number
        return _decimal_cell(self.ws, number, len(v) - 1 - max(v.find("."), v.find(",")))

    def write(self, df: pd.DataFrame) -> None:
        cols = [str(c) for c in df.columns]
        if self.columns is None:
            self.columns = cols
            self.ws.append([self._cell(c, c) for c in cols])
        if self.rows + len(df) + 1 > XLSX_MAX_ROWS:
            raise UsageError(_('{path}: more than {XLSX_MAX_ROWS:,} rows do not fit in one XLSX sheet; write csv or parquet').format(path=self.path, XLSX_MAX_ROWS=XLSX_MAX_ROWS))
        values = []
        decide = self.numeric is None
        numeric = self.numeric or [False] * df.shape[1]
        for c in range(df.shape[1]):
            s = df.iloc[:, c]
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                values.append([None if pd.isna(v) else v for v in s.tolist()])
                continue
            text = as_text(s).tolist()
            if decide:
                numeric[c] = _numeric_text(text)
            if numeric[c]:
                text = [self._number(v) if v and _XLSX_NUMBER.fullmatch(v) else v for v in text]
            values.append(text)
        self.numeric = numeric
        for row in zip(*values, strict=True):
            self.ws.append([self._cell(v, cols[j]) if isinstance(v, str) and v else (v if v != "" else None) for j, v in enumerate(row)])
        self.rows += len(df)

    def close(self) -> None:
        if self.columns is None:
            self.ws.append([])
        self.wb.save(self.tmp)

    def abort(self) -> None:
        pass


# ----------------------------------------------------------------------------- JSON Lines


def _json_text(v: Any) -> tuple[str, str]:
    """(text, json type) of one JSON value; numbers keep their literal text (parse_int/parse_float=str)."""
    if v is None:
        return "", "null"
    if isinstance(v, bool):
        return ("true" if v else "false"), "boolean"
    if isinstance(v, _Num):  # before str: _Num is a str subclass
        return str(v), "number"
    if isinstance(v, str):
        return v, "string"
    return json.dumps(v, ensure_ascii=False), "json"


class _Num(str):
    """A JSON number kept as its literal text."""


def _jsonl_records(path: Path, encoding: str | None) -> Iterator[tuple[int, dict]]:
    enc = encoding or "utf-8-sig"
    try:
        with open(path, encoding=enc, errors="strict") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line, parse_int=_Num, parse_float=_Num, parse_constant=_Num)
                except json.JSONDecodeError:
                    raise InputError(_('{path}: line {lineno} is not valid JSON').format(path=path, lineno=lineno)) from None
                if not isinstance(obj, dict):
                    raise InputError(_('{path}: line {lineno} is not a JSON object').format(path=path, lineno=lineno))
                yield lineno, obj
    except UnicodeDecodeError as exc:
        raise InputError(_('{path}: cannot be decoded as {enc} (byte offset {start})').format(path=path, enc=enc, start=exc.start)) from None


def _jsonl_frames(path: Path, encoding: str | None, batch_rows: int, meta: TableMeta) -> Iterator[pd.DataFrame]:
    columns: list[str] = []
    types: dict[str, str] = meta.extra.setdefault("json_types", {})
    # columns where missing was written null (and never ""): "" goes back out as null
    nulls: dict[str, bool] = meta.extra.setdefault("json_nulls", {})
    buf: list[dict] = []

    def flush() -> pd.DataFrame:
        data = {c: [r.get(c, "") for r in buf] for c in columns}
        return pd.DataFrame({c: pd.Series(v, dtype=str) for c, v in data.items()})

    yielded = False
    for _line, obj in _jsonl_records(path, encoding):
        row: dict[str, str] = {}
        for k, v in obj.items():
            if k not in types:
                if yielded:
                    raise InputError(_('{path}: key {k!r} first appears after the first batch; read it whole').format(path=path, k=k))
                columns.append(k)
                types[k] = "null"
            text, t = _json_text(v)
            if t == "null" or (t == "string" and text == ""):
                nulls[k] = nulls.get(k, True) and t == "null"
            if t != "null":
                types[k] = t if types[k] in ("null", t) else "mixed"
            row[k] = text
        buf.append(row)
        if len(buf) >= batch_rows:
            yield flush()
            yielded = True
            buf = []
    if buf or not yielded:
        yield flush()


def read_jsonl(path: Path, *, encoding: str | None = None, nrows: int | None = None) -> tuple[pd.DataFrame, TableMeta]:
    meta = TableMeta(path=path, format="jsonl", encoding="utf-8")
    frames = []
    total = 0
    for f in _jsonl_frames(path, encoding, nrows or 1 << 62, meta):
        frames.append(f)
        total += len(f)
        if nrows is not None and total >= nrows:
            break
    df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if nrows is not None:
        df = df.iloc[:nrows]
    if not len(df.columns) and not len(df):
        raise InputError(_('{path}: no JSON records').format(path=path))
    return df, meta


def iter_jsonl(path: Path, *, batch_rows: int, encoding: str | None = None) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    meta = TableMeta(path=path, format="jsonl", encoding="utf-8")
    return meta, _jsonl_frames(path, encoding, batch_rows, meta)


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class JsonlSink:
    """One JSON object per line; columns that held JSON numbers (``like``) are written back as numbers."""

    def __init__(self, raw: IO[bytes], path: Path, *, like: TableMeta | None = None):
        self.raw, self.path = raw, path
        same = like is not None and like.format == "jsonl"
        self.types = dict(like.extra.get("json_types", {})) if same else {}
        self.nulls = {k for k, v in like.extra.get("json_nulls", {}).items() if v} if same else set()

    def write(self, df: pd.DataFrame) -> None:
        cols = [str(c) for c in df.columns]
        values = []
        for j in range(df.shape[1]):
            s = df.iloc[:, j]
            kind = self.types.get(cols[j])
            if pd.api.types.is_bool_dtype(s.dtype):
                values.append([None if pd.isna(v) else bool(v) for v in s.tolist()])
            elif pd.api.types.is_numeric_dtype(s.dtype):
                values.append([None if pd.isna(v) else (int(v) if float(v).is_integer() and pd.api.types.is_integer_dtype(s.dtype) else v) for v in s.tolist()])
            else:
                t = as_text(s).tolist()
                if kind == "number":
                    t = [_RawNum(v) if _JSON_NUMBER.fullmatch(v) else (None if v == "" else v) for v in t]
                elif kind == "boolean":
                    t = [{"true": True, "false": False}.get(v, None if v == "" else v) for v in t]
                elif kind == "null" or cols[j] in self.nulls:
                    t = [None if v == "" else v for v in t]
                values.append(t)
        lines = []
        for row in zip(*values, strict=True):
            parts = [json.dumps(c, ensure_ascii=False) + ": " + (v if isinstance(v, _RawNum) else json.dumps(v, ensure_ascii=False)) for c, v in zip(cols, row, strict=True)]
            lines.append("{" + ", ".join(parts) + "}\n")
        self.raw.write("".join(lines).encode("utf-8"))

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _RawNum(str):
    """A number literal written as is."""


# ----------------------------------------------------------------------------- SAS / Stata / SPSS

_STAT_READERS = {"sas7bdat": "read_sas7bdat", "xpt": "read_xport", "dta": "read_dta", "sav": "read_sav"}


def _stat_error(path: Path, fmt: str) -> InputError:
    return InputError(_('{path}: not a readable {fmt} file').format(path=path, fmt=fmt))


def read_stat(path: Path, fmt: str, *, encoding: str | None = None, nrows: int | None = None) -> tuple[pd.DataFrame, TableMeta]:
    import pyreadstat

    fn = getattr(pyreadstat, _STAT_READERS[fmt])
    kwargs: dict[str, Any] = {}
    if encoding:
        kwargs["encoding"] = encoding
    if nrows is not None:
        kwargs["row_limit"] = nrows
    try:
        df, m = fn(str(path), **kwargs)
    except Exception:  # pyreadstat raises ReadstatError/PyreadstatError and sometimes plain errors
        raise _stat_error(path, fmt) from None
    _check_columns(path, list(df.columns))
    meta = TableMeta(
        path=path,
        format=fmt,
        encoding=getattr(m, "file_encoding", None),
        extra={"column_labels": dict(zip(m.column_names, m.column_labels or [], strict=False))},
    )
    return df, meta


def iter_stat(path: Path, fmt: str, *, batch_rows: int, encoding: str | None = None) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    import pyreadstat

    fn = getattr(pyreadstat, _STAT_READERS[fmt])
    _df, meta = read_stat(path, fmt, encoding=encoding, nrows=1)
    kwargs: dict[str, Any] = {"encoding": encoding} if encoding else {}

    def gen() -> Iterator[pd.DataFrame]:
        yielded = False
        try:
            for df, _ in pyreadstat.read_file_in_chunks(fn, str(path), chunksize=batch_rows, **kwargs):
                yielded = True
                yield df
        except InputError:
            raise
        except Exception:
            raise _stat_error(path, fmt) from None
        if not yielded:
            df, _meta = fn(str(path), metadataonly=True, **kwargs)
            yield df

    return meta, gen()


class StatSink:
    """pyreadstat writes whole frames only: batches are gathered and written at close (memory = the table)."""

    def __init__(self, tmp: Path, path: Path, fmt: str, *, like: TableMeta | None = None):
        if fmt == "sas7bdat":
            raise UsageError(_('{path}: writing sas7bdat is not supported; write xpt (SAS transport), parquet or csv').format(path=path))
        self.tmp, self.path, self.fmt = tmp, path, fmt
        self.frames: list[pd.DataFrame] = []
        labels = like.extra.get("column_labels") if like is not None else None
        self.labels = labels or None

    def write(self, df: pd.DataFrame) -> None:
        self.frames.append(df)

    def close(self) -> None:
        import pyreadstat

        df = pd.concat(self.frames, ignore_index=True) if self.frames else pd.DataFrame()
        df = df.copy()
        for c in df.columns:  # pyreadstat wants object columns for text
            if isinstance(df[c].dtype, pd.StringDtype):
                df[c] = df[c].astype(object).where(df[c].notna(), "")
        labels = [self.labels.get(str(c)) for c in df.columns] if self.labels else None
        try:
            if self.fmt == "xpt":
                version = 8 if any(len(str(c)) > 8 for c in df.columns) else 5
                pyreadstat.write_xport(df, str(self.tmp), file_format_version=version, column_labels=labels)
            elif self.fmt == "dta":
                pyreadstat.write_dta(df, str(self.tmp), column_labels=labels)
            else:
                pyreadstat.write_sav(df, str(self.tmp), column_labels=labels)
        except Exception:
            raise InputError(_('{path}: cannot be written as {fmt} (column names or types not supported)').format(path=self.path, fmt=self.fmt)) from None

    def abort(self) -> None:
        pass
