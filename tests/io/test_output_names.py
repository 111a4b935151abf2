"""Output names (#19 item 8): a default output keeps the chosen format's extension, and the
manifest and risk report are named after the whole output name, so the CSV and the XLSX release
of one input live side by side (an XLSX run after a CSV one used to stop on the CSV's manifest)."""

from __future__ import annotations

import hashlib
import json

import pytest

from anonymizer.io import read_table

KEY = {"ANON_KEY": "4f9c2e7a1b6d3085c2e9f4a7b1d6038e5c2a9f7b4e1d6083a5c9e2f7b4a1d608"}
MAGIC = {"csv": b"ligne", "xlsx": b"PK\x03\x04", "parquet": b"PAR1", "dta": b"<stata_dta>"}


@pytest.fixture
def extract(tmp_path):
    src = tmp_path / "t.csv"
    # columns the rules know (an unclassified one is a 30 % guess strict mode will not keep); SEXE
    # is a quasi-identifier, so there is a risk report
    src.write_text("ligne;SEXE;etat_dossier\n" + "".join(f"{i + 1};{i % 2 + 1};{'ab'[i % 3 == 0]}\n"
                                                         for i in range(40)), encoding="utf-8")
    return src


def test_releases_in_several_formats_of_one_input_never_collide(tmp_path, extract, run_cli):
    for to in ("csv", "xlsx", "parquet", "dta"):  # no --force: nothing of an earlier run is in the way
        r = run_cli("sanitize", extract, *(["--to", to] if to != "csv" else []), env=KEY)
        assert r.exit_code == 0, (to, r.output)
    names = {p.name for p in tmp_path.iterdir()}
    for ext, fmt in ((".csv", "csv"), (".xlsx", "xlsx"), (".parquet", "parquet"), (".dta", "dta")):
        out = tmp_path / f"t.training{ext}"
        assert out.read_bytes().startswith(MAGIC[fmt]), out.name
        assert read_table(out).df["etat_dossier"].astype(str).tolist() == ["ab"[i % 3 == 0] for i in range(40)]
        manifest = json.loads((tmp_path / f"{out.name}.manifest.json").read_text(encoding="utf-8"))
        # each manifest describes its own file (an overwritten one would carry the last run's digest)
        assert manifest["output"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest(), out.name
        assert {f"{out.name}.risk.json", f"{out.name}.risk.html"} <= names
    assert not any(n.startswith("t.training.manifest") or n.startswith("t.training.risk") for n in names)


def test_the_check_gate_finds_each_release_by_its_own_manifest(tmp_path, extract, run_cli):
    for to in ("csv", "xlsx"):
        assert run_cli("sanitize", extract, "--to", to, "--no-report", env=KEY).exit_code == 0
    extract.unlink()
    (tmp_path / "t.csv.truth.json").unlink(missing_ok=True)
    r = run_cli("check", tmp_path, "--format", "json", "--no-cache")
    files = {f["path"]: f for f in json.loads(r.output)["files"]}
    for name in ("t.training.csv", "t.training.xlsx"):
        assert files[name]["status"] == "pass" and files[name]["passed_by"] == "manifest", files[name]


def test_a_release_of_an_earlier_version_keeps_its_manifest(tmp_path, extract, run_cli):
    """``safe.manifest.json`` (the name before this change) still vouches for ``safe.csv``."""
    assert run_cli("sanitize", extract, "-o", tmp_path / "safe.csv", "--no-report", env=KEY).exit_code == 0
    (tmp_path / "safe.csv.manifest.json").rename(tmp_path / "safe.manifest.json")
    extract.unlink()
    r = run_cli("check", tmp_path, "--format", "json", "--no-cache")
    (f,) = json.loads(r.output)["files"]
    assert f["passed_by"] == "manifest", f


@pytest.mark.parametrize("command", ["sanitize", "convert"])
def test_an_output_name_of_another_format_than_asked_is_refused(tmp_path, extract, run_cli, command):
    out = tmp_path / "safe.csv"
    r = run_cli(command, extract, "-o", out, "--to", "xlsx", env=KEY)
    assert r.exit_code == 2 and "safe.csv" in r.output and "safe.xlsx" in r.output, r.output
    assert not out.exists() and list(tmp_path.iterdir()) == [extract]
