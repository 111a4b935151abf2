"""The verdict at the top of the risk report: built from the measured figures, consistent on a
small file and on a file where every row is suppressed, in French and English."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from anonymizer.i18n import number, percent, set_language
from anonymizer.report import render_html
from anonymizer.report.terminal import render_terminal
from anonymizer.report.verdict import add_verdict, build_verdict
from anonymizer.risk import risk_report


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language(None)


def _table(n: int, seed: int = 0) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "DTNAIS": [f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(rng.integers(1, 29, n), rng.integers(1, 13, n),
                                                             rng.integers(1940, 2005, n), strict=True)],
        "SEXE": rng.choice(["1", "2"], n).tolist(),
        "CODCOM": rng.choice([f"33{i:03d}" for i in range(40)], n).tolist(),
        "AAH": rng.choice(["0", "1"], n).tolist(),
    })


def _attack(mean: float, unique: int, persons: int, passed: bool) -> dict:
    return {"passed": passed, "thresholds": {"max_mean_success": 0.2, "max_unique_reidentified_share": 0.01},
            "attacker_known": {"mean_success": mean, "unique_reidentified": unique, "persons_attacked": persons},
            "same_attack_on_the_input": {"mean_success": 1.0, "unique_reidentified": persons}, "problems": []}


def _release(report: dict, *, passed: bool, k: int, suppressed: int, problems=()) -> dict:
    records = report["dataset"]["records"]
    return {"released": passed and not problems, "problems": list(problems),
            "attacker_knows": ["DTNAIS", "SEXE", "CODCOM"],
            "reached": {"k": k, "records": records, "suppressed_records": suppressed,
                        "groups": {"person.birth": {"columns": ["DTNAIS"], "levels": {"month": 0.2, "year": 0.8}},
                                   "person.sex": {"columns": ["SEXE"], "levels": {"exact": 1.0}}}},
            "attack": _attack(0.113, 0, records, passed), "targets": {"k": 5}}


def test_a_passed_release_is_a_yes_whose_reasons_quote_the_measured_figures():
    rep = risk_report(_table(400), ["DTNAIS", "SEXE", "CODCOM"], ["AAH"])
    v = build_verdict(rep, _release(rep, passed=True, k=5, suppressed=12))
    assert v["usable_for_training"] and v["answer"] == "yes" and v["failed"] == [] and v["what_to_do"] == []
    text = " ".join(v["reasons"])
    assert "11.3 %" in text and "never with certainty" in text          # the attack's figures
    assert "DTNAIS, SEXE and CODCOM" in text                            # what the attacker knows
    assert "at least 5 rows" in text and "12 rows out of 400 were removed" in text
    assert "DTNAIS → year" in text and "SEXE" not in text.split("removed")[1]  # kept exact: not listed
    assert "--" not in json.dumps(v)                                    # no command-line flag


def test_a_failed_attack_is_a_no_with_what_to_do_and_no_is_never_hidden_by_k():
    rep = risk_report(_table(400), ["DTNAIS", "SEXE", "CODCOM"], ["AAH"])
    release = _release(rep, passed=False, k=5, suppressed=0)
    release["attack"]["attacker_known"].update(mean_success=0.35, unique_reidentified=9)
    v = build_verdict(rep, release)
    assert not v["usable_for_training"] and v["failed"] == ["attack"]
    assert "35.0 %" in v["reasons"][0] and "9 people out of 400" in v["reasons"][0]
    assert any("coarser" in t for t in v["what_to_do"])


def test_the_50_row_case_says_no_and_its_figures_agree():
    df = _table(50, seed=3)
    rep = add_verdict(risk_report(df, ["DTNAIS", "SEXE", "CODCOM"], ["AAH"], k=5))
    v = rep["verdict"]
    below, unique = rep["k_anonymity"]["records_below_k"], rep["prosecutor"]["sample_uniques"]
    assert below == 50 and unique > 0  # birth dates to the day: every person is alone
    assert not v["usable_for_training"] and "k" in v["failed"] and v["basis"] == "measures"
    assert f"{below} rows sit in groups smaller than 5 rows" in v["reasons"][0]
    assert f"{unique} rows are alone" in v["reasons"][1]
    html = render_html(rep)
    assert html.index("This file may be used as training material: no") < html.index("The three questions")
    assert "Glossary" in html and "--population" not in html and "--sampling" not in html


def test_a_file_where_every_row_is_suppressed_says_no_row_is_left_without_contradictions(capsys):
    df = pd.DataFrame({"DTNAIS": ["*"] * 30, "SEXE": ["*"] * 30, "CODCOM": ["*"] * 30, "AAH": ["1", "0"] * 15})
    rep = risk_report(df, ["DTNAIS", "SEXE", "CODCOM"], ["AAH"])
    assert rep["dataset"]["records_kept"] == 0
    add_verdict(rep, _release(rep, passed=True, k=5, suppressed=30))
    v = rep["verdict"]
    assert not v["usable_for_training"] and "empty" in v["failed"]
    assert "No row is left to share" in " ".join(v["reasons"])
    assert "30 rows out of 30 were removed" in " ".join(v["reasons"])
    html = render_html(rep)
    assert "smallest group (target k = 5)" in html and '<div class="v">—</div>' in html  # not "0"
    assert "give --population" not in html
    render_terminal(rep)
    out = capsys.readouterr().out
    assert "training material: no" in out and "0 of 0" not in out


def test_french_is_the_language_of_a_french_locale_and_numbers_follow_it(monkeypatch):
    set_language(None)
    monkeypatch.delenv("ANON_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    from anonymizer.i18n import language

    assert language() == "fr"
    monkeypatch.setenv("ANON_LANG", "en")
    assert language() == "en"
    assert number(10204, lang="fr") == "10\u202f204" and number(10204, lang="en") == "10,204"
    assert percent(0.2, lang="fr") == "20,0\u00a0%" and percent(0.2, lang="en") == "20.0 %"
    assert percent(0.0004, lang="en") == "0.04 %"


def test_the_report_in_french(monkeypatch):
    set_language("fr")
    rep = add_verdict(risk_report(_table(50, seed=3), ["DTNAIS", "SEXE", "CODCOM"], ["AAH"]))
    assert rep["verdict"]["headline"] == "Ce fichier peut servir de support de formation : non"
    assert rep["verdict"]["language"] == "fr"
    html = render_html(rep)
    assert '<html lang="fr">' in html and "Glossaire" in html and "Que faire" in html
    assert "Can a person be singled out" not in html


def test_the_cli_prints_the_verdict_first_and_writes_it_in_the_json(tmp_path, run_cli):
    path = tmp_path / "t.csv"
    _table(50, seed=3).to_csv(path, index=False)
    res = run_cli("--lang", "en", "risk", path, "--qi", "DTNAIS,SEXE,CODCOM", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["verdict"]["answer"] == "no" and doc["verdict"]["basis"] == "measures"
    res = run_cli("--lang", "fr", "risk", path, "--qi", "DTNAIS,SEXE,CODCOM")
    assert res.stdout.splitlines()[0] == "Ce fichier peut servir de support de formation : non"
