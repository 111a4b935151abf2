"""The local executor: the input streamed in batches, passes 2 and 3 here or over worker processes.

Memory stays bounded by a batch plus what is truly global (engine.pipeline.Gathered): every
action is keyed per value, so batches give the same result as one whole-table pass. Each
pass re-reads the file.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.attack.release import embedded
from anonymizer.engine.gather import ColumnCollector
from anonymizer.engine.manifest import digest_input, sha256_file
from anonymizer.engine.parallel import Workers, disarm_formulas
from anonymizer.engine.pipeline import (
    SCAN_SAMPLE_ROWS,
    Gathered,
    OutputPaths,
    Released,
    RunCounts,
    SanitizeOptions,
    Say,
    Solved,
    embedded_columns,
    parts,
    staging_name,
)
from anonymizer.engine.verify import LeakIndex, chain_runs, counter_runs
from anonymizer.io import TableWriter, check_output_path, iter_batches
from anonymizer.io.sniff import reused_dialects
from anonymizer.memory import release
from anonymizer.policy.plan import Plan
from anonymizer.transform.apply import apply_plan

# Memory per batch grows with rows x columns: a 50,000-row batch of the 181-column extract and
# its transformed copy took ~0.5 GB; 5 million cells (27,600 rows of it) keeps a 5-million-row
# run under 2 GiB with the spaCy model loaded (docs/scaling.md).
CELLS_PER_BATCH = 5_000_000
MIN_BATCH_ROWS, MAX_BATCH_ROWS = 1_000, 200_000


def auto_batch_rows(columns: int) -> int:
    """Rows per batch for about ``CELLS_PER_BATCH`` cells, within [1,000, 200,000]."""
    return max(MIN_BATCH_ROWS, min(MAX_BATCH_ROWS, CELLS_PER_BATCH // max(columns, 1)))


def rate(label: str, rows: int, since: float) -> str:
    """A progress line for a long pass: rows done and the pass's rows per second."""
    elapsed = time.perf_counter() - since
    return f"{label}: {rows:,} rows" + (f" ({rows / elapsed:,.0f} rows/s)" if elapsed > 0 else "")


@contextmanager
def _closed_after(it: Iterator[Any]) -> Iterator[Iterator[Any]]:
    """``it`` closed on the way out, an error's included: a batch generator left suspended keeps
    pyarrow's CSV reader and its read-ahead thread alive until the interpreter's exit, where that
    thread aborted the process ("terminate called without an active exception") or hung it after
    a worker was lost (tests/engine/test_kill.py)."""
    try:
        yield it
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


class _Batches:
    """Re-iterable batches of the input (each pass re-reads the file: bounded memory)."""

    def __init__(self, path: Path, opts: SanitizeOptions) -> None:
        self.path, self.opts = path, opts
        self._dialects: dict = {}  # the input is sniffed once, not at each of its three opens
        if opts.batch_rows is None:  # the header decides: peek at a few rows
            _meta, probe = self._open(MIN_BATCH_ROWS)
            opts.batch_rows = auto_batch_rows(len(next(probe).columns))
            del probe
        self.meta, it = self._open(opts.batch_rows)
        head = next(it)  # at least one (possibly empty) batch: it carries the header
        self.columns = [str(c) for c in head.columns]
        self._first: Iterator[pd.DataFrame] | None = itertools.chain([head], it)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        if self._first is not None:
            it, self._first = self._first, None
            return it
        return self._open(self.opts.batch_rows)[1]

    def _open(self, batch_rows: int) -> tuple[Any, Iterator[pd.DataFrame]]:
        with reused_dialects(self._dialects):  # the sniff is eager: done inside the block
            return iter_batches(self.path, batch_rows=batch_rows, **self.opts.read_opts)


class LocalExecutor:
    """Batches of one input file; passes 2 and 3 over ``opts.workers`` processes."""

    def __init__(self, input_path: Path, output: Path, opts: SanitizeOptions) -> None:
        self.input_path, self.opts = input_path, opts
        self.batches = _Batches(input_path, opts)
        self.columns, self.meta = self.batches.columns, self.batches.meta
        self.out_format = opts.out_format or self.meta.format
        self.staging, self.output = staging_name(output), output
        self._workers: Workers | None = None
        self._batch_rows: list[int] = []

    def check_outputs(self, paths: OutputPaths, force: bool) -> None:
        for p in (paths.output, paths.manifest, *paths.reports()):
            check_output_path(p, force=force, inputs=[self.input_path])
        check_output_path(paths.not_released, force=True, inputs=[self.input_path])

    def scan_path(self) -> Path:
        return self.input_path

    def gather(self, plan: Plan, sub: Plan, cols: list[str], changed: list[str], need_global: bool,
               say: Say, known: list[str]) -> Gathered:
        t1 = time.perf_counter()
        leaks = LeakIndex(plan)
        kept = [s.column for s in plan.steps if s.action == "keep"]
        out_cols, orig_cols = ColumnCollector(cols), ColumnCollector(changed)
        known_cols = ColumnCollector(known + embedded_columns(plan)) if known else None
        runs: dict[str, list] = {c: [] for c in kept}
        label = "pass 1/3: original identifiers" + (" and quasi-identifiers" if need_global else "")
        say(label)
        rows = 0
        for batch in self.batches:
            leaks.add(batch)
            for c, run in zip(kept, counter_runs(batch, kept), strict=True):
                runs[c].append(run)
            if need_global:
                out_cols.add(apply_plan(batch, sub, key=self.opts.key))
                orig_cols.add(batch[changed])
            if known_cols is not None:
                known_cols.add(pd.concat([batch[known], embedded(batch, plan)], axis=1))
            self._batch_rows.append(len(batch))
            rows += len(batch)
            say(rate(label, rows, t1))
        gathered = Gathered(leaks, sorted(c for c, r in runs.items() if chain_runs(r)))
        if need_global:
            gathered.qi_out, gathered.qi_orig = out_cols.frame(), orig_cols.frame()
            for c in cols:  # a kept column's original is its output: stored once
                if c not in changed:
                    gathered.qi_orig[c] = gathered.qi_out[c]
            gathered.qi_orig = gathered.qi_orig[cols]
        if known_cols is not None:
            gathered.known = known_cols.frame()
        del out_cols, orig_cols, known_cols
        leaks.merge()  # now, while no batch and no NER model is in memory
        return gathered

    def _pool(self, plan: Plan, leaks: LeakIndex, say: Say) -> Workers:
        if self._workers is None:
            if self.opts.workers > 1 and any(s.action == "redact" for s in plan.steps):
                say(f"starting {self.opts.workers} worker processes (each loads its own spaCy model)")
            self._workers = Workers(self.opts.workers, plan, self.opts.key, leaks).__enter__()
        return self._workers

    def write(self, plan: Plan, solved: Solved, leaks: LeakIndex, counts: RunCounts, say: Say) -> None:
        t1 = time.perf_counter()
        label = "pass 2/3: transforming and writing"
        say(label)
        batches = iter(self.batches)
        items = zip(batches, parts(solved, iter(self._batch_rows)), strict=False)
        pool = self._pool(plan, leaks, say)  # up before the first byte is staged
        with _closed_after(batches), TableWriter(self.staging, like=self.meta, fmt=self.opts.out_format, force=True,
                                                  inputs=(self.input_path,), shown_as=self.output) as writer:
            disarm = self.out_format == "csv" and not self.opts.keep_formulas
            for out, name_hits, changed, collided in pool.map("transform", items):
                if disarm:
                    out = disarm_formulas(out, changed)
                writer.write(out)
                counts.add_written(len(out), name_hits, changed, collided)
                del out
                release()
                say(rate(label, counts.rows_in, t1))

    def verify(self, plan: Plan, leaks: LeakIndex, counters: list[str], counts: RunCounts,
               say: Say, released: Released | None) -> pd.DataFrame | None:
        t1 = time.perf_counter()
        say("pass 3/3: verifying the written file (leak search, re-scan)")
        text_cols = [s.column for s in plan.steps if s.role == "free_text"]
        sample: list[pd.DataFrame] = []
        read_back = ({"delimiter": self.meta.delimiter, "encoding": self.meta.encoding}
                     if self.out_format == "csv" else {})

        def written() -> Iterator[tuple[pd.DataFrame, list[str], set[str]]]:
            for batch in iter_batches(self.staging, batch_rows=self.opts.batch_rows, fmt=self.out_format,
                                      **read_back)[1]:
                if not sample:
                    sample.append(batch.head(SCAN_SAMPLE_ROWS))
                if released is not None:
                    released.add(batch)
                yield batch, text_cols, set(counters)

        with _closed_after(written()) as items:
            for n, found in self._pool(plan, leaks, say).map("search", items):
                counts.add_found(n, found)
                say(rate("pass 3/3: verifying the written file", counts.rows_out, t1))
        self._close_pool()  # the report that follows gets the workers' memory
        return sample[0] if sample else None

    def input_record(self, rows: int) -> dict[str, Any]:
        return {"name": self.input_path.name, "sha256": digest_input(self.input_path), "rows": rows,
                "columns": len(self.columns), "format": self.meta.format}

    def output_record(self, final: Path, counts: RunCounts, columns: int) -> dict[str, Any]:
        return {"name": final.name, "sha256": sha256_file(self.staging), "rows": counts.rows_out,
                "columns": columns, "format": self.out_format}

    def discard(self) -> None:
        self._close_pool()
        self.staging.unlink(missing_ok=True)

    def _close_pool(self) -> None:
        if self._workers is not None:
            self._workers.__exit__(None, None, None)
            self._workers = None

    def close(self) -> None:
        self._close_pool()
