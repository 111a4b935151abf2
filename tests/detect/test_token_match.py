"""The factored ``token_match`` (detect/token_match.py) answers as the pattern spaCy compiles: on
patterns of the same shape with random strings, and on the French model's own pattern with
spaCy's French word lists and test strings, the example comments and their mutations. The
demo's tokens and entities are compared whole, against plain spaCy, in test_token_match_demo.py."""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from anonymizer.detect import token_match
from anonymizer.detect.analyzer import SPACY_MODEL
from anonymizer.detect.token_match import BIG, lean_pattern, model_token_match

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"

# a "big" class as spaCy's language data writes them: a few letters and many escaped ranges
_PAD = "".join(f"\\u{0x4E00 + 4 * i:04X}-\\u{0x4E01 + 4 * i:04X}" for i in range(12))
AL = f"a-zé{_PAD}"
ALPHA = f"A-Za-zéÉ{_PAD}"
HY = "-–"
EL = "'’"
assert len(f"[{AL}]") > BIG and len(f"[{ALPHA}]") > BIG


def spacy_shaped(alternatives: list[str]) -> str:
    """As spacy/lang/fr/tokenizer_exceptions.py joins its expressions."""
    return "(?iu)" + "|".join(f"(?:{m})" for m in alternatives)


SHAPED = [
    f"^a[{HY}]b[{AL}]+$", f"^ab[{HY}]ba[{AL}]+$", f"^c[{HY}]a[{AL}]*$", f"^b[{EL}]a[{AL}]+$",
    *(f"^{p}[{HY}][{AL}][{HY}{AL}{EL}]*$" for p in ("a", "bé", "c[ae]b", "ab?c", "(?:ba|ca)")),
    *(f"^{p}[{EL}][{AL}][{HY}{AL}{EL}]*$" for p in ("r?é?ca", "bae?s?", "c")),
    *(f"^[{ALPHA}]+[{HY}]{c}[{HY}](?:l[{EL}])?[{ALPHA}]+$" for c in ("l[èe]s?", "la", "de?s?", "à", "b")),
    f"^d[{HY}][{AL}]?[{EL}]b$", f"^d[{HY}][{AL}]?[{EL}]c$", f"^e[{HY}][{AL}]+?a$", f"^e[{HY}][{AL}]+?b$",
    "^ab$", "^a(?:b|c)a$",
]
ALPHABET = "abcéèlr-–'’ A丁\n"
PIECES = ["a", "b", "c", "ab", "ba", "ca", "é", "r", "ré", "l", "la", "les", "lès", "de", "des", "à", "丁", "A",
          "-", "–", "-", "'", "’", "\n", "x", "l'"]


def _answers(pattern: str, texts: list[str]) -> list[tuple[int, int] | None]:
    rx = re.compile(pattern)
    return [m.span() if (m := rx.match(t)) else None for t in texts]


def test_a_pattern_of_spacys_shape_matches_the_same_strings_factored():
    pattern = spacy_shaped(SHAPED)
    lean = lean_pattern(pattern)
    assert lean is not None and lean.count(f"[{ALPHA}]+") == 2 < pattern.count(f"[{ALPHA}]+")  # factored
    rng = random.Random(7)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 9))) for _ in range(20_000)]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(20_000)]
    heads = ["a", "ab", "b", "c", "d", "e", "ca", "cab", "cb", "ac", "abc", "ba", "bé", "bae", "baes", "ré", "réca", "rca", "A丁"]
    texts += [rng.choice(heads) + rng.choice(["-", "–", "'", "’", " ", ""])
              + "".join(rng.choice("abcéA丁-–'’\n") for _ in range(rng.randint(0, 4))) for _ in range(30_000)]
    texts += ["a-b", "ab-bacé", "c-a", "c-", "a-b\n", "A-BÉ", "ré" "ca'b-c", "rca'b", "bae'a", "Éa-la-l'丁",
              "x-les-l’y", "x-lès-y", "x--y", "ab", "aca", "aba", "b'a", "a-b-c'd", "cab-a", "cb-a", "ba-a", "ca-丁"]
    expected = _answers(pattern, texts)
    assert sum(m is not None for m in expected) > 3_500, "too few matches to compare"
    assert _answers(lean, texts) == expected


@pytest.mark.parametrize("pattern", [
    "^a[-]b$",                                   # not spaCy's (?iu) + alternatives
    "(?iu)(?:^(a)[-]\\1$)",                      # a back-reference
    "(?iu)(?:^(?>a+)[-]b$)",                     # an atomic group
    "(?iu)(?:^a++[-]b$)",                        # a possessive quantifier
    "(?iu)(?:^a{2}[-]b$)",                       # a counted repeat (not read here)
    "(?iu)(?:^a|b$)",                            # an alternative that is a union itself
    "(?iu)^a[-]b$",                              # not wrapped in (?:...)
    "(?iu)(?:^a[-]b$",                           # unbalanced
    "(?iu)(?x)(?:^a [-] b$)",                    # verbose: spaces would not be literal
])
def test_shapes_it_cannot_prove_equal_are_left_to_spacy(pattern):
    assert lean_pattern(pattern) is None


def _spacy_fr_list(filename: str, name: str) -> list[str]:
    """A list literal of spaCy's French language data, read without importing spacy.lang.fr."""
    import spacy.lang

    tree = ast.parse((Path(spacy.lang.__file__).parent / "fr" / filename).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return [ast.literal_eval(e) for e in node.value.elts]
    raise AssertionError(f"no {name} in {filename}")


def _expand(fragment: str) -> list[str]:
    """Every string a finite expression of spaCy's prefix lists spells (letters, ``[..]``, ``?``,
    ``(?:a|b)``): written here, apart from the code under test."""

    def seq(i: int, stop: str) -> tuple[set[str], int]:
        out = {""}
        while i < len(fragment) and fragment[i] not in stop:
            if fragment[i] == "(":
                assert fragment[i:i + 3] == "(?:", fragment
                alts, i = set(), i + 3
                while fragment[i - 1] != ")":
                    part, i = seq(i, "|)")
                    alts |= part
                    i += 1
            elif fragment[i] == "[":
                j = fragment.index("]", i)
                alts, i = set(fragment[i + 1:j]), j + 1
            else:
                alts, i = {fragment[i]}, i + 1
            if i < len(fragment) and fragment[i] == "?":
                alts, i = alts | {""}, i + 1
            out = {a + b for a in out for b in alts}
        return out, i

    return sorted(seq(0, "")[0])


def _french_test_strings() -> list[str]:
    import spacy.tests

    out = []
    for path in sorted((Path(spacy.tests.__file__).parent / "lang" / "fr").glob("test_*.py")):
        out += [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return out


def test_the_french_models_pattern_factored_matches_what_spacy_compiles():
    pattern = model_token_match(SPACY_MODEL)
    assert pattern is not None and len(pattern) > 1_000_000
    lean = lean_pattern(pattern)
    assert lean is not None and len(lean) < len(pattern) / 20
    words = _spacy_fr_list("_tokenizer_exceptions_list.py", "FR_BASE_EXCEPTIONS")  # ~15,000 French words
    strings = _french_test_strings()
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    comments = [t for c in ("COMMENT_GEST", "COMMENT_CTRL", "OBJ_DERCOURRIEL", "OBS_TS", "MOTIF_SUSP") if c in df
                for t in df[c] if t.strip()]
    pieces = sorted({w for t in strings + comments for w in re.split(r"[\s,.;:!?()«»\"]+", t) if w})
    # what the expressions are about: a listed first part and any ending (faux-vampire), an elided
    # one (entr'abat), two words around a linking one (saut-de-ski, pet-en-l'air), and near misses
    rng = random.Random(2021)
    ends = sorted({re.split(r"[-'’]", w)[-1] for w in words if "-" in w} - {""})
    made = []
    for fragment in _spacy_fr_list("tokenizer_exceptions.py", "_hyphen_prefix"):
        for first in _expand(fragment):
            made += [first + h + rng.choice(ends) for h in "-–—‐‑"]
            made += [first + "-", first + "-" + rng.choice(ends) + "-l'" + rng.choice(ends), first + "-1a",
                     first[:-1] + "-" + rng.choice(ends), first + "–" + rng.choice(ends).upper()]
    for fragment in _spacy_fr_list("tokenizer_exceptions.py", "_elision_prefix"):
        for first in _expand(fragment):
            made += [first + e + rng.choice(ends) + rest for e in "'’" for rest in ("", "-" + rng.choice(ends), "'")]
    for fragment in _spacy_fr_list("tokenizer_exceptions.py", "_hyphen_combination") + ["lez", "dans", "ô"]:
        for link in _expand(fragment):
            made += [rng.choice(ends) + h + link + h + elision + rng.choice(ends)
                     for h in "-–" for elision in ("", "l'", "l’", "d'")]
            made += [rng.choice(ends).title() + "-" + link + "-", "-" + link + "-" + rng.choice(ends)]
    base = sorted(set(words[::3] + pieces + strings + made))
    texts = base + [w.upper() for w in base[::2]] + [w.title() for w in base[1::2]] + [w + "\n" for w in base[::7]]
    texts += [w.replace("-", " ", 1) for w in base[::3] if "-" in w] + [w[:-1] for w in base[::5]]
    texts += ["x" + w for w in base[::11]] + [w.replace("'", "’") for w in base[::2] if "'" in w]
    texts += ["".join(rng.sample(w, len(w))) for w in base[::13]]
    # spaCy compiled the original under this key already when anything loaded it in this process;
    # the ``re.U`` flag (a no-op beside the pattern's own (?u)) makes a separate, real compile
    original = re.compile(pattern, re.U)
    expected = [m.span() if (m := original.match(t)) else None for t in texts]
    assert sum(m is not None for m in expected) > 5_000, "too few matches to compare"
    assert _answers(lean, texts) == expected


def test_seeding_leaves_an_unknown_pattern_to_spacy(monkeypatch):
    monkeypatch.setattr(token_match, "model_token_match", lambda model: "(?iu)(?:^(a)[-]\\1$)")
    assert token_match.seed(SPACY_MODEL) is False
    monkeypatch.setattr(token_match, "model_token_match", lambda model: None)
    assert token_match.seed("no_such_model") is False


def test_the_shipped_factoring_is_the_installed_models():
    pattern = model_token_match(SPACY_MODEL)
    assert pattern is not None
    assert token_match.shipped_lean(pattern) == lean_pattern(pattern), (
        "token_match_lean.json is stale for this model: python -m anonymizer.detect.token_match")


def test_a_pattern_it_does_not_hold_is_factored_at_run_time(tmp_path, monkeypatch):
    pattern = model_token_match(SPACY_MODEL)
    assert token_match.shipped_lean(pattern + "|(?:^x)") is None  # another pattern: another digest
    assert token_match.shipped_lean(spacy_shaped(SHAPED)) is None
    for text in ("not json", '["a list"]', json.dumps({token_match._digest(pattern): 3})):
        (tmp_path / "lean.json").write_text(text, encoding="utf-8")
        monkeypatch.setattr(token_match, "SHIPPED", tmp_path / "lean.json")
        assert token_match.shipped_lean(pattern) is None
    monkeypatch.setattr(token_match, "SHIPPED", tmp_path / "absent.json")
    assert token_match.shipped_lean(pattern) is None


SEED_WITHOUT_FACTORING = """
import re, sys
from anonymizer.detect import token_match
def refuse(pattern):
    raise AssertionError("factored at run time")
token_match.lean_pattern = refuse
seeded = token_match.seed(sys.argv[1])
pattern = token_match.model_token_match(sys.argv[1])
print(seeded, re.compile(pattern).pattern == token_match.shipped_lean(pattern))
"""


def test_a_start_reads_the_shipped_factoring_instead_of_computing_it():
    out = subprocess.run([sys.executable, "-c", SEED_WITHOUT_FACTORING, SPACY_MODEL], capture_output=True, text=True,
                         timeout=300)
    assert out.stdout.split() == ["True", "True"], out.stderr[-2000:]
