"""Original identities (full names and first-name/surname pairs), so that no fake is one of them.

A fake full name is drawn from the same name lists as real French names: on a table of
beneficiaries, the fake ``Susan GUICHARD`` of one row can be another row's real name, and a
reader would take it for that person (issue #16 item 7). This index holds, for every row, the
identities its name columns spell: the full name of each full-name cell (``PERSON``) and every
(first name, surname) pair the row can form across its name columns. Every pair, not only
``PRENOM`` + ``NOMFAM``: a spouse or a child may carry the family name, the usage name or the
other parent's name, so each such pair may be somebody's identity. The fakes of a row are
re-drawn when they spell one of them (:mod:`anonymizer.transform.collisions`).

An identity is kept as one 64-bit number: the sum (mod 2^64) of the hashes of its name words
after case, accents, spaces, hyphens and civilities are set aside. A sum does not depend on
the order of the words, so ``DUPONT Jean``, ``Jean Dupont``, ``M. Jean DUPONT`` and the pair
(``Jean``, ``DUPONT``) are one identity, and a pair's number is the sum of its two sides'
numbers: the check of a row's pairs is two vector additions, no string per row. Like the
leak index of identifier values: 8 bytes per distinct identity, built in pass 1, never text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from anonymizer.detect.entities import ENTITIES
from anonymizer.transform.base import strip_accents
from anonymizer.transform.vocab import CIVILITIES
from anonymizer.values.arrays import sorted_unique

#: name kinds of the entity table: first names, surnames and full names
FIRST_NAME_ENTITIES = frozenset(n for n, e in ENTITIES.items() if e.name_kind == "first_name")
SURNAME_ENTITIES = frozenset(n for n, e in ENTITIES.items() if e.name_kind == "surname")
FULL_NAME_ENTITIES = frozenset(n for n, e in ENTITIES.items() if e.name_kind == "full_name")
#: cells whose fake may spell a person's full name: full names, and employers or landlords
#: (a landlord may be a private person, faked as one)
FAKE_FULL_NAME_ENTITIES = FULL_NAME_ENTITIES | {"ORGANIZATION"}

_WORD = re.compile(r"[^\W\d_]+")
_CIVILITY_WORDS = frozenset(c.rstrip(".") for c in CIVILITIES)


def _words(value: str) -> list[str]:
    return [w for w in (strip_accents(m).casefold() for m in _WORD.findall(value)) if w not in _CIVILITY_WORDS]


#: text value -> (identity number, word count), for the values :func:`name_hashes` has seen: fake
#: names are drawn from lists of a few thousand names, and every name column, each re-draw and
#: every context column is hashed again. Cleared when full (bounded memory; the numbers do not
#: depend on it) and at the end of a run (:func:`clear_caches`: the original names of one run do
#: not stay in memory into the next, in a notebook or any process that runs several).
_HASHED: dict[str, tuple[int, int]] = {}
_HASHED_MAX = 1 << 16  # about 20 MB at most


def clear_caches() -> None:
    """Forget the hashed names (called at the end of a run)."""
    _HASHED.clear()


def _hash_words(words: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(sums mod 2^64 of the word hashes, word counts) of each value's words."""
    counts = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    flat = [w for ws in words for w in ws]
    sums = np.zeros(len(words), dtype=np.uint64)
    if flat:
        h = pd.util.hash_array(np.asarray(flat, dtype=object), categorize=False)
        owner = np.repeat(np.arange(len(words)), counts)
        np.add.at(sums, owner, h)  # uint64: wraps around, a sum mod 2^64
    return sums, counts


def name_hashes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the identity number of its name words (0: none) and how many words it has.

    Computed once per distinct value (and once per run for a text value seen before: ``_HASHED``);
    the words are hashed with ``pandas.util.hash_array`` (fixed key, one word at a time: the same
    number in every process and run, whichever values are hashed together)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""), use_na_sentinel=False)
    uniques = uniques.tolist()
    memo = _HASHED
    got = [memo.get(u) if type(u) is str else None for u in uniques]
    new = [i for i, g in enumerate(got) if g is None]
    if new:
        sums, counts = _hash_words([_words(u) if isinstance(u, str) else _words(str(u))
                                    for u in (uniques[i] for i in new)])
        if len(memo) + len(new) > _HASHED_MAX:
            memo.clear()
        for i, g in zip(new, zip(sums.tolist(), counts.tolist(), strict=True), strict=True):
            got[i] = g
            if type(uniques[i]) is str:
                memo[uniques[i]] = g
    sums = np.fromiter((g[0] for g in got), dtype=np.uint64, count=len(got))
    counts = np.fromiter((g[1] for g in got), dtype=np.int64, count=len(got))
    return sums[codes], counts[codes]


def _member(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    if len(sorted_unique) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    return sorted_unique[pos] == values


def _name_columns(entities: dict[str, str | None], columns) -> tuple[list[str], list[str], list[str]]:
    cols = [c for c in columns if c in entities]
    return ([c for c in cols if entities[c] in FIRST_NAME_ENTITIES],
            [c for c in cols if entities[c] in SURNAME_ENTITIES],
            [c for c in cols if entities[c] in FULL_NAME_ENTITIES])


@dataclass
class NameIndex:
    """The identities of the original rows, as sorted distinct 64-bit numbers (see the module)."""

    _pending: list[np.ndarray] = field(default_factory=list)
    _union: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    def add(self, original: pd.DataFrame, entities: dict[str, str | None]) -> None:
        """Index the identities of a batch of original rows (``entities``: column -> entity;
        only identifier columns should be given)."""
        first, last, full = _name_columns(entities, original.columns)
        found: list[np.ndarray] = []
        hashed = {c: name_hashes(original[c]) for c in first + last + full}
        for c in full:
            h, n = hashed[c]
            found.append(h[n >= 2])  # one word is a surname or a first name, not an identity
        for f in first:
            hf, nf = hashed[f]
            for la in last:
                hl, nl = hashed[la]
                found.append((hf + hl)[(nf > 0) & (nl > 0)])
        if found:
            self.add_hashes(np.concatenate(found))

    def add_hashes(self, hashes: np.ndarray) -> None:
        """Queue identity numbers (a partition's, see :meth:`hashes`); merged on first use."""
        if len(hashes):
            self._pending.append(sorted_unique(np.asarray(hashes, dtype=np.uint64)))

    def hashes(self) -> np.ndarray:
        """Every identity number queued or merged, distinct (what a Dask partition sends back)."""
        return self._merge()

    def _merge(self) -> np.ndarray:
        if self._pending:
            self._union = sorted_unique(np.concatenate([self._union, *self._pending]))
            self._pending = []
        return self._union

    def merge(self) -> None:
        self._merge()

    @property
    def size(self) -> int:
        return len(self._merge())

    def row_hits(self, values: pd.Series, entity: str | None, partners: pd.DataFrame | None,
                 entities: dict[str, str | None], *, partner_hashes=None) -> np.ndarray:
        """Rows of ``values`` (fakes of a column of ``entity``) that spell an original identity:
        a full name (two words or more) that is one, or a pair with one of the row's names of
        the other kind in ``partners`` (row-aligned, the columns already transformed).
        ``partner_hashes(column)``, when given, is ``name_hashes(partners[column])`` already
        known (the caller's memo: the same context columns are checked for every name column)."""
        union = self._merge()
        hit = np.zeros(len(values), dtype=bool)
        if len(union) == 0 or len(values) == 0:
            return hit
        h, n = name_hashes(values)
        if entity in FAKE_FULL_NAME_ENTITIES:
            hit |= (n >= 2) & _member(h, union)
        other = SURNAME_ENTITIES if entity in FIRST_NAME_ENTITIES else (
            FIRST_NAME_ENTITIES if entity in SURNAME_ENTITIES else frozenset())
        if partners is not None and other:
            for c in partners.columns:
                if entities.get(c) not in other:
                    continue
                hp, np_ = name_hashes(partners[c]) if partner_hashes is None else partner_hashes(c)
                hit |= (n > 0) & (np_ > 0) & _member(h + hp, union)
        return hit
