"""The NER model is loaded without its vocabulary's strings (``detect.analyzer.NOT_READ``, issue #21
start-up): every entity and token attribute is the one of the model loaded as before (the reference:
the previous call, ``spacy.load(model, exclude=list(NOT_LOADED))``), on the example comments, seeded
random texts and hypothesis-drawn texts, with only NER running (as ``find_spans`` runs it) and with
the attribute ruler too; and Presidio's NLP artifacts (what its spaCy recognizer reads) are the same."""

from __future__ import annotations

import random
from contextlib import nullcontext
from functools import lru_cache

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.detect import token_match
from anonymizer.detect.analyzer import NOT_LOADED, NOT_READ, SPACY_MODEL, get_analyzer
from anonymizer.detect.text import ner_only

from .test_bulk_shortcuts import PIECES, _example_texts

NAMES = ["Jean-Marc Lefèvre-Dubois", "Saint-Étienne-du-Rouvray", "aujourd'hui", "Ω-Ωmega", "Zoë", "CAF", "O'Neil",
         "l'Haÿ-les-Roses", "ﬁnance", "Ⅻ", "😀", "\u200b", "Mme Ngozi Okonkwo-Adebayo", "chez Dupont", "New-York"]


@lru_cache(maxsize=1)
def _models():
    token_match.seed(SPACY_MODEL)
    before = spacy.load(SPACY_MODEL, exclude=list(NOT_LOADED))  # the reference: the call before
    now = spacy.load(SPACY_MODEL, exclude=[*NOT_LOADED, *NOT_READ])
    return before, now


def _dump(nlp, texts: list[str], ner_alone: bool) -> list:
    out = []
    with ner_only(nlp) if ner_alone else nullcontext():
        for doc in nlp.pipe(texts, batch_size=64):
            out.append(([(e.start_char, e.end_char, e.label_, e.label) for e in doc.ents],
                        [(t.text, t.idx, t.lemma_, t.norm_, t.lower_, t.shape_, t.prefix_, t.suffix_, t.is_stop,
                          t.is_punct, t.like_num, t.pos_, t.tag_, str(t.morph), t.ent_type_, t.ent_iob_) for t in doc]))
    return out


def _random_texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(PIECES + NAMES) for _ in range(rng.randrange(1, 14))) for _ in range(n)]


def test_the_analyzers_model_has_no_strings_loaded():
    nlp = get_analyzer(True).nlp_engine.nlp["fr"]
    assert len(nlp.vocab.strings) < 10_000 < len(_models()[0].vocab.strings)


@pytest.mark.parametrize("ner_alone", [True, False])
def test_same_entities_and_tokens_on_the_example_and_random_texts(ner_alone):
    before, now = _models()
    texts = _example_texts() + _random_texts(0, 400) + NAMES
    want = _dump(before, texts, ner_alone)
    assert _dump(now, texts, ner_alone) == want
    assert sum(len(ents) for ents, _ in want) > 50, "NER found little: the comparison would prove little"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
                | st.lists(st.sampled_from(PIECES + NAMES), max_size=10).map(" ".join), min_size=1, max_size=4))
def test_same_entities_and_tokens_on_drawn_texts(texts):
    before, now = _models()
    for ner_alone in (True, False):
        assert _dump(now, texts, ner_alone) == _dump(before, texts, ner_alone)


def test_same_presidio_artifacts():
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    from anonymizer.detect.analyzer import nlp_config

    conf = nlp_config()
    texts = _example_texts()[:150] + NAMES
    got = []
    for nlp in _models():
        engine = SpacyNlpEngine(models=conf["models"],
                                ner_model_configuration=NerModelConfiguration.from_dict(conf["ner_model_configuration"]))
        engine.nlp = {"fr": nlp}
        with ner_only(nlp):
            got.append([(t, [(e.start_char, e.end_char, e.label_) for e in art.entities], art.tokens_indices,
                         art.lemmas, art.keywords, art.scores) for t, art in engine.process_batch(texts, "fr")])
    assert got[0] == got[1]
