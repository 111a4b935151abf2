"""Street types and the French street-address pattern, as plain data.

Shared by the Presidio recognizer (:mod:`.recognizers.address`) and the column scan, which must
not import Presidio (a table without free text is scanned without it).
"""

from __future__ import annotations

STREET_TYPES = (
    "rue", "avenue", "av", "bd", "boulevard", "chemin", "chem", "che", "allée", "allee", "all", "impasse", "imp",
    "place", "pl", "route", "rte", "résidence", "residence", "res", "lotissement", "lot", "quai", "cours",
    "crs", "square", "sq", "passage", "pass", "faubourg", "fbg", "voie", "villa", "vla", "hameau", "ham",
    "lieu-dit", "ldt", "clos", "cité", "cite", "sentier", "sent", "traverse", "trav", "promenade", "prom",
    "esplanade", "esp", "rond-point", "rdpt", "mail", "montée", "ruelle", "parvis", "domaine", "dom",
)
_TYPES = "|".join(sorted(STREET_TYPES, key=len, reverse=True))
_WORD = r"(?:d'|l'|de |du |des |la |le |les )?[A-ZÀ-Ÿa-zà-ÿ][\w'\-]*"
#: number [bis/ter...] + type de voie + up to six words of name
ADDRESS_PATTERN = rf"\b\d{{1,4}}(?:\s?(?:bis|ter|quater|[BTQC]))?,?\s+(?:{_TYPES})\.?\s+{_WORD}(?:[ \-]{_WORD}){{0,5}}"
