"""The demo extract's free text (``anon generate --rows 10204 --seed 2021``) and spaCy's French test
strings are cut into the same tokens, and NER finds the same entities in them, whether spaCy loads
its French model its own way (a fresh interpreter that imports nothing of anon: the tokenizer's
expression compiled as written) or anon's (detect.analyzer: the factored expression of
detect/token_match.py, the model without the components NER does not read)."""

from __future__ import annotations

import json
import subprocess
import sys

from anonymizer.detect.analyzer import SPACY_MODEL
from anonymizer.synth.generator import generate_extract

FREE_TEXT = ("COMMENT_GEST", "COMMENT_CTRL", "MOTIF_SUSP", "OBS_TS", "OBJ_DERCOURRIEL")

_DUMP = """
def dump(nlp, texts):
    out = {"tokens": [], "ents": [], "kept_whole": 0}
    for doc in nlp.pipe(texts, batch_size=64):
        out["tokens"].append([(t.idx, len(t)) for t in doc])
        out["ents"].append([(e.start_char, e.end_char, e.label_) for e in doc.ents])
        out["kept_whole"] += sum(bool(nlp.tokenizer.token_match(t.text)) for t in doc)
    return out
"""

PLAIN_SPACY = _DUMP + """
import json, sys, spacy
texts = json.load(open(sys.argv[1], encoding="utf-8"))
nlp = spacy.load(sys.argv[2])
nlp.disable_pipe("parser")  # as the analyzer always ran it
assert "anonymizer" not in sys.modules and len(nlp.tokenizer.token_match.__self__.pattern) > 1_000_000
print(json.dumps(dump(nlp, texts)))
"""

ANON = _DUMP + """
import json, sys
from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.text import ner_only
from anonymizer.detect.token_match import lean_pattern, model_token_match
texts = json.load(open(sys.argv[1], encoding="utf-8"))
nlp = get_analyzer(True).nlp_engine.nlp["fr"]
assert nlp.tokenizer.token_match.__self__.pattern == lean_pattern(model_token_match(sys.argv[2]))
with ner_only(nlp):
    print(json.dumps(dump(nlp, texts)))
"""


def _french_test_strings() -> list[str]:
    import ast
    from pathlib import Path

    import spacy.tests

    out = []
    for path in sorted((Path(spacy.tests.__file__).parent / "lang" / "fr").glob("test_*.py")):
        out += [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.strip()]
    return out


def test_the_demo_free_text_gets_the_same_tokens_and_entities(tmp_path):
    df, _ = generate_extract(10204, 2021)
    texts = sorted({t for c in FREE_TEXT for t in df[c] if isinstance(t, str) and t.strip()})
    assert len(texts) > 2_000
    texts += _french_test_strings()
    path = tmp_path / "texts.json"
    path.write_text(json.dumps(texts), encoding="utf-8")

    def run(code: str) -> dict:
        res = subprocess.run([sys.executable, "-c", code, str(path), SPACY_MODEL], capture_output=True, text=True,
                             timeout=1200)
        assert res.returncode == 0, res.stderr[-2000:]
        return json.loads(res.stdout)

    plain, ours = run(PLAIN_SPACY), run(ANON)
    assert plain["kept_whole"] > 100, "no token the expression keeps whole: the comparison would prove little"
    assert sum(map(len, plain["ents"])) > 1_000
    assert ours["tokens"] == plain["tokens"]
    assert ours["ents"] == plain["ents"]
    assert ours["kept_whole"] == plain["kept_whole"]
