"""Validators against independent references: python-stdnum, schwifty, phonenumbers, brute force."""

from __future__ import annotations

import random

import phonenumbers
import pytest
import schwifty
from faker import Faker
from stdnum import iban as std_iban
from stdnum.fr import nif, nir, siren, siret

from anonymizer.detect import validators as v

RNG = random.Random(20261124)


def _rand_digits(n: int) -> str:
    return "".join(RNG.choice("0123456789") for _ in range(n))


def test_nir_key_matches_stdnum_on_random_bodies_incl_corsica():
    for _ in range(3000):
        body = RNG.choice("1278") + _rand_digits(4) + RNG.choice(["2A", "2B", _rand_digits(2)]) + _rand_digits(6)
        assert f"{v.nir_key(body):02d}" == nir.calc_check_digits(body)


def test_is_nir_agrees_with_stdnum_when_fields_are_plausible():
    fake = Faker("fr_FR")
    Faker.seed(3)
    for _ in range(1000):
        value = fake.ssn()
        assert nir.is_valid(value)
        assert v.is_nir(value)
        wrong = value[:13] + f"{(int(value[13:]) % 97) + 1:02d}"
        assert not nir.is_valid(wrong) and not v.is_nir(wrong)


@pytest.mark.parametrize("value", [
    "2 53 07 2A 073 004 43",          # Corsica, spaced
    "2.53.07.2A.073.004.43",          # dotted
    "253072a07300443",                # lower case 2a
])
def test_nir_written_forms(value):
    assert nir.is_valid(value)
    assert v.is_nir(value)


def test_nir_plausibility_rejects_what_stdnum_accepts():
    # sex 5, month 13, département 00, order 000: right key, impossible NIR
    for body in ("5850375123456", "1851375123456", "1850300123456", "1850375123000"):
        value = body + nir.calc_check_digits(body)
        assert nir.is_valid(value)
        assert not v.is_nir(value)
        assert v.is_nir(value, plausible=False)


def test_nir_scientific_notation_and_float_exports():
    assert v.is_nir_scientific("1,85058E+14")
    assert v.is_nir_scientific("2.53072E+12")
    assert not v.is_nir_scientific("1,5E+3")
    assert not v.is_nir("185057505600116.0")


def test_iban_and_rib_key_against_schwifty():
    fake = Faker("fr_FR")
    Faker.seed(5)
    values = [fake.iban() for _ in range(400)] + ["FR7630006000011234567890189", "FR1420041010050500013M02606",
                                                  "FR2520041010050500013M02699", "DE89370400440532013000"]
    for value in values:
        try:
            schwifty.IBAN(value, validate_bban=True)
            ok = True
        except Exception:  # noqa: BLE001 - schwifty raises several error types
            ok = False
        assert v.is_iban(value) == ok, value
        assert v.is_iban(value, rib=False) == std_iban.is_valid(value)


def test_iban_grouped_forms():
    assert v.is_iban("FR76 3000 6000 0112 3456 7890 189")
    assert v.is_iban("FR76 30006 00001 12345678901 89")
    assert not v.is_iban("FR76 3000 6000 0112 3456 7890 188")


def test_siren_siret_against_stdnum_brute_force():
    for _ in range(4000):
        s9 = _rand_digits(9)
        assert v.is_siren(s9) == (siren.is_valid(s9) and s9 != "000000000")
        s14 = RNG.choice(["356000000", _rand_digits(9)]) + _rand_digits(5)
        assert v.is_siret(s14) == siret.is_valid(s14), s14


def test_la_poste_siret():
    assert siret.is_valid("35600000049837") and v.is_siret("35600000049837")
    assert not v.is_siret("35600000049838")
    assert v.is_siret("35600000000048")


def test_fr_tax_id_against_stdnum():
    assert v.is_fr_tax_id("30 23 217 600 053") and nif.is_valid("3023217600053")
    for _ in range(4000):
        s = RNG.choice("0123459") + _rand_digits(9)
        s += f"{int(s[:10]) % 511:03d}" if RNG.random() < 0.5 else _rand_digits(3)
        assert v.is_fr_tax_id(s) == nif.is_valid(s), s


@pytest.mark.parametrize("value", [
    "06 12 34 56 78", "+33 6 12 34 56 78", "0612345678", "+33612345678", "0033 6 12 34 56 78",
    "+33 (0)6 12 34 56 78", "06-12-34-56-78", "06.12.34.56.78", "01 23 45 67 89", "612345678",
])
def test_phone_shapes_agree_with_phonenumbers(value):
    assert v.is_fr_phone(value)
    n = v.phone_national(value)
    parsed = phonenumbers.parse("0" + n, "FR")
    assert phonenumbers.is_valid_number(parsed) == v.is_valid_phone_number(value)


def test_overseas_phone_reparsed_with_its_region():
    assert not phonenumbers.is_valid_number(phonenumbers.parse("0262212345", "FR"))
    assert phonenumbers.is_valid_number(phonenumbers.parse("0262212345", "RE"))
    assert v.phone_region("0262 21 23 45") == "RE"
    assert v.is_valid_phone_number("0262 21 23 45")
    # ARCEP fiction mobile range: French shape, phonenumbers says invalid
    assert v.is_fr_phone("06 39 98 12 34") and not v.is_valid_phone_number("06 39 98 12 34")


@pytest.mark.parametrize("value", ["3646", "0612345678.0", "12345", "06 12 34 56"])
def test_not_phones(value):
    assert not v.is_fr_phone(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("12/03/1985", (1985, 3, 12)), ("1985-03-12", (1985, 3, 12)), ("12.03.1985", (1985, 3, 12)),
    ("31/12/85", (1985, 12, 31)), ("19850312", (1985, 3, 12)), ("12 mars 1985", (1985, 3, 12)),
    ("1er janvier 2001", (2001, 1, 1)), ("3 août 2010", (2010, 8, 3)),
])
def test_dates(value, expected):
    d = v.parse_date(value)
    assert d is not None and (d.year, d.month, d.day) == expected


@pytest.mark.parametrize("value", ["31/02/1985", "06.12.34.56.78", "12 mars", "1985", "2A004"])
def test_not_dates(value):
    assert v.parse_date(value) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("21/07/1985", (21, 7, 1985, "dmy", "/", (2, 2, 4), True)), ("21/07/85", (21, 7, 1985, "dmy", "/", (2, 2, 2), True)),
    ("3.4.05", (3, 4, 2005, "dmy", ".", (1, 1, 2), False)), ("21/07", (21, 7, None, "dmy", "/", (2, 2, 0), True)),
    ("21-07", (21, 7, None, "dmy", "-", (2, 2, 0), True)), ("21/7", (21, 7, None, "dmy", "/", (2, 1, 0), False)),
    ("1/09", (1, 9, None, "dmy", "/", (1, 2, 0), True)), ("1985-07-21", (21, 7, 1985, "ymd", "-", (2, 2, 4), True)),
    ("21 juillet 1985", (21, 7, 1985, "written", " ", (2, 0, 4), False)),
    ("1er mars", (1, 3, None, "written", " ", (3, 0, 0), False)), ("05 mars", (5, 3, None, "written", " ", (2, 0, 0), True)),
    ("29/02", (29, 2, None, "dmy", "/", (2, 2, 0), True)), ("12 DÉC", (12, 12, None, "written", " ", (2, 0, 0), False)),
])
def test_text_dates(value, expected):
    d = v.parse_text_date(value)
    assert d is not None and (d.day, d.month, d.year, d.form, d.sep, d.widths, d.pad) == expected


@pytest.mark.parametrize("value", ["31/02", "30/02/2020", "29/02/2021", "12/13", "00/05", "21 juillettes", "3/4/5/6"])
def test_not_text_dates(value):
    assert v.parse_text_date(value) is None


def test_codes():
    assert v.is_postal_code("75008") and v.is_postal_code("20000") and not v.is_postal_code("99100")
    assert v.is_commune_code("2A004") and v.is_commune_code("97411") and not v.is_commune_code("2C004")
    assert v.is_bic("BNPAFRPP") and v.is_bic("PSSTFRPPXXX") and not v.is_bic("SUSPENDU") and not v.is_bic("bnpafrpp")
