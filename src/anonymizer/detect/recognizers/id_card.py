"""Carte nationale d'identité: 12 characters (1995-2021: YYMM + 3-char département + 5 digits)
or 9 alphanumerics (CNIe since 2021). Both collide with other numbers: context only."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrIdCardRecognizer(FrPatternRecognizer):
    ENTITY = "ID_CARD"
    PATTERNS = (
        ("cni_1995", r"\b\d{2}(?:0[1-9]|1[0-2])[0-9A-Z]{3}\d{5}\b", 0.1),
        ("cnie_2021", r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{9}\b", 0.05),
    )
    CONTEXT = ("cni", "carte d'identité", "identité", "identite", "carte nationale")
    CASE_SENSITIVE = True
