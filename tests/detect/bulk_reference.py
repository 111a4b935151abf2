"""The bulk pass's ``analyze_patterns`` as it was before issue #21's joined condition scan (main at
1532238), copied verbatim: each condition's texts were found by a ``search`` call per text, over all
texts. The new code finds them in one scan of the joined texts (``bulk.holding``), N digits in a row
among the texts known to hold fewer; tests/detect/test_bulk_glue_equivalence.py compares the two."""

from __future__ import annotations

from collections.abc import Sequence

from presidio_analyzer import PatternRecognizer, RecognizerResult

from anonymizer.detect.bulk import (
    SEP,
    _compiled,
    _condition,
    _make,
    _overrides_analyze,
    _scanner,
    _score,
    _Texts,
    anchored,
)


def analyze_patterns(texts: Sequence[str], recognizers: Sequence[PatternRecognizer], *,
                     prefilter: bool = True) -> list[list[RecognizerResult]]:
    """Every pattern recognizer's results for each text, scores before context.

    Each pattern runs once over the texts that meet its condition (``PREFILTERS``, or as many
    digits in a row as its every match holds: :func:`digit_run`), joined. A span's validation
    (``validate_result`` / ``invalidate_result``, functions of its text) runs once per distinct
    span text and pattern. Each text's results come in the recognizers' order, then their
    patterns', then the matches'."""
    out: list[list[RecognizerResult]] = [[] for _ in texts]
    if not texts:
        return out
    views: dict[object, _Texts] = {}

    def view(condition) -> _Texts:
        got = views.get(condition)
        if got is None:
            index = None
            if condition is not None:  # no condition matches the separator: text by text is the same
                search = condition.search
                index = [i for i, t in enumerate(texts) if search(t)]
                if len(index) == len(texts):
                    index = None
            got = views[condition] = _Texts(texts, index)
        return got

    scores: dict[tuple[int, int], dict[str, float | None]] = {}  # (recognizer, pattern) -> span text -> score

    def result(rec: PatternRecognizer, pattern, text: str, start: int, end: int) -> RecognizerResult | None:
        known, span = scores.setdefault((id(rec), id(pattern)), {}), text[start:end]
        score = known[span] if span in known else known.setdefault(span, _score(rec, pattern, span))
        return None if score is None else _make(rec, start, end, score)

    for rec in recognizers:
        flags = rec.global_regex_flags
        if _overrides_analyze(rec):
            v = view(_condition(rec, rec.patterns) if prefilter else None)
            candidates: set[int] = set()
            for pattern in rec.patterns:
                for m in _compiled(pattern.regex, flags).finditer(v.joined):
                    candidates.update(v.position(j) for j in range(v.locate(m.start()),
                                                                    v.locate(max(m.end() - 1, m.start())) + 1))
            for i in sorted(candidates):
                out[i].extend(rec.analyze(texts[i], rec.supported_entities, None))
            continue
        for pattern in rec.patterns:
            v = view(_condition(rec, [pattern]) if prefilter else None)
            vt, starts, locate = v.texts, v.starts, v.locate
            rx = _scanner(pattern.regex, flags)
            found: dict[int, list[RecognizerResult]] = {}
            if anchored(pattern.regex):
                redo: set[int] = set(range(len(vt)))
            else:
                redo = set()
                joined = v.joined
                known = scores.setdefault((id(rec), id(pattern)), {})  # span text -> score
                for m in rx.finditer(joined):
                    s, e = m.span()
                    first = locate(s)
                    span = joined[s:e]  # the text's own characters when it holds no separator
                    if SEP in span:
                        redo.update(range(first, locate(e - 1) + 1))
                        continue
                    score = known[span] if span in known else known.setdefault(span, _score(rec, pattern, span))
                    if score is not None:
                        off = starts[first]
                        found.setdefault(first, []).append(_make(rec, s - off, e - off, score))
            for j in redo:  # alone, this text's matches of this pattern may differ: redo them all
                found[j] = [r for m in rx.finditer(vt[j]) if (r := result(rec, pattern, vt[j], *m.span()))]
            for j, rs in found.items():
                out[v.position(j)].extend(rs)
    return out
