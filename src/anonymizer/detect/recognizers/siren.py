"""SIREN: 9 digits, Luhn (stdnum.fr.siren). 1 random number in 10 passes, so context matters."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_siren


class FrSirenRecognizer(FrPatternRecognizer):
    ENTITY = "SIREN"
    PATTERNS = (("siren", r"(?<![\w.,])\d{3} ?\d{3} ?\d{3}(?![\w]|[.,]\d| ?\d)", 0.2),)
    CONTEXT = ("siren", "entreprise", "société", "societe", "rcs", "employeur", "bailleur")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if is_siren(pattern_text) else False
