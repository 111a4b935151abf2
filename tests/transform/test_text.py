"""Free-text redaction with an injected deterministic detector."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from anonymizer.transform import fake, redact

from .conftest import KEY, Span, ctx, pattern_spans, text

PATTERNS = {
    "PHONE_NUMBER": re.compile(r"0\d(?: \d\d){4}"),
    "NIR": re.compile(r"[12] \d\d \d\d \d\d \d{3} \d{3} \d\d"),
    "PERSON": re.compile(r"\b(?:Jean|Marie) [A-Z]{2,}\b"),
    "EMAIL_ADDRESS": re.compile(r"\S+@\S+\.\w+"),
}



def detector(texts: list[str]) -> list[list[Span]]:
    calls.append(len(texts))
    return pattern_spans(PATTERNS, texts)


calls: list[int] = []

COMMENTS = [
    "Appel de Jean DUPONT au 06 12 34 56 78, NIR 1 85 05 75 123 456 78.",
    "RAS",
    "",
    "Marie MARTIN écrit depuis marie.martin@gmail.com",
    "Appel de Jean DUPONT au 06 12 34 56 78, NIR 1 85 05 75 123 456 78.",
]


def test_redact_removes_every_detected_span_and_batches_distinct_texts():
    calls.clear()
    out = redact(text(COMMENTS), key=KEY, params={"detector": detector}, context=ctx("COMMENT", "FREE_TEXT"))
    assert calls == [3]  # one batch of the 3 distinct non-empty texts
    original_spans = {m.group(0) for t in COMMENTS for rx in PATTERNS.values() for m in rx.finditer(t)}
    joined = "\n".join(out)
    for span in original_spans:
        assert span not in joined
    assert out.iloc[1] == "RAS" and out.iloc[2] == ""
    assert out.iloc[0] == out.iloc[4]
    assert out.iloc[0].startswith("Appel de ") and "@" in out.iloc[3]


def test_redacted_fakes_are_the_fake_actions_fakes():
    out = redact(text(COMMENTS[:1]), key=KEY, params={"detector": detector}, context=ctx("COMMENT"))
    person = fake(text(["Jean DUPONT"]), key=KEY, params={}, context=ctx(entity="PERSON")).iloc[0]
    phone = fake(text(["06 12 34 56 78"]), key=KEY, params={}, context=ctx(entity="PHONE")).iloc[0]
    assert person in out.iloc[0] and phone in out.iloc[0]


def test_tag_mode_needs_no_key():
    out = redact(text(COMMENTS[:1]), key=None, params={"detector": detector, "mode": "tag"}, context=ctx())
    assert out.iloc[0] == "Appel de <PERSON> au <PHONE>, NIR <NIR>."


def test_object_dtype_and_missing():
    s = pd.Series(["Jean DUPONT", None], dtype=object)
    out = redact(s, key=KEY, params={"detector": detector}, context=ctx())
    assert out.iloc[1] == "" and "DUPONT" not in out.iloc[0]


@pytest.mark.slow
def test_redact_with_the_real_detector_leaves_no_detected_span():
    detect = pytest.importorskip("anonymizer.detect")
    comments = [
        "Mme Sophie LEROY (NIR 2 85 05 75 123 456 38) a appelé le 06 12 34 56 78.",
        "Virement sur FR76 3000 6000 0112 3456 7890 189, contacter jean.dupont@gmail.com",
        "RAS",
    ]
    spans = detect.find_spans(comments, ner=True)
    out = redact(text(comments), key=KEY, params={}, context=ctx("COMMENT", "FREE_TEXT"))
    found = [t[s.start:s.end] for t, ss in zip(comments, spans, strict=True) for s in ss]
    assert found, "the detector found nothing: the test would prove nothing"
    for span in found:
        assert span not in "\n".join(out)
    assert out.iloc[2] == "RAS"
