"""French passport number: 2 digits, 2 letters, 5 digits (e.g. 12AB34567). No check digit outside the MRZ."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrPassportRecognizer(FrPatternRecognizer):
    ENTITY = "PASSPORT"
    PATTERNS = (("passport", r"\b\d{2}[A-Z]{2}\d{5}\b", 0.3),)
    CONTEXT = ("passeport", "passport")
    CASE_SENSITIVE = True
