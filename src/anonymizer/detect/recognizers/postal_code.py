"""Code postal (La Poste): 5 digits, département 01-98. Any 5-digit number looks alike: context only."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrPostalCodeRecognizer(FrPatternRecognizer):
    ENTITY = "POSTAL_CODE"
    PATTERNS = (("cp", r"(?<![\w.,])(?:0[1-9]|[1-8]\d|9[0-8])\d{3}(?![\w]|[.,]\d)", 0.1),)
    CONTEXT = ("code postal", "cp", "cedex", "postal", "domicilié", "habite", "adresse")
