"""Typed settings fail closed: a misspelled key anywhere is refused by name, every shipped
profile and documented policy still loads, and ``anon risk --policy`` measures what
``anon sanitize`` measured (same loader, same columns, same thresholds)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml

from anonymizer.errors import PolicyError, UsageError
from anonymizer.policy import available_profiles, build_plan, load_policy, load_profile, propose_policy
from anonymizer.resources import rules_path
from anonymizer.settings.files import policy_json_schema_text
from anonymizer.transform import ACTION_PARAMS, ACTIONS

REPO = Path(__file__).resolve().parents[2]

POLICY = {
    "version": 1,
    "profile": "training",
    "strict": True,
    "privacy": {"k": 2, "max_suppression": 0.5, "small_cell": 3, "max_record_risk": 0.5,
                "quasi_identifiers": ["SEXE", "AGE"], "sensitive": ["MT"]},
    "columns": {
        "NUM": {"role": "identifier", "entity": "RECORD_ID", "action": "drop"},
        "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
        "AGE": {"role": "quasi_identifier", "entity": "AGE", "action": "generalize",
                "params": {"method": "band", "width": 10, "top": 90}},
        # a quasi-identifier by role, but not a key variable of the k target
        "CP": {"role": "quasi_identifier", "entity": "POSTAL_CODE", "action": "generalize",
               "params": {"method": "departement"}},
        "MT": {"role": "sensitive", "entity": "AMOUNT", "action": "generalize", "params": {"method": "round", "step": 10}},
        "NOTE": {"role": "insensitive", "entity": None, "action": "keep"},
    },
}


def table() -> pd.DataFrame:
    n = 60
    return pd.DataFrame({
        "NUM": [f"R{i:04d}" for i in range(n)],
        "SEXE": ["1", "2"] * (n // 2),
        "AGE": [str(20 + (i * 7) % 75) for i in range(n)],
        "CP": [["33000", "33100", "75011", "13001"][i % 4] for i in range(n)],
        "MT": [f"{(i * 37) % 900},{i % 100:02d}" for i in range(n)],
        "NOTE": ["ok"] * n,
    })


@pytest.fixture
def data(tmp_path) -> Path:
    path = tmp_path / "t.csv"
    table().to_csv(path, sep=";", index=False)
    return path


def write(path: Path, doc: dict) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def policy_with(change) -> dict:
    doc = json.loads(json.dumps(POLICY))
    change(doc)
    return doc


def rename(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


# ---------------------------------------------------------------- misspelled keys, through the CLI

TYPOS = {
    "top level": (lambda d: rename(d, "strict", "strickt"), "top level: unknown key 'strickt' (did you mean 'strict'?)"),
    "privacy": (lambda d: rename(d["privacy"], "small_cell", "smal_cell"),
                "privacy: unknown key 'smal_cell' (did you mean 'small_cell'?)"),
    "column entry": (lambda d: rename(d["columns"]["AGE"], "params", "parms"),
                     "columns/AGE: unknown key 'parms' (did you mean 'params'?)"),
    "action params": (lambda d: rename(d["columns"]["AGE"]["params"], "top", "tp"),
                      "columns/AGE/params: unknown parameter 'tp' of generalize (did you mean 'top'?)"),
}


@pytest.mark.parametrize("where", list(TYPOS))
def test_a_misspelled_policy_key_is_one_line_exit_2_naming_it(where, run_cli, data, tmp_path):
    change, expected = TYPOS[where]
    bad = write(tmp_path / "bad.yaml", policy_with(change))
    out = tmp_path / "out.csv"
    res = run_cli("sanitize", data, "--policy", bad, "-o", out, "--no-rescan")
    assert res.exit_code == 2, res.output
    line = res.stderr.strip()
    assert "\n" not in line and "Traceback" not in res.stderr
    assert line == f"anon: error: {bad}: {expected}"
    assert not out.exists()
    # anon risk reads the policy through the same loader: the same refusal
    risk = run_cli("risk", data, "--policy", bad, "--format", "json")
    assert risk.exit_code == 2 and risk.stderr.strip() == line


PROFILE_TYPOS = {
    "role params": (lambda p: rename(p["roles"]["sensitive"]["entities"]["DATE"]["params"], "max_days", "max_day"),
                    "roles/sensitive/entities/DATE/params: unknown parameter 'max_day' of shift_dates "
                    "(did you mean 'max_days'?)"),
    "privacy": (lambda p: rename(p["privacy"], "small_cell", "smallcell"),
                "privacy: unknown key 'smallcell' (did you mean 'small_cell'?)"),
    "role": (lambda p: rename(p["roles"], "identifier", "identifer"),
             "roles: unknown key 'identifer' (did you mean 'identifier'?)"),
    "decision": (lambda p: rename(p["roles"]["identifier"]["entities"]["RECORD_ID"], "action", "actoin"),
                 "roles/identifier/entities/RECORD_ID: unknown key 'actoin' (did you mean 'action'?)"),
}


@pytest.mark.parametrize("where", list(PROFILE_TYPOS))
def test_a_misspelled_profile_key_is_one_line_exit_2_naming_it(where, run_cli, data, tmp_path):
    change, expected = PROFILE_TYPOS[where]
    prof = yaml.safe_load(rules_path("profiles", "training.yaml").read_text(encoding="utf-8"))
    change(prof)
    bad = write(tmp_path / "myprofile.yaml", prof)
    out = tmp_path / "out.csv"
    res = run_cli("sanitize", data, "--profile", bad, "-o", out)
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == f"anon: error: {bad}: {expected}"
    assert not out.exists()
    with pytest.raises(UsageError, match=re.escape(expected)):
        load_profile(bad)


# ---------------------------------------------------------------- action params

COLUMNS = list(POLICY["columns"])


def test_generalize_tp_90_is_refused_not_ignored():
    doc = policy_with(lambda d: d["columns"]["AGE"].update(params={"method": "band", "width": 10, "tp": 90}))
    with pytest.raises(PolicyError, match=r"columns/AGE/params: unknown parameter 'tp' of generalize "
                                          r"\(did you mean 'top'\?\)"):
        build_plan(COLUMNS, doc)


@pytest.mark.parametrize("params, words", [
    ({"method": "round", "top": 90}, "'top' is not a parameter of method round"),  # read by band, not round
    ({"method": "band"}, "method band needs 'width' or 'bounds'"),
    ({"method": "band", "width": -5}, "width: must be > 0"),
    ({"method": "banded", "width": 5}, "method: must be one of month, year"),
    ({"method": "band", "width": "10"}, "width: must be a number"),
])
def test_generalize_params_are_checked_against_the_method(params, words):
    doc = policy_with(lambda d: d["columns"]["AGE"].update(params=params))
    with pytest.raises(PolicyError, match=re.escape(words)):
        build_plan(COLUMNS, doc)


@pytest.mark.parametrize("action, params, message", [
    ("keep", {"mode": "tag"}, "params: unknown parameter 'mode' of keep (it takes none)"),
    ("noise", {"relative": 0.1, "absolute": 5}, "params: noise: give exactly one of 'relative', 'absolute'"),
    ("shift_dates", {"max_days": 0}, "params/max_days: must be >= 1"),
    ("shift_dates", {"on_error": "ignore"}, "params/on_error: must be one of suppress, error"),
    ("pseudonymize", {"lenght": 12}, "params: unknown parameter 'lenght' of pseudonymize (did you mean 'length'?)"),
    ("redact", {"detector": "x"}, "params: unknown parameter 'detector' of redact"),  # engine-injected only
    ("redact", {"ner": "maybe"}, "params/ner: must be auto, true or false"),
    ("fake", {"sex_colum": "SEXE"}, "params: unknown parameter 'sex_colum' of fake (did you mean 'sex_column'?)"),
])
def test_every_action_refuses_what_it_does_not_read(action, params, message):
    doc = policy_with(lambda d: d["columns"]["NOTE"].update(action=action, params=params, role="quasi_identifier"))
    with pytest.raises(PolicyError) as err:
        build_plan(COLUMNS, doc)
    assert str(err.value) == f"policy: columns/NOTE/{message}"


def test_every_action_declares_its_params():
    assert list(ACTION_PARAMS) == list(ACTIONS)
    for name, model in ACTION_PARAMS.items():
        assert model.action == name
        assert model.model_config.get("extra") == "forbid"


# ---------------------------------------------------------------- everything shipped or documented still loads

class _Finding:
    def __init__(self, column: str, role: str, entity: str | None) -> None:
        self.column, self.role, self.entity = column, role, entity
        self.confidence, self.evidence, self.stats = 0.9, ["rule"], {"n": 10, "non_empty": 10}


FINDINGS = [_Finding("NUM", "identifier", "RECORD_ID"), _Finding("NIR", "identifier", "NIR"),
            _Finding("DTNAIS", "quasi_identifier", "BIRTH_DATE"), _Finding("SEXE", "quasi_identifier", "SEX"),
            _Finding("AGE", "quasi_identifier", "AGE"), _Finding("MT", "sensitive", "AMOUNT"),
            _Finding("DTOUV", "sensitive", "DATE"), _Finding("NOTE", "free_text", "FREE_TEXT"),
            _Finding("LIGNE", "insensitive", None)]


def test_every_shipped_profile_loads_and_proposes_a_valid_policy():
    class Report:
        findings = FINDINGS
        source = "t.csv"

    assert set(available_profiles()) >= {"training", "publication", "pseudonymised"}
    for name in available_profiles():
        policy = propose_policy(Report(), load_profile(name))
        plan = build_plan([f.column for f in FINDINGS], policy, strict=False)
        assert plan.profile == name and plan.privacy.quasi_identifiers == ["DTNAIS", "SEXE", "AGE"]


def _doc_policies() -> list[tuple[str, str]]:
    found = []
    for md in sorted([*REPO.glob("docs/*.md"), REPO / "README.md"]):
        for block in re.findall(r"```ya?ml\n(.*?)```", md.read_text(encoding="utf-8"), flags=re.S):
            if re.search(r"^version: 1$", block, flags=re.M):
                found.append((md.name, block))
    return found


def test_the_docs_example_policies_load(tmp_path):
    docs = _doc_policies()
    assert docs, "no example policy found in the docs"
    for name, block in docs:
        path = tmp_path / f"{name}.yaml"
        path.write_text(block, encoding="utf-8")
        load_policy(path)


def test_the_example_policy_loads_and_plans_its_table():
    policy_path = REPO / "examples" / "caf_extract_small.policy.yaml"
    from anonymizer.io import read_table

    columns = list(read_table(REPO / "examples" / "caf_extract_small.csv", nrows=5).df.columns)
    plan = build_plan(columns, load_policy(policy_path))
    assert plan.privacy.quasi_identifiers and plan.privacy.k == 5


# every example of docs/transforms.md's tables, as a policy would write it
DOCUMENTED_PARAMS = [
    ("generalize", "BIRTH_DATE", {"method": "month"}), ("generalize", "BIRTH_DATE", {"method": "year", "style": "short"}),
    ("generalize", "BIRTH_DATE", {"method": "age_band", "reference_date": "31/12/2021"}),
    ("generalize", "BIRTH_DATE", {"method": "age_band", "reference_date": "31/12/2021", "bounds": [0, 18, 25, 65],
                                  "top": 90}),
    ("generalize", "AGE", {"method": "band", "width": 10}), ("generalize", "AMOUNT", {"method": "band", "width": 1000}),
    ("generalize", "AGE", {"method": "band", "width": 10, "top": 90, "bottom": 18, "origin": 0}),
    ("generalize", "AMOUNT", {"method": "round", "step": 10, "decimals": 2}),
    ("generalize", "COUNT", {"method": "top_bottom", "top_quantile": 0.9}),
    ("generalize", "COUNT", {"method": "top_bottom", "top": 5, "bottom": 0}),
    ("generalize", "POSTAL_CODE", {"method": "departement"}), ("generalize", "POSTAL_CODE", {}),
    ("generalize", None, {"method": "prefix", "length": 3}),
    ("generalize", None, {"method": "hierarchy", "hierarchy": "x.csv", "level": 2, "unknown": "error"}),
    ("pseudonymize", "NIR", {"prefix": "P_", "length": 10, "alphabet": "hex"}),
    ("fake", "EMAIL", {"domain": "exemple.org", "first_name_column": "PRENOM", "last_name_column": "NOM"}),
    ("fake", "NIR", {"sex_column": "SEXE", "birth_date_column": "DTNAIS", "entity": "NIR"}),
    ("shift_dates", "DATE", {"max_days": 180, "person_column": "NUM", "on_error": "error"}),
    ("noise", "AMOUNT", {"relative": 0.05, "round": 2, "keep_sign": False}), ("noise", "AMOUNT", {"absolute": 50}),
    ("redact", "FREE_TEXT", {"mode": "tag", "ner": False, "entities": ["PERSON"], "min_score": 0.5}),
    ("redact", "FREE_TEXT", {"mode": "fake", "ner": "auto"}),
]


@pytest.mark.parametrize("action, entity, params", DOCUMENTED_PARAMS)
def test_documented_params_are_accepted(action, entity, params):
    doc = policy_with(lambda d: d["columns"]["NOTE"].update(action=action, entity=entity, params=params,
                                                          role="quasi_identifier"))
    assert build_plan(COLUMNS, doc).by_column["NOTE"].params == params


# ---------------------------------------------------------------- the JSON Schema

def test_the_shipped_json_schema_is_the_one_generated_from_the_models():
    shipped = rules_path("schemas", "policy.schema.json").read_text(encoding="utf-8")
    assert shipped == policy_json_schema_text(), "run: python -m anonymizer.settings.files > " \
                                                 "src/anonymizer/rules/schemas/policy.schema.json"


def test_an_independent_validator_agrees_with_the_models():
    schema = json.loads(rules_path("schemas", "policy.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(load_policy(REPO / "examples" / "caf_extract_small.policy.yaml"), schema)
    jsonschema.validate(POLICY, schema)
    for change, _ in list(TYPOS.values())[:3]:  # params are checked per action, beyond the schema
        with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
            jsonschema.validate(policy_with(change), schema)


# ---------------------------------------------------------------- one loader, one set of columns and defaults

@pytest.mark.parametrize("targets", ["policy's", "defaults"])
def test_risk_policy_measures_what_sanitize_measured(targets, run_cli, data, tmp_path):
    doc = json.loads(json.dumps(POLICY))
    if targets == "defaults":
        for key in ("k", "small_cell", "max_record_risk", "max_suppression"):
            doc["privacy"].pop(key)
    policy = write(tmp_path / "p.yaml", doc)
    out = tmp_path / "out.csv"
    res = run_cli("sanitize", data, "--policy", policy, "-o", out, "--no-rescan")
    assert res.exit_code == 0, res.output
    by_sanitize = json.loads(Path(f"{out}.risk.json").read_text(encoding="utf-8"))["parameters"]
    risk = run_cli("risk", out, "--policy", policy, "--format", "json")
    assert risk.exit_code == 0, risk.output
    by_risk = json.loads(risk.stdout)["parameters"]
    keys = ("quasi_identifiers", "sensitive", "k", "small_cell", "threshold")
    assert {k: by_risk[k] for k in keys} == {k: by_sanitize[k] for k in keys}
    # the key variables, not every column whose role is quasi_identifier (CP)
    assert by_risk["quasi_identifiers"] == ["SEXE", "AGE"] and by_risk["sensitive"] == ["MT"]
    expected = (2, 3, 0.5) if targets == "policy's" else (5, 11, 0.2)  # docs/sanitize.md
    assert (by_risk["k"], by_risk["small_cell"], by_risk["threshold"]) == expected
    manifest = json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8"))
    if targets == "policy's":  # the targets the run used, search options included
        assert manifest["privacy"]["targets"] == {"k": 2, "max_suppression": 0.5, "metric": "loss",
                                                  "time_budget": 60.0, "small_cell": 3, "max_record_risk": 0.5,
                                                  # the release gate's: 1/k and 1 % (docs/privacy.md)
                                                  "max_linkage_success": 0.5, "max_unique_reidentification": 0.01}
    else:  # nothing enforced: only the report's thresholds
        assert manifest["privacy"]["targets"] == {"small_cell": 11, "max_record_risk": 0.2}


def test_risk_options_still_win_over_the_policy(run_cli, data, tmp_path):
    policy = write(tmp_path / "p.yaml", POLICY)
    res = run_cli("risk", data, "--policy", policy, "--k", "4", "--threshold", "0.3", "--format", "json")
    assert res.exit_code == 0, res.output
    params = json.loads(res.stdout)["parameters"]
    assert (params["k"], params["small_cell"], params["threshold"]) == (4, 3, 0.3)


def test_both_search_modes_get_the_same_time_budget(monkeypatch, data, tmp_path):
    import anonymizer.privacy as privacy
    import anonymizer.privacy.job as job
    from anonymizer.engine.sanitize import SanitizeOptions, sanitize

    seen: dict[str, object] = {}
    real = privacy.lattice.search

    def spy(mode):
        def search(*args, **kwargs):
            seen[mode] = kwargs.get("time_budget")
            return real(*args, **kwargs)
        return search

    monkeypatch.setattr(privacy, "search", spy("policy"))
    monkeypatch.setattr(job, "search", spy("hierarchies"))
    policy = write(tmp_path / "p.yaml", POLICY)
    sanitize(data, tmp_path / "a.csv", SanitizeOptions(policy_path=policy, rescan=False, report=False))
    hier = tmp_path / "h"
    hier.mkdir()
    (hier / "t_hierarchy_SEXE.csv").write_text("1;*\n2;*\n", encoding="utf-8")
    ages = sorted(set(table()["AGE"]), key=int)
    (hier / "t_hierarchy_AGE.csv").write_text("".join(f"{a};{int(a) // 10 * 10}s;*\n" for a in ages), encoding="utf-8")
    sanitize(data, tmp_path / "b.csv", SanitizeOptions(policy_path=policy, hierarchies_dir=hier, rescan=False,
                                                        report=False, overrides={"k": 2, "max_suppression": 0.5}))
    # a policy's k is whole-record privacy (privacy.recoding: no lattice search); ARX-style
    # hierarchies search with the documented budget
    assert "policy" not in seen and seen["hierarchies"] == 60.0  # docs/search.md
