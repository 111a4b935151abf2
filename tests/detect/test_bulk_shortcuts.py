"""The bulk pattern pass's shortcuts (issue #21) give exactly what the code before them gave.

``analyze_patterns`` now runs a pattern whose every match holds N digits in a row only on the texts
that hold as many (:func:`digit_run`, read from the pattern's parse) and validates each distinct span
text once; ``needs_ner`` looks back for the previous character instead of copying the text; the
context step after them (unchanged) must still see the same results. The references below are the functions as they were (main
at 283e449), copied verbatim, compared on the example extract's comments, edge cases and seeded
random texts (digits or none, separators, accents, context words, capitals after punctuation),
with the results' order, scores and metadata.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path

import pandas as pd
import pytest
import regex as re
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from anonymizer.detect import bulk
from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.bulk import (
    CONTEXT_FACTOR,
    CONTEXT_MIN_SCORE,
    CONTEXT_PREFIX,
    PREFILTERS,
    SEP,
    _compiled,
    _overrides_analyze,
    _stop_words,
    analyze_patterns,
    anchored,
    digit_run,
    enhance_with_context,
)
from anonymizer.detect.text import _CAPITALISED, _NOT_NAMES, SCORE_THRESHOLD, needs_ner

_WORD = re.compile(r"\w+")

# ----------------------------------------------------------------------------- the references (old code)


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


def ref_analyze_patterns(texts: Sequence[str], recognizers: Sequence[PatternRecognizer], *,
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
            subset = ref_analyze_patterns([texts[i] for i in keep], [rec], prefilter=False)
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


def ref_enhance_with_context(texts: Sequence[str], results: list[list[RecognizerResult]],
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


def ref_needs_ner(text: str, spans: list[RecognizerResult]) -> bool:
    """Whether a capitalised word is left unexplained by the recognizers' spans.

    ``ner="auto"`` runs spaCy only on such texts: a word starting with a capital that is not
    the first word of a sentence, not inside a detected span and not a known acronym may be
    a name the patterns did not shape (``concernant Julien``, ``chez Dupont``). Texts made
    only of lower-case words, numbers and detected identifiers skip the model.
    """
    covered = [(r.start, r.end) for r in spans]
    for m in _CAPITALISED.finditer(text):
        s = m.start()
        before = text[:s].rstrip()
        if not before or before[-1] in ".!?:;\u2013\u2014-(\"«":
            continue
        if m.group(0).upper() in _NOT_NAMES or any(a <= s < b for a, b in covered):
            continue
        return True
    return False


# ----------------------------------------------------------------------------- inputs

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"
TEXT_COLUMNS = ["COMMENT_GEST", "COMMENT_CTRL", "MOTIF_SUSP", "OBS_TS", "OBJ_DERCOURRIEL"]
PIECES = ["Appel de", "Mme", "M.", "Jean DUPONT", "Anaïs COURTOIS-LE GOFF", "le", "12/03/2021", "14/10", "3 mars 2021",
          "tél.", "06 12 34 56 78", "+33 6 12 34 56 78", "IBAN", "FR76 3000 6000 0112 3456 7890 189", "NIR",
          "1 85 03 75 056 123 45", "N° allocataire :", "1234567", "123 4567890", "75013", "2A004", "33000 Bordeaux",
          "12 rue des Lilas", "693,58 €", "€ 12", "42 ans", "depuis 3 ans", "jean.dupont@example.fr", "www.caf.fr",
          "192.168.1.12", "fe80::1ff:fe23:4567:890a", "4111 1111 1111 1111", "BNPAFRPPXXX", "RAS", "CMP", "ASE",
          "concernant Julien", "chez Dupont", ".", ",", ":", "—", "(", ")", "«", "»", "\n", "\t", "\u00a0", "Échange",
          "écart", "Œuvre", "ß", "٣", "x", "-", "/", "'", "’", "Madame Martin", "Dr D'ARTAGNAN", "voisin", "nom",
          "téléphone", "rappeler", "SIRET 732 829 320 00074", "SIREN 732 829 320"]


def _example_texts() -> list[str]:
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    return [t for c in TEXT_COLUMNS for t in df[c].unique() if t.strip()]


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = [rng.choice(PIECES) for _ in range(rng.randrange(0, 12))]
        if rng.random() < 0.4:  # no digit at all: what the digit shortcut skips
            words = [w for w in words if not re.search(r"\d", w)]
        texts.append(rng.choice([" ", "", "  ", " \n"]).join(words) if rng.random() < 0.2 else " ".join(words))
    return texts


def _recognizers() -> list[PatternRecognizer]:
    return [r for r in get_analyzer(False).registry.recognizers if isinstance(r, PatternRecognizer)]


def _dump(results: list[list[RecognizerResult]]) -> list[list[tuple]]:
    """Everything a result holds, in order (the order decides ties in resolve_overlaps)."""
    return [[(r.entity_type, r.start, r.end, r.score, sorted((r.recognition_metadata or {}).items()))
             for r in found] for found in results]


# ----------------------------------------------------------------------------- equivalence


@pytest.mark.parametrize("seed", [None, *range(6)])
def test_patterns_and_context_as_before(seed):
    texts = _example_texts() if seed is None else _random_texts(seed, 600)
    recognizers = _recognizers()
    got, want = analyze_patterns(texts, recognizers), ref_analyze_patterns(texts, recognizers)
    assert _dump(got) == _dump(want)
    assert sum(map(len, want)) > 100  # real detections, not only empty lists
    enhance_with_context(texts, got, recognizers)
    ref_enhance_with_context(texts, want, recognizers)
    assert _dump(got) == _dump(want)
    for text, found in zip(texts, want, strict=True):
        kept = [r for r in found if r.score >= SCORE_THRESHOLD]
        assert needs_ner(text, kept) == ref_needs_ner(text, kept), text
        assert needs_ner(text, []) == ref_needs_ner(text, []), text


def test_context_raises_some_scores_and_a_word_across_the_span_start_counts_cut():
    rec = PatternRecognizer(supported_entity="X", patterns=[Pattern("x", r"X\d+", 0.2)], supported_language="fr",
                            context=["allocat", "dossier"])
    texts = ["allocataire X12", "le dossierX12 X13", "X1 X2 X3 X4 X5 X6 X7 nom X8", "rien X9", "",
             "dossier alpha beta gamma delta epsilon X1", "abX12allocataire"]
    got, want = analyze_patterns(texts, [rec]), ref_analyze_patterns(texts, [rec])
    enhance_with_context(texts, got, [rec])
    ref_enhance_with_context(texts, want, [rec])
    assert _dump(got) == _dump(want)
    assert [[round(r.score, 2) for r in f] for f in got] == [[0.55], [0.55, 0.55], [0.2] * 8, [0.2], [], [0.2], [0.2]]


def test_a_context_word_with_a_final_sigma_is_looked_for_in_the_words():
    # "ΠΑΣ" cut before X1 lower-cases to "πας" (final sigma), the whole text to "πασx1": the
    # shortcut (a context word absent from the lower-cased text) must not apply
    rec = PatternRecognizer(supported_entity="X", patterns=[Pattern("x", r"X\d+", 0.2)], supported_language="fr",
                            context=["πας"])
    texts = ["ΠΑΣX1", "ΠΑΣ X2"]
    got, want = analyze_patterns(texts, [rec]), ref_analyze_patterns(texts, [rec])
    enhance_with_context(texts, got, [rec])
    ref_enhance_with_context(texts, want, [rec])
    assert _dump(got) == _dump(want)
    assert [round(f[0].score, 2) for f in got] == [0.55, 0.55]


def test_a_text_with_only_separators_or_one_text():
    recognizers = _recognizers()
    for texts in (["06 12 34 56 78"], [""], ["x"] * 3, ["\x00"], ["12/03/2021"], []):
        assert _dump(analyze_patterns(texts, recognizers)) == _dump(ref_analyze_patterns(texts, recognizers))


def test_each_distinct_span_is_validated_once(monkeypatch):
    rec = next(r for r in _recognizers() if r.name == "FrPhoneRecognizer")
    calls = []
    real = type(rec).validate_result
    monkeypatch.setattr(type(rec), "validate_result", lambda self, t: calls.append(t) or real(self, t))
    texts = ["appel 06 12 34 56 78", "rappel 06 12 34 56 78", "06 12 34 56 78", "sans", "fixe 01 40 00 00 00"] * 50
    got = analyze_patterns(texts, [rec])
    assert sorted(calls) == ["01 40 00 00 00", "06 12 34 56 78"]
    calls.clear()
    assert _dump(got) == _dump(ref_analyze_patterns(texts, [rec]))
    assert len(calls) == 200  # the old code validated every occurrence


# ----------------------------------------------------------------------------- the digit shortcut


@pytest.mark.parametrize(("regex", "run"), [
    (r"\d", 1), (r"[0-9]+", 1), (r"a?\d{2}", 2), (r"(?:0[1-9]|[1-8]\d)\d{3}", 5), (r"(?:\+|00)33", 2),
    (r"(?>x\d)", 1), (r"\d++", 1), (r"(a|b)\d", 1), (r"[0-3]?\d", 1), (r"\d(?=x)\b\d", 2), (r"\d\d?\d", 2),
    (r"\d{2}[ .]?\d{3}", 3), (r"\d{2}x\d{3}", 3), (r"(?:12|345)", 2), (r"(?:ab\d|\dx)", 1), (r"(\d)\1\d", 1),
    (r"\d*", 0), (r"\d?", 0), (r"(?:a|\d)", 0), (r"(?:ab|\dx)", 0), (r"(?=\d)a", 0), (r"(?<=\d)a", 0),
    (r"[^a]", 0), (r"[0-9a]", 0), (r"[0-z]", 0), (r"\w", 0), (r"(\d)?x\1", 0), (r"a|b", 0), (r"[\d.]", 0),
    (r"x{0,3}", 0), (r"[", 0),  # not a pattern: no shortcut
])
def test_digit_run(regex, run):
    assert digit_run(regex, 0) == run


def _texts_with_runs(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "".join(sorted({c for r in _recognizers() for p in r.patterns for c in p.regex}))
    alphabet += " \n.,:;/-'’€@ABCDEFXYZabcdefxyzéÉàÀ\u00a0" + "0123456789" * 3
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80))) for _ in range(n)]


def test_no_pattern_matches_a_text_with_fewer_digits_in_a_row_than_its_run():
    recognizers = _recognizers()
    runs = {(r.name, p.regex): digit_run(p.regex, r.global_regex_flags) for r in recognizers for p in r.patterns}
    assert {n for (name, _), n in runs.items() if name == "FrPostalCodeRecognizer"} == {5}
    assert min(n for (name, _), n in runs.items() if name in {"FrDateRecognizer", "FrPhoneRecognizer",
                                                                "FrNirRecognizer", "FrAmountRecognizer"}) >= 1
    assert {n for (name, _), n in runs.items() if name == "FrPersonRecognizer"} == {0}
    texts = _texts_with_runs(7, 3000) + _random_texts(11, 2000) + _example_texts()
    longest = [max((len(m) for m in re.findall(r"\d+", t)), default=0) for t in texts]
    checked = 0
    for rec in recognizers:
        for p in rec.patterns:
            n = runs[(rec.name, p.regex)]
            rx = _compiled(p.regex, rec.global_regex_flags)
            for t, most in zip(texts, longest, strict=True):
                if most < n:
                    assert not rx.search(t), (rec.name, t)
                    checked += 1
    assert checked > 50_000


def test_each_pattern_runs_on_the_texts_with_its_digits_only(monkeypatch):
    views = []
    real = bulk._Texts
    monkeypatch.setattr(bulk, "_Texts", lambda texts, index: views.append(index) or real(texts, index))
    texts = ["appel le 12/03/2021", "rien à signaler", "tél 06 12 34 56 78", "Mme DUPONT", "75013 Paris", "n° 7"]
    got = analyze_patterns(texts, _recognizers())
    assert [0, 2, 4, 5] in views and [0, 2, 4] in views and [4] in views and None in views
    assert _dump(got) == _dump(ref_analyze_patterns(texts, _recognizers()))
