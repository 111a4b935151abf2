"""Fakes that collide with an original identifier are drawn again (or tagged when re-draws run out).

A fake drawn from the same space as the originals (7-digit file numbers, the ARCEP fiction
phone ranges the example data also uses, e-mails built from Faker's name lists) can coincide
with another person's real value; the verification would then rightly refuse the file. The
index of the table's original identifier values (``avoid``, an
:class:`anonymizer.engine.verify.LeakIndex` or anything with ``row_hits`` and ``share_taken``)
says which rows collide; they are re-drawn under derived keys, deterministically. Fake names
are also re-drawn when they spell a real person of the table (``avoid.names``, a
:class:`anonymizer.transform.identities.NameIndex`): no fake is someone's real identity.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

from anonymizer.transform.base import TransformContext
from anonymizer.transform.fake import WORD_ENTITIES, identifier_like, reads_row_context
from anonymizer.transform.identities import (
    FAKE_FULL_NAME_ENTITIES,
    FIRST_NAME_ENTITIES,
    SURNAME_ENTITIES,
    name_hashes,
)
from anonymizer.transform.row_names import NAME_ENTITIES, replace_row_names

# Re-draws before giving up on a fake that keeps hitting originals. A space already mostly
# taken (the example data puts 8,700 of 10,204 people in the 10,000-number ARCEP fiction
# mobile range; beyond 10,000 rows it is full) cannot be escaped: the cells still colliding
# after the last try are suppressed (text: tagged), and the manifest counts them. When 90 % or
# more of a fiction phone range is taken, SATURATED_RETRIES tries are allowed instead: more
# only burn time. The share is measured on the whole table's index, never on a batch, so a
# row's outcome does not depend on batch or partition sizes.
RETRIES = 24
SATURATED_RETRIES = 3
SATURATED_SHARE = 0.9
# A fake name that spells a real identity is drawn again from the same lists first; from this
# re-draw on, as a compound name (``Jean-Marc``, ``MARTIN-LEROY``): the single-name space (a few
# hundred first names times 400 surnames) is mostly real identities once a table holds tens of
# thousands of people, the compound one is a hundred times larger.
COMPOUND_FROM = 4
#: entities whose fakes are checked against the original identities (transform/identities.py)
IDENTITY_ENTITIES = FAKE_FULL_NAME_ENTITIES | FIRST_NAME_ENTITIES | SURNAME_ENTITIES
#: the context columns a fake name can form an identity with (a first name with a surname)
PAIR_ENTITIES = FIRST_NAME_ENTITIES | SURNAME_ENTITIES


def saturated_phone_ranges(avoid) -> tuple[bool, bool]:
    """(mobile, landline): is that fiction range of the fake phones at least 90 % originals?
    Computed once per index (the ranges hold 10,000 and 50,000 numbers)."""
    cached = getattr(avoid, "_saturated_phones", None)
    if cached is None:
        from anonymizer.transform.vocab import FICTION_LANDLINE, FICTION_MOBILE

        def full(prefixes) -> bool:
            space = [f"{p}{i:04d}" for p in prefixes for i in range(10_000)]
            return avoid.share_taken(space, "phone") >= SATURATED_SHARE

        cached = (full(FICTION_MOBILE), full(FICTION_LANDLINE))
        avoid._saturated_phones = cached
    return cached


def _retry_limits(series: pd.Series, entity: str | None, free_text: bool, avoid) -> np.ndarray:
    """Per row of ``series`` (the originals), how many re-draws it may take."""
    mobile_full, land_full = saturated_phone_ranges(avoid)
    limits = np.full(len(series), RETRIES, dtype=np.int64)
    if free_text and (mobile_full or land_full):
        limits[:] = SATURATED_RETRIES  # comments quoting phones would otherwise run every try
    elif entity == "PHONE" and (mobile_full or land_full):
        from anonymizer.engine.verify import normalise  # the index's own form: the last 9 digits

        mobile = normalise(series, "PHONE").str[:1].isin(["6", "7"]).to_numpy()
        limits[(mobile & mobile_full) | (~mobile & land_full)] = SATURATED_RETRIES
    return limits


def retry_key(key: bytes, attempt: int) -> bytes:
    """The key of the ``attempt``-th re-draw (domain-separated from every action's sub-keys)."""
    return hmac.new(key, f"anon/v1/collision-retry/{attempt}".encode(), hashlib.sha256).digest()


class _Partners:
    """The batch's context name columns a fake name can pair with (``ctx_frame``'s first names and
    surnames), their ``name_hashes`` read once per :func:`avoid_collisions` call: the first check
    and every re-draw of a column look up the same columns (each look-up is an O(batch) read and
    comparison with the run's memo, ``_context_name_hashes``)."""

    def __init__(self, avoid, ctx_frame: pd.DataFrame, entities) -> None:
        self.frame = ctx_frame[[c for c in ctx_frame.columns if entities.get(c) in PAIR_ENTITIES]]
        self.unique = self.frame.index.is_unique
        self._memo = _context_name_hashes(avoid, self.frame) if self.unique else None
        self._got: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def hashes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        got = self._got.get(column)
        if got is None:
            got = self._got[column] = self._memo(column)
        return got


def _collisions(values: pd.Series, *, step, ctx_frame, entities, avoid, partners: _Partners | None = None,
                rows: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``values`` (an action's output) holding an original identifier value (the whole
    cell; inside it for free text and for word cells where an identifier was glued), or, for
    a fake name, spelling an original identity: a full name, or a (first name, surname) pair
    with a name of the row already transformed (``ctx_frame``). ``partners``: that frame's name
    columns already gathered (a re-draw's check); ``rows``: the positions of ``values``' rows in
    ``ctx_frame`` when the caller knows them (else looked up by label)."""
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
        if partners is None:
            partners = _Partners(avoid, ctx_frame, entities)
        frame = partners.frame
        if not partners.unique:
            hit |= names.row_hits(values, step.entity, frame.loc[values.index], entities)
            return hit
        same = values.index.equals(frame.index)
        positions = None if same else rows if rows is not None else frame.index.get_indexer(values.index)

        def partner_hashes(column: str) -> tuple[np.ndarray, np.ndarray]:
            h, n = partners.hashes(column)
            return (h, n) if positions is None else (h[positions], n[positions])

        # row_hits reads the partners' columns only (their hashes come from partner_hashes)
        hit |= names.row_hits(values, step.entity, frame.iloc[:0], entities, partner_hashes=partner_hashes)
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


def _text_dtype(s: pd.Series) -> bool:
    """Text columns (object, ``str``, string): re-drawn cells can be gathered in an object array and
    the column rebuilt once, with the same values and dtype as assigning them cell by cell."""
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype)


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

    Each re-draw costs O(rows re-drawn), not O(batch): rows are addressed by position when the
    batch's labels are unique (the context's rows taken with ``iloc``, the new draws written into
    one object array, the column rebuilt once at the end), and the context's name columns are
    gathered once per call (:class:`_Partners`).
    """

    text = step.role == "free_text"
    is_name = step.action == "fake" and step.entity in IDENTITY_ENTITIES
    check = dict(step=step, ctx_frame=ctx_frame, entities=entities, avoid=avoid)
    if is_name and ctx_frame is not None and getattr(avoid, "names", None) is not None:
        check["partners"] = _Partners(avoid, ctx_frame, entities)
    mask = _collisions(result, **check)  # rows whose current value is an original
    if not mask.any():
        return result
    first_draw = result[mask]
    limits = _retry_limits(series, step.entity, text, avoid)
    # positions stand for labels when every frame has the batch's unique labels
    by_position = (series.index.is_unique and result.index.equals(series.index)
                   and (ctx_frame is None or ctx_frame.index.equals(series.index)))
    cells = result.to_numpy(dtype=object, copy=True) if by_position and _text_dtype(result) else None
    # a fake whose generator reads no row context (phones, surnames, employers, addresses...) is
    # re-drawn without it: gathering every context column's rows cost more than the draws
    needs_ctx = step.action != "fake" or reads_row_context(step.entity, step.params)
    attempt = 0
    while attempt < RETRIES:
        active = mask & (limits > attempt)
        if not active.any():
            break
        attempt += 1
        pos = np.flatnonzero(active)
        sub = series[active]
        if ctx_frame is None or not needs_ctx:
            sub_ctx = None
        else:
            sub_ctx = ctx_frame.iloc[pos] if by_position else ctx_frame.loc[sub.index]
        if step.entity == "EMAIL" and attempt >= 2 and sub_ctx is not None:
            # an e-mail built from the row's fake names alone cannot change with the key:
            # after two tries let its names be drawn too (it then no longer echoes the row)
            sub_ctx = sub_ctx[[c for c in sub_ctx.columns if entities.get(c) not in NAME_ENTITIES]]
        ctx = TransformContext(column=step.column, entity=step.entity, row_context=sub_ctx, entities=entities)
        params = {**step.params, "compound": True} if is_name and attempt >= COMPOUND_FROM else step.params
        again = fn(sub, key=retry_key(key, attempt), params=params, context=ctx)
        if cells is not None:
            cells[pos] = again.to_numpy()
        else:
            result = result.copy()
            result.loc[sub.index] = again.to_numpy()
        known = by_position and again.index.equals(sub.index)  # the rows are ``pos`` of the context
        mask[pos] = _collisions(again, **check, **({"rows": pos} if known else {}))
    if cells is not None:
        result = pd.Series(cells, index=result.index, name=result.name, dtype=result.dtype)
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


def _tagged(fn, sub: pd.Series, *, key, step, ctx_frame, entities) -> pd.Series:
    """The redaction of ``sub`` with tags instead of fakes (the way out of a collision)."""

    sub_ctx = ctx_frame.loc[sub.index] if ctx_frame is not None else None
    ctx = TransformContext(column=step.column, entity=step.entity, row_context=sub_ctx, entities=entities)
    return fn(sub, key=key, params={**step.params, "mode": "tag"}, context=ctx)


def tag_late_collisions(fn, df, result, results, *, key, step, plan, ctx_frame, entities, avoid,
                         stats: dict | None, changed: np.ndarray | None = None) -> pd.Series:
    """Texts that hold an original identifier only after the row's names were put in (a fake
    e-mail rewritten with the row's fake names can equal somebody's real address) are
    redacted again with tags, then given the row's fake names again. ``changed``: the rows
    the names changed (the others were checked by :func:`_avoid_collisions`)."""
    again = np.zeros(len(result), dtype=bool)
    rows = np.flatnonzero(changed) if changed is not None else np.arange(len(result))
    if len(rows):
        again[rows] = avoid.row_hits(result.iloc[rows], text=True)
    if not again.any():
        return result
    sub = df[step.column][again]
    tagged = _tagged(fn, sub, key=key, step=step, ctx_frame=ctx_frame, entities=entities)
    tagged = replace_row_names(tagged, df.loc[sub.index], {c: v.loc[sub.index] for c, v in results.items()}, plan)
    result = result.copy()
    result.loc[sub.index] = tagged.to_numpy()
    if stats is not None:
        stats[step.column] = stats.get(step.column, 0) + int(again.sum())
    return result


