"""``sanitize()``: the pipeline (engine.pipeline) on the local executor (engine.local).

The Dask executor's entry point is ``engine.distributed.sanitize_dask``; both run the same
sequence, so they publish the same values and the same manifest (timings and the output's
layout apart).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from anonymizer.engine.local import LocalExecutor
from anonymizer.engine.pipeline import OutputPaths, SanitizeOptions, SanitizeResult, run

__all__ = ["SanitizeOptions", "SanitizeResult", "sanitize"]


def sanitize(input_path: str | Path, output_path: str | Path, opts: SanitizeOptions,
             progress: Callable[[str], None] | None = None) -> SanitizeResult:
    """Sanitize ``input_path`` into ``output_path`` (+ manifest and risk report) in this process
    (``opts.workers`` > 1: passes 2 and 3 over worker processes)."""
    t0 = time.perf_counter()
    input_path, output = Path(input_path), Path(output_path)
    executor = LocalExecutor(input_path, output, opts)
    try:
        return run(executor, input_path, OutputPaths.of(output, opts.report), opts,
                   progress or (lambda _msg: None), started=t0)
    finally:
        executor.close()
