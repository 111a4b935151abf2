"""Passes 2 and 3 of the local engine, in this process or over ``workers`` processes.

Pass 2 (keyed fakes per distinct value, free-text detection and replacement, collision checks)
and pass 3 (the leak search of the written file) are nearly all of a run's time, and every
batch is independent once pass 1 has built the hash index of original identifiers and the
privacy search has fixed the quasi-identifiers. With ``workers > 1`` batches go to a pool of
*spawned* processes (not forked: the parent has run pyarrow's thread pools, and a fork can
inherit a held lock) and come back in input order, so the file is byte-identical to a
one-process run. At most ``workers + 1`` batches are in flight, so memory stays bounded: the
parent's batch and result plus, per worker, one batch, its own copy of the hash index and the
spaCy model when free text is redacted.

The key reaches the workers through the pool's pipe, never through a file or the environment.
Workers die with the parent (``PR_SET_PDEATHSIG``) so a killed run leaves no orphan working on.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.engine.verify import LeakIndex, row_name_leaks
from anonymizer.errors import WORKER_LOST, WorkerLostError
from anonymizer.i18n import _
from anonymizer.memory import glibc, release, settle_heap, tune_allocator
from anonymizer.policy.plan import Plan
from anonymizer.transform.apply import apply_plan, summarize_changes

BatchResult = tuple[pd.DataFrame, dict, dict, dict]

_STATE: dict[str, Any] = {}


def released_part(batch: pd.DataFrame, part: tuple | None) -> dict[str, np.ndarray] | None:
    """The released values the privacy step decided for a batch's rows, one array per column
    (row-aligned): the solved key quasi-identifiers (a frame slice) and/or the whole-record levels
    (``privacy.recoding``). Arrays, not a frame: ``apply_plan`` reads them as arrays, and a frame
    of object arrays made each a ``str`` column read back as objects (a third of the 0.5-0.65 s
    this took per 28,000-row batch of the generated extract)."""
    if part is None:
        return None
    qi_part, records = part
    out: dict[str, np.ndarray] = {}
    if records is not None:
        from anonymizer.privacy.recoding import release_arrays

        out.update(release_arrays(batch, records))
    if qi_part is not None:  # as a frame's columns, as before (a column's dtype decides its values)
        qi = pd.DataFrame({c: qi_part[c].to_numpy() for c in qi_part.columns}, index=batch.index)
        out.update({c: s.to_numpy() for c, s in qi.items()})
    return out


def transform_batch(batch: pd.DataFrame, part: tuple | None, plan: Plan, key: bytes | None,
                    leaks: LeakIndex | None) -> BatchResult:
    """One batch of pass 2: the output rows (the privacy step's released values put in first, so
    that what derives from them reads them), the row-name leak counts, the per-column change
    counts and the cells suppressed after collisions."""
    collisions: dict[str, int] = {}
    out = apply_plan(batch, plan, key=key, avoid=leaks, stats=collisions, fixed=released_part(batch, part))
    return out, row_name_leaks(batch, out, plan), summarize_changes(batch, out, plan), collisions


def disarm_formulas(out: pd.DataFrame, changed: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """``out`` with the cells a spreadsheet would run as formulas made text (``values.formulas``:
    a leading single quote), counted per column into ``changed`` (the manifest's
    ``formulas_neutralised``). For CSV output, after every transform: a fake, a token or a
    redacted text starting with ``=`` is disarmed too."""
    from anonymizer.values.formulas import neutralise

    out, counts = neutralise(out)
    for col, n in counts.items():
        changed.setdefault(col, {})["formulas_neutralised"] = n
    return out


def _transform(state: dict[str, Any], batch: pd.DataFrame, part: tuple | None) -> BatchResult:
    return transform_batch(batch, part, state["plan"], state["key"], state["leaks"])


def _search(state: dict[str, Any], written: pd.DataFrame, text_columns: list[str],
            counters: set[str]) -> tuple[int, dict]:
    """One batch of pass 3: its row count and the leak-search hits."""
    return len(written), state["leaks"].search(written, text_columns, counters)


TASKS = {"transform": _transform, "search": _search}


def _die_with_parent() -> None:
    libc = glibc()  # None off Linux/glibc: the pool's own shutdown still applies
    if libc is not None:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _init(plan: Plan, key: bytes | None, leaks: LeakIndex | None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    tune_allocator()
    _STATE.update(plan=plan, key=key, leaks=leaks)


def _ready() -> None:
    """A no-op task: its answer says a worker is up and initialised."""


def _work(task: str, *args: Any) -> Any:
    settle_heap()  # one full collection per task; the long-lived heap (model, leak index) frozen
    try:
        return TASKS[task](_STATE, *args)
    finally:
        release()


class Workers:
    """``with Workers(n, plan, key, leaks) as w: for r in w.map("transform", items): ...``

    ``n <= 1`` runs every task here, in order; otherwise a spawned pool runs them. A task's
    error is raised from ``map`` (the workers are stopped on exit), as is an interrupt. A worker
    that dies without an answer (the kernel's out-of-memory killer, a signal) stops the run with
    :class:`~anonymizer.errors.WorkerLostError`: ``multiprocessing.Pool`` would start another
    worker and wait forever for the lost batch, so the pool is a ``ProcessPoolExecutor``, which
    says so (``BrokenProcessPool``).
    """

    def __init__(self, workers: int, plan: Plan, key: bytes | None, leaks: LeakIndex | None) -> None:
        self.workers = workers
        self._state = {"plan": plan, "key": key, "leaks": leaks}
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.workers > 1:
            s = self._state
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"), initializer=_init,
                                             initargs=(s["plan"], s["key"], s["leaks"]))
            # every worker up and initialised now, as a Pool's were (the executor spawns on demand):
            # one start-up error or lost worker is raised here, before any byte is staged
            for ready in [self._pool.submit(_ready) for _ in range(self.workers)]:
                try:
                    ready.result()
                except BrokenProcessPool as exc:
                    self.__exit__()
                    raise WorkerLostError(_(WORKER_LOST)) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # stop at once, as Pool.terminate did: a batch still running is of no use to a run that
        # ends (an error, an interrupt) or is done (nothing is pending then)
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def map(self, task: str, items: Iterable[tuple]) -> Iterator[Any]:
        """``task`` over every argument tuple of ``items``, results in input order."""
        if self._pool is None:
            for args in items:
                yield TASKS[task](self._state, *args)
            return
        pending: deque[Future] = deque()
        try:
            for args in items:
                pending.append(self._pool.submit(_work, task, *args))
                if len(pending) > self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as exc:
            raise WorkerLostError(_(WORKER_LOST)) from exc
