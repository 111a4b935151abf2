"""Pass 2 of the local engine, in this process or over ``workers`` processes.

Pass 2 is the cost of a sanitize run (keyed fakes per distinct value, free-text detection and
replacement, collision checks): every batch is independent once pass 1 has built the hash index
of original identifiers and the privacy search has fixed the quasi-identifiers. With
``workers > 1`` the batches go to a pool of *spawned* processes (not forked: the parent has
run pyarrow's thread pools, and a fork can inherit a held lock) and come back in input order,
so the file is byte-identical to a one-process run. At most ``workers + 1`` batches are in
flight, so memory stays bounded: the parent's batch and result plus, per worker, one batch, its
own copy of the hash index and the spaCy model when free text is redacted.

The key reaches the workers through the pool's pipe, never through a file or the environment.
Workers die with the parent (``PR_SET_PDEATHSIG``) so a killed run leaves no orphan working on.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import pandas as pd

from anonymizer.engine.apply import apply_plan, summarize_changes
from anonymizer.engine.verify import LeakIndex, row_name_leaks
from anonymizer.memory import release, tune_allocator
from anonymizer.policy.plan import Plan

BatchResult = tuple[pd.DataFrame, dict, dict, dict]

_STATE: dict[str, Any] = {}


def transform_batch(batch: pd.DataFrame, qi_part: pd.DataFrame | None, plan: Plan, key: bytes | None,
                    leaks: LeakIndex | None) -> BatchResult:
    """One batch of pass 2: the output rows (with the final quasi-identifiers when given), the
    row-name leak counts, the per-column change counts and the cells suppressed after collisions."""
    collisions: dict[str, int] = {}
    out = apply_plan(batch, plan, key=key, avoid=leaks, stats=collisions)
    if qi_part is not None:
        for c in qi_part.columns:
            out[c] = qi_part[c].to_numpy()
    return out, row_name_leaks(batch, out, plan), summarize_changes(batch, out, plan), collisions


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass


def _init(plan: Plan, key: bytes | None, leaks: LeakIndex | None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    tune_allocator()
    _STATE.update(plan=plan, key=key, leaks=leaks)


def _work(batch: pd.DataFrame, qi_part: pd.DataFrame | None) -> BatchResult:
    try:
        return transform_batch(batch, qi_part, _STATE["plan"], _STATE["key"], _STATE["leaks"])
    finally:
        release()


def transformed(items: Iterable[tuple[pd.DataFrame, pd.DataFrame | None]], plan: Plan, key: bytes | None,
                leaks: LeakIndex | None, workers: int = 1) -> Iterator[BatchResult]:
    """``transform_batch`` of every ``(batch, qi_part)``, in input order.

    A failure in a worker is raised here (the pool is then terminated); so is an interrupt.
    """
    if workers <= 1:
        for batch, qi_part in items:
            yield transform_batch(batch, qi_part, plan, key, leaks)
        return
    with mp.get_context("spawn").Pool(workers, initializer=_init, initargs=(plan, key, leaks)) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(_work, item))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
