"""``redact``: free text with its detected spans replaced (by slicing, as presidio-anonymizer would).

Spans come from a detector ``(texts: list[str]) -> list[list[RecognizerResult]]`` —
``anonymizer.detect.find_spans`` by default (imported lazily), or any callable given as
``params['detector']`` (tests use a deterministic one). Each distinct text is analysed once,
in one batch. ``mode: fake`` (default) replaces a span by the very fake the ``fake`` action
gives that entity and value (so "Jean DUPONT" in a comment becomes the same fake as in the
name columns); entities without a generator, and ``mode: tag``, get ``<ENTITY>``.

Dates, post and commune codes, ages and amounts are not replaced but written at the level of
their columns (:mod:`anonymizer.transform.text_levels`): a date moves by the row's per-person
offset — the ``shift_dates`` draw of the same person, so a comment's date and the row's shifted
date columns move together — which makes a dated text's output depend on its row, not only on
the text. The row's offset comes from, in order: the row context's ``__date_shift__`` (given by
:func:`anonymizer.transform.apply.apply_plan`, so a re-draw under another key keeps it), the
row's ``__person_id__`` (the key ``shift_dates`` uses), else — a table with no person id — a
keyed offset per comment text (:func:`text_shift`): then the dates of one comment all move
together (its intervals survive) and the same comment gets the same shift in every row, file
and run with the key, but nothing ties it to another column (without a person id there is
seldom a shifted date column: ``shift_dates`` needs a person key too).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from anonymizer.detect.entities import ALIASES, TAG_IN_TEXT, TEXT_LEVEL
from anonymizer.detect.validators import parse_text_date
from anonymizer.i18n import _
from anonymizer.settings import ActionParams
from anonymizer.transform.base import (
    PERSON_ID,
    Deriver,
    TransformContext,
    from_text,
    prf,
    require_key,
    subkey,
    to_text,
)
from anonymizer.transform.fake import GENERATORS, fake_value
from anonymizer.transform.text_levels import (
    DEFAULT_LEVELS,
    Levels,
    age_in_text,
    amount_in_text,
    keyed_days,
    place_in_text,
    shift_text_date,
)

#: Presidio / detector labels -> our entity vocabulary (the entity table's aliases).
ENTITY_ALIASES = ALIASES

#: Entities replaced by a tag even in fake mode (no realistic fake that keeps meaning safe).
TAG_ONLY = TAG_IN_TEXT


def _default_detector(ner: bool | str) -> Callable[[list[str]], list[list]]:
    from anonymizer.detect import find_spans  # lazy: spaCy is heavy and lands in another package

    return lambda texts: find_spans(texts, ner=ner)


class RedactParams(ActionParams):
    """``redact`` parameters a policy may set (see the function); ``detector`` is not one: the
    engine injects it at run time, a policy file cannot."""

    action: ClassVar[str] = "redact"
    mode: Literal["fake", "tag"] = "fake"
    ner: bool | str = "auto"
    entities: list[str] = Field(default_factory=list)
    min_score: float = Field(0.0, ge=0, le=1)
    #: levels of dates, ages and amounts in the text (None: like the plan's columns, else 180 / 10 / 5)
    max_days: int | None = Field(None, ge=1)
    amount_step: float | None = Field(None, gt=0)
    age_width: int | None = Field(None, ge=1)

    @field_validator("ner")
    @classmethod
    def _ner(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() not in NER_WORDS:
            raise ValueError(_("must be auto, true or false"))
        return value


#: ``ner`` as text (``ner_mode``): ``auto``, or a yes/no word
NER_WORDS = {"auto", "true", "yes", "1", "on", "false", "no", "0", "off"}

#: Row-context column of the per-row day offset of dates in free text (set by apply_plan).
DATE_SHIFT = "__date_shift__"


def text_levels(params: dict) -> Levels:
    """The levels ``params`` set, the training defaults for the others."""
    return Levels(
        max_days=int(params.get("max_days") or DEFAULT_LEVELS.max_days),
        amount_step=float(params.get("amount_step") or DEFAULT_LEVELS.amount_step),
        age_width=int(params.get("age_width") or DEFAULT_LEVELS.age_width),
    )


def with_date_shift(frame: pd.DataFrame, pid: pd.Series | None, key: bytes | None, params: dict,
                    memo: dict[int, np.ndarray] | None = None) -> pd.DataFrame:
    """``frame`` with the ``DATE_SHIFT`` column: the per-person offsets ``shift_dates`` draws for the
    rows' persons (``pid``, the pipeline's ``__person_id__``) at this redaction's ``max_days``.
    Unchanged without a person id or a key, or in tag mode.

    ``memo`` (max_days -> offsets), for callers that redact several columns of one batch with the
    same ``pid`` and ``key`` (``apply_plan``): the offsets are drawn once, not once per column
    (``person_offsets`` recognises a repeat only after hashing every person id again: 0.08 CPU s
    per 100,000-row column after the first)."""
    if pid is None or not key or params.get("mode", RedactParams.field_default("mode")) != "fake":
        return frame
    from anonymizer.transform.dates import person_offsets

    max_days = text_levels(params).max_days
    shifts = memo.get(max_days) if memo is not None else None
    if shifts is None:
        shifts = person_offsets(pid.reset_index(drop=True), require_key(key, "redact"), max_days)
        if memo is not None:
            memo[max_days] = shifts
    return frame.assign(**{DATE_SHIFT: shifts})


def redact(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Params: ``mode`` (``fake`` | ``tag``), ``detector`` (callable), ``ner`` (``auto``: spaCy only
    where a capitalised word is left unexplained; ``true``: on every text; ``false``: never),
    ``entities`` (only these entity labels; default all), ``min_score`` (0), ``max_days``,
    ``amount_step``, ``age_width`` (the levels of dates, amounts and ages: module doc).

    Runs with the garbage collector paused (:func:`anonymizer.memory.collector_paused`): the
    detection builds a few hundred thousand span objects that live until the batch ends and leave
    next to no cyclic garbage, and each full collection walked them all again (measured on
    the 100,000-row extract's comments: 1.7 of 19.5 CPU s in the collector, 4,800 objects freed by it)."""
    from anonymizer.memory import collector_paused

    with collector_paused():
        return _redact(series, key=key, params=params, context=context)


def _redact(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """:func:`redact`'s work."""
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
    return from_text(series, _objects(out)[codes], numeric=False)


def _objects(values: list) -> np.ndarray:
    """``values`` as a one-dimensional object array (each text one cell): the rows' texts are then
    taken by their codes in one ``numpy`` call instead of a Python list built row by row."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


# A date span in a text is first written as PH + its number + PH_END, then replaced row by row
# by the date shifted with the row's offset (the text itself is analysed and faked only once).
PH, PH_END = "\x01", "\x02"
_PH = re.compile("\x01(\\d+)\x02")


class _HeldDates:
    """Date spans held back as placeholders until the row's offset is known."""

    def __init__(self) -> None:
        self.held: dict[str, int] = {}
        self.parsed: list = []
        self._written: dict[tuple[int, int], str] = {}

    def hold(self, span: str) -> str:
        i = self.held.get(span)
        if i is None:
            p = parse_text_date(span)
            if p is None:
                return "<DATE>"
            i = self.held[span] = len(self.parsed)
            self.parsed.append(p)
        return f"{PH}{i}{PH_END}"

    def write(self, i: int, shift: int) -> str:
        got = self._written.get((i, shift))
        if got is None:
            got = self._written[(i, shift)] = shift_text_date(self.parsed[i], shift) or "<DATE>"
        return got

    def fill(self, text: str, shift: int) -> str:
        return _PH.sub(lambda m: self.write(int(m.group(1)), shift), text)


class _ShiftedDates:
    """Date spans shifted at once by a known offset (texts that hold the placeholder character)."""

    def __init__(self, shift: int) -> None:
        self.shift = shift

    def hold(self, span: str) -> str:
        p = parse_text_date(span)
        return (shift_text_date(p, self.shift) if p is not None else None) or "<DATE>"


def _shift_rows(out: list, codes: np.ndarray, uniques, dated: np.ndarray, series: pd.Series, key: bytes,
                max_days: int, context: TransformContext, dates: _HeldDates, alone) -> np.ndarray:
    """Row texts: each dated text's placeholders filled with its row's shifted dates (once per
    distinct text and offset); ``alone(text, shift)`` redacts the texts left for row-by-row work.
    The distinct (text, offset) pairs of the dated rows are found by ``numpy`` on one integer per
    row, and the rows take their pair's text in one call (no dictionary look-up per row)."""
    texts = _objects(out)[codes]
    rows = np.flatnonzero(dated[codes])
    if not len(rows):
        return texts
    row_shifts = np.asarray(row_date_shifts(series, codes, uniques, dated, key, max_days, context))[rows]
    if row_shifts.dtype.kind not in "iu":  # int() of each, as row by row (an offset that is not a number fails)
        row_shifts = np.array([int(v) for v in row_shifts.tolist()], dtype=np.int64)
    row_codes, row_shifts = codes[rows].astype(np.int64), row_shifts.astype(np.int64)
    low, width = int(row_shifts.min()), int(row_shifts.max()) - int(row_shifts.min()) + 1
    if width * (int(row_codes.max()) + 1) < 2 ** 62:  # one integer per (text, offset) pair
        pairs = row_codes * width + (row_shifts - low)
        _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
    else:  # offsets too far apart for one integer: pairs of integers
        _, first, inverse = np.unique(np.stack([row_codes, row_shifts], axis=1), axis=0, return_index=True,
                                      return_inverse=True)
    filled = np.empty(len(first), dtype=object)
    for k, (c, shift) in enumerate(zip(row_codes[first].tolist(), row_shifts[first].tolist(), strict=True)):
        filled[k] = alone(uniques[c], shift) if out[c] is None else dates.fill(out[c], shift)
    texts[rows] = filled[inverse.reshape(-1)]
    return texts


def row_date_shifts(series: pd.Series, codes: np.ndarray, uniques, dated: np.ndarray, key: bytes, max_days: int,
                    context: TransformContext) -> np.ndarray:
    """Days to add to the dates of each row's text (module doc: the row's person, else the text)."""
    from anonymizer.transform.dates import person_offsets

    rc = context.row_context
    if rc is not None and len(rc) == len(series):
        if DATE_SHIFT in rc.columns:
            return rc[DATE_SHIFT].to_numpy(dtype=np.int64)
        if PERSON_ID in rc.columns:
            return person_offsets(to_text(rc[PERSON_ID]).reset_index(drop=True), key, max_days)
    per_text = np.zeros(len(uniques), dtype=np.int64)
    sk = subkey(key, TEXT_SHIFT_PURPOSE)
    for i in np.flatnonzero(dated).tolist():
        per_text[i] = keyed_days(prf(sk, str(uniques[i])), max_days)
    return per_text[codes]


#: Sub-key purpose of the per-text date offset (tables without a person key).
TEXT_SHIFT_PURPOSE = "redact/text_dates"


def text_shift(key: bytes, text: str, max_days: int) -> int:
    """The date offset of a comment in a table without a person key: ``HMAC(key, text)`` ->
    ±[1, max_days], the draw ``person_offsets`` makes for a person id."""
    return keyed_days(prf(subkey(key, TEXT_SHIFT_PURPOSE), text), max_days)


def _writer(level: str, name: str, levels: Levels) -> Callable[[str], str]:
    """The engine's operator for a span at ``level`` (a tag when it cannot be read)."""
    return lambda span: at_level(level, span, levels) or f"<{name}>"


def at_level(level: str, span: str, levels: Levels) -> str | None:
    """A place, age or amount span written at its column's level (None: not readable as one)."""
    if level == "departement":
        return place_in_text(span)
    if level == "band":
        return age_in_text(span, levels.age_width)
    if level == "round":
        return amount_in_text(span, levels.amount_step)
    return None


def _fakeable(label: str) -> str | None:
    ent = ENTITY_ALIASES.get(label, label)
    return ent if ent in GENERATORS and ent not in TAG_ONLY and ent not in TEXT_LEVEL else None


def span_fakes(pending: list[tuple[str, list]], d: Deriver) -> dict[tuple[str, str], str]:
    """The fake of every distinct (entity, span text) of the texts, computed before the
    anonymizer runs: phones, NIRs, IBANs and file numbers through the vectorised generators
    (equal to the one-value path, tested in test_fake), the rest one value at a time. The
    operator then only looks them up."""
    from anonymizer.transform.fake import fake_many

    by_entity: dict[str, dict[str, None]] = {}
    entities: dict[str, dict[str, None] | None] = {}  # label -> its entity's values (None: not faked)
    for text, found in pending:
        for r in found:
            label = r.entity_type
            try:
                values = entities[label]
            except KeyError:
                ent = _fakeable(label)
                values = entities[label] = None if ent is None else by_entity.setdefault(ent, {})
            if values is not None:
                values[text[r.start:r.end]] = None
    out: dict[tuple[str, str], str] = {}
    for ent, values in by_entity.items():
        for v, f in zip(values, fake_many(list(values), ent, d), strict=True):
            out[(ent, v)] = f
    return out


def ner_mode(params: dict) -> bool | str:
    """The ``ner`` parameter as :func:`anonymizer.detect.find_spans` takes it (default ``auto``)."""
    value = params.get("ner", RedactParams.field_default("ner"))
    if isinstance(value, str) and value.lower() != "auto":
        return value.lower() in {"true", "yes", "1", "on"}
    return "auto" if isinstance(value, str) else bool(value)


class Operators:
    """What each span becomes, by its label, for one ``redact`` call: a fake (``known``: the
    precomputed fakes of :func:`span_fakes`, the rest on the fly), the column level of a place,
    age or amount, a held (or shifted) date, else a ``<TAG>``. Made once per label."""

    def __init__(self, mode: str, d: Deriver | None, known: dict[tuple[str, str], str] | None = None,
                 levels: Levels = DEFAULT_LEVELS, dates=None) -> None:
        self.mode, self.d, self.known, self.levels, self.dates = mode, d, known or {}, levels, dates
        self._made: dict[str, Callable[[str], str]] = {}

    def __call__(self, label: str) -> Callable[[str], str]:
        fn = self._made.get(label)
        if fn is None:
            fn = self._made[label] = self._make(label)
        return fn

    def _make(self, label: str) -> Callable[[str], str]:
        mode, d, known = self.mode, self.d, self.known
        ent = _fakeable(label)
        level = TEXT_LEVEL.get(label)
        if mode == "fake" and d is not None and level is not None:
            name = ENTITY_ALIASES.get(label, label)
            return self.dates.hold if level == "shift" and self.dates is not None else _writer(level, name, self.levels)
        if mode == "fake" and d is not None and ent is not None:
            return lambda s: known.get((ent, s)) or fake_value(s, entity=ent, deriver=d) or f"<{ent}>"
        tag = f"<{ENTITY_ALIASES.get(label, label)}>"
        return lambda _s: tag


#: presidio-anonymizer's test of the gap between two same-type spans it merges into one
_SPACES = re.compile(r"^( )+$")
#: the order spans are replaced in (``lambda r: (r.start, r.end)``, without a Python call per span)
_START_END = attrgetter("start", "end")


def merged_spans(text: str, found: list) -> list[tuple[int, int, str]] | None:
    """``(start, end, label)`` of the spans presidio-anonymizer would replace, when they are valid,
    non-empty and do not overlap (what :func:`anonymizer.detect.find_spans` gives): sorted, and two
    spans of one label separated by spaces alone merged into one (its ``merge_entities_with_spaces``).
    None for anything else (overlaps, empty or out-of-range spans): then its engine decides."""
    out: list[tuple[int, int, str]] = []
    end, n = 0, len(text)
    for r in sorted(found, key=_START_END):
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
    if len(found) == 1:  # most texts: merged_spans's checks of one span, and one slice each side
        r = found[0]
        s, e, label = r.start, r.end, r.entity_type
        if type(s) is int and type(e) is int and isinstance(label, str) and label and 0 <= s < e <= len(text):
            return text[:s] + ops(label)(text[s:e]) + text[e:]
        return _anonymize(_engine(), text, found, ops)
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


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from presidio_anonymizer import AnonymizerEngine

        _ENGINE = AnonymizerEngine()
    return _ENGINE


def _anonymize(engine, text: str, found: list, ops: Operators) -> str:
    """presidio-anonymizer's ``AnonymizerEngine`` over one text with ``ops``: the reference
    :func:`replace_spans` is tested against, and its path for spans that overlap."""
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    results = [RecognizerResult(r.entity_type, r.start, r.end, r.score) for r in found]
    operators = {label: OperatorConfig("custom", {"lambda": ops(label)}) for label in {r.entity_type for r in results}}
    return engine.anonymize(text=text, analyzer_results=results, operators=operators).text
