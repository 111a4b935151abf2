"""Verification after writing: nothing the policy meant to remove may survive in the output.

Two independent checks, both reporting column names and counts only:

* **leak search** — every distinct original value of an identifier column, of a column whose
  values the scan found identifier-like (any role, any entity: a file number classed as a
  category at low confidence is searched too), and every identifier found *inside* an
  original cell of any column (a NIR, IBAN, numéro fiscal, e-mail or phone number quoted in
  a comment or left in a name cell: ``cell_identifiers``) is looked for in every output
  column, as whole cells and inside every cell that can hold one (free text, and any cell
  mixing digits with letters or punctuation: ``Durand 185017510012362``). Values are
  normalised (case, spaces, dots, dashes; phones on their last nine digits). Originals are
  kept as 64-bit hashes (``pandas.util.hash_array``), not as text, so the index stays small
  and streams: 8 bytes per distinct value;
* **re-scan** — the output is scanned again; a column still detected as a direct
  identifier whose action did not replace it (keep, generalize, noise, shift_dates) fails.

Surnames are checked row by row instead (``row_name_leaks``): a fake surname may by chance
equal somebody else's real one without pointing at them, but an original surname left in
its own row is a leak. The entity table's other reasons for not searching a column (first
names, street parts, companies: ``why_no_leak``) stand even for identifier-like columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.detect import validators as v
from anonymizer.detect.entities import ROW_NAME_ENTITIES, VALUE_ENTITIES, entity
from anonymizer.io import as_text
from anonymizer.policy.plan import Plan
from anonymizer.transform.identities import NameIndex
from anonymizer.values.arrays import sorted_unique
from anonymizer.values.text import FEW_ROWS, text_matrix

# VALUE_ENTITIES are searched as values; NAME_ENTITIES checked row by row (surnames and full
# names: first names are too common, see the entity table's leak forms)
NAME_ENTITIES = ROW_NAME_ENTITIES
REPLACING_ACTIONS = {"fake", "pseudonymize", "suppress", "drop", "redact"}
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
    """Upper case, separators removed: the part of the canonical form every kind shares.

    A value made of ASCII letters and digits only has no separator and the same upper case in
    ASCII and in Unicode, so it is only upper-cased (``ascii_upper``): most values searched are
    (codes, numbers, the spans of free text), and the separator regex cost 5 to 10 times more. The
    others, missing values included, take the regex as before (the previous definition is kept
    in tests/engine/leak_index_reference.py)."""
    alnum = pc.ascii_is_alnum(arr).fill_null(False)
    plain = pc.sum(alnum).as_py() or 0
    if plain == 0:
        return pc.replace_substring_regex(pc.utf8_upper(arr), _SEP_RE2, "")
    upper = pc.ascii_upper(arr)
    if plain == len(arr):
        return upper
    rest = pc.invert(alnum)
    return pc.replace_with_mask(upper, rest, pc.replace_substring_regex(pc.utf8_upper(arr.filter(rest)), _SEP_RE2, ""))


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


#: from this many values :func:`member` sorts them first
_SORT_FROM = 256


def member(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_unique)`` by binary search: ``np.isin`` sorts both arrays on
    every call, which re-sorted the million-hash index once per output column and batch.

    Many values are searched in sorted order: numpy's binary search starts from the previous
    key's place when keys ascend, and the index is then read front to back rather than at random
    (200,000 hashes in a 700,000-hash index: 168 ms unsorted, 64 ms sorted; in 7 million: 514 ms,
    127 ms). The previous definition is kept in tests/engine/leak_reference.py."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), dtype=bool)
    values = np.asarray(values)
    last = len(sorted_unique) - 1
    if len(values) < _SORT_FROM:
        return sorted_unique[np.minimum(np.searchsorted(sorted_unique, values), last)] == values
    order = np.argsort(values)
    ordered = values[order]
    out = np.empty(len(values), dtype=bool)
    out[order] = sorted_unique[np.minimum(np.searchsorted(sorted_unique, ordered), last)] == ordered
    return out


def _hashes(values) -> np.ndarray:
    """64-bit hashes of normalised values; the index and the search must use this one function."""
    return pd.util.hash_array(np.asarray(values, dtype=object), categorize=False)


# A run of at least MIN_LEN characters starts here (the runs of ``_RUN`` that can give a span long
# enough to be searched; a shorter run's spans are all shorter): the look-ahead fails at every
# position of a shorter run, so the matches are exactly ``_RUN``'s runs of MIN_LEN characters or more
# (and shorter ones the length test then drops).
_LONG_RUN = re.compile(rf"(?=[A-Za-z0-9 .\-/+]{{{MIN_LEN}}})" + _RUN.pattern)


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
            whole = run.replace(" ", "").replace(".", "").replace("-", "").replace("/", "")  # the groups joined
            n = len(whole)
            if n < MIN_LEN:
                continue
            if n <= MAX_RUN:
                out.append(whole)
            if whole.isalpha():
                continue  # no group with a digit: no sub-run starts
            groups = split(run)
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


def _text_like_distinct(uniq: pa.Array) -> np.ndarray:
    """Which distinct values may hold an identifier inside them (see ``_NOT_A_NUMBER``)."""
    keep = pc.match_substring_regex(uniq, _HAS_ID_CHAR).to_numpy(zero_copy_only=False)
    for pattern, want in ((_NOT_A_NUMBER, True), (_GROUPS, True), (_SOLE_EMAIL, False)):
        if not keep.any():
            break
        pos = np.flatnonzero(keep)
        keep[pos] = pc.match_substring_regex(uniq.take(pa.array(pos)), pattern).to_numpy(zero_copy_only=False) == want
    return keep


def _only(uniq: pa.Array, keep: np.ndarray, row_codes: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """The distinct values ``uniq`` where ``keep``, and ``row_codes`` (codes of rows whose value is
    kept) renumbered into them."""
    picked = np.flatnonzero(keep)
    if len(picked) == len(uniq):
        return uniq, row_codes
    renumber = np.zeros(len(uniq), dtype=np.int64)
    renumber[picked] = np.arange(len(picked))
    return uniq.take(pa.array(picked)), renumber[row_codes]


def _encoded(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """A column's cells as text (:func:`as_text`), dictionary-encoded once: its distinct values and
    each row's code. The whole-cell lookup, the text-like test and the spans of the same column
    all work on these (each encoded, converted and measured the column again: three encodings
    and a ``pd.factorize`` per column of every batch). A missing cell (``as_text`` leaves none)
    reads as an empty string: neither is long enough nor holds a span."""
    arr = _to_arrow(as_text(values))
    if arr.null_count:
        arr = arr.fill_null("")
    encoded = pc.dictionary_encode(arr)
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)


def searched_entity(step) -> str | None:
    """The entity under which a plan step's original values are indexed whole, or None.

    Every identifier column — a value entity (``VALUE_ENTITIES``: the table's ``plain`` and
    ``phone`` leak forms), an entity the table does not know, or none — and every column the
    scan flagged ``identifier_like`` whatever its role; except entities whose table entry says
    why they are not searched (names are checked row by row; first names, street parts and
    companies not at all). Phones are then matched on their last nine digits, the rest plain."""
    known = entity(step.entity)
    if step.role == "identifier" and step.entity in VALUE_ENTITIES:
        return step.entity
    if known is not None and (known.why_no_leak or known.leak == "row_name"):
        return None
    if step.role == "identifier" or step.identifier_like:
        return step.entity or "RECORD_ID"
    return None


#: Index entry of the identifiers found inside original cells: one per entity.
_INSIDE = re.compile(r"\[(?P<entity>[A-Z_]+) inside cells\]")


def inside_source(entity_name: str) -> str:
    return f"[{entity_name} inside cells]"


def _validated(token: str) -> str | None:
    """The entity a bare candidate span (``span_lists``) is, by its check digits, or None."""
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


def _inside_candidates(texts) -> Iterator[str]:
    """The spans of :func:`span_lists` (not ``aligned``) that :func:`_validated` may accept, each
    at least once: e-mail addresses, runs or sub-runs of 13 or 15 characters that start with a
    digit (a NIR, a numéro fiscal), and of 15 to ``MAX_TOKEN`` characters that start with two
    letters and two digits (an IBAN). A run shorter than 13 characters gives none and is not cut
    into sub-runs, nor is a sub-run starting with ``+`` or with a letter then a digit; one
    starting with a digit stops at 15 characters (every span of every comment was cut, then
    most were dropped by their length or first characters: 135,000 of them on the 100,000-row
    extract's comments for 18,000 identifiers)."""
    find_runs, find_emails, split = _LONG_RUN.findall, _EMAIL.findall, _GROUP_SEP.split
    for text in texts:
        if "@" in text:
            yield from (e for e in find_emails(text) if len(e) >= MIN_LEN)
        for run in find_runs(text):
            # "".join of its groups without splitting it (str.translate is slower than four replaces)
            whole = run.replace(" ", "").replace(".", "").replace("-", "").replace("/", "")
            n = len(whole)
            if n < 13:
                continue  # no span of it is 13 characters long
            if n <= MAX_TOKEN and _may_be_identifier(whole):
                yield whole
            if whole.isalpha():
                continue
            groups = split(run)
            for i, first in enumerate(groups):
                if first.isalpha():
                    continue  # sub-runs start at a group holding a digit (span_lists)
                if first[0].isdigit():
                    longest = 15  # a NIR with its key
                elif first[0].isalpha() and first[1].isalpha():  # a digit follows: two letters at least
                    longest = MAX_TOKEN  # an IBAN
                else:
                    continue  # "+", or a letter then a digit: nothing _validated accepts
                acc = ""
                for g in groups[i:]:
                    acc += g
                    if len(acc) > longest:
                        break
                    if len(acc) >= 13 and _may_be_identifier(acc):
                        yield acc


def _may_be_identifier(token: str) -> bool:
    """Whether :func:`_validated` can accept a span without "@" by its length and first characters:
    13 or 15 characters led by a digit (a NIR, a numéro fiscal), or 15 to ``MAX_TOKEN`` led by two
    letters then two digits (an IBAN)."""
    n = len(token)
    if token[0].isdigit():
        return n == 13 or n == 15
    return 15 <= n <= MAX_TOKEN and token[:2].isalpha() and token[2:4].isdigit()


def cell_identifiers(values: pd.Series, *, phones: bool = True) -> dict[str, list[str]]:
    """Identifiers found inside the cells of one original column, by entity: NIRs (with their key,
    or 13 plausible characters), numéros fiscaux, IBANs (check digits), e-mail addresses and
    (``phones``) French phone numbers, as the raw spans the leak search normalises (never shown)."""
    # Arrow throughout: the text as it is (a large_string batch column is not cast and copied),
    # the long cells, those the prefilter keeps, then their distinct values (pc.unique: first-seen
    # order, as pd.unique gave; the spans are a set per entity anyway). Per column and batch of
    # the 181-column extract's 165 columns searched inside: 0.8 -> 0.45 ms
    arr = pa.array(as_text(values), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not len(arr):
        return {}
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    long_enough = pc.greater_equal(pc.utf8_length(arr), _INSIDE_MIN_CHARS)
    if not pc.any(long_enough).as_py():
        return {}
    kept = arr.filter(long_enough)
    kept = kept.filter(pc.match_substring_regex(kept, _INSIDE_PREFILTER))
    if not len(kept):
        return {}
    cells = pd.Series(pc.unique(kept).to_numpy(zero_copy_only=False), dtype=object)
    found: dict[str, list[str]] = {}
    for token in _inside_candidates(cells):
        if ent := _validated(token):
            found.setdefault(ent, []).append(token)
    # French phone numbers written in the cells, one entry per number (a findall per distinct
    # cell: pandas' str.findall, explode and dropna cost more than the matching)
    numbers = [m for cell in cells for m in _PHONE_IN_TEXT.findall(cell)] if phones else []
    if numbers:
        found["PHONE"] = numbers
    return found


def _long_cell_columns(frame: pd.DataFrame) -> set[str]:
    """The columns of a few-row batch with a cell of at least 9 characters (as text), read from
    the batch's text matrix at once: only those can hold an identifier :func:`cell_identifiers`
    finds (it looks at no shorter cell), and a call per column of a wide short table costs more
    than its cells (10,000 calls, 4 s)."""
    if not frame.size:
        return set()
    lengths = np.vectorize(len, otypes=[np.int64])(text_matrix(frame))
    return {str(frame.columns[j]) for j in np.flatnonzero((lengths >= _INSIDE_MIN_CHARS).any(axis=0))}


def _phone_shaped(values: pa.Array) -> np.ndarray:
    """Values that read as one phone number once separators are removed."""
    bare = pc.replace_substring(_bare(values), "(0)", "")
    return pc.match_substring_regex(bare, _PHONE_SHAPE).to_numpy(zero_copy_only=False)


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


def counter_run(values: pd.Series) -> tuple[int, int] | None:
    """``(first, last)`` when the cells are consecutive integers written plainly (a row
    counter such as NUMLIGNE), else None.

    A counter's values say where a row is, nothing about who is in it; at 5 million rows its
    7-digit values inevitably equal some 7-digit CAF numbers, which the leak search would
    report as leaks. Columns that are counters over the whole table are therefore not
    matched as identifier cells (the manifest lists them)."""
    text = as_text(values)
    n = len(text)
    if n == 0:
        return None
    first, last = str(text.iloc[0]), str(text.iloc[-1])
    if not (first.isdigit() and last.isdigit()) or int(last) - int(first) != n - 1:
        return None  # the cheap test rules out almost every column
    expected = pd.Series(np.arange(int(first), int(first) + n).astype(str), index=text.index)
    return (int(first), int(last)) if bool((text == expected).all()) else None


def counter_runs(batch: pd.DataFrame, columns: list[str]) -> list[tuple[int, int] | None]:
    """:func:`counter_run` of each of ``columns``. A batch of few rows reads its first and last
    cells from one text matrix, and only a column they leave possible (almost none) is looked
    at whole: a Series and a conversion per column cost 0.2 ms each on a wide short table."""
    n = len(batch)
    if n == 0 or n > FEW_ROWS or not columns:
        return [counter_run(batch[c]) for c in columns]
    texts = text_matrix(batch, columns)  # all of the few rows: cheaper than taking two of them first
    ends = texts[[0, n - 1]]
    out: list[tuple[int, int] | None] = []
    for j, c in enumerate(columns):
        first, last = str(ends[0, j]), str(ends[1, j])
        possible = first.isdigit() and last.isdigit() and int(last) - int(first) == n - 1
        out.append(counter_run(batch[c]) if possible else None)
    return out


def chain_runs(runs: list[tuple[int, int] | None]) -> bool:
    """Whether per-batch :func:`counter_run` results (in file order) make one counter."""
    if not runs or any(r is None for r in runs):
        return False
    return all(b[0] == a[1] + 1 for a, b in zip(runs, runs[1:], strict=False))  # type: ignore[index]


def _merge_sorted(union: np.ndarray, bits: np.ndarray, col: np.ndarray, bit) -> tuple[np.ndarray, np.ndarray]:
    """Merge the sorted distinct hashes ``col`` (marked ``bit``) into ``union`` and its bits.

    The values already there get the bit in place; the others are inserted at their sorted
    positions (``np.insert``): the old and the new index are the only big arrays alive
    (``np.union1d`` plus whole-array ``searchsorted`` took three times the index at once:
    3 GB at the end of pass 1 on 5 million rows)."""
    pos = np.searchsorted(union, col)
    inside = pos < len(union)
    found = np.zeros(len(col), dtype=bool)
    found[inside] = union[pos[inside]] == col[inside]
    bits[pos[found]] |= bit
    new = ~found
    return np.insert(union, pos[new], col[new]), np.insert(bits, pos[new], bit)


def _popcount(bits: np.ndarray) -> int:
    return int(np.unpackbits(bits.view(np.uint8)).sum()) if len(bits) else 0


def _kind(entity: str | None) -> str:
    return "phone" if entity == "PHONE" else "plain"


@dataclass
class LeakIndex:
    """Hashes of the original identifier values: per normalisation kind (phones apart), one
    sorted array of distinct hashes and, beside each, a bitmask of the identifier columns it
    came from.

    8 + 1..8 bytes per distinct value (about 6.8 values per row of the example extract: 270 MB
    of hashes for 5 million rows), held once: the per-column copies an earlier version kept
    doubled that. Searching normalises each output column once per kind and tests it against
    the union; the bitmask says which identifier columns a hit belongs to.
    """

    plan: Plan
    entities: dict[str, str] = field(default_factory=dict)
    _pending: dict[str, list[np.ndarray]] = field(default_factory=dict)
    _columns: list[str] = field(default_factory=list)  # bit i = _columns[i] (mod 64)
    _union: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: the original identities (full names, first-name/surname pairs) no fake may spell: see
    #: :meth:`add_names`; not searched in the output, so not part of ``size``
    names: NameIndex = field(default_factory=NameIndex)

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
        """Queue the hashes of the distinct normal forms of ``values`` long enough to be searched
        (each distinct value normalised once)."""
        norm = normalise_arrow(pc.dictionary_encode(_to_arrow(as_text(values))).dictionary, ent)
        norm = pc.unique(norm.filter(pc.greater_equal(pc.utf8_length(norm), MIN_LEN)))
        if len(norm):
            self.add_hashes(source, ent, _hashes(norm.to_numpy(zero_copy_only=False)))

    def add_hashes(self, column: str, entity: str, hashes: np.ndarray) -> None:
        """Queue hashes of one column's original values; merged on first use (re-sorting the
        whole index at every batch made pass A quadratic in the number of batches)."""
        if column not in self.entities:
            self._columns.append(column)
        self.entities[column] = entity
        self._pending.setdefault(column, []).append(np.asarray(hashes, dtype=np.uint64))

    def column_hashes(self) -> dict[str, np.ndarray]:
        """The queued hashes per column, distinct (what a Dask partition sends back)."""
        return {c: sorted_unique(np.concatenate(parts)) for c, parts in self._pending.items()}

    def merge(self) -> None:
        """Merge the queued hashes into the index now (otherwise on first use)."""
        self._merge()
        self.names.merge()

    def _merge(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        if not self._pending:
            return self._union
        bit_type = np.uint8 if len(self._columns) <= 8 else np.uint16 if len(self._columns) <= 16 else (
            np.uint32 if len(self._columns) <= 32 else np.uint64)
        by_kind: dict[str, list[str]] = {}
        position = {c: j for j, c in enumerate(self._columns)}
        for col in self._columns:
            by_kind.setdefault(_kind(self.entities[col]), []).append(col)
        for kind, cols in by_kind.items():
            union, bits = self._union.pop(kind, (np.zeros(0, np.uint64), np.zeros(0, bit_type)))
            bits = bits.astype(bit_type)
            for c in cols:  # one column at a time: its queued chunks are freed once merged
                if c not in self._pending:
                    continue
                col = sorted_unique(np.concatenate(self._pending.pop(c)))
                union, bits = _merge_sorted(union, bits, col, bit_type(1 << (position[c] % 64)))
                del col
            self._union[kind] = (union, bits)
        return self._union

    @property
    def size(self) -> int:
        """Distinct (value, column) pairs indexed."""
        return int(sum(_popcount(b) for _h, b in self._merge().values()))

    def _unions(self) -> dict[str, np.ndarray]:
        return {kind: h for kind, (h, _b) in self._merge().items()}

    def _columns_of(self, kind: str, hits: np.ndarray) -> dict[str, np.ndarray]:
        """Per identifier column, a mask of the hashes ``hits`` (all in the index) it holds."""
        union, bits = self._merge()[kind]
        b = bits[np.searchsorted(union, hits)]
        out = {}
        for i, col in enumerate(self._columns):
            if _kind(self.entities[col]) == kind:
                which = ((b >> (i % 64)) & 1).astype(bool)
                if which.any():
                    out[col] = which
        return out

    def _hits(self, values: pd.Series, kinds: tuple[str, ...] | None = None
              ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Positions of the candidate values (long enough to be an identifier) and, per
        normalisation kind, their hashes and a mask of those that are originals.

        Each distinct candidate is normalised (pyarrow) and hashed once: most output columns
        repeat a few values, and this runs on every column of every batch. Only phone-shaped
        values (digits, an optional ``+``/``00``/``(0)``, 9 to 13 digits) are compared with the
        phones: the last nine digits of an IBAN or a NIR are not a phone number."""
        return self._hits_encoded(*_encoded(values), kinds)

    def _hits_encoded(self, uniq: pa.Array, codes: np.ndarray, kinds: tuple[str, ...] | None = None
                      ) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """:meth:`_hits` of a column given as its distinct values and each row's code
        (:func:`_encoded`): the lengths are measured on the distinct values."""
        unions = {k: u for k, u in self._unions().items() if kinds is None or k in kinds}
        long_distinct = pc.greater_equal(pc.utf8_length(uniq), MIN_LEN).to_numpy(zero_copy_only=False)
        positions = np.flatnonzero(long_distinct[codes]) if len(uniq) else np.zeros(0, dtype=np.int64)
        out = {}
        if len(positions) == 0:
            empty = np.zeros(0, dtype=np.uint64)
            return positions, {kind: (empty, np.zeros(0, dtype=bool)) for kind in unions}
        uniq, codes = _only(uniq, long_distinct, codes[positions])  # the long distinct values
        for kind, (h, found) in _distinct_hits(uniq, unions).items():
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
        the cells that can hold an identifier inside them (``_text_like_distinct``), for columns that
        are not free text."""
        return self._text_hits_encoded(*_encoded(values), only_text_like=only_text_like)

    def _text_hits_encoded(self, uniq: pa.Array, codes: np.ndarray, *, only_text_like: bool = False
                           ) -> list[tuple[np.ndarray, dict]]:
        """:meth:`_text_hits` of a column given as its distinct values and each row's code
        (:func:`_encoded`): each distinct text is tested and tokenised once."""
        rows = np.arange(len(codes))
        if only_text_like and len(uniq):
            keep = _text_like_distinct(uniq)
            rows = np.flatnonzero(keep[codes])
            if not len(rows):
                return []
            uniq, codes = _only(uniq, keep, codes[rows])
        elif only_text_like:
            return []
        uniques = uniq.to_pylist()
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
        flat = pa.array([t for ts in spans for t in ts], type=pa.string())
        encoded = pc.dictionary_encode(flat)
        pos, found = self._hits_encoded(encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False), kinds)
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
        uniq, codes = _encoded(values)
        sources = [self._hits_encoded(uniq, codes)] + (self._text_hits_encoded(uniq, codes) if text else [])
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
            uniq, codes = _encoded(output_batch[col])
            rows: dict[str, list[np.ndarray]] = {}
            sources = [] if col in counters else [self._hits_encoded(uniq, codes)]
            sources += self._text_hits_encoded(uniq, codes, only_text_like=col not in text_columns)
            for pos, by_kind in sources:
                for kind, (h, mask) in by_kind.items():
                    if mask.any():
                        for idcol, which in self._columns_of(kind, h[mask]).items():
                            rows.setdefault(idcol, []).append(pos[mask][which])
            for idcol, parts in rows.items():
                hits[(idcol, col)] = hits.get((idcol, col), 0) + len(sorted_unique(np.concatenate(parts)))
        return hits

    def add_names(self, original_batch: pd.DataFrame) -> None:
        """Index the identities the batch's name columns spell (issue #16 item 7: a fake full
        name or first-name/surname pair is re-drawn when it is one of them)."""
        self.names.add(original_batch, {s.column: s.entity for s in self.plan.steps if s.role == "identifier"})


def row_name_leaks(original: pd.DataFrame, output: pd.DataFrame, plan: Plan) -> dict[tuple[str, str], int]:
    """Rows whose original surname (or full name) survives in the same row of the output."""
    text_cols = [s.column for s in plan.steps if s.role == "free_text" and s.column in output]
    hits: dict[tuple[str, str], int] = {}
    for step in plan.steps:
        if step.role != "identifier" or step.entity not in NAME_ENTITIES or step.column not in original:
            continue
        names = as_text(original[step.column]).str.upper().str.strip()
        has = names.str.len() >= 3
        for col in [c for c in [step.column, *text_cols] if c in output.columns]:
            out = as_text(output[col]).str.upper()
            if col == step.column:
                n = int((has & (out.str.strip() == names)).sum())
            else:
                rows = has & (out != "")
                n = sum(
                    1 for name, text in zip(names[rows], out[rows], strict=True)
                    if name in text and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
                )
            if n:
                hits[(step.column, col)] = hits.get((step.column, col), 0) + n
    return hits


def describe_hits(hits: dict[tuple[str, str], int], entities: dict[str, str | None], *, rows: bool = False) -> list[str]:
    what = "row(s) keep their original" if rows else "original value(s) of identifier column"
    out = []
    for (idcol, col), n in sorted(hits.items()):
        inside = _INSIDE.fullmatch(idcol)
        if inside and idcol not in entities:
            out.append(f"{n} {inside['entity']} value(s) found inside original cells found in output column {col}")
        else:
            out.append(f"{n} {what} {idcol} ({entities.get(idcol)}) {'in' if rows else 'found in'} output column {col}")
    return out


def rescan_problems(output_sample: pd.DataFrame, plan: Plan) -> list[str]:
    """Columns the detector still calls direct identifiers although the plan did not replace them.
    Only roles and entities are read: the families found from the data are not searched."""
    from anonymizer.detect import scan_table

    report = scan_table(output_sample, ner=False, sample_rows=2000, families=False, text_entities=False)
    by_col = plan.by_column
    problems = []
    for f in report.findings:
        step = by_col.get(f.column)
        if f.role == "identifier" and step is not None and step.action not in REPLACING_ACTIONS:
            problems.append(
                f"output column {f.column} still looks like a direct identifier ({f.entity}, "
                f"{f.confidence:.0%}) after '{step.action}'"
            )
    return problems
