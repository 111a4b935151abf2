"""Code postal (La Poste): 5 digits, département 01-98. Any 5-digit number looks alike, so a bare
one needs a context word; followed by a capitalised place name (``33110 Le Bouscat``,
``75011 PARIS``) it is a post code by itself."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer

_CP = r"(?<![\w.,])(?:0[1-9]|[1-8]\d|9[0-8])\d{3}"


class FrPostalCodeRecognizer(FrPatternRecognizer):
    ENTITY = "POSTAL_CODE"
    PATTERNS = (
        ("cp", rf"{_CP}(?![\w]|[.,]\d)", 0.1),
        ("cp_city", rf"{_CP}(?=[ \u00a0](?-i:[A-ZÀ-ÖØ-Ý])[\w'’\-]*)(?![ \u00a0](?i:euros?|eur)\b)", 0.4),
    )
    CONTEXT = ("code postal", "cp", "cedex", "postal", "domicilié", "domiciliée", "habite", "adresse",
               "déménagé", "déménagée", "réside", "résidant", "installé", "installée")
