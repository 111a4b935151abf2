"""Dates written the French way, with a year or without one.

With a year: JJ/MM/AAAA and JJ/MM/AA (/, -, .), AAAA-MM-JJ, ``12 mars 1985``, ``1er août 1990``.
Without a year — what a comment quotes most (``rappeler le 21/07``, ``le 21 juillet``):

* ``JJ/MM`` with two digits each, anywhere;
* ``J/M`` (one digit allowed) and ``JJ-MM`` only after a date word (``le``, ``du``, ``au``, ``dès``,
  ``depuis``, ``jusqu'au``, ``avant``, ``après``, ``rdv``): ``3/4`` (a score, three quarters) and
  ``10-12`` (a range of pages) are not dates;
* ``21 juillet``, ``1er mars`` (the month's name).

Not dates: a form followed by ``h`` (``14/15h``, a time), ``%``, ``€``, ``ans`` or another
digit group (``12/20`` has no month 20 anyway: validation parses the calendar date, in a leap
year for year-less forms). A dot never separates a year-less date: ``12.05`` is an amount.
Presidio's DateRecognizer has no French month names and fr_core_news has no DATE label
(Presidio issue #1431), so written dates are found here. Validation parses the calendar date
(``validators.parse_text_date``, month names from :mod:`anonymizer.values.dates`); ``06.12.34.56.78``
never matches (lookahead), it is a phone number.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import parse_text_date
from anonymizer.values.dates import MONTH_PATTERN

_END = r"(?![\w]|[./\-]\d)"
# after a year-less day/month: not a time, a percentage, an amount, an age, nor more digits
_END_DM = r"(?![\w]|[./\-,]\d|\s*(?:h\b|%|€|eur|ans?\b))"
_DATE_WORD = r"(?<=\b(?:le|du|au|dès|depuis|jusqu'au|jusqu’au|avant|après|rdv|rendez-vous)\s{1,3})"


class FrDateRecognizer(FrPatternRecognizer):
    ENTITY = "DATE"
    PATTERNS = (
        ("date_written", rf"\b(?:1er|[0-3]?\d)\s+(?:{MONTH_PATTERN})\.?\s+(?:1[89]|20)\d\d\b", 0.6),
        ("date_dmy", rf"(?<![\w./\-])[0-3]?\d([/.\-])[01]?\d\1(?:(?:1[89]|20)\d\d|\d\d){_END}", 0.5),
        ("date_iso", rf"(?<![\w./\-])(?:1[89]|20)\d\d-[01]\d-[0-3]\d{_END}", 0.6),
        ("date_dm", rf"(?<![\w./\-,])[0-3]\d/[01]\d{_END_DM}", 0.5),
        ("date_dm_word", rf"{_DATE_WORD}[0-3]?\d[/\-][01]?\d{_END_DM}", 0.5),
        ("date_written_no_year", rf"\b(?:1er|[0-3]?\d)\s+(?:{MONTH_PATTERN})\b(?!\.?\s+(?:1[89]|20)\d\d\b)", 0.5),
    )
    CONTEXT = ("date", "né", "née", "naître", "naissance", "depuis")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if parse_text_date(pattern_text) is not None else False
