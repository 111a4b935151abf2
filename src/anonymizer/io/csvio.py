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
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _
from anonymizer.io.meta import TableMeta, check_unique_names
from anonymizer.io.sniff import CsvDialect, sniff_csv
from anonymizer.values.text import FEW_ROWS, as_text, text_matrix


def _check_header(path: Path, header: list[str]) -> None:
    check_unique_names(path, header)


def _arrow_encoding(enc: str) -> str:
    return "utf8" if enc in ("utf-8", "utf-8-sig") else enc


def _options(d: CsvDialect, *, use_threads: bool = True, block_size: int = 1 << 22, newlines: bool | None = None):
    read = pacsv.ReadOptions(
        use_threads=use_threads,
        block_size=block_size,
        column_names=d.header,
        skip_rows_after_names=1,  # the header is a CSV record: a quoted line break stays in its name
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
        # large_string: the layout pandas' Arrow-backed str dtype uses, so to_pandas shares buffers
        column_types={c: pa.large_string() for c in d.header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
        check_utf8=True,
    )
    return read, parse, convert


def _locate_problem(path: Path, d: CsvDialect) -> str | None:
    """Re-read with the csv module to name the first bad line (error path only, never on success)."""
    n = len(d.header)
    limit = csv.field_size_limit(MAX_BLOCK_BYTES)  # a long cell is not a malformed line
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
                    return _("line {start} has {fields} fields, the header has {n} (ragged rows)").format(start=start, fields=len(row), n=n)
    except UnicodeDecodeError as exc:
        return _("cannot be decoded as {encoding} (byte offset {offset}); try another --encoding").format(encoding=d.encoding, offset=exc.start)
    except csv.Error:
        return _("malformed CSV at line {line} (unbalanced quote?)").format(line=prev_line + 1)
    finally:
        csv.field_size_limit(limit)
    return None


def _raise_read_error(path: Path, d: CsvDialect, exc: BaseException) -> None:
    # pyarrow messages quote the offending row: never pass them on (they hold raw values).
    msg = str(exc)
    if isinstance(exc, UnicodeDecodeError) or "invalid UTF8" in msg or "UTF8" in msg:
        problem = _locate_problem(path, d) or ""
        if "decoded" not in problem:
            problem = _("cannot be decoded as {encoding}; try another --encoding").format(encoding=d.encoding)
        raise InputError(f"{path}: {problem}") from None
    raise InputError(f"{path}: {_locate_problem(path, d) or _('malformed CSV')}") from None


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
    except (pa.ArrowException, UnicodeDecodeError) as exc:
        if d.newlines_in_values and not _too_long(exc):
            raise
    block = 1 << 22
    while True:
        read, parse, convert = _options(d, newlines=True, block_size=block)
        try:
            return pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            if not _too_long(exc) or block >= MAX_BLOCK_BYTES:
                raise
            block = min(block * 8, MAX_BLOCK_BYTES)


#: the largest block pyarrow is asked to parse at once: a record (a row with its quoted line
#: breaks) longer than this is refused; shorter ones are read whatever their size
MAX_BLOCK_BYTES = 1 << 30


def _too_long(exc: BaseException) -> bool:
    """pyarrow's error for a record longer than its block ("straddling object ... block size")."""
    return "straddl" in str(exc).lower() or "block size" in str(exc).lower()


def _empty(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=str) for c in header})


def iter_csv(
    path: Path, d: CsvDialect, meta: TableMeta, *, batch_rows: int
) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    def batches(block_size: int) -> Iterator[pa.RecordBatch]:
        read, parse, convert = _options(d, block_size=block_size)
        try:
            reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            if _too_long(exc):
                raise
            _raise_read_error(path, d, exc)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowException, UnicodeDecodeError) as exc:
                if _too_long(exc):
                    raise
                _raise_read_error(path, d, exc)
            yield batch

    def record_batches() -> Iterator[pa.RecordBatch]:
        """The file's batches; a record longer than the block is read again with bigger blocks,
        skipping the rows already given (the same rows: the file is read the same way)."""
        # 1 MiB blocks: same speed as 4 MiB, but the reader's read-ahead holds ~130 MB instead of ~320 MB.
        block, done = 1 << 20, 0
        while True:
            seen = 0
            try:
                for batch in batches(block):
                    if seen + batch.num_rows > done:
                        part = batch.slice(max(0, done - seen))
                        done += part.num_rows
                        yield part
                    seen += batch.num_rows
                return
            except (pa.ArrowException, UnicodeDecodeError) as exc:
                if block >= MAX_BLOCK_BYTES:
                    raise InputError(_('{path}: a record is longer than {value} MiB, the largest anon reads').format(path=path, value=MAX_BLOCK_BYTES >> 20)) from None
                del exc
                block = min(block * 8, MAX_BLOCK_BYTES)

    def gen() -> Iterator[pd.DataFrame]:
        # streaming cannot retry after yielding: it always takes the safe path when quotes hide line breaks.
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        yielded = False
        for batch in record_batches():
            pending.append(batch)
            pending_rows += batch.num_rows
            del batch
            while pending_rows >= batch_rows:
                # drop every Arrow reference before yielding: memory = one batch, not two or three
                table = pa.Table.from_batches(pending)
                pending = []
                df = _to_pandas(table.slice(0, batch_rows))
                rest = table.slice(batch_rows)
                del table
                pending, pending_rows = rest.to_batches(), rest.num_rows
                del rest
                yielded = True
                yield df
                del df
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


QUOTING = ("minimal", "all")
_L = pa.large_string()
# C1 controls (U+0080-U+009F): latin-1 encodes them, cp1252 cannot (it puts € Œ ’ there). Searched in
# the UTF-8 bytes, where they are \xc2 + 0x80-0x9F: a literal first byte lets the regex skip fast.
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def _cp1252_fallback(exc: UnicodeEncodeError) -> tuple[bytes, int]:
    """Error handler: the characters latin-1 lacks but cp1252 has (€ Œ œ ’ …), strictly via cp1252."""
    return exc.object[exc.start : exc.end].encode("cp1252"), exc.end


codecs.register_error("anon-cp1252", _cp1252_fallback)


def encode_utf8_as(data: bytes, encoding: str) -> bytes:
    """Transcode UTF-8 ``data`` to ``encoding`` (strict), with fast paths for ASCII and cp1252.

    Python's cp1252 codec is a charmap (several times slower than latin-1's C encoder).
    cp1252 is latin-1 except in 0x80-0x9F, so encode as latin-1 and let an error handler
    encode the few characters only cp1252 has; text holding C1 control characters (which
    latin-1 would accept but cp1252 cannot hold) goes through the strict codec so that
    errors stay exact.
    """
    wide = encoding.replace("_", "-").lower().startswith(("utf-16", "utf-32"))
    if data.isascii() and not wide:  # ASCII is the same bytes in every byte-oriented encoding anon writes
        return data
    text = data.decode("utf-8")
    if encoding == "cp1252" and not _C1_UTF8.search(data):
        return text.encode("latin-1", errors="anon-cp1252")
    return text.encode(encoding)


def encode_text(text: str, encoding: str) -> bytes:
    """``text.encode(encoding)`` (strict), with the fast paths of :func:`encode_utf8_as`.

    Python's cp1252 codec is a charmap (about 10x slower than latin-1's C encoder). cp1252
    is latin-1 except in 0x80-0x9F, so encode as latin-1 and let an error handler encode the
    few characters only cp1252 has; C1 control characters (which latin-1 would accept but
    cp1252 cannot hold) go through the strict codec so that errors stay exact.
    """
    return encode_utf8_as(text.encode("utf-8"), encoding)  # lone surrogates: UnicodeEncodeError, as the codec


class CsvSink:
    """Writes batches as CSV in the given dialect to a binary file object.

    Formatting is vectorised with Arrow compute (quote where needed, join the columns of
    each row, append the line terminator) and the joined bytes are taken straight from the
    Arrow buffer, then transcoded once per chunk: about an order of magnitude faster than
    the csv module's per-cell work. Quoting follows the csv module's QUOTE_MINIMAL (a
    field is quoted when it holds the delimiter, the quote character or a line break;
    quotes are doubled; a lone empty field is written ``""``) or QUOTE_ALL.
    """

    CHUNK_ROWS = 50_000  # rows formatted at a time: bounds memory for whole-table writes

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
            raise UsageError(_('quoting must be one of {QUOTING}, got {quoting!r}').format(QUOTING=', '.join(QUOTING), quoting=quoting))
        if len(delimiter) != 1:
            raise UsageError(_('delimiter must be one character, got {delimiter!r}').format(delimiter=delimiter))
        if len(quotechar) != 1 or quotechar == delimiter:
            raise UsageError(_("quotechar must be one character, different from the delimiter"))
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(_('unknown encoding {encoding!r}').format(encoding=encoding)) from None
        self.raw = raw
        self.path = path
        self.delimiter, self.quotechar, self.line_terminator = delimiter, quotechar, line_terminator
        self.quote_all = quoting == "all"
        self.needs_quote = "[" + re.escape(delimiter + quotechar) + "\r\n]"
        self.special_bytes = [c.encode("utf-8") for c in (delimiter, quotechar, "\r", "\n")]
        self.decimal = decimal
        self.header = header
        self.final_newline = final_newline
        self.columns: list[str] | None = None
        self.rows = 0
        self.bytes_written = 0
        self._wide: codecs.IncrementalEncoder | None = None

    # -- encoding ---------------------------------------------------------------------------
    def _encode(self, text_utf8: bytes | memoryview) -> bytes:
        if self.encoding in ("utf-8", "utf-8-sig"):
            out = bytes(text_utf8)
            if self.encoding == "utf-8-sig" and self.bytes_written == 0:
                out = codecs.BOM_UTF8 + out
            return out
        if self.encoding.startswith(("utf-16", "utf-32")):  # "utf-16" writes a byte-order mark: once, at the start
            if self._wide is None:
                self._wide = codecs.getincrementalencoder(self.encoding)("strict")
            return self._wide.encode(bytes(text_utf8).decode("utf-8"))
        return encode_utf8_as(bytes(text_utf8), self.encoding)

    def _encode_error(self, cols: list[str], values: list[list[str]]) -> InputError:
        enc = self.encoding
        for name, col in zip(cols, values, strict=True):
            try:
                "".join(col).encode(enc)
            except UnicodeEncodeError:
                for i, v in enumerate(col):
                    try:
                        v.encode(enc)
                    except UnicodeEncodeError:
                        return InputError(
                            _('{path}: column {name!r} (row {value}) holds a character {enc} cannot encode; write utf-8 (--encoding utf-8) or transform that column').format(path=self.path, name=name, value=self.rows + i + 1, enc=enc)
                        )
        return InputError(_('{path}: a column name holds a character {enc} cannot encode').format(path=self.path, enc=enc))

    # -- formatting -------------------------------------------------------------------------
    def _quote_one(self, v: str, lone: bool) -> str:
        q = self.quotechar
        if self.quote_all or (lone and v == "") or any(c in v for c in (self.delimiter, q, "\r", "\n")):
            return q + v.replace(q, q + q) + q
        return v

    def _header_line(self, cols: list[str]) -> str:
        lone = len(cols) == 1
        return self.delimiter.join(self._quote_one(c, lone) for c in cols) + self.line_terminator

    def _arrow_column(self, s: pd.Series) -> pa.Array:
        t = as_text(s)
        if self.decimal == "," and pd.api.types.is_float_dtype(s.dtype):
            t = t.str.replace(".", ",", regex=False)
        arr = pa.array(t, from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return pc.fill_null(arr.cast(_L), "")

    def _quoted(self, arr: pa.Array, lone: bool) -> pa.Array:
        q = pa.scalar(self.quotechar, type=_L)
        empty = pa.scalar("", type=_L)
        if not self.quote_all:
            if not (lone and pc.any(pc.equal(arr, empty)).as_py()):
                # memchr over the column's bytes: most columns hold no delimiter, quote or line break
                _, offsets_buf, data_buf = arr.buffers()
                offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
                raw = bytes(memoryview(data_buf)[offsets[0] : offsets[-1]]) if data_buf is not None else b""
                if not any(raw.find(b) >= 0 for b in self.special_bytes):
                    return arr
            needs = pc.match_substring_regex(arr, pattern=self.needs_quote)
            if lone:  # the csv module writes a row made of one empty field as "" (else it would be a blank line)
                needs = pc.or_(needs, pc.equal(arr, empty))
        escaped = pc.binary_join_element_wise(q, pc.replace_substring(arr, self.quotechar, self.quotechar * 2), q, empty)
        return escaped if self.quote_all else pc.if_else(needs, escaped, arr)

    def write(self, df: pd.DataFrame) -> None:
        if len(df) > self.CHUNK_ROWS:
            for start in range(0, len(df), self.CHUNK_ROWS):
                self._write(df.iloc[start : start + self.CHUNK_ROWS])
        else:
            self._write(df)

    def _emit(self, data: bytes | memoryview, cols: list[str],
              values: Callable[[], list[list[str]]] | None) -> None:
        """Write ``data`` (UTF-8) in the output encoding; ``values`` gives the batch's cells by
        column, for the message naming the first that the encoding cannot hold."""
        try:
            out = self._encode(data)
        except UnicodeEncodeError:
            if values is None:
                raise self._encode_error(["<header>"], [cols]) from None
            raise self._encode_error(cols, values()) from None
        self.raw.write(out)
        self.bytes_written += len(out)

    def _write(self, df: pd.DataFrame) -> None:
        cols = [str(c) for c in df.columns]
        if self.columns is None:
            self.columns = cols
            if self.header:
                self._emit(self._header_line(cols).encode("utf-8"), cols, None)
        elif cols != self.columns:
            raise UsageError(_('{path}: a batch has different columns from the first batch').format(path=self.path))
        if len(df) == 0 or not cols:
            return
        if len(df) <= FEW_ROWS and self._write_few(df, cols):
            self.rows += len(df)
            return
        arrays = [self._arrow_column(df.iloc[:, j]) for j in range(df.shape[1])]
        lone = len(arrays) == 1
        parts = [self._quoted(a, lone) for a in arrays]
        # the line terminator rides on the last column: one join over all the data instead of two
        parts[-1] = pc.binary_join_element_wise(
            parts[-1], pa.scalar(self.line_terminator, type=_L), pa.scalar("", type=_L)
        )
        delim = pa.scalar(self.delimiter, type=_L)
        lines = pc.binary_join_element_wise(*parts, delim) if len(parts) > 1 else parts[0]
        _validity, offsets_buf, data_buf = lines.buffers()
        offsets = np.frombuffer(offsets_buf, dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
        self._emit(memoryview(data_buf)[offsets[0] : offsets[-1]], cols, lambda: [a.to_pylist() for a in arrays])
        self.rows += len(df)

    def _write_few(self, df: pd.DataFrame, cols: list[str]) -> bool:
        """A batch of few rows (a wide short table) formatted in Python from its text matrix:
        Arrow's per-column conversions cost ~0.4 ms a column, more than its few cells. The same
        bytes as the Arrow path (same text, same quoting); False, and nothing written, for text
        that is not valid Unicode (the Arrow path then says what it says)."""
        texts = text_matrix(df)
        if self.decimal == ",":
            for j, dtype in enumerate(df.dtypes):
                if pd.api.types.is_float_dtype(dtype):
                    texts[:, j] = [t.replace(".", ",") for t in texts[:, j]]
        lone = len(cols) == 1
        quote, delim, end = self._quote_one, self.delimiter, self.line_terminator
        rows = texts.tolist()
        try:
            data = "".join(delim.join([quote(v, lone) for v in row]) + end for row in rows).encode("utf-8")
        except UnicodeEncodeError:
            return False
        self._emit(data, cols, lambda: [list(col) for col in zip(*rows, strict=True)])
        return True

    def close(self) -> None:
        if not self.final_newline and self.bytes_written:
            # the terminator's own bytes, without the byte-order mark a utf-16/32 codec would add
            n = len(self.line_terminator.encode(self.encoding)) - len("".encode(self.encoding))
            self.raw.seek(-n, io.SEEK_END)
            self.raw.truncate()
