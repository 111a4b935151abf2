"""``redact``: free text with its detected spans replaced, through presidio-anonymizer.

Spans come from a detector ``(texts: list[str]) -> list[list[RecognizerResult]]`` —
``anonymizer.detect.find_spans`` by default (imported lazily), or any callable given as
``params['detector']`` (tests use a deterministic one). Each distinct text is analysed once,
in one batch. ``mode: fake`` (default) replaces a span by the very fake the ``fake`` action
gives that entity and value (so "Jean DUPONT" in a comment becomes the same fake as in the
name columns); entities without a generator, and ``mode: tag``, get ``<ENTITY>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, field_validator

from anonymizer.detect.entities import ALIASES, TAG_IN_TEXT
from anonymizer.settings import ActionParams
from anonymizer.transform.base import Deriver, TransformContext, from_text, require_key, to_text
from anonymizer.transform.fake import GENERATORS, fake_value

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

    @field_validator("ner")
    @classmethod
    def _ner(cls, value: Any) -> Any:
        if isinstance(value, str) and value.lower() not in NER_WORDS:
            raise ValueError("must be auto, true or false")
        return value


#: ``ner`` as text (``ner_mode``): ``auto``, or a yes/no word
NER_WORDS = {"auto", "true", "yes", "1", "on", "false", "no", "0", "off"}


def redact(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Params: ``mode`` (``fake`` | ``tag``), ``detector`` (callable), ``ner`` (``auto``: spaCy only
    where a capitalised word is left unexplained; ``true``: on every text; ``false``: never),
    ``entities`` (only these entity labels; default all), ``min_score`` (0)."""
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
    results = dict.fromkeys(uniques, "")
    engine = _engine()
    d = Deriver(key) if mode == "fake" else None
    pending: list[tuple[str, list]] = []
    for t, found in zip(todo, spans, strict=True):
        found = [r for r in found if r.score >= min_score and (not only or r.entity_type in only)]
        if not found:
            results[t] = t
        elif SEP in t:
            results[t] = _anonymize(engine, t, found, mode, d)
        else:
            pending.append((t, found))
    known = span_fakes(pending, d) if d is not None else {}
    for i in range(0, len(pending), CHUNK_TEXTS):
        chunk = pending[i:i + CHUNK_TEXTS]
        for (t, _), done in zip(chunk, _anonymize_many(engine, chunk, mode, d, known), strict=True):
            results[t] = done
    out = [results[u] for u in uniques]
    return from_text(series, [out[c] for c in codes], numeric=False)


def _fakeable(label: str) -> str | None:
    ent = ENTITY_ALIASES.get(label, label)
    return ent if ent in GENERATORS and ent not in TAG_ONLY else None


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


def ner_mode(params: dict) -> bool | str:
    """The ``ner`` parameter as :func:`anonymizer.detect.find_spans` takes it (default ``auto``)."""
    value = params.get("ner", RedactParams.field_default("ner"))
    if isinstance(value, str) and value.lower() != "auto":
        return value.lower() in {"true", "yes", "1", "on"}
    return "auto" if isinstance(value, str) else bool(value)


_ENGINE = None


def _engine():
    global _ENGINE
    if _ENGINE is None:
        from presidio_anonymizer import AnonymizerEngine

        _ENGINE = AnonymizerEngine()
    return _ENGINE


# One AnonymizerEngine call per this many texts, joined by SEP: the engine's fixed cost per
# call (copies, sorting, operator set-up: ~50 µs) dominated once detection became a bulk pass.
CHUNK_TEXTS = 256
SEP = "\x00"


def _anonymize_many(engine, chunk: list[tuple[str, list]], mode: str, d: Deriver | None,
                    known: dict[tuple[str, str], str] | None = None) -> list[str]:
    """``_anonymize`` of several texts in one engine call: spans shifted into the joined text
    (they never cross a separator, and the engine merges only same-type spans split by spaces)."""
    joined, offset, shifted = [], 0, []
    for text, found in chunk:
        shifted.extend(_Span(r.entity_type, r.start + offset, r.end + offset, r.score) for r in found)
        joined.append(text)
        offset += len(text) + len(SEP)
    out = _anonymize(engine, SEP.join(joined), shifted, mode, d, known).split(SEP)
    if len(out) != len(chunk):  # cannot happen unless a replacement held SEP: redo one by one
        return [_anonymize(engine, t, found, mode, d, known) for t, found in chunk]
    return out


class _Span:
    __slots__ = ("entity_type", "start", "end", "score")

    def __init__(self, entity_type: str, start: int, end: int, score: float) -> None:
        self.entity_type, self.start, self.end, self.score = entity_type, start, end, score


def _anonymize(engine, text: str, found: list, mode: str, d: Deriver | None,
               known: dict[tuple[str, str], str] | None = None) -> str:
    """One engine call; ``known``: precomputed span fakes (:func:`span_fakes`), the rest on the fly."""
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    results = [RecognizerResult(r.entity_type, r.start, r.end, r.score) for r in found]
    operators = {}
    known = known or {}
    for label in {r.entity_type for r in results}:
        ent = _fakeable(label)
        if mode == "fake" and d is not None and ent is not None:
            operators[label] = OperatorConfig("custom", {"lambda": (
                lambda s, ent=ent: known.get((ent, s)) or fake_value(s, entity=ent, deriver=d) or f"<{ent}>")})
        else:
            tag = ENTITY_ALIASES.get(label, label)
            operators[label] = OperatorConfig("replace", {"new_value": f"<{tag}>"})
    return engine.anonymize(text=text, analyzer_results=results, operators=operators).text
