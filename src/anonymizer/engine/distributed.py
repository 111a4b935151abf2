"""The Dask executor: the run's passes as one task per partition of a CSV/Parquet dataset.

Why it gives the local executor's result: every column action is a pure, keyed, per-value
function (``transform.apply.apply_plan``), so a partition transforms exactly as the same rows
in a batch would; the gathered columns come back to the client in partition order and go
through the same collector as the local batches, so the one global step — the privacy
search — runs on the same frame (``engine.pipeline``), and its solved quasi-identifiers are
sent to each partition as its slice. Verification and the risk report are the pipeline's.

Tasks (``io.parts`` cuts the input without loading it):

1. hashes of the original identifiers, counter runs, the transformed and original key
   quasi-identifier (+ sensitive) columns -> client;
2. every column transformed, the solved quasi-identifiers put in, written as
   ``part-NNNNN.<ext>`` in a hidden staging folder beside the output; each task returns its
   row-name leaks, change counts and the part's SHA-256;
3. each part re-read and searched for the original identifiers (hash index broadcast).

Publishing renames the staging folder onto the output folder; any failed partition cancels
the run and removes the staging folder, so nothing is published. The manifest equals the
local one except timings and, since the output is a folder of parts, the output digest:
``output.sha256`` is the SHA-256 of the lines ``<part name>  <part sha256>\\n`` (sha256sum
format, parts in order) and ``output.parts`` lists each part's name, rows and digest. A
multi-file input is digested the same way.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.attack.release import embedded
from anonymizer.engine.gather import ColumnCollector
from anonymizer.engine.manifest import digest_lines, sha256_file
from anonymizer.engine.parallel import disarm_formulas, transform_batch
from anonymizer.engine.pipeline import (
    SCAN_SAMPLE_ROWS,
    Gathered,
    OutputPaths,
    Released,
    RunCounts,
    SanitizeOptions,
    SanitizeResult,
    Say,
    Solved,
    embedded_columns,
    parts,
    run,
    staging_name,
)
from anonymizer.engine.verify import LeakIndex, chain_runs, counter_run
from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _
from anonymizer.io import TableWriter, check_output_path, iter_batches, same_file
from anonymizer.io.parts import Dataset, PartSpec, open_dataset, read_part
from anonymizer.policy.plan import Plan
from anonymizer.transform import clear_caches
from anonymizer.transform.apply import apply_plan

PART_EXT = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}
DEFAULT_PARTITION_ROWS = 50_000


# ----------------------------------------------------------------------------- worker tasks


def _task_gather(spec: PartSpec, plan: Plan, sub: Plan | None, key: bytes | None,
                 changed: list[str], known: list[str]) -> dict[str, Any]:
    """Pass 1 on one partition: hashes of the original identifiers, counter runs and, when
    needed, the transformed key columns and the originals of those an action changes, and the
    original attacker-known columns (whole-record privacy and the attack)."""
    batch = read_part(spec)
    leaks = LeakIndex(plan)
    leaks.add(batch)
    out: dict[str, Any] = {"rows": len(batch), "hashes": leaks.column_hashes(), "entities": leaks.entities,
                           "names": leaks.names.hashes(),
                           "runs": {s.column: counter_run(batch[s.column]) for s in plan.steps if s.action == "keep"}}
    if sub is not None:
        try:
            out["qi_out"], out["qi_orig"] = apply_plan(batch, sub, key=key), batch[changed]
        finally:
            clear_caches()
    if known:
        out["known"] = pd.concat([batch[known], embedded(batch, plan)], axis=1)
    return out


def _task_write(spec: PartSpec, plan: Plan, key: bytes | None, part: tuple | None, part_path: str,
                like: Any, out_fmt: str | None, inputs: tuple[str, ...], leaks: LeakIndex,
                disarm: bool = False) -> dict[str, Any]:
    """Pass 2 on one partition: transform with the privacy step's released values, write the part
    (``disarm``: formula cells made text, as the local engine does for CSV)."""
    batch = read_part(spec)
    try:
        out, name_hits, changed, collided = transform_batch(batch, part, plan, key, leaks)
    finally:
        clear_caches()  # a worker of a shared cluster outlives the run: keep nothing of it
    if disarm:
        out = disarm_formulas(out, changed)
    with TableWriter(part_path, like=like, fmt=out_fmt, force=True, inputs=inputs) as writer:
        writer.write(out)
    return {"rows": len(batch), "name_hits": name_hits, "changes": changed, "collisions": collided,
            "sha256": sha256_file(part_path)}


def _task_verify(part_path: str, fmt: str, read_back: dict[str, Any], batch_rows: int, leaks: LeakIndex,
                 text_cols: list[str], counters: list[str], released: Released | None
                 ) -> tuple[int, dict[tuple[str, str], int], list]:
    """Pass 3 on one written part: rows read back, leak hits, and what the attack keeps of them."""
    rows, hits, kept = 0, {}, []
    for written in iter_batches(part_path, batch_rows=batch_rows, fmt=fmt, **read_back)[1]:
        rows += len(written)
        for k, v in leaks.search(written, text_cols, set(counters)).items():
            hits[k] = hits.get(k, 0) + v
        if released is not None:
            kept.append(released.extract(written))
    return rows, hits, kept


# ----------------------------------------------------------------------------- client side


class _Cluster:
    """A Client on ``scheduler``, or on a LocalCluster of ``workers`` single-threaded processes."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError(_("the dask engine needs the dask extra: pip install 'anonymizer[dask]'")) from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError):
                raise UsageError(_('cannot reach the Dask scheduler at {scheduler}').format(scheduler=scheduler)) from None
        else:
            if workers < 1:
                raise UsageError(_("--workers must be >= 1"))
            import logging

            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = Client(self.cluster)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


def _run_all(client, futures: list, say: Callable[[str], None], label: str) -> list:
    """Results in partition order; progress per partition; the first failure cancels the rest and raises."""
    from distributed import as_completed

    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    done = 0
    try:
        for fut in as_completed(futures):
            results[index[fut.key]] = fut.result()  # re-raises the task's own exception (InputError...)
            done += 1
            say(f"{label}: partition {done}/{len(futures)}")
    except BaseException:
        client.cancel(futures)
        raise
    return results


def _remove_tree(path: Path) -> None:
    """Remove a staging folder; retried because a cancelled task may still be finishing a part."""
    for _attempt in range(20):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.25)


def _check_output_dir(out: Path, *, force: bool, inputs: list[Path]) -> None:
    for src in inputs:
        if same_file(out, src) or (out.exists() and out.is_dir() and Path(src).resolve().is_relative_to(out.resolve())):
            raise InputError(_('{out}: refusing to overwrite the input; choose another output path').format(out=out))
    if out.exists() and not force:
        raise UsageError(_('{out}: already exists; pass --force to overwrite it').format(out=out))
    if out.exists() and not out.is_dir():
        raise UsageError(_('{out}: is a file; the dask engine writes a folder of parts').format(out=out))
    if not out.parent.exists():
        raise UsageError(_('{parent}: output folder does not exist').format(parent=out.parent))


class DaskExecutor:
    """Partitions of a dataset on a Dask cluster; the output is a folder of parts."""

    def __init__(self, input_path: Path, output: Path, opts: SanitizeOptions, *, scheduler: str | None,
                 workers: int) -> None:
        if opts.batch_rows is None:
            opts.batch_rows = DEFAULT_PARTITION_ROWS
        self.input_path, self.output, self.opts = input_path, output, opts
        self.scheduler, self.workers = scheduler, workers
        self.ds: Dataset = open_dataset(input_path, rows=opts.batch_rows, read_opts=opts.read_opts)
        self.columns, self.meta = self.ds.columns, self.ds.meta
        self.out_fmt = opts.out_format or (
            {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}.get(output.suffix.lower())
            or self.ds.fmt)
        if self.out_fmt not in PART_EXT:
            raise UsageError(_('the dask engine writes csv, parquet or jsonl parts, not {out_fmt}').format(out_fmt=self.out_fmt))
        self.staging = staging_name(output)
        self.inputs = tuple(str(f) for f in self.ds.files)
        self.part_paths = [str(self.staging / f"part-{s.index:05d}{PART_EXT[self.out_fmt]}") for s in self.ds.parts]
        self._cl: _Cluster | None = None
        self._part_rows: list[int] = []
        self._written: list[dict[str, Any]] = []
        self._checked_rows: list[int] = []
        self._input_sums: list[str] = []
        self._digests = None
        self._plan_f = None

    def check_outputs(self, paths: OutputPaths, force: bool) -> None:
        _check_output_dir(paths.output, force=force, inputs=self.ds.files)
        _check_output_dir(paths.not_released, force=True, inputs=self.ds.files)
        for p in (paths.manifest, *paths.reports()):
            check_output_path(p, force=force, inputs=self.ds.files)

    def scan_path(self) -> Path:
        return self.input_path if (self.ds.fmt == "parquet" or self.ds.single_file) else self.ds.files[0]

    def _client(self, say: Say):
        if self._cl is None:
            where = "scheduler " + self.scheduler if self.scheduler else f"{self.workers} local worker(s)"
            say(f"starting Dask ({where}), {len(self.ds.parts)} partition(s)")
            self._cl = _Cluster(self.scheduler, self.workers)
            self._digests = self._cl.client.map(sha256_file, list(self.inputs), pure=False)
        return self._cl.client

    def gather(self, plan: Plan, sub: Plan, cols: list[str], changed: list[str], need_global: bool,
               say: Say, known: list[str]) -> Gathered:
        client = self._client(say)
        self._plan_f = client.scatter(plan, broadcast=True)
        label = "pass 1/3: original identifiers" + (" and quasi-identifiers" if need_global else "")
        parts = _run_all(client, [client.submit(_task_gather, s, self._plan_f, sub if need_global else None,
                                                self.opts.key, changed, known, pure=False) for s in self.ds.parts],
                         say, label)
        leaks = LeakIndex(plan)
        out_cols, orig_cols = ColumnCollector(cols), ColumnCollector(changed)
        known_cols = ColumnCollector(known + embedded_columns(plan)) if known else None
        for p in parts:  # partition order: the same bit order and codes as the local executor's
            for col, h in p["hashes"].items():
                leaks.add_hashes(col, p["entities"][col], h)
            leaks.names.add_hashes(p["names"])
            if need_global:
                out_cols.add(p["qi_out"])
                orig_cols.add(p["qi_orig"])
            if known_cols is not None:
                known_cols.add(p["known"])
        self._part_rows = [p["rows"] for p in parts]
        counters = sorted(c for c in (parts[0]["runs"] if parts else {})
                          if chain_runs([p["runs"][c] for p in parts if p["rows"]]))
        gathered = Gathered(leaks, counters)
        if need_global:
            gathered.qi_out, gathered.qi_orig = out_cols.frame(), orig_cols.frame()
            for c in cols:
                if c not in changed:
                    gathered.qi_orig[c] = gathered.qi_out[c]
            gathered.qi_orig = gathered.qi_orig[cols]
        if known_cols is not None:
            gathered.known = known_cols.frame()
        leaks.merge()
        return gathered

    def write(self, plan: Plan, solved: Solved, leaks: LeakIndex, counts: RunCounts, say: Say) -> None:
        client = self._client(say)
        self.staging.mkdir()
        leaks_f = client.scatter(leaks, broadcast=True)
        self._leaks_f = leaks_f
        futures = []
        for s, part_path, part in zip(self.ds.parts, self.part_paths,
                                      parts(solved, iter(self._part_rows)), strict=True):
            futures.append(client.submit(_task_write, s, self._plan_f, self.opts.key, part, part_path, self.meta,
                                         self.out_fmt, self.inputs, leaks_f,
                                         self.out_fmt == "csv" and not self.opts.keep_formulas, pure=False))
        self._written = _run_all(client, futures, say, "pass 2/3: transforming and writing")
        for w in self._written:
            counts.add_written(w["rows"], w["name_hits"], w["changes"], w["collisions"])

    def verify(self, plan: Plan, leaks: LeakIndex, counters: list[str], counts: RunCounts,
               say: Say, released: Released | None) -> pd.DataFrame | None:
        client = self._client(say)
        text_cols = [s.column for s in plan.steps if s.role == "free_text"]
        read_back = {"delimiter": self.meta.delimiter, "encoding": self.meta.encoding} if self.out_fmt == "csv" else {}
        checked = _run_all(client, [client.submit(_task_verify, p, self.out_fmt, read_back, self.opts.batch_rows,
                                                  self._leaks_f, text_cols, counters, released, pure=False)
                                    for p in self.part_paths], say, "pass 3/3: verifying the written parts")
        for rows, hits, kept in checked:  # partition order: the rows line up with the originals
            counts.add_found(rows, hits)
            if released is not None:
                for frame, marks in kept:
                    released.add_extracted(frame, marks)
        self._checked_rows = [r for r, _, _ in checked]
        sample = (_first_rows(self.part_paths, self.out_fmt, read_back, min(self.opts.batch_rows, SCAN_SAMPLE_ROWS))
                  if self.opts.rescan else None)
        self._input_sums = client.gather(self._digests)
        self.close()
        return sample

    def input_record(self, rows: int) -> dict[str, Any]:
        ds, path = self.ds, self.input_path
        record: dict[str, Any] = {
            "name": path.name,
            "sha256": self._input_sums[0] if ds.single_file else digest_lines(
                [(str(f.relative_to(path) if path.is_dir() else f.name), d)
                 for f, d in zip(ds.files, self._input_sums, strict=True)]),
            "rows": rows, "columns": len(self.columns), "format": ds.fmt}
        if not ds.single_file:
            record["files"] = len(ds.files)
        return record

    def output_record(self, final: Path, counts: RunCounts, columns: int) -> dict[str, Any]:
        items = [(Path(p).name, w["sha256"]) for p, w in zip(self.part_paths, self._written, strict=True)]
        return {"name": final.name, "sha256": digest_lines(items), "rows": counts.rows_out, "columns": columns,
                "format": self.out_fmt, "layout": "parts",
                "parts": [{"name": n, "rows": r, "sha256": d}
                          for (n, d), r in zip(items, self._checked_rows, strict=True)]}

    def discard(self) -> None:
        self.close()
        _remove_tree(self.staging)

    def close(self) -> None:
        if self._cl is not None:
            self._cl.close()
            self._cl = None


def sanitize_dask(input_path: str | Path, output_path: str | Path, opts: SanitizeOptions, *,
                  scheduler: str | None = None, workers: int = 2,
                  progress: Callable[[str], None] | None = None) -> SanitizeResult:
    """The pipeline on Dask; OUTPUT is a folder of ``part-NNNNN.<ext>`` files.

    ``scheduler``: address of an existing dask.distributed scheduler (``tcp://host:8786``);
    else a LocalCluster of ``workers`` processes is started and stopped. Partitions hold
    ``opts.batch_rows`` rows (default 50,000), the memory bound per task.
    """
    t0 = time.perf_counter()
    input_path, output = Path(input_path), Path(output_path)
    executor = DaskExecutor(input_path, output, opts, scheduler=scheduler, workers=workers)
    try:
        return run(executor, input_path, OutputPaths.of(output, opts.report), opts,
                   progress or (lambda _msg: None), started=t0)
    finally:
        executor.close()


def _first_rows(part_paths: list[str], fmt: str, read_back: dict[str, Any], n: int) -> pd.DataFrame | None:
    """The first ``n`` rows of the output, as the local engine's first read-back batch."""
    got: list[pd.DataFrame] = []
    have = 0
    for p in part_paths:
        for b in iter_batches(p, batch_rows=n, fmt=fmt, **read_back)[1]:
            got.append(b.iloc[: n - have])
            have += len(got[-1])
            if have >= n:
                break
        if have >= n:
            break
    return pd.concat(got, ignore_index=True) if got else None


def dataset_of(path: str | Path, *, batch_rows: int = 100_000, **read_opts: Any) -> Dataset:
    """The partitions the dask engine would use for ``path`` (for inspection and tests)."""
    return open_dataset(path, rows=batch_rows, read_opts=read_opts)
