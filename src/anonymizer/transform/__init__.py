"""Column actions of ``anon sanitize``: pure functions
``fn(series, *, key, params, context) -> series`` registered in ``ACTIONS`` by name.

See docs/transforms.md for every action's parameters and guarantees.
"""

from __future__ import annotations

from collections.abc import Callable

from anonymizer.transform.base import PERSON_ID, TransformContext
from anonymizer.transform.basic import drop, is_drop, keep, suppress
from anonymizer.transform.dates import shift_dates
from anonymizer.transform.fake import FAKE_ENTITIES, fake, order_columns
from anonymizer.transform.generalize import generalize
from anonymizer.transform.noise import noise
from anonymizer.transform.pseudonymize import key_fingerprint, load_key, pseudonymize
from anonymizer.transform.text import redact

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

def clear_caches() -> None:
    """Forget every memo the actions keep between calls (per-person offsets and words, name
    draws): they are per run, and a run ends here (the pipeline calls this when it stops)."""
    import importlib

    for module in ("dates", "noise"):  # (the package's ``noise`` is the action: go by module name)
        importlib.import_module(f"anonymizer.transform.{module}").clear_caches()
    importlib.import_module("anonymizer.transform.names")._word_draw.cache_clear()


#: Actions that need the secret key (``redact`` only in its default ``fake`` mode).
KEYED_ACTIONS = frozenset({"pseudonymize", "fake", "shift_dates", "noise", "redact"})

__all__ = [
    "ACTIONS", "FAKE_ENTITIES", "KEYED_ACTIONS", "PERSON_ID", "TransformContext", "clear_caches", "drop", "fake", "generalize",
    "is_drop", "keep", "key_fingerprint", "load_key", "noise", "order_columns", "pseudonymize", "redact",
    "shift_dates", "suppress",
]
