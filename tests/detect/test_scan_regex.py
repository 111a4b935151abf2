"""The bulk pass's scan forms and context step (issue #21) give exactly what the code before them gave.

``bulk.scan_regex`` leads a pattern that opens with a look-behind and then an optional digit or a
branch (``(?<![\\w.,])[0-3]?\\d``, ``(?<![\\w.,])(?:0[1-9]|...)``) by ``(?=\\d)`` when every match
starts with a digit; ``FrPersonRecognizer.invalidate_result`` splits with a compiled pattern;
``enhance_with_context`` reads the keywords once per span start and joined; ``analyze_patterns``
slices each match once and keeps its scores per pattern. The
references below are the code before (main at a8212c0), copied verbatim, compared on the example
extract's comments, edge cases, seeded random texts and hypothesis-drawn texts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
import regex as re
from hypothesis import given, settings
from hypothesis import strategies as st
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from anonymizer.detect import bulk
from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.bulk import (
    CONTEXT_FACTOR,
    CONTEXT_MIN_SCORE,
    SEP,
    _compiled,
    _lead,
    _scanner,
    _Texts,
    analyze_patterns,
    enhance_with_context,
    scan_regex,
)
from anonymizer.detect.recognizers.person import ACRONYMS, FrPersonRecognizer

from .test_bulk import EDGE_CASES
from .test_bulk_shortcuts import (
    PIECES,
    _dump,
    _example_texts,
    _random_texts,
    _texts_with_runs,
    ref_analyze_patterns,
)

EDGE_CASES_AND_PIECES = EDGE_CASES + PIECES

# ----------------------------------------------------------------------------- the references (old code)


def ref_invalidate_result(pattern_text: str) -> bool | None:
    """``FrPersonRecognizer.invalidate_result`` before (its ``self`` unused)."""
    upper = [w for w in re.split(r"[\s\-]+", pattern_text) if w.isupper()]
    if upper and all(w in ACRONYMS for w in upper):
        return True
    return None


def ref_enhance_with_context(texts: Sequence[str], results: list[list[RecognizerResult]],
                         recognizers: Sequence[EntityRecognizer]) -> None:
    """Raise, in place, the score of results whose recognizer's context words precede them.

    A text that holds none of a recognizer's context words (lower-cased text, substring) cannot
    have one in its keywords: its words are not read for that recognizer's results."""
    contexts = {rec.id: [c.lower() for c in rec.context] for rec in recognizers if getattr(rec, "context", None)}
    # a keyword is a lower-cased word of the text, so a substring of the lower-cased text but for
    # the final-sigma rule of str.lower: no shortcut for a context word with a sigma
    sure = {k: not any(s in c for c in ctx for s in "σς") for k, ctx in contexts.items()}
    for text, found in zip(texts, results, strict=True):
        lowered: str | None = None
        for r in found:
            rec_id = (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY)
            ctx = contexts.get(rec_id)
            if not ctx or r.score >= EntityRecognizer.MAX_SCORE:
                continue
            if sure[rec_id]:
                if lowered is None:
                    lowered = text.lower()
                if not any(c in lowered for c in ctx):
                    continue
            keywords = bulk._keywords_before(text, r.start)
            if any(c in k for c in ctx for k in keywords):
                r.score = min(EntityRecognizer.MAX_SCORE, max(r.score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))


def ref_analyze_patterns_a8212c0(texts: Sequence[str], recognizers: Sequence[PatternRecognizer], *,
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
            got = views[condition] = bulk._Texts(texts, index)
        return got

    scores: dict[tuple[int, int, str], float | None] = {}  # (recognizer, pattern, span text) -> score

    def result(rec: PatternRecognizer, pattern, text: str, start: int, end: int) -> RecognizerResult | None:
        k = (id(rec), id(pattern), text[start:end])
        score = scores[k] if k in scores else scores.setdefault(k, bulk._score(rec, pattern, k[2]))
        return None if score is None else bulk._make(rec, start, end, score)

    for rec in recognizers:
        flags = rec.global_regex_flags
        if bulk._overrides_analyze(rec):
            v = view(bulk._condition(rec, rec.patterns) if prefilter else None)
            candidates: set[int] = set()
            for pattern in rec.patterns:
                for m in bulk._compiled(pattern.regex, flags).finditer(v.joined):
                    candidates.update(v.position(j) for j in range(v.locate(m.start()),
                                                                    v.locate(max(m.end() - 1, m.start())) + 1))
            for i in sorted(candidates):
                out[i].extend(rec.analyze(texts[i], rec.supported_entities, None))
            continue
        for pattern in rec.patterns:
            v = view(bulk._condition(rec, [pattern]) if prefilter else None)
            vt, starts, locate = v.texts, v.starts, v.locate
            rx = bulk._compiled(pattern.regex, flags)
            found: dict[int, list[RecognizerResult]] = {}
            if bulk.anchored(pattern.regex):
                redo: set[int] = set(range(len(vt)))
            else:
                redo = set()
                for m in rx.finditer(v.joined):
                    s, e = m.span()
                    first = locate(s)
                    if SEP in v.joined[s:e]:
                        redo.update(range(first, locate(e - 1) + 1))
                        continue
                    r = result(rec, pattern, vt[first], s - starts[first], e - starts[first])
                    if r is not None:
                        found.setdefault(first, []).append(r)
            for j in redo:  # alone, this text's matches of this pattern may differ: redo them all
                found[j] = [r for m in rx.finditer(vt[j]) if (r := result(rec, pattern, vt[j], *m.span()))]
            for j, rs in found.items():
                out[v.position(j)].extend(rs)
    return out


# ----------------------------------------------------------------------------- inputs


def _recognizers() -> list[PatternRecognizer]:
    return [r for r in get_analyzer(False).registry.recognizers if isinstance(r, PatternRecognizer)]


def _patterns() -> list[tuple[str, int]]:
    return [(p.regex, r.global_regex_flags) for r in _recognizers() for p in r.patterns]


#: shapes around the rule: led by a look-behind, optional parts, branches, groups, non-digits
SHAPES = [
    r"(?<![\w.,])[0-3]?\d/\d", r"(?<!x)(?:0[1-9]|[1-8]\d|9[0-8])\d{3}", r"(?<=a\s{1,3})[0-3]?\d",
    r"(?<![\w])(?:1er|[0-3]?\d)\s+mars", r"(?<!\d)(?:a|\d)\d", r"(?<!\d)(?:\d|)\d", r"(?<!\d)\d?",
    r"(?<!\d)(?:\d?)+x", r"(?<!\w)[0-3]?[a-z]\d", r"(?<!\w)(?:(?:0|1)\d|2[0-3])h", r"(?<!\w)(\d)?\1\d",
    r"(?<![\w.,])(?:\d{1,3}(?:[ .]\d{3})+|\d+)", r"(?<!\w)(?=\d)[0-3]?\d", r"(?<!\w)\d*", r"(?<!\w)(?>[0-3]?)\d",
    r"(?<!\w)[0-3]??\d", r"(?<!\w)[٠-٩]?\d", r"(?<!\w)[0-3]?\d|x", r"(?<!\w)(?:[0-3]?\d|x)",
]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "0123456789" * 3 + " \n\t.,:;/-'x aemrs1er\u00a0٣é\x00"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) for _ in range(n)]


def _all_texts() -> list[str]:
    return (EDGE_CASES_AND_PIECES + _example_texts() + _random_texts(3, 800) + _texts_with_runs(5, 800)
            + _texts(9, 1500))


def _matches(rx, texts: list[str]) -> list[list[tuple]]:
    return [[(m.span(), m.groups()) for m in rx.finditer(t)] for t in texts]


# ----------------------------------------------------------------------------- equivalence


def test_the_slow_openers_of_our_patterns_are_led_by_a_digit_lookahead():
    rewritten = {p.name for r in _recognizers() for p in r.patterns
                 if scan_regex(p.regex, r.global_regex_flags) != p.regex}
    assert {"date_dmy", "date_dm_word", "cp", "cp_city", "cog"} <= rewritten
    assert not rewritten & {"amount_eur", "prenom_NOM", "civilite_nom", "phone_fr", "Non schema URL"}
    for r in _recognizers():
        for p in r.patterns:
            if p.name in rewritten:
                assert scan_regex(p.regex, r.global_regex_flags) == rf"(?=\d)(?:{p.regex})"


@pytest.mark.parametrize(("regex", "lead"), [
    (r"\d", (False, True)), (r"[0-3]?\d", (False, True)), (r"[0-3]?", (True, True)), (r"(?:0[1-9]|[1-8]\d)", (False, True)),
    (r"(?:a|\d)", (True, False)), (r"(?<!x)\d", (False, True)), (r"(?:1er|[0-3]?\d)", (False, True)),
    (r"(\d)?\1", (True, False)), (r"\d*x", (True, False)), (r"(?>\d)", (False, True)), (r"[^a]", (True, False)),
    (r"", (True, True)), (r"\b\d", (False, True)), (r"[0-9a]", (True, False)),
])
def test_lead(regex, lead):
    import re._parser as sre_parse

    assert _lead(list(sre_parse.parse(regex, 0))) == lead


def test_unreadable_verbose_or_flagged_patterns_are_left_as_they_are():
    assert scan_regex(r"(?i)(?<!x)[0-3]?\d", 0) == r"(?i)(?<!x)[0-3]?\d"
    assert scan_regex(r"(?<!x)[0-3]?\d", re.VERBOSE) == r"(?<!x)[0-3]?\d"
    assert scan_regex(r"(?<!x)[0-3]?\p{Nd}", 0) == r"(?<!x)[0-3]?\p{Nd}"  # only ``regex`` reads \p{}
    assert scan_regex(r"(?<!\w)[0-3]?[a-z]\d", 0) == r"(?<!\w)[0-3]?[a-z]\d"


@pytest.mark.parametrize("flags", [re.DOTALL | re.MULTILINE, re.DOTALL | re.MULTILINE | re.IGNORECASE])
def test_scan_forms_find_the_same_matches(flags):
    texts = _all_texts()
    joined = "\x00".join(texts)
    checked = 0
    for regex, own_flags in _patterns() + [(s, flags) for s in SHAPES]:
        got, want = _scanner(regex, own_flags), _compiled(regex, own_flags)
        assert _matches(got, [joined]) == _matches(want, [joined]), regex
        assert _matches(got, texts) == _matches(want, texts), regex
        checked += got.pattern != want.pattern
    assert checked >= 8


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789٣ ./-,\n\x00aemrsxé1", max_size=40), max_size=8))
def test_scan_forms_find_the_same_matches_on_drawn_texts(texts):
    for regex, flags in _patterns() + [(s, 0) for s in SHAPES]:
        got, want = _scanner(regex, flags), _compiled(regex, flags)
        if got is not want:
            assert _matches(got, texts) == _matches(want, texts), regex


@pytest.mark.parametrize("seed", [None, 0, 1])
def test_bulk_pass_as_before(seed):
    texts = _example_texts() + EDGE_CASES_AND_PIECES if seed is None else _random_texts(seed, 600) + _texts(seed, 300)
    recognizers = _recognizers()
    got = _dump(analyze_patterns(texts, recognizers))
    assert got == _dump(ref_analyze_patterns(texts, recognizers))
    assert got == _dump(ref_analyze_patterns_a8212c0(texts, recognizers))


def test_person_invalidation_as_before():
    rec = FrPersonRecognizer()
    words = sorted(ACRONYMS)[:20] + ["DUPONT", "Anne", "de", "LA", "Jean-Pierre", "RSA-CAF", "É", "ß", "Ü", "x"]
    rng = random.Random(4)
    spans = [rng.choice([" ", "-", " - ", "\t", "\u00a0", "  ", "\n"]).join(rng.choices(words, k=rng.randrange(1, 5)))
             for _ in range(3000)] + ["", " ", "-", "RSA", "Demande RSA", "Suivi PMI", "Jean DUPONT"]
    assert [rec.invalidate_result(s) for s in spans] == [ref_invalidate_result(s) for s in spans]
    assert sum(rec.invalidate_result(s) is True for s in spans) > 100


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["RSA", "CAF", "DUPONT", "Anne", " ", "-", "\t", "\u00a0", "É", "x", "\n"])).map("".join))
def test_person_invalidation_as_before_on_drawn_spans(span):
    assert FrPersonRecognizer().invalidate_result(span) == ref_invalidate_result(span)


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_context_as_before(seed):
    texts = _example_texts() + EDGE_CASES_AND_PIECES if seed is None else _random_texts(seed, 800)
    recognizers = _recognizers()
    got, want = analyze_patterns(texts, recognizers), analyze_patterns(texts, recognizers)
    enhance_with_context(texts, got, recognizers)
    ref_enhance_with_context(texts, want, recognizers)
    assert _dump(got) == _dump(want)
    assert sum(r.score != s.score for f, g in zip(got, analyze_patterns(texts, recognizers), strict=True)
               for r, s in zip(f, g, strict=True)) > 20  # context raised real scores


ODD_CONTEXT = ["allocat", "", "dos\x00sier", "ab", "ab ab", "ΠΑΣ", "x1", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab dos\x00sierallocatX1é.-ΠΑΣς", max_size=30), max_size=6),
       st.lists(st.sampled_from(ODD_CONTEXT), min_size=1, max_size=4))
def test_context_as_before_on_drawn_texts_and_words(texts, context):
    rec = PatternRecognizer(supported_entity="X", patterns=[Pattern("x", r"X\d", 0.2), Pattern("y", r"[a-z]\d", 0.3)],
                            supported_language="fr", context=context)
    got, want = analyze_patterns(texts, [rec]), analyze_patterns(texts, [rec])
    enhance_with_context(texts, got, [rec])
    ref_enhance_with_context(texts, want, [rec])
    assert _dump(got) == _dump(want)


def test_a_context_word_is_never_found_across_two_keywords():
    rec = PatternRecognizer(supported_entity="X", patterns=[Pattern("x", r"X\d", 0.2)], supported_language="fr",
                            context=["code postal", "dos\x00sier", "ab"])
    texts = ["code postal X1", "dos sier X2 ab", "code  postal X3", "ab X4", "codepostal X5", "xx ab yy X6"]
    got, want = analyze_patterns(texts, [rec]), analyze_patterns(texts, [rec])
    enhance_with_context(texts, got, [rec])
    ref_enhance_with_context(texts, want, [rec])
    assert _dump(got) == _dump(want)
    assert [round(f[0].score, 2) for f in got] == [0.2, 0.2, 0.2, 0.55, 0.2, 0.55]
