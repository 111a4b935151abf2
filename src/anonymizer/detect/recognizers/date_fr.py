"""Dates written the French way: JJ/MM/AAAA (/, -, .), JJ/MM/AA, AAAA-MM-JJ, and ``12 mars 1985``.

Presidio's DateRecognizer has no French month names and fr_core_news has no DATE label
(Presidio issue #1431), so written dates are found here. Validation parses the calendar
date with :mod:`anonymizer.values.dates` (the parser every action uses); ``06.12.34.56.78``
never matches (lookahead), it is a phone number.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import parse_date
from anonymizer.values.dates import MONTH_PATTERN

_END = r"(?![\w]|[./\-]\d)"


class FrDateRecognizer(FrPatternRecognizer):
    ENTITY = "DATE"
    PATTERNS = (
        ("date_written", rf"\b(?:1er|[0-3]?\d)\s+(?:{MONTH_PATTERN})\.?\s+(?:1[89]|20)\d\d\b", 0.6),
        ("date_dmy", rf"(?<![\w./\-])[0-3]?\d([/.\-])[01]?\d\1(?:(?:1[89]|20)\d\d|\d\d){_END}", 0.5),
        ("date_iso", rf"(?<![\w./\-])(?:1[89]|20)\d\d-[01]\d-[0-3]\d{_END}", 0.6),
    )
    CONTEXT = ("date", "né", "née", "naître", "naissance", "depuis")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if parse_date(pattern_text) is not None else False
