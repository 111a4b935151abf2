"""The policy and profile file formats as models: one loader for ``anon sanitize``, ``anon risk``,
``anon scan --write-policy`` and the profiles, and the source of ``rules/schemas/policy.schema.json``
(``python -m anonymizer.settings.files`` prints it; a test keeps the shipped file equal).

Every mapping refuses keys it does not know, at every level: top level, ``privacy``, ``roles``,
column entries and each action's ``params`` (checked against the action's own model, declared
next to its code in ``anonymizer.transform``).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic.json_schema import GenerateJsonSchema

from anonymizer.errors import AnonError, PolicyError
from anonymizer.i18n import _
from anonymizer.settings.base import StrictModel, check
from anonymizer.settings.targets import PrivacyTargets

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")
Role = Literal["identifier", "quasi_identifier", "sensitive", "free_text", "insensitive"]
Subject = Literal["person", "spouse", "children"]  # anonymizer.detect.rules.SUBJECTS
#: ``privacy: none`` in a policy: no privacy target at all, said in so many words (and allowed
#: only by a profile with ``allow_no_privacy: true``).
NO_PRIVACY = "none"


def action_names() -> list[str]:
    """The registered column actions (``anonymizer.transform.ACTIONS``), in registry order."""
    from anonymizer.transform import ACTIONS  # lazy: the transforms load pandas

    return list(ACTIONS)


def _known_action(value: str) -> str:
    names = action_names()
    if value not in names:
        raise ValueError(_("must be one of {names}").format(names=", ".join(names)))
    return value


def _action_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = action_names()


def _families() -> tuple[str, ...]:
    from anonymizer.detect.entities import FAMILIES  # imports nothing of anon's

    return FAMILIES


def _family_enum(schema: dict[str, Any]) -> None:
    schema.pop("anyOf", None)
    schema["enum"] = [*_families(), None]


def check_params(action: str, params: Any, *, entity: str | None, origin: str, where: str,
                 error: type[AnonError] = PolicyError, entity_known: bool = True) -> None:
    """Validate ``params`` against ``action``'s parameter model (``anonymizer.transform.ACTION_PARAMS``).

    ``entity`` is the column's (some checks depend on it: generalize's default method); a
    profile's role default has none (``entity_known=False``) and skips those checks."""
    from anonymizer.transform import ACTION_PARAMS

    context = {"entity": entity} if entity_known else None
    check(ACTION_PARAMS[action], dict(params or {}) if isinstance(params, dict) else params,
          origin=origin, where=where, error=error, context=context)


# ---------------------------------------------------------------- policy files


class ColumnEntry(StrictModel):
    """One column's decision."""

    role: Role
    entity: str | None = Field(None, description="Entity of the vocabulary (docs/ARCHITECTURE.md).")
    action: str = Field(json_schema_extra=_action_enum)
    params: dict[str, Any] = Field(default_factory=dict, description="The action's parameters "
                                   "(docs/transforms.md); unknown ones are refused.")
    confidence: float | None = Field(None, description="The scan's confidence in role and entity; strict mode "
                                     "refuses to keep a column below 0.5 unless reviewed.")
    identifier_like: bool = Field(False, description="The scan found identifier-like values (fixed-length digits, "
                                  "most held by one row): strict mode refuses to keep the column unless reviewed, "
                                  "and the verification searches its original values.")
    reviewed: bool = Field(False, description="A person checked this decision: strict mode then keeps a column "
                           "of low confidence or identifier-like values as decided.")
    family: str | None = Field(None, description="Group of facts the column re-encodes (detect/entities.py "
                               "FAMILIES; default: the entity's).", json_schema_extra=_family_enum)
    subject: Subject = Field("person", description="Whose value the column holds: the record's person, their "
                             "spouse or their children.")
    note: str | None = None

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        return _known_action(value)

    @field_validator("family")
    @classmethod
    def _family(cls, value: str | None) -> str | None:
        if value is not None and value not in _families():
            raise ValueError(_("must be one of {names}").format(names=", ".join(_families())))
        return value


class PolicyFile(StrictModel):
    """Per-dataset decisions: one entry per column (role, entity, action, params) and the privacy targets.
    Proposed by `anon scan --write-policy`, reviewed by a person, consumed by `anon sanitize --policy`
    and `anon risk --policy`."""

    version: Literal[1]
    profile: str | None = Field(None, description="Profile whose defaults and targets apply where the policy is "
                                "silent.")
    strict: bool | None = Field(None, description="Fail closed: refuse keeps of identifiers and free text "
                                "(default true).")
    source: str | None = Field(None, description="File name the policy was proposed for (informative).")
    person_id: list[str] = Field(default_factory=list, description="Columns whose original values identify a "
                                 "person: keyed date shifts and noise are drawn per person.")
    privacy: PrivacyTargets | Literal["none"] = Field(
        default_factory=PrivacyTargets, description="Privacy targets, or \"none\": no target at all (refused "
        "unless the policy's profile has allow_no_privacy: true; the manifest then says so).")
    columns: dict[str, ColumnEntry]

    @field_validator("privacy", mode="before")
    @classmethod
    def _privacy(cls, value: Any) -> Any:
        if isinstance(value, str) and value != NO_PRIVACY:
            raise ValueError(_("must be a mapping of targets, or \"{none}\"").format(none=NO_PRIVACY))
        return value


def validate_policy_doc(policy: Any, *, origin: str = "policy") -> PolicyFile:
    """The typed policy, or PolicyError naming the first problem (a path in the file, never a value)."""
    if not isinstance(policy, dict):
        raise PolicyError(_("{origin}: a policy is a mapping with 'version' and 'columns'").format(origin=origin))
    typed = check(PolicyFile, policy, origin=origin)
    for name, entry in typed.columns.items():
        check_params(entry.action, entry.params, entity=entry.entity, origin=origin,
                     where=f"columns/{name}/params")
    return typed


# ---------------------------------------------------------------- profiles


class Decision(StrictModel):
    """A profile's default action (and params) for a role or an entity."""

    action: str
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        return _known_action(value)


class RoleRule(StrictModel):
    default: Decision
    entities: dict[str, Decision] = Field(default_factory=dict)


class Roles(StrictModel):
    identifier: RoleRule
    quasi_identifier: RoleRule
    sensitive: RoleRule
    free_text: RoleRule
    insensitive: RoleRule


class ProfileFile(StrictModel):
    """A profile: defaults per role and entity, and privacy targets (no column names: those are a policy's)."""

    name: str | None = None
    description: str | None = None
    strict: bool = True
    allow_no_privacy: bool = Field(False, description="Whether a policy of this profile may say privacy: none.")
    roles: Roles
    privacy: PrivacyTargets = Field(default_factory=PrivacyTargets)


def validate_profile_doc(profile: Any, *, origin: str, error: type[AnonError]) -> ProfileFile:
    """The typed profile, or ``error`` naming the first problem."""
    if not isinstance(profile, dict):
        raise error(f"{origin}: a profile is a mapping with 'roles'")
    typed = check(ProfileFile, profile, origin=origin, error=error)
    for key in ("quasi_identifiers", "sensitive"):
        if getattr(typed.privacy, key):
            raise error(f"{origin}: privacy/{key}: a profile names no columns (a policy does)")
    for role in ROLES:
        rule: RoleRule = getattr(typed.roles, role)
        check_params(rule.default.action, rule.default.params, entity=None, entity_known=False, origin=origin,
                     where=f"roles/{role}/default/params", error=error)
        for entity, decision in rule.entities.items():
            check_params(decision.action, decision.params, entity=entity, origin=origin,
                         where=f"roles/{role}/entities/{entity}/params", error=error)
    return typed


# ---------------------------------------------------------------- JSON Schema


class _NoTitles(GenerateJsonSchema):
    def field_title_should_be_set(self, schema) -> bool:  # noqa: ANN001
        return False


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file, generated from :class:`PolicyFile` (shipped as
    ``rules/schemas/policy.schema.json`` for editors and other tools)."""
    body = PolicyFile.model_json_schema(schema_generator=_NoTitles)
    body.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://anon.invalid/schemas/policy.schema.json",
        "title": "anon sanitize policy",
        **body,
    }


def policy_json_schema_text() -> str:
    return json.dumps(policy_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # python -m anonymizer.settings.files > src/anonymizer/rules/schemas/policy.schema.json
    print(policy_json_schema_text(), end="")
