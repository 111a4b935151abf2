"""Ages in free text: ``âgé de 34 ans``, ``34 ans``, ``(1 an)``.

A number of years is an age unless a duration word precedes it (``depuis 3 ans``, ``pendant 2
ans``, ``il y a 10 ans``, ``dans 5 ans``) or a noun follows it (``3 ans de mariage``, ``2 ans
d'arriérés``). A duration that slips through is banded like an age by ``redact``: the text
reads less precisely, nothing leaks. Ages above 120 are not ages.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer

_DURATION = (r"(?<!\b(?:depuis|pendant|durant|dans|sous|pour|en|sur|il y a|tous les|chaque|après|avant|"
             r"voici|voilà|d'ici|d’ici|plus de|moins de|près de|au bout de|ces|les|des)\s{1,3})")


class FrAgeRecognizer(FrPatternRecognizer):
    ENTITY = "AGE"
    PATTERNS = (
        ("age_years", rf"(?<![\w.,/\-]){_DURATION}(?:1[01]\d|120|\d{{1,2}})[ \u00a0]?ans?\b(?!\s+(?:de\b|d['’]))", 0.5),
    )
    CONTEXT = ("âgé", "âgée", "âge", "age", "agé", "agée")

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = "".join(c for c in pattern_text if c.isdigit())
        return None if digits and int(digits) <= 120 else False
