"""The plain numbers behind :class:`~anonymizer.settings.targets.PrivacyTargets`' defaults.

Kept apart from the pydantic models so that ``--help`` texts can quote a default without
importing pydantic (``anon sanitize --help`` must start in a fraction of a second); the models
take their defaults from here, so each is still written once.
"""

from __future__ import annotations

#: The k the risk report measures against when no k is enforced (``anon risk`` without
#: ``--k``, a profile with ``k: null``): the training profile's, the usual minimum in
#: statistical disclosure control practice.
REPORT_K = 5

#: The risk report measures l and t on at most this many sensitive columns (policy order):
#: sanitize keeps them for every row of the table, so they count against its memory budget.
REPORT_SENSITIVE_MAX = 8

#: Seconds of optimal search before the greedy heuristic takes over.
TIME_BUDGET = 60.0

#: Classes smaller than this are reported as small cells.
SMALL_CELL = 11

#: Record (prosecutor) risk above which records are counted.
MAX_RECORD_RISK = 0.2
