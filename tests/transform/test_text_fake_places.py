"""``redact`` in ``mode: fake`` replaces a place named in free text by a fake commune, never by a
``<LOCATION>`` tag; ``mode: tag`` keeps tags (issue #19 item 5d). The detector is injected."""

from __future__ import annotations

import re

from anonymizer.transform import redact

from .conftest import KEY, Span, ctx, pattern_spans, text

PLACES = ["Bordeaux", "Gujan-Mestras", "Le Bouscat", "Saint-Médard-en-Jalles", "Lyon"]
PATTERNS = {"LOCATION": re.compile("|".join(re.escape(p) for p in PLACES)),
            "PHONE_NUMBER": re.compile(r"0\d(?: \d\d){4}")}



def detector(texts: list[str]) -> list[list[Span]]:
    return pattern_spans(PATTERNS, texts)


COMMENTS = [f"Déménagé de {a} à {b}, joignable au 06 12 34 56 7{i}" for i, (a, b) in
            enumerate(zip(PLACES, PLACES[1:] + PLACES[:1], strict=True))]


def test_fake_mode_leaves_no_tag_and_no_planted_place():
    out = redact(text(COMMENTS), key=KEY, params={"detector": detector}, context=ctx("COMMENT", "FREE_TEXT"))
    for before, after in zip(COMMENTS, out, strict=True):
        assert not re.search(r"<[A-Z_]+>", after), after
        assert not any(p in after for p in PLACES) and after != before, after
        assert after.startswith("Déménagé de ") and " à " in after  # the sentence is kept around the fakes
    assert len(set(out)) == len(COMMENTS)


def test_tag_mode_still_tags_places():
    out = redact(text(COMMENTS[:1]), key=None, params={"detector": detector, "mode": "tag"}, context=ctx())
    assert out.iloc[0].count("<LOCATION>") == 2
