"""Issue #16's cases end to end (`anon sanitize`): the 50-row file with "N° allocataire", a policy
that empties the key variables, ``privacy: none``, and identifiers left inside cells.

Expectations are independent of the engine: leaks are looked for in the raw bytes of every
output file, with the original values the tests built.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

KEY = "e5a09c3f71d2b84a6f0e1c97d35b28a4"
ENV = {"ANON_KEY": KEY}


def _numbers(rows: int = 50, shared: int = 10) -> list[str]:
    """7-digit file numbers; the last ``shared`` rows repeat earlier ones (a household's members)."""
    rng = np.random.default_rng(16)
    own = [f"{x:07d}" for x in rng.choice(np.arange(1_000_000, 10_000_000), rows - shared, replace=False)]
    return own + own[:shared]


NUMBERS = _numbers()


def _table(header: str) -> pd.DataFrame:
    return pd.DataFrame({
        header: NUMBERS,
        "Sexe": ["H" if i % 2 else "F" for i in range(50)],
        "CP": [["33000", "33400", "33600"][i % 3] for i in range(50)],
        "Montant": [f"{(i * 37) % 900},{i % 100:02d}" for i in range(50)],
    })


def _write(tmp_path: Path, df: pd.DataFrame, name: str = "alloc.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(df.to_csv(sep=";", index=False).encode("cp1252"))
    return path


def _outputs(tmp_path: Path, stem: str) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(stem))


def test_numero_allocataire_is_faked_by_the_training_profile(run_cli, tmp_path):
    """Was: CATEGORY at 30 %, kept by the training default, searched by nothing: 50 numbers out."""
    data = _write(tmp_path, _table("N° allocataire"))
    result = run_cli("sanitize", data, "--profile", "training", "-o", tmp_path / "safe.csv", env=ENV)
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    entry = manifest["columns"]["N° allocataire"]
    assert (entry["role"], entity := entry["entity"], entry["action"]) == ("identifier", "CAF_NUMBER", "fake"), entity
    blobs = _outputs(tmp_path, "safe")
    assert [n for n in NUMBERS if n.encode() in blobs] == []


def test_identifier_like_column_without_a_rule_stops_a_strict_run(run_cli, tmp_path):
    data = _write(tmp_path, _table("Référence"))
    result = run_cli("sanitize", data, "--profile", "training", "-o", tmp_path / "safe.csv", env=ENV)
    assert result.exit_code == 2
    message = result.output
    assert "Référence (confidence 30%, identifier-like values)" in message and "reviewed: true" in message
    assert not any(p.name.startswith("safe") for p in tmp_path.iterdir())
    assert not any(n in message for n in NUMBERS)


def test_a_policy_keeping_it_without_strict_mode_is_not_released(run_cli, tmp_path):
    """The scan's policy marks the column identifier-like; kept in non-strict mode, the
    verification searches its original values and refuses the file, naming the column."""
    data = _write(tmp_path, _table("Référence"))
    policy = tmp_path / "policy.yaml"
    assert run_cli("scan", data, "--write-policy", policy, "--no-ner").exit_code == 0
    doc = yaml.safe_load(policy.read_text(encoding="utf-8"))
    entry = doc["columns"]["Référence"]
    assert (entry["action"], entry["identifier_like"]) == ("keep", True)
    doc["strict"] = False
    policy.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = run_cli("sanitize", data, "--policy", policy, "-o", tmp_path / "safe.csv", "--no-rescan", env=ENV)
    assert result.exit_code == 1
    assert (tmp_path / "safe.NOT-RELEASED.csv").exists() and not (tmp_path / "safe.csv").exists()
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    assert manifest["released"] is False
    assert any("identifier column Référence" in p and "output column Référence" in p
               for p in manifest["verification"]["problems"])
    assert not any(n in json.dumps(manifest) or n in result.output for n in NUMBERS)


# ---------------------------------------------------------------- the privacy floor


def _policy(privacy, profile: str = "training", strict: bool = True) -> dict:
    return {
        "version": 1, "profile": profile, "strict": strict, "privacy": privacy,
        "columns": {
            "N° allocataire": {"role": "identifier", "entity": "CAF_NUMBER", "action": "pseudonymize"},
            "Sexe": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
            "CP": {"role": "quasi_identifier", "entity": "POSTAL_CODE", "action": "keep"},
            "Montant": {"role": "sensitive", "entity": "AMOUNT", "action": "keep"},
        },
    }


def _sanitize(run_cli, tmp_path, policy: dict):
    data = _write(tmp_path, _table("N° allocataire"))
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return run_cli("sanitize", data, "--policy", path, "-o", tmp_path / "safe.csv", "--no-rescan", env=ENV)


def test_empty_key_variables_stop_the_training_run(run_cli, tmp_path):
    """Was: released with k = 1 while the manifest showed the profile's k = 5 and reached: null."""
    result = _sanitize(run_cli, tmp_path, _policy({"k": 5, "quasi_identifiers": []}))
    assert result.exit_code == 2
    assert "privacy.quasi_identifiers is empty" in result.output and "privacy: none" in result.output
    assert not any(p.name.startswith("safe") for p in tmp_path.iterdir())


def test_privacy_none_is_refused_by_training(run_cli, tmp_path):
    result = _sanitize(run_cli, tmp_path, _policy("none"))
    assert result.exit_code == 2 and "privacy: none is refused by profile 'training'" in result.output


def test_privacy_none_under_pseudonymised_says_so_in_the_manifest(run_cli, tmp_path):
    result = _sanitize(run_cli, tmp_path, _policy("none", profile="pseudonymised", strict=False))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    assert manifest["privacy"]["targets"] == "none"
    assert manifest["privacy"]["quasi_identifiers"] == [] and manifest["privacy"]["reached"] is None
    assert '"k":' not in json.dumps(manifest["privacy"])  # no k claimed anywhere
    assert manifest["privacy"]["attacker_knows"] == [] and manifest["privacy"]["attack"] is None
    import jsonschema

    from anonymizer.resources import rules_path

    jsonschema.validate(manifest, json.loads(rules_path("schemas", "manifest.schema.json").read_text()))
    # the CI gate does not take it for an anonymised file
    from anonymizer.check.config import CheckConfig
    from anonymizer.check.manifest import verify_manifest

    verdict = verify_manifest(tmp_path / "safe.csv", CheckConfig())
    assert verdict is not None and not verdict.valid
    assert any("privacy: none" in p for p in verdict.problems)


def test_privacy_none_with_a_k_on_the_command_line_is_a_contradiction(run_cli, tmp_path):
    data = _write(tmp_path, _table("N° allocataire"))
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(_policy("none", profile="pseudonymised", strict=False), allow_unicode=True))
    result = run_cli("sanitize", data, "--policy", path, "--k", "5", "-o", tmp_path / "safe.csv", env=ENV)
    assert result.exit_code == 2 and "privacy: none" in result.output and "--k" in result.output


# ---------------------------------------------------------------- identifiers inside cells

NIR = "185017510012362"  # a valid NIR (key 62)


def test_a_nir_inside_a_kept_cell_is_found(run_cli, tmp_path):
    """No NIR column at all: the NIR found inside an original cell is searched for, and found in
    the output cell that kept it (a column that is not free text)."""
    df = _table("N° allocataire")
    df["Observation"] = ["RAS"] * 49 + [f"Durand {NIR[:1]} {NIR[1:3]} {NIR[3:5]} {NIR[5:7]} {NIR[7:10]} "
                                        f"{NIR[10:13]} {NIR[13:]}"]
    data = _write(tmp_path, df)
    pol = _policy({"k": 2, "quasi_identifiers": ["Sexe", "CP"]}, strict=False)
    pol["columns"]["Observation"] = {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep"}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(pol, allow_unicode=True), encoding="utf-8")
    result = run_cli("sanitize", data, "--policy", path, "-o", tmp_path / "safe.csv", "--no-rescan", env=ENV)
    assert result.exit_code == 1
    manifest = json.loads((tmp_path / "safe.csv.manifest.json").read_text())
    assert manifest["verification"]["problems"] == [
        "1 NIR value(s) found inside original cells found in output column Observation"]
    assert NIR not in json.dumps(manifest) and NIR[:5] not in result.output


@pytest.mark.parametrize("observation", ["RAS", "Durand 1234567 89"])
def test_cells_without_an_identifier_inside_pass(run_cli, tmp_path, observation):
    """Digits that are no identifier (no check digit, or a number no column holds) are not leaks."""
    df = _table("N° allocataire")
    df["Observation"] = observation
    data = _write(tmp_path, df)
    pol = _policy({"k": 2, "quasi_identifiers": ["Sexe", "CP"]}, strict=False)
    pol["columns"]["Observation"] = {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep"}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(pol, allow_unicode=True), encoding="utf-8")
    result = run_cli("sanitize", data, "--policy", path, "-o", tmp_path / "safe.csv", "--no-rescan", env=ENV)
    assert result.exit_code == 0, result.output
