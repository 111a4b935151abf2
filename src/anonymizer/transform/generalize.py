"""``generalize``: coarser values for quasi-identifiers (Sweeney 2002 / Samarati 2001 full-domain
generalisation, applied per column; the k-anonymity search picks the levels).

Methods (``params['method']``; the default depends on the entity, see ``DEFAULT_METHOD``):

* ``month`` / ``year`` (dates) — ``style: keep`` (default) writes the first day of the period in
  the input's own format (``15/03/1985`` -> ``01/03/1985`` / ``01/01/1985``, ``1985-03-15`` ->
  ``1985-03-01``, ``198503`` -> ``198503`` / ``198501``) so date parsers downstream still work;
  ``style: short`` writes only the period (``03/1985``, ``1985-03``, ``1985``). Every date form
  of :mod:`anonymizer.values.dates` is read (``12/03/85`` -> ``01/03/85``); a time of day is set
  to midnight (a period has none).
* ``age_band`` (dates) — age in whole years at ``reference_date`` (required), banded by
  ``width`` (10) or explicit lower ``bounds``; ``top`` opens the last band (``90+``).
* ``band`` (numbers) — ``width`` (and ``origin`` 0) or ``bounds``; integer data get ``30-39``,
  decimals ``[1000;2000[``; ``top`` / ``bottom`` open the ends (``90+``, ``<18``).
* ``round`` (numbers) — nearest multiple of ``step`` (half away from zero), input decimals kept.
* ``top_bottom`` (numbers) — clamp to ``top`` / ``bottom`` values or to the
  ``top_quantile`` / ``bottom_quantile`` of this series (give values when streaming batches).
* ``departement`` (post / COG codes, IRIS, départements) — :mod:`anonymizer.values.places`:
  first 2 characters; 97x/98x -> 3; ``2A``/``2B`` kept; Corsican post codes ``20000``–``20199``
  -> ``2A``, ``20200``+ -> ``2B``; 4-digit codes that lost their leading zero are re-padded;
  a value that is no place code becomes ``*``.
* ``prefix`` — keep the first ``length`` characters.
* ``hierarchy`` — ARX hierarchy CSV (``value;level1;level2…``): ``hierarchy`` (a path, or a
  file name under ``rules/hierarchies``), ``level`` (0 = original). Values missing from the
  hierarchy become ``*`` (``unknown: top``, default) or stop the run (``unknown: error``).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, model_validator

from anonymizer.detect.entities import GENERALIZE_METHOD
from anonymizer.errors import PolicyError
from anonymizer.i18n import _
from anonymizer.resources import rules_path
from anonymizer.settings import ActionParams
from anonymizer.transform.base import TransformContext, distinct_units, from_text, map_distinct, to_text
from anonymizer.values.dates import day_dates, midnight, month_word, parse_date, render_date
from anonymizer.values.numbers import (
    format_number,
    format_numbers,
    parse_number,
    parse_numbers,
    round_half_up_many,
)
from anonymizer.values.places import ENTITY_KINDS, departement_of

DEFAULT_METHOD = GENERALIZE_METHOD  # per entity: the entity table

#: The parameters each method reads (besides ``method`` and ``entity``): any other is refused,
#: so ``{method: round, top: 90}`` cannot pass for a top-coding it does not do.
METHOD_PARAMS: dict[str, tuple[str, ...]] = {
    "month": ("style",), "year": ("style",),
    "age_band": ("reference_date", "width", "bounds", "top", "bottom", "origin"),
    "band": ("width", "origin", "bounds", "top", "bottom"),
    "round": ("step", "decimals"),
    "top_bottom": ("top", "bottom", "top_quantile", "bottom_quantile"),
    "departement": (),
    "prefix": ("length",),
    "hierarchy": ("hierarchy", "level", "unknown"),
}


class GeneralizeParams(ActionParams):
    """``generalize`` parameters (module doc, docs/transforms.md); checked when the policy loads."""

    action: ClassVar[str] = "generalize"
    #: ``age_band``'s band width when neither ``width`` nor ``bounds`` is given
    age_band_width: ClassVar[float] = 10

    method: Literal["month", "year", "age_band", "band", "round", "top_bottom", "departement", "prefix",
                    "hierarchy"] | None = None
    entity: str | None = None
    style: Literal["keep", "short"] = "keep"
    reference_date: str | dt.date | None = None
    width: float | None = Field(None, gt=0)
    origin: float = 0
    bounds: list[float] | None = Field(None, min_length=1)
    top: float | None = None
    bottom: float | None = None
    step: float = Field(1, gt=0)
    decimals: int | None = Field(None, ge=0)
    top_quantile: float | None = Field(None, ge=0, le=1)
    bottom_quantile: float | None = Field(None, ge=0, le=1)
    length: int = Field(2, ge=1)
    hierarchy: str | None = None
    level: int = Field(1, ge=0)
    unknown: Literal["top", "error"] = "top"

    @model_validator(mode="after")
    def _fits_method(self, info: ValidationInfo) -> Any:
        known = info.context is not None  # the column's entity is known (not a profile's role default)
        method = self.method or (DEFAULT_METHOD.get(self.entity or (info.context or {}).get("entity") or "")
                                 if known else None)
        if method is None:
            if known:
                raise self.fail(_("'method' is required here ({methods})").format(methods=", ".join(METHOD_PARAMS)))
            return self
        extra = sorted(self.model_fields_set - {"method", "entity", *METHOD_PARAMS[method]})
        if extra:
            reads = ", ".join(METHOD_PARAMS[method]) or "nothing else"
            raise self.fail(_("'{name}' is not a parameter of method {method} (it reads: {reads})").format(name=extra[0], method=method, reads=reads))
        given = self.model_fields_set
        if method == "age_band" and "reference_date" not in given:
            raise self.fail(_("method age_band needs 'reference_date'"))
        if method == "band" and not {"width", "bounds"} & given:
            raise self.fail(_("method band needs 'width' or 'bounds'"))
        if method == "top_bottom" and not {"top", "bottom", "top_quantile", "bottom_quantile"} & given:
            raise self.fail(_("method top_bottom needs 'top', 'bottom', 'top_quantile' or 'bottom_quantile'"))
        if method == "hierarchy" and "hierarchy" not in given:
            raise self.fail(_("method hierarchy needs 'hierarchy'"))
        return self


DEFAULTS = GeneralizeParams.model_construct()


def _fail(context: TransformContext, msg: str) -> PolicyError:
    return PolicyError(_('generalize on column {column!r}: {msg}').format(column=context.column, msg=msg))


# ---------------------------------------------------------------- dates


def _date_period(value: str, method: str, style: str) -> str:
    p = parse_date(value)
    if p is None:
        return "*"
    m = p.month if method == "month" else 1
    f = p.form
    if style == "short":
        if p.precision == "year" or method == "year":
            return f"{p.year:04d}"
        if f.kind in ("dmy", "my"):
            return f"{m:02d}{f.sep or '/'}{p.year:04d}"
        if f.kind == "text":
            return f"{month_word(f, m)}{f.space2}{p.year:04d}"
        return f"{p.year:04d}{f.sep}{m:02d}"
    if f.tail:  # a period has no time of day: the original's would say more than the period
        f = f._replace(tail=midnight(f.tail))
    return render_date(f, p.year, m, 1)


def _date_periods(values: np.ndarray, method: str, style: str) -> np.ndarray:
    """``_date_period`` of many distinct values (``str``, none missing): the two ten-character
    numeric forms (JJ/MM/AAAA, AAAA-MM-JJ: nearly every value) read in bulk by
    ``values.dates.day_dates`` and each period written once per distinct (year, month, form,
    separator), then gathered; any other form one by one. Per value, ``_date_period`` cost
    ~5 s of a 1M-row pass 1 (a ``parse_date`` and a render per distinct date)."""
    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    if not len(values):
        return out
    dates = day_dates(values)
    for i in np.flatnonzero(~dates.bulk).tolist():
        out[i] = _date_period(values[i], method, style)
    out[dates.bulk & ~dates.valid] = "*"  # not a date: suppressed, as parse_date's None
    idx = np.flatnonzero(dates.valid)
    if not len(idx):
        return out
    y, ymd = dates.year[idx], dates.ymd[idx].astype(np.int64)
    m = dates.month[idx] if method == "month" else np.ones(len(idx), dtype=np.int64)
    raw = values[idx].astype("S10").view(np.uint8).reshape(len(idx), 10)
    sep = np.where(ymd == 1, raw[:, 4], raw[:, 2]).astype(np.int64)  # the form's separator (one byte)
    key = ((y * 100 + m) * 2 + ymd) * 256 + sep
    distinct, inverse = np.unique(key, return_inverse=True)
    texts = []
    for k in distinct.tolist():
        yy, mm, is_ymd, s = k // 51200, k // 512 % 100, k // 256 % 2, chr(k % 256)
        if style == "short":
            if method == "year":
                texts.append(f"{yy:04d}")
            else:
                texts.append(f"{yy:04d}{s}{mm:02d}" if is_ymd else f"{mm:02d}{s}{yy:04d}")
        else:  # the form kept, day 1 (both forms pad day and month)
            texts.append(f"{yy:04d}{s}{mm:02d}{s}01" if is_ymd else f"01{s}{mm:02d}{s}{yy:04d}")
    out[idx] = np.array(texts, dtype=object)[inverse.reshape(-1)]
    return out


def age_at(birth: dt.date, ref: dt.date) -> int:
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


def _band_label(lo: float, hi: float | None, integer: bool, like=None) -> str:
    if hi is None:
        return f"{_num(lo, like)}+"
    if integer:
        return f"{int(lo)}-{int(hi) - 1}"
    return f"[{_num(lo, like)};{_num(hi, like)}["


def _num(v: float, like=None) -> str:
    if float(v).is_integer():
        return str(int(v))
    s = repr(float(v))
    return s.replace(".", ",") if (like is not None and like.comma) else s


def _band(v: float, params: dict, context: TransformContext, integer: bool, like=None) -> str:
    top, bottom = params.get("top"), params.get("bottom")
    if top is not None and v >= float(top):
        return f"{_num(float(top), like)}+"
    if bottom is not None and v < float(bottom):
        return f"<{_num(float(bottom), like)}"
    bounds = params.get("bounds")
    if bounds:
        b = sorted(float(x) for x in bounds)
        i = int(np.searchsorted(b, v, side="right")) - 1
        if i < 0:
            return f"<{_num(b[0], like)}"
        return _band_label(b[i], b[i + 1] if i + 1 < len(b) else None, integer, like)
    width = params.get("width")
    if width is None:
        raise _fail(context, "method band needs params.width or params.bounds")
    width = float(width)
    if width <= 0:
        raise _fail(context, "params.width must be positive")
    origin = float(params.get("origin", DEFAULTS.origin))
    lo = origin + math.floor((v - origin) / width) * width
    return _band_label(lo, lo + width, integer and width.is_integer() and origin.is_integer(), like)


# ---------------------------------------------------------------- codes


def departement(code: str, entity: str | None = None) -> str:
    """Département of a post code, COG commune code, IRIS or département code (``*`` when the
    value is none of them); the rules are :mod:`anonymizer.values.places`'s."""
    return departement_of(code, ENTITY_KINDS.get(entity or "")) or "*"


# ---------------------------------------------------------------- hierarchies


def load_hierarchy(path: str | Path):
    """The ARX hierarchy file ``path`` (a path, or a file name under ``rules/hierarchies``),
    read by :meth:`anonymizer.privacy.hierarchy.Hierarchy.from_arx_csv`, the one reader."""
    from anonymizer.privacy.hierarchy import Hierarchy

    p = Path(path)
    if not p.exists():
        cand = rules_path("hierarchies", str(path))
        if not cand.exists():
            raise PolicyError(_('hierarchy file not found: {path}').format(path=path))
        p = cand
    return Hierarchy.from_arx_csv(p)


# ---------------------------------------------------------------- the action


def generalize(series: pd.Series, *, key: bytes | None = None, params: dict, context: TransformContext) -> pd.Series:
    """Coarsen the column (see module doc). Missing stays missing; values that cannot be read
    in the method's terms (a non-date for ``year``) become ``*`` (suppressed), never kept."""
    entity = params.get("entity", context.entity)
    method = params.get("method") or DEFAULT_METHOD.get(entity or "")
    if not method:
        raise _fail(context, "params.method is required (month, year, age_band, band, round, top_bottom, "
                    "departement, prefix, hierarchy)")
    text = to_text(series)

    if method in ("month", "year"):
        style = params.get("style", DEFAULTS.style)
        if style not in ("keep", "short"):
            raise _fail(context, "params.style must be 'keep' or 'short'")
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            return series.dt.to_period("M" if method == "month" else "Y").dt.start_time.where(series.notna())
        codes, units = distinct_units(text)
        periods = _date_periods(np.array([u[0] for u in units], dtype=object), method, style)
        return from_text(series, np.append(periods, np.array([""], dtype=object))[codes].tolist(), numeric=False)

    if method == "age_band":
        ref_s = params.get("reference_date")
        ref = parse_date(str(ref_s)) if ref_s else None
        if ref is None:
            raise _fail(context, "method age_band needs params.reference_date (e.g. 31/12/2021)")
        ref_d = dt.date(ref.year, ref.month, ref.day)
        bp = dict(params)
        bp.setdefault("width", GeneralizeParams.age_band_width)

        def age_band(v: str) -> str:
            p = parse_date(v)
            if p is None or p.precision == "year":
                return "*"
            a = age_at(p.as_date(), ref_d)
            return _band(float(a), bp, context, True)

        return from_text(series, map_distinct(text, age_band), numeric=False)

    if method in ("band", "round", "top_bottom"):
        return _numeric(series, text, method, params, context)

    if method == "departement":
        return from_text(series, map_distinct(text, lambda v: departement(v, entity)), numeric=False)

    if method == "prefix":
        n = int(params.get("length", DEFAULTS.length))
        return from_text(series, map_distinct(text, lambda v: v.strip()[:n]), numeric=False)

    if method == "hierarchy":
        h = params.get("hierarchy")
        if not h:
            raise _fail(context, "method hierarchy needs params.hierarchy (an ARX CSV path)")
        hierarchy = load_hierarchy(h)
        table = hierarchy.levels[min(int(params.get("level", DEFAULTS.level)), hierarchy.height)]
        unknown = params.get("unknown", DEFAULTS.unknown)
        missing = [0]

        def lookup(v: str) -> str:
            out = table.get(v)
            if out is None:
                out = table.get(v.strip())
            if out is None:
                missing[0] += 1
                return "*"
            return out

        out = map_distinct(text, lookup)
        if missing[0] and unknown == "error":
            raise _fail(context, f"{missing[0]} distinct value(s) are not in the hierarchy {Path(h).name}")
        return from_text(series, out, numeric=False)

    raise _fail(context, f"unknown method {method!r}")


def _numeric(series: pd.Series, text: pd.Series, method: str, params: dict, context: TransformContext) -> pd.Series:
    parsed_cache: dict[str, object] = {}

    def parse(v: str):
        r = parsed_cache.get(v)
        if r is None:
            r = parsed_cache[v] = parse_number(v) or False
        return r or None

    if method == "band":
        integer = all((p := parse(v)) is None or p.decimals == 0 for v in text.unique() if v)

        def fn(v: str) -> str:
            p = parse(v)
            return "*" if p is None else _band(p.value, params, context, integer, p)

        return from_text(series, map_distinct(text, fn), numeric=False)

    if method == "round":
        step = float(params.get("step", DEFAULTS.step))
        if step <= 0:
            raise _fail(context, "params.step must be positive")
        dec = params.get("decimals")
        # the distinct values as map_distinct finds them (-1: missing), all parsed at once (values.numbers)
        codes, units = pd.factorize(text.where(text != "", None), use_na_sentinel=True)
        parsed = parse_numbers(units)
        ok = parsed.ok
        rounded = round_half_up_many(parsed.value[ok] / step, 0) * step
        decimals = parsed.decimals[ok] if dec is None else np.full(int(ok.sum()), int(dec), dtype=np.int64)
        written = np.full(len(units) + 1, "*", dtype=object)  # the last: missing values stay ""
        written[-1] = ""
        written[:-1][ok] = format_numbers(rounded, decimals, parsed.comma[ok], parsed.thousands[ok])
        return from_text(series, written[codes].tolist())

    # top_bottom
    top, bottom = params.get("top"), params.get("bottom")
    if top is None and params.get("top_quantile") is not None or bottom is None and params.get("bottom_quantile") is not None:
        vals = np.array([p.value for v in text if v and (p := parse(v)) is not None], dtype=float)
        if len(vals):
            if top is None and params.get("top_quantile") is not None:
                top = float(np.quantile(vals, float(params["top_quantile"])))
            if bottom is None and params.get("bottom_quantile") is not None:
                bottom = float(np.quantile(vals, float(params["bottom_quantile"])))
    if top is None and bottom is None:
        raise _fail(context, "method top_bottom needs top/bottom values or top_quantile/bottom_quantile")

    def fn(v: str) -> str:
        p = parse(v)
        if p is None:
            return "*"
        x = p.value
        if top is not None and x > float(top):
            x = float(top)
        if bottom is not None and x < float(bottom):
            x = float(bottom)
        return v if x == p.value else format_number(x, p)

    return from_text(series, map_distinct(text, fn))
