"""scan_table on hand-made tricky tables (not from the generator): English names, meaningless
names, misleading names, mixed formats, split and Excel-mangled NIRs, free text written by people."""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest
from faker import Faker
from stdnum.fr import nir, siret

from anonymizer.detect import scan_table
from anonymizer.detect.rules import load_rules, match_rule, normalise_name

N = 300


@pytest.fixture(scope="module")
def fake():
    f = Faker("fr_FR")
    Faker.seed(42)
    random.seed(42)
    return f


def _nir(fake) -> str:
    return fake.ssn()


def _phone_mixed(i: int) -> str:
    d = f"06{i:08d}"[-10:]
    forms = [d, " ".join(d[j:j + 2] for j in range(0, 10, 2)), "+33 " + d[1] + " " + d[2:], ".".join(d[j:j + 2] for j in range(0, 10, 2))]
    return forms[i % 4]


@pytest.fixture(scope="module")
def tricky(fake) -> pd.DataFrame:
    nirs = [_nir(fake) for _ in range(N)]
    body = [x[:13] for x in nirs]
    df = pd.DataFrame({
        # English names
        "first_name": [fake.first_name() for _ in range(N)],
        "ssn": nirs,
        "phone_number": [_phone_mixed(i) for i in range(N)],
        "zip": [fake.postcode() for _ in range(N)],
        # meaningless names
        "col_17": [_nir(fake) for _ in range(N)],
        "x3": [fake.last_name().upper() for _ in range(N)],
        "v9": [fake.email() for _ in range(N)],
        "col_b": [fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y") for _ in range(N)],
        "k": [f"C{random.randrange(10**8):08d}" for _ in range(N)],
        # misleading name: a comment column full of phone numbers
        "commentaire": [_phone_mixed(i + 7) for i in range(N)],
        # split NIR (13 + key) with meaningless names, some Excel exports
        "a1": body,
        "a2": [nir.calc_check_digits(b) for b in body],
        "siret_x": [siret.to_siret(fake.siren()) if hasattr(siret, "to_siret") else fake.siret().replace(" ", "") for _ in range(N)],
        "ligne": [str(i + 1) for i in range(N)],
        "constant": ["2021"] * N,
        "montant_rsa": [f"{random.uniform(0, 900):.2f}".replace(".", ",") for _ in range(N)],
        "obs": [
            random.choice([
                "Mme {n} a appelé, elle dit ne pas avoir reçu le virement",
                "vu M. {n} au guichet, rappeler au {p} svp",
                "dossier transmis, attente pièces. contact: {e}",
                "RAS",
                "le bailleur {n} signale un impayé depuis mars",
            ]).format(n=fake.name(), p=_phone_mixed(random.randrange(10**6)), e=fake.email())
            for _ in range(N)
        ],
        "sexe": [random.choice("12") for _ in range(N)],
    })
    df.loc[::50, "col_17"] = "1,85058E+14"  # Excel scientific notation, digits lost
    return df.astype(str)


@pytest.fixture(scope="module")
def report(tricky):
    return scan_table(tricky, ner=False, sample_rows=1000)


EXPECTED = {
    "first_name": ("identifier", "FIRST_NAME"),
    "ssn": ("identifier", "NIR"),
    "phone_number": ("identifier", "PHONE"),
    "zip": ("quasi_identifier", "POSTAL_CODE"),
    "col_17": ("identifier", "NIR"),
    "x3": ("identifier", "LAST_NAME"),
    "v9": ("identifier", "EMAIL"),
    "col_b": ("quasi_identifier", "DATE"),
    "k": ("identifier", "RECORD_ID"),
    "commentaire": ("identifier", "PHONE"),
    "a1": ("identifier", "NIR"),
    "a2": ("identifier", "NIR_KEY"),
    "siret_x": ("quasi_identifier", "SIRET"),
    "ligne": ("insensitive", None),
    "constant": ("insensitive", None),
    "montant_rsa": ("sensitive", "AMOUNT"),
    "obs": ("free_text", "FREE_TEXT"),
    "sexe": ("quasi_identifier", "SEX"),
}


@pytest.mark.parametrize("column", list(EXPECTED))
def test_tricky_columns(report, column):
    f = report.finding(column)
    assert (f.role, f.entity) == EXPECTED[column], f.evidence
    assert 0 < f.confidence <= 1
    assert f.evidence


def test_excel_nirs_are_named_in_evidence(report):
    ev = " ".join(report.finding("col_17").evidence)
    assert "scientific notation" in ev


def test_split_nir_evidence_names_both_columns(report):
    ev = " ".join(report.finding("a2").evidence)
    assert "'a1' + 'a2'" in ev


def test_misleading_name_is_reported(report):
    ev = " ".join(report.finding("commentaire").evidence)
    assert "overrule" in ev


def test_free_text_rates_without_ner(report):
    te = report.finding("obs").text_entities
    assert te.get("PHONE", 0) > 0.05 and te.get("EMAIL", 0) > 0.05


def test_no_raw_value_in_the_report(tricky, report):
    """Every raw value of every identifier column is absent from the JSON report."""
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    for f in report.findings:
        if f.role != "identifier":
            continue
        for value in tricky[f.column].unique():
            if len(value) >= 4:
                assert value not in text, f"a raw value of {f.column} leaked"


def test_user_rules_win(tmp_path, tricky):
    (tmp_path / "mine.yaml").write_text(
        "rules:\n  - {pattern: '^x3$', role: quasi_identifier, entity: CATEGORY, confidence: 0.9}\n",
        encoding="utf-8",
    )
    rep = scan_table(tricky[["x3", "zip"]], rules_dirs=[str(tmp_path)], ner=False)
    assert rep.finding("x3").role == "quasi_identifier"
    assert "user rule" in rep.finding("x3").evidence[0]


def test_bad_user_rules_are_usage_errors(tmp_path):
    from anonymizer.errors import UsageError

    (tmp_path / "bad.yaml").write_text("rules:\n  - {pattern: '(', role: identifier}\n", encoding="utf-8")
    with pytest.raises(UsageError):
        load_rules((str(tmp_path),))


@pytest.mark.parametrize(("name", "entity"), [
    ("NOMUSAGE", "LAST_NAME"), ("nom", "LAST_NAME"), ("Prénom", "FIRST_NAME"), ("dtnais", "BIRTH_DATE"),
    ("Date de naissance", "BIRTH_DATE"), ("cp", "POSTAL_CODE"), ("codpost", "POSTAL_CODE"), ("nir", "NIR"),
    ("nss", "NIR"), ("matricule", "CAF_MATRICULE"), ("numalloc", "CAF_NUMBER"), ("iban", "IBAN"),
    ("rib", "IBAN"), ("tel", "PHONE"), ("mail", "EMAIL"), ("adresse", "ADDRESS"), ("libvoie", "STREET_NAME"),
    ("sexe", "SEX"), ("nationalite", "NATIONALITY"), ("date_of_birth", "BIRTH_DATE"), ("last_name", "LAST_NAME"),
    ("zip_code", "POSTAL_CODE"), ("email_address", "EMAIL"), ("phone", "PHONE"),
])
def test_name_rules(name, entity):
    rule = match_rule(name, load_rules())
    assert rule is not None and rule.entity == entity, normalise_name(name)


@pytest.mark.parametrize("name", ["valid", "parent", "current", "gerald", "note_finale"])
def test_name_rules_do_not_misfire(name):
    rule = match_rule(name, load_rules())
    assert rule is None or rule.entity not in ("RECORD_ID", "AMOUNT", "HEALTH", "FREE_TEXT"), rule


def test_empty_and_typed_columns():
    df = pd.DataFrame({"empty": [""] * 30, "age": list(range(20, 50)), "score": [i / 7 for i in range(30)]})
    rep = scan_table(df, ner=False)
    assert rep.finding("empty").role == "insensitive"
    assert rep.finding("age").entity == "AGE"
    assert rep.finding("score").role == "sensitive"


@pytest.mark.slow
def test_free_text_with_ner_finds_people(tricky):
    rep = scan_table(tricky[["obs"]], ner=True)
    assert rep.finding("obs").text_entities.get("PERSON", 0) > 0.3


def test_sensitive_category_values_without_a_name():
    df = pd.DataFrame({"z1": (["AUCUNE"] * 8 + ["TUTELLE", "CURATELLE"]) * 5, "z2": (["A", "B"] * 25)})
    rep = scan_table(df, ner=False)
    assert rep.finding("z1").role == "sensitive"
    assert rep.finding("z2").role == "quasi_identifier"


def test_duplicate_and_non_string_column_names():
    df = pd.DataFrame([["1", "a"], ["2", "b"]] * 10, columns=[0, 0])
    rep = scan_table(df, ner=False)
    assert [f.column for f in rep.findings] == ["0", "0"]


def test_sample_batches_is_uniform_and_counts_rows():
    from anonymizer.detect.scan import sample_batches

    batches = (pd.DataFrame({"i": range(s, s + 1000)}) for s in range(0, 20_000, 1000))
    sample, total, _ = sample_batches(batches, 2000, seed=1)
    assert total == 20_000 and len(sample) == 2000 and sample["i"].is_unique
    # every tenth of the table is represented about equally (uniform, not the first batches)
    counts = (sample["i"] // 2000).value_counts()
    assert len(counts) == 10 and counts.min() > 120


def _batched(df: pd.DataFrame, size: int):
    return (df.iloc[s:s + size].reset_index(drop=True) for s in range(0, len(df), size))


def test_sample_batches_finds_line_numbers_over_every_row():
    from anonymizer.detect.scan import sample_batches

    n = 5_000
    rng = random.Random(3)
    ids = [str(x) for x in rng.sample(range(10**6, 10**7), n)]
    late = [str(i) for i in range(1, n + 1)]
    late[4_321] = "99999"           # one row, almost surely outside a 200-row sample, breaks the sequence
    perm = [str(i) for i in range(1, n + 1)]
    perm[10], perm[11] = perm[11], perm[10]
    df = pd.DataFrame({
        "line": [str(i) for i in range(1, n + 1)],
        "line0": [f" {i} " for i in range(n)],          # 0..n-1, padded: still line numbers
        "late_break": late,
        "swapped": perm,                                 # the set 1..n, not in row order
        "flag": [rng.choice("01") for _ in range(n)],
        "id": ids,
    })
    df.loc[0, "flag"] = "1"
    sample, total, row_numbers = sample_batches(_batched(df, 700), 200, seed=2)
    assert total == n and len(sample) == 200
    assert row_numbers == {"line", "line0"}
    # a one-row table proves nothing; duplicated names are never vouched for
    assert sample_batches(_batched(df.iloc[:1], 700), 200).row_numbers == frozenset()
    dup = pd.DataFrame([[str(i), str(i)] for i in range(1, 50)], columns=["a", "a"])
    assert sample_batches(_batched(dup, 10), 20).row_numbers == frozenset()


def test_large_file_scan_keeps_line_numbers_but_flags_identifiers(run_cli, tmp_path, monkeypatch):
    """Above the streaming size the scan sees a sample: the line-number column must still be told apart
    from a sequential-looking identifier (it was refused as identifier-like at 1M rows)."""
    import anonymizer.cli.scan as cli_scan

    monkeypatch.setattr(cli_scan, "STREAM_ABOVE_BYTES", 0)
    n = 3_000
    rng = random.Random(5)
    ids = [str(x) for x in rng.sample(range(10**6, 10**7), n)]
    near = [str(i) for i in range(1, n + 1)]
    near[2_500] = "1"                  # line numbers but for one row: not vouched for
    df = pd.DataFrame({"numligne": [str(i) for i in range(1, n + 1)], "seq": near, "ref": ids})
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    res = run_cli("scan", path, "--no-ner", "--format", "json", "--sample", "500")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["sampled_rows"] == 500
    by = {f["column"]: f for f in doc["findings"]}
    assert by["numligne"]["role"] == "insensitive"
    assert any("line numbers" in e for e in by["numligne"]["evidence"])
    for col in ("seq", "ref"):
        assert not any("line numbers" in e for e in by[col]["evidence"]), col


def test_line_numbers_of_a_million_rows_are_not_identifier_like():
    """At a million rows line numbers are 6-7 digit strings held by one row each, which reads as an
    identifier on a sample; once the whole-table check vouches for them, they are neither."""
    rng = random.Random(9)
    lines = sorted(rng.sample(range(100_000, 1_000_001), 2_000))   # what a uniform sample of 1M lines holds
    df = pd.DataFrame({"numligne": [str(i) for i in lines], "ref": [str(i) for i in lines]})
    vouched = {f.column: f for f in scan_table(df, ner=False, total_rows=1_000_000, row_numbers={"numligne"}).findings}
    assert vouched["numligne"].role == "insensitive" and not vouched["numligne"].identifier_like
    assert vouched["ref"].identifier_like  # the same values without the whole-table check
    alone = {f.column: f for f in scan_table(df, ner=False, total_rows=1_000_000).findings}
    assert alone["numligne"].identifier_like


def test_cli_streams_large_files(run_cli, tmp_path, monkeypatch, tricky):
    import anonymizer.cli.scan as cli_scan

    monkeypatch.setattr(cli_scan, "STREAM_ABOVE_BYTES", 0)
    path = tmp_path / "t.csv"
    tricky.to_csv(path, index=False)
    res = run_cli("scan", path, "--no-ner", "--format", "json", "--sample", "100")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rows"] == N and doc["sampled_rows"] == 100
    roles = {f["column"]: f["role"] for f in doc["findings"]}
    assert roles["col_17"] == roles["ssn"] == "identifier"


def test_mixed_date_formats_and_look_alike_numbers():
    from stdnum.fr import nif

    rng = random.Random(3)
    dates = []
    for _ in range(60):
        y, m, d = rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29)
        dates.append(rng.choice([f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d} mars {y}", f"{y}{m:02d}{d:02d}"]))
    spi = []
    while len(spi) < 60:  # numéros fiscaux start with 1/2 like NIRs and are 13 digits like NIR bodies
        body = str(rng.randrange(1, 3)) + "".join(rng.choice("0123456789") for _ in range(9))
        value = body + f"{int(body) % 511:03d}"
        if nif.is_valid(value):
            spi.append(value)
    df = pd.DataFrame({"q1": dates, "q2": spi})
    rep = scan_table(df, ner=False)
    assert (rep.finding("q1").role, rep.finding("q1").entity) == ("quasi_identifier", "DATE")
    assert (rep.finding("q2").role, rep.finding("q2").entity) == ("identifier", "FR_TAX_ID")
