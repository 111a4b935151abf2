"""Numbers the way French extracts write them (``1 234,56``, ``-12.5``, ``1e16``), and back.

A :class:`ParsedNumber` keeps what is needed to write another number the same way: the number
of decimals, the decimal comma and the thousands separator (a space, a no-break space U+00A0,
a narrow no-break space U+202F or a thin space U+2009; groups of exactly three digits).

Scientific notation (``1e16``, ``1,5E+03``, what spreadsheets and float columns produce) is read
as the plain number it stands for and written back without exponent: ``1e16`` is the integer
10000000000000000 (0 decimals), ``1.5e-3`` is 0.0015 (4 decimals). An integer a float cannot
hold exactly (``1e25``) or a value needing more than 15 decimals is not a plain number (``None``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

#: Characters accepted between groups of thousands.
GROUP_SEPARATORS = " \u00a0\u202f\u2009"
_G = f"[{GROUP_SEPARATORS}]"
_SIMPLE = re.compile(r"([+-]?\d+)(?:([.,])(\d+))?")
_GROUPED = re.compile(rf"([+-]?)(\d{{1,3}}(?:{_G}\d{{3}})+)(?:([.,])(\d+))?")
_EXP = re.compile(r"([+-]?\d+)(?:([.,])(\d+))?[eE]([+-]?\d{1,3})")
#: RE2 pattern (pyarrow) of an amount cell: what the scan counts as "looks like an amount".
AMOUNT_RE2 = rf"-?[0-9]{{1,3}}(?:{_G}?[0-9]{{3}})*(?:[.,][0-9]{{1,4}})?|-?[0-9]+(?:[.,][0-9]{{1,4}})?"


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    decimals: int
    comma: bool
    thousands: str = ""


def parse_number(text: str) -> ParsedNumber | None:
    """``1 234,56`` -> (1234.56, 2 decimals, comma, " "). ``None`` when not a plain number."""
    s = text.strip()
    if m := _SIMPLE.fullmatch(s):
        frac = m.group(3)
        return ParsedNumber(float(s.replace(",", ".")), len(frac) if frac else 0, m.group(2) == ",")
    if m := _GROUPED.fullmatch(s):
        sign, whole, sep, frac = m.groups()
        thousands = next(c for c in whole if not c.isdigit())
        digits = re.sub(r"\D", "", whole)
        v = float(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")
        return ParsedNumber(v, len(frac or ""), sep == ",", thousands)
    if m := _EXP.fullmatch(s):
        mant, sep, frac, exp = m.groups()
        exact = Decimal(f"{mant}.{frac or '0'}e{exp}")
        v = float(exact)
        decimals = max(0, len(frac or "") - int(exp))
        if not math.isfinite(v) or decimals > 15 or (decimals == 0 and int(v) != int(exact)):
            return None  # an integer a float cannot hold exactly (1e25), or beyond float precision
        return ParsedNumber(v, decimals, sep == ",")
    return None


_SIMPLE_RE2 = r"[+-]?[0-9]+(?:[.,][0-9]+)?"
_GROUPED_RE2 = rf"[+-]?[0-9]{{1,3}}(?:{_G}[0-9]{{3}})+(?:[.,][0-9]+)?"


def to_numbers(values) -> np.ndarray:
    """``parse_number(v).value`` of many values at once (NaN where it is ``None``).

    For the distinct values of a column (t-closeness order, utility statistics): plain and
    grouped numbers are read with vectorised pandas string operations, the rare rest (exponents,
    non-ASCII digits) value by value. A numeric array is returned as floats.
    """
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.dtype.kind in "iuf":
        return arr.astype(float)
    if arr.dtype.kind == "b":
        return np.full(len(arr), np.nan)
    out = np.full(len(arr), np.nan)
    is_text = np.fromiter((isinstance(v, str) for v in arr), dtype=bool, count=len(arr))
    for i in np.flatnonzero(~is_text):  # numbers in an object array are numbers already
        v = arr[i]
        if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_):
            out[i] = float(v)
    text = pd.Series(np.where(is_text, arr, ""), dtype="str").str.strip()
    simple = text.str.fullmatch(_SIMPLE_RE2).to_numpy(dtype=bool)
    grouped = text.str.fullmatch(_GROUPED_RE2).to_numpy(dtype=bool)
    clean = text.where(~grouped, text.str.replace(f"[{GROUP_SEPARATORS}]", "", regex=True))
    ok = simple | grouped
    if ok.any():
        nums = pd.to_numeric(clean[ok].str.replace(",", ".", regex=False), errors="coerce")
        out[ok] = nums.to_numpy(dtype=float)
    rest = ~ok & (text.str.contains("[eE]") | ~text.str.isascii()).to_numpy(dtype=bool)
    for i in np.flatnonzero(rest):
        p = parse_number(text.iloc[i])
        if p is not None:
            out[i] = p.value
    return out


def format_number(v: float, like: ParsedNumber | None, decimals: int | None = None) -> str:
    """Write ``v`` with the decimals, decimal separator and thousands separator of ``like``."""
    dec = like.decimals if decimals is None and like is not None else (decimals or 0)
    s = str(int(round_half_up(v, 0))) if dec <= 0 else f"{round_half_up(v, dec):.{dec}f}"
    if s in ("-0", "-0.0") or re.fullmatch(r"-0\.0+", s):
        s = s[1:]
    if like is not None and like.thousands:
        sign = "-" if s.startswith("-") else ""
        body = s.lstrip("-")
        whole, _, frac = body.partition(".")
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        s = sign + like.thousands.join(groups) + ("." + frac if frac else "")
    if like is not None and like.comma:
        s = s.replace(".", ",")
    return s


def round_half_up(v: float, decimals: int) -> float:
    """Commercial rounding (half away from zero), not Python's banker's rounding."""
    q = 10.0**decimals
    return math.copysign(math.floor(abs(v) * q + 0.5 + 1e-9) / q, v)


# ---------------------------------------------------------------- many values at once
#
# Pass 2 rounds every distinct amount of every amount column (thousands per column): the
# functions below give, for a whole array of texts, exactly what ``parse_number`` /
# ``round_half_up`` / ``format_number`` give value by value. Only the plain ASCII form
# (``-12``, ``1234,56``: no space, no exponent, no thousands, no other digit) is read in bulk;
# any other text goes through ``parse_number`` itself, so the two can never disagree.

#: the bulk form: what ``_SIMPLE`` reads, restricted to ASCII digits and no surrounding space
_PLAIN_RE2 = r"^[+-]?[0-9]+(?:[.,][0-9]+)?$"


@dataclass(frozen=True)
class ParsedNumbers:
    """``parse_number`` of many texts, as columns: ``ok`` False where it gives ``None``."""

    ok: np.ndarray          # bool
    value: np.ndarray       # float64 (NaN where not ok)
    decimals: np.ndarray    # int64
    comma: np.ndarray       # bool
    thousands: np.ndarray   # object: "" or the separator


def parse_numbers(texts) -> ParsedNumbers:
    """``parse_number`` of each text (``str`` values), as columns (see :class:`ParsedNumbers`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = list(texts)
    n = len(values)
    ok = np.zeros(n, dtype=bool)
    value = np.full(n, np.nan)
    decimals = np.zeros(n, dtype=np.int64)
    comma = np.zeros(n, dtype=bool)
    thousands = np.full(n, "", dtype=object)
    if n == 0:
        return ParsedNumbers(ok, value, decimals, comma, thousands)
    arr = pa.array(values, type=pa.string())
    plain = pc.match_substring_regex(arr, _PLAIN_RE2).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(plain)
    if len(idx):
        sub = arr.filter(pa.array(plain))
        dot = pc.find_substring(sub, ".").to_numpy(zero_copy_only=False)
        com = pc.find_substring(sub, ",").to_numpy(zero_copy_only=False)
        length = pc.utf8_length(sub).to_numpy(zero_copy_only=False).astype(np.int64)
        sep = np.maximum(dot, com).astype(np.int64)  # at most one of them is there (-1: none)
        ok[idx] = True
        decimals[idx] = np.where(sep >= 0, length - sep - 1, 0)
        comma[idx] = com >= 0
        dotted = pc.replace_substring(sub, ",", ".").to_pylist()
        value[idx] = np.fromiter(map(float, dotted), dtype=np.float64, count=len(dotted))
    for i in np.flatnonzero(~plain):
        p = parse_number(values[i])
        if p is not None:
            ok[i], value[i], decimals[i], comma[i], thousands[i] = True, p.value, p.decimals, p.comma, p.thousands
    return ParsedNumbers(ok, value, decimals, comma, thousands)


def round_half_up_many(v: np.ndarray, decimals: int) -> np.ndarray:
    """:func:`round_half_up` of each finite value of ``v`` (the same float operations, in order)."""
    q = 10.0**decimals
    return np.copysign(np.floor(np.abs(v) * q + 0.5 + 1e-9) / q, v)


_NEG_ZERO = re.compile(r"-0(?:\.0+)?")


def format_numbers(v: np.ndarray, decimals: np.ndarray, comma: np.ndarray, thousands: np.ndarray) -> list[str]:
    """``format_number(v[i], like_i, decimals[i])`` for each i, where ``like_i`` has the decimal
    comma ``comma[i]`` and the thousands separator ``thousands[i]``: the one writer of numbers,
    over an array. Non-finite values and thousands separators are written by ``format_number``."""
    n = len(v)
    out = np.full(n, "", dtype=object)
    v = np.asarray(v, dtype=np.float64)
    decimals = np.asarray(decimals, dtype=np.int64)
    comma = np.asarray(comma, dtype=bool)
    bulk = np.isfinite(v) & (np.asarray(thousands, dtype=object) == "")
    for d in np.unique(decimals[bulk]).tolist():
        idx = np.flatnonzero(bulk & (decimals == d))
        r = round_half_up_many(v[idx], max(d, 0)).tolist()
        texts = [str(int(x)) for x in r] if d <= 0 else list(map(f"{{:.{d}f}}".format, r))
        for j in [j for j, s in enumerate(texts) if s[0] == "-"]:
            if _NEG_ZERO.fullmatch(texts[j]):
                texts[j] = texts[j][1:]
        with_comma = comma[idx]
        if with_comma.any():
            texts = [s.replace(".", ",") if c else s for s, c in zip(texts, with_comma.tolist(), strict=True)]
        out[idx] = texts
    for i in np.flatnonzero(~bulk).tolist():
        like = ParsedNumber(0.0, int(decimals[i]), bool(comma[i]), thousands[i])
        out[i] = format_number(float(v[i]), like, int(decimals[i]))
    return out.tolist()
