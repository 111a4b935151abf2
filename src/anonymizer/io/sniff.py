"""Format and CSV dialect detection: which reader, which encoding, which delimiter.

Encodings are decided on the whole file, not a sample: a cp1252 ``é`` on row 900,000
must not be discovered after 899,999 rows were decoded as UTF-8. The scan is a strict
incremental UTF-8 decode in 16 MiB chunks (stops at the first invalid byte), then a check
for the five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) which only latin-1
can hold.

UTF-16 and UTF-32 (Excel's "Unicode text" export, PowerShell redirections) are recognised
first, by their byte-order mark or, without one, by where the NUL bytes of mostly Latin text
fall (every other byte for UTF-16, three bytes in four for UTF-32), then confirmed by a strict
decode of the whole file. Every command reads through here (``anon check`` too, through
:func:`decode_text` for text it holds in memory), so they all read a file the same way.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from anonymizer.errors import InputError, UsageError
from anonymizer.fsfaults import regular_file
from anonymizer.i18n import N_, _
from anonymizer.io.registry import EXTENSIONS

SAMPLE_BYTES = 1 << 20
CHUNK_BYTES = 16 << 20
DELIMITERS = ",;\t|"
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")

UNSUPPORTED = {
    ".xls": N_("old Excel .xls workbooks are not read; save it as .xlsx"),
    ".ods": N_("OpenDocument spreadsheets are not read; save it as .xlsx or .csv"),
    ".json": N_("JSON documents are not read; write one JSON object per line (.jsonl)"),
    ".gz": N_("compressed files are not read; decompress it first"),
    ".zip": N_("zip archives are not read; extract the table first"),
}


def normalize_encoding(name: str) -> str:
    """Canonical codec name (``latin1`` -> ``latin-1``, ``UTF8`` -> ``utf-8``); unknown -> UsageError."""
    try:
        canon = codecs.lookup(name).name
    except LookupError:
        raise UsageError(_('unknown encoding {name!r}').format(name=name)) from None
    return {"iso8859-1": "latin-1", "windows-1252": "cp1252"}.get(canon, canon)


# longest first: the UTF-32 LE mark starts with the UTF-16 LE one
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
WIDE_PROBE_BYTES = 4096


def wide_encoding(head: bytes) -> str | None:
    """``utf-16`` / ``utf-32`` (byte-order mark, which the codec consumes), ``utf-16-le`` /
    ``utf-16-be`` / ``utf-32-le`` / ``utf-32-be`` (no mark, told by the NUL bytes of Latin text),
    or None for a byte-oriented file. The guess must decode ``head`` strictly and read as text."""
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    probe = head[:WIDE_PROBE_BYTES]
    probe = probe[: len(probe) - len(probe) % 4]
    if len(probe) < 4 or b"\x00" not in probe:
        return None
    quarter = len(probe) // 4
    nul = [probe[i::4].count(0) / quarter for i in range(4)]
    if nul[1] > 0.9 and nul[2] > 0.9 and nul[3] > 0.9 and nul[0] < 0.5:
        cand = "utf-32-le"
    elif nul[0] > 0.9 and nul[1] > 0.9 and nul[2] > 0.9 and nul[3] < 0.5:
        cand = "utf-32-be"
    elif nul[1] > 0.5 and nul[3] > 0.5 and nul[0] < 0.1 and nul[2] < 0.1:
        cand = "utf-16-le"
    elif nul[0] > 0.5 and nul[2] > 0.5 and nul[1] < 0.1 and nul[3] < 0.1:
        cand = "utf-16-be"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(cand)("strict").decode(probe, final=False)
    except UnicodeDecodeError:
        return None
    return None if _looks_binary(text) else cand


def _looks_binary(text: str) -> bool:
    """Control characters (other than tab and line breaks) in more than 5 % of the text, or a NUL."""
    if "\x00" in text:
        return True
    ctrl = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r")
    return ctrl > 0.05 * max(1, len(text))


def bom_free(encoding: str, head: bytes) -> str:
    """The codec that writes no byte-order mark for ``encoding`` as found at the start of a file:
    ``utf-16`` after an LE mark -> ``utf-16-le`` (to encode a line terminator, count tail bytes)."""
    if encoding in ("utf-16", "utf-32"):
        little = head.startswith(codecs.BOM_UTF32_LE if encoding == "utf-32" else codecs.BOM_UTF16_LE)
        return f"{encoding}-{'le' if little else 'be'}"
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _check_decodes(path: Path, encoding: str) -> None:
    """A strict decode of the whole file (a UTF-16 guess made on its first bytes must hold to the end)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise InputError(_('{path}: looks like {encoding} text but cannot be decoded as {encoding} (byte offset {value})').format(path=path, encoding=encoding, value=offset + exc.start)) from None
            if not chunk:
                return
            offset += len(chunk)


def decode_text(raw: bytes, *, final: bool = True) -> tuple[str, str]:
    """Text of bytes held in memory (a Markdown file, a notebook, an archive member), the encoding
    decided as :func:`detect_encoding` does for a file: UTF-16/32, UTF-8 (with or without BOM),
    cp1252, latin-1. ``final=False`` when ``raw`` is only the start of the data (a cut character
    at the end is not an error). InputError for binary content or undecodable UTF-16/32."""
    wide = wide_encoding(raw)
    if wide is not None:
        try:
            text = codecs.getincrementaldecoder(wide)("strict").decode(raw, final=final)
        except UnicodeDecodeError as exc:
            raise InputError(_('looks like {wide} text but cannot be decoded as {wide} (byte offset {start})').format(wide=wide, start=exc.start)) from None
        return text.removeprefix("\ufeff"), wide
    if b"\x00" in raw[:65536]:
        raise InputError(_("binary content (NUL bytes), not text"))
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(raw, final=final)
        enc = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        enc = "latin-1" if any(b in raw for b in CP1252_UNDEFINED) else "cp1252"
        text = raw.decode(enc, errors="replace")
    text = text.removeprefix("\ufeff")
    if _looks_binary(text[:65536]):
        raise InputError(_("binary content (control bytes), not text"))
    return text, enc


def _magic_format(head: bytes) -> str | None:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[12:20] == b"\xc2\xea\x81\x60\xb3\x14\x11\xcf":  # SAS7BDAT magic number
        return "sas7bdat"
    if head.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD") or head.startswith(b"HEADER RECORD*******LIBV8"):
        return "xpt"
    if head.startswith(b"<stata_dta>") or (head[:1] in (b"\x71", b"\x72", b"\x73") and head[1:2] in (b"\x01", b"\x02")):
        return "dta"
    if head.startswith((b"$FL2", b"$FL3")):
        return "sav"
    return None


def detect_format(path: str | Path) -> str:
    """Guess the format of ``path`` from its extension, then its first bytes; folders/globs are Parquet parts."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        return "parquet"
    p = Path(path)
    if p.is_dir():
        if any(p.glob("**/*.parquet")) or any(p.glob("**/*.pq")):
            return "parquet"
        raise InputError(_('{p}: is a folder, not a table (only folders of Parquet parts are read)').format(p=p))
    suffix = p.suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if suffix in UNSUPPORTED:
        raise InputError(f"{p}: {_(UNSUPPORTED[suffix])}")
    regular_file(p)  # never open a FIFO or a device: the read would block or never end
    with open(p, "rb") as fh:
        head = fh.read(256)
    magic = _magic_format(head)
    if magic:
        return magic
    if suffix in ("", ".dat", ".data", ".out") or b"\x00" not in head or wide_encoding(head):
        return "csv"
    raise InputError(_('{p}: unknown table format (extension {suffix!r})').format(p=p, suffix=suffix))


def detect_encoding(path: Path, sample: bytes) -> str:
    """UTF-16/32 (see :func:`wide_encoding`, checked on the whole file), else ``utf-8``/``utf-8-sig``
    if the whole file is valid UTF-8, else ``cp1252``, else ``latin-1``."""
    wide = wide_encoding(sample)
    if wide is not None:
        _check_decodes(path, wide)
        return wide
    bom = sample.startswith(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok = True
    has_undefined = False
    bad_at = -1          # offset of the first byte that is not UTF-8
    utf8_before = False  # non-ASCII bytes before it (then they were valid UTF-8)
    utf8_after = False   # a UTF-8 letter after it
    offset = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            final = not chunk
            if utf8_ok:
                try:
                    decoder.decode(chunk, final=final)
                except UnicodeDecodeError as exc:
                    utf8_ok = False
                    bad_at = offset + exc.start
                    utf8_before = _has_non_ascii(path, bad_at)
                    utf8_after = _utf8_letters(chunk[exc.end:])
            elif not utf8_before and not utf8_after and chunk:
                utf8_after = _utf8_letters(chunk)
            if not utf8_ok and not has_undefined and chunk:
                has_undefined = any(b in chunk for b in CP1252_UNDEFINED)
            if utf8_before or utf8_after:
                raise InputError(_('{path}: mixes UTF-8 and another encoding: line {path2} (byte offset {bad_at}) is the first that is not UTF-8; convert the file to one encoding, or give --encoding').format(path=path, path2=_line_of(path, bad_at), bad_at=bad_at))
            if final:
                break
            offset += len(chunk)
    if utf8_ok:
        return "utf-8-sig" if bom else "utf-8"
    return "latin-1" if has_undefined else "cp1252"


#: UTF-8 encodings of the letters and marks of French text (U+00C0-U+017F, ’ « » €, ...): two such
#: bytes in a row are almost never cp1252 text ("Ã©" is itself a UTF-8 "é" misread)
_UTF8_LETTER = re.compile(rb"[\xC3\xC5][\x80-\xBF]|\xC2[\xAB\xBB\xB0]|\xE2\x80[\x98\x99\x9C\x9D\xA6]|\xE2\x82\xAC")


#: ``_UTF8_LETTER`` as (a literal start, the bytes one of which must follow it)
_UTF8_LETTER_STARTS = ((b"\xC3", bytes(range(0x80, 0xC0))), (b"\xC5", bytes(range(0x80, 0xC0))),
                       (b"\xC2", b"\xAB\xBB\xB0"), (b"\xE2\x80", b"\x98\x99\x9C\x9D\xA6"), (b"\xE2\x82", b"\xAC"))


def _utf8_letters(raw: bytes) -> bool:
    """Whether ``raw`` holds a match of ``_UTF8_LETTER``: each literal start found by ``bytes.find``
    (a memchr-speed scan) and only its next byte looked at. Called on the chunks of a file that is
    not UTF-8, where these starts are rare letters (Ã, Å, Â, "â€"); the five regular expressions
    scanned every byte, 3.3 s of the 1M-row extract's sniff (the previous definition is kept in
    tests/io/test_utf8_letters.py)."""
    for start, follow in _UTF8_LETTER_STARTS:
        at = raw.find(start)
        width = len(start)
        while at >= 0:
            if at + width < len(raw) and raw[at + width] in follow:
                return True
            at = raw.find(start, at + 1)
    return False


def _has_non_ascii(path: Path, end: int) -> bool:
    """Whether the first ``end`` bytes (all valid UTF-8) hold a multi-byte character."""
    with open(path, "rb") as fh:
        while end > 0:
            chunk = fh.read(min(CHUNK_BYTES, end))
            if not chunk:
                return False
            if not chunk.isascii():
                return True
            end -= len(chunk)
    return False


def _line_of(path: Path, offset: int) -> int:
    """1-based line number of the byte at ``offset``."""
    lines = 1
    with open(path, "rb") as fh:
        while offset > 0:
            chunk = fh.read(min(CHUNK_BYTES, offset))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _complete_lines(text: str, max_lines: int) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line
    return "".join(lines[:max_lines])


def _consistency(text: str, delim: str, quotechar: str) -> tuple[float, int]:
    """Share of sampled records having the modal field count, and that count."""
    try:
        counts = [len(r) for r in csv.reader(io.StringIO(text), delimiter=delim, quotechar=quotechar) if r]
    except csv.Error:
        return 0.0, 0
    if len(counts) > 1:
        counts = counts[:-1] if text.rstrip("\r\n") != text else counts
    if not counts:
        return 0.0, 0
    mode, n = Counter(counts).most_common(1)[0]
    return n / len(counts), mode


def sniff_delimiter(text: str, quotechar: str = '"') -> str:
    """Pick the delimiter among ``, ; TAB |`` from a text sample.

    Each candidate is scored by parsing the sample with it (quotes respected): the share of
    records having the modal number of fields, and that number. Among candidates that give
    a perfectly regular table of more than one column, the widest wins (a ``;`` file whose
    amounts use decimal commas splits regularly on ``,`` too, but into fewer columns);
    csv.Sniffer breaks ties and decides when no candidate is regular; a one-column file
    gets ``,``.
    """
    sample = _complete_lines(text, 100)
    scores = {d: _consistency(sample, d, quotechar) for d in DELIMITERS}
    try:
        guess: str | None = csv.Sniffer().sniff(sample[:16384], delimiters=DELIMITERS).delimiter
    except csv.Error:
        guess = None
    regular = [d for d in DELIMITERS if scores[d][0] >= 0.99 and scores[d][1] > 1]
    if regular:
        widest = max(scores[d][1] for d in regular)
        tied = [d for d in regular if scores[d][1] == widest]
        return guess if guess in tied else tied[0]
    if guess and scores[guess][1] > 1 and scores[guess][0] >= 0.9:
        return guess
    best = max(DELIMITERS, key=lambda d: (scores[d][1] > 1, scores[d][0], scores[d][1]))
    return best if scores[best][1] > 1 else ","


def sniff_line_terminator(text: str) -> str:
    m = re.search(r"\r\n|\n|\r", text)
    return m.group(0) if m else "\n"


_SEP = "\x1f"  # a unit separator never met in CSV text: joins the sampled cells for one regex pass
_DEC_COMMA = re.compile(r"\x1f[+-]?\d+,\d+(?=\x1f)")  # a literal first character: the scan skips fast
_DEC_DOT = re.compile(r"\x1f[+-]?\d+\.\d+(?=\x1f)")


def sniff_decimal(rows: list[list[str]]) -> str | None:
    """``","`` when numeric-looking cells use decimal commas more than dots; None when no decimals seen."""
    joined = _SEP + _SEP.join(_SEP.join(row) for row in rows) + _SEP
    comma = len(_DEC_COMMA.findall(joined))
    dot = len(_DEC_DOT.findall(joined))
    if comma and comma >= dot:
        return ","
    if dot:
        return "."
    return None


def sniff_quoting(text: str, delim: str, quotechar: str, max_records: int = 20) -> str:
    """``"all"`` when every field of the sampled records is quoted (QUOTE_ALL writers), else ``"minimal"``."""
    quoted_flags: list[bool] = []
    i, n, records = 0, len(text), 0
    at_field_start = True
    in_quotes = False
    while i < n and records < max_records:
        ch = text[i]
        if in_quotes:
            if ch == quotechar:
                if i + 1 < n and text[i + 1] == quotechar:
                    i += 1
                else:
                    in_quotes = False
        elif at_field_start:
            at_field_start = False
            if ch == quotechar:
                quoted_flags.append(True)
                in_quotes = True
            else:
                quoted_flags.append(False)
                continue  # re-read this char as field content (may be a delimiter or newline)
        elif ch == delim:
            at_field_start = True
        elif ch in "\r\n":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            records += 1
            at_field_start = True
        i += 1
    if quoted_flags and all(quoted_flags):
        return "all"
    return "minimal"


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str
    line_terminator: str
    quotechar: str
    quoting: str
    header: list[str]
    decimal: str | None
    final_newline: bool
    bom: bool
    odd_quotes: bool = False
    newlines_in_values: bool = True


def _quote_scan_text(path: Path, quotechar: str, encoding: str) -> tuple[bool, bool]:
    """:func:`quote_scan` on decoded text, for UTF-16/32 files (where a quote's byte value can be
    half of another character)."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    inside = inside_break = False
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            for i, part in enumerate(decoder.decode(chunk, final=not chunk).split(quotechar)):
                inside ^= i > 0
                if inside and not inside_break and ("\n" in part or "\r" in part):
                    inside_break = True
            if not chunk:
                return inside, inside_break


def quote_scan(path: Path, quotechar: str, encoding: str | None = None) -> tuple[bool, bool]:
    """(odd number of quotes, some line break lies inside quotes), from one pass over the bytes.

    * An odd count means a quoted field may be left open: pyarrow would read an
      unterminated quote at the end of a file as one long last cell (a truncated file
      would pass silently), so the reader re-checks strictly.
    * A line break at an odd quote parity lies inside a quoted value; only then does
      pyarrow need ``newlines_in_values=True``, which costs it its parallel chunking
      (RFC 4180 doubled quotes add two, so parity is exact for well-formed files).
    """
    if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
        return _quote_scan_text(path, quotechar, encoding)
    import numpy as np

    q = ord(quotechar)
    total = 0
    inside_break = False
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            n = chunk.count(quotechar.encode("ascii"))
            if (n or total % 2) and not inside_break:  # a chunk may start inside an open quote
                arr = np.frombuffer(chunk, dtype=np.uint8)
                # uint8 cumsum wraps at 256, an even number: parity survives and memory stays 1 byte/byte
                parity = (np.cumsum(arr == q, dtype=np.uint8) + np.uint8(total & 1)) & 1
                breaks = (arr == 10) | (arr == 13)
                inside_break = bool(np.any(parity[breaks]))
            total += n
    return total % 2 == 1, inside_break


def read_sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def decode_sample(sample: bytes, encoding: str) -> str:
    dec = codecs.getincrementaldecoder(encoding)("replace")
    return dec.decode(sample, final=False)


#: while :func:`reused_dialects` is active: dialects already sniffed, by file identity and options
_REUSED: dict[tuple, CsvDialect] | None = None


@contextmanager
def reused_dialects(store: dict[tuple, CsvDialect] | None = None) -> Iterator[None]:
    """Within the block, a file sniffed again (same path, device, inode, size, modification and
    change times, same options) gets its first dialect back instead of a new sniff; ``store``
    keeps them for the next block (the opens of one run's input).

    A sanitize run opens its input three times (a probe for the batch size, pass 1, pass 2) and
    each :func:`sniff_csv` reads the whole file twice (:func:`detect_encoding` and
    :func:`quote_scan`): 0.9 s of a 100,000-row run, none of it inside a timed step."""
    global _REUSED
    outer, _REUSED = _REUSED, (store if store is not None else {} if _REUSED is None else _REUSED)
    try:
        yield
    finally:
        _REUSED = outer


def _identity(path: Path) -> tuple:
    st = os.stat(path)
    return (os.path.abspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def sniff_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    quotechar: str = '"',
) -> CsvDialect:
    """Work out how a CSV file is written; InputError for empty, binary or undecodable files
    (once per file inside :func:`reused_dialects`)."""
    if _REUSED is None:
        return _sniff_csv(path, delimiter=delimiter, encoding=encoding, quotechar=quotechar)
    key = (_identity(path), delimiter, encoding, quotechar)
    if key not in _REUSED:
        _REUSED[key] = _sniff_csv(path, delimiter=delimiter, encoding=encoding, quotechar=quotechar)
    found = _REUSED[key]
    return replace(found, header=list(found.header))  # a copy: a caller may change its own


def _sniff_csv(path: Path, *, delimiter: str | None, encoding: str | None, quotechar: str) -> CsvDialect:
    """:func:`sniff_csv` itself."""
    sample = read_sample(path)
    if not sample:
        raise InputError(_('{path}: empty file (0 bytes)').format(path=path))
    wide = (normalize_encoding(encoding) if encoding else wide_encoding(sample)) or ""
    if not wide.startswith(("utf-16", "utf-32")):
        if b"\x00" in sample[:65536]:
            raise InputError(_('{path}: binary content (NUL bytes), not a text table; check the file and its format').format(path=path))
        ctrl = sum(1 for b in sample[:65536] if b < 32 and b not in (9, 10, 13))
        if ctrl > 0.05 * min(len(sample), 65536):
            raise InputError(_('{path}: binary content (control bytes), not a text table; check the file and its format').format(path=path))
    if encoding:
        enc = normalize_encoding(encoding)
        try:
            codecs.getincrementaldecoder(enc)("strict").decode(sample, final=len(sample) < SAMPLE_BYTES)
        except UnicodeDecodeError as exc:
            raise InputError(_('{path}: cannot be decoded as {enc} (byte offset {start}); try another --encoding').format(path=path, enc=enc, start=exc.start)) from None
    else:
        enc = detect_encoding(path, sample)
    bom = sample.startswith(codecs.BOM_UTF8)
    if enc == "utf-8" and bom:
        enc = "utf-8-sig"
    text = decode_sample(sample, enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    if wide.startswith(("utf-16", "utf-32")) and _looks_binary(text[:65536]):
        raise InputError(_('{path}: binary content (control characters), not a text table; check the file and its format').format(path=path))
    if not text.strip("\r\n"):
        raise InputError(_('{path}: no header line (the file holds only blank lines)').format(path=path))
    delim = delimiter if delimiter is not None else sniff_delimiter(text, quotechar)
    if delim in ("\\t", "tab", "TAB"):
        delim = "\t"
    if len(delim) != 1:
        raise UsageError(_('delimiter must be one character, got {delim!r}').format(delim=delim))
    lines = _complete_lines(text, 300) if len(sample) == SAMPLE_BYTES else text
    try:
        rows = list(csv.reader(io.StringIO(lines), delimiter=delim, quotechar=quotechar))
    except csv.Error as exc:
        raise InputError(_('{path}: malformed CSV near the start of the file ({exc})').format(path=path, exc=exc)) from None
    rows = [r for r in rows if r]
    if not rows:
        raise InputError(_('{path}: no header line').format(path=path))
    header = rows[0]
    odd, quoted_break = quote_scan(path, quotechar, enc)
    plain = bom_free(enc, sample)
    newlines = ("\n".encode(plain), "\r".encode(plain))
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 2 * len(newlines[0])))
        tail = fh.read()
    return CsvDialect(
        encoding=enc,
        delimiter=delim,
        line_terminator=sniff_line_terminator(text),
        quotechar=quotechar,
        quoting=sniff_quoting(text, delim, quotechar),
        header=header,
        decimal=sniff_decimal(rows[1:]),
        final_newline=tail.endswith(newlines),
        bom=bom or (enc in ("utf-16", "utf-32") and sample.startswith(tuple(b for b, _ in _WIDE_BOMS))),
        odd_quotes=odd,
        newlines_in_values=odd or quoted_break,
    )
