"""Every table a file holds, read honestly: what cannot be decoded or parsed is an error, never a pass.

* Text is decoded as every other command decodes it (``anonymizer.io.sniff``: UTF-16/32 with
  or without a byte-order mark, UTF-8, cp1252): Excel's "Unicode text" export is read, not
  scanned as cp1252 noise.
* Workbooks are opened once and read sheet by sheet within the file's time budget. Sheets
  that share their header row are one table split across sheets (a month or a commune per
  sheet): they are checked together, so k counts every sheet's rows and 300 small sheets cost
  one scan; a sheet whose values do not look like the same columns in the other sheets (a
  column of names or numbers where the others hold codes) is checked alone as well.
* ``.gz`` / ``.bz2`` / ``.xz``, ``.zip`` and ``.tar`` archives are opened member by member
  (two levels deep: a workbook or a ``.csv.gz`` inside a zip) into a private temporary
  folder, within the decompressed-size budget; links and devices inside are not read.
* ``.json`` documents holding records or columns are tables too.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from anonymizer.check.budget import Budget
from anonymizer.check.extract import (
    Embedded,
    _frame,
    delimited_table,
    json_tables,
    markdown_tables,
    notebook_tables,
)
from anonymizer.check.walk import UNSUPPORTED_FORMATS, kind_of, read_as
from anonymizer.errors import AnonError, InputError
from anonymizer.i18n import _

STREAM_ABOVE_BYTES = 200 * 1024 * 1024  # as anon scan: larger tables are sampled in one streaming pass
SAMPLE_ROWS = 20_000
TEXT_PROBE_BYTES = 1 << 16
ARCHIVE_MAX_DEPTH = 2                   # an archive, and an archive inside it (a .csv.gz in a .zip)
GROUP_MAX_ROWS = 1_000_000              # sheets stacked into one table up to this many rows
ODD_SHARE = 0.3                         # a sheet's column differs from the group's by more than this share


@dataclass
class Note:
    """Something about a file that is not a table: an archive member skipped (``note``) or unreadable (``error``)."""

    location: str
    message: str
    level: str = "note"


Item = Embedded | Note


def _budget(budget: Budget | None) -> Budget:
    return budget if budget is not None else Budget(float("inf"))


def probe_text(path: Path, size: int = TEXT_PROBE_BYTES) -> str | None:
    """The start of a file as text (decoded as the readers do), or None when it is binary."""
    from anonymizer.io.sniff import decode_text

    with open(path, "rb") as fh:
        head = fh.read(size)
    try:
        return decode_text(head, final=len(head) < size)[0]
    except InputError:
        return None


def _text(path: Path) -> str:
    from anonymizer.io.sniff import decode_text

    return decode_text(path.read_bytes())[0]


def iter_tables(path: Path, kind: str, budget: Budget | None = None, *, depth: int = 0,
                name: str | None = None) -> Iterator[Item]:
    """Every table a file holds, with where it sits (and notes on what was skipped).

    ``name`` is the name the file had (an archive member extracted under a temporary name).
    Raises AnonError when the file cannot be read, ``BudgetExceeded`` when it takes too long.
    """
    budget = _budget(budget)
    name = name or path.name
    if kind == "notebook":
        yield from notebook_tables(_text(path))
        return
    if kind == "markdown":
        yield from markdown_tables(_text(path))
        return
    if kind == "json":
        yield from json_document_tables(_text(path))
        return
    if kind == "archive":
        yield from archive_tables(path, budget, depth=depth, name=name)
        return
    if kind == "unsupported":
        raise InputError(UNSUPPORTED_FORMATS.get(Path(name).suffix.lower(), "a format anon cannot read"))
    from anonymizer.io.sniff import EXTENSIONS, detect_format

    if kind in ("text-table", "unknown"):  # checked only when it is delimited text
        text = probe_text(path)
        if text is None:
            yield Note("", "binary content: not a format anon reads (not checked)")
            return
        lines = text.splitlines()[:50]
        if delimited_table(lines[:-1] if len(lines) > 1 else lines) is None:
            return
        fmt = "csv"
    else:
        fmt = EXTENSIONS.get(Path(read_as(name)).suffix.lower()) or detect_format(path)
    if fmt == "xlsx":
        yield from workbook_tables(path, budget)
        return
    if path.stat().st_size == 0:
        return
    if path.stat().st_size > STREAM_ABOVE_BYTES:
        yield sampled_table(path, fmt)
        return
    from anonymizer.io import read_table

    try:
        table = read_table(path, fmt=fmt)
    except AnonError:
        if fmt != "csv":
            raise
        # the strict reader refuses what a spreadsheet happily writes (a title above the header,
        # duplicate column names, ragged rows); a gate must still look inside
        df = lenient_csv(path)
        if df is None:
            raise
        yield Embedded(df, "read leniently (not a clean CSV)", None)
        return
    yield Embedded(table.df, f"{fmt} table" if kind != "table" else "", 1)


def sampled_table(path: Path, fmt: str, sample_rows: int = SAMPLE_ROWS) -> Embedded:
    """A table too large to load: a uniform row sample for the scan (one streaming pass), and
    a loader of whole columns for the risk rules, which read the key quasi-identifiers only."""
    from anonymizer.detect.scan import sample_batches
    from anonymizer.engine.stream_risk import read_columns
    from anonymizer.io import iter_batches

    _, batches = iter_batches(path, batch_rows=200_000, fmt=fmt)
    sample, total, row_numbers = sample_batches(batches, sample_rows)
    return Embedded(sample, f"{fmt} table, {len(sample):,} of {total:,} rows sampled", 1, total_rows=total,
                    row_numbers=row_numbers,
                    load_columns=lambda cols: read_columns(path, cols, batch_rows=200_000))


def lenient_csv(path: Path, max_bytes: int = 64 << 20) -> pd.DataFrame | None:
    """A delimited text read the forgiving way: sniffed delimiter, the first row as wide as most rows is
    the header, short rows padded, long rows cut, duplicate names numbered. None if it is no table.
    Decoded as every command decodes (UTF-16/32, UTF-8, cp1252); binary content raises InputError."""
    import csv
    import io
    from collections import Counter

    from anonymizer.io.sniff import decode_text

    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    text, _ = decode_text(raw[:max_bytes], final=len(raw) <= max_bytes)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    best = None
    for delim in (";", ",", "\t", "|"):
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        width, count = Counter(len(r) for r in rows).most_common(1)[0]
        if width >= 2 and (best is None or count > best[0] or (count == best[0] and width > best[1])):
            best = (count, width, rows)
    if best is None:
        return None
    _, width, rows = best
    start = next(i for i, r in enumerate(rows) if len(r) == width)
    return _frame(rows[start], [r[:width] for r in rows[start + 1:]])


# --------------------------------------------------------------------------- JSON documents


def json_document_tables(text: str) -> Iterator[Embedded]:
    """Tables in a JSON document: at its top level, else records or a ``split`` table one level down
    (``{"results": [{...}, ...]}``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(_('not valid JSON (line {lineno})').format(lineno=exc.lineno)) from None
    frames = json_tables(data)
    if frames:
        for df in frames:
            yield Embedded(df, "JSON data", 1)
        return
    if isinstance(data, dict):  # one level down, only what is unmistakably rows (a codebook keyed by
        for key, value in data.items():  # column name is documentation, not a table of its columns)
            rows = isinstance(value, list) and value and all(isinstance(r, dict) for r in value)
            split = isinstance(value, dict) and isinstance(value.get("data"), list) and (
                "columns" in value or "schema" in value)
            if rows or split:
                for df in json_tables(value):
                    yield Embedded(df, f"JSON key '{key}'", None)


# --------------------------------------------------------------------------- workbooks


@dataclass
class _Sheet:
    """One sheet: a clean table kept as rows (frames are built once, for the stack or the odd sheet), or the
    lenient reading of a sheet that is not one."""

    title: str
    header: list[str]
    rows: list[list[str]]
    lenient: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        from anonymizer.io.formats import _frame as text_frame

        return self.lenient if self.lenient is not None else text_frame(self.header, self.rows)


def _sheet(title: str, rows: list[list[str]]) -> _Sheet | None:
    """The sheet as ``anon``'s reader reads it when it is a clean table (header on the first row, unique
    names, nothing beyond the header); else leniently (a title above the header, notes beside it: the
    header is the first row as wide as the widest row). None for an empty sheet."""
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return None
    header = list(rows[0])
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    if header and len(set(header)) == width and not any(any(r[width:]) for r in rows[1:]):
        return _Sheet(title, header, [r[:width] + [""] * (width - len(r)) for r in rows[1:]])
    rows = [r for r in rows if any(c != "" for c in r)]
    wide = max(sum(c != "" for c in r) for r in rows)
    start = next(i for i, r in enumerate(rows) if sum(c != "" for c in r) >= max(2, wide - 1) or wide < 2)
    df = _frame(rows[start], rows[start + 1:])
    return _Sheet(title, [str(c) for c in df.columns], [], df) if len(df.columns) else None


def workbook_tables(path: Path, budget: Budget | None = None) -> Iterator[Embedded]:
    """Every sheet of a workbook, the workbook opened once (openpyxl's read-only mode re-parses every
    sheet's dimensions on each load: re-opening it per sheet made 300 sheets take minutes)."""
    from anonymizer.io.formats import (
        NO_CACHED_VALUE,
        _no_cached_value,
        _open_workbook,
        _sheet_rows,
        cell_text,
    )

    budget = _budget(budget)
    wb = _open_workbook(path)
    sheets: list[_Sheet] = []
    try:
        worksheets = wb.worksheets
        for i, ws in enumerate(worksheets):
            budget.check(f"{i} of {len(worksheets)} sheets read")
            rows = []
            for r in _sheet_rows(ws):  # a formula with no stored value is refused, never read as empty
                if NO_CACHED_VALUE in r:
                    raise _no_cached_value(path, ws.title, f"row {len(rows) + 1}",
                                           [f"column {i + 1}" for i, v in enumerate(r) if v is NO_CACHED_VALUE])
                rows.append([cell_text(v) for v in r])
                if len(rows) % 5000 == 0:
                    budget.check()
            sheet = _sheet(ws.title, rows)
            if sheet is not None:
                sheets.append(sheet)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputError(_('not a readable XLSX workbook ({name})').format(name=type(exc).__name__)) from None
    finally:
        wb.close()
    budget.progress = f"{len(sheets)} sheets read"
    yield from group_sheets(sheets)


def _location(names: list[str]) -> str:
    if len(names) <= 3:
        return "sheets " + ", ".join(f"'{n}'" for n in names) + " (same columns, checked as one table)"
    return f"sheets '{names[0]}' to '{names[-1]}' ({len(names)} sheets with the same columns, checked as one table)"


def group_sheets(sheets: list[_Sheet]) -> Iterator[Embedded]:
    """Sheets sharing a header row as one stacked table (plus the odd sheets alone), the others one by one,
    in workbook order."""
    from anonymizer.io.formats import _frame as text_frame

    groups: dict[tuple[str, ...], list[int]] = {}
    for i, sh in enumerate(sheets):
        if sh.lenient is None and sh.rows:
            groups.setdefault(tuple(sh.header), []).append(i)
    grouped = {i: members for members in groups.values() if len(members) > 1 for i in members}
    done: set[int] = set()
    for i, sh in enumerate(sheets):
        if i in done:
            continue
        members = grouped.get(i)
        if not members or sum(len(sheets[j].rows) for j in members) > GROUP_MAX_ROWS:
            yield Embedded(sh.frame, f"sheet '{sh.title}'", None)
            continue
        done.update(members)
        stacked = text_frame(sh.header, [r for j in members for r in sheets[j].rows])
        sizes = [len(sheets[j].rows) for j in members]
        yield Embedded(stacked, _location([sheets[j].title for j in members]), None)
        for k in odd_sheets(stacked, sizes):
            j = members[k]
            yield Embedded(sheets[j].frame, f"sheet '{sheets[j].title}' (also alone: its values differ from the "
                                            "same columns in the other sheets)", None)


_FEATURES = {
    "long digits": r".*\d(?:[ .\-/]?\d){8,}.*",     # NIR, phone, IBAN, record numbers
    "e-mail": r".*\S@\S.*",
    "date": r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}.*|(19|20)\d{6}",
    "5-character code": r"\d[\dAB]\d{3}",
    "sentence": r"\S+(?:\s+\S+){4,}",
    "alphabetic": r"[^\W\d_][^\d]*",
}


def _name_share(values: pd.Series) -> np.ndarray:
    """Per value: every word is in the scan's first-name or surname lists (names pasted in one sheet)."""
    try:
        from anonymizer.detect.scan import _fold, _name_lists
    except ImportError:  # pragma: no cover - the scan's lists are part of the package
        return np.zeros(len(values), dtype=bool)
    first, last = _name_lists()
    codes, uniques = pd.factorize(values)
    hits = np.array([bool(words) and all(w in first or w in last for w in words)
                     for words in (_fold(str(u)).replace("-", " ").split() for u in uniques)], dtype=bool)
    return hits[codes] if len(hits) else np.zeros(len(values), dtype=bool)


def odd_sheets(stacked: pd.DataFrame, sizes: list[int]) -> list[int]:
    """Sheets (indices into ``sizes``, the row counts of the sheets stacked in ``stacked``) where some
    column's values differ from that column across all sheets: the share of values of one shape (long
    digit runs, e-mails, dates, 5-character codes, sentences, words, names from the name lists) is off
    by more than ``ODD_SHARE``. Stacking dilutes such a sheet (one sheet of names among 300 of codes),
    so it is checked alone too."""
    sheet_of = np.repeat(np.arange(len(sizes)), sizes)
    odd: set[int] = set()
    for col in stacked.columns:
        text = stacked[col].astype(str).str.strip()
        filled = (text != "").to_numpy()
        if not filled.any():
            continue
        owners = sheet_of[filled]
        values = text[filled].reset_index(drop=True)
        count = np.bincount(owners, minlength=len(sizes))
        hits = {name: values.str.fullmatch(rx).fillna(False).to_numpy(dtype=bool) for name, rx in _FEATURES.items()}
        hits["names"] = _name_share(values)
        for hit in hits.values():
            overall = hit.mean()
            share = np.bincount(owners, weights=hit.astype(float), minlength=len(sizes)) / np.maximum(count, 1)
            odd.update(int(k) for k in np.flatnonzero((count > 0) & (np.abs(share - overall) > ODD_SHARE)))
    return sorted(odd)


# --------------------------------------------------------------------------- archives

_TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_STREAMS: dict[str, Callable[[Path], IO[bytes]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_CORRUPT = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError, ValueError)


def _members(path: Path, name: str) -> Iterator[tuple[str, Callable[[], IO[bytes]] | tuple[str, str]]]:
    """(member name, opener) for each regular member, or (name, (reason, level)) for one not read."""
    low = name.lower()
    if low.endswith(_TAR_SUFFIXES):
        try:
            tf = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by the with block below
        except _CORRUPT:
            raise InputError(_("not a readable tar archive")) from None
        with tf:
            for m in tf:
                if m.isdir():
                    continue
                if not m.isreg():
                    yield m.name, ("a link or special file inside the archive: not read", "note")
                    continue
                yield m.name, (lambda m=m: tf.extractfile(m))
        return
    suffix = Path(low).suffix
    if suffix in _STREAMS:
        inner = name[: -len(suffix)] or "member"
        yield inner, (lambda: _STREAMS[suffix](path))
        return
    try:
        zf = zipfile.ZipFile(path)
    except _CORRUPT:
        raise InputError(_("not a readable zip archive")) from None
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield info.filename, ("a symbolic link inside the archive: not followed", "note")
            elif info.flag_bits & 0x1:
                yield info.filename, ("encrypted: cannot be read, so not checked", "error")
            else:
                yield info.filename, (lambda info=info: zf.open(info))


def _copy(src: IO[bytes], dst: IO[bytes], budget: Budget) -> None:
    while block := src.read(1 << 20):
        budget.consume(len(block))
        budget.check()
        dst.write(block)


def archive_tables(path: Path, budget: Budget, *, depth: int = 0, name: str | None = None) -> Iterator[Item]:
    """Every table of every member, located ``member 'data/x.csv', sheet 'S1'``; each member is extracted to a
    private temporary folder (0700, removed at the end) under a generated name, so no member name is
    ever used as a path."""
    name = name or path.name
    if depth >= ARCHIVE_MAX_DEPTH:
        yield Note("", "an archive nested too deep: not opened, so not checked", "error")
        return
    with tempfile.TemporaryDirectory(prefix="anon-check-") as tmp:
        for i, (member, opener) in enumerate(_members(path, name)):
            where = f"member '{member}'"
            budget.check(f"{where} of {name}")
            if isinstance(opener, tuple):
                yield Note(where, *opener)
                continue
            kind = kind_of(Path(member).name)
            if kind is None:
                continue
            suffix = Path(read_as(Path(member).name)).suffix.lower()
            target = Path(tmp) / f"member-{i}{suffix}"
            try:
                with opener() as src, open(target, "wb") as dst:
                    _copy(src, dst, budget)
            except _CORRUPT:
                raise InputError(_('{where}: corrupt or truncated compressed data').format(where=where)) from None
            try:
                for item in iter_tables(target, kind, budget, depth=depth + 1, name=Path(member).name):
                    loc = f"{where}, {item.location}" if item.location else where
                    if isinstance(item, Note):
                        yield Note(loc, item.message, item.level)
                    else:
                        item.location = loc
                        yield item
            except AnonError as exc:
                msg = str(exc)
                msg = msg.split(": ", 1)[1] if msg.startswith(str(target)) and ": " in msg else msg
                yield Note(where, f"cannot be read: {msg}", "error")
            finally:
                target.unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
