"""The report as a whole: schema, WP29 questions, utility, no raw value in any output, HTML in a browser, CLI."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import jsonschema
import pandas as pd
import pytest

from anonymizer.report import render_html, render_json, render_terminal
from anonymizer.resources import rules_path
from anonymizer.risk import risk_report

SECRETS = ["Zorglubette", "Quintavalle", "Ménardière", "75011", "1985-03-12"]


def secret_table() -> pd.DataFrame:
    """Values no report may ever show (distinctive strings used as quasi-identifiers and sensitive values)."""
    return pd.DataFrame({
        "nom": ["Zorglubette", "Quintavalle", "Ménardière", "Zorglubette", "Quintavalle", "Dupont"],
        "cp": ["75011", "75011", "13001", "69001", "75011", "13001"],
        "naissance": ["1985-03-12", "1990-01-01", "1985-03-12", "1970-07-07", "1990-01-01", "1970-07-07"],
        "aah": ["Quintavalle", "0", "0", "812,50", "0", "75011"],
    })


@pytest.fixture(scope="module")
def schema():
    return json.loads(rules_path("schemas", "risk.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def adult(shared_data):
    return pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str)


def generalise(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["age"] = (out["age"].astype(int) // 10 * 10).astype(str)
    out.loc[out["native-country"] != "United-States", "native-country"] = "*"
    return out


def test_report_validates_against_schema(adult, schema):
    qi = ["sex", "age", "race", "marital-status", "native-country"]
    rep = risk_report(generalise(adult), qi, ["occupation", "salary-class"], sampling_fraction=0.05, original=adult)
    jsonschema.validate(rep, schema)
    jsonschema.validate(rep["original"], schema)
    def no_constant(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    json.loads(render_json(rep), parse_constant=no_constant)  # strict JSON: no NaN / Infinity


def test_no_raw_value_in_json_html_or_terminal(schema):
    df = secret_table()
    rep = risk_report(df, ["nom", "cp", "naissance"], ["aah"], population=1000, original=df)
    jsonschema.validate(rep, schema)
    from io import StringIO

    from rich.console import Console

    buf = StringIO()
    render_terminal(rep, Console(file=buf, width=200))
    for text in (render_json(rep), render_html(rep), buf.getvalue()):
        for secret in SECRETS:
            assert secret not in text


def test_linkability_and_utility_hand_computed():
    orig = pd.DataFrame({"a": ["1", "2", "3", "4"], "b": ["x", "x", "y", "y"], "s": ["p", "q", "p", "q"]})
    out = pd.DataFrame({"a": ["1", "2", "*", "*"], "b": ["x", "x", "y", "y"], "s": ["p", "q", "p", "q"]})
    rep = risk_report(out, ["a", "b"], ["s"], k=2, original=orig)
    link = rep["questions"]["linkability"]
    # rows 1, 2 match exactly one original each; rows 3, 4 (suppressed 'a') match none
    assert link["share_linked_exact"] == pytest.approx(0.5)
    # classes {1,x}, {2,x}, {*,y}x2 → mean 1/size = (1 + 1 + 0.5 + 0.5) / 4
    assert link["share_linked_knowing_generalisation"] == pytest.approx(0.75)
    ua = rep["utility"]["columns"]["a"]
    assert ua["suppressed_cells"] == 2
    assert ua["share_changed"] == pytest.approx(0.5)
    # H(a_in | a_out): the two '*' rows hide one bit each → 0.5 bit of 2 bits
    assert ua["information_loss"] == pytest.approx(0.5 / 2)
    # TVD: input uniform on 1..4, output 1, 2 (1/4 each) and * (1/2) → ½(¼ + ¼ + ½) = 0.5
    assert ua["tvd"] == pytest.approx(0.5)
    assert rep["utility"]["columns"]["b"]["information_loss"] == 0.0


def test_inference_question_hand_computed():
    df = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 10, "s": ["x"] * 4 + ["y"] * 9 + ["z"]})
    rep = risk_report(df, ["g"], ["s"])
    inf = rep["sensitive"]["s"]["inference"]
    assert inf["records_certain"] == 4          # class a: everyone has x
    assert inf["records_near_certain"] == 13    # class b: 9/10 have y ≥ 0.9
    assert rep["questions"]["inference"]["answer"] == "yes"
    assert rep["questions"]["linkability"]["answer"] == "not computed"


def test_usage_errors_name_columns_not_values():
    from anonymizer.errors import UsageError

    df = secret_table()
    with pytest.raises(UsageError, match="nope"):
        risk_report(df, ["nope"])
    with pytest.raises(UsageError):
        risk_report(df, ["cp"], ["cp"])
    with pytest.raises(UsageError):
        risk_report(df, ["cp"], population=10, sampling_fraction=0.1)
    with pytest.raises(UsageError):
        risk_report(df, ["cp"], population=3)


def test_html_is_self_contained(adult):
    rep = risk_report(generalise(adult), ["sex", "age", "race"], ["occupation"], sampling_fraction=0.1, original=adult)
    html = render_html(rep)
    low = html.lower()
    assert "<script" not in low and "<link" not in low and "@import" not in low
    assert "src=" not in low and "href=" not in low and "url(" not in low
    assert low.count("<svg") == 2
    assert "Before / after" in html


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="chromium is not installed")
def test_html_renders_in_headless_chromium(adult, tmp_path):
    rep = risk_report(generalise(adult), ["sex", "age", "race"], ["occupation"], sampling_fraction=0.1, original=adult)
    page = tmp_path / "report.html"
    page.write_text(render_html(rep), encoding="utf-8")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    proc = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    dom = proc.stdout
    assert "Re-identification risk report" in dom
    assert dom.count("<rect") > 10           # the bars were parsed as SVG
    assert "Can a person be singled out?" in dom


# ------------------------------------------------------------------------------------ CLI

def test_cli_text_json_html_and_refusals(run_cli, tmp_path, shared_data, schema):
    data = shared_data / "adult" / "adult.csv"
    js, html = tmp_path / "r.json", tmp_path / "r.html"
    res = run_cli("risk", data, "--qi", "sex,age,race", "--sensitive", "occupation", "--sampling-fraction", "0.1",
                  "-o", js, "--html", html)
    assert res.exit_code == 0, res.output
    assert "Singling out" in res.stdout
    rep = json.loads(js.read_text(encoding="utf-8"))
    jsonschema.validate(rep, schema)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = run_cli("risk", data, "--qi", "sex", "-o", js)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run_cli("risk", data, "--qi", "sex", "-o", js, "--force").exit_code == 0
    clash = run_cli("risk", data, "--qi", "sex", "-o", data, "--force")
    assert clash.exit_code == 2


def test_cli_bad_qi_is_one_line_exit_2(run_cli, shared_data):
    res = run_cli("risk", shared_data / "adult" / "adult.csv", "--qi", "sex,agee")
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0 and "agee" in res.stderr and "Traceback" not in res.stderr


def test_cli_json_on_stdout_and_policy_roles(run_cli, tmp_path):
    df = secret_table()
    data = tmp_path / "t.csv"
    df.to_csv(data, sep=";", index=False)
    policy = tmp_path / "p.yaml"
    # read as sanitize reads it: the quasi-identifiers and sensitive columns are privacy's lists
    policy.write_text("version: 1\nprivacy: {quasi_identifiers: [cp, naissance], sensitive: [aah]}\ncolumns:\n"
                      "  nom: {role: identifier, action: drop}\n  cp: {role: quasi_identifier, action: keep}\n"
                      "  naissance: {role: quasi_identifier, action: keep}\n"
                      "  aah: {role: sensitive, action: keep}\n", encoding="utf-8")
    res = run_cli("risk", data, "--policy", policy, "--format", "json", "--k", "2")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["parameters"]["quasi_identifiers"] == ["cp", "naissance"]
    assert rep["parameters"]["sensitive"] == ["aah"]
    assert rep["k_anonymity"]["k_target"] == 2
    for secret in SECRETS:
        assert secret not in res.stdout


def test_cli_original_gives_before_after(run_cli, tmp_path, adult):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    adult.head(3000).to_csv(src, sep=";", index=False)
    generalise(adult.head(3000)).to_csv(out, sep=";", index=False)
    res = run_cli("risk", out, "--qi", "sex,age,race,native-country", "--original", src, "--format", "json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["original"]["prosecutor"]["average"] > rep["prosecutor"]["average"]
    assert rep["questions"]["linkability"]["answer"] != "not computed"
    assert not math.isnan(rep["utility"]["columns"]["age"]["information_loss"])


@pytest.mark.parametrize("rows", [[], ["", "*"], ["x"], ["x", "x"]])
@pytest.mark.parametrize("kw", [{}, {"sampling_fraction": 0.1}, {"population": 10}])
def test_degenerate_tables_give_a_valid_report(rows, kw, schema):
    df = pd.DataFrame({"a": pd.Series(rows, dtype="str"), "s": pd.Series(["1"] * len(rows), dtype="str")})
    rep = risk_report(df, ["a"], ["s"], original=df, **kw)
    jsonschema.validate(rep, schema)
    render_html(rep)
    assert rep["dataset"]["records_kept"] == sum(1 for r in rows if r.strip("*"))


def test_cli_roles_from_a_scan_report(run_cli, tmp_path):
    df = secret_table()
    data = tmp_path / "t.csv"
    df.to_csv(data, sep=";", index=False)
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"findings": [
        {"column": "nom", "role": "identifier"}, {"column": "cp", "role": "quasi_identifier"},
        {"column": "naissance", "role": "quasi_identifier"}, {"column": "aah", "role": "sensitive"}]}),
        encoding="utf-8")
    res = run_cli("risk", data, "--scan", scan, "--format", "json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["parameters"]["quasi_identifiers"] == ["cp", "naissance"]
    assert rep["parameters"]["sensitive"] == ["aah"]
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert run_cli("risk", data, "--scan", bad).exit_code == 2
