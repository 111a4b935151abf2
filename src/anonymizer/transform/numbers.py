"""Reading and writing numbers the way French extracts write them (``1 234,56``, ``12.5``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SIMPLE = re.compile(r"([+-]?\d+)(?:([.,])(\d+))?")
_NUM = re.compile(r"([+-]?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:([.,])(\d+))?")


@dataclass(frozen=True)
class ParsedNumber:
    value: float
    decimals: int
    comma: bool
    thousands: str = ""


def parse_number(text: str) -> ParsedNumber | None:
    """``123,45`` -> (123.45, 2 decimals, comma). ``None`` when not a plain number."""
    s = text.strip()
    m = _SIMPLE.fullmatch(s)
    if m:
        frac = m.group(3)
        return ParsedNumber(float(s.replace(",", ".")), len(frac) if frac else 0, m.group(2) == ",")
    m = _NUM.fullmatch(s)
    if not m:
        return None
    sign, whole, sep, frac = m.groups()
    thousands = next((c for c in whole if not c.isdigit()), "")
    digits = re.sub(r"\D", "", whole)
    v = float(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")
    return ParsedNumber(v, len(frac or ""), sep == ",", thousands)


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
