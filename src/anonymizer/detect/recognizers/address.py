"""French street address (:mod:`anonymizer.detect.street`): number [bis/ter...] + type de voie (official abbreviations) + name.

Types de voie from the "annexe abréviations noms de voie" list (france.md §1.10); the name is
up to six words and stops at punctuation, so the rest of a sentence is not swallowed.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.street import ADDRESS_PATTERN, STREET_TYPES

__all__ = ["STREET_TYPES", "FrAddressRecognizer"]


class FrAddressRecognizer(FrPatternRecognizer):
    ENTITY = "ADDRESS"
    PATTERNS = (("adresse", ADDRESS_PATTERN, 0.6),)
    CONTEXT = ("adresse", "domicile", "domicilié", "habite", "demeurant", "visite")
