"""Typed settings (pydantic v2) that fail closed: privacy targets, action parameters, policy and
profile files. Unknown or misspelled keys are errors naming the key, never ignored.

* ``targets``: :class:`PrivacyTargets`, every default of k, small cells, record risk and the
  search written once;
* ``base``: the strict base model, :class:`ActionParams` (each action declares its own next to
  its code in ``anonymizer.transform``) and the one-line error;
* ``files``: the policy and profile file formats (``PolicyFile``, ``ProfileFile``), from which
  ``rules/schemas/policy.schema.json`` is generated.

This package imports nothing of anon's but ``errors`` at load time, so every layer may use it.
This package imports its modules on first use (PEP 562), so ``settings.defaults`` is read
without pydantic by the ``--help`` texts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anonymizer.settings.base import ActionParams, StrictModel, check, suggestion
    from anonymizer.settings.targets import DEFAULT_TARGETS, NoPrivacy, PrivacyTargets

from anonymizer.settings.defaults import REPORT_K, REPORT_SENSITIVE_MAX

_WHERE = {"ActionParams": "base", "StrictModel": "base", "check": "base", "suggestion": "base",
          "DEFAULT_TARGETS": "targets", "NoPrivacy": "targets", "PrivacyTargets": "targets"}

__all__ = [
    "DEFAULT_TARGETS", "REPORT_K", "REPORT_SENSITIVE_MAX", "ActionParams", "NoPrivacy", "PrivacyTargets",
    "StrictModel", "check", "suggestion",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'anonymizer.settings' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"anonymizer.settings.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
