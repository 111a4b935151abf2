"""``anon scan``: outputs (table, JSON + schema, policy), exit codes, and the no-leak rule on every output."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest
from faker import Faker

from anonymizer.resources import rules_path

N = 120


@pytest.fixture(scope="module")
def table_path(tmp_path_factory):
    f = Faker("fr_FR")
    Faker.seed(9)
    df = pd.DataFrame({
        "NOM": [f.last_name().upper() for _ in range(N)],
        "prenom": [f.first_name() for _ in range(N)],
        "nir": [f.ssn() for _ in range(N)],
        "tel": [f"06 {i:02d} 34 56 {i % 90 + 10:02d}" for i in range(N)],
        "mail": [f.email() for _ in range(N)],
        "iban": [f.iban() for _ in range(N)],
        "dtnais": [f.date_of_birth().strftime("%d/%m/%Y") for _ in range(N)],
        "cp": [f.postcode() for _ in range(N)],
        "montant": [f"{i * 3.17:.2f}".replace(".", ",") for i in range(N)],
        "commentaire": [f"Appel de {f.name()}, rappeler au 06 12 34 {i % 90 + 10:02d} 78" for i in range(N)],
    })
    path = tmp_path_factory.mktemp("scan") / "beneficiaires.csv"
    df.to_csv(path, sep=";", index=False, encoding="cp1252", errors="replace")
    return path, df


def _raw_values(df: pd.DataFrame) -> list[str]:
    """Every raw value of the identifier columns (and every name inside the free text)."""
    out = []
    for col in ("NOM", "prenom", "nir", "tel", "mail", "iban"):
        out += [v for v in df[col].unique() if len(v) >= 3]
    return out


def _assert_no_leak(text: str, df: pd.DataFrame) -> None:
    leaked = [v for v in _raw_values(df) if v in text]
    assert not leaked, f"{len(leaked)} raw values leaked"  # the values themselves are not printed


def test_json_output_valid_schema_and_no_leak(run_cli, table_path):
    path, df = table_path
    res = run_cli("scan", path, "--format", "json", "--no-ner")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    schema = json.loads(rules_path("schemas", "scan.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    roles = {f["column"]: f["role"] for f in doc["findings"]}
    assert roles["nir"] == roles["NOM"] == roles["tel"] == "identifier"
    assert roles["commentaire"] == "free_text"
    _assert_no_leak(res.stdout, df)


def test_terminal_output_no_leak(run_cli, table_path):
    path, df = table_path
    res = run_cli("scan", path, "--no-ner")
    assert res.exit_code == 0, res.output
    assert "identifier" in res.stdout and "nir" in res.stdout
    _assert_no_leak(res.stdout + res.stderr, df)


def test_policy_and_json_files_no_leak_and_refuse_overwrite(run_cli, table_path, tmp_path):
    path, df = table_path
    pol, js = tmp_path / "policy.yaml", tmp_path / "scan.json"
    res = run_cli("scan", path, "--no-ner", "--write-policy", pol, "-o", js)
    assert res.exit_code == 0, res.output
    import yaml

    policy = yaml.safe_load(pol.read_text(encoding="utf-8"))
    assert set(policy["columns"]) == set(df.columns)
    assert policy["columns"]["nir"]["role"] == "identifier"
    text = pol.read_text(encoding="utf-8")
    assert "# identifier / NIR" in text  # commented with the evidence
    _assert_no_leak(text + js.read_text(encoding="utf-8"), df)
    again = run_cli("scan", path, "--no-ner", "--write-policy", pol)
    assert again.exit_code == 2 and "anon: error" in again.stderr
    forced = run_cli("scan", path, "--no-ner", "--write-policy", pol, "--force")
    assert forced.exit_code == 0


def test_refuses_to_overwrite_its_input(run_cli, table_path):
    path, _ = table_path
    res = run_cli("scan", path, "--no-ner", "-o", path, "--force")
    assert res.exit_code == 2
    assert path.read_bytes()[:3] == b"NOM"


def test_bad_input_exit_2(run_cli, tmp_path):
    res = run_cli("scan", tmp_path / "missing.csv")
    assert res.exit_code == 2
    assert res.stderr.startswith("anon: error")
    bad_rules = tmp_path / "r"
    bad_rules.mkdir()
    (bad_rules / "x.yaml").write_text("rules: 3\n", encoding="utf-8")
    csv = tmp_path / "t.csv"
    csv.write_text("a;b\n1;2\n", encoding="utf-8")
    res = run_cli("scan", csv, "--rules", bad_rules)
    assert res.exit_code == 2 and "column rules" in res.stderr


def test_help_has_examples(run_cli):
    res = run_cli("scan", "--help")
    assert res.exit_code == 0 and "Examples:" in res.stdout and "--write-policy" in res.stdout


@pytest.mark.slow
def test_ner_free_text_json_no_leak(run_cli, table_path):
    path, df = table_path
    res = run_cli("scan", path, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    te = next(f for f in doc["findings"] if f["column"] == "commentaire")["text_entities"]
    assert te.get("PHONE", 0) > 0.9 and te.get("PERSON", 0) > 0.5
    _assert_no_leak(res.stdout, df)


def test_dialect_passthrough(run_cli, tmp_path):
    path = tmp_path / "latin.txt"
    rows = ["NOM|prénom|téléphone"] + [f"LEFÈVRE{i}|Hélène|06 12 34 {i % 90 + 10:02d} 78" for i in range(40)]
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    res = run_cli("scan", path, "--no-ner", "--format", "json", "--delimiter", "|", "--encoding", "cp1252")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [f["column"] for f in doc["findings"]] == ["NOM", "prénom", "téléphone"]
    assert {f["column"]: f["entity"] for f in doc["findings"]}["téléphone"] == "PHONE"
