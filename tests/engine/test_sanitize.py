"""End-to-end sanitize on a hand-made extract with a hand-written policy.

Expectations are computed independently of the engine: digests with hashlib, k with a
plain pandas groupby, identifier validity with python-stdnum, leaks by searching the raw
bytes of every output file for every original identifier value.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml
from stdnum.fr import nir as stdnir

from anonymizer.resources import rules_path

KEY = "b3f8e21a6c094d7f5e2a81c06d9b3f47"


def _nir(sex: str, yy: str, mm: str, place: str, order: str) -> str:
    body = f"{sex}{yy}{mm}{place}{order}"
    return body + stdnir.calc_check_digits(body)


ROWS = []
for i in range(60):
    sex = "1" if i % 2 else "2"
    ROWS.append(
        {
            "NUMALLOC": f"{1000000 + i * 7919 % 8999999:07d}",
            "NIR": _nir(sex, f"{60 + i % 30:02d}", f"{1 + i % 12:02d}", "33063", f"{100 + i:03d}"),
            "NOMFAM": ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD"][i % 6] + ("" if i < 6 else f"{chr(65 + i % 26)}"),
            "PRENOM": ["Marie", "Jean", "Sophie", "Pierre", "Julie", "Luc"][i % 6],
            "SEXE": sex,
            "DTNAIS": f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{60 + i % 30:02d}",
            "CODPOST": ["33000", "33100", "33200", "33800", "33300", "33400"][i % 6],
            "TELPORT": f"06 {10 + i:02d} 34 56 {10 + i % 80:02d}",
            "AAH_MT": f"{(i * 37) % 900},{i % 100:02d}",
            "COMMENT": "" if i % 3 else f"Appel de Mme {['MARTIN', 'BERNARD'][i % 2]}, rappeler au 06 {10 + i:02d} 34 56 {10 + i % 80:02d}.",
        }
    )
DF = pd.DataFrame(ROWS)

POLICY = {
    "version": 1,
    "profile": "training",
    "strict": True,
    "person_id": ["NUMALLOC"],
    "privacy": {"k": 5, "max_suppression": 0.2, "quasi_identifiers": ["DTNAIS", "SEXE", "CODPOST"], "sensitive": ["AAH_MT"]},
    "columns": {
        "NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
        "NIR": {"role": "identifier", "entity": "NIR", "action": "fake"},
        "NOMFAM": {"role": "identifier", "entity": "LAST_NAME", "action": "fake"},
        "PRENOM": {"role": "identifier", "entity": "FIRST_NAME", "action": "fake"},
        "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
        "DTNAIS": {"role": "quasi_identifier", "entity": "BIRTH_DATE", "action": "keep"},
        "CODPOST": {"role": "quasi_identifier", "entity": "POSTAL_CODE", "action": "keep"},
        "TELPORT": {"role": "identifier", "entity": "PHONE", "action": "fake"},
        "AAH_MT": {"role": "sensitive", "entity": "AMOUNT", "action": "keep"},
        "COMMENT": {"role": "free_text", "entity": "FREE_TEXT", "action": "redact", "params": {"mode": "tag"}},
    },
}


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    path = tmp_path / "extract.csv"
    path.write_bytes(DF.to_csv(sep=";", index=False).encode("cp1252"))
    return path


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(run_cli, extract, policy_file, out, *extra, key=KEY):
    env = {"ANON_KEY": key} if key else {"ANON_KEY": ""}
    return run_cli("sanitize", extract, "--policy", policy_file, "-o", out, "--no-rescan", *extra, env=env)


def test_sanitize_releases_a_verified_file_with_manifest(run_cli, extract, policy_file, tmp_path):
    before = _sha(extract)
    out = tmp_path / "safe.csv"
    result = _run(run_cli, extract, policy_file, out)
    assert result.exit_code == 0, result.output
    assert _sha(extract) == before, "the input must never change"
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    schema = json.loads(rules_path("schemas", "manifest.schema.json").read_text())
    jsonschema.validate(manifest, schema)
    assert manifest["released"] is True
    assert manifest["output"]["sha256"] == _sha(out)
    assert manifest["input"]["sha256"] == before
    assert manifest["key_fingerprint"] and KEY not in json.dumps(manifest)
    # no original identifier value anywhere in any output file
    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("safe"))
    for col in ("NUMALLOC", "NIR", "TELPORT"):
        for value in DF[col]:
            assert value.encode() not in blobs, f"{col} leaked"
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    assert list(got.columns) == list(DF.columns)
    # fake NIRs are valid and agree with the row's sex
    for nir, sex in zip(got["NIR"], got["SEXE"], strict=True):
        assert stdnir.is_valid(nir)
        assert sex == "*" or nir[0] in ({"1", "3", "7"} if sex == "1" else {"2", "4", "8"})
    # k >= 5 on the key quasi-identifiers (independent groupby); suppressed records (every
    # key quasi-identifier starred) are excepted and stay within the 20 % limit
    qi = ["DTNAIS", "SEXE", "CODPOST"]
    suppressed = (got[qi] == "*").all(axis=1)
    sizes = got[~suppressed].groupby(qi).size()
    assert len(sizes) and sizes.min() >= 5
    assert suppressed.sum() <= 0.2 * len(got)
    # generalisation really happened: 60 distinct birth dates cannot survive k=5
    assert got["DTNAIS"].nunique() < DF["DTNAIS"].nunique()


def test_same_key_same_bytes_other_key_other_tokens(run_cli, extract, policy_file, tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert _run(run_cli, extract, policy_file, a).exit_code == 0
    assert _run(run_cli, extract, policy_file, b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert _run(run_cli, extract, policy_file, c, key="41d9e7a03c6f2b58e9a0d4c71f3b86e2").exit_code == 0
    ta = pd.read_csv(a, sep=";", dtype=str, encoding="cp1252")["NUMALLOC"]
    tc = pd.read_csv(c, sep=";", dtype=str, encoding="cp1252")["NUMALLOC"]
    assert (ta != tc).all()


def test_tokens_join_across_files(run_cli, extract, policy_file, tmp_path):
    other = tmp_path / "payments.csv"
    sub = DF[["NUMALLOC", "AAH_MT"]].iloc[::-1]
    other.write_bytes(sub.to_csv(sep=";", index=False).encode("cp1252"))
    pol2 = tmp_path / "p2.yaml"
    pol2.write_text(yaml.safe_dump({"version": 1, "strict": True, "columns": {
        "NUMALLOC": POLICY["columns"]["NUMALLOC"], "AAH_MT": POLICY["columns"]["AAH_MT"]}}))
    assert _run(run_cli, extract, policy_file, tmp_path / "x.csv").exit_code == 0
    assert run_cli("sanitize", other, "--policy", pol2, "-o", tmp_path / "y.csv", "--no-rescan", "--no-report",
                   env={"ANON_KEY": KEY}).exit_code == 0
    x = pd.read_csv(tmp_path / "x.csv", sep=";", dtype=str, encoding="cp1252")
    y = pd.read_csv(tmp_path / "y.csv", sep=";", dtype=str, encoding="cp1252")
    assert set(x["NUMALLOC"]) == set(y["NUMALLOC"])


def test_undecided_column_fails_closed_and_writes_nothing(run_cli, extract, tmp_path):
    pol = dict(POLICY, columns={k: v for k, v in POLICY["columns"].items() if k != "TELPORT"})
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(pol))
    result = _run(run_cli, extract, path, tmp_path / "safe.csv")
    assert result.exit_code == 2
    assert "TELPORT" in result.output and "Traceback" not in result.output
    assert not any(p.name.startswith("safe") for p in tmp_path.iterdir())


def test_missing_key_is_a_clear_error(run_cli, extract, policy_file, tmp_path):
    result = _run(run_cli, extract, policy_file, tmp_path / "safe.csv", key=None)
    assert result.exit_code == 2 and "key" in result.output
    assert not (tmp_path / "safe.csv").exists()


def test_refuses_to_overwrite_input(run_cli, extract, policy_file):
    before = _sha(extract)
    result = _run(run_cli, extract, policy_file, extract, "--force")
    assert result.exit_code == 2 and _sha(extract) == before


def test_kept_identifier_in_lenient_mode_is_caught_by_verification(run_cli, extract, tmp_path):
    pol = json.loads(json.dumps(POLICY))
    pol["strict"] = False
    pol["columns"]["TELPORT"]["action"] = "keep"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(pol))
    result = _run(run_cli, extract, path, tmp_path / "safe.csv")
    assert result.exit_code == 1
    assert not (tmp_path / "safe.csv").exists()
    assert (tmp_path / "safe.NOT-RELEASED.csv").exists()
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    assert manifest["released"] is False
    assert any("TELPORT" in p for p in manifest["verification"]["problems"])
    for value in DF["TELPORT"]:
        assert value not in result.output and value not in json.dumps(manifest)


@pytest.mark.parametrize("where", ["parallel.row_name_leaks", "pipeline.rescan_problems"])
def test_crash_mid_run_leaves_nothing(extract, policy_file, tmp_path, monkeypatch, where):
    """Ctrl-C while writing (after a batch went to the staging file) or while verifying."""
    import importlib

    import anonymizer.engine.sanitize as eng

    def boom(*a, **k):
        raise KeyboardInterrupt

    module, name = where.split(".")
    monkeypatch.setattr(importlib.import_module(f"anonymizer.engine.{module}"), name, boom)
    with pytest.raises(KeyboardInterrupt):
        eng.sanitize(extract, tmp_path / "safe.csv",
                     eng.SanitizeOptions(policy_path=policy_file, key=KEY.encode(), rescan=True, batch_rows=7))
    assert {p.name for p in tmp_path.iterdir()} == {"extract.csv", "policy.yaml"}


def test_small_batches_give_the_same_bytes(extract, policy_file, tmp_path):
    import anonymizer.engine.sanitize as eng

    for name, rows in (("one.csv", 100_000), ("many.csv", 7)):
        eng.sanitize(extract, tmp_path / name,
                     eng.SanitizeOptions(policy_path=policy_file, key=KEY.encode(), rescan=False, batch_rows=rows))
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()


def test_progress_counts_rows_per_pass_and_the_cli_prints_throughput(run_cli, extract, policy_file, tmp_path):
    import re

    import anonymizer.engine.sanitize as eng

    seen: list[str] = []
    eng.sanitize(extract, tmp_path / "safe.csv",
                 eng.SanitizeOptions(policy_path=policy_file, key=KEY.encode(), rescan=False, batch_rows=25),
                 progress=seen.append)
    for label in ("pass 1/3", "pass 2/3", "pass 3/3"):  # 60 rows in batches of 25: 25, 50, 60
        counts = [int(m.group(1).replace(",", "")) for s in seen if s.startswith(label)
                  for m in [re.search(r": ([0-9,]+) rows \(([0-9,]+) rows/s\)$", s)] if m]
        assert counts == [25, 50, len(DF)], (label, seen)
    result = _run(run_cli, extract, policy_file, tmp_path / "cli.csv")
    m = re.search(r"throughput : ([0-9,]+) rows in ([0-9.,]+) s \(([0-9,]+) rows/s\)", result.output)
    assert m and int(m.group(1).replace(",", "")) == len(DF), result.output
    total = json.loads((tmp_path / "cli.csv.manifest.json").read_text())["timings_s"]["total"]
    assert float(m.group(2).replace(",", "")) == pytest.approx(total, abs=0.06)


@pytest.mark.slow
def test_worker_processes_give_the_same_bytes_and_manifest(extract, policy_file, tmp_path):
    import anonymizer.engine.sanitize as eng

    results = {}
    for name, workers in (("one.csv", 1), ("two.csv", 2)):
        results[name] = eng.sanitize(extract, tmp_path / name, eng.SanitizeOptions(
            policy_path=policy_file, key=KEY.encode(), batch_rows=5, workers=workers, report=False))
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    one, two = (dict(r.manifest) for r in results.values())
    from anonymizer.keys import fingerprint_matches

    for m in (one, two):  # the key fingerprint is salted per release: the same key, another salt
        m.pop("timings_s"), m.pop("output")
        assert fingerprint_matches(KEY.encode(), m.pop("key_fingerprint"))
    assert one == two


def test_a_failing_worker_fails_the_run_and_publishes_nothing(extract, tmp_path):
    import anonymizer.engine.sanitize as eng

    # surnames generalised by a hierarchy that knows only the first rows' names: the error
    # surfaces in a worker process, on a later batch, after earlier batches were written
    hierarchy = tmp_path / "names.csv"
    hierarchy.write_text("".join(f"{n};*\n" for n in ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD"]))
    pol = json.loads(json.dumps(POLICY))
    pol["columns"]["NOMFAM"] = {"role": "insensitive", "entity": "CATEGORY", "action": "generalize",
                                "params": {"method": "hierarchy", "hierarchy": str(hierarchy), "unknown": "error"}}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(pol))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Exception, match="not in the hierarchy"):
        eng.sanitize(extract, out / "safe.csv", eng.SanitizeOptions(
            policy_path=bad, key=KEY.encode(), batch_rows=5, workers=2, report=False))
    assert list(out.iterdir()) == []


def test_l_diversity_target_is_enforced(run_cli, extract, tmp_path):
    pol = json.loads(json.dumps(POLICY))
    pol["privacy"].update({"k": 2, "l": 3, "sensitive": ["AAH_MT"]})
    pol["columns"]["AAH_MT"] = {"role": "sensitive", "entity": "AMOUNT", "action": "generalize",
                                "params": {"method": "round", "step": 300}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(pol))
    out = tmp_path / "safe.csv"
    result = _run(run_cli, extract, path, out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False, encoding="cp1252")
    qi = pol["privacy"]["quasi_identifiers"]
    kept = got[~(got[qi] == "*").all(axis=1)]
    distinct = kept.groupby(qi)["AAH_MT"].nunique()
    assert len(distinct) and distinct.min() >= 3  # distinct 3-diversity, recomputed independently
