"""Sanitize's marks, told from real values: fiction-range phones, reserved e-mail domains, pseudonym tokens,
names from sanitize's pools. Expected verdicts follow from the ranges in ``transform.vocab`` and the
RFCs, not from the code under test; fakes are made by ``transform.fake`` itself."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.check.release import CONSISTENT, REAL, RESERVED, UNKNOWN, declared_problems, fake_evidence
from anonymizer.transform import vocab
from anonymizer.transform.base import TransformContext

KEY = bytes.fromhex("0123456789abcdef0123456789abcdef")


def _fake(values: list[str], entity: str) -> pd.Series:
    from anonymizer.transform import fake

    return fake(pd.Series(values, dtype=str), key=KEY, params={}, context=TransformContext(column="c", entity=entity))


REAL_PHONES = ["06 12 34 56 78", "+33 7 98 76 54 32", "0556123456", "01.45.67.89.10"]


def test_fake_phones_are_reserved_real_ones_are_real():
    fakes = _fake(REAL_PHONES, "PHONE")
    assert all(f.replace(" ", "").replace(".", "")[-9:][:5] in vocab.FICTION_LANDLINE + vocab.FICTION_MOBILE
               for f in fakes)  # the premise: sanitize writes fiction numbers
    assert fake_evidence("TEL", "PHONE", fakes).verdict == RESERVED
    ev = fake_evidence("TEL", "PHONE", pd.Series(REAL_PHONES))
    assert ev.verdict == REAL and "4 of 4" in ev.detail
    mixed = pd.concat([fakes, pd.Series(REAL_PHONES[:1])], ignore_index=True)
    assert fake_evidence("TEL", "PHONE", mixed).verdict == REAL  # one real number is enough


@pytest.mark.parametrize("address, verdict", [
    ("jean.dupont@example.fr", RESERVED), ("a@example.com", RESERVED), ("b@mail.example.org", RESERVED),
    ("c@exemple.test", RESERVED), ("d@x.invalid", RESERVED), ("e@gmail.com", REAL), ("f@example.fr.evil.com", REAL),
    ("g@orange.fr", REAL),
])
def test_reserved_email_domains(address, verdict):
    assert fake_evidence("MAIL", "EMAIL", pd.Series([address])).verdict == verdict


def test_phones_in_free_text_are_whole_numbers_not_digits_of_an_iban_or_a_nir():
    texts = pd.Series(["virement sur FR7630004000031234567890143 refusé", "NIR 185057512345678 à vérifier",
                       "RAS"])
    assert fake_evidence("COMMENT", None, texts, text=True).verdict == UNKNOWN
    fiction = "rappeler au 06 39 98 12 34 ou écrire à jean.martin@example.fr"
    assert fake_evidence("COMMENT", None, pd.Series([fiction]), text=True).verdict == RESERVED
    real = "rappeler au 06 12 34 56 78"
    assert fake_evidence("COMMENT", None, pd.Series([fiction, real]), text=True).verdict == REAL


def test_names_drawn_from_the_pools_are_only_consistent():
    fakes = _fake(["DUPONT", "de la FONTAINE", "Kowalczyk-Nguyen"], "LAST_NAME")
    assert fake_evidence("NOM", "LAST_NAME", fakes).verdict == CONSISTENT
    rare = pd.Series(["Zwiebelkuchen", "Xochiquetzal", "Oyelaran-Brzeczyszczykiewicz"])
    assert fake_evidence("NOM", "LAST_NAME", rare).verdict == REAL


def test_declared_transformations_are_checked_against_the_values():
    df = pd.DataFrame({"TEL": ["06 39 98 00 01", "06 12 34 56 78"], "VILLE": ["", "Agen"],
                       "ID": ["JHKF3Z2XY27P", "12345"], "NIR": ["185057512345678", "285057512345612"],
                       "NOTE": ["", ""]})
    decisions = {"TEL": {"action": "fake", "entity": "PHONE"}, "VILLE": {"action": "suppress"},
                 "ID": {"action": "pseudonymize", "params": {"length": 12}}, "NIR": {"action": "fake", "entity": "NIR"},
                 "NOTE": {"action": "redact", "role": "free_text"}, "DROPPED": {"action": "drop"}}
    problems = dict(declared_problems(df, decisions))
    assert set(problems) == {"TEL", "VILLE", "ID"}  # a NIR fake cannot be told from a real NIR
    assert "1 of 2 distinct phone numbers" in problems["TEL"]
    assert "declared suppressed" in problems["VILLE"] and "not pseudonyms" in problems["ID"]
