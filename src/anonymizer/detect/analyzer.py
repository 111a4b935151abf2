"""The French, offline Presidio analyzer.

``AnalyzerEngine()`` left to its defaults loads ``en_core_web_lg`` and tries to download it
(presidio.md §2); here the NLP engine is built explicitly with fr_core_news_sm, the registry
holds only ``fr`` recognizers (ours + the language-independent e-mail, IP, URL and credit
card ones with French context), and the e-mail recognizer's domain check works offline (recognizers/email_offline.py).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

# sm, measured against md in benchmarks/bench_scan.py (docs/scan.md): ANON_SPACY_MODEL overrides
SPACY_MODEL = os.environ.get("ANON_SPACY_MODEL", "fr_core_news_sm")


def nlp_config(model: str = SPACY_MODEL) -> dict:
    """Presidio NLP configuration: French spaCy model, PER/LOC kept, ORG/MISC ignored."""
    return {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "fr", "model_name": model}],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"},
            "labels_to_ignore": ["MISC", "ORG", "ORGANIZATION"],
            "low_confidence_score_multiplier": 0.4,
            "low_score_entity_names": [],
        },
    }


#: French context words of the Presidio recognizers the entity table names (``presidio.Class``).
PRESIDIO_CONTEXT = {
    "IpRecognizer": ["ip", "adresse ip"],
    "UrlRecognizer": ["site", "lien", "url"],
    "CreditCardRecognizer": ["carte", "bancaire", "cb", "visa", "mastercard"],
}


def _quiet_offline() -> None:
    """No network at run time (the e-mail recognizer validates offline: recognizers/email_offline.py),
    and no log lines from the libraries."""
    for name in ("tldextract", "presidio-analyzer", "filelock", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


@lru_cache(maxsize=2)
def get_analyzer(ner: bool = True):
    """A cached French ``AnalyzerEngine``; ``ner=False`` loads no model at all (regex only).
    Built with the garbage collector paused (memory.collector_paused): importing Presidio and
    spaCy and loading the model only make long-lived objects."""
    from anonymizer.memory import collector_paused

    with collector_paused():
        return _build_analyzer(ner)


def _build_analyzer(ner: bool):
    _quiet_offline()
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    if ner:
        nlp_engine = _ner_engine(nlp_config())
    else:
        conf = {"nlp_engine_name": "no_op", "models": [{"lang_code": "fr", "model_name": "none"}]}
        nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    registry = french_registry(nlp_engine if ner else None)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["fr"])
    engine.vocab_at_load = _vocab_size(engine)  # type: ignore[attr-defined]
    return engine


def french_registry(nlp_engine=None):
    """The ``fr`` recognizers: ours, Presidio's language-independent ones with French context
    words, and, given an NLP engine, its NER recognizer (the dependency parser disabled: ~25 % of
    a whole pipeline, and nothing reads its output)."""
    from presidio_analyzer import RecognizerRegistry
    from presidio_analyzer import predefined_recognizers as predefined

    from anonymizer.detect.entities import PRESIDIO_RECOGNIZERS
    from anonymizer.detect.recognizers import french_recognizers

    registry = RecognizerRegistry(supported_languages=["fr"])
    for rec in french_recognizers("fr"):
        registry.add_recognizer(rec)
    for name in PRESIDIO_RECOGNIZERS:
        registry.add_recognizer(getattr(predefined, name)(supported_language="fr", context=PRESIDIO_CONTEXT[name]))
    if nlp_engine is not None:
        registry.add_nlp_recognizer(nlp_engine=nlp_engine)
        nlp = (getattr(nlp_engine, "nlp", None) or {}).get("fr")
        if nlp is not None and "parser" in nlp.pipe_names:
            nlp.disable_pipe("parser")
    return registry


#: components of the spaCy pipeline the analyzer does not load: the NER of the French models has
#: its own tok2vec and reads only the tokens' lexical attributes (detect.text.ner_only), and the
#: analyzer is used for NER alone (detect.text.find_spans). Half of the model's loading time.
NOT_LOADED = ("tok2vec", "morphologizer", "tagger", "lemmatizer", "trainable_lemmatizer", "parser", "senter")
#: the model's files not read: the vocabulary's strings (strings.json: 148,000 strings of
#: fr_core_news_sm, 0.2 CPU s of a 100-row sanitize, measured) only map hashes back to text, and
#: every string a run reads back is added when it is made (a token's text, norm, shape and affixes,
#: the NER's labels, the tokenizer's exceptions, the attribute ruler's values). The same entities
#: and token attributes (tests/detect/test_model_strings.py), and 16 MB less peak memory at load.
NOT_READ = ("strings",)


def _listens(pipe) -> bool:
    """Whether a component reads another's output (a tok2vec or transformer listener)."""
    model = getattr(pipe, "model", None)
    return model is not None and any("listener" in node.name for node in model.walk())


def _ner_engine(conf: dict):
    """Presidio's spaCy engine over the model loaded without ``NOT_LOADED`` (the whole model when
    its NER listens to a shared layer, or when it is not an installed package: then Presidio loads
    it as before)."""
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpEngineProvider, SpacyNlpEngine

    from anonymizer.detect import token_match

    model = conf["models"][0]["model_name"]
    if not spacy.util.is_package(model):
        return NlpEngineProvider(nlp_configuration=conf).create_engine()
    token_match.seed(model)  # the tokenizer's 3-second regex, compiled in 0.2 s (the same tokens)
    engine = SpacyNlpEngine(models=conf["models"],
                            ner_model_configuration=NerModelConfiguration.from_dict(conf["ner_model_configuration"]))
    if hasattr(engine, "_enable_gpu"):
        engine._enable_gpu()  # as SpacyNlpEngine.load does
    try:
        nlp = spacy.load(model, exclude=[*NOT_LOADED, *NOT_READ])
        if "ner" not in nlp.pipe_names or _listens(nlp.get_pipe("ner")):
            nlp = None
    except Exception:  # noqa: BLE001 - a model whose NER needs an excluded layer: load it whole
        nlp = None
    engine.nlp = {conf["models"][0]["lang_code"]: nlp if nlp is not None else spacy.load(model)}
    return engine


# spaCy's vocabulary keeps a lexeme and strings for every token it has seen: free text full
# of names, phone numbers and IBANs adds ~5 per text (~2.4 KB, measured on the example
# comments), so a 5-million-row run grew by hundreds of MB. The model's output does not depend
# on that history (features are hashed from each token's text), so once this many lexemes were
# added the model is dropped and loaded again (~1 s), and memory stays bounded.
VOCAB_GROWTH_LIMIT = 100_000


def _vocab_size(engine) -> int:
    model = (getattr(engine.nlp_engine, "nlp", None) or {}).get("fr")
    return len(model.vocab) if hasattr(model, "vocab") else 0


def recycle_if_grown(engine) -> bool:
    """Drop the cached analyzers when ``engine``'s spaCy vocabulary grew past the limit; the
    next :func:`get_analyzer` loads a fresh model. True when it did."""
    if _vocab_size(engine) - getattr(engine, "vocab_at_load", 0) <= VOCAB_GROWTH_LIMIT:
        return False
    drop_models()
    return True


def drop_models() -> None:
    """Forget the cached analyzers (and with them spaCy's model, ~0.5 GB once it has read
    text) when a run needs no more detection, so what follows has that memory."""
    import gc

    from anonymizer.memory import thaw_settled

    get_analyzer.cache_clear()
    thaw_settled()  # a worker froze the model with its heap (memory.settle_heap): frozen, its cycles would stay
    gc.collect()
