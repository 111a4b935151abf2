"""The row's own names, replaced in its free text by the row's fakes.

NER misses most upper-case surnames, but the row itself says which names to look for: its
name columns. The replacement is the fake the name column received, so text and columns agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from anonymizer.detect.entities import NAME_ENTITIES  # every kind of name (the entity table)
from anonymizer.io import as_text

if TYPE_CHECKING:
    from anonymizer.policy.plan import Plan

_WORDS = re.compile(r"[\W_]+")

#: The characters whose case-insensitive twins, for ``re.IGNORECASE``, upper-case differently
#: (``İ`` and ``i``, the Kelvin sign and ``k``, ``ß`` and ``ẞ``...: ``I``, ``K``, ``i`` and ``k`` only
#: through them). Without any of them in the text or the names, a name can only match where
#: its upper-case form is a substring of the text's (tests/transform/test_row_names.py derives the
#: set from the ``re`` module's case tables).
CASE_TWINS = frozenset("\u00c5\u00df\u00e5\u0130\u0131\u0398\u03a9\u03b8\u03c9\u03d1\u03f4\u1e9e\u2126\u212a\u212b")


def _case_like(template: str, word: str) -> str:
    if word.startswith("["):  # a tag stays a tag
        return word
    if template.isupper():
        return word.upper()
    if template.islower():
        return word.lower()
    return word.title() if word.isupper() or word.islower() else word


def _fake_of(found: str, subs: dict[str, str], ordered: list[str]) -> str:
    """The fake of the name the alternation ``ordered`` matched as ``found``: ``subs[found.upper()]``,
    else (a match through a case twin: ``ilker`` for ``İLKER``, ``åsa`` for ``ÅSA`` with the
    Angström sign) the first name that matches ``found`` ignoring case, the one the regex took."""
    fake = subs.get(found.upper())
    if fake is None:
        fake = subs[next(n for n in ordered if re.fullmatch(re.escape(n), found, re.IGNORECASE))]
    return fake


@lru_cache(maxsize=4096)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern:
    """The row's names as one case-insensitive alternation, whole words only (first wins: longest first)."""
    return re.compile(r"(?<!\w)(" + "|".join(map(re.escape, names)) + r")(?!\w)", re.IGNORECASE)


def _looked_for(name: str) -> tuple[str, ...]:
    """What :func:`_may_name` looks for of one name: its upper case and its words' (3 letters or more)."""
    whole = name.strip()
    if len(whole) < 3:
        return ()
    parts = whole.split()
    return (whole.upper(),) + tuple(p.upper() for p in parts if len(p) >= 3 and len(parts) > 1)


def _looked_for_rows(columns: list[np.ndarray]) -> np.ndarray:
    """Per row, every name (upper case) and name word of 3 letters or more the row's ``columns``
    hold: what :func:`_may_name` looks for in its text. Each distinct name is read once."""
    per_column = []
    for col in columns:
        codes, names = pd.factorize(np.asarray([str(v) for v in col], dtype=object))
        looked = np.empty(len(names), dtype=object)
        looked[:] = [_looked_for(n) for n in names]
        per_column.append(looked[codes])
    out = np.empty(len(columns[0]) if columns else 0, dtype=object)
    out[:] = [sum(row, ()) for row in zip(*per_column, strict=True)]  # repeats kept: cheaper than removed
    return out


def _may_name(cells: list[str], looked: np.ndarray) -> np.ndarray:
    """Rows whose upper-case text holds one of the row's names of at least 3 letters, or one of
    their words (whatever the fake), ``looked`` giving each row's (:func:`_looked_for_rows`): the
    only rows :func:`replace_row_names` can change."""
    return np.fromiter((any(k in u for k in ks) for ks, u in zip(looked, cells, strict=True)),
                       dtype=bool, count=len(cells))


@dataclass(frozen=True)
class _BatchNames:
    """What :func:`replace_row_names` reads of a batch's name columns, the same for each of its
    free-text columns: built once per batch when the caller gives a memo (``apply_plan``), since
    reading the name columns again cost more than the texts' own work (5 comment columns x 100,000
    rows: 1.05 CPU s of 1.83)."""

    columns: tuple[str, ...]  # the name columns read, in the plan's order
    sources: tuple  # the objects read (original frame, fakes, first draws): the memo holds for these only
    index: pd.Index  # the texts' index, which the first draws are aligned to
    olds: list[np.ndarray]
    news: list[np.ndarray]
    firsts: list[tuple[np.ndarray, np.ndarray]]  # (first draws, final fakes) of the re-drawn name columns
    looked: np.ndarray  # per row: the names and name words its text is searched for
    has_names: np.ndarray  # rows with at least one (the others cannot change)

    def holds_for(self, columns: tuple[str, ...], sources: tuple, index: pd.Index) -> bool:
        return (self.columns == columns and len(self.sources) == len(sources)
                and all(a is b for a, b in zip(self.sources, sources, strict=True)) and self.index.equals(index))


def _batch_names(index: pd.Index, original: pd.DataFrame, pairs: list[tuple[str, pd.Series]],
                 redrawn: dict[str, pd.Series] | None, memo: dict | None) -> _BatchNames:
    """The batch's :class:`_BatchNames`, from ``memo`` when it was built from the very same objects
    (identity, not equality: a memo holds the objects it was built from, which stay alive)."""
    columns = tuple(c for c, _ in pairs)
    sources = (original, *(f for _, f in pairs), *((redrawn or {}).get(c) for c in columns))
    held = memo.get("row_names") if memo is not None else None
    if held is not None and held.holds_for(columns, sources, index):
        return held
    olds = [as_text(original[c]).to_numpy(dtype=object) for c in columns]
    news = [as_text(f).to_numpy(dtype=object) for _, f in pairs]
    firsts = [(as_text(redrawn[c].reindex(index, fill_value="")).to_numpy(dtype=object), new)
              for c, new in zip(columns, news, strict=True) if redrawn and c in redrawn and len(redrawn[c])]
    looked = _looked_for_rows(olds + [first_col for first_col, _ in firsts])
    has_names = np.fromiter(map(bool, looked), dtype=bool, count=len(looked))
    built = _BatchNames(columns, sources, index, olds, news, firsts, looked, has_names)
    if memo is not None:
        memo["row_names"] = built
    return built


def replace_row_names(text: pd.Series, original: pd.DataFrame, transformed: dict[str, pd.Series],
                      plan: Plan, redrawn: dict[str, pd.Series] | None = None, memo: dict | None = None) -> pd.Series:
    """Replace, in each row's free text, the row's own original names by the row's fakes.

    NER misses most upper-case surnames (``DUPONT``: 2 % with fr_core_news_sm, see
    docs/scan.md), but the row itself says which names to look for: its name columns. The
    replacement is the same fake the name column received, so text and columns agree.
    ``redrawn`` (column -> first draws of the rows whose fake name was drawn again because it
    spelled a real person's, see collisions.py): the text faked the name it found with the
    first draw, which is replaced by the column's final fake too.

    Most texts name nobody of their row: the rows whose text holds one of their names (or a
    word of one) are found first, column by column; only those build their names and run the
    one alternation of the names their text holds (the others cannot match).

    ``memo`` (a dict), for callers that replace names in several free-text columns of one batch
    (``apply_plan``): what depends only on the name columns is read once, not once per column.
    """
    pairs = [
        (s.column, transformed[s.column]) for s in plan.steps
        if s.role == "identifier" and s.entity in NAME_ENTITIES and s.column in transformed
        and s.action in {"fake", "pseudonymize", "suppress"}
    ]
    if not pairs:
        return text
    values = as_text(text)
    rows = np.flatnonzero((values != "").to_numpy())
    if len(rows) == 0:
        return text
    out = values.to_numpy(dtype=object).copy()
    names = _batch_names(text.index, original, pairs, redrawn, memo)
    olds, news, firsts = names.olds, names.news, names.firsts
    rows = rows[names.has_names[rows]]  # a row without a name of 3 letters or more cannot change
    uppers = [cell.upper() for cell in out[rows]]
    named = _may_name(uppers, names.looked[rows])
    for i, upper in zip(rows[named].tolist(), [u for u, h in zip(uppers, named, strict=True) if h], strict=True):
        cell = out[i]
        subs = {}
        # a re-drawn name: the text holds its first draw (redact faked the name it found), put
        # the final fake instead; whole values only, not when another name of the row is that
        # very fake (the words would be that person's), the first column's when two share it
        finals = {str(n[i]).strip().upper() for n in news}
        for first_col, new_col in firsts:
            first_draw, final = str(first_col[i]).strip(), str(new_col[i]).strip()
            if len(first_draw) >= 3 and first_draw.upper() != final.upper() and first_draw.upper() not in finals:
                subs.setdefault(first_draw.upper(), final or "[NOM]")
        for old_col, new_col in zip(olds, news, strict=True):
            whole_old, whole_new = str(old_col[i]).strip(), str(new_col[i]).strip()
            if len(whole_old) < 3 or whole_old.upper() == whole_new.upper():
                continue
            subs[whole_old.upper()] = whole_new or "[NOM]"
            # parts too ("DE LA FONTAINE" written "Fontaine"): the matching fake part, else the last
            new_parts = whole_new.split() or ["[NOM]"]
            for j, part in enumerate(whole_old.split()):
                if len(part) >= 3:
                    subs.setdefault(part.upper(), new_parts[min(j, len(new_parts) - 1)])
        if not any(name in upper for name in subs):  # most texts name nobody of their row
            continue
        for name, fake_name in list(subs.items()):
            # a fake that equals, or contains as a word, another original name of the same row
            # would read as that person's name left in place: use a neutral tag instead
            if any(w.upper() in subs for w in _WORDS.split(str(fake_name)) + [str(fake_name)] if w):
                subs[name] = "[NOM]"
        ordered = sorted(subs, key=len, reverse=True)
        if CASE_TWINS.isdisjoint(cell) and not any(CASE_TWINS.intersection(name) for name in ordered):
            ordered = [name for name in ordered if name.upper() in upper]  # the others cannot match here
        out[i] = _names_pattern(tuple(ordered)).sub(
            lambda m, subs=subs, ordered=ordered: _case_like(m.group(0), _fake_of(m.group(0), subs, ordered)), cell)
    return pd.Series(out, index=text.index).astype(text.dtype) if text.dtype != object else pd.Series(
        out, index=text.index)
