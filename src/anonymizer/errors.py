"""Errors the CLI turns into one clear line on stderr and a non-zero exit.

Messages must never contain a raw value from the data: name the file, the column,
the row number or the rule, never the cell.
"""

from __future__ import annotations

import errno

from anonymizer.i18n import N_


class AnonError(Exception):
    """Base class: an expected failure with a message fit for a person."""

    exit_code = 2


class InputError(AnonError):
    """The input cannot be read as asked (missing, unreadable, malformed)."""

    exit_code = 2


class UsageError(AnonError):
    """The command line or a configuration file is wrong."""

    exit_code = 2


class PolicyError(AnonError):
    """The policy is invalid or leaves a column without a safe decision (fail closed)."""

    exit_code = 2


class PrivacyTargetError(AnonError):
    """The privacy targets cannot be met, or verification found a surviving identifier."""

    exit_code = 1


class WorkerLostError(AnonError):
    """A worker process died without answering (killed by a signal or the out-of-memory killer)."""

    exit_code = 2


# shown through _() where it is raised (its French entry is in the catalog)
OUT_OF_MEMORY = N_("out of memory: the run stopped (no output is left half-written); give the process more "
                   "memory (or, for sanitize and convert, a smaller --batch-rows)")


WORKER_LOST = N_("a worker process stopped without an answer (killed, or out of memory): the run stopped and no "
                  "output is left half-written; give the machine more memory, or use fewer --workers or a smaller "
                  "--batch-rows")


def caused_by_memory(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a MemoryError (pyarrow's ArrowMemoryError is one) or was raised while
    handling one: a reader that turns every Arrow error into "malformed CSV" would otherwise
    blame the file for the machine's limit. So is an OSError with ENOMEM, and a lazy import
    whose shared library could not be mapped (under ``ulimit -v``, the loader's own error)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
            return True
        if isinstance(exc, ImportError) and "failed to map segment" in str(exc):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
