"""Fraud-base matricule: 10 characters = 3-digit CAF code + 7-digit file number (CNIL délib. 2011-012).

The composition is an assumption (france.md §1.3); like the file number it is reported only
with context words nearby.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer


class FrCafMatriculeRecognizer(FrPatternRecognizer):
    ENTITY = "CAF_MATRICULE"
    PATTERNS = (("matricule_10", r"(?<![\w.,/])[1-9]\d{2}\s?\d{7}(?![\w]|[.,/]\d)", 0.1),)
    CONTEXT = ("matricule", "allocataire", "caf", "dossier")
