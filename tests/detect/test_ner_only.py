"""spaCy runs with only the components its NER reads (the analyzer loads the model without the
others, ``detect.analyzer.NOT_LOADED``, and ``detect.text.ner_only`` sets the attribute ruler
aside): the entities are those of the whole pipeline, on the example comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import spacy

from anonymizer.detect.analyzer import SPACY_MODEL, get_analyzer
from anonymizer.detect.text import ner_only

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"


def _ents(nlp, texts):
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=16)]


def test_ner_alone_finds_what_the_whole_pipeline_finds():
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    texts = [t for c in ("COMMENT_GEST", "COMMENT_CTRL", "OBJ_DERCOURRIEL", "OBS_TS") if c in df
             for t in df[c] if t.strip()]
    texts += ["Rendez-vous avec Jean-Marc Lefèvre-Dubois à Saint-Étienne-du-Rouvray, aujourd'hui."]
    full = spacy.load(SPACY_MODEL)
    full.disable_pipe("parser")  # as the analyzer always ran it: the parser's sentences would bound NER's entities
    assert {"tok2vec", "morphologizer", "lemmatizer", "attribute_ruler"} <= set(full.pipe_names)
    whole = _ents(full, texts)
    with ner_only(full):
        assert full.pipe_names == ["ner"]  # tok2vec, morphologizer, attribute_ruler, lemmatizer set aside
        alone = _ents(full, texts)
    assert "lemmatizer" in full.pipe_names  # restored after
    nlp = get_analyzer(True).nlp_engine.nlp["fr"]
    assert "lemmatizer" not in nlp.component_names  # not even loaded
    with ner_only(nlp):
        assert nlp.pipe_names == ["ner"]
        loaded = _ents(nlp, texts)
    assert sum(map(len, whole)) > 10, "NER found nothing: the comparison would prove nothing"
    assert alone == whole
    assert loaded == whole
