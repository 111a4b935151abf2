"""The French tokenizer's ``token_match`` regex, compiled in a tenth of a second instead of three.

spaCy's French tokenizer keeps hyphenated and elided words whole (``porte-monnaie``,
``entr'ouvert``) with one regular expression: 266 alternatives ``^word[-–…][letters][letters…]*$``,
each spelling out the same few character classes of ~3,000 characters (every Unicode letter).
Python compiles each copy of a class again, ~5 ms apiece under ``(?iu)``: ~3 s of CPU, the largest
part of a process's start. It is compiled when ``spacy.lang.fr`` is imported and once more, from
the same string, when the model's tokenizer is read (Python's ``re`` cache makes that second one
free; both see the pattern saved in the model).

:func:`lean_pattern` writes the same language with each shared tail written once: the union
of ``head_i · tail`` is ``(head_1 | … | head_n) · tail`` (and likewise a shared leading class).
The tokenizer only asks whether the expression matches a piece of text, and two regular
expressions without back-references or atomic groups match the same strings when they describe
the same language; the factored one also returns the same span (every alternative ends at ``$``
after letters). tests/detect/test_token_match.py holds it to the pattern spaCy compiles.

:func:`seed` puts that compiled expression in ``re``'s cache under the model's pattern string, so
that spaCy's own loading (the module import and the tokenizer's ``from_bytes``) finds it there and
compiles nothing: spaCy's code and the model's files are used unchanged. Should the cache not take
it (another Python), spaCy compiles the original pattern as before: slower, the same tokens.

Factoring the pattern is itself 0.05-0.09 CPU s of every start (measured), for a result that
depends only on the model's pattern: ``token_match_lean.json`` ships it for the installed model,
keyed by the SHA-256 of the pattern it was computed from (``python -m anonymizer.detect.token_match``
writes it again; tests/detect/test_token_match.py fails when it is stale). A pattern it does not
hold (another model or version) is factored at run time, as before.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

#: a character class longer than this is worth writing once
BIG = 100
#: the inline flags spaCy's language data puts first (tokenizer_exceptions.py)
FLAGS = "(?iu)"
# one token of a pattern: an escape, a whole character class (``]`` first is a literal), any other character
_TOKEN = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|.", re.S)
# constructs under which the union of concatenations could match differently (back-references,
# conditionals, atomic groups, possessive quantifiers), or that change how a pattern reads
_UNSAFE = re.compile(r"\\[0-9gk]|\(\?P=|\(\?\(|\(\?>|[*+?}]\+|\(\?[a-zA-Z]*x|\(\?#|\{")


def _atoms(tokens: list[str]) -> list[str] | None:
    """The top-level atoms of one alternative, each with its quantifier; None when it has a
    top-level ``|`` (it would not be a plain concatenation)."""
    atoms: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok == "|" or tok == ")":
            return None
        j = i + 1
        if tok == "(":
            depth = 1
            while depth:
                if j == n:
                    return None
                depth += {"(": 1, ")": -1}.get(tokens[j], 0)
                j += 1
        while j < n and tokens[j] in ("*", "+", "?"):  # a quantifier, or a lazy one (*?, +?, ??)
            j += 1
        atoms.append("".join(tokens[i:j]))
        i = j
    return atoms


def _split(body: list[str]) -> list[list[str]] | None:
    """The top-level alternatives of a token list."""
    parts: list[list[str]] = [[]]
    depth = 0
    for tok in body:
        if tok == "|" and depth == 0:
            parts.append([])
            continue
        depth += {"(": 1, ")": -1}.get(tok, 0)
        if depth < 0:
            return None
        parts[-1].append(tok)
    return parts if depth == 0 else None


def _union(branches: list[list[str]]) -> str:
    """One expression for the union of the alternatives (lists of atoms), each big class written
    once per group: alternatives ending alike share their tail (from the first big class), then
    tails beginning with the same big class and reached by the same heads share it."""
    tails: dict[tuple[str, ...], list[str]] = {}
    for atoms in branches:
        k = next((i for i, a in enumerate(atoms) if len(a) > BIG), len(atoms))
        tails.setdefault(tuple(atoms[k:]), []).append("".join(atoms[:k]))
    parts: list[str] = []
    shared: dict[tuple[str, str], list[list[str]]] = {}
    for tail, heads in tails.items():
        head = heads[0] if len(heads) == 1 else "(?:" + "|".join(heads) + ")"
        if tail:
            shared.setdefault((head, tail[0]), []).append(list(tail[1:]))
        else:
            parts.append(head)
    for (head, big), rests in shared.items():
        rest = "".join(rests[0]) if len(rests) == 1 else "(?:" + _union(rests) + ")"
        parts.append(head + big + rest)
    return "|".join(parts)


def lean_pattern(pattern: str) -> str | None:
    """The factored equivalent of a spaCy ``token_match`` pattern written as ``(?iu)`` followed by
    ``(?:…)|(?:…)|…`` (as spaCy's language data builds it); None for any other shape, or when a
    construct could make the union match differently."""
    if not pattern.startswith(FLAGS):
        return None
    tokens = _TOKEN.findall(pattern[len(FLAGS):])
    outside = "".join("[]" if t.startswith("[") else t for t in tokens)  # classes hold no syntax
    if _UNSAFE.search(outside):
        return None
    alternatives = _split(tokens)
    if alternatives is None:
        return None
    branches = []
    for alt in alternatives:
        if len(alt) < 4 or alt[:3] != ["(", "?", ":"] or alt[-1] != ")":
            return None
        atoms = _atoms(alt[3:-1])
        if atoms is None or "".join(atoms) != "".join(alt[3:-1]):
            return None
        branches.append(atoms)
    return FLAGS + _union(branches)


def model_token_match(model: str) -> str | None:
    """The ``token_match`` pattern saved in an installed spaCy model package (its ``tokenizer``
    file), None when there is none to read."""
    import srsly
    from spacy.util import get_package_path, load_meta

    try:
        root = Path(get_package_path(model))
        meta = load_meta(root / "meta.json")
        data = srsly.msgpack_loads((root / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "tokenizer")
                                   .read_bytes())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    pattern = data.get("token_match") if isinstance(data, dict) else None
    return pattern if isinstance(pattern, str) else None


#: the factored patterns shipped with anon: SHA-256 of a model's pattern -> :func:`lean_pattern` of it
SHIPPED = Path(__file__).with_name("token_match_lean.json")


def _digest(pattern: str) -> str:
    return hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()


def shipped_lean(pattern: str) -> str | None:
    """The factored ``pattern`` written in :data:`SHIPPED` (None when it holds no such pattern)."""
    try:
        table = json.loads(SHIPPED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    lean = table.get(_digest(pattern)) if isinstance(table, dict) else None
    return lean if isinstance(lean, str) else None


def write_shipped(models: tuple[str, ...]) -> dict[str, str]:
    """Write :data:`SHIPPED` for the installed ``models`` whose pattern factors (what it holds)."""
    table = {}
    for model in models:
        pattern = model_token_match(model)
        lean = lean_pattern(pattern) if pattern is not None else None
        if lean is not None:
            table[_digest(pattern)] = lean
    SHIPPED.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return table


def seed(model: str) -> bool:
    """Put the factored compile of ``model``'s ``token_match`` in ``re``'s cache under its original
    pattern, before spaCy compiles that pattern; True when ``re.compile`` now returns it."""
    pattern = model_token_match(model)
    lean = (shipped_lean(pattern) or lean_pattern(pattern)) if pattern is not None else None
    cache = getattr(re, "_cache", None)
    if lean is None or not isinstance(cache, dict):
        return False
    key = (str, pattern, 0)
    if key in cache:  # compiled already (spaCy loaded before): nothing left to save
        return getattr(cache[key], "pattern", None) == lean
    cache[key] = lean_compiled = re.compile(lean)
    if re.compile(pattern) is lean_compiled:
        return True
    cache.pop(key, None)  # a Python whose cache works otherwise: leave it as it was
    return False


if __name__ == "__main__":  # python -m anonymizer.detect.token_match [MODEL ...]
    import sys

    from anonymizer.detect.analyzer import SPACY_MODEL

    written = write_shipped(tuple(sys.argv[1:]) or (SPACY_MODEL,))
    print(f"{SHIPPED}: {len(written)} factored pattern(s)")
