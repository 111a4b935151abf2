"""Person names written the French administrative way: ``M. DUPONT``, ``Mme Anne MARTIN``,
``Jean-Pierre DE LA FONTAINE``.

spaCy's small French model finds 2 % of upper-case surnames (docs/scan.md), and on the
example extract the NER path left 202 third-party names whole in 10,204 rows of comments
(a neighbour, an ex-spouse, a partner named in a home visit). Two shapes cover the way
case workers write names, independently of any list of names:

* a civility or title (``M.``, ``Mme``, ``Madame``, ``Docteur``, ``Maître``...) followed by
  up to four name words: only the name is the span;
* a capitalised first name (``Anne``, ``Jean-Pierre``, ``Anaïs``) followed by one to four
  upper-case words (the surname, particles included).

Patterns are case-sensitive. An upper-case part made only of known acronyms (``Demande
RSA``, ``Suivi PMI``) is rejected by :meth:`invalidate_result`.
"""

from __future__ import annotations

import regex as re

from anonymizer.detect.recognizers._base import FrPatternRecognizer

_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ"
_UPPER_WORD = rf"(?:[{_UP}]['’])?[{_UP}](?:[{_UP}'’]*[{_UP}])?"  # DUPONT, D'ARTAGNAN, O'NEIL
_UPPER_RUN = rf"{_UPPER_WORD}(?:(?:[ \-]|\s-\s){_UPPER_WORD}){{0,3}}"
_TITLE_WORD = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)*"  # Anne, Jean-Pierre, Anaïs
_CIVILITY = (
    r"(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Mr\.?|Madame|Monsieur|Mademoiselle|Messieurs|Mesdames"
    r"|Maître|Me|Dr\.?|Docteur|Pr\.?|Professeur)"
)
_NAME_AFTER_CIVILITY = rf"(?:{_TITLE_WORD}\s+){{0,2}}(?:{_UPPER_RUN}|{_TITLE_WORD})"

#: Civilities and titles, upper-cased: capitalised words that are not names themselves.
CIVILITIES = frozenset(w.upper() for w in re.findall(r"[A-Za-zî]+", _CIVILITY))

#: Upper-case words that are not surnames: administrative acronyms of the social-benefits world.
ACRONYMS = frozenset(["AAH", "AF", "ALF", "ALS", "APL", "ARE", "ARS", "ASE", "ASF", "ASS", "ATA", "BIC", "BP", "CAF", "CCAS", "CDD", "CDI", "CEDEX", "CESU", "CHU", "CMG", "CMP", "CMU", "CNI", "CPAM", "CS", "CSAPA", "CSS", "DGFIP", "EDF", "EI", "ESAT", "EURL", "FR", "GDF", "HLM", "IBAN", "MDPH", "MSA", "NB", "NIR", "NPAI", "OFII", "OK", "OPH", "PAJE", "PJ", "PMI", "PPA", "PS", "RAS", "RDV", "RIB", "RMI", "RSA", "RSO", "SA", "SAMU", "SARL", "SAS", "SASU", "SCI", "SIREN", "SIRET", "SMIC", "SNCF", "TEL", "TÉL", "TSA", "TVA", "UE", "URSSAF"])

#: what separates the words of a name (compiled once: ``re.split`` with a pattern string looks it up
#: in the module's cache on every call, most of ``invalidate_result``'s time)
_PARTS = re.compile(r"[\s\-]+")


class FrPersonRecognizer(FrPatternRecognizer):
    ENTITY = "PERSON"
    PATTERNS = (
        ("civilite_nom", rf"(?<=\b{_CIVILITY}\s+){_NAME_AFTER_CIVILITY}\b", 0.6),
        ("prenom_NOM", rf"\b(?!{_CIVILITY}(?!\w)){_TITLE_WORD}(?:[ \-]{_TITLE_WORD})?\s+{_UPPER_RUN}(?![\w])", 0.5),
    )
    CONTEXT = ("nom", "monsieur", "madame", "conjoint", "concubin", "voisin", "enfant", "appel", "présence")
    CASE_SENSITIVE = True

    def invalidate_result(self, pattern_text: str) -> bool | None:
        upper = [w for w in _PARTS.split(pattern_text) if w.isupper()]
        if upper and all(w in ACRONYMS for w in upper):
            return True
        return None
