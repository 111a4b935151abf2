"""Dates as French files write them: one parser, one month table, one two-digit-year rule.

``parse_date`` reads one value into a :class:`FrDate`: the calendar fields, the precision the
text carried and the :class:`DateForm` it was written in, so that ``shift_dates`` and
``generalize`` write their result back the way the input was written.

========  ================================================================  =========
kind      examples                                                          precision
========  ================================================================  =========
``dmy``   ``12/03/1985`` ``12-03-1985`` ``12.03.1985`` ``5/3/1985``         day
          ``12/03/85`` (two-digit year) ``12/03/1985 10:30``
``ymd``   ``1985-03-12`` ``1985/03/12`` ``1985.03.12`` ``19850312``         day
          ``1985-03-12T10:30:00Z`` ``1985-03-12 10:30:00+01:00``
``text``  ``12 mars 1985`` ``1er mars 1985`` ``12 janv. 1985`` ``12 FEVRIER 1985``   day
``ym``    ``198503`` (AAAAMM) ``1985-03``                                   month
``my``    ``03/1985`` ``3-1985``                                            month
``y``     ``1985``                                                          year
========  ================================================================  =========

Four-digit years run from 1000 to 2999 (``31/12/2999`` is a common "no end" date). A time of
day after a date is kept verbatim in the form (``tail``); nothing else may follow a date.

**Two-digit years** (``JJ/MM/AA`` only): ``00``–``30`` are 2000–2030 and ``31``–``99`` are
1931–1999 (``PIVOT = 30``, the rule the detectors always used). A person born before 1931 and
written with two digits is therefore read a century late: such a value is ambiguous in the
file itself. A date written back in a two-digit form whose year falls outside 1931–2030 is
written with four digits, so that it never reads back as another century.

``detect_date`` is the detectors' rule on top of the parser: a day-precision date whose year is
plausible in an extract about people (1800–2099; 1900–2099 for the digits-only ``AAAAMMJJ``,
which eight-digit numbers resemble).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

PIVOT = 30
YEAR_MIN, YEAR_MAX = 1000, 2999

# ---------------------------------------------------------------- the month table

#: Full French month names, January first (the spelling written back).
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
#: Their usual abbreviations (written with a dot: ``janv.``); mars, mai, juin and août have none.
MONTHS_ABBR = ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc")


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")


# spelling (lower case) -> (month, abbreviated, written with its accents)
_SPELLINGS: dict[str, tuple[int, bool, bool]] = {}
for _i, (_full, _abbr) in enumerate(zip(MONTHS, MONTHS_ABBR, strict=True), 1):
    for _word, _is_abbr in ((_full, False), (_abbr, _abbr != _full)):
        _SPELLINGS.setdefault(_word, (_i, _is_abbr, True))
        _SPELLINGS.setdefault(_ascii(_word), (_i, _is_abbr, _word.isascii()))

#: Every accepted spelling -> month number (full names and abbreviations, with or without accents).
MONTH_NUMBERS: dict[str, int] = {w: v[0] for w, v in _SPELLINGS.items()}
#: Regex alternation of the spellings, longest first (for patterns over free text; use IGNORECASE).
MONTH_PATTERN = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))

# ---------------------------------------------------------------- forms and values


class DateForm(NamedTuple):
    """How a date was written. ``kind`` is one of the table's kinds; the other fields say how to
    write another date the same way (fields that a value cannot show keep their default).
    Immutable and hashable: a column has a handful of forms, used as keys."""

    kind: str
    sep: str = ""            # between numeric fields: / - . or "" (AAAAMMJJ, AAAAMM)
    pad_day: bool = True     # day written on two digits (05/03/1985, not 5/03/1985)
    pad_month: bool = True
    year2: bool = False      # two-digit year (JJ/MM/AA)
    tail: str = ""           # a time of day after the date, kept verbatim
    # written dates (12 mars 1985)
    er: str = ""             # "er" when the 1st was written 1er (as cased)
    space1: str = " "
    space2: str = " "
    abbr: bool = False       # month abbreviated (janv.)
    dot: bool = False
    case: str = "lower"      # lower | upper | title
    accents: bool = True     # FEVRIER / fevrier: written without its accents

    @property
    def precision(self) -> str:
        """``day``, ``month`` or ``year``: how much of the calendar the text tells."""
        return _PRECISION[self.kind]


_PRECISION = {"dmy": "day", "ymd": "day", "text": "day", "ym": "month", "my": "month", "y": "year"}
_DAY_KINDS = frozenset(k for k, v in _PRECISION.items() if v == "day")


class FrDate(NamedTuple):
    """A parsed date: calendar fields (``month``/``day`` are 1 below the precision) and its form."""

    year: int
    month: int
    day: int
    form: DateForm

    @property
    def precision(self) -> str:
        return _PRECISION[self.form.kind]

    @property
    def kind(self) -> str:
        return self.form.kind

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    def render(self) -> str:
        """The value written back in its own form (the canonical spelling of that form)."""
        return render_date(self.form, self.year, self.month, self.day)

    def written_as(self, year: int, month: int = 1, day: int = 1) -> str:
        """Another date written in this value's form."""
        return render_date(self.form, year, month, day)


def two_digit_year(yy: int) -> int:
    """The one rule for ``JJ/MM/AA``: 00–30 -> 2000–2030, 31–99 -> 1931–1999."""
    return 2000 + yy if yy <= PIVOT else 1900 + yy


# ---------------------------------------------------------------- parsing

_TIME = r"[T ]\d{1,2}(?:[:.h]?\d{2}(?:[:.]?\d{2}(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_DMY = re.compile(rf"(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}})({_TIME})?")
_YMD = re.compile(rf"(\d{{4}})([/.-])(\d{{1,2}})\2(\d{{1,2}})({_TIME})?")
_COMPACT = re.compile(rf"(\d{{4}})(\d{{2}})(\d{{2}})({_TIME})?")
_YM = re.compile(r"(\d{4})(-?)(\d{2})")
_MY = re.compile(r"(\d{1,2})([/.-])(\d{4})")
_TEXT = re.compile(r"(1er|\d{1,2})(\s+)([^\W\d_]+)(\.?)(\s+)(\d{4})", re.IGNORECASE)


_FORMS: dict[tuple, DateForm] = {}


def _numeric_form(kind: str, sep: str, pad_day: bool, pad_month: bool, year2: bool, tail: str) -> DateForm:
    """One shared DateForm per numeric way of writing (a column has a handful)."""
    key = (kind, sep, pad_day, pad_month, year2, tail)
    form = _FORMS.get(key)
    if form is None:
        form = DateForm(kind, sep, pad_day, pad_month, year2, tail)
        if len(_FORMS) < 4096:  # times of day make the only open-ended part
            _FORMS[key] = form
    return form


def _make(year: int, month: int, day: int, form: DateForm) -> FrDate | None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return FrDate(year, month, day, form)


def _case(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "upper"
    if word[:1].isupper():
        return "title"
    return "lower"


def parse_date(text: str) -> FrDate | None:
    """Read one value in any of the module's forms; ``None`` when it is not a valid date."""
    s = text.strip()
    if not s or not s[0].isdigit():
        return None
    if m := _DMY.fullmatch(s):
        d, sep, mo, y, tail = m.groups()
        year2 = len(y) == 2
        form = _numeric_form("dmy", sep, len(d) == 2, len(mo) == 2, year2, tail or "")
        return _make(two_digit_year(int(y)) if year2 else int(y), int(mo), int(d), form)
    if m := _YMD.fullmatch(s):
        y, sep, mo, d, tail = m.groups()
        return _make(int(y), int(mo), int(d), _numeric_form("ymd", sep, len(d) == 2, len(mo) == 2, False, tail or ""))
    if m := _COMPACT.fullmatch(s):
        y, mo, d, tail = m.groups()
        return _make(int(y), int(mo), int(d), _numeric_form("ymd", "", True, True, False, tail or ""))
    if m := _YM.fullmatch(s):
        return _make(int(m.group(1)), int(m.group(3)), 1, _numeric_form("ym", m.group(2), True, True, False, ""))
    if m := _MY.fullmatch(s):
        mo, sep, y = m.groups()
        return _make(int(y), int(mo), 1, _numeric_form("my", sep, True, len(mo) == 2, False, ""))
    if m := _TEXT.fullmatch(s):
        d, sp1, word, dot, sp2, y = m.groups()
        spelling = _SPELLINGS.get(word.casefold())
        if spelling is None:
            return None
        month, abbr, accents = spelling
        er = d[1:] if d[1:].casefold() == "er" else ""
        form = DateForm("text", pad_day=len(d) == 2 and d[0] == "0", er=er, space1=sp1, space2=sp2, abbr=abbr,
                        dot=bool(dot), case=_case(word), accents=accents)
        return _make(int(y), month, 1 if er else int(d), form)
    if len(s) == 4 and s.isdigit():
        return _make(int(s), 1, 1, _numeric_form("y", "", True, True, False, ""))
    return None


# ---------------------------------------------------------------- many values at once
#
# The privacy step renders every distinct date of every date column at several levels (a
# million ``parse_date`` calls per 100,000 rows, issue #21). The two ten-character forms of
# nearly every extract, ``JJ/MM/AAAA`` and ``AAAA-MM-JJ`` (any of the three separators, the same
# twice), are read here for a whole array at once; anything else is left to ``parse_date``.

_BULK_DMY = r"^[0-9]{2}[/.-][0-9]{2}[/.-][0-9]{4}$"
_BULK_YMD = r"^[0-9]{4}[/.-][0-9]{2}[/.-][0-9]{2}$"


@dataclass(frozen=True)
class DayDates:
    """Dates read in bulk (:func:`day_dates`); the fields hold where ``bulk`` is True."""

    bulk: np.ndarray    # bool: a JJ/MM/AAAA or AAAA-MM-JJ form; the others need parse_date
    valid: np.ndarray   # bool (within bulk): parse_date gives a date
    ymd: np.ndarray     # bool: the AAAA-MM-JJ form (else JJ/MM/AAAA)
    year: np.ndarray    # int64
    month: np.ndarray
    day: np.ndarray


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)[np.clip(month, 0, 12)]
    return days + ((month == 2) & leap)


def day_dates(texts) -> DayDates:
    """Where each text (``str``) is a date of day precision in a ten-character numeric form, its
    fields and whether ``parse_date`` would accept it, for many texts at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = texts if isinstance(texts, np.ndarray) else np.asarray(list(texts), dtype=object)
    n = len(values)
    zeros = np.zeros(n, dtype=np.int64)
    bulk, valid, ymd = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    year, month, day = zeros.copy(), zeros.copy(), zeros.copy()
    if n == 0:
        return DayDates(bulk, valid, ymd, year, month, day)
    arr = pa.array(values, type=pa.string())
    is_dmy = pc.match_substring_regex(arr, _BULK_DMY).to_numpy(zero_copy_only=False)
    is_ymd = pc.match_substring_regex(arr, _BULK_YMD).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(is_dmy | is_ymd)
    if len(idx):
        raw = values[idx].astype("S10").view(np.uint8).reshape(len(idx), 10).astype(np.int64)
        digit = raw - 48
        y_first = is_ymd[idx]
        # JJ/MM/AAAA: separators at 2 and 5; AAAA-MM-JJ: at 4 and 7 (the same one twice)
        same_sep = np.where(y_first, raw[:, 4] == raw[:, 7], raw[:, 2] == raw[:, 5])
        d_dmy = digit[:, 0] * 10 + digit[:, 1]
        m_dmy = digit[:, 3] * 10 + digit[:, 4]
        y_dmy = digit[:, 6] * 1000 + digit[:, 7] * 100 + digit[:, 8] * 10 + digit[:, 9]
        y_ymd = digit[:, 0] * 1000 + digit[:, 1] * 100 + digit[:, 2] * 10 + digit[:, 3]
        m_ymd = digit[:, 5] * 10 + digit[:, 6]
        d_ymd = digit[:, 8] * 10 + digit[:, 9]
        y = np.where(y_first, y_ymd, y_dmy)
        m = np.where(y_first, m_ymd, m_dmy)
        d = np.where(y_first, d_ymd, d_dmy)
        ok = ((y >= YEAR_MIN) & (y <= YEAR_MAX) & (m >= 1) & (m <= 12) & (d >= 1)
              & (d <= _days_in_month(y, m)))
        idx, y_first, y, m, d, ok = (a[same_sep] for a in (idx, y_first, y, m, d, ok))
        bulk[idx], valid[idx], ymd[idx] = True, ok, y_first
        year[idx], month[idx], day[idx] = y, m, d
    return DayDates(bulk, valid, ymd, year, month, day)


def detect_date(text: str) -> dt.date | None:
    """The detectors' rule: a day-precision date with a plausible year (see module doc)."""
    p = parse_date(text)
    if p is None:
        return None
    year, month, day, form = p
    if form.kind not in _DAY_KINDS or not (1900 if form.kind == "ymd" and not form.sep else 1800) <= year <= 2099:
        return None
    return dt.date(year, month, day)


def is_year_month(text: str) -> bool:
    """An ``AAAAMM`` month of 1900–2099 (``202112``): what the detectors call a year-month."""
    p = parse_date(text)
    return p is not None and p.form.kind == "ym" and not p.form.sep and 1900 <= p.year <= 2099


# ---------------------------------------------------------------- writing


def _num(v: int, pad: bool) -> str:
    return f"{v:02d}" if pad else str(v)


def _year(form: DateForm, year: int) -> str:
    if form.year2 and 1901 + PIVOT <= year <= 2000 + PIVOT:
        return f"{year % 100:02d}"
    return f"{year:04d}"


def month_word(form: DateForm, month: int) -> str:
    """The month written as ``form`` writes it (abbreviation, dot, accents, case)."""
    full = MONTHS[month - 1]
    word = MONTHS_ABBR[month - 1] if form.abbr else full
    dot = form.dot and word != full
    if not form.accents:
        word = _ascii(word)
    if form.case == "upper":
        word = word.upper()
    elif form.case == "title":
        word = word[:1].upper() + word[1:]
    return word + "." if dot else word


def render_date(form: DateForm, year: int, month: int = 1, day: int = 1) -> str:
    """Write a date in ``form`` (fields below the form's precision are ignored)."""
    k = form.kind
    if k == "dmy":
        if form.pad_day and form.pad_month and not form.year2:  # JJ/MM/AAAA: most values
            return f"{day:02d}{form.sep}{month:02d}{form.sep}{year:04d}{form.tail}"
        return (f"{_num(day, form.pad_day)}{form.sep}{_num(month, form.pad_month)}{form.sep}"
                f"{_year(form, year)}{form.tail}")
    if k == "ymd":
        return f"{year:04d}{form.sep}{_num(month, form.pad_month)}{form.sep}{_num(day, form.pad_day)}{form.tail}"
    if k == "ym":
        return f"{year:04d}{form.sep}{month:02d}"
    if k == "my":
        return f"{_num(month, form.pad_month)}{form.sep}{year:04d}"
    if k == "text":
        d = "1" + form.er if (day == 1 and form.er) else _num(day, form.pad_day)
        return f"{d}{form.space1}{month_word(form, month)}{form.space2}{year:04d}"
    return f"{year:04d}"


_TZ = re.compile(r"(Z|[+-]\d{2}(?::?\d{2})?)$")


def midnight(tail: str) -> str:
    """A time ``tail`` set to midnight, its layout and time zone kept (``T10:30:00Z`` -> ``T00:00:00Z``)."""
    if not tail:
        return tail
    m = _TZ.search(tail[1:])
    cut = len(tail) - len(m.group(0)) if m else len(tail)
    return re.sub(r"\d", "0", tail[:cut]) + tail[cut:]
