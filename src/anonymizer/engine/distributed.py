"""``sanitize`` on a Dask cluster: the same plan, the same three passes, partitions instead of batches.

Why it gives the local engine's result: every column action is a pure, keyed, per-value
function (``engine.apply.apply_plan``), so a partition transforms exactly as the same rows
in a batch would; the one global step — the k-anonymity search over the transformed
quasi-identifiers — runs on the client over the gathered pass-A columns, with the very
code of the local engine (``privacy_step.solve``), and its solution (levels, hierarchies,
classes to suppress) is broadcast to the partitions, which apply it row-wise
(``privacy_step.apply_solution``). Verification (leak search over 64-bit hashes of the
original identifiers, re-scan of the first output rows) and the risk report are the
local engine's functions on the same inputs, so the figures are identical.

Passes, one task per partition (``engine.dask_parts``):

A. transformed quasi-identifier and sensitive columns + their originals -> client;
   ``solve`` on the client (ARX-style full-domain generalisation, Prasser et al. 2014);
B. every column transformed, solution applied, written as ``part-NNNNN.<ext>`` in a hidden
   staging folder beside the output; each task returns its leak hashes, change counts and
   the part's SHA-256;
C. each part re-read and searched for the original identifiers (hash index broadcast).

Publishing renames the staging folder onto the output folder; any failed partition
cancels the run and removes the staging folder, so nothing is published. The manifest
equals the local one except timings and, since the output is a folder of parts, the
output digest: ``output.sha256`` is the SHA-256 of the lines ``<part name>  <part
sha256>\\n`` (sha256sum format, parts in order) and ``output.parts`` lists each part's
name, rows and digest. A multi-file input is digested the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.detect.analyzer import drop_models
from anonymizer.engine.apply import apply_plan
from anonymizer.engine.dask_parts import Dataset, PartSpec, open_dataset, read_part
from anonymizer.engine.manifest import build_manifest, digest_lines, dumps, manifest_path_for, sha256_file
from anonymizer.engine.parallel import transform_batch
from anonymizer.engine.privacy_step import PrivacySolution, apply_solution
from anonymizer.engine.sanitize import (
    SCAN_SAMPLE_ROWS,
    SanitizeOptions,
    SanitizeResult,
    _final_frame,
    _qi_plan,
    global_step,
    key_columns,
    prepare,
    risk_step,
    run_record,
)
from anonymizer.engine.verify import (
    LeakIndex,
    chain_runs,
    counter_run,
    describe_hits,
    rescan_problems,
)
from anonymizer.errors import InputError, UsageError
from anonymizer.io import TableWriter, atomic_output, check_output_path, iter_batches, same_file
from anonymizer.policy.plan import Plan

PART_EXT = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}


# ----------------------------------------------------------------------------- worker tasks


def _task_global(spec: PartSpec, plan: Plan, sub: Plan | None, key: bytes | None, cols: list[str]) -> dict[str, Any]:
    """Pass A on one partition: hashes of the original identifiers and, when needed, the
    transformed and original quasi-identifier (+ sensitive) columns."""
    batch = read_part(spec)
    leaks = LeakIndex(plan)
    leaks.add(batch)
    out: dict[str, Any] = {"rows": len(batch), "hashes": leaks.column_hashes(), "entities": leaks.entities,
                           "runs": {s.column: counter_run(batch[s.column]) for s in plan.steps if s.action == "keep"}}
    if sub is not None:
        out["qi_out"], out["qi_orig"] = apply_plan(batch, sub, key=key), batch[cols]
    return out


def _task_write(spec: PartSpec, plan: Plan, key: bytes | None, sub: Plan | None, solution: PrivacySolution | None,
                qi_slice: pd.DataFrame | None, qi: list[str], part_path: str, like: Any, out_fmt: str | None,
                inputs: tuple[str, ...], leaks: LeakIndex) -> dict[str, Any]:
    """Pass B on one partition: transform, enforce, write the part; return the small per-part facts."""
    batch = read_part(spec)
    qi_part = None
    if solution is not None and sub is not None:
        qi_part = apply_solution(apply_plan(batch, sub, key=key), solution)[qi]
    elif qi_slice is not None:
        qi_part = qi_slice[qi]
    out, name_hits, changed, collided = transform_batch(batch, qi_part, plan, key, leaks)
    with TableWriter(part_path, like=like, fmt=out_fmt, force=True, inputs=inputs) as writer:
        writer.write(out)
    changes = {col: {k: int(v) for k, v in info.items() if k != "action"} for col, info in changed.items()}
    return {"rows": len(batch), "name_hits": name_hits, "changes": changes, "collisions": collided,
            "sha256": sha256_file(part_path)}


def _task_verify(part_path: str, fmt: str, read_back: dict[str, Any], batch_rows: int, leaks: LeakIndex,
                 text_cols: list[str], counters: list[str]) -> tuple[int, dict[tuple[str, str], int]]:
    """Pass C on one written part: rows read back and leak hits."""
    rows, hits = 0, {}
    for written in iter_batches(part_path, batch_rows=batch_rows, fmt=fmt, **read_back)[1]:
        rows += len(written)
        for k, v in leaks.search(written, text_cols, set(counters)).items():
            hits[k] = hits.get(k, 0) + v
    return rows, hits




# ----------------------------------------------------------------------------- client side


class _Cluster:
    """A Client on ``scheduler``, or on a LocalCluster of ``workers`` single-threaded processes."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("the dask engine needs the dask extra: pip install 'anonymizer[dask]'") from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError):
                raise UsageError(f"cannot reach the Dask scheduler at {scheduler}") from None
        else:
            if workers < 1:
                raise UsageError("--workers must be >= 1")
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
    for _ in range(20):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.25)


def _check_output_dir(out: Path, *, force: bool, inputs: list[Path]) -> None:
    for src in inputs:
        if same_file(out, src) or (out.exists() and out.is_dir() and Path(src).resolve().is_relative_to(out.resolve())):
            raise InputError(f"{out}: refusing to overwrite the input; choose another output path")
    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; pass --force to overwrite it")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; the dask engine writes a folder of parts")
    if not out.parent.exists():
        raise UsageError(f"{out.parent}: output folder does not exist")


def _publish(staging: Path, final: Path) -> None:
    """Rename the staging folder onto ``final`` (an existing one is moved aside first, then removed)."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        _remove_tree(old)


DEFAULT_PARTITION_ROWS = 50_000


def sanitize_dask(input_path: str | Path, output_path: str | Path, opts: SanitizeOptions, *,
                  scheduler: str | None = None, workers: int = 2,
                  progress: Callable[[str], None] | None = None) -> SanitizeResult:
    """Run the local engine's plan on Dask; OUTPUT is a folder of ``part-NNNNN.<ext>`` files.

    ``scheduler``: address of an existing dask.distributed scheduler (``tcp://host:8786``);
    else a LocalCluster of ``workers`` processes is started and stopped. Partitions hold
    ``opts.batch_rows`` rows, the memory bound per task.
    """
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    input_path, output = Path(input_path), Path(output_path)
    if opts.batch_rows is None:
        opts.batch_rows = DEFAULT_PARTITION_ROWS
    ds = open_dataset(input_path, rows=opts.batch_rows, read_opts=opts.read_opts)
    out_fmt = opts.out_format or (
        {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}.get(output.suffix.lower())
        or ds.fmt)
    if out_fmt not in PART_EXT:
        raise UsageError(f"the dask engine writes csv, parquet or jsonl parts, not {out_fmt}")
    not_released = output.with_name(output.stem + ".NOT-RELEASED" + output.suffix)
    manifest_path = manifest_path_for(output)
    risk_json, risk_html = output.with_suffix(".risk.json"), output.with_suffix(".risk.html")
    _check_output_dir(output, force=opts.force, inputs=ds.files)
    _check_output_dir(not_released, force=True, inputs=ds.files)
    for p in [manifest_path, *([risk_json, risk_html] if opts.report else [])]:
        check_output_path(p, force=opts.force, inputs=ds.files)

    columns = ds.columns
    sample_src = type("_Src", (), {"path": input_path if (ds.fmt == "parquet" or ds.single_file) else ds.files[0]})
    policy, profile_name, hierarchies, plan = prepare(sample_src, columns, opts, say)
    privacy = plan.privacy
    qi, sensitive = key_columns(plan)
    entities = {s.column: s.entity for s in plan.steps}
    timings: dict[str, float] = {}
    nparts = len(ds.parts)
    staging = output.with_name(f".{output.name}.staging-{os.getpid()}")
    inputs = tuple(str(f) for f in ds.files)

    say(f"starting Dask ({'scheduler ' + scheduler if scheduler else f'{workers} local worker(s)'}), "
        f"{nparts} partition(s)")
    cl = _Cluster(scheduler, workers)
    client = cl.client
    try:
        input_digests = client.map(sha256_file, list(inputs), pure=False)

        # Pass A: original identifiers (hashed) and the global quasi-identifier part, to the client.
        t1 = time.perf_counter()
        need_global = bool(qi) and (bool(privacy.k) or opts.hierarchies_dir is not None or opts.report)
        qi_out = qi_orig = None
        cols = [c for c in dict.fromkeys(qi + sensitive) if c in plan.output_columns]
        sub = _qi_plan(plan, cols)
        plan_f = client.scatter(plan, broadcast=True)
        label = "pass 1/3: original identifiers" + (" and quasi-identifiers" if need_global else "")
        parts = _run_all(client, [client.submit(_task_global, s, plan_f, sub if need_global else None, opts.key, cols,
                                                pure=False) for s in ds.parts], say, label)
        leaks = LeakIndex(plan)
        for p in parts:  # partition order: the bit order of the columns is the same as the local engine's
            for col, h in p["hashes"].items():
                leaks.add_hashes(col, p["entities"][col], h)
        part_rows = [p["rows"] for p in parts]
        counters = sorted(c for c in (parts[0]["runs"] if parts else {})
                          if chain_runs([p["runs"][c] for p in parts if p["rows"]]))
        if need_global:
            qi_out = pd.concat([p["qi_out"] for p in parts]) if parts else pd.DataFrame(columns=cols)
            qi_orig = pd.concat([p["qi_orig"] for p in parts]) if parts else pd.DataFrame(columns=cols)
            qi_out.index = qi_orig.index = pd.RangeIndex(len(qi_out))
        del parts
        timings["pass_global"] = time.perf_counter() - t1

        # The privacy search, on the client: the local engine's code on the same frame.
        t1 = time.perf_counter()
        solution, qi_final, privacy_report = global_step(qi_out, qi, sensitive, entities, privacy, hierarchies, opts, say)
        timings["privacy"] = time.perf_counter() - t1

        # Pass B: every partition transformed, enforced and written to the staging folder.
        t1 = time.perf_counter()
        staging.mkdir()
        try:
            ext = PART_EXT[out_fmt]
            part_paths = [str(staging / f"part-{s.index:05d}{ext}") for s in ds.parts]
            sol_f = client.scatter(solution, broadcast=True) if solution is not None else None
            leaks_f = client.scatter(leaks, broadcast=True)
            futures, offset = [], 0
            for s, part_path in zip(ds.parts, part_paths, strict=True):
                qi_slice = None
                if solution is None and opts.hierarchies_dir and qi_final is not None:
                    n = part_rows[s.index]
                    qi_slice = qi_final.iloc[offset: offset + n]
                    offset += n
                futures.append(client.submit(
                    _task_write, s, plan_f, opts.key, sub if solution is not None else None, sol_f, qi_slice, qi,
                    part_path, ds.meta, out_fmt, inputs, leaks_f, pure=False))
            written = _run_all(client, futures, say, "pass 2/3: transforming and writing")
            timings["pass_transform_write"] = time.perf_counter() - t1

            # Pass C: the staged parts re-read and searched for the original identifiers.
            t1 = time.perf_counter()
            name_hits: dict[tuple[str, str], int] = {}
            changes: dict[str, dict[str, int]] = {}
            collisions: dict[str, int] = {}
            for w in written:
                for col, v in w["collisions"].items():
                    collisions[col] = collisions.get(col, 0) + v
                for k, v in w["name_hits"].items():
                    name_hits[k] = name_hits.get(k, 0) + v
                for col, info in w["changes"].items():
                    agg = changes.setdefault(col, {})
                    for k2, v2 in info.items():
                        agg[k2] = agg.get(k2, 0) + v2
            rows_in = sum(w["rows"] for w in written)
            text_cols = [s.column for s in plan.steps if s.role == "free_text"]
            read_back = {"delimiter": ds.meta.delimiter, "encoding": ds.meta.encoding} if out_fmt == "csv" else {}
            problems: list[str] = []
            checked = _run_all(client, [client.submit(_task_verify, p, out_fmt, read_back, opts.batch_rows, leaks_f,
                                                      text_cols, counters, pure=False) for p in part_paths],
                               say, "pass 3/3: verifying the written parts")
            rows_out = sum(r for r, _ in checked)
            hits: dict[tuple[str, str], int] = {}
            for _, h in checked:
                for k, v in h.items():
                    hits[k] = hits.get(k, 0) + v
            problems += describe_hits(hits, entities)
            problems += describe_hits(name_hits, entities, rows=True)
            if opts.rescan:
                sample = _first_rows(part_paths, out_fmt, read_back, min(opts.batch_rows, SCAN_SAMPLE_ROWS))
                if sample is not None and len(sample):
                    problems += rescan_problems(sample, plan)
            timings["verify"] = time.perf_counter() - t1
            input_sums = client.gather(input_digests)
        except BaseException:
            _remove_tree(staging)
            raise
    finally:
        cl.close()

    released = not problems
    final = output if released else not_released
    _publish(staging, final)

    drop_models()  # the client's re-scan may have loaded spaCy; the risk report needs its memory
    after = _final_frame(qi, qi_out, qi_final)
    del qi_out, qi_final
    risk_summary, wrote_risk = risk_step(qi, after, qi_orig, sensitive, privacy, opts, risk_json, risk_html, say,
                                         timings)
    del after, qi_orig

    record = plan.actions_summary()
    for col, info in record.items():
        info.update(changes.get(col, {}))
        if collisions.get(col):
            info["suppressed_after_collisions"] = collisions[col]
    timings["total"] = time.perf_counter() - t0
    part_items = [(Path(p).name, w["sha256"]) for p, w in zip(part_paths, written, strict=True)]
    input_record: dict[str, Any] = {"name": input_path.name, "sha256": input_sums[0] if ds.single_file else
                                    digest_lines([(str(f.relative_to(input_path) if input_path.is_dir() else f.name), d)
                                                   for f, d in zip(ds.files, input_sums, strict=True)]),
                                    "rows": rows_in, "columns": len(columns), "format": ds.fmt}
    if not ds.single_file:
        input_record["files"] = len(ds.files)
    manifest = build_manifest(
        released=released,
        input=input_record,
        output={"name": final.name, "sha256": digest_lines(part_items), "rows": rows_out,
                "columns": len(plan.output_columns), "format": out_fmt, "layout": "parts",
                "parts": [{"name": n, "rows": r, "sha256": d}
                          for (n, d), r in zip(part_items, (r for r, _ in checked), strict=True)]},
        **run_record(plan, policy, profile_name, opts, record, privacy_report, problems, leaks.size,
                     risk_summary, timings, counters),
    )
    with atomic_output(manifest_path) as fh:
        fh.write(dumps(manifest))
    return SanitizeResult(final, manifest_path, released, manifest,
                          risk_json if wrote_risk else None, risk_html if wrote_risk else None, problems)


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
