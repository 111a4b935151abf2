"""The leak search as it was before issue #21 (main at 283e449), kept verbatim as the reference the
faster code in ``anonymizer.engine.verify`` is compared with (tests/engine/test_leak_equivalence.py).

Only the search functions are copied: the index's storage (hashes, bitmasks, merging) is the class's
own, so :class:`ReferenceLeakIndex` indexes and searches with the old code over the same structure.
Not imported by the package.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.detect import validators as v
from anonymizer.engine.verify import LeakIndex, inside_source, searched_entity
from anonymizer.io import as_text
from anonymizer.values.text import FEW_ROWS, text_matrix

MIN_LEN = 7
_EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
_RUN = re.compile(r"\+?[A-Za-z0-9]+(?:[ .\-/][A-Za-z0-9]+)*")
_GROUP_SEP = re.compile(r"[ .\-/]")
MAX_TOKEN = 34  # normalised characters: an IBAN, the longest identifier searched
MAX_RUN = 40


_SEP_RE2 = r"[\s\pZ.\-/]"  # pyarrow's RE2: \s is ASCII only, \pZ adds no-break and thin spaces


def _to_arrow(text: pd.Series) -> pa.Array:
    arr = pa.array(text, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string()) if arr.type != pa.string() else arr


def _bare(arr: pa.Array) -> pa.Array:
    """Upper case, separators removed: the part of the canonical form every kind shares."""
    return pc.replace_substring_regex(pc.utf8_upper(arr), _SEP_RE2, "")


def normalise_arrow(arr: pa.Array, entity: str | None) -> pa.Array:
    """Canonical form for matching (pyarrow compute): upper case, no separators; phones on
    their last 9 digits."""
    text = _bare(arr)
    if entity == "PHONE":
        text = pc.utf8_slice_codeunits(pc.replace_substring_regex(text, r"\D", ""), -9)
    return text


def normalise(values: pd.Series, entity: str | None) -> pd.Series:
    """:func:`normalise_arrow` for a pandas column (text rendering by :func:`as_text`)."""
    text = as_text(values)
    return pd.Series(normalise_arrow(_to_arrow(text), entity).to_pylist(), index=text.index, dtype=object)


def member(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_unique)`` by binary search: ``np.isin`` sorts both arrays on
    every call, which re-sorted the million-hash index once per output column and batch."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    return sorted_unique[pos] == values


def _hashes(values) -> np.ndarray:
    """64-bit hashes of normalised values; the index and the search must use this one function."""
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


def text_candidates(text: str, *, aligned: bool = False) -> list[str]:
    """The spans of a free text that could hold an identifier value, separators removed.

    E-mail addresses; every run of letter/digit groups joined by single separators as a whole
    (up to ``MAX_RUN`` characters); and every sub-run that starts with a group holding a digit,
    up to ``MAX_TOKEN`` characters — so ``NIR 1 85 03 75 056 123 45`` yields the bare
    13-digit NIR and ``IBAN FR76 3000 ...`` the bare IBAN, whatever word precedes them.

    ``aligned`` (cells that are not free text): a sub-run starts only at the first group of
    its run or after a group without digits (``Durand 1 85 01...`` yields the NIR), never in
    the middle of a number: the seven-digit tail of a fake IBAN is not a file number.
    """
    out = _EMAIL.findall(text)
    for run in _RUN.findall(text):
        groups = _GROUP_SEP.split(run)
        whole = "".join(groups)
        if len(whole) <= MAX_RUN:
            out.append(whole)
        for i, first in enumerate(groups):
            # groups are ASCII letters and digits: a group has a digit unless it is all letters
            if first.isalpha() or (aligned and i and not groups[i - 1].isalpha()):
                continue
            acc = ""
            for g in groups[i:]:
                acc += g
                if len(acc) > MAX_TOKEN:
                    break
                if len(acc) >= MIN_LEN and acc != whole:
                    out.append(acc)
    return out


_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])(?:\+\s?33\s?(?:\(0\)\s?)?|0033\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\w)")
_PHONE_SHAPE = r"^(\+|00)?[0-9]{9,13}$"  # after separators and a "(0)" are removed


# A cell can hold an identifier inside it when it has a digit or an "@", something beyond a
# number's own characters (letters, ":", ";"...) and more than one group of letters and digits:
# "Durand 185017510012362", "NIR: 1 85 ...". A number with separators, a single code or a
# single e-mail address is compared whole (separators removed): its spans add nothing.
_HAS_ID_CHAR = "[0-9@]"
_NOT_A_NUMBER = r"[^0-9\s\pZ.,\-/+()]"
_GROUPS = "[A-Za-z0-9][^A-Za-z0-9@]+[A-Za-z0-9]"
_SOLE_EMAIL = r"^\s*[\w.+-]+@[\w.-]+\s*$"
# Original cells searched for identifiers inside them: an "@" or at least nine digits (a phone,
# the shortest identifier found inside cells; dates and most amounts have fewer).
_INSIDE_PREFILTER = r"@|(?:[0-9][^0-9]*){9}"
_INSIDE_MIN_CHARS = 9  # no identifier searched inside cells is shorter (nor matches the prefilter)


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

def _validated(token: str) -> str | None:
    """The entity a bare candidate span (``text_candidates``) is, by its check digits, or None."""
    t = token.upper()
    if "@" in t:
        return "EMAIL" if v.EMAIL.fullmatch(token) else None
    n = len(t)
    if n == 15 and v.is_nir(t):
        return "NIR"
    if n == 13 and t.isdigit():
        if v.is_fr_tax_id(t):
            return "FR_TAX_ID"
        if v.nir_plausible(t):
            return "NIR"
    if n == 13 and t[5:7] in ("2A", "2B") and v.nir_plausible(t):
        return "NIR"
    if 15 <= n <= 34 and t[:2].isalpha() and t[2:4].isdigit() and v.is_iban(t, rib=False):
        return "IBAN"
    return None


def cell_identifiers(values: pd.Series, *, phones: bool = True) -> dict[str, list[str]]:
    """Identifiers found inside the cells of one original column, by entity: NIRs (with their key,
    or 13 plausible characters), numéros fiscaux, IBANs (check digits), e-mail addresses and
    (``phones``) French phone numbers, as the raw spans the leak search normalises (never shown)."""
    text = as_text(values)
    arr = _to_arrow(text)
    if not len(arr):
        return {}
    long_enough = pc.greater_equal(pc.utf8_length(arr), _INSIDE_MIN_CHARS).to_numpy(zero_copy_only=False)
    if not long_enough.any():
        return {}
    keep = np.zeros(len(arr), dtype=bool)
    keep[long_enough] = pc.match_substring_regex(arr.filter(pa.array(long_enough)), _INSIDE_PREFILTER).to_numpy(
        zero_copy_only=False)
    if not keep.any():
        return {}
    cells = pd.Series(pd.unique(text[keep].to_numpy(dtype=object)), dtype=object)
    found: dict[str, list[str]] = {}
    for cell in cells:
        for token in text_candidates(cell):
            if len(token) >= MIN_LEN and (ent := _validated(token)):
                found.setdefault(ent, []).append(token)
    numbers = _phone_tokens(cells) if phones else ()
    if len(numbers):
        found["PHONE"] = numbers.tolist()
    return found


def _phone_shaped(values: pa.Array) -> np.ndarray:
    """Values that read as one phone number once separators are removed."""
    bare = pc.replace_substring(_bare(values), "(0)", "")
    return pc.match_substring_regex(bare, _PHONE_SHAPE).to_numpy(zero_copy_only=False)


def _phone_tokens(text: pd.Series) -> pd.Series:
    """French phone numbers written in free text (``06 12 34 56 78``, ``+33 6...``), one entry
    per number, indexed by the cell's row label."""
    found = as_text(text).str.findall(_PHONE_IN_TEXT).explode().dropna()
    return found[found.astype(str).str.len() > 0].astype(str)


def _tokens(text: pd.Series, *, aligned: bool = False) -> pd.Series:
    """Candidate identifier spans of each cell (:func:`text_candidates`), one entry per span,
    indexed by the cell's row label; each distinct text is tokenised once."""
    values = as_text(text)
    codes, uniques = pd.factorize(values)
    per_unique = [text_candidates(u, aligned=aligned) for u in uniques]
    lens = np.fromiter(map(len, per_unique), dtype=np.int64, count=len(per_unique))
    if not lens.sum():
        return pd.Series([], dtype=object)
    flat = np.asarray([t for ts in per_unique for t in ts], dtype=object)
    row_lens = lens[codes]
    rows = np.repeat(np.arange(len(values)), row_lens)
    first = (np.cumsum(lens) - lens)[codes]  # where each row's tokens start in ``flat``
    offset = np.arange(int(row_lens.sum())) - np.repeat(np.cumsum(row_lens) - row_lens, row_lens)
    return pd.Series(flat[np.repeat(first, row_lens) + offset], index=values.index[rows], dtype=object)



def _long_cell_columns(frame: pd.DataFrame) -> set[str]:
    """The columns of a few-row batch with a cell of at least 9 characters (as text), read from
    the batch's text matrix at once: only those can hold an identifier :func:`cell_identifiers`
    finds (it looks at no shorter cell), and a call per column of a wide short table costs more
    than its cells (10,000 calls, 4 s)."""
    if not frame.size:
        return set()
    lengths = np.vectorize(len, otypes=[np.int64])(text_matrix(frame))
    return {str(frame.columns[j]) for j in np.flatnonzero((lengths >= _INSIDE_MIN_CHARS).any(axis=0))}



class ReferenceLeakIndex(LeakIndex):
    """:class:`LeakIndex` with the old indexing and search methods (verbatim)."""

    def add(self, original_batch: pd.DataFrame) -> None:
        """Index one batch of the original table: whole values of the searched columns
        (``searched_entity``), identifiers found inside any column's cells, and the people's names
        (for the fakes to avoid, never searched)."""
        self.add_names(original_batch)
        inside: dict[str, list[str]] = {}
        long_cells = _long_cell_columns(original_batch) if len(original_batch) <= FEW_ROWS else None
        for step in self.plan.steps:
            if step.column not in original_batch:
                continue
            ent = searched_entity(step)
            if ent is not None:  # indexed whole: not searched again inside
                self._add_values(step.column, ent, original_batch[step.column])
                continue
            if long_cells is not None and step.column not in long_cells:
                continue  # no cell long enough to hold an identifier: cell_identifiers finds none
            # phone numbers quoted in free text are mostly third parties' (a social worker, a
            # neighbour), drawn from the fiction ranges fake phones use too: not indexed, the
            # redaction replaces every phone it finds (docs/sanitize.md)
            for found, spans in cell_identifiers(original_batch[step.column],
                                                 phones=step.role != "free_text").items():
                inside.setdefault(found, []).extend(spans)
        for found, spans in sorted(inside.items()):
            self._add_values(inside_source(found), found, pd.Series(spans, dtype=object))

    def _add_values(self, source: str, ent: str, values: pd.Series) -> None:
        norm = normalise(values, ent)
        norm = norm[norm.str.len() >= MIN_LEN].unique()
        if len(norm):
            self.add_hashes(source, ent, _hashes(norm))

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
        for kind, union in unions.items():
            norm = normalise_arrow(encoded.dictionary, "PHONE" if kind == "phone" else None)
            h = _hashes(norm.to_pylist())
            found = member(h, union)
            if kind == "phone":
                found &= _phone_shaped(encoded.dictionary)
            out[kind] = (h[codes], found[codes])
        return positions, out

    def share_taken(self, values: list[str], kind: str = "phone") -> float:
        """Share of ``values`` (a whole fake space, e.g. the fiction phone numbers) that are
        original values of ``kind``: how full the space is, for the re-draw limit."""
        if not values or kind not in self._unions():
            return 0.0
        pos, found = self._hits(pd.Series(values, dtype=object), kinds=(kind,))
        return float(found[kind][1].sum()) / len(values) if kind in found else 0.0

    def _text_hits(self, values: pd.Series, *, only_text_like: bool = False) -> list[tuple[np.ndarray, dict]]:
        """Hits inside text, as (row positions, hits by kind): identifier-like spans against
        every kind but phones, phone-shaped spans against the phones. ``only_text_like``: only
        the cells that can hold an identifier inside them (``_text_like``), for columns that
        are not free text."""
        out = []
        row_of = pd.Series(np.arange(len(values)), index=values.index)
        if only_text_like:
            values = values[_text_like(_to_arrow(as_text(values)))]
            if not len(values):
                return out
        for toks, kinds in ((_tokens(values, aligned=only_text_like), ("plain",)), (_phone_tokens(values), ("phone",))):
            if len(toks):
                tok_pos, tok_found = self._hits(toks, kinds=kinds)
                out.append((row_of.loc[toks.index[tok_pos]].to_numpy(), tok_found))
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
                hits[(idcol, col)] = hits.get((idcol, col), 0) + len(np.unique(np.concatenate(parts)))
        return hits
