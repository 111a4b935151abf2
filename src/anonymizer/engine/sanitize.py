"""One sanitize run, end to end: read, decide, transform, enforce, write, verify, report.

It streams: the table is read in batches (``batch_rows``) so memory stays bounded by a
batch plus what is truly global — the quasi-identifier columns (for the k-anonymity
search and the risk report) and 8-byte hashes of the original identifier values (for the
leak search). Every action is keyed per value, so batches give the same result as one
whole-table pass.

Passes: (A) quasi-identifier columns, transformed, for the privacy search and the report;
(B) every column transformed, generalised and suppressed as solved, written atomically to a
staging name beside the target; (C) the staged file re-read and verified. Only a verified
file is renamed to the requested path; one that fails is kept as ``<name>.NOT-RELEASED<ext>``,
its manifest says ``"released": false`` and the run exits non-zero.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.detect.analyzer import drop_models
from anonymizer.engine.apply import apply_plan
from anonymizer.engine.manifest import build_manifest, digest_input, dumps, manifest_path_for, sha256_file
from anonymizer.engine.parallel import Workers
from anonymizer.engine.privacy_step import apply_solution, solve
from anonymizer.engine.verify import (
    LeakIndex,
    chain_runs,
    counter_run,
    describe_hits,
    rescan_problems,
)
from anonymizer.errors import UsageError
from anonymizer.io import TableWriter, as_text, atomic_output, check_output_path, iter_batches
from anonymizer.memory import release, tune_allocator
from anonymizer.policy import build_plan, load_policy, load_profile, policy_digest, propose_policy
from anonymizer.policy.plan import Plan

SCAN_SAMPLE_ROWS = 20_000
# Memory per batch grows with rows x columns: a 50,000-row batch of the 181-column extract and
# its transformed copy took ~0.5 GB; 5 million cells (27,600 rows of it) keeps a 5-million-row
# run under 2 GiB with the spaCy model loaded (docs/scaling.md).
CELLS_PER_BATCH = 5_000_000
MIN_BATCH_ROWS, MAX_BATCH_ROWS = 1_000, 200_000


@dataclass
class SanitizeOptions:
    profile: str = "training"
    policy_path: Path | None = None
    key: bytes | None = None
    strict: bool | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # privacy target overrides from the CLI
    hierarchies_dir: Path | None = None
    sensitive: list[str] = field(default_factory=list)
    insensitive: list[str] = field(default_factory=list)
    out_format: str | None = None
    report: bool = True
    rescan: bool = True
    force: bool = False
    read_opts: dict[str, Any] = field(default_factory=dict)
    batch_rows: int | None = None  # None: about CELLS_PER_BATCH cells per batch (auto_batch_rows)
    workers: int = 1  # pass-2 processes of the local engine (engine/parallel.py)


@dataclass
class SanitizeResult:
    output: Path
    manifest_path: Path
    released: bool
    manifest: dict[str, Any]
    risk_json: Path | None = None
    risk_html: Path | None = None
    problems: list[str] = field(default_factory=list)


def output_paths(output: Path, report: bool) -> dict[str, Path]:
    paths = {"output": output, "manifest": manifest_path_for(output),
             "not_released": output.with_name(output.stem + ".NOT-RELEASED" + output.suffix)}
    if report:
        paths["risk_json"] = output.with_suffix(".risk.json")
        paths["risk_html"] = output.with_suffix(".risk.html")
    return paths


def _hierarchy_policy(columns: list[str], hier_cols: list[str], opts: SanitizeOptions) -> dict[str, Any]:
    """In ARX mode the hierarchies declare the quasi-identifiers; every other column needs a decision."""
    decided: dict[str, Any] = {}
    if opts.policy_path:
        decided = dict(load_policy(opts.policy_path).get("columns") or {})
    cols: dict[str, Any] = {}
    for c in columns:
        if c in hier_cols:
            cols[c] = {"role": "quasi_identifier", "entity": None, "action": "keep"}
        elif c in opts.sensitive:
            cols[c] = {"role": "sensitive", "entity": None, "action": "keep"}
        elif c in opts.insensitive:
            cols[c] = {"role": "insensitive", "entity": None, "action": "keep"}
        elif c in decided:
            cols[c] = decided[c]
    return {"version": 1, "profile": "hierarchies", "strict": True, "columns": cols,
            "privacy": {"quasi_identifiers": hier_cols, "sensitive": list(opts.sensitive)}}


def auto_batch_rows(columns: int) -> int:
    """Rows per batch for about ``CELLS_PER_BATCH`` cells, within [1,000, 200,000]."""
    return max(MIN_BATCH_ROWS, min(MAX_BATCH_ROWS, CELLS_PER_BATCH // max(columns, 1)))


class _Batches:
    """Re-iterable batches of the input (each pass re-reads the file: bounded memory)."""

    def __init__(self, path: Path, opts: SanitizeOptions) -> None:
        self.path, self.opts = path, opts
        if opts.batch_rows is None:  # the header decides: peek at a few rows
            _meta, probe = iter_batches(path, batch_rows=MIN_BATCH_ROWS, **opts.read_opts)
            opts.batch_rows = auto_batch_rows(len(next(probe).columns))
            del probe
        self.meta, it = iter_batches(path, batch_rows=opts.batch_rows, **opts.read_opts)
        head = next(it)  # at least one (possibly empty) batch: it carries the header
        self.columns = [str(c) for c in head.columns]
        self._first: Iterator[pd.DataFrame] | None = itertools.chain([head], it)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        if self._first is not None:
            it, self._first = self._first, None
            return it
        return iter_batches(self.path, batch_rows=self.opts.batch_rows, **self.opts.read_opts)[1]


def _decide(batches: _Batches, columns: list[str], opts: SanitizeOptions, say) -> tuple[dict[str, Any], str, dict]:
    """The policy (given, or proposed from a scan of the first rows) with CLI overrides applied."""
    hierarchies: dict = {}
    if opts.hierarchies_dir:
        from anonymizer.privacy import load_hierarchies

        hierarchies = {c: h for c, h in load_hierarchies(opts.hierarchies_dir).items() if c in columns}
        if not hierarchies:
            raise UsageError(f"{opts.hierarchies_dir}: no *_hierarchy_<column>.csv matches a column of the table")
        policy, profile_name = _hierarchy_policy(columns, list(hierarchies), opts), "hierarchies"
    elif opts.policy_path:
        policy = load_policy(opts.policy_path)
        profile_name = str(policy.get("profile") or opts.profile)
    else:
        profile = load_profile(opts.profile)  # validated before the scan: a bad profile fails at once
        say("scanning (no --policy: the profile's defaults apply to the detected roles)")
        from anonymizer.detect import scan_table
        from anonymizer.io import read_table

        sample = read_table(batches.path, nrows=SCAN_SAMPLE_ROWS, **opts.read_opts).df
        policy = propose_policy(scan_table(sample), profile)
        profile_name = str(policy.get("profile") or opts.profile)
    privacy = dict(policy.get("privacy") or {})
    privacy.update({k: v for k, v in opts.overrides.items() if v is not None})
    if opts.sensitive and not opts.hierarchies_dir:
        privacy["sensitive"] = list(opts.sensitive)
    return {**policy, "privacy": privacy}, profile_name, hierarchies


def prepare(source, columns: list[str], opts: SanitizeOptions, say) -> tuple[dict[str, Any], str, dict, Plan]:
    """Policy, profile name, hierarchies and the checked plan — the same for both engines."""
    policy, profile_name, hierarchies = _decide(source, columns, opts, say)
    plan = build_plan(columns, policy, strict=opts.strict)
    if plan.needs_key and not opts.key:
        raise UsageError("this policy needs a secret key: give --key-file FILE or set ANON_KEY")
    for note in plan.notes:
        say(f"note: {note}")
    return policy, profile_name, hierarchies, plan


def key_columns(plan: Plan) -> tuple[list[str], list[str]]:
    """The key quasi-identifiers, and the sensitive columns the report measures (at most
    ``anonymizer.settings.REPORT_SENSITIVE_MAX``, dropped columns excluded)."""
    return plan.key_columns()


class ColumnCollector:
    """Gathers columns batch by batch as codes into one dictionary per column.

    The gathered quasi-identifier and sensitive columns are what pass A keeps for the whole
    table. As text they take ~10 bytes a cell; as per-batch categoricals the categories were
    repeated in every batch (a high-cardinality column such as QF, 228,486 distinct values in
    5 million rows, kept 25,000 strings per batch: +5.5 MB a batch). Here each distinct value
    is stored once, and a cell costs its code: 1, 2 or 4 bytes.
    """

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._cats: dict[str, pd.Index] = {c: pd.Index([], dtype=object) for c in columns}
        self._codes: dict[str, list[np.ndarray]] = {c: [] for c in columns}

    def add(self, frame: pd.DataFrame) -> None:
        for c in self.columns:
            values = as_text(frame[c]).to_numpy(dtype=object)
            cats = self._cats[c]
            codes = cats.get_indexer(values)
            missing = codes < 0
            if missing.any():
                cats = cats.append(pd.Index(pd.unique(values[missing]), dtype=object))
                self._cats[c] = cats
                codes[missing] = cats.get_indexer(values[missing])
            self._codes[c].append(codes.astype(_code_dtype(len(cats))))

    def frame(self) -> pd.DataFrame:
        """The gathered columns as categoricals (missing -> ""), with a fresh index."""
        out = {}
        for c in self.columns:
            cats = self._cats[c]
            parts = self._codes[c]
            codes = np.concatenate([p.astype(_code_dtype(len(cats))) for p in parts]) if parts else np.zeros(0, np.int8)
            out[c] = pd.Categorical.from_codes(codes, categories=cats)
        return pd.DataFrame(out)


def _rate(label: str, rows: int, since: float) -> str:
    """A progress line for a long pass: rows done and the pass's rows per second."""
    elapsed = time.perf_counter() - since
    return f"{label}: {rows:,} rows" + (f" ({rows / elapsed:,.0f} rows/s)" if elapsed > 0 else "")


def _code_dtype(n: int) -> type:
    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


def compact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One frame as :class:`ColumnCollector` stores it (categorical text columns)."""
    collector = ColumnCollector([str(c) for c in frame.columns])
    collector.add(frame)
    return collector.frame().set_axis(frame.index)


def _qi_plan(plan: Plan, columns: list[str]) -> Plan:
    """The sub-plan computing only the key quasi-identifiers and the sensitive columns (pass A)."""
    wanted = set(columns)
    steps = [s for s in plan.steps if s.column in wanted]
    return Plan(steps, plan.person_id, plan.privacy, plan.profile, plan.strict)


def sanitize(input_path: str | Path, output_path: str | Path, opts: SanitizeOptions,
             progress: Callable[[str], None] | None = None) -> SanitizeResult:
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    tune_allocator()
    input_path, output = Path(input_path), Path(output_path)
    paths = output_paths(output, opts.report)
    for p in paths.values():
        check_output_path(p, force=opts.force or p == paths["not_released"], inputs=[input_path])
    batches = _Batches(input_path, opts)
    columns = batches.columns
    policy, profile_name, hierarchies, plan = prepare(batches, columns, opts, say)
    privacy = plan.privacy
    qi, sensitive = key_columns(plan)
    entities = {s.column: s.entity for s in plan.steps}
    timings: dict[str, float] = {}

    # Pass A: the global part — original identifier values (hashed, for collision avoidance
    # and the leak search) and the transformed quasi-identifiers (+ sensitive) with their originals.
    t1 = time.perf_counter()
    need_global = bool(qi) and (bool(privacy.k) or opts.hierarchies_dir is not None or opts.report)
    qi_out = qi_orig = None
    leaks = LeakIndex(plan)
    cols = [c for c in dict.fromkeys(qi + sensitive) if c in plan.output_columns]
    sub = _qi_plan(plan, cols)
    kept = [s.column for s in plan.steps if s.action == "keep"]
    changed = [c for c in cols if c not in kept]
    out_cols, orig_cols = ColumnCollector(cols), ColumnCollector(changed)
    runs: dict[str, list] = {c: [] for c in kept}
    label = "pass 1/3: original identifiers" + (" and quasi-identifiers" if need_global else "")
    say(label)
    rows_seen = 0
    for batch in batches:
        leaks.add(batch)
        for c in kept:
            runs[c].append(counter_run(batch[c]))
        if need_global:
            out_cols.add(apply_plan(batch, sub, key=opts.key))
            orig_cols.add(batch[changed])
        rows_seen += len(batch)
        say(_rate(label, rows_seen, t1))
    if need_global:
        qi_out, qi_orig = out_cols.frame(), orig_cols.frame()
        for c in cols:  # a kept column's original is its output: stored once
            if c not in changed:
                qi_orig[c] = qi_out[c]
        qi_orig = qi_orig[cols]
    del out_cols, orig_cols
    counters = sorted(c for c, r in runs.items() if chain_runs(r))
    leaks.merge()  # now, while no batch and no NER model is in memory
    release()
    timings["pass_global"] = time.perf_counter() - t1

    t1 = time.perf_counter()
    solution, qi_final, privacy_report = global_step(qi_out, qi, sensitive, entities, privacy, hierarchies, opts, say)
    timings["privacy"] = time.perf_counter() - t1
    release()

    # Passes B and C run here or over --workers processes (engine/parallel.py).
    if opts.workers > 1 and any(s.action == "redact" for s in plan.steps):
        say(f"starting {opts.workers} worker processes (each loads its own spaCy model)")
    with Workers(opts.workers, plan, opts.key, leaks) as workers:
        # Pass B: everything, batch by batch, written atomically to the staging name.
        t1 = time.perf_counter()
        say("pass 2/3: transforming and writing")
        staging = output.with_name("." + output.stem + ".staging" + output.suffix)
        name_hits: dict[tuple[str, str], int] = {}
        collisions: dict[str, int] = {}
        changes: dict[str, dict[str, int]] = {}
        rows_in = 0
        replace_qi = qi_final is not None and (solution is not None or opts.hierarchies_dir)

        def items() -> Iterator[tuple[pd.DataFrame, pd.DataFrame | None]]:
            start = 0
            for batch in batches:
                part = qi_final.iloc[start: start + len(batch)][qi] if replace_qi else None
                start += len(batch)
                yield batch, part

        with TableWriter(staging, like=batches.meta, fmt=opts.out_format, force=True, inputs=(input_path,)) as writer:
            for out, hits_, changed_, collided in workers.map("transform", items()):
                writer.write(out)
                for key_, v in hits_.items():
                    name_hits[key_] = name_hits.get(key_, 0) + v
                for col, info in changed_.items():
                    agg = changes.setdefault(col, {})
                    for k2, v2 in info.items():
                        if k2 != "action":
                            agg[k2] = agg.get(k2, 0) + int(v2)
                for col, v in collided.items():
                    collisions[col] = collisions.get(col, 0) + v
                rows_in += len(out)
                del out
                release()
                say(_rate("pass 2/3: transforming and writing", rows_in, t1))
        timings["pass_transform_write"] = time.perf_counter() - t1

        # Pass C: re-read what was written and verify it.
        t1 = time.perf_counter()
        say("pass 3/3: verifying the written file (leak search, re-scan)")
        text_cols = [s.column for s in plan.steps if s.role == "free_text"]
        problems: list[str] = []
        rows_out = 0
        try:
            hits: dict[tuple[str, str], int] = {}
            rescan_sample = None
            read_back = {"delimiter": batches.meta.delimiter, "encoding": batches.meta.encoding} if (
                (opts.out_format or batches.meta.format) == "csv") else {}

            def written_batches() -> Iterator[tuple[pd.DataFrame, list[str], set[str]]]:
                nonlocal rescan_sample
                for written in iter_batches(staging, batch_rows=opts.batch_rows,
                                            fmt=opts.out_format or batches.meta.format, **read_back)[1]:
                    if rescan_sample is None:
                        rescan_sample = written.head(SCAN_SAMPLE_ROWS)
                    yield written, text_cols, set(counters)

            for n, found in workers.map("search", written_batches()):
                rows_out += n
                say(_rate("pass 3/3: verifying the written file", rows_out, t1))
                for key_, v in found.items():
                    hits[key_] = hits.get(key_, 0) + v
            problems += describe_hits(hits, entities)
            problems += describe_hits(name_hits, entities, rows=True)
            if opts.rescan and rescan_sample is not None and len(rescan_sample):
                problems += rescan_problems(rescan_sample, plan)
        except BaseException:
            staging.unlink(missing_ok=True)
            raise
        timings["verify"] = time.perf_counter() - t1
    released = not problems
    final = paths["output"] if released else paths["not_released"]
    os.replace(staging, final)
    values_searched = leaks.size
    # the risk report needs neither the hash index, a batch, nor the NER model: it is the
    # run's last big step, so it gets their memory (a 5M run peaked there at 2.4 GiB)
    del leaks, rescan_sample, workers
    drop_models()
    after = _final_frame(qi, qi_out, qi_final)
    qi_out = qi_final = None  # (not del: the pass-2 generator closes over qi_final)
    release()

    risk_summary, wrote_risk = risk_step(qi, after, qi_orig, sensitive, privacy, opts,
                                         paths.get("risk_json"), paths.get("risk_html"), say, timings)
    del after, qi_orig

    record = plan.actions_summary()
    for col, info in record.items():
        info.update(changes.get(col, {}))
        if collisions.get(col):
            info["suppressed_after_collisions"] = collisions[col]
    timings["total"] = time.perf_counter() - t0
    manifest = build_manifest(
        released=released,
        input={"name": input_path.name, "sha256": digest_input(input_path), "rows": rows_in,
               "columns": len(columns), "format": batches.meta.format},
        output={"name": final.name, "sha256": sha256_file(final), "rows": rows_out,
                "columns": len(plan.output_columns), "format": opts.out_format or batches.meta.format},
        **run_record(plan, policy, profile_name, opts, record, privacy_report, problems, values_searched,
                     risk_summary, timings, counters),
    )
    with atomic_output(paths["manifest"]) as fh:
        fh.write(dumps(manifest))
    return SanitizeResult(final, paths["manifest"], released, manifest,
                          paths.get("risk_json") if wrote_risk else None,
                          paths.get("risk_html") if wrote_risk else None, problems)


def run_record(plan: Plan, policy: dict[str, Any], profile_name: str, opts: SanitizeOptions,
               columns: dict[str, Any], privacy_report: dict[str, Any] | None, problems: list[str],
               values_searched: int, risk_summary: dict[str, Any] | None, timings: dict[str, float],
               counters: list[str] | None = None) -> dict[str, Any]:
    """The manifest fields both engines record alike: decisions, targets, verification, risk."""
    from anonymizer.transform.pseudonymize import key_fingerprint

    privacy = plan.privacy
    qi, sensitive = key_columns(plan)
    return {
        "profile": profile_name,
        "strict": plan.strict,
        "policy_sha256": policy_digest(policy),
        "key_fingerprint": key_fingerprint(opts.key) if opts.key else None,
        "person_id": plan.person_id,
        "columns": columns,
        "privacy": {"targets": privacy.record(),
                    "quasi_identifiers": qi,
                    "sensitive": sensitive,
                    "reached": privacy_report},
        "verification": {"passed": not problems, "problems": problems, "row_counters": list(counters or []),
                         "original_values_searched": values_searched, "rescanned": bool(opts.rescan)},
        "risk": risk_summary,
        "notes": plan.notes,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }


def global_step(qi_out, qi, sensitive, entities, privacy, hierarchies, opts, say):
    """Between passes A and B, for both engines: the search over the gathered quasi-identifiers.

    Returns the privacy solution (None in ARX mode or without k), the final key
    quasi-identifier columns of every row, and the report of what was reached."""
    solution = None
    privacy_report = None
    if opts.hierarchies_dir and qi_out is not None:
        from anonymizer.privacy import anonymize_with_hierarchies

        say("searching the optimal generalisation (hierarchies)")
        sens = [c for c in opts.sensitive if c in qi_out.columns]
        kw = privacy.search_options()
        anon_qi, privacy_report = anonymize_with_hierarchies(
            qi_out[qi + sens], hierarchies={c: hierarchies[c] for c in qi}, sensitive=(sens[0] if sens else None), **kw
        )
        qi_final = anon_qi[qi]
    elif privacy.k and qi_out is not None:
        say(f"enforcing k={privacy.k} on {', '.join(qi)}")
        wants_sensitive = privacy.l or privacy.t is not None
        sens_frame = qi_out[sensitive[:1]] if wants_sensitive and sensitive else None
        solution = solve(qi_out, entities, privacy.model_copy(update={"quasi_identifiers": qi}), sens_frame)
        qi_final = apply_solution(qi_out, solution)[qi] if solution else qi_out[qi]
        privacy_report = solution.report if solution else None
    else:
        qi_final = qi_out[qi] if qi_out is not None else None
    return solution, qi_final, privacy_report


def _final_frame(qi, qi_out, qi_final) -> pd.DataFrame | None:
    """The released quasi-identifier (+ sensitive) columns: ``qi_final``'s quasi-identifiers
    beside ``qi_out``'s other columns, sharing their arrays (no copy)."""
    if qi_out is None or qi_final is None:
        return None
    cols = {c: (qi_final[c].array if c in qi else qi_out[c].array) for c in qi_out.columns}
    return pd.DataFrame(cols, index=qi_out.index, copy=False)


def risk_step(qi, after, qi_orig, sensitive, privacy, opts, risk_json, risk_html, say, timings):
    """The risk report (input vs output) on the gathered frames, written as JSON and HTML."""
    if not (opts.report and qi and after is not None):
        return None, False
    t1 = time.perf_counter()
    say("measuring re-identification risk (input vs output)")
    from anonymizer.report import render_html
    from anonymizer.risk import risk_report

    report = risk_report(
        after, qi, [c for c in sensitive if c in after.columns],
        **privacy.risk_measures(), original=qi_orig,
    )
    with atomic_output(risk_json) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    with atomic_output(risk_html) as fh:
        fh.write(render_html(report))
    timings["risk"] = time.perf_counter() - t1
    return (report.get("summary") if isinstance(report, dict) else None), True
