"""The faster leak search (issue #21: each distinct text tokenised once, each distinct span looked
up once, separators removed once for every kind) finds exactly the leaks the old search found.

The reference is the old code, kept verbatim in ``tests/engine/leak_reference.py``
(:class:`ReferenceLeakIndex`: the old ``add``, ``_hits``, ``_text_hits``, ``row_hits``,
``search`` and ``share_taken`` over the same hash store). Both index seeded random tables with
planted identifiers — NIRs, IBANs, numéros fiscaux, phones, e-mails, file numbers, an
identifier-like code, identifiers glued to names and quoted in comments — and search outputs
that copy them into other columns and into free text with case, accent, spacing and phone-format
variants, among fakes, missing values and empty strings, in one batch or row by row.
"""

from __future__ import annotations

import leak_reference as ref  # tests/engine: the old code, verbatim
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from leak_reference import ReferenceLeakIndex

from anonymizer.detect.validators import nir_key
from anonymizer.engine import verify
from anonymizer.engine.verify import LeakIndex, span_lists
from anonymizer.policy.plan import ColumnStep, Plan
from anonymizer.transform.fake_ids import iban_check_digits

PLAN = Plan([ColumnStep("NIR", "identifier", "NIR", "fake"),
             ColumnStep("IBAN", "identifier", "IBAN", "fake"),
             ColumnStep("TEL", "identifier", "PHONE", "fake"),
             ColumnStep("MAIL", "identifier", "EMAIL", "fake"),
             ColumnStep("NUMCAF", "identifier", "RECORD_ID", "pseudonymize"),
             ColumnStep("REF", "quasi_identifier", "CATEGORY", "keep", identifier_like=True),
             ColumnStep("NOM", "identifier", "LAST_NAME", "fake"),
             ColumnStep("CAT", "quasi_identifier", "CATEGORY", "keep"),
             ColumnStep("COMMENT", "free_text", "FREE_TEXT", "redact"),
             ColumnStep("NOTE", "free_text", "FREE_TEXT", "redact")], [], {}, "test", False)
TEXT_COLUMNS = ["COMMENT", "NOTE"]
WORDS = ["appel", "de", "Mme", "DURAND", "le", "rappeler", "au", "pièces", "à", "suivre", "NIR", "IBAN",
         "tél.", "compte", "Hélène", "CAF", "dossier", "n°", "réf", "x", "ABC", "2A", "RIB", "fiscal"]


def _nir(rng: np.random.Generator) -> str:
    body = f"{rng.integers(1, 3)}{rng.integers(0, 100):02d}{rng.integers(1, 13):02d}" + (
        "2A" if rng.random() < 0.1 else f"{rng.integers(1, 96):02d}") + f"{rng.integers(1, 990):03d}{rng.integers(1, 999):03d}"
    return body + f"{nir_key(body):02d}"


def _iban(rng: np.random.Generator) -> str:
    bban = "".join(str(d) for d in rng.integers(0, 10, 21)) + f"{rng.integers(0, 97):02d}"
    return "FR" + iban_check_digits("FR", bban) + bban


def _tax(rng: np.random.Generator) -> str:
    ten = f"{rng.integers(0, 4)}" + "".join(str(d) for d in rng.integers(0, 10, 9))
    return ten + f"{int(ten) % 511:03d}"


def _phone(rng: np.random.Generator) -> str:
    return f"0{rng.choice([1, 2, 3, 4, 5, 6, 7, 9])}" + "".join(str(d) for d in rng.integers(0, 10, 8))


def _mail(rng: np.random.Generator) -> str:
    name = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyzé._-"), rng.integers(3, 12)))
    return f"{name.strip('.')}{rng.integers(0, 99)}@{rng.choice(['exemple.fr', 'caf.fr', 'mail.com'])}"


def _spaced(value: str, rng: np.random.Generator) -> str:
    """The value written another way: case, separators (spaces, dots, dashes, no-break and thin spaces)."""
    seps = [" ", ".", "-", "\u00a0", "\u202f", "", "", "/"]
    sep = seps[rng.integers(0, len(seps))]
    step = int(rng.integers(2, 5))
    out = sep.join(value[i:i + step] for i in range(0, len(value), step))
    return out.lower() if rng.random() < 0.3 else out


def _phone_variant(phone: str, rng: np.random.Generator) -> str:
    nine = phone[1:]
    forms = [phone, " ".join(phone[i:i + 2] for i in range(0, 10, 2)), ".".join(phone[i:i + 2] for i in range(0, 10, 2)),
             "+33 " + nine[0] + " " + " ".join(nine[i:i + 2] for i in range(1, 9, 2)), "+33(0)" + nine, "0033" + nine,
             "-".join(phone[i:i + 2] for i in range(0, 10, 2))]
    return forms[rng.integers(0, len(forms))]


def _prose(rng: np.random.Generator, ids: list[str]) -> str:
    words = list(rng.choice(WORDS, rng.integers(0, 12)))
    for value in ids:
        words.insert(int(rng.integers(0, len(words) + 1)), value)
    seps = [" ", " ", " ", ", ", "  ", " : ", "(", ") ", "\u00a0", " – "]
    return "".join(w + seps[rng.integers(0, len(seps))] for w in words).strip()


def _original(rng: np.random.Generator, n: int) -> pd.DataFrame:
    rows = []
    for _ in range(n):
        nir, iban, tel = _nir(rng), _iban(rng), _phone(rng)
        rows.append({
            "NIR": _spaced(nir, rng) if rng.random() < 0.3 else nir,
            "IBAN": _spaced(iban, rng) if rng.random() < 0.3 else iban,
            "TEL": _phone_variant(tel, rng) if rng.random() < 0.8 else "",
            "MAIL": _mail(rng).upper() if rng.random() < 0.2 else _mail(rng),
            "NUMCAF": f"{rng.integers(1_000_000, 9_999_999)}",
            "REF": f"R{rng.integers(0, 99):02d}-{rng.integers(0, 99999):05d}",
            "NOM": rng.choice(["DURAND", "Martin", "LEFÈVRE"]) + (f" {_nir(rng)}" if rng.random() < 0.2 else ""),
            "CAT": rng.choice(["A", "B", "autre", f"voir {_phone(rng)}", f"compte {_spaced(_iban(rng), rng)}"]),
            "COMMENT": _prose(rng, [f(rng) for f in rng.choice([_nir, _iban, _tax, _phone, _mail], rng.integers(0, 3))]),
            "NOTE": "" if rng.random() < 0.4 else _prose(rng, []),
        })
    return pd.DataFrame(rows)


def _output(rng: np.random.Generator, original: pd.DataFrame) -> pd.DataFrame:
    """Fakes, with original values planted across columns and rows in other written forms."""
    n = len(original)

    def pick(col: str) -> str:
        return str(original[col].iloc[rng.integers(0, n)])

    def planted() -> str:
        kind = rng.integers(0, 9)
        if kind == 0:
            return _spaced(pick("NIR").replace(" ", ""), rng)
        if kind == 1:
            return _spaced(pick("IBAN").replace(" ", ""), rng)
        if kind == 2:
            tel = "".join(c for c in pick("TEL") if c.isdigit())[-9:]
            return _phone_variant("0" + tel, rng) if len(tel) == 9 else ""
        if kind == 3:
            return pick("MAIL").swapcase() if rng.random() < 0.5 else pick("MAIL")
        if kind == 4:
            return pick("NUMCAF")
        if kind == 5:
            return pick("REF").lower()
        if kind == 6:
            return pick("COMMENT")
        if kind == 7:
            return pick("CAT")
        return pick("NOM")

    def fake(col: str) -> str:
        r = rng.random()
        if r < 0.15:
            return ""
        if r < 0.45:
            return planted() if col not in TEXT_COLUMNS else _prose(rng, [planted()])
        makers = {"NIR": _nir, "IBAN": _iban, "TEL": _phone, "MAIL": _mail, "NUMCAF": lambda g: f"{g.integers(10**6, 10**7)}"}
        if col in makers:
            return makers[col](rng)
        if col in TEXT_COLUMNS:
            return _prose(rng, [f(rng) for f in rng.choice([_nir, _phone, _tax], rng.integers(0, 2))])
        return str(original[col].iloc[rng.integers(0, n)]) if rng.random() < 0.5 else "x" * int(rng.integers(0, 9))

    out = pd.DataFrame({c: [fake(c) for _ in range(n)] for c in original.columns})
    out["EXTRA"] = [planted() + (" " + planted() if rng.random() < 0.3 else "") for _ in range(n)]  # any column
    out["COUNTER"] = [str(1_000_000 + i) for i in range(n)]
    return out


def _indexes(batches: list[pd.DataFrame]) -> tuple[LeakIndex, ReferenceLeakIndex]:
    new, old = LeakIndex(PLAN), ReferenceLeakIndex(PLAN)
    for b in batches:
        new.add(b)
        old.add(b)
    return new, old


def _same_index(new: LeakIndex, old: LeakIndex) -> None:
    assert new.size == old.size and new.entities == old.entities and new._columns == old._columns
    a, b = new._merge(), old._merge()
    assert a.keys() == b.keys()
    for kind in a:
        assert np.array_equal(a[kind][0], b[kind][0]) and np.array_equal(a[kind][1], b[kind][1]), kind


def _same_search(new: LeakIndex, old: LeakIndex, out: pd.DataFrame, *, rows: bool = True) -> dict:
    hits = new.search(out, TEXT_COLUMNS)
    assert hits == old.search(out, TEXT_COLUMNS)
    if not rows:
        return hits
    assert new.search(out, TEXT_COLUMNS, {"COUNTER", "NUMCAF"}) == old.search(out, TEXT_COLUMNS, {"COUNTER", "NUMCAF"})
    for col in out.columns:
        for text in (False, True):
            assert np.array_equal(new.row_hits(out[col], text=text), old.row_hits(out[col], text=text)), (col, text)
    values = out["TEL"].tolist() + out["EXTRA"].tolist()
    for kind in ("phone", "plain"):
        assert new.share_taken(values, kind) == old.share_taken(values, kind)
    return hits


@pytest.mark.parametrize("seed", range(4))
def test_search_finds_what_the_old_search_found(seed):
    rng = np.random.default_rng(seed)
    original = _original(rng, 120)
    new, old = _indexes([original.iloc[:50], original.iloc[50:51], original.iloc[51:]])
    _same_index(new, old)
    out = _output(rng, original)
    hits = _same_search(new, old, out)
    assert hits  # planted values are found (the same ones)
    # another row order and index labels (not 0..n-1), and the output in small batches
    shuffled = out.sample(frac=1.0, random_state=seed).set_axis(np.arange(len(out)) * 7 + 3)
    assert _same_search(new, old, shuffled) == hits
    parts = [shuffled.iloc[i:i + 40] for i in range(0, len(shuffled), 40)]
    total: dict = {}
    for part in parts:
        for k, n in _same_search(new, old, part, rows=False).items():
            total[k] = total.get(k, 0) + n
    assert total == hits


def test_missing_values_one_row_and_empty_tables():
    rng = np.random.default_rng(42)
    original = _original(rng, 30).astype(object)
    original.iloc[::4, :] = None  # missing cells (object columns), not empty strings
    new, old = _indexes([original])
    _same_index(new, old)
    out = _output(rng, _original(rng, 30)).astype(object)
    out.iloc[1::3, :] = None
    _same_search(new, old, out)
    _same_search(new, old, out.iloc[:1])
    _same_search(new, old, out.iloc[:0])
    empty_new, empty_old = _indexes([original.iloc[:0]])
    assert empty_new.search(out, TEXT_COLUMNS) == empty_old.search(out, TEXT_COLUMNS) == {}


def test_planted_leaks_are_caught():
    """Independent of either implementation: one planted value of each kind, the cells they hide in."""
    nir, iban, tax, mail = "185017510012362", _iban(np.random.default_rng(1)), _tax(np.random.default_rng(2)), "Jean.Dupont@exemple.fr"
    original = pd.DataFrame({"NIR": [nir, ""], "IBAN": ["", iban], "TEL": ["06 12 34 56 78", ""],
                             "MAIL": [mail, ""], "NUMCAF": ["1234567", "7654321"], "REF": ["R01-00042", ""],
                             "NOM": ["DURAND", "MARTIN"], "CAT": ["A", "B"],
                             "COMMENT": [f"numéro fiscal {tax} transmis", ""], "NOTE": ["", ""]})
    new, old = _indexes([original])
    spaced_iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)).lower()
    out = pd.DataFrame({
        "CAT": ["1 85 01 75 100 123 62", "x"],                                    # a NIR with spaces, in a category
        "NOTE": [f"Hélène a donné son RIB\u00a0: {spaced_iban}.", "tél.\u202f+33 (0)6 12 34 56 78"],
        "COMMENT": ["écrire à JEAN.DUPONT@EXEMPLE.FR", f"SPI {tax[:5]} {tax[5:]}"],  # case; a number with spaces
        "NOM": [f"Durand {nir}", "r01-00042"],                                    # glued to a name; an identifier-like code
        "NUMCAF": ["1234567", "0000000"],
    })
    hits = new.search(out, TEXT_COLUMNS)
    assert hits == old.search(out, TEXT_COLUMNS)
    assert hits[("NIR", "CAT")] == 1 and hits[("NIR", "NOM")] == 1
    assert hits[("IBAN", "NOTE")] == 1 and hits[("TEL", "NOTE")] == 1
    assert hits[("MAIL", "COMMENT")] == 1 and hits[("NUMCAF", "NUMCAF")] == 1 and hits[("REF", "NOM")] == 1
    assert hits[(verify.inside_source("FR_TAX_ID"), "COMMENT")] == 1
    assert new.row_hits(out["NOTE"], text=True).tolist() == [True, True]
    assert new.row_hits(out["NOTE"]).tolist() == [False, False]  # whole cells: not an identifier


# characters and whole identifiers (a NIR, an IBAN, a numéro fiscal, a phone, an e-mail) in any order
_PIECES = list("abcXYZ019 7.-/+@_:,()éÉ\u00a0\u202f\tß") + [
    "FR76", "0612", "2A", "185017510012362", "1 85 01 75 100 123 62", "FR7630006000011234567890189",
    "0123456789211", "06 12 34 56 78", "+33 6 12 34 56 78", "jean.dupont@exemple.fr", "NIR:"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXT, max_size=6), st.booleans())
def test_spans_are_the_old_candidates_long_enough(texts, aligned):
    got = span_lists(texts, aligned=aligned)
    assert len(got) == len(texts)
    for text, spans in zip(texts, got, strict=True):
        assert set(spans) == {t for t in ref.text_candidates(text, aligned=aligned) if len(t) >= ref.MIN_LEN}


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=8))
def test_identifiers_inside_cells_are_the_old_ones(texts):
    new, old = verify.cell_identifiers(pd.Series(texts)), ref.cell_identifiers(pd.Series(texts))
    assert {k: sorted(set(v)) for k, v in new.items()} == {k: sorted(set(v)) for k, v in old.items()}
