"""SIRET: 14 digits = SIREN + NIC, Luhn; La Poste (356000000...) uses digit sum % 5 (stdnum.fr.siret)."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_siret


class FrSiretRecognizer(FrPatternRecognizer):
    ENTITY = "SIRET"
    PATTERNS = (("siret", r"(?<![\w.,])\d{3} ?\d{3} ?\d{3} ?\d{5}(?![\w]|[.,]\d)", 0.5),)
    CONTEXT = ("siret", "établissement", "etablissement", "entreprise", "employeur", "bailleur")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if is_siret(pattern_text) else False
