"""Dates: parsing the French administrative formats, and ``shift_dates``.

``shift_dates`` moves every date of a person by one keyed offset: ``HMAC(key, person id)`` ->
a whole number of days in ``[-max_days, +max_days]`` (never 0). All the date columns of a
row use the row's person key, so intervals inside the row — the age gaps between children,
birth to file opening — survive exactly, while the calendar position is hidden (the
"date shifting" of the HIPAA-style de-identification literature, e.g. Hripcsak et al.,
JAMIA 2016). Month-only values (``AAAAMM``, ``MM/AAAA``) move by ``round(offset / 30.4375)``
months and year-only values by ``round(offset / 365.25)`` years, so they stay consistent
with each other too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from anonymizer.errors import PolicyError
from anonymizer.transform.base import (
    PERSON_ID,
    Stream,
    TransformContext,
    from_text,
    prf,
    require_key,
    subkey,
    to_text,
)

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
_MONTH_NUM = {m: i + 1 for i, m in enumerate(MONTHS_FR)}
_MONTH_NUM.update({"fevrier": 2, "aout": 8, "decembre": 12})


@dataclass(frozen=True)
class ParsedDate:
    """A parsed value and how to write it back. ``kind``: dmy (JJ/MM/AAAA), ymd (ISO,
    AAAA/MM/JJ, AAAAMMJJ), ym (AAAAMM, AAAA-MM), my (MM/AAAA), text (12 mars 1985), y (AAAA)."""

    kind: str
    y: int
    m: int = 1
    d: int = 1
    sep: str = ""
    tail: str = ""
    upper: bool = False

    def with_ymd(self, y: int, m: int, d: int) -> str:
        return format_date(self, y, m, d)


_RX = [
    ("dmy", re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")),
    ("ymd", re.compile(r"(\d{4})([-/]?)(\d{2})\2(\d{2})([T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\S*)?")),
    ("ym", re.compile(r"(\d{4})(-?)(\d{2})")),
    ("my", re.compile(r"(\d{1,2})([/.-])(\d{4})")),
    ("text", re.compile(r"(\d{1,2})(er)? ([^\W\d_]+)\.? (\d{4})", re.IGNORECASE)),
    ("y", re.compile(r"(\d{4})")),
]


def parse_date(value: str) -> ParsedDate | None:
    """Parse one value in a supported format; ``None`` when it is not a valid date."""
    s = value.strip()
    for kind, rx in _RX:
        m = rx.fullmatch(s)
        if not m:
            continue
        try:
            if kind == "dmy":
                p = ParsedDate("dmy", int(m.group(4)), int(m.group(3)), int(m.group(1)), sep=m.group(2))
            elif kind == "ymd":
                p = ParsedDate("ymd", int(m.group(1)), int(m.group(3)), int(m.group(4)), sep=m.group(2),
                               tail=m.group(5) or "")
            elif kind == "ym":
                p = ParsedDate("ym", int(m.group(1)), int(m.group(3)), 1, sep=m.group(2))
            elif kind == "my":
                p = ParsedDate("my", int(m.group(3)), int(m.group(1)), 1, sep=m.group(2))
            elif kind == "text":
                mon = _MONTH_NUM.get(m.group(3).casefold())
                if mon is None:
                    return None
                p = ParsedDate("text", int(m.group(4)), mon, int(m.group(1)), tail=m.group(2) or "",
                               upper=m.group(3).isupper())
            else:
                p = ParsedDate("y", int(m.group(1)))
            dt.date(p.y, p.m, p.d)
        except ValueError:
            return None
        if not 1000 <= p.y <= 2999:
            return None
        return p
    return None


def format_date(p: ParsedDate, y: int, m: int, d: int) -> str:
    """Write ``y-m-d`` in the format ``p`` was read in."""
    if p.kind == "dmy":
        return f"{d:02d}{p.sep}{m:02d}{p.sep}{y:04d}"
    if p.kind == "ymd":
        return f"{y:04d}{p.sep}{m:02d}{p.sep}{d:02d}{p.tail}"
    if p.kind == "ym":
        return f"{y:04d}{p.sep}{m:02d}"
    if p.kind == "my":
        return f"{m:02d}{p.sep}{y:04d}"
    if p.kind == "text":
        name = MONTHS_FR[m - 1]
        day = "1er" if (d == 1 and p.tail) else str(d)
        return f"{day} {name.upper() if p.upper else name} {y:04d}"
    return f"{y:04d}"


def year_month(value: str) -> tuple[int, int | None] | None:
    """(year, month or None) of a date value: what a fake NIR needs from a birth date."""
    p = parse_date(value)
    if p is None:
        return None
    return p.y, (None if p.kind == "y" else p.m)


# ---------------------------------------------------------------- person keys

#: When the pipeline gives no ``__person_id__``, the first of these entities present in the
#: row context keys the person (the foyer's file number first: one offset per file).
PERSON_ENTITIES = ("CAF_NUMBER", "CAF_MATRICULE", "NIR", "FR_TAX_ID", "RECORD_ID", "IBAN", "EMAIL", "PHONE")


def person_ids(params: dict, context: TransformContext, action: str, *, required: bool = True) -> pd.Series | None:
    """The row-aligned person key: ``params['person_column']``, else ``__person_id__``, else the
    shortest-named column of the first entity of ``PERSON_ENTITIES`` in the row context.
    Never the row index: an index is not the same person in another file."""
    rc = context.row_context
    col = params.get("person_column")
    if rc is not None:
        if col and col in rc.columns:
            return to_text(rc[col])
        if col:
            raise PolicyError(f"{action} on column {context.column!r}: person_column {col!r} is not available")
        if PERSON_ID in rc.columns:
            return to_text(rc[PERSON_ID])
        for ent in PERSON_ENTITIES:
            cands = [c for c in rc.columns if context.entities.get(c) == ent]
            if cands:
                return to_text(rc[min(cands, key=lambda c: (len(str(c)), str(c)))])
    if required:
        raise PolicyError(
            f"{action} on column {context.column!r} needs a person key: the pipeline gives "
            f"{PERSON_ID}, or set params.person_column, or keep an identifier column "
            f"({', '.join(PERSON_ENTITIES[:4])}...) in the table"
        )
    return None


def person_offsets(pids: pd.Series, key: bytes, max_days: int) -> np.ndarray:
    """Days to add per row: one keyed draw per distinct person id, in ±[1, max_days]."""
    if max_days < 1:
        raise PolicyError("shift_dates: max_days must be at least 1")
    sk = subkey(key, "shift_dates")
    codes, uniques = pd.factorize(pids, use_na_sentinel=False)
    offs = np.empty(len(uniques), dtype=np.int64)
    for i, u in enumerate(uniques):
        s = Stream(prf(sk, str(u)))
        v = s.between(1, max_days)
        offs[i] = v if s.below(2) else -v
    return offs[codes]


# ---------------------------------------------------------------- the action


def _shift_one(p: ParsedDate, days: int) -> str:
    if p.kind in ("ym", "my"):
        months = int(round(days / 30.4375))
        total = p.y * 12 + (p.m - 1) + months
        return format_date(p, total // 12, total % 12 + 1, 1)
    if p.kind == "y":
        return format_date(p, p.y + int(round(days / 365.25)), 1, 1)
    d = dt.date(p.y, p.m, p.d) + dt.timedelta(days=int(days))
    return format_date(p, d.year, d.month, d.day)


def shift_dates(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Shift every date by its person's keyed offset (see module doc).

    Params: ``max_days`` (180), ``person_column`` (see ``person_ids``), ``on_error``
    (``suppress`` — default, unparseable values become missing so nothing unshifted leaks —
    or ``error``). Text formats: JJ/MM/AAAA (and - . separators), ISO (with time), AAAA/MM/JJ,
    AAAAMMJJ, AAAAMM, MM/AAAA, "12 mars 1985", AAAA. datetime64 columns shift natively.
    """
    key = require_key(key, "shift_dates")
    max_days = int(params.get("max_days", 180))
    pids = person_ids(params, context, "shift_dates")
    if len(pids) != len(series):
        raise PolicyError(f"shift_dates on column {context.column!r}: row context is not row-aligned")
    offsets = person_offsets(pids.reset_index(drop=True), key, max_days)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series + pd.to_timedelta(offsets, unit="D").to_numpy()
    text = to_text(series)
    on_error = params.get("on_error", "suppress")
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    parsed = [parse_date(u) if u else None for u in uniques]
    bad = [i for i, (u, p) in enumerate(zip(uniques, parsed, strict=True)) if u and p is None]
    if bad and on_error == "error":
        n = int(np.isin(codes, bad).sum())
        raise PolicyError(f"shift_dates on column {context.column!r}: {n} value(s) are not dates in a known format")
    cache: dict[tuple[int, int], str] = {}
    out = []
    for c, off in zip(codes.tolist(), offsets.tolist(), strict=True):
        p = parsed[c]
        if p is None:
            out.append("")
            continue
        k = (c, off)
        r = cache.get(k)
        if r is None:
            r = cache[k] = _shift_one(p, off)
        out.append(r)
    return from_text(series, out, numeric=False if not pd.api.types.is_numeric_dtype(series.dtype) else None)
