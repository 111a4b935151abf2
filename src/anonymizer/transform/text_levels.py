"""Dates, places, ages and amounts inside free text, written at the level of their columns.

``redact`` (fake mode) replaces an identifier in a comment by its fake; a quasi-identifier or an
amount is not an identity to replace but a fact to release at the level the columns release it
(the entity table's ``text_level``), so a comment never tells more than the row around it:

* **dates** (``shift``) move by the row's per-person offset — the very draw of ``shift_dates``
  (:func:`anonymizer.transform.dates.person_offsets`, same key, same ``max_days``) — and are
  written in the span's own form: ``21/07`` stays a day and a month, ``21/07/85`` keeps its
  two-digit year, ``1er mars 1985`` its month name. A date without a year is shifted in a leap
  year (``NO_YEAR``), so across the end of February it may differ by one day from the same date
  shifted in a common year. The offset is never 0 and at most ``max_days`` (180 in the training
  profile): below 365 days the original day and month never come back.
* **post and commune codes** (``departement``) become their département (``33110`` -> ``33``),
  as the training profile's place columns do. Not a keyed fake post code of the département: a
  real-looking code would sometimes be the person's own (one chance in the number of codes of
  the département) or another person's, and avoiding that would make the output depend on the
  original commune. The département is a function of the code's département only and can never
  equal a 5-character code.
* **ages** (``band``) become their band, ``34 ans`` -> ``30-34 ans`` (``age_width`` years, as the
  AGE columns): a keyed age inside the band would be the true age one time in ``age_width``.
* **amounts** (``round``) are rounded to ``amount_step`` (half away from zero) with their own
  decimals and separators, ``167,41`` -> ``170,00``. An amount already on the step is its own
  rounding and stays, as it does in an amount column.

The levels come from the plan (:func:`levels_of_plan`: the shift of its date columns, the step
of its amount columns, the band of its age columns), else from the training profile's values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from anonymizer.detect.validators import NO_YEAR, TextDate
from anonymizer.values.dates import MONTHS
from anonymizer.values.numbers import round_half_up

MONTH_NAMES = MONTHS  # the one month table (values.dates)


@dataclass(frozen=True)
class Levels:
    """The release level of each kind of fact in free text (defaults: the training profile)."""

    max_days: int = 180
    amount_step: float = 10
    age_width: int = 5


DEFAULT_LEVELS = Levels()


def levels_of_plan(steps: Iterable) -> dict[str, float]:
    """``redact`` parameters that put free text at the level of the plan's columns: the
    ``max_days`` of its ``shift_dates`` columns, the ``step`` of its rounded AMOUNT columns, the
    ``width`` of its banded AGE columns (the most common value when columns differ, the coarser
    on a tie). A kind of column the plan does not have gives no parameter (the default applies)."""
    from anonymizer.transform.dates import ShiftDatesParams

    days: Counter = Counter()
    steps_: Counter = Counter()
    widths: Counter = Counter()
    for s in steps:
        p = s.params or {}
        if s.action == "shift_dates":
            days[int(p.get("max_days", ShiftDatesParams.field_default("max_days")))] += 1
        elif s.action == "generalize" and s.entity == "AMOUNT" and p.get("method", "round") == "round" and p.get("step"):
            steps_[float(p["step"])] += 1
        elif s.action == "generalize" and s.entity == "AGE" and p.get("method", "band") == "band" and p.get("width"):
            widths[int(p["width"])] += 1
    out: dict[str, float] = {}
    for name, counts in (("max_days", days), ("amount_step", steps_), ("age_width", widths)):
        if counts:
            out[name] = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return out


# ---------------------------------------------------------------- dates


def shift_text_date(p: TextDate, days: int) -> str | None:
    """``p`` moved by ``days`` and written as it was written; None when out of the calendar."""
    try:
        d = dt.date(p.year if p.year is not None else NO_YEAR, p.month, p.day) + dt.timedelta(days=int(days))
    except (OverflowError, ValueError):
        return None
    return write_text_date(p, d)


def write_text_date(p: TextDate, d: dt.date) -> str:
    """``d`` in the form of ``p`` (its separator, digit widths, month name and case, ``1er``)."""
    year = "" if p.year is None else (f"{d.year % 100:02d}" if p.widths[2] == 2 else f"{d.year:04d}")
    if p.form == "ymd":
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if p.form == "written":
        name = MONTH_NAMES[d.month - 1]
        name = name.upper() if p.case == "upper" else name.capitalize() if p.case == "title" else name
        day = "1er" if d.day == 1 and p.first else (f"{d.day:02d}" if p.pad else str(d.day))
        return f"{day} {name}" + (f" {year}" if year else "")
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if p.pad else (str(d.day), str(d.month))
    return f"{day}{p.sep}{month}" + (f"{p.sep}{year}" if year else "")


# ---------------------------------------------------------------- places, ages, amounts


def place_in_text(span: str) -> str | None:
    """The département of a post or commune code (the ``generalize`` rule of the columns)."""
    from anonymizer.transform.generalize import departement

    code = re.sub(r"\s", "", span)
    if not re.fullmatch(r"\d{5}|2[AB]\d{3}", code, re.IGNORECASE):
        return None
    return departement(code)


_AGE = re.compile(r"(\d{1,3})[ \u00a0]?ans?", re.IGNORECASE)


def age_in_text(span: str, width: int) -> str | None:
    """``34 ans`` -> ``30-34 ans`` (bands from 0, ``width`` years, like ``generalize: band``)."""
    m = _AGE.fullmatch(span.strip())
    if m is None or width < 1:
        return None
    lo = int(m.group(1)) // width * width
    return f"{lo}-{lo + width - 1} ans"


_AMOUNT = re.compile(r"(\d{1,3}(?:([ \u00a0\u202f.])\d{3})+|\d+)(?:([.,])(\d{1,2}))?")


def amount_in_text(span: str, step: float) -> str | None:
    """``167,41`` -> ``170,00`` (step 10): rounded half away from zero, written with the span's
    decimals, decimal separator and thousands separator."""
    m = _AMOUNT.fullmatch(span.strip())
    if m is None or step <= 0:
        return None
    whole, thousands, dec_sep, frac = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4) or ""
    value = float(re.sub(r"\D", "", whole) + ("." + frac if frac else ""))
    rounded = round_half_up(value / step, 0) * step
    decimals = len(frac)
    text = f"{rounded:.{decimals}f}" if decimals else str(int(round_half_up(rounded, 0)))
    int_part, _, frac_part = text.partition(".")
    if thousands and len(int_part) > 3:
        groups = []
        while len(int_part) > 3:
            groups.insert(0, int_part[-3:])
            int_part = int_part[:-3]
        int_part = thousands.join([int_part, *groups])
    return int_part + (dec_sep + frac_part if frac_part else "")


def keyed_days(stream_bytes: bytes, max_days: int) -> int:
    """A day offset in ±[1, max_days] from 32 keyed bytes (the draw of ``person_offsets``)."""
    from anonymizer.transform.base import Stream

    s = Stream(stream_bytes)
    v = s.between(1, max_days)
    return v if s.below(2) else -v

