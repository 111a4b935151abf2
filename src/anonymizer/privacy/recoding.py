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

Wide tables: a record's key is a sum of per-group hashes, so a trial re-codes only the group it
raises; and consecutive rounds where no group helps make 2, 4, 8... of the raises the search
would have made one by one, so records that differ in thousands of columns cost log(groups)
searches of every group, not one per group (issue #18 item 8). A search evaluates every group's
raises at once, one depth of look-ahead at a time (``_search``): the small records' new keys
are gathers from each group's hashed parts per level (``_PartTable``), and a trial's classes are
counted among the small records only, since a record outside them is in a class of k (and ℓ)
that a raise can only grow. The choice is the per-group loop's, exactly (tests/privacy/
test_recoding_equivalence.py keeps that loop as the reference).

Records outside ``V`` never lose detail, and a raise can only merge small classes into others,
never split a class: each round shrinks ``V`` or raises a level, so the search ends. The
attack that follows (``attack.linkage``) measures what the result really protects.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.errors import PrivacyTargetError
from anonymizer.i18n import _
from anonymizer.privacy.ladders import FAMILY_LEVELS, STAR, Ladder, family_of, floor_for, ladder_for
from anonymizer.values.text import FEW_ROWS, factorize_text

#: importance of each family (higher = raised later) and of each subject (multiplied)
FAMILY_IMPORTANCE = {"sex": 10.0, "birth": 6.0, "place": 5.0, "nationality": 4.0, "household": 3.0, "date": 2.5,
                     "amount": 2.0, "category": 2.0}
PER_COLUMN_FAMILIES = frozenset({"category", "date", "amount"})
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
        # a family re-encodes one fact and moves as one; "category", "date" and "amount" are kinds
        # of value, not facts: each such column is a fact of its own
        name = f"{subject}.{family}" if family not in PER_COLUMN_FAMILIES else f"{subject}.{c['column']}"
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
        # the categorical's own codes (1, 2 or 4 bytes), not an int64 copy: only ever used as
        # indices (8 bytes a record and column less while the solve runs)
        codes = col.cat.codes.to_numpy()
        if (codes < 0).any():
            cats = np.append(cats, "")
            codes = np.where(codes < 0, len(cats) - 1, codes.astype(np.int64))
        return codes, cats
    codes, uniques = pd.factorize(col.astype(object).where(col.notna(), ""), use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object).astype(str)


#: most cells coded at once as Python objects (a wide table); a taller one goes a column at a time
_BATCH_CELLS = 1 << 22


def _text_codes_many(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``_text_codes`` of many columns at once: one hash table over every (column, value) instead
    of a pandas call per column (wide tables). Exactly ``_text_codes``: a plain column's codes in
    the order of its values' first appearance, each value named by its own first occurrence in
    the column; a categorical's in the order of its categories, a missing value after them."""
    n, wanted = len(frame), list(dict.fromkeys(columns))
    if len(wanted) < 2 or n == 0 or len(wanted) * n > _BATCH_CELLS or not frame.columns.is_unique:
        return {c: _text_codes(frame[c]) for c in wanted}  # a tall table: a column at a time
    dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
    if n > FEW_ROWS and any(isinstance(dtypes[c], pd.CategoricalDtype) for c in wanted):
        # a categorical of many rows is already coded: its codes and categories as they are cost
        # less than its cells as objects coded again with the others (1.2 s of the solve on the
        # gathered 100,000 x 41 attacker-known columns); the other columns together as before
        cats = [c for c in wanted if isinstance(dtypes[c], pd.CategoricalDtype)]
        out = {c: _text_codes(frame[c]) for c in cats}
        rest = [c for c in wanted if c not in out]
        if rest:
            out.update(_text_codes_many(frame[rest], rest))
        return out  # categoricals first, as the one factorisation gave them
    chosen = frame if list(frame.columns) == wanted else frame[wanted]
    cells = np.ascontiguousarray(chosen.to_numpy(dtype=object).T)  # a row per column
    missing = pd.isna(cells)
    is_cat = np.array([isinstance(dtypes[c], pd.CategoricalDtype) for c in wanted])
    out = {}
    if is_cat.any():
        cat_columns = [c for c, cat in zip(wanted, is_cat, strict=True) if cat]
        out.update(_category_codes(cells[is_cat], missing[is_cat], [dtypes[c] for c in cat_columns], cat_columns))
    plain = [c for c, cat in zip(wanted, is_cat, strict=True) if not cat]
    if not plain:
        return out
    cells = cells[~is_cat].reshape(-1)  # column after column
    cells[missing[~is_cat].reshape(-1)] = ""
    values, _u = pd.factorize(cells, use_na_sentinel=False)
    pairs, _p = pd.factorize(np.repeat(np.arange(len(plain), dtype=np.int64), n) * max(1, len(_u))
                             + values.astype(np.int64), use_na_sentinel=False)
    pairs = pairs.astype(np.int64)
    # pairs are numbered in order of first appearance, column after column: a column's are a run
    _codes, first = np.unique(pairs, return_index=True)
    names = cells[first].astype(str)
    starts = pairs[::n]
    ends = np.r_[starts[1:], len(first)]
    for j, c in enumerate(plain):
        out[c] = (pairs[j * n:(j + 1) * n] - starts[j], names[starts[j]:ends[j]])
    return out


def _category_codes(cells: np.ndarray, missing: np.ndarray, dtypes: list[pd.CategoricalDtype],
                    columns: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``_text_codes`` of categorical columns from their values (``cells``, a row per column) and
    categories: each value's position among its column's categories, looked up in one table."""
    cats = [np.asarray(d.categories, dtype=object) for d in dtypes]
    sizes = np.array([len(c) for c in cats], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    every = np.concatenate([*cats, cells.reshape(-1)]) if len(cats) else cells.reshape(-1)
    every[len(every) - cells.size:][missing.reshape(-1)] = ""
    codes, uniques = pd.factorize(every, use_na_sentinel=False)
    codes = codes.astype(np.int64)
    width = max(1, len(uniques))
    cat_keys = np.repeat(np.arange(len(cats), dtype=np.int64), sizes) * width + codes[:int(sizes.sum())]
    value_keys = (np.arange(len(cats), dtype=np.int64)[:, None] * width
                  + codes[int(sizes.sum()):].reshape(cells.shape))
    at = pd.Index(cat_keys).get_indexer(value_keys.reshape(-1)).reshape(cells.shape)
    at[missing] = -1
    names = every[:int(sizes.sum())].astype(str)
    out = {}
    for j, c in enumerate(columns):
        local = names[offsets[j]:offsets[j] + sizes[j]]
        col = np.where(at[j] < 0, -1, at[j] - offsets[j])
        if (col < 0).any():
            local = np.append(local, "")
            col = np.where(col < 0, len(local) - 1, col)
        out[c] = (col.astype(np.int64), local)
    return out


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
        self.groups, self.n = groups, len(frame)
        self.base = _text_codes_many(frame, [c for g in groups for c in g.columns])
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def get(self, gi: int, level: int) -> np.ndarray:
        """The codes of group ``gi`` at ``level``, kept as int32 when the records allow (codes are
        below the number of records; only ever read as indices or widened to uint64 for a key):
        half the memory of the cache the search and the swap fill (4 bytes a record per group
        and level asked)."""
        got = self._cache.get((gi, level))
        if got is None:
            g = self.groups[gi]
            parts = []
            narrow = np.int32 if self.n < 2**31 else np.int64
            if all(g.ladders[c].level_for(g.level_name(c, level)) == STAR for c in g.columns):
                # every value released as *: one code for all (what factorising the stars gives)
                self._cache[(gi, level)] = np.zeros(self.n, dtype=narrow)
                return self._cache[(gi, level)]
            for c in g.columns:
                codes, cats = self.base[c]
                rendered = g.ladders[c].apply(cats, g.level_name(c, level))
                rcodes, _ = pd.factorize(rendered)
                parts.append(rcodes.astype(np.int64)[codes])
            got = self._cache[(gi, level)] = _combine(parts).astype(narrow, copy=False)
        return got


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _part(codes: _Codes, gi: int, lv: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Group ``gi``'s share of the key of each record (``rows``, or all), at levels ``lv``: a
    hash of (group, level, code)."""
    code = np.zeros(len(lv), dtype=np.uint64)
    for level in np.unique(lv):
        at = lv == level
        col = codes.get(gi, int(level))
        code[at] = col[at if rows is None else rows[at]].astype(np.uint64)
    return _mix((np.uint64(gi) << np.uint64(48)) | (lv.astype(np.uint64) << np.uint64(40)) | code)


def _keys(codes: _Codes, levels: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """64-bit key per record of its released tuple over every group: the sum (mod 2^64) of the
    groups' hashed parts, so that one group's change re-codes that group only (``_part``): a
    trial costs the records it moves, not the number of groups. Distinct tuples collide with a
    probability of about 2^-64 per pair."""
    n = levels.shape[0] if rows is None else len(rows)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for gi in range(levels.shape[1]):
            h += _part(codes, gi, levels[:, gi] if rows is None else levels[rows, gi], rows)
    return h


# ----------------------------------------------------------------------------- the search

@dataclass
class RecordSolution:
    """Per record and group the level reached, and the records suppressed."""

    groups: list[Group]
    levels: np.ndarray        # (records, groups) int8
    suppressed: np.ndarray    # (records,) bool
    report: dict[str, Any] = field(default_factory=dict)
    #: secondary columns swapped within classes: per column, (released codes per record, texts,
    #: the record's own value's code at the same precision — what the attack compares)
    swapped: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: how many trial raises the search evaluated (its cost: grows with groups × rounds)
    trials: int = 0

    def slice(self, start: int, stop: int) -> RecordSolution:
        return RecordSolution(self.groups, self.levels[start:stop], self.suppressed[start:stop], self.report,
                              {c: (codes[start:stop], texts, own[start:stop])
                               for c, (codes, texts, own) in self.swapped.items()})

    def swapped_originals(self) -> dict[str, pd.Series]:
        """Each swapped column's own values of the records, at the released precision."""
        return {c: pd.Series(texts[own], dtype=object) for c, (_codes, texts, own) in self.swapped.items()}


def _small(keys: np.ndarray, k: int, sensitive: np.ndarray | None, l_div: int) -> np.ndarray:
    """Records in classes under k, or (distinct ℓ-diversity, Machanavajjhala et al., *ℓ-Diversity:
    Privacy Beyond k-Anonymity*, ICDE 2006) with fewer than ℓ distinct sensitive values."""
    return _classes(keys, k, sensitive, l_div)[0]


def _classes(keys: np.ndarray, k: int, sensitive: np.ndarray | None, l_div: int) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`_small`, the sorted distinct keys of the other records): a class is small or not as
    a whole, so the keys outside the small records are the distinct keys of the classes that are
    not, read from the same ``np.unique`` (the search took ``np.unique(keys[~small])`` again at
    each round: 1.3 s of a 1M-row solve)."""
    u, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    small_class = counts < k
    if sensitive is not None and l_div > 1:
        pairs = np.unique(np.stack([inverse.astype(np.int64), sensitive.astype(np.int64)]), axis=1)
        distinct = np.bincount(pairs[0], minlength=len(counts))
        small_class |= distinct < l_div
    return small_class[inverse], u[~small_class]


#: most entries one array of the vectorised search holds (the table of parts, groups × levels ×
#: records; a slice of trials, groups × small records): beyond it the work is cut into slices
_BUDGET = 1 << 24


class _PartTable:
    """Each group's hashed part (``_part``) at a level, for the records asked: a trial's key is
    a gather, not a re-coding. A (group, level) is coded when a search first needs it, as the
    loop did (a tall table's fine levels can cost more than its few searches); for a table small
    enough (wide, short tables) its parts of every record are kept, ``(groups, levels, records)``."""

    def __init__(self, codes: _Codes, groups: list[Group], n: int) -> None:
        self.codes, self.groups, self.n = codes, groups, n
        self.depth = max((g.top for g in groups), default=0) + 1
        self.whole: np.ndarray | None = None
        self._tables: dict[tuple[int, int], np.ndarray | None] = {}
        if len(groups) * self.depth * n <= _BUDGET:
            self.whole = np.zeros((len(groups), self.depth, n), dtype=np.uint64)
            self.ready = np.zeros((len(groups), self.depth), dtype=bool)

    def _table(self, gi: int, level: int) -> np.ndarray | None:
        """The hashed part of each code of group ``gi`` at ``level`` (``_mix`` of (group, level,
        code) for codes 0..max), kept when it is small beside the records (at most a quarter of
        them: 2 bytes a record, half the codes' own cache); ``None`` for a finer (group, level),
        hashed record by record as before (the same values)."""
        got = self._tables.get((gi, level))
        if got is None and (gi, level) not in self._tables:
            code = self.codes.get(gi, level)
            distinct = int(code.max()) + 1 if len(code) else 0
            if distinct <= self.n // 4:
                got = _mix((np.uint64(gi) << np.uint64(48)) | (np.uint64(level) << np.uint64(40))
                           | np.arange(distinct, dtype=np.uint64))
            self._tables[(gi, level)] = got
        return got

    def _hashed(self, gi: int, level: int, rows: np.ndarray | slice) -> np.ndarray:
        """Group ``gi``'s part at ``level`` for ``rows``: a gather from the (group, level)'s table
        of hashed codes when it has one (the mixing of every record asked cost ~5 s of a 1M-row
        solve, trial slice after trial slice)."""
        table = self._table(gi, level)
        if table is not None:
            return table[self.codes.get(gi, level)[rows]]
        code = self.codes.get(gi, level)[rows].astype(np.uint64)
        return _mix((np.uint64(gi) << np.uint64(48)) | (np.uint64(level) << np.uint64(40)) | code)

    def gather(self, gs: np.ndarray, lv: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The part of group ``gs[i]`` at level ``lv[i, j]`` for record ``rows[j]``."""
        # the (group, level)s asked, in order: marked in a table of every pair, not np.unique over
        # groups x records (a hash of a million entries per trial slice: 2.3 s of a 1M-row solve)
        asked = np.zeros(len(self.groups) * self.depth, dtype=bool)
        asked[(gs[:, None].astype(np.int64) * self.depth + lv).reshape(-1)] = True
        pair = np.flatnonzero(asked)
        if self.whole is not None:
            gi, level = np.divmod(pair[~self.ready.reshape(-1)[pair]], self.depth)
            for g, v in zip(gi.tolist(), level.tolist(), strict=True):  # the (group, level)s first needed
                self.whole[g, v] = self._hashed(g, v, slice(None))
            self.ready[gi, level] = True
            return self.whole[gs[:, None], lv, rows[None, :]]
        out = np.zeros(lv.shape, dtype=np.uint64)
        where = {int(gi): i for i, gi in enumerate(gs.tolist())}
        for gi, level in zip(*np.divmod(pair, self.depth), strict=True):
            i = where[int(gi)]
            at = lv[i] == level
            out[i, at] = self._hashed(int(gi), int(level), rows[at])
        return out

    def slices(self, groups: np.ndarray, width: int) -> list[np.ndarray]:
        """``groups`` cut so that a slice of trials over ``width`` records stays within the budget."""
        step = max(1, _BUDGET // max(1, 4 * width))
        return [groups[at:at + step] for at in range(0, len(groups), step)]

    def keys(self, levels: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The keys (``_keys``) of records ``rows`` at their ``levels`` (records × groups)."""
        h = np.zeros(len(rows), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for gs in self.slices(np.arange(len(self.groups)), len(rows)):
                h += self.gather(gs, levels[:, gs].T.astype(np.int64), rows).sum(axis=0, dtype=np.uint64)
        return h


def _still_small(new_keys: np.ndarray, outside: np.ndarray, k: int, sensitive: np.ndarray | None,
                 l_div: int) -> np.ndarray:
    """Per trial (row of ``new_keys``: the small records' keys after it), how many of the small
    records stay in small classes. A record outside them is in a class of k (and ℓ) that a trial
    can only grow, so a small record joining such a class is safe and one that does not is
    counted with the small records of the same trial and key only (``_small`` restricted)."""
    trials, m = new_keys.shape
    with_l = sensitive is not None and l_div > 1
    if with_l:  # by trial, key, then sensitive value
        order = np.lexsort((np.tile(sensitive, trials), new_keys.reshape(-1), np.repeat(np.arange(trials), m)))
        sk = new_keys.reshape(-1)[order].reshape(trials, m)
    else:
        sk = np.sort(new_keys, axis=1)
    start = np.ones((trials, m), dtype=bool)  # where a class of a trial starts: never across trials
    start[:, 1:] = sk[:, 1:] != sk[:, :-1]
    run = np.cumsum(start.reshape(-1)) - 1
    small = np.bincount(run)[run] < k
    if with_l:
        ss = np.tile(sensitive, trials)[order]
        new_value = start.reshape(-1) | np.r_[True, ss[1:] != ss[:-1]]
        small |= np.bincount(run, weights=new_value)[run] < l_div
    if len(outside):
        flat = sk.reshape(-1)
        small &= outside[np.minimum(np.searchsorted(outside, flat), len(outside) - 1)] != flat
    return small.reshape(trials, m).sum(axis=1)


def _search(parts: _PartTable, lv: np.ndarray, keys: np.ndarray, small: np.ndarray, v: np.ndarray,
            tops: np.ndarray, weights: np.ndarray, k: int, sensitive: np.ndarray | None,
            l_div: int, outside: np.ndarray | None = None) -> tuple[int | None, float, Any, int]:
    """One look at every group for the small records ``v`` (levels ``lv``, records × groups), as
    the loop over the groups in order did, but each depth of look-ahead evaluated for all the
    groups at once: a group's raises by 1, 2... levels until one gains (a deeper raise counts
    only if it gains), the first strictly best score wins. Returns (group, score, (trial levels,
    keys), trials evaluated). ``outside``: the sorted distinct keys of the records not small when
    the caller has them (:func:`_classes`)."""
    cur = lv.T.astype(np.int64)  # groups × records
    m = len(v)
    top = tops.astype(np.int64)
    reach = top - (cur.min(axis=1) if m else top)  # depths a group can look ahead: 0 when all at its top
    movable = np.flatnonzero(reach > 0)
    if not len(movable):
        return None, -1.0, None, 0
    if outside is None:
        outside = np.unique(keys[~small])
    gains = np.zeros((len(tops), int(reach.max()) + 1), dtype=np.int64)  # per group and depth
    first = np.zeros(len(tops), dtype=np.int64)  # per group, the first depth that gains (0: none)
    looking = movable
    tried = 0
    with np.errstate(over="ignore"):
        for d in range(1, gains.shape[1]):
            looking = looking[reach[looking] >= d]
            if not len(looking):
                break
            tried += len(looking)
            for gs in parts.slices(looking, m):
                c = cur[gs]
                rest = keys[v][None, :] - parts.gather(gs, c, v)
                new_keys = rest + parts.gather(gs, np.minimum(c + d, top[gs][:, None]), v)
                gains[gs, d] = m - _still_small(new_keys, outside, k, sensitive, l_div)
            gained = gains[looking, d] > 0
            first[looking[gained]] = d
            looking = looking[~gained]
    w = weights[movable]
    helps = first[movable] > 0
    score = np.where(helps, gains[movable, first[movable]] / (w * np.maximum(first[movable], 1)), -w * 1e-6)
    pick = int(np.argmax(score))  # the first of the best, as the loop's strict comparison
    best = int(movable[pick])
    steps = int(first[best]) if helps[pick] else 1
    trial = np.minimum(cur[best] + steps, int(tops[best])).astype(lv.dtype)
    one = np.array([best])
    new_keys = keys.copy()
    with np.errstate(over="ignore"):
        new_keys[v] = (keys[v] - parts.gather(one, cur[one], v)[0]
                       + parts.gather(one, trial[None, :].astype(np.int64), v)[0])
    return best, float(score[pick]), (trial, new_keys), tried


def solve_records(frame: pd.DataFrame, groups: list[Group], *, k: int, max_suppression: float,
                  say: Callable[[str], None] | None = None, max_rounds: int = 500,
                  sensitive: np.ndarray | None = None, l_div: int = 1) -> RecordSolution:
    """The greedy local recoding of the module doc; raises PrivacyTargetError when more than
    ``max_suppression`` of the records would have to be suppressed. ``sensitive`` (codes of the
    released sensitive column) and ``l_div``: every class also holds ℓ distinct values of it."""
    return _solve(frame, _Codes(frame, groups), groups, k=k, max_suppression=max_suppression, say=say,
                  max_rounds=max_rounds, sensitive=sensitive, l_div=l_div)[0]


def solve_and_swap(frame: pd.DataFrame, primary: list[Group], secondary: list[Group], key: bytes | None, *,
                   k: int, max_suppression: float, say: Callable[[str], None] | None = None,
                   sensitive: np.ndarray | None = None, l_div: int = 1) -> RecordSolution:
    """:func:`solve_records` over the ``primary`` groups, then (``secondary`` groups)
    :func:`swap_within_classes` with the classes it made: the same results as the two calls,
    but the primary columns are coded once and the final classes' keys are the search's own
    (the swap coded the columns and hashed every record's key again: 2.5 s of a 1M-row solve)."""
    codes = _Codes(frame, primary)
    records, keys = _solve(frame, codes, primary, k=k, max_suppression=max_suppression, say=say,
                           sensitive=sensitive, l_div=l_div)
    if not secondary:
        return records
    if key is None:
        raise TypeError("swapping needs the secret key")
    return _swap(frame, records, secondary, key, keys)


def _solve(frame: pd.DataFrame, codes: _Codes, groups: list[Group], *, k: int, max_suppression: float,
           say: Callable[[str], None] | None = None, max_rounds: int = 500,
           sensitive: np.ndarray | None = None, l_div: int = 1) -> tuple[RecordSolution, np.ndarray]:
    """:func:`solve_records` on the groups' ``codes``, with the final key of every record
    (:func:`_keys` of the levels solved, kept up to date by the search)."""
    say = say or (lambda _m: None)
    n = len(frame)
    levels = np.array([[g.start for g in groups]] * n, dtype=np.int8).reshape(n, len(groups))
    tops = np.array([g.top for g in groups], dtype=np.int8)
    weights = np.array([g.importance for g in groups])
    # where no group helps: the least important group first (a stable order: ties by position)
    fallback_order = np.lexsort((np.arange(len(groups)), weights))
    rounds, searches, blind, trials = 0, 0, 0, 0  # rounds: group raises; searches: looks at every group
    raised: dict[str, int] = {g.name: 0 for g in groups}
    parts = _PartTable(codes, groups, n)
    keys = parts.keys(levels, np.arange(n))
    small, outside = _classes(keys, k, sensitive, l_div) if n else (np.zeros(0, dtype=bool), keys)
    while small.any() and searches < max_rounds:
        searches += 1
        rounds += 1
        v = np.flatnonzero(small)
        best, best_score, best_after, tried = _search(parts, levels[v], keys, small, v, tops, weights, k,
                                                      None if sensitive is None else sensitive[v], l_div,
                                                      outside)
        trials += tried
        if best is None:
            break  # every small record is at * everywhere
        trial, keys = best_after
        small, outside = _classes(keys, k, sensitive, l_div)  # the trial's: records outside it never change
        levels[v, best] = trial
        raised[groups[best].name] += 1
        # A blind round (no group helps) raises the least important group one level. The rounds
        # after it would do the same, one search of every group each, as long as none helps: so
        # consecutive blind rounds make 2, 4, 8... of those raises at once, in that order, before
        # looking again. Records that differ in thousands of columns need log(groups) searches,
        # not one per group; a single blind round between gains is as before.
        blind = blind + 1 if best_score < 0 else 0
        budget = 2 ** (blind - 1) - 1 if blind > 1 else 0
        for gi in fallback_order if budget else ():
            while budget and (levels[v, gi] < tops[gi]).any():
                levels[v, gi] += (levels[v, gi] < tops[gi]).astype(np.int8)
                raised[groups[gi].name] += 1
                rounds += 1
                budget -= 1
            if not budget:
                break
        if blind > 1:
            keys[v] = parts.keys(levels[v], v)
            small, outside = _classes(keys, k, sensitive, l_div)
        if searches % 10 == 1 or not small.any():  # a line every ten rounds: progress, not a log
            say(f"whole-record privacy: round {rounds}, {int(small.sum()):,} records in classes under k={k}")
    suppressed = small.copy()
    limit = int(np.floor(max_suppression * n))
    if int(suppressed.sum()) > limit:
        raise PrivacyTargetError(
            _('k={k} over the {columns} attacker-known columns would suppress {suppressed:,} of {n:,} records (at most {limit:,} allowed by max_suppression {max_suppression:.0%}): give a reviewed policy that leaves some columns out of privacy.attacker_knows, or generalise them further').format(k=k, columns=sum(len(g.columns) for g in groups), suppressed=int(suppressed.sum()), n=n, limit=limit, max_suppression=max_suppression))
    counted: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def kept_counts(gi: int) -> tuple[np.ndarray, np.ndarray]:
        """The group's levels over the records kept, counted once per distinct column of levels
        (on a wide table most groups end alike)."""
        col = levels[:, gi]
        got = counted.get(col.tobytes())
        if got is None:
            got = counted[col.tobytes()] = np.unique(col[~suppressed], return_counts=True)
        return got

    report = {
        "k": int(k),
        "records": n,
        "suppressed_records": int(suppressed.sum()),
        "rounds": rounds,
        "groups": {g.name: {"columns": list(g.columns),
                            "levels": _level_shares(levels[:, gi], g, suppressed, kept_counts(gi)),
                            "column_levels": _column_level_shares(levels[:, gi], g, suppressed, kept_counts(gi))}
                   for gi, g in enumerate(groups)},
    }
    return RecordSolution(groups, levels, suppressed, report, trials=trials), keys


def _level_shares(col: np.ndarray, g: Group, suppressed: np.ndarray,
                  counted: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
    """Share of the (not suppressed) records released at each of the group's levels (``counted``:
    ``np.unique`` of them with counts, when already known)."""
    kept = int((~suppressed).sum())
    if kept == 0:
        return {}
    values, counts = counted or np.unique(col[~suppressed], return_counts=True)
    return {g.levels[int(v)]: round(float(c) / kept, 4) for v, c in zip(values, counts, strict=True)}


def _column_level_shares(col: np.ndarray, g: Group, suppressed: np.ndarray,
                         counted: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, dict[str, float]]:
    """Per column, the share of all records released at each of the column's own levels (its
    ladder's, from its floor on; a suppressed record counts as ``*``): what the report says each
    column kept, which a column's floor or ladder can make coarser than the group's level."""
    n = len(col)
    if n == 0:
        return {c: {} for c in g.columns}
    values, counts = counted or np.unique(col[~suppressed], return_counts=True)
    out = {}
    for c in g.columns:
        shares: dict[str, float] = {}
        for v, k in zip(values, counts, strict=True):
            name = g.ladders[c].level_for(g.level_name(c, int(v)))
            shares[name] = shares.get(name, 0) + int(k)
        if suppressed.any():
            shares[STAR] = shares.get(STAR, 0) + int(suppressed.sum())
        out[c] = {name: round(k / n, 4) for name, k in shares.items()}
    return out


def _cell_texts(col: pd.Series) -> np.ndarray:
    """A column's cells as text (``str`` of each value, missing -> ""), an object array; a text
    column without a pandas call per cell-wise step (the wide short tables of issue #18)."""
    if isinstance(col.dtype, pd.StringDtype):
        return col.to_numpy(dtype=object, na_value="")
    return col.astype(object).where(col.notna(), "").astype(str).to_numpy(dtype=object)


def release(batch: pd.DataFrame, solution: RecordSolution) -> pd.DataFrame:
    """The released text of the attacker-known columns of a batch, at the levels solved for its
    records (``solution`` sliced to the batch); suppressed records are ``*`` throughout."""
    return pd.DataFrame(release_arrays(batch, solution), index=batch.index)


def release_arrays(batch: pd.DataFrame, solution: RecordSolution) -> dict[str, np.ndarray]:
    """:func:`release` as one object array per column (row-aligned with ``batch``), what pass 2
    reads: a frame of them made each a ``str`` column that pass 2 read back as objects, a Python
    string made per cell twice (0.15 s of a 28,000-row batch's 0.5 s). The cells are Python
    ``str`` as that round trip left them: a NumPy string a renderer kept (a swapped column's texts)
    is made one once per distinct text."""
    out: dict[str, np.ndarray] = {}
    for gi, g in enumerate(solution.groups):
        lv = solution.levels[:, gi]
        at_levels = [(int(level), lv == level) for level in np.unique(lv)]
        for c in g.columns:
            if all(g.ladders[c].level_for(g.level_name(c, level)) == STAR for level, _at in at_levels):
                # every record of the batch at a level this column releases as *: its cells are
                # not read (what Ladder.apply gives for any value; wide short tables, issue #18)
                out[c] = np.full(len(batch), STAR, dtype=object)
                continue
            result = np.empty(len(batch), dtype=object)
            codes, uniques = factorize_text(_cell_texts(batch[c]))
            for level, at in at_levels:
                rendered = _python_str(g.ladders[c].apply(uniques, g.level_name(c, level)))
                result[at] = rendered[codes[at]]
            result[solution.suppressed] = STAR
            out[c] = result
    for c, (codes, texts, _own) in solution.swapped.items():
        result = _python_str(texts)[codes]
        result[solution.suppressed] = STAR
        out[c] = result
    return out


def _python_str(texts: np.ndarray) -> np.ndarray:
    """``texts`` (distinct released texts) as an object array of Python ``str``, as a ``str``
    column's ``to_numpy`` gives them (``np.str_`` -> ``str``; anything else as it is)."""
    return np.array([str(t) if isinstance(t, np.str_) else t for t in texts.tolist()]
                    if texts.dtype == object else texts.astype(object), dtype=object)


# ----------------------------------------------------------------------------- secondary columns

def split_groups(groups: list[Group]) -> tuple[list[Group], list[Group]]:
    """(primary, secondary) groups: the named families (birth, sex, place, nationality, household)
    are recoded to k; the per-column ones (a category, a date of an event, an amount) are swapped
    within the primary classes — unless there is no primary group to make classes from."""
    primary = [g for g in groups if g.family not in PER_COLUMN_FAMILIES]
    secondary = [g for g in groups if g.family in PER_COLUMN_FAMILIES]
    return (primary, secondary) if primary else (groups, [])


def swap_within_classes(frame: pd.DataFrame, solution: RecordSolution, secondary: list[Group],
                        key: bytes) -> RecordSolution:
    """Data swapping of the secondary quasi-identifiers within the equivalence classes of the
    primary ones (Dalenius & Reiss, *Data-swapping: a technique for disclosure control*, 1982;
    Hundepool et al. 2012 §3.4.5; sdcMicro's "swapping/PRAM of secondary key variables"): each
    class's records exchange their secondary values as one vector (a person's job, housing and
    dates stay together and coherent), by a permutation drawn from the secret key. The class
    keeps its exact multiset of values (distributions, and their relation to the primary
    quasi-identifiers, are taught as they are); which record holds which vector is hidden, so
    knowing a person's job or rent points at another record of their class. The permutation is a
    derangement (each record gets the next one's vector in a random cycle of its class): a
    record that kept its own, unique vector would be found by it for certain. The attacker then
    learns which record is *not* the person, so the classes are made of at least k + 1 records
    (``solve_records`` with k + 1). Released at each column's floor level (a rent rounded, an
    event's date to its year)."""
    return _swap(frame, solution, secondary, key, _keys(_Codes(frame, solution.groups), solution.levels))


def _swap(frame: pd.DataFrame, solution: RecordSolution, secondary: list[Group], key: bytes,
          keys: np.ndarray) -> RecordSolution:
    """:func:`swap_within_classes` with the records' ``keys`` (:func:`_keys` of the solution's levels)."""
    n = len(frame)
    seed = int.from_bytes(hmac.new(key, b"anon/recoding/swap", hashlib.sha256).digest()[:8], "big")
    noise = np.random.default_rng(seed).random(n)
    live = ~solution.suppressed
    order = np.lexsort((noise, keys))            # records by class, randomly within each class
    order = order[live[order]]
    cls = keys[order]
    first = np.r_[True, cls[1:] != cls[:-1]]     # where each class starts in ``order``
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    last = np.r_[first[1:], True]
    nxt = np.where(last, start, np.arange(len(order)) + 1)
    source = np.arange(n)
    source[order] = order[nxt]                   # each record gets the next one's vector: nobody keeps their own
    swapped = {}
    for g in secondary:
        for c in g.columns:
            vcodes, cats = _text_codes(frame[c])
            texts = g.ladders[c].apply(cats, g.level_name(c, g.start))
            tcodes, uniq = pd.factorize(texts)
            own = tcodes.astype(np.int32)[vcodes]
            swapped[c] = (own[source], np.asarray(uniq, dtype=object), own)
    moved = float((source[live] != np.arange(n)[live]).mean()) if live.any() else 0.0
    report = dict(solution.report)
    report["swapped"] = {"columns": [c for g in secondary for c in g.columns], "records_moved": round(moved, 4),
                         "method": "secondary quasi-identifiers swapped within the classes (a keyed derangement)"}
    return RecordSolution(solution.groups, solution.levels, solution.suppressed, report, swapped)
