"""Fail closed on doubt (issue #16 item 6): in strict mode a column is not kept on a guess or when
its values look like identifiers, and a policy cannot drop the privacy floor without saying so."""

from __future__ import annotations

import json

import jsonschema
import pytest

from anonymizer.errors import PolicyError
from anonymizer.policy import build_plan, propose_policy, render_policy_yaml
from anonymizer.resources import rules_path
from anonymizer.settings import NoPrivacy
from anonymizer.settings.files import validate_policy_doc

COLUMNS = ["NUMALLOC", "REF", "DTNAIS", "SEXE", "MONTANT"]


def _policy(**ref) -> dict:
    entry = {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep", "confidence": 0.85, **ref}
    return {
        "version": 1, "profile": "training", "strict": True,
        "privacy": {"k": 5, "quasi_identifiers": ["DTNAIS", "SEXE"]},
        "columns": {
            "NUMALLOC": {"role": "identifier", "entity": "CAF_NUMBER", "action": "fake"},
            "REF": entry,
            "DTNAIS": {"role": "quasi_identifier", "entity": "BIRTH_DATE", "action": "generalize"},
            "SEXE": {"role": "quasi_identifier", "entity": "SEX", "action": "keep"},
            "MONTANT": {"role": "sensitive", "entity": "AMOUNT", "action": "keep"},
        },
    }


@pytest.mark.parametrize(("ref", "why"), [
    ({"confidence": 0.3}, "confidence 30%"),
    ({"identifier_like": True}, "identifier-like values"),
    ({"confidence": 0.3, "identifier_like": True}, "confidence 30%, identifier-like values"),
])
def test_strict_plan_refuses_to_keep_a_doubtful_column(ref, why):
    with pytest.raises(PolicyError) as err:
        build_plan(COLUMNS, _policy(**ref))
    message = str(err.value)
    assert f"REF ({why})" in message
    assert "reviewed: true" in message and "fake" in message  # how to proceed
    assert "NUMALLOC" not in message and "SEXE" not in message


@pytest.mark.parametrize("ref", [{"confidence": 0.3}, {"identifier_like": True}])
def test_review_or_another_action_lets_it_through(ref):
    build_plan(COLUMNS, _policy(**ref, reviewed=True))
    build_plan(COLUMNS, _policy(**ref, action="pseudonymize"))
    build_plan(COLUMNS, _policy(**ref, action="drop"))


def test_lenient_plan_notes_the_doubtful_column_and_carries_the_flag():
    plan = build_plan(COLUMNS, _policy(identifier_like=True), strict=False)
    assert any("REF" in n and "without review" in n for n in plan.notes)
    step = plan.by_column["REF"]
    assert step.identifier_like and step.family == "category" and step.subject == "person"


def test_confident_columns_and_hand_written_entries_are_not_doubted():
    build_plan(COLUMNS, _policy(confidence=0.5))
    build_plan(COLUMNS, _policy(confidence=None))  # a hand-written entry states no confidence


def test_proposal_carries_the_scan_flags_into_the_policy():
    from anonymizer.detect.scan import ColumnFinding, ScanReport

    findings = [ColumnFinding("REF", "quasi_identifier", "CATEGORY", 0.3, ["no name rule matched"],
                              {"n": 50, "non_empty": 50}, [], {}, True, "category", "person"),
                ColumnFinding("NOMCJ", "identifier", "LAST_NAME", 0.9, [], {}, [], {}, False, "name", "spouse"),
                ColumnFinding("NUMLIGNE", "insensitive", None, 0.7, [], {}, [], {})]
    report = ScanReport("t.csv", 50, 3, 50, findings)
    policy = propose_policy(report, "training")
    cols = policy["columns"]
    assert cols["REF"] == {"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep", "confidence": 0.3,
                           "identifier_like": True, "family": "category", "subject": "person"}
    assert cols["NOMCJ"]["subject"] == "spouse" and "identifier_like" not in cols["NOMCJ"]
    assert "family" not in cols["NUMLIGNE"]
    validate_policy_doc(policy)
    with pytest.raises(PolicyError, match="REF \\(confidence 30%, identifier-like values\\)"):
        build_plan(["REF", "NOMCJ", "NUMLIGNE"], policy)
    assert "reviewed: true" in render_policy_yaml(policy, report)  # the header says how to proceed


def test_policy_schema_accepts_the_new_keys():
    schema = json.loads(rules_path("schemas", "policy.schema.json").read_text(encoding="utf-8"))
    doc = _policy(identifier_like=True, reviewed=True, family="household", subject="spouse")
    jsonschema.validate(doc, schema)
    jsonschema.validate({**doc, "profile": "pseudonymised", "privacy": "none"}, schema)
    for bad in ({"family": "kin"}, {"subject": "cousin"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(_policy(**bad), schema)
        with pytest.raises(PolicyError, match="columns/REF/"):
            validate_policy_doc(_policy(**bad))


# ---------------------------------------------------------------- the privacy floor


def _qi_policy(privacy, profile: str = "training", strict: bool = True) -> dict:
    pol = _policy()
    pol.update(profile=profile, strict=strict, privacy=privacy)
    return pol


def test_empty_key_variables_are_refused_in_strict_mode():
    with pytest.raises(PolicyError, match="privacy.quasi_identifiers is empty while 3 kept column\\(s\\) are "
                                          "quasi-identifiers \\(REF, DTNAIS, SEXE\\).*privacy: none"):
        build_plan(COLUMNS, _qi_policy({"k": 5, "quasi_identifiers": []}))
    with pytest.raises(PolicyError, match="quasi_identifiers is empty"):
        build_plan(COLUMNS, _qi_policy({"quasi_identifiers": []}))  # explicit, even without k
    with pytest.raises(PolicyError, match="quasi_identifiers is empty"):
        build_plan(COLUMNS, _qi_policy({"k": 5}))  # k claimed over nothing
    with pytest.raises(PolicyError, match="quasi_identifiers is empty"):  # all listed ones dropped
        pol = _qi_policy({"k": 5, "quasi_identifiers": ["DTNAIS"]})
        pol["columns"]["DTNAIS"]["action"] = "drop"
        build_plan(COLUMNS, pol)


def test_empty_key_variables_pass_where_nothing_is_claimed_or_nothing_is_kept():
    build_plan(COLUMNS, _qi_policy({"k": 5, "quasi_identifiers": []}), strict=False)
    build_plan(COLUMNS, _qi_policy({}))  # no target, no key: nothing claimed
    pol = _qi_policy({"k": 5, "quasi_identifiers": []})
    for c in ("REF", "DTNAIS", "SEXE"):
        pol["columns"][c]["action"] = "drop"
    build_plan(COLUMNS, pol)  # no quasi-identifier left to protect


@pytest.mark.parametrize("profile", ["training", "publication"])
def test_privacy_none_is_refused_by_strict_profiles(profile):
    with pytest.raises(PolicyError, match=f"privacy: none is refused by profile '{profile}'"):
        build_plan(COLUMNS, _qi_policy("none", profile=profile))
    with pytest.raises(PolicyError, match=f"privacy: none is refused by profile '{profile}'"):
        build_plan(COLUMNS, _qi_policy("none", profile=profile, strict=False))


def test_privacy_none_needs_a_profile_that_allows_it(tmp_path):
    pol = _qi_policy("none")
    del pol["profile"]
    with pytest.raises(PolicyError, match="privacy: none needs the policy to name its profile"):
        build_plan(COLUMNS, pol)
    with pytest.raises(PolicyError, match="profile 'nope' cannot be loaded"):
        build_plan(COLUMNS, _qi_policy("none", profile="nope"))
    plan = build_plan(COLUMNS, _qi_policy("none", profile="pseudonymised", strict=False))
    assert isinstance(plan.privacy, NoPrivacy) and plan.privacy.record() == "none"
    assert plan.privacy.k is None and plan.key_columns() == ([], [])
    assert any("privacy: none" in n for n in plan.notes)


def test_only_the_pseudonymised_profile_allows_no_privacy():
    from anonymizer.policy import available_profiles, load_profile

    assert {p for p in available_profiles() if load_profile(p).get("allow_no_privacy")} == {"pseudonymised"}


def test_privacy_must_be_targets_or_the_word_none():
    with pytest.raises(PolicyError, match='privacy: must be a mapping of targets, or "none"'):
        validate_policy_doc(_qi_policy("off"))
