"""Presidio pattern recognizers run over many texts at once.

``AnalyzerEngine.analyze`` costs about 350 µs per text even with no NLP model (measured on
the 8,530 distinct comments of the 10,204-row example: 3.0 s), which makes the free text of
a million-row extract take minutes before any NER. The work itself is a few regular
expressions: here each pattern runs **once** over the texts joined by ``\\x00`` (no pattern
of ours or Presidio's matches that character, and ``\\b``/look-arounds see it as they see a
text boundary), matches are mapped back to their text, and every candidate goes through the
recognizer's own ``validate_result`` / ``invalidate_result`` with Presidio's score rules
(valid -> 1.0, invalid -> dropped). Exactness is kept where the shortcut could differ:

* a match that spans the separator is discarded and that pattern re-run on each text it
  touched, alone;
* a pattern using ``^`` or ``$``, and a recognizer overriding ``analyze`` (our IBAN
  trimming), run per text — the latter only on texts where one of its patterns matches.

Context words raise scores as Presidio's ``LemmaContextAwareEnhancer`` does (+0.35, at
least 0.4, among the five keywords before the span, substring match), with lower-cased
words standing in for spaCy lemmas so it works without a model.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import regex as re
from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult

SEP = "\x00"
CONTEXT_FACTOR = 0.35
CONTEXT_MIN_SCORE = 0.4
CONTEXT_PREFIX = 5
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's French stop words, read from their own file: importing ``spacy.lang.fr`` compiles
    its tokenizer exceptions (seconds of regular expressions), which a run without NER never needs."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("spacy")  # finds the package without importing it
        origin = spec.origin if spec else None
        if origin is None:
            return frozenset()
        path = Path(origin).parent / "lang" / "fr" / "stop_words.py"
        namespace: dict = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102 - spaCy's data
        return frozenset(namespace["STOP_WORDS"])
    except Exception:  # noqa: BLE001 - spaCy absent or laid out otherwise: every word counts
        return frozenset()


@lru_cache(maxsize=512)
def _compiled(regex: str, flags: int):
    return re.compile(regex, flags=flags)


_ESCAPED = re.compile(r"\\.")
_CLASS = re.compile(r"\[\^?\]?[^\]]*\]")


def anchored(regex: str) -> bool:
    """Whether a pattern uses ``^`` or ``$`` as an anchor (outside escapes and ``[...]``)."""
    bare = _CLASS.sub("", _ESCAPED.sub("", regex))
    return "^" in bare or "$" in bare


#: Necessary conditions of Presidio's generic recognizers (a URL has a dot before its TLD, an
#: e-mail an ``@``, an IP address a colon or a dotted digit pair): their patterns are the
#: slowest to scan (the URL one tries every position), so they run only on texts that pass.
PREFILTERS = {
    "UrlRecognizer": re.compile(r"\.[A-Za-z]"),
    "EmailRecognizer": re.compile(r"@"),
    "IpRecognizer": re.compile(r":|\d\.\d"),
}


def _overrides_analyze(rec: PatternRecognizer) -> bool:
    return type(rec).analyze is not PatternRecognizer.analyze


def _result(rec: PatternRecognizer, pattern, text: str, start: int, end: int) -> RecognizerResult | None:
    """One candidate scored as ``PatternRecognizer.__analyze_patterns`` scores it."""
    matched = text[start:end]
    if not matched:
        return None
    score = pattern.score
    valid = rec.validate_result(matched)
    if valid is not None:
        score = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
    if rec.invalidate_result(matched):
        score = EntityRecognizer.MIN_SCORE
    if score <= EntityRecognizer.MIN_SCORE:
        return None
    return RecognizerResult(
        rec.supported_entities[0], start, end, score,
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: rec.name,
                              RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: rec.id},
    )


def analyze_patterns(texts: Sequence[str], recognizers: Sequence[PatternRecognizer], *,
                     prefilter: bool = True) -> list[list[RecognizerResult]]:
    """Every pattern recognizer's results for each text, scores before context."""
    out: list[list[RecognizerResult]] = [[] for _ in texts]
    if not texts:
        return out
    joined = SEP.join(texts)
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def locate(pos: int) -> int:
        return bisect_right(starts, pos) - 1

    for rec in recognizers:
        needed = PREFILTERS.get(rec.name) if prefilter else None
        if needed is not None:
            keep = sorted({locate(m.start()) for m in needed.finditer(joined)})
            subset = analyze_patterns([texts[i] for i in keep], [rec], prefilter=False)
            for i, found in zip(keep, subset, strict=True):
                out[i].extend(found)
            continue
        flags = rec.global_regex_flags
        if _overrides_analyze(rec):
            candidates: set[int] = set()
            for pattern in rec.patterns:
                for m in _compiled(pattern.regex, flags).finditer(joined):
                    candidates.update(range(locate(m.start()), locate(max(m.end() - 1, m.start())) + 1))
            for i in sorted(candidates):
                out[i].extend(rec.analyze(texts[i], rec.supported_entities, None))
            continue
        for pattern in rec.patterns:
            rx = _compiled(pattern.regex, flags)
            found: dict[int, list[RecognizerResult]] = {}
            if anchored(pattern.regex):
                redo: set[int] = set(range(len(texts)))
            else:
                redo = set()
                for m in rx.finditer(joined):
                    s, e = m.span()
                    first = locate(s)
                    if SEP in joined[s:e]:
                        redo.update(range(first, locate(e - 1) + 1))
                        continue
                    r = _result(rec, pattern, texts[first], s - starts[first], e - starts[first])
                    if r is not None:
                        found.setdefault(first, []).append(r)
            for i in redo:  # alone, this text's matches of this pattern may differ: redo them all
                found[i] = [r for m in rx.finditer(texts[i]) if (r := _result(rec, pattern, texts[i], *m.span()))]
            for i, rs in found.items():
                out[i].extend(rs)
    return out


def _keywords_before(text: str, start: int) -> list[str]:
    stop = _stop_words()
    words = [w.lower() for w in _WORD.findall(text, 0, start)]
    return [w for w in words if w not in stop][-CONTEXT_PREFIX:]


def enhance_with_context(texts: Sequence[str], results: list[list[RecognizerResult]],
                         recognizers: Sequence[EntityRecognizer]) -> None:
    """Raise, in place, the score of results whose recognizer's context words precede them."""
    contexts = {rec.id: [c.lower() for c in rec.context] for rec in recognizers if getattr(rec, "context", None)}
    for text, found in zip(texts, results, strict=True):
        for r in found:
            ctx = contexts.get((r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY))
            if not ctx or r.score >= EntityRecognizer.MAX_SCORE:
                continue
            keywords = _keywords_before(text, r.start)
            if any(c in k for c in ctx for k in keywords):
                r.score = min(EntityRecognizer.MAX_SCORE, max(r.score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))
