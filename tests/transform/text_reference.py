"""``redact``'s glue as it was before issue #21's per-label and per-pair work (main at 1532238),
copied verbatim: ``redact`` (now ``text._redact``, run with the collector paused), ``span_fakes``
(an entity look-up per span), ``merged_spans`` / ``replace_spans`` (a sort with a Python key and a
list of parts for every text, one span or many) and ``_shift_rows`` (a dictionary look-up per dated
row, a list of the rows' texts built in Python). tests/transform/test_text_glue_equivalence.py
compares the two."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.detect.entities import TEXT_LEVEL
from anonymizer.transform.base import Deriver, TransformContext, from_text, require_key, to_text
from anonymizer.transform.text import (
    _SPACES,
    PH,
    Operators,
    RedactParams,
    _anonymize,
    _default_detector,
    _engine,
    _fakeable,
    _HeldDates,
    _ShiftedDates,
    ner_mode,
    row_date_shifts,
    text_levels,
)


def redact(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Params: ``mode`` (``fake`` | ``tag``), ``detector`` (callable), ``ner`` (``auto``: spaCy only
    where a capitalised word is left unexplained; ``true``: on every text; ``false``: never),
    ``entities`` (only these entity labels; default all), ``min_score`` (0), ``max_days``,
    ``amount_step``, ``age_width`` (the levels of dates, amounts and ages: module doc)."""
    mode = params.get("mode", RedactParams.field_default("mode"))
    if mode == "fake":
        key = require_key(key, "redact")
    detector = params.get("detector") or _default_detector(ner_mode(params))
    only = set(params.get("entities") or [])
    min_score = float(params.get("min_score", RedactParams.field_default("min_score")))
    text = to_text(series)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    todo = [u for u in uniques if u.strip()]
    spans = detector(list(todo)) if todo else []
    results: dict[str, str | None] = dict.fromkeys(uniques, "")
    d = Deriver(key) if mode == "fake" else None
    levels = text_levels(params)
    dates = _HeldDates() if d is not None else None
    pending: list[tuple[str, list]] = []
    dated: set[str] = set()  # texts with a date span: their output depends on the row
    alone: dict[str, list] = {}  # dated texts holding the placeholder character: done row by row
    for t, found in zip(todo, spans, strict=True):
        found = [r for r in found if r.score >= min_score and (not only or r.entity_type in only)]
        if dates is not None and any(TEXT_LEVEL.get(r.entity_type) == "shift" for r in found):
            dated.add(t)
        if not found:
            results[t] = t
        elif t in dated and PH in t:
            alone[t], results[t] = found, None
        else:
            pending.append((t, found))
    known = span_fakes(pending, d) if d is not None else {}
    ops = Operators(mode, d, known, levels, dates)
    for t, found in pending:
        results[t] = replace_spans(t, found, ops)
    out = [results[u] for u in uniques]
    if dates is not None and dated:
        is_dated = np.array([u in dated for u in uniques], dtype=bool)
        out_rows = _shift_rows(out, codes, uniques, is_dated, series, key, levels.max_days, context, dates,
                               lambda t, shift: replace_spans(t, alone[t], Operators(mode, d, known, levels,
                                                                                      _ShiftedDates(shift))))
        return from_text(series, out_rows, numeric=False)
    return from_text(series, [out[c] for c in codes], numeric=False)


def _shift_rows(out: list, codes: np.ndarray, uniques, dated: np.ndarray, series: pd.Series, key: bytes,
                max_days: int, context: TransformContext, dates: _HeldDates, alone) -> list[str]:
    """Row texts: each dated text's placeholders filled with its row's shifted dates (once per
    distinct text and offset); ``alone(text, shift)`` redacts the texts left for row-by-row work."""
    rows = np.flatnonzero(dated[codes])
    texts = [out[c] for c in codes]
    if not len(rows):
        return texts
    shifts = row_date_shifts(series, codes, uniques, dated, key, max_days, context)
    done: dict[tuple[int, int], str] = {}
    for r in rows.tolist():
        c, shift = int(codes[r]), int(shifts[r])
        got = done.get((c, shift))
        if got is None:
            got = done[(c, shift)] = alone(uniques[c], shift) if out[c] is None else dates.fill(out[c], shift)
        texts[r] = got
    return texts


def span_fakes(pending: list[tuple[str, list]], d: Deriver) -> dict[tuple[str, str], str]:
    """The fake of every distinct (entity, span text) of the texts, computed before the
    anonymizer runs: phones, NIRs, IBANs and file numbers through the vectorised generators
    (equal to the one-value path, tested in test_fake), the rest one value at a time. The
    operator then only looks them up."""
    from anonymizer.transform.fake import fake_many

    by_entity: dict[str, dict[str, None]] = {}
    for text, found in pending:
        for r in found:
            ent = _fakeable(r.entity_type)
            if ent is not None:
                by_entity.setdefault(ent, {})[text[r.start:r.end]] = None
    out: dict[tuple[str, str], str] = {}
    for ent, values in by_entity.items():
        for v, f in zip(values, fake_many(list(values), ent, d), strict=True):
            out[(ent, v)] = f
    return out


def merged_spans(text: str, found: list) -> list[tuple[int, int, str]] | None:
    """``(start, end, label)`` of the spans presidio-anonymizer would replace, when they are valid,
    non-empty and do not overlap (what :func:`anonymizer.detect.find_spans` gives): sorted, and two
    spans of one label separated by spaces alone merged into one (its ``merge_entities_with_spaces``).
    None for anything else (overlaps, empty or out-of-range spans): then its engine decides."""
    out: list[tuple[int, int, str]] = []
    end, n = 0, len(text)
    for r in sorted(found, key=lambda r: (r.start, r.end)):
        s, e, label = r.start, r.end, r.entity_type
        if not (type(s) is int and type(e) is int and isinstance(label, str) and label and end <= s < e <= n):
            return None
        if out and out[-1][2] == label and _SPACES.search(text[end:s]):
            out[-1] = (out[-1][0], e, label)
        else:
            out.append((s, e, label))
        end = e
    return out


def replace_spans(text: str, found: list, ops: Operators) -> str:
    """``text`` with its spans replaced by slicing, in one pass: the text presidio-anonymizer's
    ``AnonymizerEngine`` writes with the same operators (tests/transform/test_text_batching.py),
    without its per-text copies, sorting, conflict sweeps and operator objects (most of the
    replacement's cost). Spans are replaced from the last to the first, as the engine does."""
    spans = merged_spans(text, found)
    if spans is None:
        return _anonymize(_engine(), text, found, ops)
    parts, pos = [], len(text)
    for s, e, label in reversed(spans):
        parts.append(text[e:pos])
        parts.append(ops(label)(text[s:e]))
        pos = s
    parts.append(text[:pos])
    return "".join(reversed(parts))


