"""PII spans in free text: batched spaCy (``nlp.pipe``) + the French recognizers.

``find_spans`` is the one entry point for free text: ``anon scan`` calls it on a sample of
a comment column, and ``sanitize``'s ``redact`` action calls it on every cell. Overlapping
spans are resolved here, not by Presidio's score-only rule: an identifier (NIR, IBAN,
phone...) beats a date, a location or a credit card covering the same characters, so
``06.12.34.56.78`` is a PHONE and a Luhn-passing NIR is a NIR.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import nullcontext

from presidio_analyzer import RecognizerResult

from anonymizer.detect.analyzer import get_analyzer, recycle_if_grown
from anonymizer.detect.entities import ALIASES, TEXT_PRIORITY
from anonymizer.detect.recognizers.person import ACRONYMS, CIVILITIES

# Presidio's and other labels -> the project vocabulary, and which span wins an overlap
# (higher wins; then score, then length): the entity table
ENTITY_NAMES = ALIASES
PRIORITY = TEXT_PRIORITY
SCORE_THRESHOLD = 0.35
BATCH_SIZE = 64
CHUNK_CHARS = 20_000
_NOT_NAMES = ACRONYMS | CIVILITIES
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Ý][\w'’\-]*")
#: what may end the text before a word that starts a sentence (or a bracket, a quotation)
_SENTENCE_START = ".!?:;\u2013\u2014-(\"«"


def resolve_overlaps(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Keep, among overlapping spans, the one with the highest (priority, score, length)."""
    ranked = sorted(
        results, key=lambda r: (PRIORITY.get(r.entity_type, 10), r.score, r.end - r.start), reverse=True
    )
    kept: list[RecognizerResult] = []
    for r in ranked:
        if all(r.end <= k.start or r.start >= k.end for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.start)


def _rename(results: list[RecognizerResult]) -> list[RecognizerResult]:
    for r in results:
        r.entity_type = ENTITY_NAMES.get(r.entity_type, r.entity_type)
    return results


def _chunks(text: str, size: int) -> list[tuple[int, str]]:
    """Split a long text at whitespace into pieces of about ``size`` characters, with offsets."""
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out


def needs_ner(text: str, spans: list[RecognizerResult]) -> bool:
    """Whether a capitalised word is left unexplained by the recognizers' spans.

    ``ner="auto"`` runs spaCy only on such texts: a word starting with a capital that is not
    the first word of a sentence, not inside a detected span and not a known acronym may be
    a name the patterns did not shape (``concernant Julien``, ``chez Dupont``). Texts made
    only of lower-case words, numbers and detected identifiers skip the model.
    """
    covered = [(r.start, r.end) for r in spans]
    for m in _CAPITALISED.finditer(text):
        s = m.start()
        j = s - 1  # the last character before the word that is not white space (str.rstrip's)
        while j >= 0 and text[j].isspace():
            j -= 1
        if j < 0 or text[j] in _SENTENCE_START:
            continue
        if m.group(0).upper() in _NOT_NAMES or any(a <= s < b for a, b in covered):
            continue
        return True
    return False


#: components whose output (tags, morphology, lemmas, the parse, shared vectors) the NER of a
#: model with its own tok2vec does not read: its features are the tokens' NORM, PREFIX, SUFFIX, SHAPE
_NOT_READ_BY_NER = {"tok2vec", "morphologizer", "tagger", "lemmatizer", "trainable_lemmatizer", "parser", "senter",
                    "attribute_ruler"}
#: what an attribute ruler may set without changing what NER reads
_RULER_ATTRS = {"TAG", "POS", "MORPH", "DEP", "LEMMA", "SENT_START"}


def ner_only(nlp):
    """A ``select_pipes`` context with only what spaCy's NER needs: the components of
    ``_NOT_READ_BY_NER`` are left out unless NER listens to them or an attribute ruler writes
    another attribute. The entities are the same (fr_core_news_sm: half the time on comments)."""
    if nlp is None or "ner" not in getattr(nlp, "pipe_names", ()):
        return nullcontext()
    from spacy.attrs import IDS

    names = {v: k for k, v in IDS.items()}
    off = []
    for name, pipe in nlp.pipeline:
        if name == "ner" or "ner" in (getattr(pipe, "listening_components", None) or []):
            continue
        if nlp.get_pipe_meta(name).factory not in _NOT_READ_BY_NER:
            continue
        if nlp.get_pipe_meta(name).factory == "attribute_ruler" and any(
                names.get(a, a) not in _RULER_ATTRS for attrs in getattr(pipe, "attrs", []) for a in attrs):
            continue
        off.append(name)
    return nlp.select_pipes(disable=off) if off else nullcontext()


def find_spans(
    texts: Sequence[str], *, ner: bool | str = True, score_threshold: float = SCORE_THRESHOLD
) -> list[list[RecognizerResult]]:
    """Detected PII spans for each text (same order), entity names from the project vocabulary.

    The pattern recognizers run over all texts at once (:mod:`.bulk`: one regex pass per
    pattern, Presidio's validation and score rules, context words). NER — spaCy over
    ``nlp.pipe`` in batches of 64, presidio.md §5, with only the components NER reads
    (:func:`ner_only`) — runs on every text (``ner=True``), on
    none (``False``), or only on texts with a capitalised word no recognizer explained
    (``"auto"``, see :func:`needs_ner`). Texts longer than ``CHUNK_CHARS`` are cut at
    whitespace into pieces (spaCy refuses texts over 1,000,000 characters) and the spans
    shifted back; a span across a cut may be missed.
    """
    from presidio_analyzer import PatternRecognizer

    from anonymizer.detect.bulk import analyze_patterns, enhance_with_context

    out: list[list[RecognizerResult]] = [[] for _ in texts]
    pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
    for i, t in enumerate(texts):
        if isinstance(t, str) and t.strip():
            if len(t) <= CHUNK_CHARS:
                pieces.append((i, 0, t))
            else:
                pieces.extend((i, off, p) for off, p in _chunks(t, CHUNK_CHARS))
    if not pieces:
        return out
    batch = [p for _, _, p in pieces]
    patterns_only = get_analyzer(False)
    recognizers = [r for r in patterns_only.registry.recognizers if isinstance(r, PatternRecognizer)]
    found = analyze_patterns(batch, recognizers)
    if ner:
        todo = [j for j, piece in enumerate(batch) if ner is True or needs_ner(piece, found[j])]
        if todo:
            analyzer = get_analyzer(True)
            nlp_recognizers = [r for r in analyzer.registry.recognizers if not isinstance(r, PatternRecognizer)]
            with ner_only((getattr(analyzer.nlp_engine, "nlp", None) or {}).get("fr")):
                artifacts = analyzer.nlp_engine.process_batch([batch[j] for j in todo], language="fr",
                                                              batch_size=BATCH_SIZE)
                for j, (_, art) in zip(todo, artifacts, strict=True):
                    for rec in nlp_recognizers:
                        found[j].extend(rec.analyze(batch[j], rec.supported_entities, art))
            del artifacts, nlp_recognizers
            recycle_if_grown(analyzer)
            del analyzer
    enhance_with_context(batch, found, recognizers)
    for (i, off, _), res in zip(pieces, found, strict=True):
        for r in res:
            if r.score >= score_threshold:
                r.start += off
                r.end += off
                out[i].append(r)
    return [resolve_overlaps(_rename(res)) if res else res for res in out]
