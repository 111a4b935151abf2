"""Column actions of ``anon sanitize``: pure functions
``fn(series, *, key, params, context) -> series`` registered in ``ACTIONS`` by name, each with
the model of the parameters a policy may give it in ``ACTION_PARAMS`` (declared next to its code).

See docs/transforms.md for every action's parameters and guarantees.
"""

from __future__ import annotations

from collections.abc import Callable

from anonymizer.settings import ActionParams
from anonymizer.transform.base import PERSON_ID, TransformContext
from anonymizer.transform.basic import DropParams, KeepParams, SuppressParams, drop, is_drop, keep, suppress
from anonymizer.transform.dates import ShiftDatesParams, shift_dates
from anonymizer.transform.fake import FAKE_ENTITIES, FakeParams, fake, order_columns
from anonymizer.transform.generalize import GeneralizeParams, generalize
from anonymizer.transform.noise import NoiseParams, noise
from anonymizer.transform.pseudonymize import PseudonymizeParams, key_fingerprint, load_key, pseudonymize
from anonymizer.transform.text import RedactParams, redact

ACTIONS: dict[str, Callable] = {
    "drop": drop,
    "keep": keep,
    "suppress": suppress,
    "pseudonymize": pseudonymize,
    "fake": fake,
    "generalize": generalize,
    "shift_dates": shift_dates,
    "noise": noise,
    "redact": redact,
}

#: action -> the parameters a policy may give it (unknown keys and bad values are refused when
#: the policy or profile loads, see ``anonymizer.settings.files.check_params``)
ACTION_PARAMS: dict[str, type[ActionParams]] = {
    "drop": DropParams,
    "keep": KeepParams,
    "suppress": SuppressParams,
    "pseudonymize": PseudonymizeParams,
    "fake": FakeParams,
    "generalize": GeneralizeParams,
    "shift_dates": ShiftDatesParams,
    "noise": NoiseParams,
    "redact": RedactParams,
}


def clear_caches() -> None:
    """Forget every memo the actions keep between calls (per-person offsets and words, name
    draws): they are per run, and a run ends here (the pipeline calls this when it stops)."""
    import importlib

    for module in ("dates", "noise"):  # (the package's ``noise`` is the action: go by module name)
        importlib.import_module(f"anonymizer.transform.{module}").clear_caches()
    for module in ("names", "fake", "identities"):  # (the package's ``fake`` is the action too)
        importlib.import_module(f"anonymizer.transform.{module}").clear_caches()

#: Actions that need the secret key (``redact`` only in its default ``fake`` mode).
KEYED_ACTIONS = frozenset({"pseudonymize", "fake", "shift_dates", "noise", "redact"})

__all__ = [
    "ACTIONS", "ACTION_PARAMS", "FAKE_ENTITIES", "KEYED_ACTIONS", "PERSON_ID", "TransformContext", "clear_caches",
    "drop", "fake", "generalize",
    "is_drop", "keep", "key_fingerprint", "load_key", "noise", "order_columns", "pseudonymize", "redact",
    "shift_dates", "suppress",
]
