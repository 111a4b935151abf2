"""Named generalisation ladders: how each attacker-known column is released at each level.

A *family* of columns re-encodes one fact (a birth date and an age; a nationality category and
its exact country code; a commune, its post code, its name and its IRIS; the household's
situation and counts). The release must give every column of a family the same level of
information: the exact nationality code cannot survive beside "France / Etranger". So each
family has one ladder of named levels, from the finest to ``*``, and each column maps every
family level to the finest level of its own that carries no more information (a commune name
has no "département" form: at that level it is ``*``).

=========== ==================================================================
family      levels (finest first)
=========== ==================================================================
birth       day, month, year, 5 years, 10 years, *
sex         exact, *
place       exact, departement, france, *
nationality exact, group (FR / UE / HUE), france (France / Etranger), *
household   exact, grouped (counts 0, 1, 2, 3+; categories by their hierarchy), *
category    exact, *
=========== ==================================================================

Every function works on the distinct values of a column (text, ``""`` = missing, which stays
missing at every level: absence is a value of its own) and returns their released text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from anonymizer.detect.entities import family_of as entities_family_of
from anonymizer.resources import rules_path

STAR = "*"

FAMILY_LEVELS: dict[str, tuple[str, ...]] = {
    "birth": ("day", "month", "year", "5 years", "10 years", STAR),
    "sex": ("exact", STAR),
    "place": ("exact", "departement", "france", STAR),
    "nationality": ("exact", "group", "france", STAR),
    "household": ("exact", "grouped", STAR),
    "category": ("exact", STAR),
}

Renderer = Callable[[str], str]


@dataclass(frozen=True)
class Ladder:
    """A column's own levels (a subsequence of its family's) and how each renders a value."""

    family: str
    names: tuple[str, ...]
    render: dict[str, Renderer]

    def level_for(self, family_level: str) -> str:
        """The column's level for a family level: the same name, else the next coarser it has."""
        order = FAMILY_LEVELS[self.family]
        for name in order[order.index(family_level):]:
            if name in self.names:
                return name
        return STAR

    def apply(self, uniques: np.ndarray, family_level: str) -> np.ndarray:
        """Released text of each distinct value at a family level ('' stays '')."""
        fn = self.render[self.level_for(family_level)]
        return np.array([v if v == "" else fn(v) for v in uniques], dtype=object)


# ----------------------------------------------------------------------------- dates

_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")
_Y = re.compile(r"^(\d{4})$")


def _ym(text: str) -> tuple[int, int | None, str] | None:
    """(year, month or None, style) of a date text; style 'dmy' or 'iso' for rendering months."""
    t = text.strip()
    m = _DMY.match(t)
    if m:
        return int(m.group(4)), int(m.group(3)), "dmy"
    m = _YMD.match(t)
    if m:
        return int(m.group(1)), int(m.group(2)), "iso"
    m = _MY.match(t)
    if m:
        return int(m.group(2)), int(m.group(1)), "dmy"
    m = _YM.match(t)
    if m:
        return int(m.group(1)), int(m.group(2)), "iso"
    m = _Y.match(t)
    if m:
        return int(m.group(1)), None, "dmy"
    return None


def _date_level(level: str) -> Renderer:
    def render(v: str) -> str:
        p = _ym(v)
        if p is None:
            return STAR  # not a date in the method's terms: suppressed, never kept
        y, mo, style = p
        if level == "day":
            return v
        if level == "month":
            if mo is None:
                return f"{y:04d}"
            return f"{mo:02d}/{y:04d}" if style == "dmy" else f"{y:04d}-{mo:02d}"
        if level == "year":
            return f"{y:04d}"
        width = 5 if level == "5 years" else 10
        lo = y // width * width
        return f"{lo}-{lo + width - 1}"
    return render


def _dates() -> Ladder:
    names = FAMILY_LEVELS["birth"]
    return Ladder("birth", names, {n: (_date_level(n) if n != STAR else (lambda _v: STAR)) for n in names})


# ----------------------------------------------------------------------------- numbers

def _int(v: str) -> int | None:
    t = v.strip().replace(",", ".")
    try:
        x = float(t)
    except ValueError:
        return None
    return int(x) if x == int(x) else None


def _age_band(width: int) -> Renderer:
    def render(v: str) -> str:
        x = _int(v)
        if x is None:
            return STAR
        lo = x // width * width
        return f"{lo}-{lo + width - 1}"
    return render


def _count_grouped(v: str) -> str:
    x = _int(v)
    if x is None:
        return STAR
    return f"{x}" if x < 3 else "3+"


# ----------------------------------------------------------------------------- places and nationality

def _departement(v: str) -> str:
    from anonymizer.transform.generalize import departement

    return departement(v)


@lru_cache(maxsize=1)
def _country_groups() -> dict[str, str]:
    rows = {}
    for line in rules_path("data", "pays.csv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code;"):
            continue
        parts = line.split(";")
        if len(parts) >= 3:
            rows[parts[0].strip()] = parts[2].strip()
    return rows


_FR_WORDS = {"FR", "FRA", "FRANCE", "FRANCAISE", "FRANÇAISE", "FRANCAIS", "FRANÇAIS", "99100"}


def _nat_group(v: str) -> str:
    u = v.strip().upper()
    if u in _FR_WORDS:
        return "FR"
    if u in ("UE", "HUE"):
        return u
    return _country_groups().get(u, "HUE" if u.startswith("99") else "Etranger")


def _nat_france(v: str) -> str:
    return "France" if _nat_group(v) == "FR" else "Etranger"


def _place_france(v: str) -> str:
    """A place at the level of "in France or abroad": a country code 99xxx other than France is
    abroad, any French code is France."""
    u = v.strip().upper()
    if u.startswith("99") and len(u) == 5:
        return "France" if u == "99100" else "Etranger"
    return "France"


# ----------------------------------------------------------------------------- the table

def _same(v: str) -> str:
    return v


def _star(_v: str) -> str:
    return STAR


def ladder_for(entity: str | None, family: str, values_hint: tuple[str, ...] = ()) -> Ladder:
    """The ladder of a column of ``entity`` released within ``family`` (see module doc)."""
    e = (entity or "").upper()
    if family == "birth":
        if e == "AGE":
            return Ladder("birth", ("year", "5 years", "10 years", STAR),
                          {"year": _same, "5 years": _age_band(5), "10 years": _age_band(10), STAR: _star})
        return _dates()
    if family == "sex":
        return Ladder("sex", ("exact", STAR), {"exact": _same, STAR: _star})
    if family == "place":
        if e in ("POSTAL_CODE", "COMMUNE_CODE", "IRIS", "DEPARTEMENT"):
            return Ladder("place", ("exact", "departement", "france", STAR),
                          {"exact": _same, "departement": _departement, "france": _place_france, STAR: _star})
        if e == "COUNTRY_CODE":  # a country is coarser than a département: kept down to "france"
            return Ladder("place", ("departement", "france", STAR),
                          {"departement": _same, "france": _place_france, STAR: _star})
        if e == "COMMUNE_NAME":
            return Ladder("place", ("exact", STAR), {"exact": _same, STAR: _star})
        # a place category (QPV, the CAF's code...): no finer than a département by assumption
        return Ladder("place", ("departement", STAR), {"departement": _same, STAR: _star})
    if family == "nationality":
        if e in ("NATIONALITY", "COUNTRY_CODE"):
            return Ladder("nationality", ("exact", "group", "france", STAR),
                          {"exact": _same, "group": _nat_group, "france": _nat_france, STAR: _star})
        return Ladder("nationality", ("exact", STAR), {"exact": _same, STAR: _star})
    if family == "household":
        if e == "COUNT":
            return Ladder("household", ("exact", "grouped", STAR),
                          {"exact": _same, "grouped": _count_grouped, STAR: _star})
        return Ladder("household", ("exact", STAR), {"exact": _same, STAR: _star})
    return Ladder("category", ("exact", STAR), {"exact": _same, STAR: _star})


def family_of(entity: str | None, declared: str | None = None) -> str:
    """The ladder family of a column (``detect.entities.family_of``; ``category`` when its family has
    no ladder of its own)."""
    fam = entities_family_of(entity, declared)
    return fam if fam in FAMILY_LEVELS else "category"


def floor_for(action: str, params: dict, ladder: Ladder) -> str:
    """The finest family level a column's own decision allows (``generalize`` by month = month)."""
    if action in ("suppress", "drop"):
        return STAR
    if action != "generalize":
        return FAMILY_LEVELS[ladder.family][0]
    method = str(params.get("method") or "")
    width = params.get("width")
    by_method = {"month": "month", "year": "year", "departement": "departement", "prefix": "departement"}
    if method in by_method and by_method[method] in FAMILY_LEVELS[ladder.family]:
        return by_method[method]
    if method in ("band", "age_band") and ladder.family == "birth":
        return "10 years" if (width or 5) > 5 else "5 years"
    if method in ("band", "round", "top_bottom") and ladder.family == "household":
        return "grouped"
    return FAMILY_LEVELS[ladder.family][0]


def render_column(values: pd.Series, ladder: Ladder, family_level: str) -> pd.Series:
    """A column's text released at a family level (per distinct value)."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), use_na_sentinel=False)
    out = ladder.apply(np.asarray(uniques, dtype=object), family_level)
    return pd.Series(out[codes], index=values.index, dtype=object)
