"""Loading and validating policy files through the typed models of ``anonymizer.settings.files``.

``rules/schemas/policy.schema.json`` is generated from the same models (for editors and other
tools); anon itself validates with the models, so an unknown key anywhere is refused by name.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from anonymizer.errors import PolicyError
from anonymizer.i18n import _
from anonymizer.settings.files import validate_policy_doc


def validate_policy(policy: Any, *, origin: str = "policy") -> dict[str, Any]:
    """Raise :class:`PolicyError` naming the first problem (a path in the file, never a value);
    return ``policy`` itself (unchanged: its digest is the manifest's ``policy_sha256``)."""
    validate_policy_doc(policy, origin=origin)
    return policy


def load_policy(path: str | Path) -> dict[str, Any]:
    """Read a YAML (or JSON) policy file and validate it."""
    from anonymizer.configfiles import load_yaml_file

    path = Path(path)
    policy = load_yaml_file(path, "policy file", PolicyError)  # size and alias limits
    if not isinstance(policy, dict):
        raise PolicyError(_("{path}: a policy is a mapping with 'version' and 'columns'").format(path=path))
    return validate_policy(policy, origin=str(path))


def policy_digest(policy: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON form: same decisions, same digest, whatever the YAML layout."""
    canonical = json.dumps(policy, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
