"""Fakes: validity against independent checkers, row consistency, format, never the original."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import phonenumbers
import pytest
from faker.providers.person.fr_FR import Provider as FakerPerson
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN
from stdnum.fr import nif, nir, siren, siret

from anonymizer.errors import UsageError
from anonymizer.transform import fake
from anonymizer.transform.vocab import BANKS

from .conftest import KEY, OTHER_KEY, ctx, text


def fold(s: str) -> str:
    """Accent- and case-insensitive form (independent of the code under test)."""
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().casefold()


FEMALE = {fold(n) for n in FakerPerson.first_names_female}
MALE = {fold(n) for n in FakerPerson.first_names_male}
SURNAMES = {fold(n) for n in FakerPerson.last_names}


def run(values, entity, key=KEY, **kw):
    return fake(text(values), key=key, params=kw.pop("params", {}), context=ctx(entity=entity, **kw))


# ------------------------------------------------------------------ determinism and keys


def test_same_key_same_fake_other_key_other_fake():
    vals = ["DUPONT", "MARTIN", "DUPONT", "LEROY"]
    a, b, c = run(vals, "LAST_NAME"), run(vals, "LAST_NAME"), run(vals, "LAST_NAME", key=OTHER_KEY)
    assert a.tolist() == b.tolist()
    assert a.iloc[0] == a.iloc[2]
    nirs = [f"1850575{i:03d}{i:03d}" for i in range(1, 40)]
    x, y = run(nirs, "NIR"), run(nirs, "NIR", key=OTHER_KEY)
    assert sum(p != q for p, q in zip(x, y, strict=True)) == len(nirs)
    assert c.tolist() != a.tolist()


def test_no_key_refused():
    with pytest.raises(UsageError):
        fake(text(["x"]), key=None, params={}, context=ctx(entity="LAST_NAME"))


def test_joins_survive_two_files():
    f1 = run(["1234567", "7654321"], "CAF_NUMBER")
    f2 = run(["7654321", "1111111", "1234567"], "CAF_NUMBER")
    assert f1.iloc[0] == f2.iloc[2] and f1.iloc[1] == f2.iloc[0]


# ------------------------------------------------------------------ NIR


def test_fake_nir_valid_and_consistent_with_row_sex_and_birth_month():
    rc = pd.DataFrame({
        "SEXE": text(["1", "2", "2", "1"]),
        "DTNAIS": text(["03/07/1961", "28/02/1990", "", "1975"]),
        "NIR": text(["", "", "", ""]),
    })
    ents = {"SEXE": "SEX", "DTNAIS": "BIRTH_DATE", "NIRCJ": "NIR"}
    orig = ["2 85 05 75 123 456 78", "185057512345678", "1850575123456", "175072A004123"]
    out = fake(text(orig), key=KEY, params={}, context=ctx("NIRCJ", "NIR", rc, ents))
    compact = [re.sub(r"\W", "", v) for v in out]
    assert [len(c) for c in compact] == [15, 15, 13, 13]
    assert out.iloc[0].count(" ") == 6  # spaced form kept
    for c in compact[:2]:
        nir.validate(c)  # raises if the key is wrong
    assert [c[0] for c in compact] == ["1", "2", "2", "1"]
    assert compact[0][1:5] == "6107" and compact[1][1:5] == "9002"
    assert compact[3][1:3] == "75" and 1 <= int(compact[3][3:5]) <= 12
    assert all(1 <= int(c[3:5]) <= 12 for c in compact)


def test_fake_nir_valid_over_many_values_and_rarely_collides():
    orig = [f"{1 + i % 2}{50 + i % 40:02d}{1 + i % 12:02d}{33 + i % 3:02d}{i % 900 + 1:03d}{i % 997 + 1:03d}"
            for i in range(4000)]
    orig = list(dict.fromkeys(orig))
    full = [o + nir.calc_check_digits(o) for o in orig]
    out = run(full, "NIR")
    assert all(nir.is_valid(v) for v in out)
    assert out.nunique() >= len(full) - 2
    assert not set(out) & set(full)


def test_nir_key_column_recomputed_from_the_rows_fake_nir():
    nir13 = text(["1850575123456", "2900233001002"])
    fake_nir = fake(nir13, key=KEY, params={}, context=ctx("NIR", "NIR"))
    rc = pd.DataFrame({"NIR": fake_nir})
    keys = fake(text(["41", "07"]), key=KEY, params={},
                context=ctx("CLENIR", "NIR_KEY", rc, {"NIR": "NIR", "CLENIR": "NIR_KEY"}))
    for n13, k in zip(fake_nir, keys, strict=True):
        assert nir.is_valid(n13 + k)


def test_unparseable_nir_gets_a_shape_fake_not_the_original():
    out = run(["1,85058E+14"], "NIR")
    assert out.iloc[0] != "1,85058E+14"
    assert re.fullmatch(r"\d,\d{5}[A-Z]\+\d\d", out.iloc[0])


# ------------------------------------------------------------------ banks


def test_fake_iban_passes_schwifty_with_rib_key_and_keeps_spacing():
    orig = ["FR76 3000 6000 0112 3456 7890 189", "FR1420041010050500013M02606", "fr7630004000031234567890143"]
    out = run(orig, "IBAN")
    for o, f in zip(orig, out, strict=True):
        IBAN(f, validate_bban=True)  # raises on a bad RIB key or IBAN checksum
        assert [i for i, ch in enumerate(o) if ch == " "] == [i for i, ch in enumerate(f) if ch == " "]
        assert f[:2] == o[:2]
        assert re.sub(r"\s", "", f).upper()[4:9] != re.sub(r"\s", "", o).upper()[4:9]  # bank changed


def test_bank_list_bics_agree_with_schwifty_registry():
    for code, bic in BANKS:
        iban = IBAN.generate("FR", bank_code=code, branch_code="00001", account_code="12345678901")
        assert str(iban.bic)[:8] == bic


def test_fake_bic_is_the_bic_of_the_rows_fake_iban():
    ibans = fake(text(["FR7630006000011234567890189", "FR1420041010050500013M02606"]), key=KEY, params={},
                 context=ctx("IBAN", "IBAN"))
    rc = pd.DataFrame({"IBAN": ibans})
    bics = fake(text(["AGRIFRPPXXX", "PSSTFRPP"]), key=KEY, params={},
                context=ctx("BIC", "BIC", rc, {"IBAN": "IBAN", "BIC": "BIC"}))
    for iban, bic in zip(ibans, bics, strict=True):
        assert str(IBAN(iban).bic)[:8] == bic[:8]
    assert len(bics.iloc[0]) == 11 and len(bics.iloc[1]) == 8


# ------------------------------------------------------------------ phones


LANDLINE_RANGES = ("199 00", "261 91", "353 01", "465 71", "536 49")


@pytest.mark.parametrize("orig", ["01 42 68 53 00", "+33 4 72 10 30 30", "0556123456", "05.56.12.34.56",
                                  "556123456", "0033 2 99 12 34 56"])
def test_landline_fakes_parse_valid_in_fiction_ranges_and_keep_format(orig):
    f = run([orig], "PHONE").iloc[0]
    num = phonenumbers.parse(f, "FR")
    assert phonenumbers.is_valid_number(num)
    nsn = str(num.national_number)
    assert f"{nsn[:3]} {nsn[3:5]}" in LANDLINE_RANGES
    assert re.sub(r"\d", "9", f) == re.sub(r"\d", "9", orig)  # same punctuation, prefix, length


def test_mobile_fakes_use_the_fiction_mobile_range():
    f = run(["06 12 34 56 78", "+33712345678"], "PHONE")
    assert f.iloc[0].startswith("06 39 98 ")
    assert f.iloc[1].startswith("+3363998")


# ------------------------------------------------------------------ companies, tax, CAF


def test_siren_siret_nif_valid_with_stdnum_and_consistent():
    sirens = run(["732829320", "552 100 554"], "SIREN")
    sirets = run(["73282932000074"], "SIRET")
    assert all(siren.is_valid(v) for v in sirens)
    assert siret.is_valid(sirets.iloc[0])
    assert sirets.iloc[0][:9] == sirens.iloc[0]  # same company, same fake SIREN
    assert sirens.iloc[1][3] == " " and sirens.iloc[1][7] == " "
    nifs = run(["3023217600053", "30 23 217 600 053"], "FR_TAX_ID")
    assert all(nif.is_valid(v) for v in nifs)
    assert nifs.iloc[1].replace(" ", "") == nifs.iloc[0]


def test_caf_matricule_agrees_with_caf_number():
    num = run(["1234567"], "CAF_NUMBER").iloc[0]
    mat = run(["3311234567"], "CAF_MATRICULE").iloc[0]
    assert re.fullmatch(r"[1-9]\d{6}", num)
    assert mat == "331" + num


# ------------------------------------------------------------------ names


def test_first_names_follow_the_rows_sex():
    rc = pd.DataFrame({"SEXE": text(["2", "1", "2", "1"] * 10)})
    firsts = ["Camille", "Dominique", "Claude", "Alix"] * 10
    out = fake(text(firsts), key=KEY, params={}, context=ctx("PRENOM", "FIRST_NAME", rc, {"SEXE": "SEX"}))
    for sex, f in zip(rc["SEXE"], out, strict=True):
        assert fold(f) in (FEMALE if sex == "2" else MALE)


def test_civility_column_drives_sex():
    rc = pd.DataFrame({"CIVILITE": text(["MME", "M"])})
    out = fake(text(["Jean", "Marie"]), key=KEY, params={},
               context=ctx("PRENOM", "FIRST_NAME", rc, {"CIVILITE": "CIVILITY"}))
    assert fold(out.iloc[0]) in FEMALE and fold(out.iloc[1]) in MALE


def test_person_case_style_and_surname_consistency():
    last = run(["DUPONT"], "LAST_NAME").iloc[0]
    people = run(["Jean DUPONT", "DUPONT Marie", "jean dupont"], "PERSON")
    assert last.isupper() and fold(last) in SURNAMES
    w = people.iloc[0].split(" ")
    assert w[1] == last and w[0][0].isupper() and w[0][1:].islower()
    assert people.iloc[1].split(" ")[0] == last
    assert people.iloc[2].islower()
    assert fold(people.iloc[0].split(" ")[0]) in MALE  # Jean suggests a man


def test_upper_case_ascii_stays_unaccented():
    out = run(["LEFEVRE", "HELENE"] * 30, "LAST_NAME")
    assert all(v.isupper() and v.isascii() for v in out)


def test_email_on_reserved_domain():
    out = run(["jean.dupont42@gmail.com", "JDUPONT@ORANGE.FR"], "EMAIL")
    assert re.fullmatch(r"[a-z]+\.[a-z]+\d\d@example\.fr", out.iloc[0])
    assert out.iloc[1].endswith("@EXAMPLE.FR")


def test_address_parts():
    out = run(["12 B RUE DES LILAS 33000 BORDEAUX"], "ADDRESS").iloc[0]
    m = re.fullmatch(r"(\d\d) B RUE (.+) (33\d{3}) (.+)", out)
    assert m and m.group(2) != "DES LILAS" and m.group(4) != "BORDEAUX"
    comp = run(["BAT C ESC 2 APT 14"], "ADDRESS_COMPLEMENT").iloc[0]
    assert re.fullmatch(r"BAT [A-Z] ESC \d APT \d\d", comp)


# ------------------------------------------------------------------ generic guarantees


ENTITIES = ["PERSON", "LAST_NAME", "FIRST_NAME", "NIR", "IBAN", "PHONE", "EMAIL", "CAF_NUMBER", "SIREN",
            "SIRET", "STREET_NAME", "ADDRESS", "ADDRESS_COMPLEMENT", "ORGANIZATION", "RECORD_ID", "PASSPORT",
            "STREET_NUMBER", "BIC", "FR_TAX_ID", "CAF_MATRICULE"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ENTITIES),
       st.text(alphabet=st.characters(codec="latin-1", categories=("L", "N", "P", "Zs")), min_size=1, max_size=30))
def test_fake_never_equals_original(entity, value):
    out = run([value], entity).iloc[0]
    assert out != value
    if any(c.isalnum() for c in value):
        assert out != ""


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["NIR", "CAF_NUMBER", "PHONE", "RECORD_ID"]), st.from_regex(r"[0-9]{7,15}", fullmatch=True))
def test_digit_identifiers_never_equal_original(entity, value):
    assert run([value], entity).iloc[0] != value


def test_missing_stays_missing_and_text_dtype_kept():
    s = text(["DUPONT", "", "MARTIN"])
    out = fake(s, key=KEY, params={}, context=ctx(entity="LAST_NAME"))
    assert out.iloc[1] == "" and out.dtype == s.dtype


def test_numeric_identifiers_stay_numeric():
    s = pd.Series([1234567.0, None, 7654321.0])
    out = fake(s, key=KEY, params={}, context=ctx(entity="CAF_NUMBER"))
    assert out.dtype == s.dtype and pd.isna(out.iloc[1])
    assert 1_000_000 <= out.iloc[0] <= 9_999_999 and out.iloc[0] != 1234567.0


def test_vectorised_path_equals_the_one_value_path():
    """``redact`` fakes one span at a time: it must get exactly the column's batch fake."""
    from anonymizer.transform.base import Deriver
    from anonymizer.transform.fake import fake_value

    d = Deriver(KEY)
    cases = {
        "NIR": [f"{1 + i % 2} {50 + i % 40:02d} {1 + i % 12:02d} 33 {i % 900 + 1:03d} {i % 997 + 1:03d}"
                for i in range(60)] + ["185057512345678", "2A", "175072A004123"],
        "IBAN": [f"FR76 3000 6000 01{i:010d} {i % 1000:03d}"[:33] for i in range(60)] + ["fr7630004000031234567890143"],
        "PHONE": [f"06 12 34 {i % 100:02d} {i // 100:02d}" for i in range(60)] + ["+33 1 42 68 53 00", "3646"],
        "CAF_NUMBER": [str(1_000_000 + 7919 * i) for i in range(60)] + ["123"],
    }
    for entity, vals in cases.items():
        batch = fake(text(vals), key=KEY, params={}, context=ctx(entity=entity)).tolist()
        assert batch == [fake_value(v, entity=entity, deriver=d) for v in vals], entity
    rc = pd.DataFrame({"SEXE": text(["2", "1", ""] * 20), "DTNAIS": text(["03/07/1961", "1975", ""] * 20)})
    vals = cases["NIR"][:60]
    ents = {"SEXE": "SEX", "DTNAIS": "BIRTH_DATE", "NIR": "NIR"}
    batch = fake(text(vals), key=KEY, params={}, context=ctx("NIR", "NIR", rc, ents)).tolist()
    ctxs = [["F", "1961-07"], ["M", "1975"], ["", ""]] * 20
    assert batch == [fake_value(v, entity="NIR", deriver=d, ctx=c) for v, c in zip(vals, ctxs, strict=True)]


def test_many_fake_ibans_valid_and_distinct():
    orig = [f"FR76 3000 6000 01{i:010d} {i % 1000:03d}"[:33] for i in range(3000)]
    out = run(orig, "IBAN")
    for f in out:
        IBAN(f, validate_bban=True)
    assert out.nunique() == len(orig)
    assert all(re.sub(r"\d", "9", f[4:]) == re.sub(r"\d", "9", o[4:]) for f, o in zip(out, orig, strict=True))


def test_dates_and_place_codes():
    import datetime as dt

    out = run(["15/03/1985", "1985-03-15", ""], "BIRTH_DATE")
    a = dt.datetime.strptime(out.iloc[0], "%d/%m/%Y").date()
    b = dt.date.fromisoformat(out.iloc[1])
    assert 1 <= abs((a - dt.date(1985, 3, 15)).days) <= 365 and 1 <= abs((b - dt.date(1985, 3, 15)).days) <= 365
    assert out.iloc[2] == ""
    codes = run(["33000", "2A004", "97411"], "POSTAL_CODE")
    assert codes.iloc[0][:2] == "33" and codes.iloc[1][:2] == "2A" and codes.iloc[2][:3] == "974"
    assert all(len(c) == 5 for c in codes)


def test_email_agrees_with_the_rows_fake_names():
    rc = pd.DataFrame({"PRENOM": text(["Zoé", "", "Jean-Luc"]), "NOM": text(["LEFÈVRE", "MARTIN", "DE LA TOUR"])})
    ents = {"PRENOM": "FIRST_NAME", "NOM": "LAST_NAME", "MAIL": "EMAIL"}
    out = fake(text(["a.b12@gmail.com", "x.y@free.fr", "jl@orange.fr"]), key=KEY, params={},
               context=ctx("MAIL", "EMAIL", rc, ents))
    assert re.fullmatch(r"zoe\.lefevre\d\d@example\.fr", out.iloc[0])
    assert out.iloc[1].endswith("@example.fr") and "martin" not in out.iloc[1].split("@")[0].split(".")[:1]
    assert out.iloc[2] in ("jdelatour@example.fr", "jean-lucdelatour@example.fr")


def test_bic_agrees_with_iban_even_inside_a_bank_group():
    """16006 and 30006 are both Crédit Agricole (AGRIFRPP): the fake bank must leave the group,
    or the BIC would have to choose between agreeing with the IBAN and differing from the original."""
    ibans = [str(IBAN.generate("FR", bank_code="16006", branch_code="00001", account_code=f"{i:011d}"))
             for i in range(200)]
    fakes = run(ibans, "IBAN")
    rc = pd.DataFrame({"IBAN": fakes})
    bics = fake(text(["AGRIFRPP860"] * 200), key=KEY, params={},
                context=ctx("BIC", "BIC", rc, {"IBAN": "IBAN", "BIC": "BIC"}))
    for f, b in zip(fakes, bics, strict=True):
        assert str(IBAN(f).bic)[:8] == b[:8] != "AGRIFRPP"


def test_a_named_context_column_that_is_missing_is_a_policy_error():
    from anonymizer.errors import PolicyError

    with pytest.raises(PolicyError, match="SEXE_X"):
        fake(text(["Jean"]), key=KEY, params={"sex_column": "SEXE_X"},
             context=ctx("PRENOM", "FIRST_NAME", pd.DataFrame({"SEXE": text(["1"])}), {"SEXE": "SEX"}))


def test_context_ties_go_to_the_first_column_of_the_table():
    rc = pd.DataFrame({"NOMFAM": text(["DURAND"]), "PRENOM": text(["Paul"]), "NOMCJ": text(["ROUX"])})
    ents = {"NOMFAM": "LAST_NAME", "PRENOM": "FIRST_NAME", "NOMCJ": "LAST_NAME", "MAIL": "EMAIL"}
    out = fake(text(["x.y1@free.fr"]), key=KEY, params={}, context=ctx("MAIL", "EMAIL", rc, ents))
    assert re.fullmatch(r"paul\.durand\d@example\.fr", out.iloc[0])


# ------------------------------------------------------------------ identifiers glued to words (#16 item 4)

WORD_COLUMNS = ["LAST_NAME", "FIRST_NAME", "PERSON", "ORGANIZATION", "ADDRESS", "STREET_NAME", "ADDRESS_COMPLEMENT"]
GLUED = ["Durand 185017510012362", "Nicolas 0600000000", "Petit 1234567", "Roux jean.roux@gmail.com",
         "LEROY FR76 3000 3698 7071 0093 4022 911", "0612345678"]


def _alnum(s: str) -> str:
    return re.sub(r"[\W_]", "", s).upper()


@pytest.mark.parametrize("entity", WORD_COLUMNS)
def test_an_identifier_glued_to_words_is_faked_as_its_own_kind_never_released(entity):
    out = list(run(GLUED, entity))
    for value, faked in zip(GLUED, out, strict=True):
        assert value != faked
        word = re.match(r"[^\W\d_]*", value).group(0)
        assert not word or fold(word) not in fold(faked)  # the name part is faked as usual
    # the NIR: a valid fake NIR of the same length in its place, the original digits nowhere
    nirs = re.findall(r"\d{15}", out[0])
    assert len(nirs) == 1 and nir.is_valid(nirs[0]) and "185017510012362" not in _alnum(out[0])
    # a phone: a number of the fiction mobile range (06 39 98), the original's digits nowhere
    assert re.search(r"063998\d{4}", out[1]) and "0600000000" not in _alnum(out[1])
    # any other run of six digits or more: keyed digits of the same length
    runs = re.findall(r"\d+", out[2])
    assert [len(r) for r in runs] == [7] and runs[0] != "1234567"
    # an e-mail: on the reserved domain; an IBAN: a valid one of another bank
    assert out[3].endswith("@example.fr") and "jean.roux" not in out[3]
    iban = re.search(r"FR\d\d[\d ]+", out[4]).group(0)
    assert IBAN(iban.replace(" ", "")).is_valid and _alnum(iban) != "FR7630003698707100934022911"
    assert re.fullmatch(r"063998\d{4}", out[5])  # a cell that is only a phone number


def test_glued_identifiers_are_keyed_and_the_same_in_every_column():
    a, b = run(GLUED[:3], "LAST_NAME"), run(GLUED[:3], "LAST_NAME")
    assert a.equals(b)
    assert not run(GLUED[:3], "LAST_NAME", key=OTHER_KEY).equals(a)
    nir_in_name = re.search(r"\d{15}", a.iloc[0]).group(0)
    assert nir_in_name == re.search(r"\d{15}", run(GLUED[:1], "PERSON").iloc[0]).group(0)


def test_only_cells_with_an_at_sign_or_long_digit_runs_are_looked_at(monkeypatch):
    import anonymizer.detect as detect

    seen: list[list[str]] = []
    real = detect.find_spans

    def spy(texts, **kw):
        seen.append(list(texts))
        return real(texts, **kw)

    monkeypatch.setattr(detect, "find_spans", spy)
    ordinary = ["DUPONT", "Marie-Claire", "12 B RUE DES LILAS 33000 BORDEAUX", "BAT C ESC 2 APT 14", "RUE DU 8 MAI 1945"]
    run(ordinary * 200, "ADDRESS")
    run(ordinary * 200, "LAST_NAME")
    assert seen == []
    run(["Durand 185017510012362", "DUPONT"] * 500, "LAST_NAME")
    assert seen == [["Durand 185017510012362"]]  # once per distinct value, in one batch
