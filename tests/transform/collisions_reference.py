"""The collision re-draw loop as it was before issue #21's per-call hoisting (main at a8212c0),
copied verbatim: ``avoid_collisions``, ``_collisions``, ``_context_name_hashes`` and ``fake.identifier_like``
(a regular-expression test per row, now per distinct value). The loop copied
the whole column, re-assigned it by label, re-selected the context's name columns and re-read
every context name column (an O(batch) ``to_numpy`` and comparison) on each re-draw; the new code
does those once per call. tests/transform/test_collisions_equivalence.py compares the two."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.transform.base import TransformContext, to_text
from anonymizer.transform.collisions import (
    COMPOUND_FROM,
    IDENTITY_ENTITIES,
    PAIR_ENTITIES,
    RETRIES,
    _retry_limits,
    _tagged,
    retry_key,
)
from anonymizer.transform.fake import _EMBEDDED, WORD_ENTITIES
from anonymizer.transform.identities import name_hashes
from anonymizer.transform.row_names import NAME_ENTITIES


def identifier_like(values: pd.Series) -> np.ndarray:
    """Which cells hold an @ or a run of digits :func:`embedded_identifiers` would look at."""
    return to_text(values).str.contains(_EMBEDDED).to_numpy(dtype=bool)


def _collisions(values: pd.Series, *, step, ctx_frame, entities, avoid) -> np.ndarray:
    """Rows of ``values`` (an action's output) holding an original identifier value (the whole
    cell; inside it for free text and for word cells where an identifier was glued), or, for
    a fake name, spelling an original identity: a full name, or a (first name, surname) pair
    with a name of the row already transformed (``ctx_frame``)."""
    text = step.role == "free_text"
    hit = avoid.row_hits(values, text=text)
    if not text and step.entity in WORD_ENTITIES and len(values):
        inside = identifier_like(values)  # an identifier was glued to these words: faked, search it
        if inside.any():
            hit[inside] |= avoid.row_hits(values[inside], text=True)
    names = getattr(avoid, "names", None)
    if names is not None and step.action == "fake" and step.entity in IDENTITY_ENTITIES:
        if ctx_frame is None:
            hit |= names.row_hits(values, step.entity, None, entities)
            return hit
        # only the context's name columns can pair with a name (identities.NameIndex.row_hits)
        frame = ctx_frame[[c for c in ctx_frame.columns if entities.get(c) in PAIR_ENTITIES]]
        if not frame.index.is_unique:
            hit |= names.row_hits(values, step.entity, frame.loc[values.index], entities)
            return hit
        same = values.index.equals(frame.index)
        positions = None if same else frame.index.get_indexer(values.index)
        memo = _context_name_hashes(avoid, frame)

        def partner_hashes(column: str) -> tuple[np.ndarray, np.ndarray]:
            h, n = memo(column)
            return (h, n) if positions is None else (h[positions], n[positions])

        partners = frame if same else frame.loc[values.index]
        hit |= names.row_hits(values, step.entity, partners, entities, partner_hashes=partner_hashes)
    return hit


def _context_name_hashes(avoid, frame: pd.DataFrame):
    """``name_hashes`` of a column of ``frame`` (the batch's row context), computed once per
    column content: every name column of the batch is checked against the same first names and
    surnames, and so is each of its re-draws. The memo lives on ``avoid`` (one run) and holds the
    last batch's columns; a column is re-hashed unless its values are exactly the memo's."""
    memo = getattr(avoid, "_context_name_hashes", None)
    if memo is None:
        memo = avoid._context_name_hashes = {}

    def hashed(column: str) -> tuple[np.ndarray, np.ndarray]:
        values = frame[column].to_numpy(dtype=object)
        got = memo.get(column)
        if got is None or len(got[0]) != len(values) or not np.array_equal(got[0], values):
            h, n = name_hashes(pd.Series(values, dtype=object))
            got = memo[column] = (values, h, n)
        return got[1], got[2]

    return hashed


def avoid_collisions(fn, series, result, *, key, step, ctx_frame, entities, avoid,
                      stats: dict | None = None, redrawn: dict | None = None) -> pd.Series:
    """Re-draw the fakes that happen to equal an original identifier value of the table, or
    that spell an original person's name.

    A fake drawn from the same space as the originals (7-digit file numbers, the ARCEP
    fiction phone ranges the example data also uses, e-mails built from Faker's name lists)
    can coincide with another person's real value; the verification would then rightly
    refuse the file. A fake full name, or a row's fake first name beside its fake surname, can
    likewise be another beneficiary's real name (``avoid.names``). Colliding rows are re-drawn
    under a derived key, deterministically for a given key and input (names as compound names
    from the ``COMPOUND_FROM``-th try). The price: such a value's fake can differ between two
    files whose originals differ — rare (about n / size of the space) and documented.
    ``redrawn`` (a dict), for a name column: receives the column's first draw of the rows
    re-drawn, so the row's free text can be given the new name too (row_names.py).
    """

    text = step.role == "free_text"
    check = dict(step=step, ctx_frame=ctx_frame, entities=entities, avoid=avoid)
    mask = _collisions(result, **check)  # rows whose current value is an original
    if not mask.any():
        return result
    first_draw = result[mask]
    is_name = step.action == "fake" and step.entity in IDENTITY_ENTITIES
    limits = _retry_limits(series, step.entity, text, avoid)
    attempt = 0
    while attempt < RETRIES:
        active = mask & (limits > attempt)
        if not active.any():
            break
        attempt += 1
        sub = series[active]
        sub_ctx = ctx_frame.loc[sub.index] if ctx_frame is not None else None
        if step.entity == "EMAIL" and attempt >= 2 and sub_ctx is not None:
            # an e-mail built from the row's fake names alone cannot change with the key:
            # after two tries let its names be drawn too (it then no longer echoes the row)
            sub_ctx = sub_ctx[[c for c in sub_ctx.columns if entities.get(c) not in NAME_ENTITIES]]
        ctx = TransformContext(column=step.column, entity=step.entity, row_context=sub_ctx, entities=entities)
        params = {**step.params, "compound": True} if is_name and attempt >= COMPOUND_FROM else step.params
        again = fn(sub, key=retry_key(key, attempt), params=params, context=ctx)
        result = result.copy()
        result.loc[sub.index] = again.to_numpy()
        mask[np.flatnonzero(active)] = _collisions(again, **check)
    if mask.any():
        sub = series[mask]
        if text:
            fallback = _tagged(fn, sub, key=key, step=step, ctx_frame=ctx_frame, entities=entities).to_numpy()
        else:
            fallback = np.full(len(sub), "", dtype=object) if not pd.api.types.is_numeric_dtype(result) else np.nan
        result = result.copy()
        result.loc[sub.index] = fallback
        if stats is not None:
            stats[step.column] = stats.get(step.column, 0) + int(mask.sum())
    if redrawn is not None and step.entity in NAME_ENTITIES:
        redrawn[step.column] = first_draw
    return result
