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
date        day, month, year, *   (dates of events: a move, a lease, a job)
amount      exact, rounded (2 significant digits), band (1 significant digit), *  (rents, surfaces)
category    exact, *
=========== ==================================================================

Every function works on the distinct values of a column (text, ``""`` = missing, which stays
missing at every level but ``*``: absence is a value of its own) and returns their released text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from anonymizer.detect.entities import family_of as entities_family_of
from anonymizer.resources import rules_path
from anonymizer.values.dates import day_dates, parse_date
from anonymizer.values.numbers import parse_number, parse_numbers, round_half_up, round_half_up_many

STAR = "*"

FAMILY_LEVELS: dict[str, tuple[str, ...]] = {
    "birth": ("day", "month", "year", "5 years", "10 years", STAR),
    "sex": ("exact", STAR),
    "place": ("exact", "departement", "france", STAR),
    "nationality": ("exact", "group", "france", STAR),
    "household": ("exact", "grouped", STAR),
    "date": ("day", "month", "year", STAR),
    "amount": ("exact", "rounded", "band", STAR),
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
        """Released text of each distinct value at a family level. A missing value ('') stays
        missing below ``*``; at ``*`` it is ``*`` too, or the pattern of which columns are empty
        (no third child, no rent) would still tell records apart."""
        name = self.level_for(family_level)
        if name == STAR:
            return np.full(len(uniques), STAR, dtype=object)
        fn = self.render[name]
        many = getattr(fn, "many", None)
        if many is not None and pd.api.types.infer_dtype(uniques, skipna=False) in ("string", "empty"):
            return many(uniques)
        return np.array([v if v == "" else fn(v) for v in uniques], dtype=object)


# ----------------------------------------------------------------------------- dates

def _render_date(level: str, v: str) -> str:
    """A date released at a level, in its own written form where the level keeps one
    (``21/07/1985`` by month is ``07/1985``, ``1985-07-21`` is ``1985-07``): read by the one
    French date reader, ``values.dates``."""
    p = parse_date(v)
    if p is None:
        return STAR  # not a date in the method's terms: suppressed, never kept
    y, mo = p.year, (p.month if p.precision in ("day", "month") else None)
    if level == "day":
        return v
    if level == "month":
        if mo is None:
            return f"{y:04d}"
        return f"{y:04d}-{mo:02d}" if p.kind in ("ymd", "ym") else f"{mo:02d}/{y:04d}"
    if level == "year":
        return f"{y:04d}"
    width = 5 if level == "5 years" else 10
    lo = y // width * width
    return f"{lo}-{lo + width - 1}"


def _render_dates(level: str, values) -> np.ndarray:
    """``_render_date(level, v)`` of many distinct values (``str``; '' stays ''): the two
    ten-character forms read in bulk (``values.dates.day_dates``), any other by ``_render_date``.
    A level's text is written once per distinct (year, month, form) and gathered."""
    values = np.asarray(values, dtype=object)
    out = np.empty(len(values), dtype=object)
    dates = day_dates(values)
    for i in np.flatnonzero(~dates.bulk).tolist():
        v = values[i]
        out[i] = v if v == "" else _render_date(level, v)
    out[dates.bulk & ~dates.valid] = STAR  # not a date in the method's terms: suppressed, never kept
    idx = np.flatnonzero(dates.valid)
    if level == "day":
        out[idx] = values[idx]
        return out
    y = dates.year[idx]
    width = 5 if level == "5 years" else 10
    if level == "month":  # the key carries the form: AAAA-MM for AAAA-MM-JJ, MM/AAAA for JJ/MM/AAAA
        key = (y * 100 + dates.month[idx]) * 2 + dates.ymd[idx]
    else:
        key = y if level == "year" else y // width * width
    distinct = np.unique(key)
    if level == "month":
        texts = [f"{k // 200:04d}-{k // 2 % 100:02d}" if k % 2 else f"{k // 2 % 100:02d}/{k // 200:04d}"
                 for k in distinct.tolist()]
    elif level == "year":
        texts = [f"{k:04d}" for k in distinct.tolist()]
    else:
        texts = [f"{lo}-{lo + width - 1}" for lo in distinct.tolist()]
    out[idx] = np.array(texts, dtype=object)[np.searchsorted(distinct, key)]
    return out


@dataclass(frozen=True)
class _DateLevel:
    """The renderer of a date level: one value (``__call__``) or many (``many``). A class, not
    a closure: ladders go to worker processes."""

    level: str

    def __call__(self, v: str) -> str:
        return _render_date(self.level, v)

    def many(self, values) -> np.ndarray:
        return _render_dates(self.level, values)


def _date_level(level: str) -> Renderer:
    return _DateLevel(level)


def _dates(family: str = "birth") -> Ladder:
    names = FAMILY_LEVELS[family]
    return Ladder(family, names, {n: (_date_level(n) if n != STAR else _star) for n in names})


# ----------------------------------------------------------------------------- numbers

def _number(v: str) -> float | None:
    p = parse_number(v)
    return None if p is None or not math.isfinite(p.value) else p.value


def _int(v: str) -> int | None:
    x = _number(v)
    return int(x) if x is not None and x == int(x) else None


def _render_age_band(width: int, v: str) -> str:
    x = _int(v)
    if x is None:
        return STAR
    lo = x // width * width
    return f"{lo}-{lo + width - 1}"


def _age_band(width: int) -> Renderer:
    return partial(_render_age_band, width)


def _count_grouped(v: str) -> str:
    x = _int(v)
    if x is None:
        return STAR
    return f"{x}" if x < 3 else "3+"


def _step(x: float, digits: int) -> float:
    """The rounding step that keeps ``digits`` significant digits of ``x`` (at least 1)."""
    if x == 0:
        return 1.0
    return max(10.0 ** (math.floor(math.log10(abs(x))) - digits + 1), 1.0)


def _fmt(x: float) -> str:
    return f"{int(x)}" if x == int(x) else f"{x:g}"


def _rounded(v: str) -> str:
    """Two significant digits, half up (a rent of 537,20 is 540, 1 234 is 1 200)."""
    x = _number(v)
    if x is None:
        return STAR
    step = _step(x, 2)
    return _fmt(round_half_up(x / step, 0) * step)


def _exponents(a: np.ndarray) -> np.ndarray:
    """``math.floor(math.log10(x))`` of each positive finite ``x``: ``np.log10``'s, where it lies
    farther than 1e-9 from an integer (both logarithms are within a few ulp of the true one, at
    most ~1e-13 for any double: the floor cannot differ), and ``math``'s own for the others (exact
    powers of ten and their neighbours, read one by one)."""
    lg = np.log10(a)
    out = np.floor(lg).astype(np.int64)
    near = np.flatnonzero(np.abs(lg - np.round(lg)) < 1e-9)
    if len(near):
        out[near] = [math.floor(math.log10(x)) for x in a[near].tolist()]
    return out


def _rounded_many(values) -> np.ndarray:
    """``_rounded`` of many distinct values (``str``; '' stays ''), with the same float
    operations: the numbers read in bulk (``values.numbers.parse_numbers``), each step computed
    once per distinct exponent by ``_step``'s own expression, the half-up rounding over the array
    (``round_half_up_many``) and each rounded number written once (``_fmt``). One value at a
    time, ``_rounded`` cost 1.6 s of a 1M-row solve (every amount coded at each level asked)."""
    values = np.asarray(values, dtype=object)
    out = np.full(len(values), STAR, dtype=object)
    if not len(values):
        return out
    parsed = parse_numbers(values)
    x = parsed.value
    idx = np.flatnonzero(parsed.ok & np.isfinite(x))
    x = x[idx]
    exps = np.zeros(len(x), dtype=np.int64)
    nonzero = x != 0
    exps[nonzero] = _exponents(np.abs(x[nonzero]))
    distinct_exps, at = np.unique(exps, return_inverse=True)
    steps = np.array([max(10.0 ** (e - 2 + 1), 1.0) for e in distinct_exps.tolist()], dtype=np.float64)
    step = steps[at.reshape(-1)]
    step[~nonzero] = 1.0  # _step of 0
    rounded = round_half_up_many(x / step, 0) * step
    distinct, inverse = np.unique(rounded, return_inverse=True)  # -0.0 and 0.0 both write "0"
    out[idx] = np.array([_fmt(r) for r in distinct.tolist()], dtype=object)[inverse.reshape(-1)]
    out[values == ""] = ""
    return out


@dataclass(frozen=True)
class _Many:
    """A renderer of one value (``one``) that also renders many at once (``many``, see
    ``Ladder.apply``). A class, not a closure: ladders go to worker processes."""

    one: Renderer
    bulk: Callable[[np.ndarray], np.ndarray]

    def __call__(self, v: str) -> str:
        return self.one(v)

    def many(self, values) -> np.ndarray:
        return self.bulk(values)


def _band(v: str) -> str:
    """The band of one significant digit a number lies in (537,20: ``500-599``; 7: ``5-9``)."""
    x = _number(v)
    if x is None:
        return STAR
    width = 5.0 if abs(x) < 10 else _step(x, 1)
    lo = math.floor(x / width) * width
    hi = lo + width - 1 if x == int(x) and width >= 1 else lo + width
    return f"{_fmt(lo)}-{_fmt(hi)}"


def _amounts() -> Ladder:
    return Ladder("amount", FAMILY_LEVELS["amount"],
                  {"exact": _same, "rounded": _Many(_rounded, _rounded_many), "band": _band, STAR: _star})


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
    if family == "date":
        return _dates("date")
    if family == "amount":
        return _amounts()
    return Ladder("category", ("exact", STAR), {"exact": _same, STAR: _star})


#: entities whose values are numbers, released along the ``amount`` ladder outside the household
NUMERIC_ENTITIES = frozenset({"AMOUNT", "COUNT", "SCORE", "AGE"})


def family_of(entity: str | None, declared: str | None = None) -> str:
    """The ladder family of a column (``detect.entities.family_of``): a number outside the
    household is an ``amount``, a date outside the birth family a ``date``; ``category`` when its
    family has no ladder of its own."""
    fam = entities_family_of(entity, declared)
    e = (entity or "").upper()
    if fam in ("birth", "sex", "place", "nationality", "household"):
        return fam
    if e in NUMERIC_ENTITIES or fam == "amount":
        return "amount"
    if e in ("DATE", "BIRTH_DATE") or fam == "date":
        return "date"
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
    if ladder.family == "amount":
        return "band" if method == "band" else "rounded" if method in ("round", "top_bottom") else "exact"
    return FAMILY_LEVELS[ladder.family][0]


def render_column(values: pd.Series, ladder: Ladder, family_level: str) -> pd.Series:
    """A column's text released at a family level (per distinct value)."""
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), use_na_sentinel=False)
    out = ladder.apply(np.asarray(uniques, dtype=object), family_level)
    return pd.Series(out[codes], index=values.index, dtype=object)
