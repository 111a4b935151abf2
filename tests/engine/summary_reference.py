"""``apply.summarize_changes`` as it was before issue #21's fewer column comparisons (main at
a8212c0), copied verbatim: nine pandas comparisons and combinations per column of a tall batch.
test_summary_equivalence.py compares the two."""

from __future__ import annotations

from typing import Any

import pandas as pd

from anonymizer.io import as_text
from anonymizer.policy.plan import Plan
from anonymizer.values.text import FEW_ROWS, text_matrix


def summarize_changes(before: pd.DataFrame, after: pd.DataFrame, plan: Plan) -> dict[str, Any]:
    """Counts per column of cells changed and cells emptied: what the manifest reports; and of
    the values present (not empty) in the input, how many were written unchanged and how many
    were hidden (``*``) or emptied: what the report says each column kept.

    A batch of few rows is compared as two text matrices (NumPy, every column at once); a tall
    one column by column (pandas' Arrow comparisons): the same counts either way."""
    out: dict[str, Any] = {}
    kept = [s.column for s in plan.steps if s.action != "drop"]
    if len(before) <= FEW_ROWS:
        a_all, b_all = text_matrix(before, kept), text_matrix(after, kept)
        present = a_all != ""
        same = a_all == b_all
        empty = b_all == ""
        hidden = present & ~same & (empty | (b_all == "*"))
        counts = {"changed": (~same).sum(axis=0), "emptied": (present & empty).sum(axis=0),
                  "present": present.sum(axis=0), "exact": (present & same).sum(axis=0), "hidden": hidden.sum(axis=0)}
        where = {c: j for j, c in enumerate(kept)}
        for step in plan.steps:
            if step.action == "drop":
                out[step.column] = {"action": "drop"}
                continue
            j = where[step.column]
            out[step.column] = {"action": step.action, **{k: int(v[j]) for k, v in counts.items()}}
        return out
    for step in plan.steps:
        if step.action == "drop":
            out[step.column] = {"action": "drop"}
            continue
        a, b = as_text(before[step.column]), as_text(after[step.column])
        present = a != ""
        out[step.column] = {
            "action": step.action,
            "changed": int((a != b).sum()),
            "emptied": int((present & (b == "")).sum()),
            "present": int(present.sum()),
            "exact": int((present & (a == b)).sum()),
            "hidden": int((present & (a != b) & ((b == "") | (b == "*"))).sum()),
        }
    return out
