"""``noise``: bounded, keyed random perturbation of numbers (additive or multiplicative
uniform noise, the masking-by-noise of the SDC literature, e.g. Hundepool et al.,
*Statistical Disclosure Control*, 2012, §3.4.2).

Draw for a row: a 64-bit word ``W = HMAC(subkey(key, "noise"), person id)`` (computed once
per person and cached: a table has dozens of amount columns), mixed with a per-column
secret ``C = HMAC(subkey(key, "noise/column"), column)`` by the SplitMix64 finaliser
(Steele, Lea & Flood, OOPSLA 2014): ``u = mix(W xor C)`` mapped to ``[-1, 1)``. The output is
``x * (1 + relative * u)`` or ``x + absolute * u``, rounded to the input's decimals (or
``round``). So ``|out - x| <= bound`` (plus half a unit of the last decimal), the same person
gets the same perturbation of the same column in every file, and text keeps its decimal
comma. Additive noise never makes a non-negative value negative (``keep_sign``). Without a
person key the row position and the value key the draw: deterministic for a given input,
not stable across files. A column whose values are all ``AAAAMM`` months (``202112``) is a
calendar: it moves by ``round(absolute * u)`` whole months and stays ``AAAAMM`` (never month 13
or 00); ``relative`` is refused there.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from anonymizer.detect.entities import family_of
from anonymizer.errors import PolicyError
from anonymizer.i18n import _
from anonymizer.settings import ActionParams
from anonymizer.transform.base import (
    LastResult,
    TransformContext,
    from_text,
    is_numeric,
    prf,
    require_key,
    subkey,
    to_text,
)
from anonymizer.transform.dates import person_ids
from anonymizer.values.dates import is_year_month
from anonymizer.values.numbers import format_number, parse_number

_WORDS: dict[bytes, dict[str, int]] = {}
_WORDS_MAX = 2_000_000
_M64 = (1 << 64) - 1


def _person_words(ids: list[str], sk: bytes, cache: bool) -> np.ndarray:
    store = _WORDS.setdefault(sk, {}) if cache else {}
    if len(store) + len(ids) > _WORDS_MAX:
        store.clear()
    get = store.get
    out = np.empty(len(ids), dtype=np.uint64)
    for i, u in enumerate(ids):
        w = get(u)
        if w is None:
            w = int.from_bytes(prf(sk, u)[:8], "big")
            if cache:
                store[u] = w
        out[i] = w
    return out


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, vectorised (uint64 arithmetic wraps modulo 2^64)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


_LAST_ROWS = LastResult()  # the last row-aligned person words: the next column of the batch reuses them


def _row_words(ids: pd.Series, sk: bytes, cache: bool) -> np.ndarray:
    fp = None
    if cache:
        fp = (sk, len(ids), hashlib.sha256(pd.util.hash_pandas_object(ids, index=False).to_numpy().tobytes()).digest())
        last = _LAST_ROWS.get(fp)
        if last is not None:
            return last
    codes, uniques = pd.factorize(ids, use_na_sentinel=False)
    rows = _person_words([str(u) for u in uniques], sk, cache)[codes]
    if cache:
        rows.setflags(write=False)
        _LAST_ROWS.put(fp, rows)
    return rows


def clear_caches() -> None:
    """Forget the per-person words (called at the end of a run)."""
    _WORDS.clear()
    _LAST_ROWS.clear()


def uniforms(ids: pd.Series | list[str], key: bytes, column: str, *, cache: bool = True) -> np.ndarray:
    """Row-aligned ``u`` in ``[-1, 1)`` for ``(person id, column)`` (see module doc)."""
    ids = pd.Series(list(ids), dtype=object) if not isinstance(ids, pd.Series) else ids.reset_index(drop=True)
    words = _row_words(ids, subkey(key, "noise"), cache)
    col = np.uint64(int.from_bytes(prf(subkey(key, "noise/column"), column)[:8], "big"))
    z = _mix(words ^ col)
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53) * 2.0 - 1.0


def _half_up(y: np.ndarray, dec: np.ndarray) -> np.ndarray:
    q = np.power(10.0, dec)
    return np.sign(y) * np.floor(np.abs(y) * q + 0.5 + 1e-9) / q


def _format_fixed(y: np.ndarray, dec: int, sep: str) -> np.ndarray:
    """Vectorised ``f"{v:.{dec}f}"`` (values already rounded) with ``sep`` as decimal mark."""
    q = np.rint(np.abs(y) * 10.0**dec).astype(np.int64)
    digits = pd.Series(q.astype(str), dtype="str")
    if dec > 0:
        digits = digits.str.zfill(dec + 1)
        digits = digits.str[:-dec] + sep + digits.str[-dec:]
    neg = pd.Series((y < 0) & (q > 0))
    return np.where(neg.to_numpy(), "-" + digits.to_numpy(dtype=object), digits.to_numpy(dtype=object))


def _year_months(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, month index ``year * 12 + month - 1`` per distinct value, -1 when missing) when every
    value present is an ``AAAAMM`` month (``values.dates.is_year_month``), else None: such a
    column is a calendar, not an amount, and ``202112 + 3`` is no month."""
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return None
    text = to_text(series)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    index = np.full(len(uniques), -1, dtype=np.int64)
    for i, v in enumerate(uniques.tolist()):
        if v == "":
            continue
        if not is_year_month(v):
            return None
        index[i] = int(v[:4]) * 12 + int(v[4:6]) - 1
    if (index < 0).all():
        return None
    return codes, index


def _shift_months(series: pd.Series, months: tuple[np.ndarray, np.ndarray], steps: np.ndarray) -> pd.Series:
    """Each ``AAAAMM`` value moved by its row's whole number of months, written as ``AAAAMM``."""
    codes, index = months
    unit = index[codes]
    new = unit + steps
    ok = (unit >= 0) & (new >= 0) & (new < 10_000 * 12)
    text = np.full(len(unit), "", dtype=object)
    text[ok] = [f"{m // 12:04d}{m % 12 + 1:02d}" for m in new[ok].tolist()]
    return from_text(series, text.tolist())


class NoiseParams(ActionParams):
    """``noise`` parameters (see the function); checked when the policy loads."""

    action: ClassVar[str] = "noise"
    relative: float | None = Field(None, ge=0, lt=1)
    absolute: float | None = Field(None, ge=0)
    round: int | None = Field(None, ge=0)
    keep_sign: bool = True
    person_column: str | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Any:
        if (self.relative is None) == (self.absolute is None):
            raise self.fail(_("give exactly one of 'relative', 'absolute'"))
        return self


def noise(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Params: ``relative`` (e.g. 0.05 = ±5 %) or ``absolute`` (e.g. 50); ``round`` (decimals,
    default: the input's); ``keep_sign`` (true); ``person_column`` (see dates.person_ids)."""
    key = require_key(key, "noise")
    rel, ab = params.get("relative"), params.get("absolute")
    if (rel is None) == (ab is None):
        raise PolicyError(_('noise on column {column!r}: give exactly one of params.relative, params.absolute').format(column=context.column))
    bound = float(rel if rel is not None else ab)
    if bound < 0 or (rel is not None and bound >= 1):
        raise PolicyError(_('noise on column {column!r}: relative must be in [0, 1), absolute >= 0').format(column=context.column))
    dec_param = params.get("round")
    keep_sign = bool(params.get("keep_sign", NoiseParams.field_default("keep_sign")))
    pids = person_ids(params, context, "noise", required=False)
    text = None
    if pids is not None and len(pids) == len(series):
        u = uniforms(pids, key, str(context.column))
    else:
        text = to_text(series)
        u = uniforms([f"{i}\x1f{v}" for i, v in enumerate(text.tolist())], key, str(context.column), cache=False)

    def perturb(x: np.ndarray) -> np.ndarray:
        y = x * (1.0 + bound * u) if rel is not None else x + bound * u
        if keep_sign:
            y = np.where((x >= 0) & (y < 0), 0.0, y)
        return y

    months = _year_months(series) if family_of(context.entity) != "amount" else None
    if months is not None:
        if rel is not None:
            raise PolicyError(_('noise on column {column!r}: its values are AAAAMM months; give params.absolute, the bound in whole months (a relative share of a month is no date)').format(column=context.column))
        return _shift_months(series, months, np.rint(u * bound).astype(np.int64))

    if is_numeric(series):
        x = series.to_numpy(dtype=float, na_value=np.nan)
        y = perturb(x)
        if pd.api.types.is_integer_dtype(series.dtype) or dec_param is not None:
            y = _half_up(y, np.full(len(y), int(dec_param or 0)))
        out = pd.Series(y, index=series.index, name=series.name)
        if pd.api.types.is_integer_dtype(series.dtype):
            return out.astype(series.dtype if not np.isnan(y).any() else "Int64")
        return out

    text = to_text(series) if text is None else text
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    parsed = [parse_number(v) if v else None for v in uniques]
    val = np.array([p.value if p else np.nan for p in parsed], dtype=float)[codes]
    dec = np.array([p.decimals if p else 0 for p in parsed], dtype=np.int64)[codes]
    if dec_param is not None:
        dec = np.full(len(dec), int(dec_param))
    y = _half_up(perturb(val), dec)
    ok = np.array([p is not None for p in parsed], dtype=bool)[codes]
    simple = np.array([p is not None and not p.thousands for p in parsed], dtype=bool)[codes]
    comma = np.array([p is not None and p.comma for p in parsed], dtype=bool)[codes]
    out = np.full(len(codes), "", dtype=object)  # missing and non-numbers: "" (suppressed, not kept)
    for dd in np.unique(dec[simple]).tolist():
        for cm in (False, True):
            m = simple & (dec == dd) & (comma == cm)
            if m.any():
                out[m] = _format_fixed(y[m], int(dd), "," if cm else ".")
    for i in np.flatnonzero(ok & ~simple).tolist():
        out[i] = format_number(float(y[i]), parsed[codes[i]], int(dec[i]))
    out = out.tolist()
    return from_text(series, out)
