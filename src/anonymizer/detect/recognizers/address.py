"""French street address: number [bis/ter...] + type de voie (official abbreviations) + name.

Types de voie from the "annexe abréviations noms de voie" list (france.md §1.10); the name is
up to six words and stops at punctuation, so the rest of a sentence is not swallowed.
"""

from __future__ import annotations

from anonymizer.detect.recognizers._base import FrPatternRecognizer

STREET_TYPES = (
    "rue", "avenue", "av", "bd", "boulevard", "chemin", "chem", "che", "allée", "allee", "all", "impasse", "imp",
    "place", "pl", "route", "rte", "résidence", "residence", "res", "lotissement", "lot", "quai", "cours",
    "crs", "square", "sq", "passage", "pass", "faubourg", "fbg", "voie", "villa", "vla", "hameau", "ham",
    "lieu-dit", "ldt", "clos", "cité", "cite", "sentier", "sent", "traverse", "trav", "promenade", "prom",
    "esplanade", "esp", "rond-point", "rdpt", "mail", "montée", "ruelle", "parvis", "domaine", "dom",
)
_TYPES = "|".join(sorted(STREET_TYPES, key=len, reverse=True))
_WORD = r"(?:d'|l'|de |du |des |la |le |les )?[A-ZÀ-Ÿa-zà-ÿ][\w'\-]*"


class FrAddressRecognizer(FrPatternRecognizer):
    ENTITY = "ADDRESS"
    PATTERNS = (
        (
            "adresse",
            rf"\b\d{{1,4}}(?:\s?(?:bis|ter|quater|[BTQC]))?,?\s+(?:{_TYPES})\.?\s+{_WORD}(?:[ \-]{_WORD}){{0,5}}",
            0.6,
        ),
    )
    CONTEXT = ("adresse", "domicile", "domicilié", "habite", "demeurant", "visite")
