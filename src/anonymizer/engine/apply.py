"""Apply a plan's column actions to one batch of rows: a pure function of (batch, plan, key).

Every action is keyed and per value, so a batch gives the same result whether it is the
whole table or one slice of it: that is what lets the same plan run streamed or on Dask.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd

from anonymizer.errors import PolicyError, UsageError
from anonymizer.io import as_text
from anonymizer.policy.plan import Plan

# Entities whose transformed values later actions must agree with (a fake NIR with the
# row's fake sex and birth month, a NIR key recomputed from the faked NIR, an e-mail
# built from the fake names).
CONTEXT_ENTITIES = {"SEX", "CIVILITY", "BIRTH_DATE", "NIR", "FIRST_NAME", "LAST_NAME", "PERSON"}
PERSON_ID_COLUMN = "__person_id__"


def person_ids(df: pd.DataFrame, columns: list[str]) -> pd.Series | None:
    """One opaque id per person from the ORIGINAL values of the person-id columns.

    Hashed right away (unkeyed SHA-256 is fine here: it never leaves the process and the
    actions key it again) so the raw identifier does not travel through the context.
    """
    if not columns:
        return None
    joined = as_text(df[columns[0]])
    for col in columns[1:]:
        joined = joined + "\x1f" + as_text(df[col])
    uniques = pd.unique(joined)
    digests = {v: hashlib.sha256(v.encode("utf-8")).hexdigest() for v in uniques}
    return joined.map(digests)


def apply_plan(df: pd.DataFrame, plan: Plan, *, key: bytes | None) -> pd.DataFrame:
    """Return the batch with every column transformed as planned (dropped columns removed)."""
    from anonymizer.transform import ACTIONS
    from anonymizer.transform.base import TransformContext

    if plan.needs_key and not key:
        raise UsageError("this policy needs a secret key: give --key-file FILE or set ANON_KEY")
    entities = {s.column: s.entity for s in plan.steps}
    context_cols: dict[str, pd.Series] = {}
    pid = person_ids(df, plan.person_id)
    if pid is not None:
        context_cols[PERSON_ID_COLUMN] = pid
    results: dict[str, pd.Series] = {}
    context_frame = pd.DataFrame(context_cols, index=df.index)
    for step in plan.execution_order:
        if step.action == "drop":
            continue
        fn = ACTIONS.get(step.action)
        if fn is None:
            raise PolicyError(f"column {step.column}: action '{step.action}' is not available")
        ctx = TransformContext(
            column=step.column, entity=step.entity, row_context=context_frame, entities=entities
        )
        result = fn(df[step.column], key=key or b"", params=step.params, context=ctx)
        results[step.column] = result
        if step.entity in CONTEXT_ENTITIES:
            context_cols[step.column] = result
            context_frame = pd.DataFrame(context_cols, index=df.index)
    return pd.DataFrame({c: results[c] for c in plan.output_columns}, index=df.index)


def summarize_changes(before: pd.DataFrame, after: pd.DataFrame, plan: Plan) -> dict[str, Any]:
    """Counts per column of cells changed and cells emptied: what the manifest reports."""
    out: dict[str, Any] = {}
    for step in plan.steps:
        if step.action == "drop":
            out[step.column] = {"action": "drop"}
            continue
        a, b = as_text(before[step.column]), as_text(after[step.column])
        out[step.column] = {
            "action": step.action,
            "changed": int((a != b).sum()),
            "emptied": int(((a != "") & (b == "")).sum()),
        }
    return out
