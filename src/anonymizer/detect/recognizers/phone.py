"""French phone numbers: 0Z ZZ ZZ ZZ ZZ, +33 / 0033 / +33 (0) forms, any of space . - separators.

Overseas numbers (0262, 0590, 0639, 0694...) are re-parsed with their own region before
phonenumbers judges them (france.md §1.8). A number phonenumbers accepts scores 1.0; a
number with a French shape in an unallocated or fiction range (06 39 98...) keeps 0.5. In
``06.12.34.56.78`` the whole number wins over the date reading of ``06.12.34`` because
:func:`find_spans` resolves overlaps in favour of the longer, higher-priority span.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_valid_phone_number, phone_national


class FrPhoneRecognizer(FrPatternRecognizer):
    ENTITY = "PHONE"
    PATTERNS = (
        (
            "phone_fr",
            r"(?<![\w+])(?:(?:\+|00)33[ .\-]?(?:\(0\)[ .\-]?)?[1-9]|0[1-9])(?:[ .\-]?\d{2}){4}(?!\d)",
            0.5,
        ),
    )
    CONTEXT = ("téléphone", "telephone", "tél", "tel", "portable", "mobile", "appeler", "rappeler", "joindre", "fixe")

    def validate_result(self, pattern_text: str) -> bool | None:
        if phone_national(pattern_text) is None:
            return False
        return True if is_valid_phone_number(pattern_text) else None
