"""Whole-record privacy: every column the attacker knows, released so that each person's
combination of released values is shared by at least k records.

Global recoding alone (one level per column for the whole table, ``privacy.lattice``) cannot
give k over the dozens of columns an acquaintance knows — the person's birth date, sex,
birthplace, commune and nationality, the household's situation and counts, the spouse's and
the children's birth dates and sexes — without coarsening everyone to nothing. Statistical
disclosure control does it record by record (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, §3.4 local recoding and local suppression; Templ, Kowarik & Meindl, sdcMicro's
``localSuppression``): the records whose combination is rare are coarsened further, the others
keep their detail.

The columns are grouped by who they describe and which fact they encode (``Group``: the person's
birth, the spouse's nationality, the place of the household...), and a group moves along its
family's ladder of named levels (``privacy.ladders``) as one: its columns never release more
than one level of information (the exact nationality code does not survive beside
"France / Etranger"). A column's own decision in the policy is its floor (``generalize`` by
month: never finer than the month).

The greedy search, with ``V`` the records in classes smaller than ``k``:

1. every record starts at its groups' floors;
2. for each group, the records of ``V`` are raised one level *in simulation* and the records
   still in small classes counted; the group with the best gain per unit of importance (the
   profile's weights: a child's sex goes before the person's birth date) is raised for ``V``;
3. until ``V`` is empty or every group of its records is at ``*``; what is left is suppressed
   (every attacker-known value ``*``), at most ``max_suppression`` of the records.

Records outside ``V`` never lose detail, and a raise can only merge small classes into others,
never split a class: each round shrinks ``V`` or raises a level, so the search ends. The
attack that follows (``attack.linkage``) measures what the result really protects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.errors import PrivacyTargetError
from anonymizer.privacy.ladders import FAMILY_LEVELS, STAR, Ladder, family_of, floor_for, ladder_for

#: importance of each family (higher = raised later) and of each subject (multiplied)
FAMILY_IMPORTANCE = {"sex": 10.0, "birth": 6.0, "place": 5.0, "nationality": 4.0, "household": 3.0, "category": 2.0}
SUBJECT_IMPORTANCE = {"person": 1.0, "spouse": 0.5, "children": 0.3}


@dataclass
class Group:
    """Columns released at one level: one fact about one subject."""

    name: str
    family: str
    columns: list[str]
    ladders: dict[str, Ladder]
    floors: dict[str, int]  # per column: index in the family's levels
    importance: float

    @property
    def levels(self) -> tuple[str, ...]:
        return FAMILY_LEVELS[self.family]

    @property
    def top(self) -> int:
        return len(self.levels) - 1

    @property
    def start(self) -> int:
        """Where the group starts: its columns' finest common floor (a suppressed member aside)."""
        inner = [f for f in self.floors.values() if f < self.top]
        return max(inner) if inner else self.top

    def level_name(self, column: str, level: int) -> str:
        return self.levels[max(level, self.floors[column])]


def build_groups(columns: list[dict[str, Any]]) -> list[Group]:
    """Groups from the attacker-known columns' decisions: ``{column, entity, family, subject,
    action, params}`` each (``family``/``subject`` as declared by the column rules, optional)."""
    groups: dict[str, Group] = {}
    for c in columns:
        family = family_of(c.get("entity"), c.get("family"))
        subject = c.get("subject") or "person"
        if family == "household":
            subject = "household"  # the household's facts move together whoever they describe
        name = f"{subject}.{family}"
        ladder = ladder_for(c.get("entity"), family)
        floor = FAMILY_LEVELS[family].index(floor_for(c.get("action", "keep"), c.get("params") or {}, ladder))
        g = groups.get(name)
        if g is None:
            importance = FAMILY_IMPORTANCE.get(family, 2.0) * SUBJECT_IMPORTANCE.get(subject, 1.0)
            g = groups[name] = Group(name, family, [], {}, {}, importance)
        g.columns.append(c["column"])
        g.ladders[c["column"]] = ladder
        g.floors[c["column"]] = floor
    return list(groups.values())


# ----------------------------------------------------------------------------- codes

def _text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct text values) of a gathered column (categorical or text)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = np.asarray(col.cat.categories, dtype=object).astype(str)
        codes = col.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            cats = np.append(cats, "")
            codes = np.where(codes < 0, len(cats) - 1, codes)
        return codes, cats
    codes, uniques = pd.factorize(col.astype(object).where(col.notna(), ""), use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object).astype(str)


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """One code per row for a tuple of code columns (exact: pairwise re-factorised)."""
    if not parts:
        return np.zeros(0, dtype=np.int64)
    out = parts[0].astype(np.int64)
    for p in parts[1:]:
        out, _ = pd.factorize(out * (int(p.max()) + 1 if len(p) else 1) + p)
        out = out.astype(np.int64)
    return out


class _Codes:
    """Per group and family level, one code per record for the group's released tuple."""

    def __init__(self, frame: pd.DataFrame, groups: list[Group]) -> None:
        self.groups = groups
        self.base = {c: _text_codes(frame[c]) for g in groups for c in g.columns}
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def get(self, gi: int, level: int) -> np.ndarray:
        got = self._cache.get((gi, level))
        if got is None:
            g = self.groups[gi]
            parts = []
            for c in g.columns:
                codes, cats = self.base[c]
                rendered = g.ladders[c].apply(cats, g.level_name(c, level))
                rcodes, _ = pd.factorize(rendered)
                parts.append(rcodes.astype(np.int64)[codes])
            got = self._cache[(gi, level)] = _combine(parts)
        return got


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _keys(codes: _Codes, levels: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """64-bit key per record of its released tuple over every group (a hash of exact codes:
    2^-64 per pair of distinct tuples to collide)."""
    n = levels.shape[0] if rows is None else len(rows)
    h = np.full(n, 0x243F6A8885A308D3, dtype=np.uint64)
    for gi in range(levels.shape[1]):
        lv = levels[:, gi] if rows is None else levels[rows, gi]
        code = np.zeros(n, dtype=np.uint64)
        for level in np.unique(lv):
            at = lv == level
            col = codes.get(gi, int(level))
            code[at] = col[at if rows is None else rows[at]].astype(np.uint64)
        token = (np.uint64(gi) << np.uint64(48)) | (lv.astype(np.uint64) << np.uint64(40)) | code
        h = _mix(h ^ token)
    return h


def _sizes(keys: np.ndarray) -> np.ndarray:
    _u, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)]


# ----------------------------------------------------------------------------- the search

@dataclass
class RecordSolution:
    """Per record and group the level reached, and the records suppressed."""

    groups: list[Group]
    levels: np.ndarray        # (records, groups) int8
    suppressed: np.ndarray    # (records,) bool
    report: dict[str, Any] = field(default_factory=dict)

    def slice(self, start: int, stop: int) -> RecordSolution:
        return RecordSolution(self.groups, self.levels[start:stop], self.suppressed[start:stop], self.report)


def solve_records(frame: pd.DataFrame, groups: list[Group], *, k: int, max_suppression: float,
                  say: Callable[[str], None] | None = None, max_rounds: int = 500) -> RecordSolution:
    """The greedy local recoding of the module doc; raises PrivacyTargetError when more than
    ``max_suppression`` of the records would have to be suppressed."""
    say = say or (lambda _m: None)
    t0 = time.perf_counter()
    n = len(frame)
    levels = np.array([[g.start for g in groups]] * n, dtype=np.int8).reshape(n, len(groups))
    codes = _Codes(frame, groups)
    tops = np.array([g.top for g in groups], dtype=np.int8)
    weights = np.array([g.importance for g in groups])
    rounds = 0
    raised: dict[str, int] = {g.name: 0 for g in groups}
    keys = _keys(codes, levels)
    small = _sizes(keys) < k if n else np.zeros(0, dtype=bool)
    while small.any() and rounds < max_rounds:
        rounds += 1
        v = np.flatnonzero(small)
        best, best_score, best_after = None, -1.0, None
        for gi in range(len(groups)):
            movable = v[levels[v, gi] < tops[gi]]
            if len(movable) == 0:
                continue
            trial = levels.copy()
            trial[movable, gi] += 1
            new_keys = keys.copy()
            new_keys[v] = _keys(codes, trial, v)
            after = _sizes(new_keys) < k
            gain = int(small.sum() - after.sum())
            score = gain / weights[gi] if gain > 0 else -1.0 / (weights[gi] * 1e6)
            if best is None or score > best_score:
                best, best_score, best_after = gi, score, (trial, new_keys, after)
        if best is None:
            break  # every small record is at * everywhere
        levels, keys, small = best_after
        raised[groups[best].name] += 1
        say(f"whole-record privacy: round {rounds}, {int(small.sum()):,} records in classes under k={k}")
    suppressed = small.copy()
    limit = int(np.floor(max_suppression * n))
    if int(suppressed.sum()) > limit:
        raise PrivacyTargetError(
            f"k={k} over the {sum(len(g.columns) for g in groups)} attacker-known columns would suppress "
            f"{int(suppressed.sum()):,} of {n:,} records (at most {limit:,} allowed by max_suppression "
            f"{max_suppression:.0%}): give a reviewed policy that leaves some columns out of "
            "privacy.attacker_knows, or generalise them further")
    report = {
        "k": int(k),
        "records": n,
        "suppressed_records": int(suppressed.sum()),
        "rounds": rounds,
        "seconds": round(time.perf_counter() - t0, 3),
        "groups": {g.name: {"columns": list(g.columns), "levels": _level_shares(levels[:, gi], g, suppressed)}
                   for gi, g in enumerate(groups)},
    }
    return RecordSolution(groups, levels, suppressed, report)


def _level_shares(col: np.ndarray, g: Group, suppressed: np.ndarray) -> dict[str, float]:
    """Share of the (not suppressed) records released at each of the group's levels."""
    kept = col[~suppressed]
    if len(kept) == 0:
        return {}
    values, counts = np.unique(kept, return_counts=True)
    return {g.levels[int(v)]: round(float(c) / len(kept), 4) for v, c in zip(values, counts, strict=True)}


def release(batch: pd.DataFrame, solution: RecordSolution) -> pd.DataFrame:
    """The released text of the attacker-known columns of a batch, at the levels solved for its
    records (``solution`` sliced to the batch); suppressed records are ``*`` throughout."""
    out = {}
    for gi, g in enumerate(solution.groups):
        lv = solution.levels[:, gi]
        for c in g.columns:
            col = batch[c]
            values = col.astype(object).where(col.notna(), "").astype(str)
            result = np.empty(len(batch), dtype=object)
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            uniques = np.asarray(uniques, dtype=object)
            for level in np.unique(lv):
                at = lv == level
                rendered = g.ladders[c].apply(uniques, g.level_name(c, int(level)))
                result[at] = rendered[codes[at]]
            result[solution.suppressed] = STAR
            out[c] = result
    return pd.DataFrame(out, index=batch.index)
