"""spaCy runs with only the components its NER reads (``detect.text.ner_only``): the entities are
those of the whole pipeline, on the example comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.text import ner_only

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"


def _ents(nlp, texts):
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=16)]


def test_ner_alone_finds_what_the_whole_pipeline_finds():
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    texts = [t for c in ("COMMENT_GEST", "COMMENT_CTRL", "OBJ_DERCOURRIEL", "OBS_TS") if c in df
             for t in df[c] if t.strip()]
    texts += ["Rendez-vous avec Jean-Marc Lefèvre-Dubois à Saint-Étienne-du-Rouvray, aujourd'hui."]
    nlp = get_analyzer(True).nlp_engine.nlp["fr"]
    whole = _ents(nlp, texts)
    with ner_only(nlp):
        assert nlp.pipe_names == ["ner"]  # tok2vec, morphologizer, attribute_ruler, lemmatizer left out
        alone = _ents(nlp, texts)
    assert "lemmatizer" in nlp.pipe_names  # restored after
    assert sum(map(len, whole)) > 10, "NER found nothing: the comparison would prove nothing"
    assert alone == whole
