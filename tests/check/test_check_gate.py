"""``anon check`` on a course repository with leaks hidden in odd places (see conftest.py).

Verdicts are compared with the hand-written expectations in conftest.py; every report format is
parsed with an independent parser (json, xml.etree) and searched for every raw leaked value.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from course_repo import EXPECTED_FAIL, EXPECTED_PASS, IGNORED

from anonymizer.check.output import JSON_SCHEMA
from anonymizer.check.rules import RULES


@pytest.fixture(scope="module")
def reports(course_repo):
    """One run per format (the first fills the cache, the others reuse it)."""
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    root, _ = course_repo
    out = {}
    for fmt in ("json", "text", "sarif", "junit"):
        res = CliRunner().invoke(cli, ["check", str(root), "--format", fmt])
        out[fmt] = res
    return out


def test_every_leak_fails_every_clean_file_passes_ignored_files_are_skipped(reports):
    res = reports["json"]
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert {p for p, s in status.items() if s == "fail"} == EXPECTED_FAIL
    assert {p for p, s in status.items() if s == "pass"} == EXPECTED_PASS
    assert not (set(status) & IGNORED)
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path["data/extrait_formation.csv"]["passed_by"] == "manifest"
    # the right rule at the right place
    x3 = [f for f in by_path["data/mesures.csv"]["findings"] if f["column"] == "x3"]
    assert x3 and x3[0]["rule"] == "direct-identifier"
    sheet = by_path["data/classeur.xlsx"]["findings"]
    assert sheet and all(f["location"] == "sheet 'Feuil2'" for f in sheet)
    nb = by_path["notebooks/tp1.ipynb"]["findings"]
    assert nb and all(f["location"].startswith("cell 3, output 1") for f in nb)
    assert {f["column"] for f in by_path["data/suivi_dossiers.csv"]["findings"]} == {"commentaire"}
    qmd = by_path["cours/seance1.qmd"]["findings"]
    assert qmd and all(f["location"].startswith("lines 7-") for f in qmd) and qmd[0]["line"] == 8


def test_json_report_follows_its_documented_schema(reports):
    doc = json.loads(reports["json"].stdout)
    jsonschema.validate(doc, JSON_SCHEMA)
    assert doc["summary"]["files"] == len(EXPECTED_FAIL | EXPECTED_PASS)
    assert doc["summary"]["exit_code"] == 1


def test_text_summary_says_which_file_sheet_cell_column_and_rule(reports):
    text = reports["text"].stdout
    assert reports["text"].exit_code == 1
    assert re.search(r"^FAIL\s+data/classeur\.xlsx( \[cached\])?$", text, re.M)
    assert "sheet 'Feuil2' · column 'NIR'" in text
    assert "cell 3, output 1 (text/html table) · column 'TEL'" in text
    assert "column 'x3'" in text and "[direct-identifier]" in text and "[free-text-pii]" in text
    assert re.search(r"^PASS\s+data/extrait_formation\.csv \(manifest verified, content checked\)", text, re.M)
    assert "5 passed, 5 failed, 0 unchecked, 0 skipped" in text


def _variants(value: str) -> set[str]:
    compact = re.sub(r"[\s./-]", "", value)
    return {value, compact} | ({value.split(" ", 1)[1]} if " " in value and len(value.split(" ", 1)[1]) > 6 else set())


def test_no_raw_leaked_value_in_any_report_or_cache(reports, course_repo, session_cache_dir):
    root, leaks = course_repo
    blobs = {fmt: r.stdout for fmt, r in reports.items()}
    blobs["cache"] = "".join(p.read_text() for p in session_cache_dir.rglob("*.json"))
    assert blobs["cache"]
    for fmt, blob in blobs.items():
        for value in leaks:
            for v in _variants(value):
                assert v not in blob, f"a raw leaked value appears in the {fmt} output"


def test_sarif_is_structurally_valid_2_1_0(reports, course_repo):
    root, _ = course_repo
    doc = json.loads(reports["sarif"].stdout)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "anon" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)) and set(ids) == set(RULES)
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["results"]
    for res in run["results"]:
        assert res["ruleId"] in ids and ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note", "none") and res["message"]["text"]
        (loc,) = res["locations"]
        uri = loc["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and (root / uri).is_file()
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
    failing = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               for r in run["results"] if r["level"] == "error"}
    assert failing == EXPECTED_FAIL
    # notebook and Markdown findings point at the cell / block line
    lines = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]}
    cell_lines = [i for i, ln in enumerate((root / "notebooks/tp1.ipynb").read_text().splitlines(), 1)
                  if '"cell_type"' in ln]
    nb_line = cell_lines[2]  # the leak is in the third cell
    assert ("notebooks/tp1.ipynb", nb_line) in lines
    assert ("cours/seance1.qmd", 8) in lines


def test_junit_has_one_testcase_per_file_and_failures_for_leaks(reports):
    res = reports["junit"]
    assert res.exit_code == 1
    root = ET.fromstring(res.stdout.split("\n", 1)[1])
    (suite,) = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == EXPECTED_FAIL | EXPECTED_PASS
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(EXPECTED_FAIL))
    for name, case in cases.items():
        failure = case.find("failure")
        assert (failure is not None) == (name in EXPECTED_FAIL)
        if failure is not None:
            assert failure.get("message") and "[" in failure.text


def test_second_run_is_served_by_the_cache_and_changes_are_rechecked(course_repo, run_cli, tmp_path, cache_dir):
    src, _ = course_repo
    root = tmp_path / "repo"
    shutil.copytree(src, root)
    first = json.loads(run_cli("check", root, "--format", "json").stdout)
    assert first["summary"]["cached"] == 0
    assert list(cache_dir.rglob("*.json")) and not (root / ".anon-cache").exists()  # outside the working tree
    second = json.loads(run_cli("check", root, "--format", "json").stdout)
    assert second["summary"]["cached"] == second["summary"]["files"] == first["summary"]["files"]
    assert [f["status"] for f in second["files"]] == [f["status"] for f in first["files"]]
    # an edited file is re-checked, the others are not
    with open(root / "data" / "communes.csv", "a", encoding="utf-8") as fh:
        fh.write("33522,Talence,43661,8.35\n")
    third = json.loads(run_cli("check", root, "--format", "json").stdout)
    fresh = [f["path"] for f in third["files"] if not f["cached"]]
    assert fresh == ["data/communes.csv"]
    # --no-cache re-checks everything
    fourth = json.loads(run_cli("check", root, "--format", "json", "--no-cache").stdout)
    assert fourth["summary"]["cached"] == 0


def test_no_cache_writes_no_cache_folder(tmp_path, run_cli, cache_dir):
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n")
    res = run_cli("check", tmp_path, "--no-cache")
    assert res.exit_code == 0, res.output
    assert not (tmp_path / ".anon-cache").exists() and not list(cache_dir.rglob("*.json"))


def test_report_file_is_written_and_not_overwritten_without_force(course_repo, run_cli, tmp_path):
    root, _ = course_repo
    out = tmp_path / "anon.sarif"
    res = run_cli("check", root / "data" / "communes.csv", "--format", "sarif", "-o", out)
    assert res.exit_code == 0 and json.loads(out.read_text())["version"] == "2.1.0"
    res = run_cli("check", root / "data" / "communes.csv", "--format", "sarif", "-o", out)
    assert res.exit_code == 2 and "--force" in res.stderr
    assert run_cli("check", root / "data" / "communes.csv", "--format", "sarif", "-o", out, "--force").exit_code == 0


# ---------------------------------------------------------------- exit codes


def test_exit_0_when_everything_passes(course_repo, run_cli):
    root, _ = course_repo
    res = run_cli("check", *(root / p for p in sorted(EXPECTED_PASS)))
    assert res.exit_code == 0, res.output


def test_exit_2_for_an_unreadable_file_alone_and_1_when_another_file_fails(course_repo, run_cli, tmp_path):
    root, _ = course_repo
    bad = tmp_path / "casse.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    res = run_cli("check", bad, "--format", "json")
    assert res.exit_code == 2
    (f,) = json.loads(res.stdout)["files"]
    assert f["status"] == "unchecked" and f["findings"][0]["rule"] == "unreadable"
    res = run_cli("check", bad, root / "data" / "mesures.csv")
    assert res.exit_code == 1
    res = run_cli("check", bad, root / "data" / "communes.csv")
    assert res.exit_code == 2


def test_exit_2_for_usage_errors(run_cli, tmp_path):
    assert run_cli("check", tmp_path / "nope").exit_code == 2
    assert run_cli("check").exit_code == 2
    (tmp_path / "anon.toml").write_text("[check]\nk = 'five'\n")
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    res = run_cli("check", tmp_path)
    assert res.exit_code == 2 and "'k' must be int" in res.stderr
    res = run_cli("check", tmp_path, "--format", "xml")
    assert res.exit_code == 2


def test_help_has_examples(run_cli):
    res = run_cli("check", "--help")
    assert res.exit_code == 0 and "anon check ." in res.stdout and "--format" in res.stdout


def test_gitignored_file_named_explicitly_is_checked_but_anonignored_is_not(course_repo, run_cli):
    root, _ = course_repo
    res = run_cli("check", root / "private" / "vraies_donnees.csv", "--format", "json")
    assert res.exit_code == 1  # pre-commit may pass a force-added file: it is checked
    res = run_cli("check", root / "fixtures" / "leak.csv", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["files"] == []


def test_paths_are_relative_to_the_repository_root(course_repo, run_cli):
    root, _ = course_repo
    doc = json.loads(run_cli("check", root / "data", "--format", "json").stdout)
    assert all(f["path"].startswith("data/") for f in doc["files"])
    assert Path(doc["root"]) == root.resolve()


def test_worker_processes_give_the_same_verdicts(course_repo):
    from anonymizer.check.config import load_config
    from anonymizer.check.runner import check_paths

    root, _ = course_repo
    cfg = load_config([root])
    serial = check_paths([root], cfg, use_cache=False, jobs=1)
    parallel = check_paths([root], cfg, use_cache=False, jobs=2)
    assert [(f.path, f.status, sorted(x.rule for x in f.findings)) for f in serial.files] == \
        [(f.path, f.status, sorted(x.rule for x in f.findings)) for f in parallel.files]


def test_identical_copies_are_checked_once_and_reported_each(tmp_path, run_cli, course_repo):
    src, _ = course_repo
    (tmp_path / ".git").mkdir()
    for name in ("a.csv", "b.csv", "sub/c.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(src / "data" / "mesures.csv", tmp_path / name)
    doc = json.loads(run_cli("check", tmp_path, "--format", "json", "--no-cache").stdout)
    assert [(f["path"], f["status"]) for f in doc["files"]] == [("a.csv", "fail"), ("b.csv", "fail"), ("sub/c.csv", "fail")]


@pytest.mark.slow
def test_a_file_written_by_anon_sanitize_passes_by_its_manifest_and_fails_once_edited(run_cli, tmp_path):
    from course_repo import people

    (tmp_path / ".git").mkdir()
    raw = tmp_path / "brut" / "extrait.csv"
    raw.parent.mkdir()
    people(80, seed=11).to_csv(raw, sep=";", index=False)
    safe = tmp_path / "cours" / "extrait_formation.csv"
    safe.parent.mkdir()
    res = run_cli("sanitize", raw, "--profile", "training", "-o", safe, "--no-report",
                  env={"ANON_KEY": "2c7e0a94f1b85d36e9a0c4f7b2d18e53"})
    assert res.exit_code == 0, res.output
    assert Path(f"{safe}.manifest.json").is_file()
    doc = json.loads(run_cli("check", tmp_path, "--format", "json", "--no-cache").stdout)
    verdict = {f["path"]: (f["status"], f["passed_by"]) for f in doc["files"]}
    assert verdict == {"brut/extrait.csv": ("fail", None), "cours/extrait_formation.csv": ("pass", "manifest")}
    # one row duplicated after sanitize: the manifest no longer describes the file, which fails saying so
    lines = safe.read_bytes().splitlines(keepends=True)
    safe.write_bytes(b"".join(lines + lines[-1:]))
    doc = json.loads(run_cli("check", safe, "--format", "json", "--no-cache").stdout)
    (f,) = doc["files"]
    assert f["status"] == "fail" and "manifest-mismatch" in {x["rule"] for x in f["findings"]}


def test_identifiers_printed_in_a_notebook_output_fail(tmp_path, run_cli, course_repo):
    from course_repo import make_nir

    rng = __import__("random").Random(5)
    nirs = [make_nir(rng, 1, 1980 + i, 1 + i) for i in range(3)]
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["print(df.NIR.tolist())"],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [str(nirs) + "\n"]}]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "source": ["df.loc[nir]"],
         "outputs": [{"output_type": "error", "ename": "KeyError", "evalue": repr(nirs[0]),
                      "traceback": ["\x1b[0;31mKeyError\x1b[0m: " + repr(nirs[0])]}]},
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": ["score"],
         "outputs": [{"output_type": "execute_result", "execution_count": 3, "metadata": {},
                      "data": {"text/plain": ["Accuracy: 0.93 on 2000 rows"]}}]},
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    (tmp_path / ".git").mkdir()
    (tmp_path / "tp.ipynb").write_text(json.dumps(nb, indent=1))
    res = run_cli("check", tmp_path, "--format", "json", "--no-cache")
    assert res.exit_code == 1
    (f,) = json.loads(res.stdout)["files"]
    got = [(x["rule"], x["location"]) for x in f["findings"]]
    assert got == [("printed-pii", "cell 1, output 1 (printed text)"), ("printed-pii", "cell 2, output 1 (printed text)")]
    assert "3 NIR" in f["findings"][0]["message"]
    for n in nirs:
        assert n not in res.stdout
    # the same notebook without the identifiers passes
    nb["cells"] = cells[2:]
    (tmp_path / "tp.ipynb").write_text(json.dumps(nb, indent=1))
    assert run_cli("check", tmp_path, "--no-cache").exit_code == 0


def test_spreadsheet_style_csv_is_read_leniently_and_empty_files_pass(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / "dup.csv").write_text("nom;nom;tel\nDupont;Jean;06 12 34 56 78\nMartin;Anne;06 98 76 54 32\n")
    (tmp_path / "title.csv").write_text("Liste des contacts\n\nnom,tel\nDupont,06 12 34 56 78\nMartin,06 98 76 54 32\n",
                                        encoding="cp1252")
    (tmp_path / "empty.csv").write_bytes(b"")
    doc = json.loads(run_cli("check", tmp_path, "--format", "json", "--no-cache").stdout)
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status == {"dup.csv": "fail", "title.csv": "fail", "empty.csv": "pass"}
    for f in doc["files"]:
        if f["status"] == "fail":
            assert "tel" in {x["column"] for x in f["findings"]}


def test_workbook_with_title_rows_and_a_hidden_sheet(tmp_path, run_cli):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Accueil"
    ws["A1"] = "Cours de statistiques"
    ws2 = wb.create_sheet("données")
    ws2["A1"] = "Liste des allocataires (fictive ?)"
    ws2.append([])
    ws2.append(["nom", "prenom", "telephone"])
    for r in [("Dupont", "Jean", "06 12 34 56 78"), ("Martin", "Anne", "06 98 76 54 32"), ("Petit", "Luc", "07 11 22 33 44")]:
        ws2.append(r)
    ws3 = wb.create_sheet("cache")
    ws3.sheet_state = "hidden"
    ws3.append(["x1", "x2"])
    for i, body in enumerate(["1850575123456", "2900133063123", "1700233063456"]):
        from stdnum.fr import nir

        ws3.append([body + nir.calc_check_digits(body), str(i)])
    (tmp_path / ".git").mkdir()
    wb.save(tmp_path / "cours.xlsx")
    doc = json.loads(run_cli("check", tmp_path, "--format", "json", "--no-cache").stdout)
    (f,) = doc["files"]
    where = {(x["location"], x["column"]) for x in f["findings"] if x["level"] == "error"}
    assert ("sheet 'données'", "telephone") in where and ("sheet 'cache'", "x1") in where
    assert f["status"] == "fail"


def test_pipe_table_with_phones_in_prose_fails_documentation_prose_passes(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    rows = "\n".join(f"| dossier {i} | Rappeler l'allocataire au 06 {10 + i} 34 56 {20 + i} demain matin |"
                     for i in range(6))
    (tmp_path / "suivi.md").write_text(f"# Suivi\n\n| dossier | note |\n|---|---|\n{rows}\n", encoding="utf-8")
    doc_rows = "\n".join(f"| {c} | {d} |" for c, d in [
        ("NOMFAM", "Nom de famille de l'allocataire, remplacé par un faux nom cohérent"),
        ("ADRESSE", "Numéro et libellé de la voie, par exemple rue Sainte-Catherine à Bordeaux"),
        ("TEL", "Numéro de téléphone, remplacé par un numéro de la tranche de fiction"),
        ("COMMENT", "Texte libre du gestionnaire, expurgé des noms et numéros"),
    ])
    (tmp_path / "README.md").write_text(f"# Colonnes\n\n| colonne | description |\n|---|---|\n{doc_rows}\n",
                                        encoding="utf-8")
    doc = json.loads(run_cli("check", tmp_path, "--format", "json", "--no-cache").stdout)
    assert {f["path"]: f["status"] for f in doc["files"]} == {"README.md": "pass", "suivi.md": "fail"}
