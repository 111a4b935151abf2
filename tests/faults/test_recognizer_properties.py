"""Property tests on the recognizers (issue #18 item 10): any text — random bytes decoded leniently,
random Unicode — gives results inside the text with scores in [0, 1] and never an exception, from
every French recognizer, from the bulk column scanner and from every validator; and a valid
identifier built by the generator's check-digit code (synth/checkdigits, not the detector's)
embedded in random text is still found there, at its place."""

from __future__ import annotations

import inspect

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.detect import validators
from anonymizer.detect.bulk import analyze_patterns
from anonymizer.detect.recognizers import french_recognizers
from anonymizer.synth import checkdigits

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RECOGNIZERS = french_recognizers()
PATTERN_RECOGNIZERS = [r for r in RECOGNIZERS if getattr(r, "patterns", None)]
BY_ENTITY = {r.supported_entities[0]: r for r in RECOGNIZERS}

UNICODE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
LENIENT = st.builds(lambda b, enc: b.decode(enc, errors="replace"), st.binary(max_size=200),
                    st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]))
# digit-heavy text in the identifiers' alphabet: where the patterns and validators really work
IDENTIFIER_LIKE = st.text(alphabet="0123456789 .-/+AB2FRabcé@_:\n", max_size=80)
TEXTS = st.one_of(UNICODE, LENIENT, IDENTIFIER_LIKE)


def _check(text: str, results) -> None:
    for r in results:
        assert 0 <= r.start < r.end <= len(text), (r.entity_type, r.start, r.end, len(text))
        assert 0.0 <= r.score <= 1.0, (r.entity_type, r.score)


@SETTINGS
@given(TEXTS)
def test_every_recognizer_gives_results_within_the_text(text):
    for rec in RECOGNIZERS:
        _check(text, rec.analyze(text, rec.supported_entities, None))


@SETTINGS
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_the_column_scanner_gives_each_text_results_within_it(texts):
    out = analyze_patterns(texts, PATTERN_RECOGNIZERS)
    assert len(out) == len(texts)
    for text, results in zip(texts, out, strict=True):
        _check(text, results)


#: helpers with a precondition (13 digits of a NIR body): called by the validators once it holds
ARITHMETIC = {"nir_key"}
VALIDATORS = [f for name, f in inspect.getmembers(validators, inspect.isfunction)
              if f.__module__ == validators.__name__ and not name.startswith("_") and name not in ARITHMETIC]


def test_the_validators_under_test_are_the_public_ones():
    names = {f.__name__ for f in VALIDATORS}
    assert {"is_nir", "is_iban", "is_siret", "is_fr_phone", "parse_date", "luhn_ok", "nir_plausible",
            "parse_text_date", "phone_region"} <= names


@SETTINGS
@given(TEXTS)
def test_the_nir_key_of_anything_but_a_body_is_a_value_error(text):
    try:
        key = validators.nir_key(text)
    except ValueError:
        return
    assert 1 <= key <= 97


@SETTINGS
@given(TEXTS)
def test_validators_never_raise_on_any_string(text):
    for f in VALIDATORS:
        f(text)


# ------------------------------------------------------------------ valid identifiers in random text

FILLER = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Nd", "Pc", "Lm", "Mn", "Mc", "Zl", "Zp", "Cc"),
                                        blacklist_characters=".,"),
                 max_size=40)


@st.composite
def nirs(draw) -> str:
    """A NIR whose key comes from synth.checkdigits (INSEE's rule, written independently)."""
    sex = draw(st.sampled_from([1, 2]))
    yy, mm = draw(st.integers(0, 99)), draw(st.integers(1, 12))
    dept = draw(st.sampled_from([1, 13, 33, 59, 69, 75, 93, 95]))
    place = dept * 1000 + draw(st.integers(1, 899))
    order = draw(st.integers(1, 999))
    key = int(checkdigits.nir_key(sex, yy, mm, place, order))
    return f"{sex}{yy:02d}{mm:02d}{place:05d}{order:03d}{key:02d}"


@st.composite
def sirens(draw) -> str:
    body = np.array([[draw(st.integers(0, 9)) for _ in range(8)]])
    body[0, 0] = draw(st.integers(1, 9))
    return "".join(map(str, body[0])) + str(int(checkdigits.luhn_complete(body)[0]))


@st.composite
def ibans(draw) -> str:
    bank, branch = draw(st.integers(10000, 99999)), draw(st.integers(10000, 99999))
    account = draw(st.integers(10**9, 10**11 - 1))
    key = int(checkdigits.rib_key(bank, branch, account))
    check = int(checkdigits.iban_check_fr(bank, branch, account, key))
    return f"FR{check:02d}{bank:05d}{branch:05d}{account:011d}{key:02d}"


def _found_at(entity: str, text: str, start: int, value: str) -> bool:
    rec = BY_ENTITY[entity]
    hits = rec.analyze(text, rec.supported_entities, None)
    bulk = analyze_patterns([text], [rec])[0] if rec in PATTERN_RECOGNIZERS else hits
    spans = {(r.start, r.end) for r in hits}
    return (start, start + len(value)) in spans and (start, start + len(value)) in {(r.start, r.end) for r in bulk}


@SETTINGS
@given(st.sampled_from(["NIR", "SIREN", "IBAN"]).flatmap(
    lambda e: st.tuples(st.just(e), {"NIR": nirs(), "SIREN": sirens(), "IBAN": ibans()}[e])),
    FILLER, FILLER, st.sampled_from([" ", "\n", " : ", "\t"]))
def test_a_valid_identifier_in_random_text_is_found_at_its_place(entity_value, before, after, sep):
    entity, value = entity_value
    assert {"NIR": validators.is_nir, "SIREN": validators.is_siren, "IBAN": validators.is_iban}[entity](value)
    text = f"{before}{sep}{value}{sep}{after}"
    assert _found_at(entity, text, len(before) + len(sep), value), (entity, text)
