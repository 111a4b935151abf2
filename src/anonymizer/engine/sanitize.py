"""One sanitize run, end to end: read, decide, transform, enforce, write, verify, report.

The output is first written (atomically) to a staging name beside the target; it is
re-read and verified, and only a verified file is renamed to the requested path. A file
that fails verification is kept under ``<name>.NOT-RELEASED<ext>`` for inspection, its
manifest says ``"released": false`` and the run exits non-zero.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.engine.apply import apply_plan, summarize_changes
from anonymizer.engine.manifest import build_manifest, dumps, manifest_path_for, sha256_file
from anonymizer.engine.privacy_step import apply_solution, solve
from anonymizer.engine.verify import verify_output
from anonymizer.errors import PolicyError, UsageError
from anonymizer.io import atomic_output, read_table, write_table
from anonymizer.policy import build_plan, load_policy, load_profile, policy_digest, propose_policy

PRIVACY_OVERRIDES = ("k", "l", "l_variant", "c", "t", "max_suppression", "metric")


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


@dataclass
class SanitizeResult:
    output: Path
    manifest_path: Path
    released: bool
    manifest: dict[str, Any]
    risk_json: Path | None = None
    risk_html: Path | None = None
    problems: list[str] = field(default_factory=list)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_outputs(input_path: Path, outputs: list[Path], force: bool) -> None:
    for out in outputs:
        if _same_file(input_path, out):
            raise UsageError(f"{out}: refusing to overwrite the input file")
        if out.exists() and not force:
            raise UsageError(f"{out}: already exists (use --force to replace it)")


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


def sanitize(input_path: str | Path, output_path: str | Path, opts: SanitizeOptions,
             progress: Callable[[str], None] | None = None) -> SanitizeResult:
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    input_path, output = Path(input_path), Path(output_path)
    manifest_path = manifest_path_for(output)
    risk_json = output.with_suffix(".risk.json")
    risk_html = output.with_suffix(".risk.html")
    not_released = output.with_name(output.stem + ".NOT-RELEASED" + output.suffix)
    check_outputs(input_path, [output, manifest_path] + ([risk_json, risk_html] if opts.report else []), opts.force)

    say("reading")
    table = read_table(input_path, **opts.read_opts)
    df = table.df
    timings: dict[str, float] = {"read": time.perf_counter() - t0}

    search_report: dict[str, Any] | None = None
    if opts.hierarchies_dir:
        from anonymizer.privacy import load_hierarchies

        hierarchies = {c: h for c, h in load_hierarchies(opts.hierarchies_dir).items() if c in df.columns}
        if not hierarchies:
            raise UsageError(f"{opts.hierarchies_dir}: no *_hierarchy_<column>.csv matches a column of the table")
        policy = _hierarchy_policy(list(df.columns), list(hierarchies), opts)
        profile_name = "hierarchies"
    else:
        if opts.policy_path:
            policy = load_policy(opts.policy_path)
        else:
            say("scanning (no --policy given: the profile's defaults apply to the detected roles)")
            from anonymizer.detect import scan_table

            policy = propose_policy(scan_table(df), load_profile(opts.profile))
        profile_name = str(policy.get("profile") or opts.profile)
        if opts.policy_path and profile_name != opts.profile and "profile" not in policy:
            profile_name = opts.profile
    privacy = dict(policy.get("privacy") or {})
    privacy.update({k: v for k, v in opts.overrides.items() if v is not None})
    if opts.sensitive and not opts.hierarchies_dir:
        privacy["sensitive"] = list(opts.sensitive)
    policy = {**policy, "privacy": privacy}
    plan = build_plan(list(df.columns), policy, strict=opts.strict)
    if plan.needs_key and not opts.key:
        raise UsageError("this policy needs a secret key: give --key-file FILE or set ANON_KEY")
    for note in plan.notes:
        say(f"note: {note}")

    say(f"transforming {len(df):,} rows x {len(df.columns)} columns")
    t1 = time.perf_counter()
    out = apply_plan(df, plan, key=opts.key)
    timings["transform"] = time.perf_counter() - t1

    t1 = time.perf_counter()
    privacy_report: dict[str, Any] | None = None
    entities = {s.column: s.entity for s in plan.steps}
    if opts.hierarchies_dir:
        from anonymizer.privacy import anonymize_with_hierarchies

        say("searching the optimal generalisation (hierarchies)")
        qi = plan.privacy["quasi_identifiers"]
        sens = [c for c in opts.sensitive if c in out.columns]
        kw = {k: privacy.get(k) for k in PRIVACY_OVERRIDES}
        kw["l_variant"] = kw.get("l_variant") or "distinct"
        kw["max_suppression"] = kw.get("max_suppression") or 0.0
        kw["metric"] = kw.get("metric") or "loss"
        anon_df, search_report = anonymize_with_hierarchies(
            out[qi + sens], hierarchies=hierarchies, sensitive=(sens[0] if sens else None), **kw
        )
        for c in qi:
            out[c] = anon_df[c].to_numpy()
        privacy_report = search_report
    elif privacy.get("k"):
        say(f"enforcing k={privacy['k']} on {', '.join(plan.privacy.get('quasi_identifiers') or []) or '(none)'}")
        sens_frame = out[plan.privacy["sensitive"][:1]] if privacy.get("l") and plan.privacy.get("sensitive") else None
        solution = solve(out, entities, {**privacy, "quasi_identifiers": plan.privacy["quasi_identifiers"]}, sens_frame)
        out = apply_solution(out, solution)
        privacy_report = solution.report if solution else {"note": "no key quasi-identifier: k not applied"}
    timings["privacy"] = time.perf_counter() - t1

    say(f"writing {output}")
    t1 = time.perf_counter()
    staging = output.with_name("." + output.stem + ".staging" + output.suffix)
    write_table(out, staging, like=table.meta, fmt=opts.out_format)
    timings["write"] = time.perf_counter() - t1

    say("verifying the written file (leak search and re-scan)")
    t1 = time.perf_counter()
    try:
        written = read_table(staging, fmt=opts.out_format or table.meta.format,
                             delimiter=table.meta.delimiter, encoding=table.meta.encoding).df
        verification = verify_output(df, written, plan, rescan_output=opts.rescan)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    timings["verify"] = time.perf_counter() - t1
    released = verification.ok
    final = output if released else not_released
    os.replace(staging, final)

    risk_summary: dict[str, Any] | None = None
    risk_written = False
    if opts.report and plan.privacy.get("quasi_identifiers"):
        say("measuring re-identification risk (input vs output)")
        t1 = time.perf_counter()
        from anonymizer.report import render_html
        from anonymizer.risk import risk_report

        report = risk_report(
            written, plan.privacy["quasi_identifiers"], plan.privacy.get("sensitive") or [],
            k=int(privacy.get("k") or 5), small_cell=int(privacy.get("small_cell") or 11),
            threshold=float(privacy.get("max_record_risk") or 0.2),
            original=df[[c for c in written.columns if c in df.columns]],
        )
        import json

        with atomic_output(risk_json) as fh:
            fh.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        with atomic_output(risk_html) as fh:
            fh.write(render_html(report))
        risk_summary = report.get("summary") if isinstance(report, dict) else None
        risk_written = True
        timings["risk"] = time.perf_counter() - t1
    from anonymizer.transform.pseudonymize import key_fingerprint

    manifest = build_manifest(
        released=released,
        input={"name": input_path.name, "sha256": sha256_file(input_path), "rows": int(len(df)),
               "columns": int(len(df.columns)), "format": table.meta.format},
        output={"name": final.name, "sha256": sha256_file(final), "rows": int(len(written)),
                "columns": int(len(written.columns)), "format": opts.out_format or table.meta.format},
        profile=profile_name,
        strict=plan.strict,
        policy_sha256=policy_digest(policy),
        key_fingerprint=key_fingerprint(opts.key) if opts.key else None,
        columns=_column_record(df, out, plan),
        privacy={"targets": {k: privacy.get(k) for k in (*PRIVACY_OVERRIDES, "small_cell", "max_record_risk")
                             if privacy.get(k) is not None},
                 "reached": privacy_report},
        verification=verification.to_dict(),
        risk=risk_summary,
        notes=plan.notes,
        timings_s={k: round(v, 3) for k, v in timings.items()},
    )
    with atomic_output(manifest_path) as fh:
        fh.write(dumps(manifest))
    return SanitizeResult(final, manifest_path, released, manifest,
                          risk_json if risk_written else None,
                          risk_html if risk_written else None,
                          verification.problems)


def _column_record(before: pd.DataFrame, after: pd.DataFrame, plan) -> dict[str, Any]:
    record = plan.actions_summary()
    changes = summarize_changes(before, after, plan)
    for col, info in record.items():
        info.update({k: v for k, v in changes.get(col, {}).items() if k != "action"})
    return record


__all__ = ["SanitizeOptions", "SanitizeResult", "check_outputs", "sanitize", "PolicyError"]
