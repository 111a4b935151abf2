"""CSV: pyarrow's multi-threaded parser for reading, Python's csv module for writing.

Reading forces every column to text (no type inference, no NA strings: ``""`` stays
``""``, ``01234`` stays ``01234``, a 15-digit NIR never becomes a float). Writing uses the
csv module because pyarrow quotes every string, which would break byte-identical round
trips of canonical files.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from anonymizer.errors import InputError, UsageError
from anonymizer.io.meta import TableMeta
from anonymizer.io.sniff import CsvDialect, sniff_csv
from anonymizer.io.text import as_text


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(f"{path}: duplicate column name {name!r} in the header; rename one of them")
        seen.add(name)


def _arrow_encoding(enc: str) -> str:
    return "utf8" if enc in ("utf-8", "utf-8-sig") else enc


def _options(d: CsvDialect, *, use_threads: bool = True, block_size: int = 1 << 22, newlines: bool | None = None):
    read = pacsv.ReadOptions(
        use_threads=use_threads,
        block_size=block_size,
        column_names=d.header,
        skip_rows=1,
        encoding=_arrow_encoding(d.encoding),
    )
    parse = pacsv.ParseOptions(
        delimiter=d.delimiter,
        quote_char=d.quotechar,
        double_quote=True,
        newlines_in_values=d.newlines_in_values if newlines is None else newlines,
        ignore_empty_lines=True,
    )
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in d.header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
        check_utf8=True,
    )
    return read, parse, convert


def _locate_problem(path: Path, d: CsvDialect) -> str | None:
    """Re-read with the csv module to name the first bad line (error path only, never on success)."""
    n = len(d.header)
    try:
        with open(path, encoding=d.encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh, delimiter=d.delimiter, quotechar=d.quotechar, strict=True)
            prev_line = 0
            for i, row in enumerate(reader):
                start = prev_line + 1
                prev_line = reader.line_num
                if i == 0 or not row:
                    continue
                if len(row) != n:
                    return f"line {start} has {len(row)} fields, the header has {n} (ragged rows)"
    except UnicodeDecodeError as exc:
        return f"cannot be decoded as {d.encoding} (byte offset {exc.start}); try another --encoding"
    except csv.Error:
        return f"malformed CSV at line {prev_line + 1} (unbalanced quote?)"
    return None


def _raise_read_error(path: Path, d: CsvDialect, exc: BaseException) -> None:
    # pyarrow messages quote the offending row: never pass them on (they hold raw values).
    msg = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in msg or "UTF8" in msg:
        problem = _locate_problem(path, d) or ""
        if "decoded" not in problem:
            problem = f"cannot be decoded as {d.encoding}; try another --encoding"
        raise InputError(f"{path}: {problem}") from None
    raise InputError(f"{path}: {_locate_problem(path, d) or 'malformed CSV'}") from None


def _precheck(path: Path, d: CsvDialect) -> None:
    """An odd number of quotes: confirm with the strict csv module before trusting pyarrow."""
    if d.odd_quotes:
        problem = _locate_problem(path, d)
        if problem:
            raise InputError(f"{path}: {problem}")


def csv_meta(path: Path, d: CsvDialect) -> TableMeta:
    return TableMeta(
        path=path,
        format="csv",
        encoding=d.encoding,
        delimiter=d.delimiter,
        decimal=d.decimal,
        line_terminator=d.line_terminator,
        quotechar=d.quotechar,
        extra={"quoting": d.quoting, "final_newline": d.final_newline, "bom": d.bom},
    )


def _to_pandas(t: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    df = t.to_pandas()
    # pandas 3 gives the str dtype; older pandas give object. Either way: text, "" for missing.
    return df


def read_csv(
    path: Path, *, delimiter: str | None = None, encoding: str | None = None, nrows: int | None = None
) -> tuple[pd.DataFrame, TableMeta]:
    d = sniff_csv(path, delimiter=delimiter, encoding=encoding)
    _check_header(path, d.header)
    _precheck(path, d)
    meta = csv_meta(path, d)
    if nrows is not None:
        _, batches = iter_csv(path, d, meta, batch_rows=max(1, nrows))
        parts = []
        got = 0
        for b in batches:
            parts.append(b.iloc[: nrows - got])
            got += len(parts[-1])
            if got >= nrows:
                break
        df = pd.concat(parts, ignore_index=True) if parts else _empty(d.header)
    else:
        try:
            table = _read_all(path, d)
        except (pa.ArrowInvalid, UnicodeDecodeError, pa.ArrowException) as exc:
            _raise_read_error(path, d, exc)
        df = _to_pandas(table)
    meta.extra["rows"] = len(df)
    meta.extra["header_only"] = len(df) == 0
    return df, meta


def _read_all(path: Path, d: CsvDialect) -> pa.Table:
    """pyarrow's parallel reader; a failure on the fast path (no quoted line breaks) is retried on the safe one."""
    read, parse, convert = _options(d)
    try:
        return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, UnicodeDecodeError):
        if d.newlines_in_values:
            raise
    read, parse, convert = _options(d, newlines=True)
    return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)


def _empty(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=str) for c in header})


def iter_csv(
    path: Path, d: CsvDialect, meta: TableMeta, *, batch_rows: int
) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    def gen() -> Iterator[pd.DataFrame]:
        # streaming cannot retry after yielding: it always takes the safe path when quotes hide line breaks
        read, parse, convert = _options(d, block_size=1 << 22)
        try:
            reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            _raise_read_error(path, d, exc)
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        yielded = False
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowException, UnicodeDecodeError) as exc:
                _raise_read_error(path, d, exc)
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= batch_rows:
                table = pa.Table.from_batches(pending)
                yield _to_pandas(table.slice(0, batch_rows))
                yielded = True
                rest = table.slice(batch_rows)
                pending = rest.to_batches()
                pending_rows = rest.num_rows
        if pending_rows or not yielded:
            if pending_rows:
                yield _to_pandas(pa.Table.from_batches(pending))
            else:
                yield _empty(d.header)

    return meta, gen()


def open_csv_batches(
    path: Path, *, batch_rows: int, delimiter: str | None = None, encoding: str | None = None
) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    d = sniff_csv(path, delimiter=delimiter, encoding=encoding)
    _check_header(path, d.header)
    _precheck(path, d)
    return iter_csv(path, d, csv_meta(path, d), batch_rows=batch_rows)


QUOTING = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL}


class CsvSink:
    """Writes batches as CSV text in the given dialect to a binary file object."""

    def __init__(
        self,
        raw: IO[bytes],
        path: Path,
        *,
        encoding: str = "utf-8",
        delimiter: str = ",",
        line_terminator: str = "\n",
        quotechar: str = '"',
        quoting: str = "minimal",
        decimal: str | None = None,
        header: bool = True,
        final_newline: bool = True,
    ) -> None:
        if quoting not in QUOTING:
            raise UsageError(f"quoting must be one of {', '.join(QUOTING)}, got {quoting!r}")
        if len(delimiter) != 1:
            raise UsageError(f"delimiter must be one character, got {delimiter!r}")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown encoding {encoding!r}") from None
        self.raw = raw
        self.path = path
        self.encoding = encoding
        self.fh = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        self.writer = csv.writer(
            self.fh,
            delimiter=delimiter,
            quotechar=quotechar,
            lineterminator=line_terminator,
            quoting=QUOTING[quoting],
            doublequote=True,
        )
        self.delimiter, self.quotechar, self.line_terminator = delimiter, quotechar, line_terminator
        self.quote_all = quoting == "all"
        # characters the csv module does not quote by itself (it only checks the line terminator's)
        self.unquoted_breaks = [c for c in "\r\n" if c not in line_terminator]
        self.decimal = decimal
        self.header = header
        self.final_newline = final_newline
        self.columns: list[str] | None = None
        self.rows = 0

    def _encode_error(self, cols: list[str], values: list[list[str]]) -> InputError:
        for name, col in zip(cols, values, strict=True):
            try:
                "".join(col).encode(self.encoding)
            except UnicodeEncodeError:
                for i, v in enumerate(col):
                    try:
                        v.encode(self.encoding)
                    except UnicodeEncodeError:
                        return InputError(
                            f"{self.path}: column {name!r} (row {self.rows + i + 1}) holds a character "
                            f"{self.encoding} cannot encode; write utf-8 (--encoding utf-8) or transform that column"
                        )
        return InputError(f"{self.path}: a column name holds a character {self.encoding} cannot encode")

    def _format_row(self, row: list[str]) -> str:
        def q(v: str) -> str:
            if self.quote_all or any(c in v for c in (self.delimiter, self.quotechar, "\r", "\n")):
                return self.quotechar + v.replace(self.quotechar, self.quotechar * 2) + self.quotechar
            return v

        return self.delimiter.join(q(v) for v in row) + self.line_terminator

    def _text_columns(self, df: pd.DataFrame) -> list[list[str]]:
        out = []
        for c in range(df.shape[1]):
            s = df.iloc[:, c]
            t = as_text(s)
            if self.decimal == "," and pd.api.types.is_float_dtype(s.dtype):
                t = t.str.replace(".", ",", regex=False)
            out.append(t.tolist())
        return out

    CHUNK_ROWS = 20_000  # rows turned into Python strings at a time: bounds memory for whole-table writes

    def write(self, df: pd.DataFrame) -> None:
        if len(df) > self.CHUNK_ROWS:
            for start in range(0, len(df), self.CHUNK_ROWS):
                self._write(df.iloc[start : start + self.CHUNK_ROWS])
        else:
            self._write(df)

    def _write(self, df: pd.DataFrame) -> None:
        cols = [str(c) for c in df.columns]
        if self.columns is None:
            self.columns = cols
            if self.header:
                try:
                    self.writer.writerow(cols)
                except UnicodeEncodeError:
                    raise self._encode_error(["<header>"], [cols]) from None
        elif cols != self.columns:
            raise UsageError(f"{self.path}: a batch has different columns from the first batch")
        values = self._text_columns(df)
        special: list[int] = []
        if self.unquoted_breaks:
            breaks = self.unquoted_breaks
            for col in values:
                joined = "".join(col)
                if any(b in joined for b in breaks):
                    special.extend(i for i, v in enumerate(col) if any(b in v for b in breaks))
            special = sorted(set(special))
        try:
            if not special:
                self.writer.writerows(zip(*values, strict=True))
            else:
                rows = list(zip(*values, strict=True))
                start = 0
                for i in special:
                    self.writer.writerows(rows[start:i])
                    self.fh.write(self._format_row(list(rows[i])))
                    start = i + 1
                self.writer.writerows(rows[start:])
        except UnicodeEncodeError:
            raise self._encode_error(cols, values) from None
        self.rows += len(df)

    def close(self) -> None:
        try:
            self.fh.flush()
        except UnicodeEncodeError:
            raise InputError(f"{self.path}: a value holds a character {self.encoding} cannot encode") from None
        if not self.final_newline and (self.rows or self.header):
            n = len(self.line_terminator.encode(self.encoding))
            self.raw.seek(-n, io.SEEK_END)
            self.raw.truncate()
        self.fh.detach()
