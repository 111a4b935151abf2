"""One sanitize run, written once for every executor.

The sequence is fixed here; *where* the rows are read, transformed and written is the
executor's business (:class:`Executor`): batches in this process or over worker processes
(``engine.local``), or partitions on a Dask cluster (``engine.distributed``). Each step
hands the next a plain value, so every step can be tested alone:

1. **decide** — the policy (given, proposed from a scan of the first rows, or made from ARX
   hierarchies) and the checked plan (``policy.build_plan``: fail closed);
2. **gather** (pass 1) — over every row: hashes of the original identifier values (the leak
   index), row counters, and the transformed key quasi-identifier (+ reported sensitive)
   columns with their originals, as dictionary codes;
3. **solve** — whole-record privacy over every column the attacker knows
   (``privacy.recoding``: k over all of them, record by record), or the ARX-style search over
   the key quasi-identifiers (``engine.privacy_step``, and ``--hierarchies``);
4. **write** (pass 2) — every row transformed, the released quasi-identifiers put in *before*
   the actions that derive from them (a fake NIR's birth month comes from the released birth
   date), written to a staging name beside the target;
5. **verify** (pass 3) — the staged output read back: every original identifier value
   searched for, the first rows scanned again;
6. **attack** — the release gate: the written rows attacked by linkage with each person's
   original attacker-known values (``attack.release``); too high a success fails the release;
7. **report** — the risk report (input vs output) on the gathered columns, staged;
8. **manifest** — what was done, staged;
9. **publish** — the staged files renamed, the output last: a verified output to the
   requested name, a failed one to ``<name>.NOT-RELEASED<ext>`` with ``"released": false``.

Nothing is renamed before everything is staged, so a run that fails or is killed before the
end publishes nothing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from anonymizer.detect.analyzer import drop_models
from anonymizer.engine.manifest import build_manifest, dumps, manifest_path_for, risk_paths_for
from anonymizer.engine.privacy_step import apply_solution, solve
from anonymizer.engine.publish import failpoint, locked, publish, staging_name
from anonymizer.engine.verify import LeakIndex, describe_hits, rescan_problems
from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.io import TableMeta, atomic_output
from anonymizer.memory import release, tune_allocator
from anonymizer.policy import build_plan, load_policy, load_profile, policy_digest, propose_policy
from anonymizer.policy.plan import Plan
from anonymizer.settings.files import NO_PRIVACY
from anonymizer.transform import clear_caches

Say = Callable[[str], None]

SCAN_SAMPLE_ROWS = 20_000


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
    batch_rows: int | None = None  # None: the executor's default (local: about 5 million cells per batch)
    workers: int = 1  # processes of the local executor (engine/parallel.py)
    keep_formulas: bool = False  # CSV output: keep cells a spreadsheet would run (values.formulas), else disarm them


@dataclass
class SanitizeResult:
    output: Path
    manifest_path: Path
    released: bool
    manifest: dict[str, Any]
    risk_json: Path | None = None
    risk_html: Path | None = None
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OutputPaths:
    """Every path a run may publish, derived from the requested output."""

    output: Path
    manifest: Path
    not_released: Path
    risk_json: Path | None = None
    risk_html: Path | None = None

    @classmethod
    def of(cls, output: Path, report: bool) -> OutputPaths:
        risk_json, risk_html = risk_paths_for(output)
        return cls(output, manifest_path_for(output), output.with_name(output.stem + ".NOT-RELEASED" + output.suffix),
                   risk_json if report else None, risk_html if report else None)

    def final(self, released: bool) -> Path:
        return self.output if released else self.not_released

    def reports(self) -> list[Path]:
        return [p for p in (self.risk_json, self.risk_html) if p is not None]


@dataclass
class Gathered:
    """What pass 1 keeps of the whole table."""

    leaks: LeakIndex
    counters: list[str] = field(default_factory=list)  # row-counter columns (engine.verify.counter_run)
    qi_out: pd.DataFrame | None = None   # transformed key quasi-identifiers + reported sensitive columns
    qi_orig: pd.DataFrame | None = None  # the same columns, original
    known: pd.DataFrame | None = None    # original attacker-known columns + the quasi-identifiers identifiers embed


@dataclass
class Solved:
    """What the privacy step decided, for pass 2: the key quasi-identifiers of every row (ARX
    mode and the key-variable search) or each row's level per group (whole-record privacy)."""

    qi: list[str]
    qi_final: pd.DataFrame | None = None  # every row's final key quasi-identifiers (the risk report's)
    records: Any = None  # privacy.recoding.RecordSolution
    report: dict[str, Any] | None = None
    replace: bool = False  # pass 2 puts qi_final in (a search ran); else the columns' own actions stand

    def part(self, start: int, stop: int) -> tuple | None:
        qi_final = self.qi_final if self.replace else None
        if qi_final is None and self.records is None:
            return None
        return (None if qi_final is None else qi_final.iloc[start:stop][self.qi],
                None if self.records is None else self.records.slice(start, stop))


class Released:
    """What pass 3 keeps of the written rows for the attack: the attacker-known columns and the
    quasi-identifiers written inside identifiers (as codes), and the dates in the free text."""

    def __init__(self, plan: Plan, columns: list[str]) -> None:
        from anonymizer.engine.gather import ColumnCollector

        self.plan, self.columns = plan, columns
        self.text_columns = [s.column for s in plan.steps if s.role == "free_text" and s.action != "drop"]
        self._cols = ColumnCollector(columns + embedded_columns(plan))
        self._rows: list[np.ndarray] = []
        self._codes: list[np.ndarray] = []
        self._seen = 0

    def extract(self, written: pd.DataFrame) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]:
        """What the attack keeps of a written batch (run where the batch is: a Dask task too)."""
        from anonymizer.attack.release import day_months, embedded

        return (pd.concat([written[self.columns], embedded(written, self.plan)], axis=1),
                day_months(written, self.text_columns))

    def add(self, written: pd.DataFrame) -> None:
        self.add_extracted(*self.extract(written))

    def add_extracted(self, frame: pd.DataFrame, marks: tuple[np.ndarray, np.ndarray]) -> None:
        """Add the next rows, in file order."""
        self._cols.add(frame)
        self._rows.append(marks[0] + self._seen)
        self._codes.append(marks[1])
        self._seen += len(frame)

    def frame(self) -> pd.DataFrame:
        return self._cols.frame()

    def marks(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(self._rows), np.concatenate(self._codes)


def embedded_columns(plan: Plan) -> list[str]:
    """Names of the quasi-identifier parts written inside the plan's identifiers (NIR parts)."""
    from anonymizer.attack.release import NIR_PARTS

    return [f"{s.column} → {p}" for s in plan.steps if s.entity == "NIR" and s.action != "drop" for p in NIR_PARTS]


def whole_record(plan: Plan, opts: SanitizeOptions) -> bool:
    """Whole-record privacy applies: k is asked, the attacker knows some released column, and
    the run is not ARX's (``--hierarchies`` declares its own quasi-identifiers)."""
    p = plan.privacy
    if p.t is not None or (p.l is not None and p.l_variant != "distinct"):
        return False  # entropy / recursive ℓ and t-closeness: the search over the key variables
    return bool(p.k) and opts.hierarchies_dir is None and bool(plan.recoded())


@dataclass
class RunCounts:
    """Counts merged over batches or partitions (the manifest's figures; no value)."""

    rows_in: int = 0
    rows_out: int = 0
    name_hits: dict[tuple[str, str], int] = field(default_factory=dict)  # row-name leaks seen in pass 2
    hits: dict[tuple[str, str], int] = field(default_factory=dict)       # leak-search hits of pass 3
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    collisions: dict[str, int] = field(default_factory=dict)

    def add_written(self, rows: int, name_hits: dict, changes: dict, collisions: dict) -> None:
        self.rows_in += rows
        _add(self.name_hits, name_hits)
        _add(self.collisions, collisions)
        for col, info in changes.items():
            agg = self.changes.setdefault(col, {})
            for k, v in info.items():
                if k != "action":
                    agg[k] = agg.get(k, 0) + int(v)

    def add_found(self, rows: int, hits: dict) -> None:
        self.rows_out += rows
        _add(self.hits, hits)

    def problems(self, entities: dict[str, str | None]) -> list[str]:
        return describe_hits(self.hits, entities) + describe_hits(self.name_hits, entities, rows=True)


def _add(into: dict, more: dict) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + v


class Executor(Protocol):
    """Where a run's rows are read, transformed, written and published."""

    columns: list[str]
    meta: TableMeta
    staging: Path  # the output as written, under engine.publish.staging_name (published by the pipeline)

    def check_outputs(self, paths: OutputPaths, force: bool) -> None: ...
    def scan_path(self) -> Path: ...
    def gather(self, plan: Plan, sub: Plan, cols: list[str], changed: list[str], need_global: bool,
               say: Say, known: list[str]) -> Gathered: ...
    def write(self, plan: Plan, solved: Solved, leaks: LeakIndex, counts: RunCounts, say: Say) -> None: ...
    def verify(self, plan: Plan, leaks: LeakIndex, counters: list[str], counts: RunCounts,
               say: Say, released: Released | None) -> pd.DataFrame | None: ...
    def input_record(self, rows: int) -> dict[str, Any]: ...
    def output_record(self, final: Path, counts: RunCounts, columns: int) -> dict[str, Any]: ...
    def discard(self) -> None: ...
    def close(self) -> None: ...


# ----------------------------------------------------------------------------- decide


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


#: privacy targets only the hierarchies search (``anon sanitize --hierarchies``) enforces
HIERARCHIES_ONLY = ("k_map", "delta_presence", "max_average_risk", "max_sample_uniques", "max_population_uniques")


def _decide(scan_path: Path, columns: list[str], opts: SanitizeOptions, say: Say) -> tuple[dict[str, Any], str, dict]:
    """The policy (given, or proposed from a scan of the first rows) with CLI overrides applied."""
    hierarchies: dict = {}
    if opts.hierarchies_dir:
        from anonymizer.privacy import load_hierarchies

        hierarchies = {c: h for c, h in load_hierarchies(opts.hierarchies_dir).items() if c in columns}
        # ARX folders hold the sensitive column's hierarchy too: it is not a quasi-identifier (it stays
        # in ``hierarchies`` for the models that use it, e.g. hierarchical t-closeness)
        qi_cols = [c for c in hierarchies if c not in opts.sensitive]
        if not qi_cols:
            raise UsageError(_('{hierarchies_dir}: no *_hierarchy_<column>.csv matches a quasi-identifier column of the table').format(hierarchies_dir=opts.hierarchies_dir))
        policy, profile_name = _hierarchy_policy(columns, qi_cols, opts), "hierarchies"
    elif opts.policy_path:
        policy = load_policy(opts.policy_path)
        profile_name = str(policy.get("profile") or opts.profile)
    else:
        profile = load_profile(opts.profile)  # validated before the scan: a bad profile fails at once
        say("scanning (no --policy: the profile's defaults apply to the detected roles)")
        from anonymizer.detect import scan_table
        from anonymizer.io import read_table

        sample = read_table(scan_path, nrows=SCAN_SAMPLE_ROWS, **opts.read_opts).df
        policy = propose_policy(scan_table(sample), profile)
        profile_name = str(policy.get("profile") or opts.profile)
    if policy.get("privacy") == NO_PRIVACY:  # checked against the profile by build_plan
        given = [k for k, v in opts.overrides.items() if v is not None] + (["sensitive"] if opts.sensitive else [])
        if given:
            raise UsageError(_('the policy says privacy: none, which --{value} contradicts').format(value=given[0].replace('_', '-')))
        return policy, profile_name, hierarchies
    privacy = dict(policy.get("privacy") or {})
    privacy.update({k: v for k, v in opts.overrides.items() if v is not None})
    if not opts.hierarchies_dir and any(privacy.get(name) is not None for name in HIERARCHIES_ONLY):
        # fail closed: without --hierarchies nothing would enforce them (the k search knows k, l, t, beta only)
        raise UsageError(_("k-map, delta-presence and the risk thresholds are enforced by the hierarchies search "
                           "only: anon sanitize --hierarchies DIR"))
    if opts.sensitive and not opts.hierarchies_dir:
        privacy["sensitive"] = list(opts.sensitive)
    return {**policy, "privacy": privacy}, profile_name, hierarchies


def prepare(scan_path: Path, columns: list[str], opts: SanitizeOptions, say: Say
            ) -> tuple[dict[str, Any], str, dict, Plan]:
    """Policy, profile name, hierarchies and the checked plan."""
    policy, profile_name, hierarchies = _decide(scan_path, columns, opts, say)
    plan = build_plan(columns, policy, strict=opts.strict)
    if plan.needs_key and not opts.key:
        raise UsageError(_("this policy needs a secret key: give --key-file FILE or set ANON_KEY"))
    for note in plan.notes:
        say(f"note: {note}")
    return policy, profile_name, hierarchies, plan


def key_columns(plan: Plan) -> tuple[list[str], list[str]]:
    """The key quasi-identifiers, and the sensitive columns the report measures (at most
    ``anonymizer.settings.REPORT_SENSITIVE_MAX``, dropped columns excluded)."""
    return plan.key_columns()


def gathered_plan(plan: Plan, columns: list[str]) -> Plan:
    """The sub-plan computing only ``columns`` (pass 1's key quasi-identifiers and sensitive columns)."""
    wanted = set(columns)
    return Plan([s for s in plan.steps if s.column in wanted], plan.person_id, plan.privacy, plan.profile, plan.strict)


# ----------------------------------------------------------------------------- solve


def global_step(qi_out, qi, sensitive, entities, privacy, hierarchies, opts, say):
    """Between passes 1 and 2: the search over the gathered quasi-identifiers.

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
            qi_out[qi + [c for c in sens if c not in qi]],
            hierarchies={c: hierarchies[c] for c in [*qi, *sens] if c in hierarchies},
            sensitive=(sens[0] if sens else None), **kw
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


def whole_record_step(plan: Plan, known: pd.DataFrame, key: bytes | None, say: Say,
                      sensitive: pd.Series | None = None) -> Solved:
    """k over every attacker-known column, record by record (``privacy.recoding``): the named
    families recoded to k, the other quasi-identifiers swapped within the classes they make."""
    from anonymizer.privacy.recoding import build_groups, solve_and_swap, split_groups

    steps = plan.recoded()
    groups = build_groups([{"column": s.column, "entity": s.entity, "family": s.family, "subject": s.subject,
                            "action": s.action, "params": s.params} for s in steps])
    primary, secondary = split_groups(groups)
    if secondary and key is None:
        raise UsageError(_("whole-record privacy swaps values with the secret key: give --key-file or ANON_KEY"))
    k = int(plan.privacy.k or 0)
    say(f"whole-record privacy: k={k} over {sum(len(g.columns) for g in primary)} attacker-known columns in "
        f"{len(primary)} groups, {sum(len(g.columns) for g in secondary)} more swapped within their classes, "
        f"{len(plan.attacker_known()) - len(steps)} more attacked as transformed")
    # swapping tells the attacker which record is *not* the person: classes of k + 1 leave k
    l_div = int(plan.privacy.l or 1)
    codes = None
    if l_div > 1 and sensitive is not None:  # distinct ℓ over the released sensitive values
        codes, _uniques = pd.factorize(sensitive.astype(object).where(sensitive.notna(), ""), use_na_sentinel=False)
    # the primary columns coded once for the search and the swap (privacy.recoding.solve_and_swap)
    records = solve_and_swap(known, primary, secondary, key, k=k + bool(secondary),
                             max_suppression=plan.privacy.max_suppression, say=say, sensitive=codes,
                             l_div=l_div if codes is not None else 1)
    if secondary:
        records.report["k"] = k
    report = {"method": "whole-record local recoding", **records.report}
    return Solved(list(plan.privacy.quasi_identifiers), None, records, report)


def final_frame(qi, qi_out, qi_final) -> pd.DataFrame | None:
    """The released quasi-identifier (+ sensitive) columns: ``qi_final``'s quasi-identifiers
    beside ``qi_out``'s other columns, sharing their arrays (no copy)."""
    if qi_out is None or qi_final is None:
        return None
    cols = {c: (qi_final[c].array if c in qi else qi_out[c].array) for c in qi_out.columns}
    return pd.DataFrame(cols, index=qi_out.index, copy=False)


def parts(solved: Solved, lengths: Iterator[int]) -> Iterator[tuple | None]:
    """What the privacy step released for consecutive batches of the given lengths."""
    start = 0
    for n in lengths:
        yield solved.part(start, start + n)
        start += n


# ----------------------------------------------------------------------------- report and manifest


def risk_step(qi, after, qi_orig, sensitive, privacy, opts, risk_json, risk_html, say, timings,
              gate: Any = None, coverage: dict[str, Any] | None = None, release=None):
    """The risk report (input vs output) on the gathered frames, with the release gate's attack
    and coverage when whole-record privacy ran, and its verdict on the run's ``release`` facts,
    written as JSON and HTML."""
    if not (opts.report and qi and after is not None):
        return None, False
    t1 = time.perf_counter()
    say("measuring re-identification risk (input vs output)")
    from anonymizer.report import render_html
    from anonymizer.report.verdict import add_verdict
    from anonymizer.risk import risk_report

    report = risk_report(
        after, qi, [c for c in sensitive if c in after.columns],
        **privacy.risk_measures(), original=qi_orig,
    )
    if gate is not None:
        from anonymizer.risk.assess import with_attack

        report = with_attack(report, gate.to_dict(), coverage or {})
    add_verdict(report, release)
    with atomic_output(risk_json) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    with atomic_output(risk_html) as fh:
        fh.write(render_html(report))
    timings["risk"] = time.perf_counter() - t1
    return (report.get("summary") if isinstance(report, dict) else None), True


def run_record(plan: Plan, policy: dict[str, Any], profile_name: str, opts: SanitizeOptions,
               columns: dict[str, Any], privacy_report: dict[str, Any] | None, problems: list[str],
               values_searched: int, risk_summary: dict[str, Any] | None, timings: dict[str, float],
               counters: list[str] | None = None, gate: Any = None) -> dict[str, Any]:
    """The manifest fields that say what was decided, reached, attacked and verified."""
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
                    "attacker_knows": [s.column for s in plan.attacker_known()],
                    "left_out": plan.left_out(),
                    "reached": privacy_report,
                    "attack": gate.to_dict() if gate is not None else None},
        "verification": {"passed": not problems, "problems": problems, "row_counters": list(counters or []),
                         "original_values_searched": values_searched, "rescanned": bool(opts.rescan)},
        "risk": risk_summary,
        "notes": plan.notes,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }


def column_record(plan: Plan, counts: RunCounts) -> dict[str, Any]:
    """Per column: the decision and the counts of what pass 2 changed."""
    record = plan.actions_summary()
    for col, info in record.items():
        info.update(counts.changes.get(col, {}))
        if counts.collisions.get(col):
            info["suppressed_after_collisions"] = counts.collisions[col]
    return record


# ----------------------------------------------------------------------------- the run


def run(executor: Executor, input_path: Path, paths: OutputPaths, opts: SanitizeOptions,
        say: Say, *, started: float | None = None) -> SanitizeResult:
    """The whole sequence on ``executor`` (which the caller closes), holding the output's lock
    (engine.publish: a second run on the same output refuses; a dead run's leftovers are
    finished or removed first)."""
    with locked(paths.output) as recovered:
        if recovered:
            say(f"finished or removed {len(recovered)} file(s) a killed run had left")
        return _run(executor, input_path, paths, opts, say, started=started)


def _run(executor: Executor, input_path: Path, paths: OutputPaths, opts: SanitizeOptions,
         say: Say, *, started: float | None = None) -> SanitizeResult:
    t0 = started if started is not None else time.perf_counter()
    tune_allocator()
    executor.check_outputs(paths, opts.force)
    columns = executor.columns
    policy, profile_name, hierarchies, plan = prepare(executor.scan_path(), columns, opts, say)
    privacy = plan.privacy
    qi, sensitive = key_columns(plan)
    entities = {s.column: s.entity for s in plan.steps}
    timings: dict[str, float] = {}

    # 2. gather (pass 1)
    t1 = time.perf_counter()
    need_global = bool(qi) and (bool(privacy.k) or opts.hierarchies_dir is not None or opts.report)
    released = set(plan.output_columns)  # once: the property builds a list at each call
    cols = [c for c in dict.fromkeys(qi + sensitive) if c in released]
    kept = {s.column for s in plan.steps if s.action == "keep"}
    changed = [c for c in cols if c not in kept]
    known = [s.column for s in plan.attacker_known()] if whole_record(plan, opts) else []
    gathered = executor.gather(plan, gathered_plan(plan, cols), cols, changed, need_global, say, known)
    release()
    timings["pass_global"] = time.perf_counter() - t1
    failpoint("gather")

    # 3. solve
    t1 = time.perf_counter()
    if known:
        sens = plan.privacy.sensitive[:1]
        solved = whole_record_step(plan, gathered.known, opts.key, say,
                                   gathered.qi_out[sens[0]] if sens and gathered.qi_out is not None
                                   and sens[0] in gathered.qi_out else None)
    else:
        solution, qi_final, report = global_step(gathered.qi_out, qi, sensitive, entities, privacy,
                                                 hierarchies, opts, say)
        replace_qi = qi_final is not None and (solution is not None or opts.hierarchies_dir is not None)
        solved = Solved(qi, qi_final, None, report, replace_qi)
    timings["privacy"] = time.perf_counter() - t1
    release()

    counts = RunCounts()
    staged: list[Path] = []
    try:
        # 4. write (pass 2)
        t1 = time.perf_counter()
        executor.write(plan, solved, gathered.leaks, counts, say)
        timings["pass_transform_write"] = time.perf_counter() - t1
        failpoint("write")

        # 5. verify (pass 3)
        t1 = time.perf_counter()
        written = Released(plan, known) if known else None
        sample = executor.verify(plan, gathered.leaks, gathered.counters, counts, say, written)
        problems = counts.problems(entities)
        if opts.rescan and sample is not None and len(sample):
            problems += rescan_problems(sample, plan)
        del sample
        timings["verify"] = time.perf_counter() - t1
        failpoint("verify")
        values_searched = gathered.leaks.size
        gathered.leaks = None  # type: ignore[assignment]
        drop_models()
        release()

        # 6. attack: the release gate
        gate = None
        released_frame = None
        if written is not None:
            t1 = time.perf_counter()
            say("attacking the written file (linkage with the originals of every attacker-known column)")
            from anonymizer.attack.release import release_gate

            released_frame = written.frame()
            records = solved.records if solved is not None else None
            gate = release_gate(plan, gathered.known, released_frame, text_marks=written.marks(),
                                swapped=records.swapped_originals() if records is not None else None)
            problems += gate.problems
            timings["attack"] = time.perf_counter() - t1
            del written
        released = not problems
        final = paths.final(released)

        # 7. report: it needs neither the hash index, a batch, nor the NER model; it is the run's
        # last big step, so it gets their memory (a 5M run peaked there at 2.4 GiB)
        if released_frame is not None and gathered.qi_out is not None:  # the key columns as written
            qi_written = released_frame[[c for c in qi if c in released_frame]]
            after = final_frame([c for c in qi if c in qi_written], gathered.qi_out, qi_written)
        else:
            after = final_frame(qi, gathered.qi_out, solved.qi_final)
        qi_orig = gathered.qi_orig
        gathered.qi_out = gathered.qi_orig = gathered.known = released_frame = None
        solved.qi_final = solved.records = None
        release()
        stage_reports = {p: staging_name(p) for p in paths.reports()}
        staged += list(stage_reports.values())
        attacker_knows = [s.column for s in plan.attacker_known()]
        coverage = {"attacker_knows": attacker_knows, "key_variables": list(qi),
                    "swapped": list(((solved.report or {}).get("swapped") or {}).get("columns") or []),
                    "left_out": plan.left_out()}
        columns_done = column_record(plan, counts)
        release_facts = {"released": released, "problems": list(problems), "columns": columns_done,
                         "attacker_knows": attacker_knows, "reached": solved.report,
                         "attack": gate.to_dict() if gate is not None else None, "targets": privacy.record()}
        risk_summary, wrote_risk = risk_step(qi, after, qi_orig, sensitive, privacy, opts,
                                             stage_reports.get(paths.risk_json), stage_reports.get(paths.risk_html),
                                             say, timings, gate, coverage, release_facts)
        del after, qi_orig
        failpoint("report")

        # 7. manifest
        timings["total"] = time.perf_counter() - t0
        manifest = build_manifest(
            released=released,
            input=executor.input_record(counts.rows_in),
            output=executor.output_record(final, counts, len(plan.output_columns)),
            **run_record(plan, policy, profile_name, opts, columns_done, solved.report, problems,
                         values_searched, risk_summary, timings, gathered.counters, gate),
        )
        stage_manifest = staging_name(paths.manifest)
        staged.append(stage_manifest)
        with atomic_output(stage_manifest) as fh:
            fh.write(dumps(manifest))

        failpoint("manifest")

        # 8. publish: reports and manifest, then the output (engine.publish: through a journal)
        moves = list(stage_reports.items()) if wrote_risk else []
        moves = [(tmp, target) for target, tmp in moves] + [(stage_manifest, paths.manifest), (executor.staging, final)]
        # the previous output (safe.csv or safe.NOT-RELEASED.csv, whichever this run replaces or not) is
        # removed first: an output on disk never sits beside a manifest that is not its own
        stale = [p for p in (paths.output, paths.not_released) if os.path.lexists(p)]
        publish(moves, paths.output, stale)
    except BaseException:
        executor.discard()
        for p in staged:
            p.unlink(missing_ok=True)
        raise
    finally:
        clear_caches()
    return SanitizeResult(final, paths.manifest, released, manifest,
                          paths.risk_json if wrote_risk else None, paths.risk_html if wrote_risk else None, problems)
