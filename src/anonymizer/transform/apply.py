"""Apply a plan's column actions to one batch of rows: a pure function of (batch, plan, key).

Every action is keyed and per value, so a batch gives the same result whether it is the
whole table or one slice of it: that is what lets the same plan run streamed, over worker
processes or on Dask partitions.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from anonymizer.detect.entities import CONTEXT_ENTITIES
from anonymizer.errors import PolicyError, UsageError
from anonymizer.i18n import _
from anonymizer.io import as_text
from anonymizer.transform import ACTIONS
from anonymizer.transform.base import TransformContext
from anonymizer.transform.collisions import avoid_collisions, tag_late_collisions
from anonymizer.transform.row_names import replace_row_names
from anonymizer.transform.text import ner_mode, with_date_shift
from anonymizer.transform.text_levels import levels_of_plan
from anonymizer.values.text import FEW_ROWS, text_matrix

if TYPE_CHECKING:
    from anonymizer.policy.plan import Plan

# From the entity table: CONTEXT_ENTITIES, whose transformed values later actions must agree
# with (a fake NIR with the row's fake sex and birth month, a NIR key recomputed from the faked
# NIR, an e-mail built from the fake names, a BIC from the fake IBAN's bank).
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


class _CachedDetector:
    """Span detection memoised for one batch: a re-draw after a collision changes the fakes,
    not the spans, so the text is analysed (NER included) only once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[bool | str, str], list] = {}

    def for_ner(self, ner: bool | str):
        def detect(texts: list[str]) -> list[list]:
            from anonymizer.detect import find_spans

            missing = list(dict.fromkeys(t for t in texts if (ner, t) not in self._cache))
            if missing:
                for t, spans in zip(missing, find_spans(missing, ner=ner), strict=True):
                    self._cache[(ner, t)] = spans
            return [self._cache[(ner, t)] for t in texts]

        return detect


def apply_plan(df: pd.DataFrame, plan: Plan, *, key: bytes | None, avoid=None,
               stats: dict | None = None,
               fixed: pd.DataFrame | Mapping[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Return the batch with every column transformed as planned (dropped columns removed).

    ``avoid`` (a :class:`anonymizer.engine.verify.LeakIndex` of the table's original
    identifier values) makes fakes and redactions re-draw any value that equals an original;
    ``stats`` (a dict) receives, per column, the cells suppressed when re-draws ran out.
    ``fixed``: the released values the privacy step decided for some columns (row-aligned; a frame,
    or arrays by column name): they are the output of those columns, and what later actions read
    as context — a fake NIR takes its sex, birth month and birthplace from the *released* values,
    never from the originals.
    """
    if plan.needs_key and not key:
        raise UsageError(_("this policy needs a secret key: give --key-file FILE or set ANON_KEY"))
    entities = {s.column: s.entity for s in plan.steps}
    context_cols: dict[str, pd.Series] = {}
    pid = person_ids(df, plan.person_id)
    if pid is not None:
        context_cols[PERSON_ID_COLUMN] = pid
    results: dict[str, pd.Series] = {}
    context_frame = pd.DataFrame(context_cols, index=df.index)
    detector = _CachedDetector()
    shifts: dict[int, np.ndarray] = {}  # max_days -> the rows' date offsets in free text (same pid and key)
    redrawn: dict[str, pd.Series] = {}  # name column -> first draws of the rows re-drawn (free text follows)
    row_names: dict = {}  # what replace_row_names reads of the name columns, once for all free text
    text_levels = levels_of_plan(plan.steps)  # free text at the level of the plan's columns
    fixed_values = ({c: v if isinstance(v, np.ndarray) else v.to_numpy() for c, v in fixed.items()}
                    if fixed is not None else {})
    # fixed columns no later step reads (not context, not a name the free text checks): their
    # values go into the output frame as they are, which makes each a Series once (a Series
    # per column and then a frame of them cost 2.5 times as much on a wide table)
    passed: dict[str, np.ndarray] = {}
    for step in plan.execution_order:
        if step.action == "drop":
            continue
        fn = ACTIONS.get(step.action)
        if fn is None:
            raise PolicyError(_("column {column}: action '{action}' is not available").format(column=step.column, action=step.action))
        if step.column in fixed_values:
            if step.entity not in CONTEXT_ENTITIES and step.role != "identifier":
                passed[step.column] = fixed_values[step.column]
                continue
            results[step.column] = result = pd.Series(fixed_values[step.column], index=df.index)
            if step.entity in CONTEXT_ENTITIES:
                context_cols[step.column] = result
                context_frame = pd.DataFrame(context_cols, index=df.index)
            continue
        frame = context_frame
        if step.action == "redact":
            params = {**text_levels, **step.params}
            params.setdefault("detector", detector.for_ner(ner_mode(step.params)))
            step = dataclasses.replace(step, params=params)
            frame = with_date_shift(context_frame, pid, key, params, shifts)  # kept by re-draws under other keys
        ctx = TransformContext(column=step.column, entity=step.entity, row_context=frame, entities=entities)
        result = fn(df[step.column], key=key or b"", params=step.params, context=ctx)
        if avoid is not None and key and step.action in {"fake", "redact"}:
            result = avoid_collisions(fn, df[step.column], result, key=key, step=step,
                                       ctx_frame=frame, entities=entities, avoid=avoid, stats=stats,
                                       redrawn=redrawn)
        if step.role == "free_text" and step.action == "redact":
            before = result
            result = replace_row_names(result, df, results, plan, redrawn, row_names)
            if avoid is not None and key:
                changed = (result.astype(object).to_numpy() != before.astype(object).to_numpy())
                result = tag_late_collisions(fn, df, result, results, key=key, step=step, plan=plan,
                                              ctx_frame=frame, entities=entities, avoid=avoid, stats=stats,
                                              changed=changed)
        results[step.column] = result
        if step.entity in CONTEXT_ENTITIES:
            context_cols[step.column] = result
            context_frame = pd.DataFrame(context_cols, index=df.index)
    return pd.DataFrame({c: results[c] if c in results else passed[c] for c in plan.output_columns}, index=df.index)


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
        present = (a != "").to_numpy(dtype=bool, na_value=False)
        if a.equals(b):  # written as read (a kept column): nothing changed, emptied or hidden
            n = int(np.count_nonzero(present))
            out[step.column] = {"action": step.action, "changed": 0, "emptied": 0, "present": n, "exact": n,
                                "hidden": 0}
            continue
        # four column comparisons, the rest in NumPy (a missing comparison, NA, counts nowhere,
        # as it did in the pandas expressions this replaces: tests/engine/summary_reference.py);
        # ``a == b`` is ``a != b`` negated unless a comparison is missing
        ne = a != b
        diff = ne.to_numpy(dtype=bool, na_value=False)
        empty = (b == "").to_numpy(dtype=bool, na_value=False)
        star = (b == "*").to_numpy(dtype=bool, na_value=False)
        same = (a == b).to_numpy(dtype=bool, na_value=False) if ne.array.isna().any() else ~diff
        out[step.column] = {
            "action": step.action,
            "changed": int(np.count_nonzero(diff)),
            "emptied": int(np.count_nonzero(present & empty)),
            "present": int(np.count_nonzero(present)),
            "exact": int(np.count_nonzero(present & same)),
            "hidden": int(np.count_nonzero(present & diff & (empty | star))),
        }
    return out
