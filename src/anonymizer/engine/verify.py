"""Verification after writing: nothing the policy meant to remove may survive in the output.

Two independent checks, both reporting column names and counts only:

* **leak search** — every distinct original value of an identifier column (normalised:
  case, spaces, dots, dashes; phones on their last nine digits) is looked for in every
  output column, as whole cells and inside free text;
* **re-scan** — the output is scanned again; a column still detected as a direct
  identifier whose action did not replace it (keep, generalize, noise, shift_dates) fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from anonymizer.io import as_text
from anonymizer.policy.plan import Plan

# Identifiers whose value alone points at one person (names are checked row by row instead:
# a fake surname may by chance equal someone else's real one without pointing at them).
VALUE_ENTITIES = {
    "NIR", "CAF_NUMBER", "CAF_MATRICULE", "IBAN", "PHONE", "EMAIL", "FR_TAX_ID",
    "PASSPORT", "ID_CARD", "RECORD_ID", "ADDRESS",
}
NAME_ENTITIES = {"LAST_NAME", "PERSON"}
REPLACING_ACTIONS = {"fake", "pseudonymize", "suppress", "drop", "redact"}
MIN_LEN = 7
_SEP = re.compile(r"[\s.\-/]")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .\-]{5,40}[A-Za-z0-9]|[\w.+-]+@[\w.-]+")


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    checked_values: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"passed": self.ok, "problems": self.problems, "original_values_searched": self.checked_values}


def normalise(values: pd.Series, entity: str | None) -> pd.Series:
    """Canonical form for matching: upper case, no separators; phones on their last 9 digits."""
    text = as_text(values).str.upper().str.replace(_SEP, "", regex=True)
    if entity == "PHONE":
        digits = text.str.replace(r"\D", "", regex=True)
        text = digits.where(digits.str.len() < 9, digits.str[-9:])
    return text


def _tokens(text: pd.Series) -> pd.Series:
    """Candidate identifier spans inside free text (whole cells are matched separately)."""
    found = as_text(text).str.findall(_TOKEN).explode().dropna()
    return found[found.str.len() > 0]


def leak_search(original: pd.DataFrame, output: pd.DataFrame, plan: Plan) -> list[str]:
    problems: list[str] = []
    text_cols = [s.column for s in plan.steps if s.role == "free_text" and s.column in output]
    for step in plan.steps:
        if step.role != "identifier" or step.entity not in VALUE_ENTITIES:
            continue
        originals = normalise(original[step.column], step.entity)
        originals = set(originals[originals.str.len() >= MIN_LEN].unique())
        if not originals:
            continue
        for col in output.columns:
            hits = int(normalise(output[col], step.entity).isin(originals).sum())
            if col in text_cols:
                toks = _tokens(output[col])
                if len(toks):
                    hits += int(normalise(toks, step.entity).isin(originals).sum())
            if hits:
                problems.append(
                    f"{hits} original value(s) of identifier column {step.column} ({step.entity}) found in output column {col}"
                )
    # Names: an original surname must not survive in its own row (cell or free text).
    for step in plan.steps:
        if step.role != "identifier" or step.entity not in NAME_ENTITIES or step.column not in original:
            continue
        names = as_text(original[step.column]).str.upper().str.strip()
        for col in [c for c in [step.column, *text_cols] if c in output.columns]:
            out = as_text(output[col]).str.upper()
            has = names.str.len() >= 3
            if col == step.column:
                hits = int((has & (out.str.strip() == names)).sum())
            else:
                idx = has[has].index
                hits = sum(
                    1 for n, t in zip(names[idx], out[idx], strict=True)
                    if t and re.search(rf"\b{re.escape(n)}\b", t)
                )
            if hits:
                problems.append(f"{hits} row(s) keep their original {step.column} ({step.entity}) in output column {col}")
    return problems


def rescan(output: pd.DataFrame, plan: Plan) -> list[str]:
    """Columns the detector still calls direct identifiers although the plan did not replace them."""
    from anonymizer.detect import scan_table

    report = scan_table(output, ner=False, sample_rows=2000)
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


def verify_output(original: pd.DataFrame, output: pd.DataFrame, plan: Plan, *, rescan_output: bool = True) -> Verification:
    result = Verification()
    result.problems.extend(leak_search(original, output, plan))
    result.checked_values = int(sum(original[s.column].nunique() for s in plan.steps
                                    if s.role == "identifier" and s.column in original))
    if rescan_output:
        result.problems.extend(rescan(output, plan))
    return result
