"""Each French recognizer on valid, invalid-checksum and look-alike values (checked with stdnum)."""

from __future__ import annotations

import pytest
from stdnum.fr import nir, siren, siret

from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.recognizers import FRENCH_RECOGNIZERS, french_recognizers
from anonymizer.detect.text import find_spans


def spans(text: str, *, ner: bool = False) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start:r.end]) for r in find_spans([text], ner=ner)[0]]


def entities(text: str, *, ner: bool = False) -> set[str]:
    return {e for e, _ in spans(text, ner=ner)}


def test_registry_loads_one_instance_per_module_all_french():
    recs = french_recognizers()
    assert len(recs) == len(FRENCH_RECOGNIZERS) >= 15
    assert {r.supported_language for r in recs} == {"fr"}
    assert len({type(r).__module__ for r in recs}) == len(recs)


def test_analyzer_is_french_offline_and_cached():
    a = get_analyzer(False)
    assert a is get_analyzer(False)
    assert a.supported_languages == ["fr"]
    names = {r.name for r in a.get_recognizers("fr")}
    assert "FrNirRecognizer" in names and "EmailRecognizer" in names
    assert "PhoneRecognizer" not in names  # Presidio's 8-region phone recognizer is replaced by ours


# ----- NIR
@pytest.mark.parametrize("body", ["1850375123456", "2530719073004", "253072A073004", "7991099123045"])
def test_nir_valid_forms(body):
    key = nir.calc_check_digits(body)
    compact = body + key
    spaced = f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key}"
    for form in (compact, spaced, spaced.replace(" ", ".")):
        assert nir.is_valid(form)
        assert spans(f"NIR {form} à vérifier") == [("NIR", form)]


def test_nir_invalid_key_is_not_a_nir():
    body = "1850375123456"
    bad = body + f"{(int(nir.calc_check_digits(body)) % 97) + 1:02d}"
    assert not nir.is_valid(bad)
    assert "NIR" not in entities(f"numéro {bad}")


def test_luhn_passing_nir_is_a_nir_not_a_credit_card():
    from stdnum import luhn

    found = 0
    for order in range(100, 400):
        body = f"1850375123{order:03d}"
        value = body + nir.calc_check_digits(body)
        if luhn.is_valid(value):
            found += 1
            assert spans(f"carte {value}") == [("NIR", value)]
    assert found > 5


# ----- phones
@pytest.mark.parametrize("value", ["06 12 34 56 78", "+33 6 12 34 56 78", "0612345678", "+33 (0)6 12 34 56 78",
                                   "0033 6 12 34 56 78", "06-12-34-56-78", "0262 21 23 45", "06 39 98 12 34"])
def test_phone_forms(value):
    assert spans(f"rappeler au {value} demain") == [("PHONE", value)]


def test_dotted_phone_is_a_phone_not_a_date():
    assert spans("tél 06.12.34.56.78") == [("PHONE", "06.12.34.56.78")]


# ----- IBAN
@pytest.mark.parametrize("value", ["FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189",
                                   "FR76 30006 00001 12345678901 89", "FR14 2004 1010 0505 0001 3M02 606"])
def test_iban_forms(value):
    assert spans(f"IBAN {value} au nom de X") == [("IBAN", value)]


def test_iban_wrong_rib_key_not_reported():
    assert "IBAN" not in entities("IBAN FR76 3000 6000 0112 3456 7890 188")


# ----- SIREN / SIRET / SPI
def test_siret_and_siren():
    assert siret.is_valid("73282932000074") and siren.is_valid("732829320")
    assert spans("SIRET 73282932000074") == [("SIRET", "73282932000074")]
    assert "SIRET" not in entities("SIRET 73282932000075")
    assert spans("SIRET 35600000049837") == [("SIRET", "35600000049837")]  # La Poste: digit sum % 5


def test_fr_tax_id():
    assert spans("numéro fiscal 3023217600053") == [("FR_TAX_ID", "3023217600053")]
    assert "FR_TAX_ID" not in entities("numéro fiscal 3023217600054")


# ----- dates
@pytest.mark.parametrize("value", ["12 mars 1985", "3 janvier 2001", "1er août 1990", "12/03/1985", "1985-03-12"])
def test_dates(value):
    assert spans(f"né le {value} à Lyon") == [("DATE", value)]


def test_impossible_date_not_reported():
    assert "DATE" not in entities("le 31/02/1985")


# dates without a year: what comments quote (issue #16: "rappeler le 21/07" was left verbatim)
@pytest.mark.parametrize(("text", "value"), [
    ("rappeler le 21/07", "21/07"), ("RDV 03/11 à 10h", "03/11"), ("rappeler le 21-07", "21-07"),
    ("le 3/4 au matin", "3/4"), ("dès le 1/9", "1/9"), ("le 21 juillet prochain", "21 juillet"),
    ("depuis le 1er mars", "1er mars"), ("le 29/02", "29/02"), ("né le 21/07/85 à Pau", "21/07/85"),
    ("vu le 12 DÉC.", "12 DÉC"),
])
def test_dates_without_a_year(text, value):
    assert spans(text) == [("DATE", value)]


@pytest.mark.parametrize("text", [
    "score 3/4", "les 2/3 des dossiers", "permanence 14/15h", "de 14/15 h", "pages 10-12", "note 12/20",
    "12,50", "taux 12.05", "le 31/02", "le 30/02", "entre 10-12 ans", "45/12 %", "07/08 €",
    "tél 06.12.34.56.78", "06-12-34-56-78", "2 maisons",
])
def test_not_dates_without_a_year(text):
    assert "DATE" not in entities(text)


# amounts and ages (written at their columns' level by redact)
@pytest.mark.parametrize(("text", "value"), [
    ("indu de 167,41 € sur 2020", "167,41"), ("pension 1 234,56 euros", "1 234,56"), ("loyer 1.234 EUR", "1.234"),
    ("reste 80€", "80"), ("€ 80 payés", "80"), ("12.05 € de frais", "12.05"), ("12345 € versés", "12345"),
])
def test_amounts(text, value):
    assert spans(text) == [("AMOUNT", value)]


@pytest.mark.parametrize("text", ["12,50", "ressources 1234", "dossier 167,41"])
def test_numbers_without_a_currency_are_not_amounts(text):
    assert "AMOUNT" not in entities(text)


@pytest.mark.parametrize(("text", "value"), [
    ("âgé de 34 ans", "34 ans"), ("enfant (5 ans)", "5 ans"), ("bébé de 1 an", "1 an"), ("elle a 102 ans", "102 ans"),
])
def test_ages(text, value):
    assert spans(text) == [("AGE", value)]


@pytest.mark.parametrize("text", [
    "depuis 3 ans au RSA", "pendant 2 ans", "il y a 10 ans", "3 ans de mariage", "2 ans d'arriérés", "130 ans",
    "tranche 30-34 ans",
])
def test_durations_are_not_ages(text):
    assert "AGE" not in entities(text)


@pytest.mark.parametrize(("text", "value"), [("habite 33110 Le Bouscat", "33110"), ("75011 PARIS", "75011"),
                                             ("CP 06000", "06000")])
def test_post_code_with_a_place_name_or_a_context_word(text, value):
    assert spans(text) == [("POSTAL_CODE", value)]


def test_a_bare_five_digit_number_is_no_post_code():
    assert "POSTAL_CODE" not in entities("dossier 33110 transmis")


# ----- e-mail, address
def test_email_and_address():
    assert spans("écrire à jean.dupont@example.fr") == [("EMAIL", "jean.dupont@example.fr")]
    got = spans("domicilié 12 bis rue des Lilas, 33000 Bordeaux")
    assert ("ADDRESS", "12 bis rue des Lilas") in got


# ----- context-dependent recognizers need the spaCy tokens (NER engine)
@pytest.mark.parametrize(("text", "entity", "value"), [
    ("numéro d'allocataire 1234567", "CAF_NUMBER", "1234567"),
    ("matricule 3311234567", "CAF_MATRICULE", "3311234567"),
    ("passeport n° 12AB34567", "PASSPORT", "12AB34567"),
    ("code postal 69003", "POSTAL_CODE", "69003"),
    ("code BIC BNPAFRPP", "BIC", "BNPAFRPP"),
    ("SIREN 732829320", "SIREN", "732829320"),
])
def test_context_words(text, entity, value):
    assert (entity, value) in spans(text, ner=True)
    assert entity not in entities(text.split()[-1], ner=True)  # the bare value alone is not enough


def test_person_in_sentence_with_ner():
    assert ("PERSON", "Jeanne Dupont") in spans("Appel de Jeanne Dupont ce matin.", ner=True)


def test_long_texts_are_chunked_and_offsets_kept():
    from anonymizer.detect import text as text_mod

    filler = "rien à signaler. " * 3000  # ~51,000 characters, beyond CHUNK_CHARS
    long_text = filler + "rappeler au 06 12 34 56 78 " + filler + "écrire à jean.dupont@example.fr"
    assert len(long_text) > 2 * text_mod.CHUNK_CHARS
    got = [(r.entity_type, long_text[r.start:r.end]) for r in find_spans([long_text], ner=False)[0]]
    assert ("PHONE", "06 12 34 56 78") in got and ("EMAIL", "jean.dupont@example.fr") in got
