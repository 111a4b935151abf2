"""Tables hidden in documents: Jupyter notebook outputs and text blocks in Markdown / R Markdown / Quarto.

Course material leaks people through more than data files: ``df.head()`` saved in a notebook's
output, a CSV excerpt pasted in a ``.qmd`` chunk, a pipe table in a README. Each extractor turns
those into plain all-text DataFrames with a location a person can find again (notebook cell and
output, Markdown line), so they go through the same rules as any table.

Only the standard library parses (``html.parser``, ``csv``, ``json``): no lxml, nothing executed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pandas as pd

from anonymizer.errors import InputError
from anonymizer.i18n import _

MIN_COLUMNS = 2
MIN_ROWS = 3  # for blocks that are not declared as csv/tsv: header + data rows, all lines
DELIMITERS = (",", ";", "\t", "|")
TABULAR_LANGS = {"csv": ",", "tsv": "\t", "psv": "|", "ssv": ";"}


@dataclass
class Embedded:
    """One table found inside a document."""

    df: pd.DataFrame
    location: str          # e.g. "cell 4, output 1 (text/html)" or "lines 12-18 (```csv block)"
    line: int | None = None  # 1-based line in the document where the table starts, when known
    kind: str = "table"    # "table", or "text": printed lines that are no table (one column "text")
    ner: bool = True       # False for Markdown pipe tables: documentation prose, where NER finds "names" everywhere
    # a table too large to load: ``df`` is a uniform row sample of ``total_rows`` rows, and
    # ``load_columns(cols)`` reads those columns over every row (the risk rules need them)
    total_rows: int | None = None
    load_columns: Callable[[list[str]], pd.DataFrame] | None = None
    # columns holding the line number on every row of that table (a sample cannot show it)
    row_numbers: frozenset[str] = frozenset()


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _printed(text: str, location: str, line: int | None) -> Embedded | None:
    """Printed output that is not a table (``print(df.NIR.tolist())``, a traceback quoting a value)."""
    lines = [ln for ln in _ANSI.sub("", text).splitlines() if ln.strip()]
    return Embedded(pd.DataFrame({"text": lines}, dtype=str), location, line, "text") if lines else None


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """All-text frame; duplicate or empty header names are made unique (``col``, ``col.1``, ``column_3``)."""
    width = max([len(header)] + [len(r) for r in rows]) if rows or header else 0
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(width):
        name = (header[i] if i < len(header) else "").strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    data = [[(r[i] if i < len(r) else "").strip() for i in range(width)] for r in rows]
    return pd.DataFrame(data, columns=names, dtype=str) if names else pd.DataFrame()


def _drop_default_index(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Drop a leading index column when it is the default 0..n-1 RangeIndex (it says nothing about anyone)."""
    if name in df.columns:
        values = df[name].tolist()
        if values and all(v.isdigit() for v in values):
            ints = [int(v) for v in values]
            gaps = sum(b != a + 1 for a, b in zip(ints, ints[1:], strict=False))
            # 0..n-1, or its head and tail around pandas' "..." (one gap)
            if ints[0] in (0, 1) and all(b > a for a, b in zip(ints, ints[1:], strict=False)) and gaps <= 1:
                return df.drop(columns=[name])
    return df


def _drop_ellipsis(df: pd.DataFrame) -> pd.DataFrame:
    """Remove pandas' truncation markers: a ``...`` row and a ``...`` column."""
    if df.empty:
        return df
    dots = df.apply(lambda col: col.str.fullmatch(_DOTS.pattern))
    df = df.loc[~dots.all(axis=1)]
    keep = [c for c in df.columns if not _DOTS.match(str(c))]
    return df[keep].reset_index(drop=True)


# --------------------------------------------------------------------------- HTML tables


class _TableParser(HTMLParser):
    """Collect every ``<table>`` as rows of (is_header_cell, text, in_thead)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[bool, list[tuple[bool, str]]]]] = []
        self._stack: list[list[tuple[bool, list[tuple[bool, str]]]]] = []
        self._row: list[tuple[bool, str]] | None = None
        self._cell: list[str] | None = None
        self._cell_th = False
        self._colspan = 1
        self._in_thead = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append([])
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
            self._cell_th = tag == "th"
            span = dict(attrs).get("colspan") or "1"
            self._colspan = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            text = re.sub(r"\s+", " ", "".join(self._cell).replace("\xa0", " ")).strip()
            self._row.extend([(self._cell_th, text)] * max(1, min(self._colspan, 1000)))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._stack[-1].append((self._in_thead, self._row))
            self._row = None
        elif tag == "thead":
            self._in_thead = False
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[pd.DataFrame]:
    """Every ``<table>`` of an HTML fragment as an all-text DataFrame (pandas' ``to_html`` layout aware).

    The header is the ``<thead>`` rows (joined per column when there are several, as for a
    MultiIndex) or, without ``<thead>``, the first row when it is made of ``<th>`` cells. A row
    index rendered as ``<th>`` is kept as a column (an index can be a NIR) unless it is 0..n-1.
    """
    parser = _TableParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # malformed markup: take what was parsed
        pass
    frames = []
    for rows in parser.tables:
        head = [cells for in_head, cells in rows if in_head]
        body = [cells for in_head, cells in rows if not in_head]
        if not head and body and all(is_th for is_th, _ in body[0]):
            head, body = [body[0]], body[1:]
        if not body:
            continue
        index_cols = 0
        while body and all(len(r) > index_cols and r[index_cols][0] for r in body) and index_cols < 5:
            index_cols += 1
        width = max(len(r) for r in body)
        header = [""] * width
        for hrow in head:
            texts = [t for _, t in hrow]
            # pandas writes index names in a last header row that only fills the index cells
            if len(texts) <= width and all(t == "" for t in texts[index_cols:]) and any(texts[:index_cols]):
                for i in range(index_cols):
                    header[i] = header[i] or texts[i]
                continue
            offset = width - len(texts) if len(texts) < width else 0
            for i, t in enumerate(texts):
                j = i + offset
                if j < width and t:
                    header[j] = f"{header[j]} {t}".strip() if header[j] and header[j] != t else t
        for i in range(index_cols):
            header[i] = header[i] or ("index" if index_cols == 1 else f"index_{i}")
        df = _drop_ellipsis(_frame(header, [[t for _, t in r] for r in body]))
        if index_cols == 1 and len(df.columns):
            df = _drop_default_index(df, df.columns[0])
        frames.append(df)
    return [f for f in frames if len(f.columns) >= 1 and len(f) >= 1]


# --------------------------------------------------------------------------- pandas text reprs

_FOOTER = re.compile(r"^\[\d+ rows x \d+ columns\]$")
_SPLIT2 = re.compile(r"\s{2,}")
_LEADING = re.compile(r"\S+(?: \S+)*")
_DOTS = re.compile(r"^(\.{2,}|…)$")


def _merge_spans(tokens: list[tuple[int, int]], body: list[str]) -> list[tuple[int, int]]:
    """Group header words into column names: a word ends a column when no body value crosses its end."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, (a, b) in enumerate(tokens):
        start = a if start is None else start
        last = i == len(tokens) - 1
        if last or all(len(ln) <= b or ln[b] == " " for ln in body):
            spans.append((start, b))
            start = None
    return spans


def _repr_block(lines: list[str]) -> pd.DataFrame | None:
    """One block of a DataFrame ``repr``: right-aligned columns whose header ends mark each column's end."""
    header = lines[0].rstrip().rstrip("\\").rstrip()
    body_lines = [ln.rstrip().rstrip("\\") for ln in lines[1:] if ln.strip()]
    # a header word's end is a column end when every body line has a space right after it
    # (pandas right-aligns both names and values; a name with a space has a value under its gap)
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", header)]
    spans = _merge_spans(tokens, body_lines)
    if len(spans) < 1 or len(lines) < 2:
        return None
    body = [ln.rstrip() for ln in lines[1:] if ln.strip()]
    # a second header line holding only index names (``df.set_index("NIR")``): left-aligned at column 0
    index_name = ""
    if body and body[0][:1] not in (" ", "") and len(_SPLIT2.split(body[0].strip())) == 1 and len(body) > 1:
        index_name = body[0].strip()
        body = body[1:]
    if not body or spans[0][0] == 0:
        return None
    ends = [e for _, e in spans]
    # the index is left-aligned from column 0; its width is that of the widest index value
    idx_end = 0
    for ln in body:
        m = _LEADING.match(ln)
        if m is None:
            return None
        idx_end = max(idx_end, m.end())
    if idx_end >= ends[0]:
        return None
    rows = []
    for ln in body:
        if len(ln) > ends[-1] and ln[ends[-1]:].strip():  # ragged: not a repr
            return None
        cells = [ln[:idx_end].strip(), ln[idx_end:ends[0]].strip()]
        cells += [ln[a:b].strip() for a, b in zip(ends, ends[1:], strict=False)]
        rows.append(cells)
    names = [index_name or "index"] + [header[s:e] for s, e in spans]
    df = _drop_ellipsis(_frame(names, rows))
    return _drop_default_index(df, df.columns[0]) if len(df.columns) else df


def text_tables(text: str) -> list[pd.DataFrame]:
    """DataFrames printed as text (``print(df)``, a ``text/plain`` output), including wrapped wide frames.

    A wide frame is printed as several blocks whose header lines end with ``\\``; blocks with the
    same number of rows are joined side by side. A printed Series (one record, ``df.iloc[0]``) becomes
    a one-row table.
    """
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if not _FOOTER.match(ln.strip())]
    blocks: list[list[str]] = []
    cur: list[str] = []
    for ln in lines:
        if ln.strip():
            cur.append(ln)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    frames: list[pd.DataFrame] = []
    pending: pd.DataFrame | None = None
    for block in blocks:
        wrapped = block[0].rstrip().endswith("\\")
        df = _repr_block(block) if len(block) >= 2 else None
        if df is None:
            series = _series_block(block)
            if series is not None:
                frames.append(series)
            pending = None
            continue
        df = _drop_ellipsis(df)
        if pending is not None and len(pending) == len(df):
            df = pd.concat([pending, df.drop(columns=[c for c in df.columns if c in pending.columns])], axis=1)
        pending = df if wrapped else None
        if not wrapped:
            frames.append(df)
    if pending is not None:
        frames.append(pending)
    return [f for f in frames if len(f.columns) >= MIN_COLUMNS and len(f) >= 1]


def _series_block(block: list[str]) -> pd.DataFrame | None:
    """``name    value`` lines ending with ``Name: ..., dtype: ...``: a record printed vertically."""
    if not block or not block[-1].strip().startswith(("Name:", "dtype:")):
        return None
    pairs = []
    for ln in block[:-1]:
        parts = _SPLIT2.split(ln.strip(), maxsplit=1)
        if len(parts) != 2:
            return None
        pairs.append(parts)
    if len(pairs) < MIN_COLUMNS:
        return None
    return _frame([k for k, _ in pairs], [[v for _, v in pairs]])


# --------------------------------------------------------------------------- JSON data


def json_tables(data: object) -> list[pd.DataFrame]:
    """Tables in JSON data: a list of records, ``{"columns", "data"}`` (pandas split orient),
    ``{"schema", "data"}`` (table schema / ``application/vnd.dataresource+json``) or a dict of columns."""
    def text(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)

    if isinstance(data, dict):
        if isinstance(data.get("data"), list) and ("schema" in data or "columns" in data):
            rows = data["data"]
            if rows and isinstance(rows[0], list) and isinstance(data.get("columns"), list):
                return [_frame([text(c) for c in data["columns"]], [[text(v) for v in r] for r in rows])]
            return json_tables(rows)
        cols = {k: v for k, v in data.items() if isinstance(v, (list, dict))}
        if len(cols) >= MIN_COLUMNS and len(cols) == len(data):
            series = {k: (list(v.values()) if isinstance(v, dict) else v) for k, v in cols.items()}
            n = max(len(v) for v in series.values())
            if n and all(len(v) == n for v in series.values()):
                return [_frame(list(series), [[text(series[k][i]) for k in series] for i in range(n)])]
        return []
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        names: list[str] = []
        for r in data:
            for k in r:
                if k not in names:
                    names.append(str(k))
        return [_frame(names, [[text(r.get(k)) for k in names] for r in data])]
    return []


# --------------------------------------------------------------------------- notebooks


def _joined(value: object) -> str:
    return "".join(value) if isinstance(value, list) else (value if isinstance(value, str) else "")


def notebook_tables(raw: bytes | str) -> Iterator[Embedded]:
    """Tables in a Jupyter notebook: outputs (``text/html``, ``*json``, ``text/plain``, printed streams)
    and pipe/CSV tables written in Markdown cells. Cells are numbered from 1 as in the file."""
    try:
        nb = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(_('not a valid notebook (JSON error at line {exc})').format(exc=getattr(exc, 'lineno', '?'))) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        raise InputError(_("not a valid notebook (no 'cells' list)"))
    cells = nb.get("cells")
    if cells is None:  # nbformat 3
        cells = [c for ws in nb.get("worksheets", []) for c in ws.get("cells", [])]
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    # line of each cell in the file (nbformat writes one key per line), for SARIF regions
    cell_lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r'(?<!\\)"cell_type"\s*:', text)]
    for ci, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        line = cell_lines[ci - 1] if len(cell_lines) == len(cells) else None
        if cell.get("cell_type") == "markdown":
            for emb in markdown_tables(_joined(cell.get("source"))):
                yield Embedded(emb.df, f"cell {ci} (markdown, {emb.location})", line, ner=emb.ner)
            continue
        if cell.get("cell_type") == "code":
            for sdf, _unused in string_tables(_joined(cell.get("source"))):
                yield Embedded(sdf, f"cell {ci} (code, text in a string)", line)
        for oi, out in enumerate(cell.get("outputs") or [], start=1):
            if not isinstance(out, dict):
                continue
            where = f"cell {ci}, output {oi}"
            if out.get("output_type") in ("stream", "error"):
                text = _joined(out.get("text")) if out.get("output_type") == "stream" else "\n".join(
                    [str(out.get("evalue") or "")] + [str(t) for t in out.get("traceback") or []])
                frames = text_tables(text)
                for df in frames:
                    yield Embedded(df, f"{where} (printed text)", line)
                if not frames and (emb := _printed(text, f"{where} (printed text)", line)) is not None:
                    yield emb
                continue
            data = out.get("data") or {}
            if not isinstance(data, dict):
                continue
            found = False
            if "text/html" in data:
                for df in html_tables(_joined(data["text/html"])):
                    found = True
                    yield Embedded(df, f"{where} (text/html table)", line)
            for mime, value in data.items():
                if found or not (mime == "application/json" or mime.endswith("+json")):
                    continue
                payload = value
                if isinstance(value, (str, list)) and not (isinstance(value, list) and value and isinstance(value[0], dict)):
                    try:
                        payload = json.loads(_joined(value))
                    except json.JSONDecodeError:
                        continue
                for df in json_tables(payload):
                    found = True
                    yield Embedded(df, f"{where} ({mime})", line)
            if not found and "text/plain" in data:
                frames = text_tables(_joined(data["text/plain"]))
                for df in frames:
                    yield Embedded(df, f"{where} (text/plain)", line)
                if not frames and (emb := _printed(_joined(data["text/plain"]), f"{where} (text/plain)", line)):
                    yield emb


# --------------------------------------------------------------------------- data pasted in code

_STRING = re.compile(r'(?s)("""|\'\'\'|"|\')(.*?)(?<!\\)\1')


def string_tables(code: str) -> Iterator[tuple[pd.DataFrame, int]]:
    """CSV pasted in a multi-line string literal (``pd.read_csv(io.StringIO(\"\"\"nom,tel ...\"\"\"))``,
    R's ``read.csv(text = "...")``): (table, line offset of the string in the code)."""
    for m in _STRING.finditer(code):
        text = m.group(2)
        if text.count("\n") < 2:
            continue
        lines = [ln.strip() for ln in text.replace("\\n", "\n").split("\n")]
        df = delimited_table(lines)
        if df is not None and len(df) >= 1:
            yield df, code.count("\n", 0, m.start())


# --------------------------------------------------------------------------- Markdown / Rmd / Quarto

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _lang(info: str) -> str:
    """``{r}``, ``{python echo=FALSE}``, ``csv title="x"`` -> ``r``, ``python``, ``csv``."""
    info = info.strip().lstrip("{").lstrip(".")
    m = re.match(r"[A-Za-z0-9_+-]+", info)
    return m.group(0).lower() if m else ""


def delimited_table(lines: list[str], delimiter: str | None = None, *, min_rows: int = MIN_ROWS) -> pd.DataFrame | None:
    """Parse lines as a delimited table when they are one: same field count (≥ 2) on every line.

    ``delimiter`` None tries ``, ; TAB |`` and keeps the one that splits every line alike;
    ``min_rows`` counts every line, the header included.
    """
    lines = [ln for ln in lines if ln.strip()]
    if len(lines) < max(min_rows, 2):
        return None
    for delim in ([delimiter] if delimiter else DELIMITERS):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        except csv.Error:
            continue
        if len(rows) != len(lines):  # a quoted field spanning lines: still fine if consistent
            pass
        widths = {len(r) for r in rows}
        if len(widths) == 1 and widths.pop() >= MIN_COLUMNS:
            if delim == "|" and all(r[0].strip() == "" and r[-1].strip() == "" for r in rows):
                rows = [r[1:-1] for r in rows]
                if len(rows[0]) < MIN_COLUMNS:
                    continue
            return _frame(rows[0], rows[1:])
    return None


def _pipe_table(lines: list[str]) -> pd.DataFrame | None:
    """A Markdown pipe table: header, ``|---|:--:|`` separator, rows."""
    def split(ln: str) -> list[str]:
        s = ln.strip()
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|") and not s.endswith("\\|"):
            s = s[:-1]
        return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", s)]

    header = split(lines[0])
    rows = [split(ln) for ln in lines[2:]]
    if len(header) < MIN_COLUMNS or not rows:
        return None
    return _frame(header, rows)


def markdown_tables(text: str) -> Iterator[Embedded]:
    """CSV/TSV fenced blocks (any size), other fenced blocks and pipe tables that parse as a delimited
    table with ≥ 2 columns and ≥ 3 lines, and R console output is left alone (it is code, not data)."""
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    n = len(lines)
    while i < n:
        m = _FENCE.match(lines[i])
        if m:
            fence = m.group("fence")
            lang = _lang(m.group("info"))
            start = i
            j = i + 1
            while j < n and not re.match(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
                j += 1
            body = lines[start + 1 : j]
            label = f"lines {start + 1}-{min(j + 1, n)} (```{lang or ' '} block)".replace("``` ", "```")
            if lang in TABULAR_LANGS:
                # declared data: the declared delimiter, else any (a French "csv" uses ";"), else lenient
                df = delimited_table(body, TABULAR_LANGS[lang], min_rows=2)
                if df is None:
                    df = delimited_table(body, min_rows=2)
                if df is None:
                    rows = list(csv.reader(io.StringIO("\n".join(ln for ln in body if ln.strip())),
                                           delimiter=TABULAR_LANGS[lang]))
                    df = _frame(rows[0], rows[1:]) if len(rows) >= 2 else None
            else:
                df = delimited_table(body)
                if df is None:  # a printed data frame (knitr output "## ", reprex "#> ", or plain)
                    printed = [re.sub(r"^(## |#> )", "", ln) for ln in body]
                    frames = text_tables("\n".join(printed)) if len(printed) >= 2 else []
                    df = frames[0] if frames else None
            if df is not None and len(df.columns) >= MIN_COLUMNS and len(df) >= 1:
                yield Embedded(df, label, start + 2)
            elif df is None:
                for sdf, offset in string_tables("\n".join(body)):
                    yield Embedded(sdf, f"{label}, text in a string", start + 2 + offset)
            i = j + 1
            continue
        if "|" in lines[i] and i + 1 < n and _PIPE_SEP.match(lines[i + 1]) and "-" in lines[i + 1]:
            j = i + 2
            while j < n and lines[j].strip() and "|" in lines[j]:
                j += 1
            block = lines[i:j]
            df = _pipe_table(block)
            if df is not None and len(block) >= MIN_ROWS:
                yield Embedded(df, f"lines {i + 1}-{j} (pipe table)", i + 1, ner=False)
            i = j
            continue
        i += 1
