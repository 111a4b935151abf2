"""Apply a plan's column actions to one batch of rows: a pure function of (batch, plan, key).

Every action is keyed and per value, so a batch gives the same result whether it is the
whole table or one slice of it: that is what lets the same plan run streamed or on Dask.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.detect.entities import CONTEXT_ENTITIES, NAME_ENTITIES
from anonymizer.errors import PolicyError, UsageError
from anonymizer.io import as_text
from anonymizer.policy.plan import Plan

# From the entity table: CONTEXT_ENTITIES, whose transformed values later actions must agree
# with (a fake NIR with the row's fake sex and birth month, a NIR key recomputed from the faked
# NIR, an e-mail built from the fake names, a BIC from the fake IBAN's bank); NAME_ENTITIES,
# every kind of name.
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


_WORDS = re.compile(r"[\W_]+")


def retry_key(key: bytes, attempt: int) -> bytes:
    """The key of the ``attempt``-th re-draw (domain-separated from every action's sub-keys)."""
    return hmac.new(key, f"anon/v1/collision-retry/{attempt}".encode(), hashlib.sha256).digest()


def _avoid_collisions(fn, series, result, *, key, step, ctx_frame, entities, avoid,
                      stats: dict | None = None) -> pd.Series:
    """Re-draw the fakes that happen to equal an original identifier value of the table.

    A fake drawn from the same space as the originals (7-digit file numbers, the ARCEP
    fiction phone ranges the example data also uses, e-mails built from Faker's name lists)
    can coincide with another person's real value; the verification would then rightly
    refuse the file. Colliding rows are re-drawn under a derived key, deterministically for
    a given key and input. The price: such a value's fake can differ between two files whose
    originals differ — rare (about n / size of the space) and documented.
    """
    from anonymizer.transform.base import TransformContext

    text = step.role == "free_text"
    mask = avoid.row_hits(result, text=text)  # rows whose current value is an original
    if not mask.any():
        return result
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
        redrawn = fn(sub, key=retry_key(key, attempt), params=step.params, context=ctx)
        result = result.copy()
        result.loc[sub.index] = redrawn.to_numpy()
        mask[np.flatnonzero(active)] = avoid.row_hits(redrawn, text=text)
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
    return result


def _tagged(fn, sub: pd.Series, *, key, step, ctx_frame, entities) -> pd.Series:
    """The redaction of ``sub`` with tags instead of fakes (the way out of a collision)."""
    from anonymizer.transform.base import TransformContext

    sub_ctx = ctx_frame.loc[sub.index] if ctx_frame is not None else None
    ctx = TransformContext(column=step.column, entity=step.entity, row_context=sub_ctx, entities=entities)
    return fn(sub, key=key, params={**step.params, "mode": "tag"}, context=ctx)


def _tag_late_collisions(fn, df, result, results, *, key, step, plan, ctx_frame, entities, avoid,
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


def apply_plan(df: pd.DataFrame, plan: Plan, *, key: bytes | None, avoid=None,
               stats: dict | None = None) -> pd.DataFrame:
    """Return the batch with every column transformed as planned (dropped columns removed).

    ``avoid`` (a :class:`anonymizer.engine.verify.LeakIndex` of the table's original
    identifier values) makes fakes and redactions re-draw any value that equals an original;
    ``stats`` (a dict) receives, per column, the cells suppressed when re-draws ran out.
    """
    from anonymizer.transform import ACTIONS
    from anonymizer.transform.base import TransformContext
    from anonymizer.transform.text import ner_mode

    if plan.needs_key and not key:
        raise UsageError("this policy needs a secret key: give --key-file FILE or set ANON_KEY")
    entities = {s.column: s.entity for s in plan.steps}
    context_cols: dict[str, pd.Series] = {}
    pid = person_ids(df, plan.person_id)
    if pid is not None:
        context_cols[PERSON_ID_COLUMN] = pid
    results: dict[str, pd.Series] = {}
    context_frame = pd.DataFrame(context_cols, index=df.index)
    detector = _CachedDetector()
    for step in plan.execution_order:
        if step.action == "drop":
            continue
        fn = ACTIONS.get(step.action)
        if fn is None:
            raise PolicyError(f"column {step.column}: action '{step.action}' is not available")
        ctx = TransformContext(
            column=step.column, entity=step.entity, row_context=context_frame, entities=entities
        )
        if step.action == "redact" and "detector" not in step.params:
            step = dataclasses.replace(step, params={**step.params, "detector": detector.for_ner(
                ner_mode(step.params))})
        result = fn(df[step.column], key=key or b"", params=step.params, context=ctx)
        if avoid is not None and key and step.action in {"fake", "redact"}:
            result = _avoid_collisions(fn, df[step.column], result, key=key, step=step,
                                       ctx_frame=context_frame, entities=entities, avoid=avoid, stats=stats)
        if step.role == "free_text" and step.action == "redact":
            before = result
            result = replace_row_names(result, df, results, plan)
            if avoid is not None and key:
                changed = (result.astype(object).to_numpy() != before.astype(object).to_numpy())
                result = _tag_late_collisions(fn, df, result, results, key=key, step=step, plan=plan,
                                              ctx_frame=context_frame, entities=entities, avoid=avoid, stats=stats,
                                              changed=changed)
        results[step.column] = result
        if step.entity in CONTEXT_ENTITIES:
            context_cols[step.column] = result
            context_frame = pd.DataFrame(context_cols, index=df.index)
    return pd.DataFrame({c: results[c] for c in plan.output_columns}, index=df.index)


def _case_like(template: str, word: str) -> str:
    if word.startswith("["):  # a tag stays a tag
        return word
    if template.isupper():
        return word.upper()
    if template.islower():
        return word.lower()
    return word.title() if word.isupper() or word.islower() else word


def replace_row_names(text: pd.Series, original: pd.DataFrame, transformed: dict[str, pd.Series],
                      plan: Plan) -> pd.Series:
    """Replace, in each row's free text, the row's own original names by the row's fakes.

    NER misses most upper-case surnames (``DUPONT``: 2 % with fr_core_news_sm, see
    docs/scan.md), but the row itself says which names to look for: its name columns. The
    replacement is the same fake the name column received, so text and columns agree.
    """
    pairs = [
        (s.column, transformed[s.column]) for s in plan.steps
        if s.role == "identifier" and s.entity in NAME_ENTITIES and s.column in transformed
        and s.action in {"fake", "pseudonymize", "suppress"}
    ]
    if not pairs:
        return text
    values = as_text(text)
    rows = np.flatnonzero((values != "").to_numpy())
    if len(rows) == 0:
        return text
    out = values.to_numpy(dtype=object).copy()
    olds = [as_text(original[c]).to_numpy(dtype=object) for c, _ in pairs]
    news = [as_text(f).to_numpy(dtype=object) for _, f in pairs]
    for i in rows:
        cell = out[i]
        subs = {}
        for old_col, new_col in zip(olds, news, strict=True):
            whole_old, whole_new = str(old_col[i]).strip(), str(new_col[i]).strip()
            if len(whole_old) < 3 or whole_old.upper() == whole_new.upper():
                continue
            subs[whole_old.upper()] = whole_new or "[NOM]"
            # parts too ("DE LA FONTAINE" written "Fontaine"): the matching fake part, else the last
            new_parts = whole_new.split() or ["[NOM]"]
            for j, part in enumerate(whole_old.split()):
                if len(part) >= 3:
                    subs.setdefault(part.upper(), new_parts[min(j, len(new_parts) - 1)])
        upper = cell.upper()
        if not any(name in upper for name in subs):  # most texts name nobody of their row
            continue
        for name, fake_name in list(subs.items()):
            # a fake that equals, or contains as a word, another original name of the same row
            # would read as that person's name left in place: use a neutral tag instead
            if any(w.upper() in subs for w in _WORDS.split(str(fake_name)) + [str(fake_name)] if w):
                subs[name] = "[NOM]"
        pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(subs, key=len, reverse=True))) + r")(?!\w)",
                             re.IGNORECASE)
        out[i] = pattern.sub(lambda m, subs=subs: _case_like(m.group(0), subs[m.group(0).upper()]), cell)
    return pd.Series(out, index=text.index).astype(text.dtype) if text.dtype != object else pd.Series(
        out, index=text.index)


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
