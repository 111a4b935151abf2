"""French place codes -> département: post codes, COG commune codes, IRIS, département codes.

The département is the first two characters of a code, with these rules (france.md §1.9):

* **overseas**: ``97x`` / ``98x`` codes have a three-character département (``97411`` -> ``974``,
  ``98800`` -> ``988``);
* **Corsica**: commune codes carry it (``2A004`` -> ``2A``, ``2B033`` -> ``2B``). Post codes are
  digits only (``20xxx``): ``20000``–``20199`` are Corse-du-Sud (``2A``), ``20200`` and above
  Haute-Corse (``2B``; Bastia ``20200``/``20600``, its CEDEX codes ``204xx``). A digits-only
  ``20xxx`` read as a *commune* code is a pre-1976 COG code, whose numbers do not follow the
  post-code ranges: it maps to ``20`` (Corsica, département unknown);
* **CEDEX**: a CEDEX code is a post code of its département (``33076``); a ``CEDEX`` word after
  it (``33076 CEDEX 9``) is dropped;
* **a lost leading zero**: a numeric column turns ``01000`` into ``1000``. A 4-digit code is
  re-padded (``1000`` -> ``01000`` -> ``01``), everywhere; so is an 8-digit IRIS code and a
  1-digit département code when the column is known to hold them;
* spaces inside a code are ignored (``33 000``, ``2A 004``).

``kind`` says what the column holds (``postcode``, ``commune``, ``iris``, ``departement``; see
``ENTITY_KINDS``); ``None`` accepts any of the shapes and reads a digits-only five-character
code as a post code.
"""

from __future__ import annotations

import re

#: Detector patterns (regex): a metropolitan/overseas post code, a COG commune code, and the
#: Corsican/overseas codes among them.
POSTAL_PATTERN = r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}"
COG_PATTERN = r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}|97[1-6]\d{2}"
CORSICA_OVERSEAS_PATTERN = r"2[AB][0-9]{3}|97[1-6][0-9]{2}"

#: Entity (docs/ARCHITECTURE.md vocabulary) -> kind of code.
ENTITY_KINDS = {"POSTAL_CODE": "postcode", "COMMUNE_CODE": "commune", "IRIS": "iris", "DEPARTEMENT": "departement"}
KINDS = (None, "postcode", "commune", "iris", "departement")

_CEDEX = re.compile(r"\s*CEDEX(?:\s*\d{1,2})?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CODE5 = re.compile(r"\d[\dAB]\d{3}")
_IRIS = re.compile(r"\d[\dAB]\d{7}")
_DEP = re.compile(r"\d[\dAB]|9[78]\d")


def place_code(code: str, kind: str | None = None) -> str | None:
    """The code cleaned for reading: upper case, no spaces nor CEDEX word, a lost leading zero
    restored. ``None`` when it has no shape of ``kind``."""
    c = code.strip()
    if len(c) == 5 and c.isdigit() and c.isascii():  # a plain five-digit code: most values
        return c
    c = c.upper()
    if "CEDEX" in c:
        c = _CEDEX.sub("", c)
    if not c.isalnum():
        c = _SPACES.sub("", c)
    n = len(c)
    if c.isdigit() and (n == 4 or (n == 8 and kind == "iris") or (n == 1 and kind == "departement")):
        c, n = "0" + c, n + 1
    if n == 5 and _CODE5.fullmatch(c):
        return c
    if n == 9 and kind in (None, "iris") and _IRIS.fullmatch(c):
        return c
    if n in (2, 3) and kind in (None, "departement") and _DEP.fullmatch(c):
        return c
    return None


def corsica_departement(postcode: str) -> str:
    """``2A`` or ``2B`` for a Corsican post code ``20xxx`` (see module doc)."""
    return "2A" if int(postcode) < 20200 else "2B"


def departement_of(code: str, kind: str | None = None) -> str | None:
    """Département of a place code (``33``, ``2A``, ``974``), or ``None`` when it is not one."""
    c = place_code(code, kind)
    if c is None:
        return None
    if len(c) <= 3:
        return c
    if c[:2] in ("97", "98"):
        return c[:3]
    if c[:2] == "20" and len(c) == 5 and c.isdigit() and kind in (None, "postcode"):
        return corsica_departement(c)
    return c[:2]
