"""Verification after writing: nothing the policy meant to remove may survive in the output.

Two independent checks, both reporting column names and counts only:

* **leak search** — every distinct original value of an identifier column (normalised:
  case, spaces, dots, dashes; phones on their last nine digits) is looked for in every
  output column, as whole cells and inside free text. Originals are kept as 64-bit hashes
  (``pandas.util.hash_array``), not as text, so the index stays small and streams: 8 bytes
  per distinct value;
* **re-scan** — the output is scanned again; a column still detected as a direct
  identifier whose action did not replace it (keep, generalize, noise, shift_dates) fails.

Surnames are checked row by row instead (``row_name_leaks``): a fake surname may by chance
equal somebody else's real one without pointing at them, but an original surname left in
its own row is a leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.io import as_text
from anonymizer.policy.plan import Plan

VALUE_ENTITIES = {
    "NIR", "CAF_NUMBER", "CAF_MATRICULE", "IBAN", "PHONE", "EMAIL", "FR_TAX_ID",
    "PASSPORT", "ID_CARD", "RECORD_ID", "ADDRESS",
}
NAME_ENTITIES = {"LAST_NAME", "PERSON"}
REPLACING_ACTIONS = {"fake", "pseudonymize", "suppress", "drop", "redact"}
MIN_LEN = 7
_TOKEN = re.compile(r"[\w.+-]+@[\w.-]+|\+?[A-Za-z0-9](?:[A-Za-z0-9]|[ .\-](?=[A-Za-z0-9])){5,40}")


_SEP_RE2 = r"[\s\pZ.\-/]"  # pyarrow's RE2: \s is ASCII only, \pZ adds no-break and thin spaces


def _to_arrow(text: pd.Series) -> pa.Array:
    arr = pa.array(text, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.string()) if arr.type != pa.string() else arr


def normalise_arrow(arr: pa.Array, entity: str | None) -> pa.Array:
    """Canonical form for matching (pyarrow compute): upper case, no separators; phones on
    their last 9 digits."""
    text = pc.replace_substring_regex(pc.utf8_upper(arr), _SEP_RE2, "")
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


def _hashes(text: pd.Series) -> np.ndarray:
    return pd.util.hash_array(text.to_numpy(dtype=object), categorize=True)


def _tokens(text: pd.Series) -> pd.Series:
    """Candidate identifier spans inside free text (sliding: digits groups may be split)."""
    found = as_text(text).str.findall(_TOKEN).explode().dropna()
    return found[found.astype(str).str.len() > 0].astype(str)


def _kind(entity: str | None) -> str:
    return "phone" if entity == "PHONE" else "plain"


@dataclass
class LeakIndex:
    """Hashes of the original identifier values, per identifier column.

    Searching normalises each output column once per normalisation kind (phones apart) and
    tests it against the union of all columns' hashes; only on a hit does it look up which
    identifier column the value came from.
    """

    plan: Plan
    entities: dict[str, str] = field(default_factory=dict)
    _store: dict[str, np.ndarray] = field(default_factory=dict)
    _pending: dict[str, list[np.ndarray]] = field(default_factory=dict)
    _union: dict[str, np.ndarray] | None = None

    def add(self, original_batch: pd.DataFrame) -> None:
        for step in self.plan.steps:
            if step.role != "identifier" or step.entity not in VALUE_ENTITIES or step.column not in original_batch:
                continue
            norm = normalise(original_batch[step.column], step.entity)
            norm = norm[norm.str.len() >= MIN_LEN].unique()
            if len(norm) == 0:
                continue
            # merged (sorted, unique) on first use: re-sorting the whole index at every batch
            # made pass A quadratic in the number of batches
            self._pending.setdefault(step.column, []).append(_hashes(pd.Series(norm, dtype=object)))
            self.entities[step.column] = step.entity
        self._union = None

    @property
    def hashes(self) -> dict[str, np.ndarray]:
        """Per identifier column, the sorted unique hashes of its original values."""
        if self._pending:
            for col, parts in self._pending.items():
                prev = self._store.get(col)
                self._store[col] = np.unique(np.concatenate(parts if prev is None else [prev, *parts]))
            self._pending = {}
            self._union = None
        return self._store

    @property
    def size(self) -> int:
        return int(sum(len(h) for h in self.hashes.values()))

    def _unions(self) -> dict[str, np.ndarray]:
        hashes = self.hashes
        if self._union is None:
            groups: dict[str, list[np.ndarray]] = {}
            for col, h in hashes.items():
                groups.setdefault(_kind(self.entities[col]), []).append(h)
            self._union = {k: np.unique(np.concatenate(v)) for k, v in groups.items()}
        return self._union

    def _hits(self, values: pd.Series) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Positions of the candidate values (long enough to be an identifier) and, per
        normalisation kind, their hashes and a mask of those that are originals.

        Each distinct candidate is normalised (pyarrow) and hashed once: most output columns
        repeat a few values, and this runs on every column of every batch."""
        arr = _to_arrow(as_text(values))
        long_enough = pc.greater_equal(pc.utf8_length(arr), MIN_LEN).to_numpy(zero_copy_only=False)
        positions = np.flatnonzero(long_enough)
        out = {}
        if len(positions) == 0:
            empty = np.zeros(0, dtype=np.uint64)
            return positions, {kind: (empty, np.zeros(0, dtype=bool)) for kind in self._unions()}
        encoded = pc.dictionary_encode(arr.filter(pa.array(long_enough)))
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        for kind, union in self._unions().items():
            norm = normalise_arrow(encoded.dictionary, "PHONE" if kind == "phone" else None)
            h = pd.util.hash_array(np.asarray(norm.to_pylist(), dtype=object), categorize=False)
            out[kind] = (h[codes], member(h, union)[codes])
        return positions, out

    def row_hits(self, values: pd.Series, *, text: bool = False) -> np.ndarray:
        """Rows of ``values`` holding an original identifier value (as a cell, or inside text)."""
        hit = np.zeros(len(values), dtype=bool)
        if not self.hashes or len(values) == 0:
            return hit
        positions, found = self._hits(values)
        for _h, mask in found.values():
            hit[positions[mask]] = True
        if text:
            toks = _tokens(values)
            if len(toks):
                row_of = pd.Series(np.arange(len(values)), index=values.index)
                tok_pos, tok_found = self._hits(toks)
                for _h, mask in tok_found.values():
                    if mask.any():
                        hit[row_of.loc[toks.index[tok_pos[mask]]].to_numpy()] = True
        return hit

    def search(self, output_batch: pd.DataFrame, text_columns: list[str]) -> dict[tuple[str, str], int]:
        """Count hits: (identifier column, output column) -> number of original values found."""
        hits: dict[tuple[str, str], int] = {}
        if not self.hashes:
            return hits
        for col in output_batch.columns:
            sources = [self._hits(output_batch[col])[1]]
            if col in text_columns:
                toks = _tokens(output_batch[col])
                if len(toks):
                    sources.append(self._hits(toks)[1])
            for found in sources:
                for kind, (h, mask) in found.items():
                    if not mask.any():
                        continue
                    for idcol, hashes in self.hashes.items():
                        if _kind(self.entities[idcol]) == kind:
                            n = int(member(h[mask], hashes).sum())
                            if n:
                                hits[(idcol, col)] = hits.get((idcol, col), 0) + n
        return hits


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
    return [
        f"{n} {what} {idcol} ({entities.get(idcol)}) {'in' if rows else 'found in'} output column {col}"
        for (idcol, col), n in sorted(hits.items())
    ]


def rescan_problems(output_sample: pd.DataFrame, plan: Plan) -> list[str]:
    """Columns the detector still calls direct identifiers although the plan did not replace them."""
    from anonymizer.detect import scan_table

    report = scan_table(output_sample, ner=False, sample_rows=2000)
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
