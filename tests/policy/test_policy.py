"""Policy: profiles load, proposals follow the profile, the plan fails closed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import yaml

from anonymizer.errors import PolicyError, UsageError
from anonymizer.policy import (
    available_profiles,
    build_plan,
    load_policy,
    load_profile,
    policy_digest,
    propose_policy,
    render_policy_yaml,
    validate_policy,
)


@dataclass
class F:  # a stand-in for detect.ColumnFinding with the attributes the policy reads
    column: str
    role: str
    entity: str | None
    confidence: float = 0.9
    evidence: list[str] = field(default_factory=lambda: ["name rule"])
    stats: dict = field(default_factory=dict)


@dataclass
class R:
    findings: list
    source: str = "extract.csv"


REPORT = R(
    [
        F("NUMALLOC", "identifier", "CAF_NUMBER", stats={"n": 100, "non_empty": 100}),
        F("NOMFAM", "identifier", "LAST_NAME"),
        F("DTNAIS", "quasi_identifier", "BIRTH_DATE", stats={"n": 100, "non_empty": 100}),
        F("DTNAISCJ", "quasi_identifier", "BIRTH_DATE", stats={"n": 100, "non_empty": 40}),
        F("SEXE", "quasi_identifier", "SEX", stats={"n": 100, "non_empty": 100}),
        F("AAH_MT", "sensitive", "AMOUNT"),
        F("COMMENT", "free_text", "FREE_TEXT", evidence=["sentences", "PHONE in 12 %"]),
        F("NUMLIGNE", "insensitive", None),
    ]
)


def test_shipped_profiles_load_and_cover_every_role():
    assert {"training", "publication", "pseudonymised"} <= set(available_profiles())
    for name in available_profiles():
        prof = load_profile(name)
        assert set(prof["roles"]) >= {"identifier", "quasi_identifier", "sensitive", "free_text", "insensitive"}


def test_unknown_profile_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown profile"):
        load_profile("nope")


def test_training_proposal_follows_profile_and_picks_key_variables():
    policy = propose_policy(REPORT, "training")
    validate_policy(policy)
    cols = policy["columns"]
    assert cols["NOMFAM"]["action"] == "fake"
    assert cols["DTNAIS"]["action"] == "generalize"
    assert cols["COMMENT"]["action"] == "redact"
    assert cols["NUMLIGNE"]["action"] == "keep"
    assert policy["privacy"]["k"] == 5
    # one column per key entity: the complete birth date, not the spouse's
    assert policy["privacy"]["quasi_identifiers"] == ["DTNAIS", "SEXE"]
    assert policy["person_id"] == ["NUMALLOC"]


def test_publication_drops_identifiers_and_free_text():
    policy = propose_policy(REPORT, "publication")
    assert policy["columns"]["NOMFAM"]["action"] == "drop"
    assert policy["columns"]["COMMENT"]["action"] == "drop"
    assert policy["privacy"]["k"] == 11


def test_rendered_yaml_round_trips_and_carries_evidence(tmp_path):
    policy = propose_policy(REPORT, "training")
    text = render_policy_yaml(policy, REPORT)
    assert "# free_text / FREE_TEXT (90%): sentences; PHONE in 12 %" in text
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_policy(path) == policy
    assert policy_digest(load_policy(path)) == policy_digest(policy)


def test_plan_refuses_undecided_columns():
    policy = propose_policy(REPORT, "training")
    with pytest.raises(PolicyError, match="1 column\\(s\\) have no decision in the policy: EXTRA"):
        build_plan([f.column for f in REPORT.findings] + ["EXTRA"], policy)


def test_strict_plan_refuses_kept_identifier_but_lenient_notes_it():
    policy = propose_policy(REPORT, "training")
    policy["columns"]["NOMFAM"]["action"] = "keep"
    columns = [f.column for f in REPORT.findings]
    with pytest.raises(PolicyError, match="NOMFAM \\(identifier, keep\\)"):
        build_plan(columns, policy)
    plan = build_plan(columns, policy, strict=False)
    assert any("NOMFAM" in n for n in plan.notes)


def test_execution_order_puts_context_before_identifiers_and_text():
    policy = propose_policy(REPORT, "training")
    plan = build_plan([f.column for f in REPORT.findings], policy)
    roles = [s.role for s in plan.execution_order]
    assert roles.index("identifier") > roles.index("quasi_identifier")
    assert roles[-1] == "free_text"
    assert plan.needs_key


def test_invalid_policy_names_the_path_not_a_value(tmp_path):
    bad = {"version": 1, "columns": {"NIR": {"role": "identifier", "action": "obliterate"}}}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(PolicyError, match="columns/NIR/action: must be one of"):
        load_policy(path)
