"""``shift_dates``: every date of a person moved by one keyed offset (parsing: :mod:`anonymizer.values.dates`).

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
import hashlib
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from anonymizer.detect.entities import PERSON_KEY_ENTITIES
from anonymizer.errors import PolicyError
from anonymizer.i18n import _, ngettext
from anonymizer.settings import ActionParams
from anonymizer.transform.base import (
    PERSON_ID,
    LastResult,
    Stream,
    TransformContext,
    from_text,
    prf,
    require_key,
    subkey,
    to_text,
)
from anonymizer.values.dates import PIVOT, DateForm, FrDate, parse_date, render_date


def year_month(value: str) -> tuple[int, int | None] | None:
    """(year, month or None) of a date value: what a fake NIR needs from a birth date."""
    p = parse_date(value)
    if p is None:
        return None
    return p.year, (None if p.precision == "year" else p.month)


# ---------------------------------------------------------------- person keys

#: When the pipeline gives no ``__person_id__``, the first of these entities present in the
#: row context keys the person (the foyer's file number first: one offset per file).
PERSON_ENTITIES = PERSON_KEY_ENTITIES


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
            raise PolicyError(_('{action} on column {column!r}: person_column {col!r} is not available').format(action=action, column=context.column, col=col))
        if PERSON_ID in rc.columns:
            return to_text(rc[PERSON_ID])
        for ent in PERSON_ENTITIES:
            cands = [c for c in rc.columns if context.entities.get(c) == ent]
            if cands:
                return to_text(rc[min(cands, key=lambda c: (len(str(c)), str(c)))])
    if required:
        raise PolicyError(
            _('{action} on column {column!r} needs a person key: the pipeline gives {PERSON_ID}, or set params.person_column, or keep an identifier column ({items}...) in the table').format(action=action, column=context.column, PERSON_ID=PERSON_ID, items=', '.join(PERSON_ENTITIES[:4]))
        )
    return None


_OFFSETS: dict[tuple[bytes, int], dict[str, int]] = {}
_OFFSETS_MAX = 2_000_000
_LAST_ROWS = LastResult()  # the last row-aligned offsets: the next date column of the batch reuses them


def person_offsets(pids: pd.Series, key: bytes, max_days: int) -> np.ndarray:
    """Days to add per row: one keyed draw per distinct person id, in ±[1, max_days].

    Draws are cached per (key, max_days) across calls: a table has a dozen date columns and
    they all read the same person ids.
    """
    if max_days < 1:
        raise PolicyError(_("shift_dates: max_days must be at least 1"))
    sk = subkey(key, "shift_dates")
    fp = (sk, max_days, len(pids), hashlib.sha256(
        pd.util.hash_pandas_object(pids, index=False).to_numpy().tobytes()).digest())
    last = _LAST_ROWS.get(fp)
    if last is not None:
        return last
    cache = _OFFSETS.setdefault((sk, max_days), {})
    codes, uniques = pd.factorize(pids, use_na_sentinel=False)
    offs = np.empty(len(uniques), dtype=np.int64)
    get = cache.get
    if len(cache) + len(uniques) > _OFFSETS_MAX:
        cache.clear()
    for i, u in enumerate(uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)):
        u = str(u)
        v = get(u)
        if v is None:
            s = Stream(prf(sk, u))
            v = s.between(1, max_days)
            v = v if s.below(2) else -v
            cache[u] = v
        offs[i] = v
    rows = offs[codes]
    rows.setflags(write=False)
    _LAST_ROWS.put(fp, rows)
    return rows


def clear_caches() -> None:
    """Forget the per-person offsets (called at the end of a run)."""
    _OFFSETS.clear()
    _LAST_ROWS.clear()


# ---------------------------------------------------------------- the action

def _unit(p: FrDate) -> int:
    """Position of a value on its own scale: day ordinal, month index or year."""
    if p.precision == "day":
        return dt.date(p.year, p.month, p.day).toordinal()
    if p.precision == "month":
        return p.year * 12 + p.month - 1
    return p.year


def _step(precision: str, days: np.ndarray) -> np.ndarray:
    """The offset in the value's own unit (days, whole months, whole years)."""
    if precision == "day":
        return days
    if precision == "month":
        return np.floor(days / 30.4375 + 0.5).astype(np.int64)
    return np.floor(days / 365.25 + 0.5).astype(np.int64)


def _write(form: DateForm, unit: int) -> str:
    if form.precision == "day":
        d = dt.date.fromordinal(int(unit))
        return render_date(form, d.year, d.month, d.day)
    if form.precision == "month":
        return render_date(form, int(unit) // 12, int(unit) % 12 + 1, 1)
    return render_date(form, int(unit))


class ShiftDatesParams(ActionParams):
    """``shift_dates`` parameters (see the function); checked when the policy loads."""

    action: ClassVar[str] = "shift_dates"
    max_days: int = Field(180, ge=1)
    person_column: str | None = None
    on_error: Literal["suppress", "error"] = "suppress"


def shift_dates(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Shift every date by its person's keyed offset (see module doc).

    Params: ``max_days`` (180), ``person_column`` (see ``person_ids``), ``on_error``
    (``suppress`` — default, unparseable values become missing so nothing unshifted leaks —
    or ``error``). Text: every form of :mod:`anonymizer.values.dates` (JJ/MM/AAAA, JJ/MM/AA,
    ISO with or without a time, AAAAMMJJ, AAAAMM, MM/AAAA, "12 mars 1985", AAAA), each written
    back in its own form. datetime64 columns shift natively.
    Vectorised: values are parsed once per distinct value, shifted with numpy, and written
    once per distinct result.
    """
    key = require_key(key, "shift_dates")
    max_days = int(params.get("max_days", ShiftDatesParams.field_default("max_days")))
    pids = person_ids(params, context, "shift_dates")
    if len(pids) != len(series):
        raise PolicyError(_('shift_dates on column {column!r}: row context is not row-aligned').format(column=context.column))
    offsets = person_offsets(pids.reset_index(drop=True), key, max_days)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series + pd.to_timedelta(offsets, unit="D").to_numpy()
    text = to_text(series)
    on_error = params.get("on_error", ShiftDatesParams.field_default("on_error"))
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    parsed = [parse_date(u) if u else None for u in uniques]
    bad = np.array([bool(u) and p is None for u, p in zip(uniques, parsed, strict=True)], dtype=bool)
    if bad.any() and on_error == "error":
        n = int(bad[codes].sum())
        raise PolicyError(ngettext('shift_dates on column {column!r}: {n} value(s) are not dates in a known format',
                                   'shift_dates on column {column!r}: {n} value(s) are not dates in a known format',
                                   n).format(column=context.column, n=n))
    # one "style" per distinct way of writing (its DateForm), one unit per value
    styles: dict[DateForm, int] = {}
    style_of = np.full(len(uniques), -1, dtype=np.int64)
    unit_of = np.zeros(len(uniques), dtype=np.int64)
    for i, p in enumerate(parsed):
        if p is not None:
            style_of[i] = styles.setdefault(p.form, len(styles))
            unit_of[i] = _unit(p)
    style_list = list(styles)
    row_style = style_of[codes]
    new_unit = unit_of[codes].copy()
    for s_id, sig in enumerate(style_list):
        m = row_style == s_id
        if m.any():
            new_unit[m] += _step(sig.precision, offsets[m])
    valid = row_style >= 0
    combo = np.where(valid, row_style * (1 << 40) + new_unit, -1)
    rcodes, runiques = pd.factorize(combo, use_na_sentinel=False)
    written = _write_all(np.asarray(runiques, dtype=np.int64), style_list)
    return from_text(series, written[rcodes].tolist(),
                     numeric=False if not pd.api.types.is_numeric_dtype(series.dtype) else None)


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _write_all(combos: np.ndarray, styles: list[DateForm]) -> np.ndarray:
    """Text of each distinct (style, unit) combo (+ a trailing ``""`` for the -1 code).

    Day-based JJ/MM/AAAA, JJ/MM/AA and ISO styles with two-digit fields are written vectorised
    through numpy's ISO formatting; the other styles value by value.
    """
    out = np.empty(len(combos) + 1, dtype=object)
    out[-1] = ""
    valid = combos >= 0
    out[:-1][~valid] = ""
    style_ids = np.where(valid, combos >> 40, -1)
    units = combos & ((1 << 40) - 1)
    for s_id, st in enumerate(styles):
        m = style_ids == s_id
        if not m.any():
            continue
        u = units[m]
        if (st.kind in ("dmy", "ymd") and not st.tail and st.pad_day and st.pad_month
                and ((u - _EPOCH) > -700_000).all() and (u < 3_000_000).all()):
            iso = pd.Series(np.datetime_as_string((u - _EPOCH).astype("datetime64[D]")), dtype="str")
            if (iso.str.len() == 10).all():
                year = iso.str[0:4]
                if st.year2:  # two digits inside the pivot window, four outside (values.dates)
                    y = year.astype(np.int64)
                    year = year.where((y < 1901 + PIVOT) | (y > 2000 + PIVOT), iso.str[2:4])
                if st.kind == "dmy":
                    txt = iso.str[8:10] + st.sep + iso.str[5:7] + st.sep + year
                else:
                    txt = year + st.sep + iso.str[5:7] + st.sep + iso.str[8:10]
                out[:-1][m] = txt.to_numpy(dtype=object)
                continue
        out[:-1][m] = [_safe_write(st, int(x)) for x in u.tolist()]
    return out


def _safe_write(style: DateForm, unit: int) -> str:
    try:
        return _write(style, unit)
    except (ValueError, OverflowError):  # shifted out of the calendar (year 0 or 10000)
        return ""
