"""Fast first steps: --help and the light commands import only what they use (measured in a
fresh interpreter: what a user's ``anon ...`` loads)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "pydantic", "presidio_analyzer", "spacy", "faker", "pyarrow")


def _loaded(args: list[str], cwd=None) -> set[str]:
    code = ("import sys\nfrom anonymizer.cli.main import cli\n"
            "try:\n    cli.main(args=sys.argv[1:], prog_name='anon')\nexcept SystemExit:\n    pass\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    return set(res.stderr.strip().splitlines()[-1].split()) if res.stderr.strip() else set()


@pytest.mark.parametrize("command", [[], ["sanitize"], ["risk"], ["scan"], ["check"], ["generate"], ["convert"]])
def test_help_loads_no_heavy_library(command):
    assert _loaded([*command, "--help"]) == set()


def test_a_table_without_free_text_is_scanned_and_measured_without_presidio_or_spacy(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("DTNAIS;SEXE;CODCOM\n" + "".join(f"0{i % 9 + 1}/03/1980;{i % 2 + 1};3306{i % 10}\n"
                                                    for i in range(60)), encoding="utf-8")
    for args in (["scan", str(path)], ["risk", str(path), "--qi", "DTNAIS,SEXE,CODCOM"],
                 ["check", str(path), "--no-cache"], ["convert", str(path), "-o", str(tmp_path / "t.parquet")]):
        loaded = _loaded(args, cwd=tmp_path)
        assert not loaded & {"presidio_analyzer", "spacy"}, (args, loaded)


def test_a_sanitize_without_free_text_imports_neither_presidio_nor_spacy(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("DTNAIS;SEXE;CODCOM;NOM\n" + "".join(f"0{i % 9 + 1}/03/1980;{i % 2 + 1};3306{i % 10};Martin\n"
                                                        for i in range(60)), encoding="utf-8")
    env = {"cwd": tmp_path}
    for args in (["scan", "t.csv", "--write-policy", "p.yaml"], ["keygen", "-o", "k"]):
        assert subprocess.run([sys.executable, "-m", "anonymizer", *args], capture_output=True, **env).returncode == 0
    loaded = _loaded(["sanitize", "t.csv", "--policy", "p.yaml", "--key-file", "k", "--profile", "training",
                      "-o", "o.csv"], cwd=tmp_path)
    assert (tmp_path / "o.csv").exists() and (tmp_path / "o.csv.manifest.json").exists()  # it ran
    assert "pandas" in loaded and not loaded & {"presidio_analyzer", "spacy"}, loaded


def test_stop_words_are_spacys_without_importing_its_french_language():
    code = ("import sys\nfrom anonymizer.detect.bulk import _stop_words\nw = _stop_words()\n"
            "print(len(w), 'spacy.lang.fr' in sys.modules, 'de' in w)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300).stdout.split()
    assert int(out[0]) > 300 and out[1:] == ["False", "True"]
