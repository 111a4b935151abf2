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

from anonymizer.io import as_text
from anonymizer.policy.plan import Plan

VALUE_ENTITIES = {
    "NIR", "CAF_NUMBER", "CAF_MATRICULE", "IBAN", "PHONE", "EMAIL", "FR_TAX_ID",
    "PASSPORT", "ID_CARD", "RECORD_ID", "ADDRESS",
}
NAME_ENTITIES = {"LAST_NAME", "PERSON"}
REPLACING_ACTIONS = {"fake", "pseudonymize", "suppress", "drop", "redact"}
MIN_LEN = 7
_SEP = re.compile(r"[\s.\-/]")
_TOKEN = re.compile(r"[\w.+-]+@[\w.-]+|\+?[A-Za-z0-9](?:[A-Za-z0-9]|[ .\-](?=[A-Za-z0-9])){5,40}")


def normalise(values: pd.Series, entity: str | None) -> pd.Series:
    """Canonical form for matching: upper case, no separators; phones on their last 9 digits."""
    text = as_text(values).str.upper().str.replace(_SEP, "", regex=True)
    if entity == "PHONE":
        digits = text.str.replace(r"\D", "", regex=True)
        text = digits.where(digits.str.len() < 9, digits.str[-9:])
    return text


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
    hashes: dict[str, np.ndarray] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    _union: dict[str, np.ndarray] | None = None

    def add(self, original_batch: pd.DataFrame) -> None:
        for step in self.plan.steps:
            if step.role != "identifier" or step.entity not in VALUE_ENTITIES or step.column not in original_batch:
                continue
            norm = normalise(original_batch[step.column], step.entity)
            norm = norm[norm.str.len() >= MIN_LEN].unique()
            if len(norm) == 0:
                continue
            h = _hashes(pd.Series(norm, dtype=object))
            prev = self.hashes.get(step.column)
            self.hashes[step.column] = np.unique(h if prev is None else np.concatenate([prev, h]))
            self.entities[step.column] = step.entity
        self._union = None

    @property
    def size(self) -> int:
        return int(sum(len(h) for h in self.hashes.values()))

    def _unions(self) -> dict[str, np.ndarray]:
        if self._union is None:
            groups: dict[str, list[np.ndarray]] = {}
            for col, h in self.hashes.items():
                groups.setdefault(_kind(self.entities[col]), []).append(h)
            self._union = {k: np.unique(np.concatenate(v)) for k, v in groups.items()}
        return self._union

    def _hits(self, values: pd.Series) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """Positions of the candidate values (long enough to be an identifier) and, per
        normalisation kind, their hashes and a mask of those that are originals."""
        text = as_text(values)
        long_enough = (text.str.len() >= MIN_LEN).to_numpy()
        positions = np.flatnonzero(long_enough)
        cand = text[long_enough]
        out = {}
        for kind, union in self._unions().items():
            h = _hashes(normalise(cand, "PHONE" if kind == "phone" else None))
            out[kind] = (h, np.isin(h, union))
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
                            n = int(np.isin(h[mask], hashes).sum())
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
                    if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
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
