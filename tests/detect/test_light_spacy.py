"""spaCy imported without its command line (anonymizer.detect.light_spacy): same library, same
entities, and the real ``spacy.cli`` still importable afterwards. Each check runs in a fresh
interpreter, the way a run imports spaCy."""

from __future__ import annotations

import json
import subprocess
import sys

TEXTS = ["Rendez-vous avec Julien Dupont à Bordeaux le 3 mars.", "Mme Martin habite rue de la Paix, Lyon.",
         "Appeler Jean-Pierre au sujet du dossier de Marie Curie à Paris."]
NER = ("import json, sys, spacy\nnlp = spacy.load('fr_core_news_sm', exclude=['tok2vec', 'morphologizer', 'parser',"
       " 'lemmatizer', 'senter'])\n"
       f"ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe({TEXTS!r})]\n"
       "print(json.dumps({'ents': ents, 'cli': [m for m in ('spacy.cli', 'weasel', 'typer', 'httpx')"
       " if m in sys.modules]}))")


def _run(code: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_spacy_without_cli_finds_the_same_entities_and_skips_the_cli():
    light = _run("import anonymizer.detect\n" + NER)  # installs the finder, as a run does
    usual = _run(NER)
    assert light["ents"] == usual["ents"] and any(light["ents"])
    assert light["cli"] == [] and "spacy.cli" in usual["cli"]


def test_the_real_cli_is_imported_on_demand():
    out = _run("import anonymizer.detect, json, sys, spacy\n"
               "before = 'spacy.cli' in sys.modules or hasattr(spacy, 'cli')\n"
               "import spacy.cli\nfrom spacy.cli.info import info\n"
               "print(json.dumps({'before': before, 'download': callable(spacy.cli.download),"
               " 'same': spacy.cli.info is info, 'stub': 'stand-in' in (spacy.cli.__doc__ or ''),"
               " 'meta': isinstance(spacy.info('fr_core_news_sm', silent=True), dict)}))")
    assert out == {"before": False, "download": True, "same": True, "stub": False, "meta": True}


def test_the_usual_import_when_spacy_needs_its_cli_while_importing():
    # a spaCy whose __init__ reads more of its cli than the stand-ins give: imported the usual way
    out = _run("import sys\nfrom anonymizer.detect import light_spacy\n"
               "real = light_spacy._stubs\n"
               "def broken():\n    s = real()\n    del s['spacy.cli.info'].info\n    return s\n"
               "light_spacy._stubs = broken\nlight_spacy.install()\nimport json, spacy\n"
               "print(json.dumps({'cli': 'spacy.cli' in sys.modules, 'nlp': callable(spacy.load)}))")
    assert out == {"cli": True, "nlp": True}
