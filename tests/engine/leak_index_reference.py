"""The leak index's lookups as they were before this change (main at 1532238), kept verbatim as the
reference the faster code in ``anonymizer.engine.verify`` is compared with
(tests/engine/test_leak_index_equivalence.py): ``_bare``, ``span_lists``, ``_text_like``,
``_distinct_hits`` and the :class:`~anonymizer.engine.verify.LeakIndex` methods ``_hits``,
``_text_hits``, ``_span_hits``, ``row_hits`` and ``search``.

The index's storage (hashes, bitmasks, merging) and what did not change are the package's own, so
:class:`MainLeakIndex` searches with the old code over the same structure. Not imported by the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.engine.verify import (
    _EMAIL,
    _GROUP_SEP,
    _GROUPS,
    _HAS_ID_CHAR,
    _LONG_RUN,
    _NOT_A_NUMBER,
    _PHONE_IN_TEXT,
    _PHONE_SHAPE,
    _SEP_RE2,
    _SOLE_EMAIL,
    MAX_RUN,
    MAX_TOKEN,
    MIN_LEN,
    LeakIndex,
    _hashes,
    _to_arrow,
    member,
)
from anonymizer.io import as_text
from anonymizer.values.arrays import sorted_unique

__all__ = ["MainLeakIndex", "_bare", "_distinct_hits", "_text_like", "span_lists"]


def _bare(arr: pa.Array) -> pa.Array:
    """Upper case, separators removed: the part of the canonical form every kind shares."""
    return pc.replace_substring_regex(pc.utf8_upper(arr), _SEP_RE2, "")



def span_lists(texts, *, aligned: bool = False) -> list[list[str]]:
    """Per text of ``texts``, the spans that could hold an identifier value, separators removed
    (texts shorter than ``MIN_LEN`` and spans shorter than that give nothing: the leak search drops them).

    E-mail addresses; every run of letter/digit groups joined by single separators as a whole
    (up to ``MAX_RUN`` characters); and every sub-run that starts with a group holding a digit,
    up to ``MAX_TOKEN`` characters — so ``NIR 1 85 03 75 056 123 45`` yields the bare
    13-digit NIR and ``IBAN FR76 3000 ...`` the bare IBAN, whatever word precedes them.

    ``aligned`` (cells that are not free text): a sub-run starts only at the first group of
    its run or after a group without digits (``Durand 1 85 01...`` yields the NIR), never in
    the middle of a number: the seven-digit tail of a fake IBAN is not a file number.

    The leak search tokenises every distinct text of every free-text column three times (pass 1,
    the collision check of pass 2, pass 3): the runs too short to give a span are skipped by the
    regular expression, a run of letters only gives its whole, and the loop is written for speed
    (the per-text definition it replaced is kept in tests/engine/leak_reference.py)."""
    find_runs, find_emails, split = _LONG_RUN.findall, _EMAIL.findall, _GROUP_SEP.split
    lists = []
    for text in texts:
        out = [e for e in find_emails(text) if len(e) >= MIN_LEN] if "@" in text else []
        for run in find_runs(text):
            groups = split(run)
            whole = "".join(groups)
            n = len(whole)
            if n < MIN_LEN:
                continue
            if n <= MAX_RUN:
                out.append(whole)
            if whole.isalpha():
                continue  # no group with a digit: no sub-run starts
            before_alpha = True  # the group before (none for the first)
            for i, first in enumerate(groups):
                alpha = first.isalpha()
                skip = alpha or (aligned and not before_alpha)
                before_alpha = alpha
                if skip:
                    continue
                acc = ""
                for g in groups[i:]:
                    acc += g
                    if len(acc) > MAX_TOKEN:
                        break
                    if len(acc) >= MIN_LEN and acc != whole:
                        out.append(acc)
        lists.append(out)
    return lists


def _text_like(arr: pa.Array) -> np.ndarray:
    """Cells that may hold an identifier inside them (see ``_NOT_A_NUMBER``), tested once per
    distinct value (most columns repeat a few)."""
    encoded = pc.dictionary_encode(arr)
    uniq = encoded.dictionary
    keep = pc.match_substring_regex(uniq, _HAS_ID_CHAR).to_numpy(zero_copy_only=False)
    for pattern, want in ((_NOT_A_NUMBER, True), (_GROUPS, True), (_SOLE_EMAIL, False)):
        if not keep.any():
            break
        pos = np.flatnonzero(keep)
        keep[pos] = pc.match_substring_regex(uniq.take(pa.array(pos)), pattern).to_numpy(zero_copy_only=False) == want
    if not len(keep):
        return np.zeros(len(arr), dtype=bool)
    codes = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
    return keep[codes] & encoded.indices.is_valid().to_numpy(zero_copy_only=False)


def _distinct_hits(distinct: pa.Array, unions: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per normalisation kind, the hashes of distinct values' normal forms (:func:`normalise_arrow`)
    and a mask of those that are originals; phones count only where phone-shaped (their hash is
    0 elsewhere: never looked at).

    The upper-cased, separator-free form every kind starts from is computed once (it was three
    times with phones: the plain form, the phone form and the phone shape), and the phone form
    only for the phone-shaped values."""
    bare = _bare(distinct)
    out = {}
    for kind, union in unions.items():
        if kind != "phone":
            h = _hashes(bare.to_numpy(zero_copy_only=False))
            out[kind] = (h, member(h, union))
            continue
        h = np.zeros(len(distinct), dtype=np.uint64)
        found = np.zeros(len(distinct), dtype=bool)
        shaped = np.flatnonzero(pc.match_substring_regex(pc.replace_substring(bare, "(0)", ""), _PHONE_SHAPE)
                                .to_numpy(zero_copy_only=False))
        if len(shaped):
            digits = pc.replace_substring_regex(bare.take(pa.array(shaped)), r"\D", "")
            h[shaped] = _hashes(pc.utf8_slice_codeunits(digits, -9).to_numpy(zero_copy_only=False))
            found[shaped] = member(h[shaped], union)
        out[kind] = (h, found)
    return out


class MainLeakIndex(LeakIndex):
    """:class:`LeakIndex` with the old lookup methods (verbatim)."""

    def _hits(self, values: pd.Series, kinds: tuple[str, ...] | None = None
              ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Positions of the candidate values (long enough to be an identifier) and, per
        normalisation kind, their hashes and a mask of those that are originals.

        Each distinct candidate is normalised (pyarrow) and hashed once: most output columns
        repeat a few values, and this runs on every column of every batch. Only phone-shaped
        values (digits, an optional ``+``/``00``/``(0)``, 9 to 13 digits) are compared with the
        phones: the last nine digits of an IBAN or a NIR are not a phone number."""
        unions = {k: u for k, u in self._unions().items() if kinds is None or k in kinds}
        arr = _to_arrow(as_text(values))
        long_enough = pc.greater_equal(pc.utf8_length(arr), MIN_LEN).to_numpy(zero_copy_only=False)
        positions = np.flatnonzero(long_enough)
        out = {}
        if len(positions) == 0:
            empty = np.zeros(0, dtype=np.uint64)
            return positions, {kind: (empty, np.zeros(0, dtype=bool)) for kind in unions}
        encoded = pc.dictionary_encode(arr.filter(pa.array(long_enough)))
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        for kind, (h, found) in _distinct_hits(encoded.dictionary, unions).items():
            out[kind] = (h[codes], found[codes])
        return positions, out

    def _text_hits(self, values: pd.Series, *, only_text_like: bool = False) -> list[tuple[np.ndarray, dict]]:
        """Hits inside text, as (row positions, hits by kind): identifier-like spans against
        every kind but phones, phone-shaped spans against the phones. ``only_text_like``: only
        the cells that can hold an identifier inside them (``_text_like``), for columns that
        are not free text."""
        text = as_text(values)
        rows = np.arange(len(text))
        if only_text_like:
            rows = np.flatnonzero(_text_like(_to_arrow(text)))
            if not len(rows):
                return []
            text = text.iloc[rows]
        codes, uniques = pd.factorize(text)
        uniques = np.asarray(uniques, dtype=object)
        phones = [_PHONE_IN_TEXT.findall(u) for u in uniques]
        return (self._span_hits(span_lists(uniques, aligned=only_text_like), codes, rows, ("plain",))
                + self._span_hits(phones, codes, rows, ("phone",)))

    def _span_hits(self, spans: list[list[str]], codes: np.ndarray, rows: np.ndarray, kinds: tuple[str, ...]
                   ) -> list[tuple[np.ndarray, dict]]:
        """The hits among the spans of each distinct text (``spans[code]``), as (row positions,
        hits by kind) with one entry per (row, hit span): each distinct span is normalised and
        looked up once (:meth:`_hits`), and only the rows of texts holding a hit are listed.
        ``codes``: each row's distinct text; ``rows``: its position in the searched column."""
        lens = np.fromiter(map(len, spans), dtype=np.int64, count=len(spans))
        if not lens.sum():
            return []
        owner = np.repeat(np.arange(len(spans)), lens)  # the distinct text each span comes from
        pos, found = self._hits(pd.Series([t for ts in spans for t in ts], dtype=object), kinds=kinds)
        out = []
        for kind, (h, mask) in found.items():
            if not mask.any():
                continue
            text_of, hashes = owner[pos[mask]], h[mask]
            order = np.argsort(text_of, kind="stable")
            text_of, hashes = text_of[order], hashes[order]
            per_text = np.bincount(text_of, minlength=len(spans))
            per_row = per_text[codes]
            hit_rows = np.flatnonzero(per_row)
            reps = per_row[hit_rows]
            first = (np.cumsum(per_text) - per_text)[codes[hit_rows]]  # where each row's hits start
            offset = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
            picked = hashes[np.repeat(first, reps) + offset]
            out.append((rows[np.repeat(hit_rows, reps)], {kind: (picked, np.ones(len(picked), dtype=bool))}))
        return out

    def row_hits(self, values: pd.Series, *, text: bool = False) -> np.ndarray:
        """Rows of ``values`` holding an original identifier value (as a cell, or inside text)."""
        hit = np.zeros(len(values), dtype=bool)
        if not self._merge() or len(values) == 0:
            return hit
        sources = [self._hits(values)] + (self._text_hits(values) if text else [])
        for pos, found in sources:
            for _h, mask in found.values():
                hit[pos[mask]] = True
        return hit

    def search(self, output_batch: pd.DataFrame, text_columns: list[str],
               counters: frozenset[str] | set[str] = frozenset()) -> dict[tuple[str, str], int]:
        """Count hits: (identifier column, output column) -> number of rows of the output column
        holding an original value of the identifier column (as the cell, or inside its text).
        ``counters``: row-counter columns (:func:`counter_run`), not matched as cells."""
        hits: dict[tuple[str, str], int] = {}
        if not self._merge():
            return hits
        for col in output_batch.columns:
            values = output_batch[col]
            rows: dict[str, list[np.ndarray]] = {}
            sources = [] if col in counters else [self._hits(values)]
            sources += self._text_hits(values, only_text_like=col not in text_columns)
            for pos, by_kind in sources:
                for kind, (h, mask) in by_kind.items():
                    if mask.any():
                        for idcol, which in self._columns_of(kind, h[mask]).items():
                            rows.setdefault(idcol, []).append(pos[mask][which])
            for idcol, parts in rows.items():
                hits[(idcol, col)] = hits.get((idcol, col), 0) + len(sorted_unique(np.concatenate(parts)))
        return hits
