"""What the attacker knows and how a released value is compared with it.

A :class:`Fact` is one thing an attacker may know about a person (a birth date, a sex, a
commune, the number of children, the birth month written inside a NIR...), with the
attacker's value for each original row and what the release shows for each released row.
The release may show it as it was, generalised (``1985``, ``03/1985``, ``1980-1989``,
``33``, ``30-34``), shifted, perturbed or suppressed (``*``): the attack does not trust any
description of the method. Each fact is turned into a battery of *comparators* (equal, same
year, same month, within 31 days, same first two characters...), and the linkage learns from
the data which comparators tell the true record apart (``attack.linkage``).

Two kinds of comparator:

* ``eq``: an integer code per original row and per released row in one code space; they agree
  when the codes are equal; a released code ``UNKNOWN`` (suppressed, or coarser than the
  comparator) says nothing;
* ``dist``: a number per original row and an interval ``[lo, hi]`` per released row; they
  agree when the number lies within ``width`` of the interval (NaN: says nothing);
* ``member``: a code per original row and a set of codes per released row (dates written in
  the row's free text); they agree when the code is in the set.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from anonymizer.io import as_text
from anonymizer.values.arrays import sorted_unique
from anonymizer.values.dates import MONTH_NUMBERS, MONTH_PATTERN, parse_date
from anonymizer.values.numbers import parse_number
from anonymizer.values.text import FEW_ROWS, factorize_text, text_matrix

UNKNOWN = -1
MEMBER_BASE = 1 << 24  # member keys: set * MEMBER_BASE + code (codes below it)
DENSE_CELLS = 32_000_000  # a member comparator's (set, code) pairs held as a boolean grid up to this size
GROUP_CELLS = 8_000_000  # cells of a frame coded at once (code_frame)
MISSING_KEY = "\x00missing"
SUPPRESSED = {"*", "**", "***"}
KINDS = ("category", "code", "number", "date")

# windows of the distance comparators, in the unit of the kind (days for dates)
DATE_WINDOWS = (31, 92, 183, 366, 1096)
NUMBER_WINDOWS = (0, 1, 2, 5)


@dataclass
class Fact:
    """One attribute the attacker knows: ``original`` is aligned with the original rows,
    ``released`` with the released rows (text, ``""`` for missing: a Series, or an object array
    of ``str``, or :class:`RowTexts` made when asked, when the fact comes coded from a whole frame,
    :meth:`of_coded`)."""

    name: str
    kind: str
    original: pd.Series | np.ndarray
    released: pd.Series | np.ndarray
    group: str = ""  # the column or family it comes from (for the report)
    derived: bool = False  # written inside another value (a NIR's birth month): compared as written, no
                           # mapping learnt (the digits mean the same thing on both sides)
    link: str | None = None  # the fact whose released precision says how much this one can tell
    classes: np.ndarray | None = None  # swapped within classes: per released row, its class (the
                                       # released primary tuple); compared with the class's values

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"fact {self.name!r}: unknown kind {self.kind!r}")
        self._coded: dict[str, Coded] = {}

    @classmethod
    def of_coded(cls, name: str, kind: str, original: Coded, released: Coded, **kw) -> Fact:
        """A fact whose two sides are already coded (:func:`code_frame`: every column of a frame in
        one pass, instead of a text Series and a factorisation per column and side)."""
        fact = cls(name, kind, RowTexts(original), RowTexts(released), **kw)
        fact._coded.update(original=original, released=released)
        return fact

    def coded(self, side: str) -> Coded:
        """The ``original`` or ``released`` values as codes over their distinct texts (computed once:
        every comparator of the fact reads them)."""
        got = self._coded.get(side)
        if got is None:
            got = self._coded[side] = _code_text(_as_text(getattr(self, side)))
        return got


class RowTexts:
    """The text of each row of a coded column, made when asked (``np.asarray``): a fact coded from
    a whole frame is read through its codes, and one object array per side, fact and attack was
    16 bytes a row per fact held for the whole gate (issue #21 memory)."""

    def __init__(self, coded: Coded) -> None:
        self.coded = coded

    def __len__(self) -> int:
        return len(self.coded.codes)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        texts = self.coded.texts()
        return texts if dtype is None else texts.astype(dtype)


def _code_text(text: pd.Series) -> Coded:
    """A text Series coded over its distinct values, normalised as a Series of those values (of the
    text's own string type: pandas' string operations differ between its storages)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    return Coded(np.asarray(codes, dtype=code_dtype(len(text))), np.asarray(uniques, dtype=object), _Texts(uniques),
                  np.arange(len(uniques)))


def code_dtype(n: int) -> type:
    """The dtype of the value codes of ``n`` rows: int32 (codes are below the rows), int64 beyond.
    Every column of both frames is held coded for the whole gate: as int64 they were 1.2 GB at a
    million rows (issue #21 memory). Arithmetic on them is done in int64 (``_score_pairs``)."""
    return np.int32 if n < 2**31 else np.int64


def _as_text(values: pd.Series | np.ndarray) -> pd.Series:
    """A side of a fact as a text Series (an array of a coded fact is text already)."""
    if isinstance(values, RowTexts):
        values = np.asarray(values)
    return as_text(values) if isinstance(values, pd.Series) else pd.Series(values, dtype=object)


class _Texts:
    """Distinct texts (object array of ``str``) and, computed once for all of them when first
    asked, their stripped form, comparison key, and whether they read as missing or suppressed.
    One pool serves every column of a frame (:func:`code_frame`): a text shared by many columns is
    normalised once, and the pandas string operations run once per frame, not per column."""

    def __init__(self, texts: np.ndarray | pd.Index) -> None:
        self.texts = texts  # an Index keeps its string type (the string operations follow it)
        self._done: tuple[np.ndarray, ...] | None = None
        self._parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per reader: [lo, hi] per text, and done

    def normalised(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(stripped, key, missing, suppressed) per text. The key is the text stripped, upper-cased,
        spaces collapsed (``MISSING_KEY`` when empty). The operations are pandas' on a Series of
        the texts, as for a single column: element-wise, so a text's key is the same whatever the
        other texts of the pool."""
        if self._done is None:
            t = pd.Series(self.texts).str.strip()
            k = t.str.upper().str.replace(_SEP, " ", regex=True)
            stripped = t.to_numpy(dtype=object)
            self._done = (stripped, k.where(k != "", MISSING_KEY).to_numpy(dtype=object),
                          (t == "").to_numpy(dtype=bool), t.isin(SUPPRESSED).to_numpy(dtype=bool))
        return self._done

    def intervals(self, ids: np.ndarray, parse) -> np.ndarray:
        """``[lo, hi]`` per text at ``ids`` (NaN when missing, suppressed or unreadable), each text of
        the pool read once per reader whatever the columns and attacks asking (a release gate
        reads the original's dates for three attacks, the input attack on both sides)."""
        got = self._parsed.get(parse.__name__)
        if got is None:
            got = self._parsed[parse.__name__] = (np.full((len(self.texts), 2), np.nan),
                                                  np.zeros(len(self.texts), dtype=bool))
        table, done = got
        todo = ids[~done[ids]]
        if len(todo):
            stripped = self.normalised()[0]
            for j in todo.tolist():
                u = stripped[j]
                iv = parse(u) if u and u not in SUPPRESSED else None
                if iv is not None and iv[0] is not None and iv[1] is not None:
                    table[j] = iv
            done[todo] = True
        return table[ids]


@dataclass
class Coded:
    """A text column as ``codes`` (per row) into its distinct values ``uniques`` (text, in order of
    first appearance). ``pool``/``ids``: the pool of texts the uniques come from and their
    positions in it (a whole frame's pool, :func:`code_frame`); by default the column's own."""

    codes: np.ndarray
    uniques: np.ndarray
    pool: _Texts | None = None
    ids: np.ndarray | None = None
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # what comparators derive from it

    def _pool(self) -> tuple[_Texts, np.ndarray]:
        if self.pool is None:
            self.pool, self.ids = _Texts(self.uniques), np.arange(len(self.uniques))
        return self.pool, self.ids  # type: ignore[return-value]

    def _normalised(self, part: int) -> np.ndarray:
        pool, ids = self._pool()
        return pool.normalised()[part][ids]

    def intervals(self, parse) -> np.ndarray:
        """Per distinct value, the ``[lo, hi]`` ``parse`` reads in its stripped text (NaN when
        missing, suppressed or unreadable), read once per text of the pool."""
        key = ("intervals", parse.__name__)
        got = self.cache.get(key)
        if got is None:
            pool, ids = self._pool()
            got = self.cache[key] = pool.intervals(ids, parse)
        return got

    def stripped(self) -> np.ndarray:
        """Per distinct value, its text stripped."""
        return self._normalised(0)

    def keys(self) -> np.ndarray:
        """Per distinct value, its comparison key (:meth:`_Texts.normalised`)."""
        return self._normalised(1)

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Per distinct value, (missing, suppressed)."""
        return self._normalised(2), self._normalised(3)

    def texts(self) -> np.ndarray:
        """The text of each row."""
        return self.uniques[self.codes]

    def rows(self, per_unique: np.ndarray) -> np.ndarray:
        """A value computed per distinct text, spread over the rows."""
        return np.asarray(per_unique)[self.codes]


_STR = pd.Series([""]).dtype  # the string type pandas infers for text (what a text pool's Series gets)


def code_frame(frame: pd.DataFrame, columns: list[str]) -> dict[str, Coded]:
    """Columns of ``frame`` as text coded over their distinct values (``Fact.coded``), all at once.

    A wide table has thousands of columns of a few rows: a text Series, a factorisation and string
    operations per column cost far more than the values. Here each column gives its texts as one
    pool entry per category (categorical columns of text) or per row (other columns, through
    ``as_text``); the pool is factorised once, the (column, text) pairs of every cell once more
    (cells taken column by column, so that each column's codes come in order of first appearance,
    as ``pd.factorize`` of the column would give them), and the texts are normalised once
    (:class:`_Texts`). The codes, distinct texts, keys and states are those of the column coded
    alone (the attack tests check it against ``Fact.coded``)."""
    n = len(frame)
    if not columns or n == 0:
        return {}
    dtypes = dict(zip(frame.columns, frame.dtypes, strict=True))
    categories: list[pd.Index] = []  # pool: "" (a missing category), every text category, the other texts
    others: list[np.ndarray] = []
    # per column, where its cells are in the pool: ("other", first entry), ("category", codes, first
    # category), or ("alone",); the cells themselves are made a group of columns at a time
    where: list[tuple] = []
    alone: dict[str, Coded] = {}
    n_categories = n_others = 0
    # few rows: the columns of pandas' default text type read as one text matrix (what as_text
    # gives each of them: missing -> ""), not a Series and a conversion per column
    plain = [c for c in columns if dtypes[c] == _STR] if n <= FEW_ROWS else []
    matrix = text_matrix(frame, plain) if plain else np.empty((n, 0), dtype=object)
    in_matrix = {c: j for j, c in enumerate(plain)}
    for c in columns:
        dtype = dtypes[c]
        if c in in_matrix:
            others.append(matrix[:, in_matrix[c]])
            where.append(("other", n_others))
            n_others += n
            continue
        if isinstance(dtype, pd.CategoricalDtype) and _all_text(dtype.categories):  # categories, cells by code
            where.append(("category", frame[c].array.codes, n_categories))
            categories.append(dtype.categories)
            n_categories += len(dtype.categories)
            continue
        text = as_text(frame[c])
        if text.dtype != object and text.dtype != _STR:  # a string type of its own: coded alone
            alone[c] = _code_text(text)
            where.append(("alone",))
            continue
        others.append(text.to_numpy(dtype=object))
        where.append(("other", n_others))
        n_others += n
    pools = [np.array([""], dtype=object), *others]
    if categories:  # one Index of every column's categories, turned to objects at once
        pools.insert(1, categories[0].append(categories[1:]).to_numpy(dtype=object))
    text_of, texts = pd.factorize(np.concatenate(pools))  # the pool's entries -> distinct texts
    texts = _Texts(np.asarray(texts, dtype=object))
    n_texts = len(texts.texts)
    out = {}
    # (column, text) pairs coded a group of columns at a time: a column's codes are its pairs in
    # order of first appearance whatever the other columns, and the cells of every column at once
    # were several int64 copies of the whole frame (76 columns x 1M rows: 608 MB each, issue #21)
    step = max(1, GROUP_CELLS // n)
    for g in range(0, len(columns), step):
        group = columns[g:g + step]
        cells = np.empty((len(group), n), dtype=np.int64)
        for k, at in enumerate(where[g:g + step]):
            if at[0] == "other":
                cells[k] = np.arange(at[1], at[1] + n) + (1 + n_categories)
            elif at[0] == "category":
                codes = np.asarray(at[1], dtype=np.int64)
                cells[k] = np.where(codes < 0, -1, codes + at[2]) + 1
            else:
                cells[k] = 0
        flat = (np.arange(len(group), dtype=np.int64)[:, None] * n_texts + text_of[cells]).ravel()
        del cells
        codes, pairs = pd.factorize(flat)  # (column, text) pairs, column by column in order of first appearance
        del flat
        codes = codes.reshape(len(group), n).astype(np.int64, copy=False)
        starts = np.append(codes[:, 0], len(pairs))  # a column's first cell opens its codes
        ids = np.asarray(pairs, dtype=np.int64) % n_texts
        for k, c in enumerate(group):
            mine = ids[starts[k]:starts[k + 1]]
            out[c] = alone.get(c) or Coded((codes[k] - starts[k]).astype(code_dtype(n)), texts.texts[mine], texts,
                                           mine)
    return out


def _all_text(cats: pd.Index) -> bool:
    """Categories that are all ``str`` (rendered as themselves by ``as_text``)."""
    return isinstance(cats.dtype, pd.StringDtype) or pd.api.types.infer_dtype(cats, skipna=False) == "string"


def shared(a: np.ndarray, b: np.ndarray | None) -> np.ndarray | None:
    """``b``, or ``a`` itself when they hold the same values: the attack on the input compares
    each column with itself, and its comparators' two per-row arrays were two copies of one
    (270 MB of 540 on a 200,000-row extract, issue #21 memory). Nothing writes into a
    comparator's arrays (they are replaced, never changed in place), so one can serve both sides."""
    if (b is not None and b is not a and isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
            and a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)):
        return a
    return b


@dataclass
class Comparator:
    """One way of comparing a fact (see module doc)."""

    fact: str
    how: str
    type: str                       # eq | dist | member
    orig: np.ndarray                # eq/member: int64 codes; dist: float64 (NaN = unknown); per row,
                                    # or per distinct value with ``o_at`` (read per row either way)
    rel: np.ndarray | None = None   # eq: int64 codes (UNKNOWN); dist: (n, 2) float64 [lo, hi]; ``r_at``
    width: float = 0.0              # dist only
    members: np.ndarray | None = None  # member only: sorted keys set * MEMBER_BASE + code
    set_of: np.ndarray | None = None   # member only: per released row, its set (None: the row's own)
    table: np.ndarray | None = None    # categorical: weight per (original code, released code)
    group: str = ""
    value_codes: tuple[np.ndarray, np.ndarray] | None = None  # the fact's (original, released) value codes
    m: float = 0.0
    u: float = 0.0
    known: int = 0
    w_agree: float = 0.0
    w_disagree: float = 0.0
    strict: bool = False  # every true pair agrees: a disagreement rules the candidate out
    extra: dict = field(default_factory=dict)
    strata: np.ndarray | None = None        # per released row: its stratum (the linked fact's precision)
    w_strata: np.ndarray | None = None      # (strata, 2): agree and disagree weights per stratum
    link: str | None = None
    # per row, its place in ``orig`` / ``rel`` when those hold one entry per distinct value of the
    # fact (the fact's value codes, shared by all its comparators and by the attacks reading the
    # same column): the per-row arrays are then made on demand (``orig``, ``rel`` read them) and
    # never held (issue #21 memory: they were two int64 arrays per comparator of every fact)
    o_at: np.ndarray | None = None
    r_at: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.o_at is None and self.r_at is None:
            self.rel = shared(self.orig, self.rel)
        if isinstance(self.extra.get("equal"), tuple) and "equal_at" not in self.extra:
            eo, er = self.extra["equal"]
            self.extra["equal"] = (eo, shared(eo, er))

    def _o(self, i: np.ndarray) -> np.ndarray:
        """``orig`` of the original rows ``i`` (without making the whole per-row array)."""
        return self._orig[i] if self.o_at is None else self._orig[self.o_at[i]]

    def _r(self, r: np.ndarray) -> np.ndarray:
        """``rel`` of the released rows ``r``."""
        return self._rel[r] if self.r_at is None else self._rel[self.r_at[r]]

    def orig_of(self, i: np.ndarray) -> np.ndarray:
        """The original codes of rows ``i`` (``orig[i]``, without the per-row array)."""
        return self._o(i)

    def map_orig(self, f) -> None:
        """``orig`` replaced by ``f(orig)`` for an element-wise ``f`` (applied to the table when the
        comparator holds one: the same per-row values)."""
        self._orig = f(self._orig)

    def equal_sides(self) -> tuple[np.ndarray, np.ndarray]:
        """A categorical comparator's fallback, per row: both sides coded in one space."""
        eo, er = self.extra["equal"]
        o_at, r_at = self.extra.get("equal_at", (None, None))
        return _spread(eo, o_at), _spread(er, r_at)

    def use_equal(self) -> None:
        """Compare as written: the fallback codes (``equal_sides``) become ``orig`` and ``rel``."""
        eo, er = self.extra["equal"]
        o_at, r_at = self.extra.get("equal_at", (None, None))
        self.orig, self.rel = eo, er
        self.o_at, self.r_at = o_at, r_at

    @property
    def name(self) -> str:
        return f"{self.fact}:{self.how}"

    def contribution(self, i: np.ndarray, r: np.ndarray, sets: np.ndarray | None = None) -> np.ndarray:
        """The score each pair (original i[k], released r[k]) gets from this comparator (``sets``:
        :meth:`agree`'s)."""
        if self.type == "categorical":
            a, b = self._o(i), self._r(r)
            out = np.zeros(len(i))
            ok = (a != UNKNOWN) & (b != UNKNOWN)
            out[ok] = self.table[a[ok], b[ok]]
            return out
        agree = self.agree(i, r, sets)
        if self.w_strata is not None:
            out = np.zeros(len(i))
            w = self.w_strata[self.strata[r]]
            out[agree == 1] = w[agree == 1, 0]
            out[agree == 0] = w[agree == 0, 1]
            return out
        # the weight of each verdict read at it from [disagree, agree, nothing] (-1: the last): the
        # floats the three masked writes into zeros gave (a zero weight is no score), in one gather
        return np.array([self.w_disagree or 0.0, self.w_agree or 0.0, 0.0], dtype=np.float64)[agree]

    def agree(self, i: np.ndarray, r: np.ndarray, sets: np.ndarray | None = None) -> np.ndarray:
        """For pairs (original i[k], released r[k]): 1 agree, 0 disagree, -1 unknown.

        ``sets``: a member comparator's ``set_of[r]``, when the caller gathered it once for every
        comparator reading the same ``set_of`` (the swapped facts share one class array: 22
        gathers of 2 million pairs in the 100,000-row gate's attack, issue #21); ignored otherwise."""
        if self.type in ("eq", "categorical"):
            a, b = self._o(i), self._r(r)
            out = (a == b).astype(np.int8)
            out[(b == UNKNOWN) | (a == UNKNOWN)] = -1
            return out
        if self.type == "dist":
            x, at = self._o(i), r if self.r_at is None else self.r_at[r]
            lo, hi = self._rel[:, 0][at], self._rel[:, 1][at]  # each bound gathered alone (not (k, 2) rows)
            gap = np.maximum(np.maximum(lo - x, x - hi), 0.0)
            out = (gap <= self.width).astype(np.int8)
            out[np.isnan(x) | np.isnan(lo)] = -1
            return out
        # member: is the original code among the released row's set's codes?
        codes = self._o(i)
        if sets is None or self.set_of is None:
            sets = r if self.set_of is None else self.set_of[r]
        dense = self._dense()
        if dense is not None:  # a (set, code) grid, the unknown code's column first: one lookup per pair
            grid, stride, odd = dense
            if odd:  # codes below UNKNOWN read code 0, as the boolean grid read them
                codes = np.where(codes == UNKNOWN, UNKNOWN, np.maximum(codes, 0))
            at = np.multiply(sets, stride, dtype=np.int64)  # a negative set counts from the end, as a row would
            at += codes
            at += 1
            out = grid[at]
        else:
            wanted = sets.astype(np.int64) * MEMBER_BASE + codes
            pos = np.minimum(np.searchsorted(self.members, wanted), max(len(self.members) - 1, 0))
            out = (self.members[pos] == wanted).astype(np.int8) if len(self.members) else np.zeros(len(i), np.int8)
            out[codes == UNKNOWN] = -1
        unknown_rows = self.extra.get("unknown_rows")
        if unknown_rows is not None:
            out[unknown_rows[r]] = -1
        return out

    def _dense(self) -> tuple[np.ndarray, int, bool] | None:
        """A member comparator's sets as a (set, code) grid, built once, when small enough
        (``DENSE_CELLS``); codes beyond the grid are in no set (the grid is widened to the
        original codes). Flat int8, ``stride`` columns per set: the verdict for UNKNOWN (-1) then
        one per code (1 in the set, 0 not), so a pair's verdict is one read at
        ``set * stride + code + 1``, without the masks and the 2-D index per pair (22 swapped facts
        over 2 million pairs were a tenth of the 100,000-row gate, issue #21). ``odd``: some code
        is below UNKNOWN (never made so; read as the boolean grid read them)."""
        got = self.extra.get("dense")
        if got is None and "dense" not in self.extra:
            sets = int(self.members[-1] // MEMBER_BASE) + 1 if len(self.members) else 0
            if self.set_of is not None:
                sets = max(sets, int(self.set_of.max()) + 1 if len(self.set_of) else 0)
            elif "rows" in self.extra:  # a set per released row: the grid spans every row
                sets = max(sets, int(self.extra["rows"]))
            else:
                self.extra["dense"] = None
                return None
            width = max(int(self.orig.max()) + 1 if len(self.orig) else 0,
                        int((self.members % MEMBER_BASE).max()) + 1 if len(self.members) else 0, 1)
            if sets * width <= DENSE_CELLS:
                grid = np.zeros((sets, width + 1), dtype=np.int8)
                grid[:, 0] = -1
                grid[self.members // MEMBER_BASE, self.members % MEMBER_BASE + 1] = 1
                odd = len(self.orig) > 0 and int(self.orig.min()) < UNKNOWN
                got = (grid.reshape(-1), width + 1, odd)
            self.extra["dense"] = got
        return got


def _spread(values: np.ndarray | None, at: np.ndarray | None) -> np.ndarray | None:
    """``values`` per row: as they are, or a table read at each row's place ``at``."""
    return values if at is None or values is None else values[at]


def _get_orig(self: Comparator) -> np.ndarray:
    return _spread(self._orig, self.o_at)


def _set_orig(self: Comparator, values: np.ndarray) -> None:
    """Per-row values (a table goes with ``o_at``, set after it)."""
    self._orig = values
    self.o_at = None


def _get_rel(self: Comparator) -> np.ndarray | None:
    return _spread(self._rel, self.r_at)


def _set_rel(self: Comparator, values: np.ndarray | None) -> None:
    self._rel = values
    self.r_at = None


# ``orig`` and ``rel`` read per row whatever the comparator holds (dataclass fields, set in order:
# the table first, then its ``o_at`` / ``r_at``)
Comparator.orig = property(_get_orig, _set_orig)  # type: ignore[assignment]
Comparator.rel = property(_get_rel, _set_rel)  # type: ignore[assignment]


# ----------------------------------------------------------------------------- parsing

_SEP = re.compile(r"\s+")
_RANGE = re.compile(r"^\[?\s*(-?\d+(?:[.,]\d+)?)\s*(?:-|–|,|à|to)\s*(-?\d+(?:[.,]\d+)?)\s*[\[\]]?$")
_GE = re.compile(r"^(?:>=|≥|\+|plus de\s*)?\s*(-?\d+(?:[.,]\d+)?)\s*(?:\+|et plus|ou plus)$")
_EPOCH = dt.date(1970, 1, 1)


def _days(y: int, m: int, d: int) -> float | None:
    try:
        return float((dt.date(y, m, d) - _EPOCH).days)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> int:
    return (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day


def date_interval(text: str) -> tuple[float, float] | None:
    """``[first day, last day]`` (days since 1970) a date text denotes: one day for a full date,
    a month for ``03/1985`` or ``1985-03``, a year for ``1985``, several for ``1980-1989``."""
    t = text.strip()
    p = parse_date(t)  # the one reader of French dates (anonymizer.values.dates)
    if p is not None:
        if p.precision == "day":
            d = _days(p.year, p.month, p.day)
            return (d, d) if d is not None else None
        if p.precision == "month":
            return _days(p.year, p.month, 1), _days(p.year, p.month, _month_end(p.year, p.month))
        return _days(p.year, 1, 1), _days(p.year, 12, 31)
    m = _RANGE.match(t)
    if m and len(m.group(1)) == 4 and len(m.group(2)) == 4:
        lo, hi = int(m.group(1)), int(m.group(2))
        if t.endswith("[") and hi > lo:  # [1980, 1990[
            hi -= 1
        if 1000 <= lo <= hi <= 2999:
            return _days(lo, 1, 1), _days(hi, 12, 31)
    return None


def _num(s: str) -> float | None:
    p = parse_number(s)  # the one reader of French numbers (anonymizer.values.numbers)
    return None if p is None else p.value


def number_interval(text: str) -> tuple[float, float] | None:
    """``[lo, hi]`` a number text denotes: one point, or a band such as ``30-34``, ``[30, 35[``, ``5+``."""
    t = text.strip()
    x = _num(t)
    if x is not None:
        return x, x
    m = _RANGE.match(t)
    if m:
        lo, hi = _num(m.group(1)), _num(m.group(2))
        if lo is not None and hi is not None and lo <= hi:
            if t.endswith("[") and hi > lo:
                hi = np.nextafter(hi, -np.inf)
            return lo, hi
    m = _GE.match(t)
    if m:
        lo = _num(m.group(1))
        if lo is not None:
            return lo, np.inf
    return None


# ----------------------------------------------------------------------------- comparators


def _eq(fact: Fact, how: str, oc: Coded, okeys: np.ndarray, rc: Coded, rkeys: np.ndarray, r_unknown: np.ndarray,
        o_unknown: np.ndarray | None = None) -> Comparator:
    """An ``eq`` comparator from keys per distinct value of each side (object arrays, None = unknown)
    and the unknown flags per distinct value: codes in one space, spread over the rows.

    A side's distinct values come in order of first appearance (``Coded``), so the keys do too:
    their codes are those of the rows' keys coded together (original rows first), for a pass over
    the distinct values instead of the rows."""
    codes, _uniques = pd.factorize(np.concatenate([okeys, rkeys]), use_na_sentinel=True)
    codes = codes.astype(np.int64)
    o, r = codes[: len(okeys)].copy(), codes[len(okeys):].copy()
    r[r_unknown | (r < 0)] = UNKNOWN
    if o_unknown is not None:
        o[o_unknown] = UNKNOWN
    o[o < 0] = UNKNOWN
    return Comparator(fact.name, how, "eq", o, r, group=fact.group, o_at=oc.codes, r_at=rc.codes)


def _categorical(fact: Fact, how: str = "as released") -> Comparator:
    """Original and released values coded apart (the linkage learns the mapping between them);
    a derived fact is compared as written (``equal``).

    The keys are coded over each side's distinct values, then spread over the rows: the same codes
    as coding the rows' keys (a side's distinct values come in order of first appearance, so their
    keys do too), without a pass over the rows per code space."""
    oc, rc = fact.coded("original"), fact.coded("released")
    ok, rk = oc.keys(), rc.keys()
    if fact.derived:  # a part of another value: absent on either side (no NIR there) says nothing
        rs = rc.state()[1]
        return _eq(fact, "equal", oc, ok, rc, rk, rs | (rk == MISSING_KEY), o_unknown=ok == MISSING_KEY)
    rs = rc.state()[1]  # per distinct value (the tables are read at each row's value code)
    o = factorize_text(ok)[0]
    r = factorize_text(rk)[0].copy()
    r[rs] = UNKNOWN
    both = factorize_text(np.concatenate([ok, rk]))[0]  # the same values in one code space: the fallback
    eo, er = both[: len(ok)].copy(), both[len(ok):].copy()
    er[rs] = UNKNOWN
    return Comparator(fact.name, how, "categorical", o, r, group=fact.group, o_at=oc.codes, r_at=rc.codes,
                      extra={"equal": (eo, er), "equal_at": (oc.codes, rc.codes)})


def _category(fact: Fact) -> list[Comparator]:
    return [_categorical(fact)]


def _code(fact: Fact) -> list[Comparator]:
    """Codes (postcodes, commune and country codes...): equal, and the same first 3 / 2 characters
    (a département; a released ``33`` is compared on its two characters)."""
    oc, rc = fact.coded("original"), fact.coded("released")
    ok, rk = oc.keys(), rc.keys()  # per distinct value
    rs = rc.state()[1]
    out = [_categorical(fact)]
    absent_o = (ok == MISSING_KEY) if fact.derived else None
    absent_r = (rk == MISSING_KEY) if fact.derived else np.zeros(len(rk), dtype=bool)
    for n in (3, 2):
        def pre(keys: np.ndarray, n: int = n) -> np.ndarray:
            return np.asarray([k if k == MISSING_KEY else k[:n] for k in keys], dtype=object)
        short = np.asarray([k != MISSING_KEY and len(k) < n for k in rk], dtype=bool)
        out.append(_eq(fact, f"first{n}", oc, pre(ok), rc, pre(rk), rs | short | absent_r, o_unknown=absent_o))
    return out


def _intervals(fact: Fact, side: str, parse) -> np.ndarray:
    """Per row [lo, hi] (NaN when missing, suppressed or unreadable); each distinct text parsed
    once (``Coded.intervals``)."""
    coded = fact.coded(side)
    return coded.rows(coded.intervals(parse))


def _exact(table: np.ndarray) -> np.ndarray:
    """The attacker's exact value: ``lo`` where the interval is one point, else NaN."""
    return np.where(table[:, 0] == table[:, 1], table[:, 0], np.nan)


def _cached(coded: Coded, key: tuple, make):
    """``make()`` once per coded column (the three attacks of a gate share their columns)."""
    got = coded.cache.get(key)
    if got is None:
        got = coded.cache[key] = make()
    return got


def _presence(fact: Fact) -> Comparator:
    """Whether the value is there at all (a spouse's birth date says there is a spouse)."""
    oc, rc = fact.coded("original"), fact.coded("released")
    om = oc.state()[0]
    rm, rs = rc.state()
    okeys = np.where(om, "absent", "present").astype(object)
    rkeys = np.where(rm, "absent", "present").astype(object)
    return _eq(fact, "present", oc, okeys, rc, rkeys, rs)


def _dist(fact: Fact, how: str, oc: Coded, x: np.ndarray, rc: Coded, rel: np.ndarray, width: float) -> Comparator:
    """``x`` and ``rel`` per distinct value of each side (read at the rows' value codes)."""
    return Comparator(fact.name, how, "dist", x, rel, width=float(width), group=fact.group, o_at=oc.codes,
                      r_at=rc.codes)


def _parts(days: np.ndarray) -> dict[str, np.ndarray]:
    """Calendar parts of day numbers (NaN -> -1), vectorised."""
    ok = ~np.isnan(days)
    d = np.where(ok, days, 0).astype(np.int64).astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month0 = d.astype("datetime64[M]")
    month = month0.astype(np.int64) % 12 + 1
    dom = (d - month0.astype("datetime64[D]")).astype(np.int64) + 1
    parts = {"day": days.astype(np.float64), "month": year * 100 + month, "year": year, "5 years": year // 5,
             "10 years": year // 10, "day and month": month * 100 + dom}
    out = {}
    for k, v in parts.items():
        v = np.where(ok, v, -1)
        out[k] = v.astype(np.int64) + (1_000_000 if k == "day" else 0)  # day numbers may be < 0
        out[k][~ok] = UNKNOWN
    return out


def _bins(fact: Fact, oc: Coded, x: np.ndarray, rc: Coded, rel: np.ndarray, parse) -> list[Comparator]:
    """Equal bins (day, month, year...): a released interval is compared only when it lies in one bin.
    ``x`` and ``rel`` per distinct value of each side; the bins computed once per coded column."""
    name = parse.__name__
    po = _cached(oc, ("parts of the exact value", name), lambda: _parts(x))
    plo, phi = _cached(rc, ("parts of the bounds", name), lambda: (_parts(rel[:, 0]), _parts(rel[:, 1])))
    out = []
    for how in po:
        r = plo[how].copy()
        r[(plo[how] != phi[how]) | (plo[how] == UNKNOWN)] = UNKNOWN
        out.append(Comparator(fact.name, how, "eq", po[how], r, group=fact.group, o_at=oc.codes, r_at=rc.codes))
    return out


def _date(fact: Fact) -> list[Comparator]:
    oc, rc = fact.coded("original"), fact.coded("released")
    orig = oc.intervals(date_interval)  # per distinct value
    x = _cached(oc, ("exact", "date_interval"), lambda: _exact(orig))
    rel = rc.intervals(date_interval)
    out = [_presence(fact), *_bins(fact, oc, x, rc, rel, date_interval)]
    for w in DATE_WINDOWS:
        out.append(_dist(fact, f"within {w} days", oc, x, rc, rel, w))
    return out


def _number(fact: Fact) -> list[Comparator]:
    oc, rc = fact.coded("original"), fact.coded("released")
    x = _exact(oc.intervals(number_interval))
    rel = rc.intervals(number_interval)
    out = [_presence(fact), _categorical(fact)]
    for w in NUMBER_WINDOWS:
        out.append(_dist(fact, "within the band" if w == 0 else f"within {w}", oc, x, rc, rel, w))
    return out


def _class_member(fact: Fact) -> Comparator:
    """A value swapped within its class (``privacy.recoding.swap_within_classes``): the attacker,
    who knows the method, cannot tell which record of a class holds the person's value, only
    whether the class (the records showing the same released primary values) holds it. The
    original is given at the released precision (the method's rounding, applied by the caller)."""
    o_codes, o_uniques = _plain_codes(fact.original) or _code_pair(fact.coded("original"))
    rc = fact.coded("released")
    # the two sides' distinct values in one code space (each side's in order of first appearance:
    # the codes of the rows coded together, original rows first)
    codes, uniq = pd.factorize(np.concatenate([o_uniques, rc.uniques]), use_na_sentinel=False)
    if len(uniq) >= MEMBER_BASE:
        raise ValueError(f"fact {fact.name!r}: too many distinct values for a membership comparator")
    codes = codes.astype(np.int64)
    o, r = codes[: len(o_uniques)][o_codes], rc.rows(codes[len(o_uniques):])
    cls = np.asarray(fact.classes, dtype=np.int64)
    members = sorted_unique(cls * MEMBER_BASE + r)  # a row's set is its class's: the values the class holds
    star = np.isin(np.asarray(uniq, dtype=object), list(SUPPRESSED))
    comp = Comparator(fact.name, "held by the class (swapped)", "member", o, members=members, set_of=cls,
                      group=fact.group)
    comp.extra["unknown_rows"] = star[r]
    return comp


def _code_pair(coded: Coded) -> tuple[np.ndarray, np.ndarray]:
    return coded.codes, coded.uniques


def _plain_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and distinct values of an object Series holding only ``str`` (what the swapped
    originals are), coded as they are: ``as_text`` would give the same strings, at the cost of a
    new string column. None for anything else."""
    if not isinstance(values, pd.Series) or values.dtype != object:
        return None
    raw = values.to_numpy()
    if pd.api.types.infer_dtype(raw, skipna=False) != "string":
        return None
    codes, uniques = pd.factorize(raw, use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def comparators(fact: Fact) -> list[Comparator]:
    """Every comparator of one fact (module doc). Each carries the fact's value codes: what a
    comparator says about a pair depends only on the two values, so the linkage scores each
    distinct pair of values once (a value swapped within classes: per row)."""
    if len(fact.original) == 0:
        return []
    if fact.classes is not None:
        return [_class_member(fact)]
    out = {"category": _category, "code": _code, "number": _number, "date": _date}[fact.kind](fact)
    codes = (fact.coded("original").codes, fact.coded("released").codes)  # one pair of arrays per fact
    per_fact: dict = {}  # what the linkage derives from the value codes alone (``linkage._reps``), once per fact
    for c in out:
        c.value_codes = codes
        c.link = fact.link
        c.extra["per_fact"] = per_fact
    return out


_SHAPE = re.compile(r"\d+|[^\W\d_]+")


def shape_of(text: str) -> str:
    """A released value's shape (``1985`` -> ``9``, ``03/1985`` -> ``9/9``, ``1980-1989`` -> ``9-9``,
    ``33`` -> ``9``, ``France`` -> ``a``, ``*``): how precise it is, whatever it says."""
    t = text.strip()
    if not t:
        return ""
    return _SHAPE.sub(lambda m: f"{len(m.group(0))}d" if m.group(0).isdigit() else "a", t)


def strata_of(released: pd.Series | np.ndarray) -> np.ndarray:
    """Per released row, the code of its value's shape (``shape_of``)."""
    text = _as_text(released)
    codes, uniques = pd.factorize(text)
    shapes = np.array([shape_of(u) for u in uniques], dtype=object)
    out, _ = pd.factorize(shapes[np.maximum(codes, 0)])
    return out.astype(np.int64)


def strata_of_coded(coded: Coded) -> np.ndarray:
    """``strata_of`` the rows of a coded column: the shapes of its distinct values (in order of
    first appearance, so coded in the same order as the rows' shapes), spread over the rows."""
    def make() -> np.ndarray:
        shapes = np.array([shape_of(u) for u in coded.uniques], dtype=object)
        return coded.rows(pd.factorize(shapes)[0].astype(np.int64))
    return _cached(coded, ("strata",), make)


# ----------------------------------------------------------------------------- dates in free text

_TEXT_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?(?!\d)")
_TEXT_LONG = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er)?\s+({MONTH_PATTERN})\.?(?:\s+(\d{{4}}))?", re.IGNORECASE)


def text_day_months(text: str) -> set[int]:
    """The (month, day) of every date written in a text, as ``month * 100 + day``."""
    out = set()
    for d, m, _y in _TEXT_DATE.findall(text):
        d, m = int(d), int(m)
        if 1 <= d <= 31 and 1 <= m <= 12:
            out.add(m * 100 + d)
    for d, name, _y in _TEXT_LONG.findall(text):
        m = MONTH_NUMBERS.get(name.casefold())
        if m and 1 <= int(d) <= 31:
            out.add(m * 100 + int(d))
    return out


def text_mentions(fact: Fact, texts: pd.Series,
                  members: tuple[np.ndarray, int] | None = None) -> Comparator | None:
    """Does the released row's free text mention the attacker's date (day and month)?
    ``members``: :func:`text_members` of ``texts``, when several facts read them."""
    if fact.kind != "date":
        return None
    oc = fact.coded("original")
    x = _cached(oc, ("exact", "date_interval"), lambda: _exact(oc.intervals(date_interval)))
    codes = _cached(oc, ("parts of the exact value", "date_interval"), lambda: _parts(x))["day and month"]
    members, rows = members if members is not None else text_members(texts)
    return Comparator(fact.name, "written in the free text", "member", codes, members=members, group=fact.group,
                      link=fact.name, extra={"rows": rows}, o_at=oc.codes)


def marks_members(marks: tuple[np.ndarray, np.ndarray], n: int) -> tuple[np.ndarray, int]:
    """``text_members`` of ``n`` rows from the (row, month * 100 + day) marks of the dates their
    free text quotes (all the gate keeps of the text; ``engine`` collects them with
    ``text_day_months``): the same keys as writing each row's marks as ``dd/mm`` and reading them
    back, without the round trip (a mark that is no day of a month reads as nothing)."""
    rows, codes = (np.asarray(a, dtype=np.int64) for a in marks)
    day, month = codes % 100, codes // 100
    ok = (day >= 1) & (day <= 31) & (month >= 1) & (month <= 12)
    members = sorted_unique(rows[ok] * MEMBER_BASE + codes[ok]) if ok.any() else np.zeros(0, np.int64)
    return members, n


def text_members(texts: pd.Series) -> tuple[np.ndarray, int]:
    """The (row, month * 100 + day) keys of the dates each row's text quotes (``MEMBER_BASE`` keys,
    sorted), and the number of rows: what every date fact's ``text_mentions`` compares with."""
    values = as_text(texts)
    fac, uniques = pd.factorize(values)
    per_unique = [sorted(text_day_months(u)) if u else [] for u in uniques]
    lens_u = np.array([len(p) for p in per_unique] + [0], dtype=np.int64)  # the last: a missing text
    flat_u = np.array([v for p in per_unique for v in p], dtype=np.int64)
    fac = np.where(fac >= 0, fac, len(per_unique))
    lens = lens_u[fac]
    rows = np.repeat(np.arange(len(fac), dtype=np.int64), lens)
    first = np.repeat((np.cumsum(lens_u) - lens_u)[fac] - (np.cumsum(lens) - lens), lens)  # each row's dates, in order
    flat = flat_u[first + np.arange(len(rows))] if len(rows) else flat_u
    members = sorted_unique(rows * MEMBER_BASE + flat) if len(flat) else np.zeros(0, np.int64)
    return members, len(fac)
