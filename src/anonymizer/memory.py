"""Keep a long streaming run's resident memory close to what it actually holds (glibc, pyarrow).

glibc raises its mmap threshold each time a large block is freed (up to 32 MB), so after the
global step frees its arrays, every batch's mid-sized arrays come from the brk heap, which
fragments and is never given back: a 5-million-row sanitize held 1.24 GB of ``[heap]`` in
pass 2 against ~0.5 GB of live data. :func:`tune_allocator` fixes the threshold (blocks of
1 MiB and more are mmapped and unmapped on free); :func:`release` returns free heap pages
to the system between batches. Both are no-ops where glibc is not the allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENA_MAX = 2  # glibc's default is 8 per core, each reserving 64 MiB of address space
MMAP_THRESHOLD = 1 << 20


@lru_cache(maxsize=1)
def glibc():
    """The C library when it is glibc on Linux (mallopt, malloc_trim, prctl), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold at 1 MiB (and its trim threshold) and cap its arenas at 2; True when applied."""
    libc = glibc()
    if libc is None:
        return False
    return (bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(M_TRIM_THRESHOLD, MMAP_THRESHOLD))
            and bool(libc.mallopt(M_ARENA_MAX, ARENA_MAX)))


def release() -> None:
    """Give free memory back to the system: glibc's heap (``malloc_trim(0)``) and pyarrow's
    pool (mimalloc keeps freed pages in its arenas until asked; a test measures the pages it
    returns). In pass 2 of a 5-million-row run the process still varies between 1.4 and
    1.8 GiB: docs/scaling.md gives the measured series."""
    libc = glibc()
    if libc is not None:
        libc.malloc_trim(0)
    pa = sys.modules.get("pyarrow")  # only when the run has used it: never import it for this
    if pa is not None:
        pa.default_memory_pool().release_unused()


#: set by the ``anon`` entry point (:func:`anon_process`): only then does :func:`freeze_imports` act
_ANON_PROCESS = [False]


def anon_process() -> None:
    """Said by the ``anon`` entry point (cli.main.main): the process is anon's alone, so a command
    may freeze the collector's objects (:func:`freeze_imports`); a program that embeds anon (the
    tests' CliRunner, a notebook) keeps its heap as it is."""
    _ANON_PROCESS[0] = True


def freeze_imports() -> bool:
    """In the ``anon`` process, move every object alive now to the garbage collector's permanent
    generation (``gc.freeze``): called once a command's modules are imported, so that no later full
    collection walks them again (pandas, pyarrow, pydantic...: 80,000 tracked objects before a
    sanitize, alive until the process ends anyway). A 100-row sanitize spent 0.45 CPU s in the collector,
    0.24 with this (measured with ``gc.callbacks``). An object frozen and freed later is still
    freed; only cyclic garbage made before the call would wait for the process's end. True when it
    froze."""
    if not _ANON_PROCESS[0]:
        return False
    import gc

    gc.freeze()
    return True


#: set by :func:`settle_heap`: this process freezes its heap between tasks (a worker)
_SETTLED = [False]


def settle_heap() -> None:
    """In a worker process between two tasks: collect what the last task left, then freeze every
    object alive (``gc.freeze``: the modules, the NER model, the plan and the leak index, the task
    about to run) so that the task's automatic full collections walk only what it makes itself. A
    worker's full collections walked the spaCy model's ~0.3 million objects again and again (2.3 of
    its 36.5 CPU s on a 100,000-row run, ``gc.callbacks``); now one full collection per task does.
    Anything frozen and freed later is freed as usual; cyclic garbage waits for this call at the next
    task (or :func:`anonymizer.detect.analyzer.drop_models`, which thaws first: :func:`thaw_settled`)."""
    import gc

    _SETTLED[0] = True
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def thaw_settled() -> None:
    """Before collecting on purpose (a model dropped): unfreeze what :func:`settle_heap` froze, or
    the dropped objects' cycles would outlive them. A process that never settled (the ``anon``
    command, whose frozen imports stay frozen) is left as it is."""
    if _SETTLED[0]:
        import gc

        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside (``gc.disable``), the collector's state restored
    after: for a step that only builds long-lived objects (importing Presidio and spaCy, loading
    the NER model: 0.3 million objects, over which each collection walked the whole heap again).
    What it leaves as garbage is collected by the next collections, as before."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
