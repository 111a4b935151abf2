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
from anonymizer.settings.base import StrictModel, check
from anonymizer.settings.targets import PrivacyTargets

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")
Role = Literal["identifier", "quasi_identifier", "sensitive", "free_text", "insensitive"]


def action_names() -> list[str]:
    """The registered column actions (``anonymizer.transform.ACTIONS``), in registry order."""
    from anonymizer.transform import ACTIONS  # lazy: the transforms load pandas

    return list(ACTIONS)


def _known_action(value: str) -> str:
    names = action_names()
    if value not in names:
        raise ValueError(f"must be one of {', '.join(names)}")
    return value


def _action_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = action_names()


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
    confidence: float | None = None
    note: str | None = None
    family: str | None = Field(None, description="What fact the column encodes, when a column rule says so "
                               "(the entity's family otherwise): birth, sex, place, nationality, household...")
    subject: Literal["person", "spouse", "children"] | None = Field(
        None, description="Whom the column describes (default: the person).")

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        return _known_action(value)


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
    privacy: PrivacyTargets = Field(default_factory=PrivacyTargets)
    columns: dict[str, ColumnEntry]


def validate_policy_doc(policy: Any, *, origin: str = "policy") -> PolicyFile:
    """The typed policy, or PolicyError naming the first problem (a path in the file, never a value)."""
    if not isinstance(policy, dict):
        raise PolicyError(f"{origin}: a policy is a mapping with 'version' and 'columns'")
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
