"""Numéro fiscal (SPI): 13 digits, first 0-3, last three = first ten mod 511 (stdnum.fr.nif)."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_fr_tax_id


class FrTaxIdRecognizer(FrPatternRecognizer):
    ENTITY = "FR_TAX_ID"
    PATTERNS = (("spi", r"(?<![\w.,])[0-3]\d ?\d{2} ?\d{3} ?\d{3} ?\d{3}(?![\w]|[.,]\d)", 0.6),)
    CONTEXT = ("fiscal", "spi", "impôts", "impots", "nif", "avis d'imposition")

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if is_fr_tax_id(pattern_text) else False
