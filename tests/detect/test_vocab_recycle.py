"""spaCy's vocabulary grows with every new token; the analyzer is reloaded past a limit, and
the spans found do not depend on when that happened."""

from __future__ import annotations

import random

from anonymizer.detect import analyzer as an
from anonymizer.detect.text import find_spans


def _texts(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    first = ["Jean", "Marie", "Ahmed", "Sophie", "Luc"]
    return [f"Appel de {rnd.choice(first)} Zorglub{rnd.randrange(10**6)} au sujet du dossier "
            f"{rnd.randrange(10**9)} (ref K{rnd.randrange(10**8)})." for _ in range(n)]


def _plain(spans):
    return [[(r.entity_type, r.start, r.end, round(r.score, 6)) for r in res] for res in spans]


def test_the_model_is_reloaded_once_its_vocabulary_grew_and_spans_stay_the_same(monkeypatch):
    texts = _texts(300, 1)
    expected = _plain(find_spans(texts, ner=True))  # grows the vocabulary by far less than the default limit
    first = an.get_analyzer(True)
    grown = an._vocab_size(first) - first.vocab_at_load
    assert grown > 300  # every text brought new lexemes: the growth being bounded is real

    monkeypatch.setattr(an, "VOCAB_GROWTH_LIMIT", 100)
    again = _plain(find_spans(texts, ner=True))
    second = an.get_analyzer(True)
    assert second is not first  # dropped after the call, a fresh model loaded
    assert an._vocab_size(second) == second.vocab_at_load
    assert again == expected


def test_drop_models_frees_the_spacy_model_once_detection_is_over():
    """sanitize calls drop_models before its risk report (the 5M run's peak): nothing else
    may keep the model alive, or the ~0.5 GB stays resident."""
    import gc
    import weakref

    find_spans(_texts(20, 2), ner=True)
    model = an.get_analyzer(True).nlp_engine.nlp["fr"]
    ref = weakref.ref(model)
    del model
    an.drop_models()
    gc.collect()
    assert ref() is None
    assert an.get_analyzer.cache_info().currsize == 0
