"""Loading and validating policy files against the shipped JSON Schema."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from anonymizer.errors import PolicyError
from anonymizer.resources import rules_path


@lru_cache(maxsize=1)
def policy_schema() -> dict[str, Any]:
    return json.loads(rules_path("schemas", "policy.schema.json").read_text(encoding="utf-8"))


def validate_policy(policy: Any, *, origin: str = "policy") -> dict[str, Any]:
    """Raise :class:`PolicyError` naming the first problem (a path in the file, never a value)."""
    validator = jsonschema.Draft202012Validator(policy_schema())
    errors = sorted(validator.iter_errors(policy), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        reason = err.message if err.validator in {"required", "additionalProperties", "type"} else (
            f"fails '{err.validator}' rule"
        )
        if err.validator == "enum":
            reason = f"must be one of {', '.join(map(str, err.validator_value))}"
        raise PolicyError(f"{origin}: {where}: {reason}")
    return policy


def load_policy(path: str | Path) -> dict[str, Any]:
    """Read a YAML (or JSON) policy file and validate it."""
    path = Path(path)
    if not path.is_file():
        raise PolicyError(f"{path}: policy file not found")
    try:
        policy = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: not a readable YAML policy ({exc.__class__.__name__})") from None
    if not isinstance(policy, dict):
        raise PolicyError(f"{path}: a policy is a mapping with 'version' and 'columns'")
    return validate_policy(policy, origin=str(path))


def policy_digest(policy: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON form: same decisions, same digest, whatever the YAML layout."""
    canonical = json.dumps(policy, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
