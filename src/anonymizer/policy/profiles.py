"""Profiles: named defaults per role and entity, plus privacy targets, kept as YAML data.

A profile answers "what do we do with a column of this role and entity when the policy
does not say?"; the shipped ones live in ``rules/profiles/`` and users add their own by
passing a path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anonymizer.configfiles import load_yaml_file
from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.resources import rules_path
from anonymizer.settings.files import ROLES, validate_profile_doc

__all__ = ["ROLES", "available_profiles", "default_decision", "load_profile"]


def available_profiles() -> list[str]:
    """Names of the shipped profiles."""
    return sorted(p.stem for p in rules_path("profiles").glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> dict[str, Any]:
    """Load a shipped profile by name, or a user profile from a YAML path, validated by
    ``anonymizer.settings.files.ProfileFile`` (an unknown key anywhere is a UsageError naming it)."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        path = candidate
    else:
        path = rules_path("profiles", f"{name_or_path}.yaml")
    if not path.is_file():
        raise UsageError(
            _("unknown profile '{name_or_path}' (shipped: {items}; or give a YAML path)").format(name_or_path=name_or_path, items=', '.join(available_profiles()))
        )
    profile = load_yaml_file(path, "profile")  # size and alias limits
    typed = validate_profile_doc(profile, origin=str(path), error=UsageError)
    profile.setdefault("name", path.stem)
    profile.setdefault("strict", typed.strict)
    profile.setdefault("privacy", {})
    return profile


def default_decision(profile: dict[str, Any], role: str, entity: str | None) -> dict[str, Any]:
    """The profile's action (and params) for a column of this role and entity."""
    spec = profile["roles"].get(role)
    if spec is None:
        raise UsageError(_("profile '{value}' has no rule for role '{role}'").format(value=profile.get('name'), role=role))
    chosen = (spec.get("entities") or {}).get(entity) if entity else None
    chosen = chosen or spec.get("default")
    if not chosen or "action" not in chosen:
        raise UsageError(_("profile '{value}' has no default action for role '{role}'").format(value=profile.get('name'), role=role))
    decision = {"action": chosen["action"]}
    if chosen.get("params"):
        decision["params"] = dict(chosen["params"])
    return decision
