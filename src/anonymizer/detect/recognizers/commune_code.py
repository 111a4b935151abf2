"""Code commune INSEE (COG): 5 characters, Corsica 2A/2B, overseas 971-976 (france.md §1.9)."""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrCommuneCodeRecognizer(FrPatternRecognizer):
    ENTITY = "COMMUNE_CODE"
    PATTERNS = (
        ("cog_corse", r"\b2[AB]\d{3}\b", 0.3),
        ("cog", r"(?<![\w.,])(?:0[1-9]|[1-8]\d|9[0-5]|97[1-6])\d{2,3}(?![\w]|[.,]\d)", 0.05),
    )
    CONTEXT = ("insee", "commune", "cog", "code géographique")
    CASE_SENSITIVE = True
