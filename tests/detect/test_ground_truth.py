"""Quality against the generator's ground truth, with the real column codes and with the names hidden."""

from __future__ import annotations

import pytest

gen = pytest.importorskip("anonymizer.synth.generator")

from anonymizer.detect import scan_table  # noqa: E402

ROWS = 1500


@pytest.fixture(scope="module")
def extract():
    return gen.generate_extract(ROWS, 11)


@pytest.fixture(scope="module")
def report(extract):
    df, _ = extract
    return scan_table(df, ner=False)


def _truth(extract) -> dict:
    return extract[1]["columns"]


def test_every_direct_identifier_found(extract, report):
    truth = _truth(extract)
    missed = [f.column for f in report.findings if truth[f.column]["role"] == "identifier" and f.role != "identifier"]
    assert missed == []


def test_quasi_identifier_recall_and_role_precision(extract, report):
    truth = _truth(extract)
    qi = [c for c, t in truth.items() if t["role"] == "quasi_identifier"]
    found = {f.column for f in report.findings if f.role == "quasi_identifier"}
    recall = sum(c in found for c in qi) / len(qi)
    assert recall >= 0.95
    correct = sum(truth[f.column]["role"] == f.role for f in report.findings)
    assert correct / len(report.findings) >= 0.90


def test_free_text_columns_list_their_entities(extract, report):
    truth = _truth(extract)
    for f in report.findings:
        if truth[f.column]["role"] == "free_text":
            assert f.role == "free_text"
    assert report.finding("COMMENT_GEST").text_entities.get("PHONE", 0) > 0


def test_identifiers_found_from_values_when_names_say_nothing(extract):
    """col_0..col_180: every identifier that has a value signal is still an identifier."""
    df, truth = extract
    codes = list(df.columns)
    hidden = df.copy()
    hidden.columns = [f"col_{i}" for i in range(len(codes))]
    rep = scan_table(hidden, ner=False)
    got = {codes[i]: (f.role, f.entity) for i, f in enumerate(rep.findings)}
    for code, entity in [("NIR", "NIR"), ("CLENIR", "NIR_KEY"), ("NIRCJ", "NIR"), ("TEL", "PHONE"),
                         ("TELPORT", "PHONE"), ("MAIL", "EMAIL"), ("IBAN", "IBAN"), ("NUMFISC", "FR_TAX_ID"),
                         ("PRENOM", "FIRST_NAME"), ("NOMFAM", "LAST_NAME"), ("ADRBAIL", "ADDRESS"),
                         ("CMPADR", "ADDRESS_COMPLEMENT")]:
        assert got[code] == ("identifier", entity), code
    for code in ("NUMALLOC", "MATRICULE", "IDBAIL"):
        assert got[code][0] == "identifier", code
    assert got["SIRETEMP"] == ("quasi_identifier", "SIRET")
