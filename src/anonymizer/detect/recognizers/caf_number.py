"""CAF numéro d'allocataire / de dossier: 7 digits, meaningful only next to its context words.

No check digit is public (france.md §1.3), so a bare 7-digit number scores 0.1 and only
words such as "allocataire" or "dossier" nearby raise it above the reporting threshold.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrCafNumberRecognizer(FrPatternRecognizer):
    ENTITY = "CAF_NUMBER"
    PATTERNS = (("caf_7", r"(?<![\w.,/])\d{7}(?![\w]|[.,/]\d)", 0.1),)
    CONTEXT = ("allocataire", "alloc", "dossier", "caf", "numalloc", "matricule")
