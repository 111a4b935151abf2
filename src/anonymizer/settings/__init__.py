"""Typed settings (pydantic v2) that fail closed: privacy targets, action parameters, policy and
profile files. Unknown or misspelled keys are errors naming the key, never ignored.

* ``targets``: :class:`PrivacyTargets`, every default of k, small cells, record risk and the
  search written once;
* ``base``: the strict base model, :class:`ActionParams` (each action declares its own next to
  its code in ``anonymizer.transform``) and the one-line error;
* ``files``: the policy and profile file formats (``PolicyFile``, ``ProfileFile``), from which
  ``rules/schemas/policy.schema.json`` is generated.

This package imports nothing of anon's but ``errors`` at load time, so every layer may use it.
"""

from anonymizer.settings.base import ActionParams, StrictModel, check, suggestion
from anonymizer.settings.targets import (
    DEFAULT_TARGETS,
    REPORT_K,
    REPORT_SENSITIVE_MAX,
    NoPrivacy,
    PrivacyTargets,
)

__all__ = [
    "DEFAULT_TARGETS", "REPORT_K", "REPORT_SENSITIVE_MAX", "ActionParams", "NoPrivacy", "PrivacyTargets",
    "StrictModel", "check", "suggestion",
]
