"""The bulk pass compiles a pattern without the flags that change nothing for it (issue #21, start-up):
Presidio's URL patterns, which open with ``(?i)`` and hold no ``.``, ``^`` or ``$``, are then the
objects its ``Pattern`` compiled to check them (the ``regex`` cache), not a second 70 ms of compiles.
The reference is ``_scanner`` before (main at d48292e), copied verbatim; both are compared on the
example extract's comments, URL-like texts and hypothesis-drawn texts."""

from __future__ import annotations

import random

import pytest
import regex as re
from hypothesis import given, settings
from hypothesis import strategies as st
from presidio_analyzer import PatternRecognizer

from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.bulk import _compiled, _scanner, needed_flags, scan_regex

from .test_bulk import EDGE_CASES
from .test_bulk_shortcuts import PIECES, _example_texts

FLAGS = re.DOTALL | re.MULTILINE | re.IGNORECASE


def ref_scanner(regex: str, flags: int):
    """The compiled :func:`scan_regex` of a pattern: what the bulk pass runs (same matches)."""
    return _compiled(scan_regex(regex, flags), flags)


def _patterns() -> list[tuple[str, str, int]]:
    recs = [r for r in get_analyzer(False).registry.recognizers if isinstance(r, PatternRecognizer)]
    return [(p.name, p.regex, r.global_regex_flags) for r in recs for p in r.patterns]


#: shapes around the rule: what each flag acts on, escaped or in a class or not
SHAPES = [r"(?i)a.b", r"(?i)^ab", r"(?i)ab$", r"(?i)a\.b", r"(?i)a[.^$]b", r"(?i)[^.]b", r"(?i)(?:x|Y)+z",
          r"a.b", r"Ab", r"(?i:a)b", r"(?i)a\\.b", r"(?i)[\].]b", r"(?i)a(?=\n)", r"(?i)ß", r"(?i)\Ab\Z"]
URL_PIECES = ["www.caf.fr", "https://www.service-public.fr/particuliers", "WWW.Ameli.FR/x", "'http://a.com'",
              "\"exemple.org\"", "jean.dupont@orange.fr", "site.web", "M. Dupont", "a.\nfr", "x.COM.", "(lien.net)",
              "«www.x.fr»", "foo.Bar", "e.g.", "caf.fr/paris?x=1", "\x00", "\n", "«", "'", "www1.mairie.paris"]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    pieces = PIECES + URL_PIECES
    return [rng.choice([" ", "", "\n"]).join(rng.choice(pieces) for _ in range(rng.randrange(0, 10))) for _ in range(n)]


def _matches(rx, texts: list[str]) -> list[list[tuple]]:
    return [[(m.span(), m.groups()) for m in rx.finditer(t)] for t in texts]


def test_only_presidios_url_patterns_lose_their_flags():
    dropped = {name for name, regex, flags in _patterns() if needed_flags(regex, flags) != flags}
    assert dropped == {"Standard Url", "Non schema URL", "Quoted URL", "Quoted Non-schema URL"}


@pytest.mark.parametrize(("regex", "flags", "needed"), [
    (r"(?i)a.b", FLAGS, FLAGS), (r"(?i)^ab", FLAGS, FLAGS), (r"(?i)ab$", FLAGS, FLAGS), (r"(?i)a\.b", FLAGS, 0),
    (r"(?i)a[.^$]b", FLAGS, 0), (r"(?i)a\\.b", FLAGS, FLAGS), (r"(?i)[\].]b", FLAGS, 0), (r"a\.b", FLAGS, FLAGS),
    (r"(?i:a)b", FLAGS, FLAGS), (r"(?i)ab", FLAGS | re.VERBOSE, FLAGS | re.VERBOSE), (r"(?i)ab", re.IGNORECASE, 0),
    (r"(?i)ab", 0, 0),
])
def test_needed_flags(regex, flags, needed):
    assert needed_flags(regex, flags) == needed


def test_the_url_scanners_are_the_validated_patterns():
    for _, regex, flags in _patterns():
        if needed_flags(regex, flags) == 0:
            assert _scanner(regex, flags) is re.compile(regex)  # Presidio's check compiled it: the cache


def test_same_matches_as_before_on_the_example_and_url_texts():
    texts = EDGE_CASES + _example_texts() + URL_PIECES + _texts(0, 1500)
    joined = "\x00".join(texts)
    checked = 0
    for _, regex, flags in _patterns() + [("", s, FLAGS) for s in SHAPES]:
        got, want = _scanner(regex, flags), ref_scanner(regex, flags)
        assert _matches(got, [joined]) == _matches(want, [joined]), regex
        assert _matches(got, texts) == _matches(want, texts), regex
        checked += got is not want
    assert checked >= 8
    assert any(_matches(ref_scanner(r"(?i)a.b", FLAGS), ["a\nb"])) and any(
        _matches(ref_scanner(r"(?i)^ab", FLAGS), ["x\nab"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aAbBwW.:/'\"\n\x00 -fFrRcCoOmM1ß", max_size=40), max_size=6))
def test_same_matches_as_before_on_drawn_texts(texts):
    for _, regex, flags in [p for p in _patterns() if "Url" in p[0] or "URL" in p[0]] + [("", s, FLAGS) for s in SHAPES]:
        got, want = _scanner(regex, flags), ref_scanner(regex, flags)
        if got is not want:
            assert _matches(got, texts) == _matches(want, texts), regex
