"""BIC / SWIFT code (ISO 9362). Upper-case words of 8 letters look alike, so only context counts."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_bic


class FrBicRecognizer(FrPatternRecognizer):
    ENTITY = "BIC"
    PATTERNS = (("bic", r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", 0.2),)
    CONTEXT = ("bic", "swift", "banque", "rib")
    CASE_SENSITIVE = True

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if is_bic(pattern_text) else False
