"""NIR / NIA (numéro de sécurité sociale): 15 characters with the key, spaces or dots allowed.

The key (97 - N mod 97, Corsica 2A -> 19, 2B -> 18; décret 82-103) and the plausible
fields (sex, month, place) must both hold; a validated NIR scores 1.0, so it outranks the
CREDIT_CARD reading that ~10 % of NIRs also pass (Luhn), and :func:`find_spans` gives NIR
priority on overlaps.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer
from anonymizer.detect.validators import is_nir

_S = r"[ .]?"


class FrNirRecognizer(FrPatternRecognizer):
    ENTITY = "NIR"
    PATTERNS = (
        (
            "nir_15",
            rf"(?<![\w.])[1-478]{_S}\d{{2}}{_S}\d{{2}}{_S}(?:\d{{2}}|2[AB]){_S}\d{{3}}{_S}\d{{3}}{_S}\d{{2}}(?![\w]|[.,]\d)",
            0.5,
        ),
    )
    CONTEXT = ("nir", "sécurité sociale", "securite sociale", "sécu", "nss", "insee", "immatriculation", "nia", "vitale")

    def validate_result(self, pattern_text: str) -> bool:
        return is_nir(pattern_text)
