"""Check files: read every table a file holds, apply the rules (a manifest only changes which), decide.

A file is ``pass``, ``fail`` (a rule found a risk), ``unchecked`` (it could not be read or ran
over its budget: not a pass) or ``skipped`` (not data anon reads: a binary file, a link out of
the repository, a FIFO or device — listed, counted, never opened).

Exit codes (see :func:`exit_code`): 0 when every file passes; 1 when at least one file fails (a
leak found outranks everything else: the gate must say "leak" first); otherwise 2 when a file
is unchecked (an unchecked file is not a passed file; ``allow_unchecked`` patterns make it a
warning) or the command line was wrong.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from anonymizer.check import read
from anonymizer.check.budget import Budget, BudgetExceeded
from anonymizer.check.cache import Cache, cache_key, default_cache_dir, inside
from anonymizer.check.config import CheckConfig
from anonymizer.check.extract import Embedded
from anonymizer.check.manifest import ManifestVerdict, manifest_path_for, verify_manifest
from anonymizer.check.release import declared_problems
from anonymizer.check.rules import PRINTED_ENTITIES, UNCHECKED_RULES, Finding, evaluate_table, evaluate_text
from anonymizer.check.walk import Entry, kind_of, walk
from anonymizer.errors import AnonError, caused_by_memory

PASS, FAIL, UNCHECKED, SKIPPED = "pass", "fail", "unchecked", "skipped"
ERROR = UNCHECKED  # the former name of the status
STATUSES = (PASS, FAIL, UNCHECKED, SKIPPED)
DISPLAY_KIND = {"table": "table", "text-table": "table", "unknown": "table", "unsupported": "table",
                "notebook": "notebook", "markdown": "markdown", "json": "json", "archive": "archive"}

# kept importable from here (tests and callers used them before they moved to check.read)
iter_tables = read.iter_tables
lenient_csv = read.lenient_csv


@dataclass
class FileResult:
    path: str                     # POSIX, relative to the run's root
    status: str                   # pass | fail | unchecked | skipped
    findings: list[Finding] = field(default_factory=list)
    kind: str = "table"           # table | notebook | markdown | json | archive | other
    tables: int = 0               # tables read (sheets, notebook outputs, Markdown blocks, archive members)
    passed_by: str | None = None  # "manifest" | "scan" | "no-table"
    cached: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "kind": self.kind, "tables": self.tables,
                "passed_by": self.passed_by, "cached": self.cached, "seconds": round(self.seconds, 4),
                "findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileResult:
        return cls(d["path"], d["status"], [Finding(**f) for f in d.get("findings", [])], d.get("kind", "table"),
                   d.get("tables", 0), d.get("passed_by"), bool(d.get("cached")), float(d.get("seconds", 0.0)))

    @property
    def gating(self) -> bool:
        """Whether this result fails the gate (a failure, or an unchecked file not allowed to be)."""
        return self.status == FAIL or (self.status == UNCHECKED and any(
            f.rule in UNCHECKED_RULES and f.level == "error" for f in self.findings))


@dataclass
class CheckRun:
    root: Path
    config: CheckConfig
    files: list[FileResult]
    seconds: float = 0.0
    cache_hits: int = 0
    notes: list[str] = field(default_factory=list)   # about the run itself (e.g. a cache folder refused)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for f in self.files:
            out[f.status] += 1
        return out

    def exit_code(self) -> int:
        return exit_code(self.files)


def exit_code(files: list[FileResult]) -> int:
    """0 all pass, 1 any fail (even if another file is unchecked), else 2 if a file is unchecked (and not allowed)."""
    if any(f.status == FAIL for f in files):
        return 1
    if any(f.gating for f in files):
        return 2
    return 0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _config_rel(path: Path, config: CheckConfig, rel: str) -> str:
    """The path as the configuration's patterns see it: relative to the configuration file's folder."""
    try:
        return (path.parent.resolve() / path.name).relative_to(Path(config.root).resolve()).as_posix()
    except ValueError:
        return rel


def _unchecked(result: FileResult, rule: str, message: str, allowed: bool, location: str | None = None) -> None:
    """Record why (part of) the file was not checked: an error, or a warning under ``allow_unchecked``."""
    level = "warning" if allowed else "error"
    suffix = " (allowed by allow_unchecked)" if allowed else ""
    result.findings.append(Finding(rule, message + suffix, level, location=location))


def _strip_path(msg: str, path: Path, rel: str) -> str:
    for prefix in (f"{path}: ", f"{rel}: "):
        msg = msg[len(prefix):] if msg.startswith(prefix) else msg
    return msg


def _manifest_findings(verdict: ManifestVerdict | None) -> tuple[list[Finding], str | None]:
    """File-level findings of a manifest that does not vouch, and the state the rules phrase releases with."""
    if verdict is None:
        return [], "absent"
    name = verdict.path.name
    if not verdict.describes:
        why = "; ".join(verdict.problems) or "its output digest differs"
        return [Finding("manifest-mismatch", f"{name} does not describe this file: {why}. Put back the file as "
                        "anon sanitize wrote it, re-run anon sanitize, or delete the stale manifest", "error")], "mismatch"
    if verdict.problems:
        return [Finding("manifest-invalid", f"{name} does not vouch for this file: {'; '.join(verdict.problems)}; "
                        "the file is checked without it", "error")], "invalid"
    return [], None


def _evaluate_items(path: Path, kind: str, config: CheckConfig, verdict: ManifestVerdict | None, result: FileResult,
                    budget: Budget, exempt: set[str], allowed: bool, scanner: Callable | None) -> None:
    """Read and judge every table; manifest content checks for a vouched single-table file."""
    found, state = _manifest_findings(verdict)
    result.findings.extend(found)
    items = list(read.iter_tables(path, kind, budget)) if state is None else read.iter_tables(path, kind, budget)
    tables_total = sum(isinstance(i, Embedded) and i.kind == "table" for i in items) if state is None else 0
    mname = verdict.path.name if verdict is not None else manifest_path_for(path).name
    for item in items:
        budget.check()
        if isinstance(item, read.Note):
            if item.level == "error":
                _unchecked(result, "unreadable", item.message, allowed, item.location or None)
            else:
                result.findings.append(Finding("skipped", item.message, "note", location=item.location or None))
            continue
        emb = item
        result.tables += emb.kind == "table"
        if emb.kind == "text":
            result.findings.extend(evaluate_text(emb.df["text"].tolist(), config, location=emb.location,
                                                 line=emb.line))
            continue
        # documentation tables: free text is searched for validated identifiers only
        cfg = config if emb.ner else replace(
            config, ner=False, text_pii=[e for e in config.text_pii if e in PRINTED_ENTITIES])
        replaced: frozenset[str] = frozenset()
        table_state = state
        if state is None and verdict is not None:  # a manifest that vouches: does it describe this table?
            rows = emb.total_rows if emb.total_rows is not None else len(emb.df)
            problems = verdict.content_problems(list(emb.df.columns), rows)
            if tables_total != 1:
                problems.append(f"the file holds {tables_total} tables, a sanitize output one")
            if problems:
                result.findings.append(Finding(
                    "manifest-mismatch", f"{verdict.path.name} does not describe this file: {'; '.join(problems)}. "
                    "Re-run anon sanitize, or delete the manifest that belongs to another file", "error",
                    location=emb.location or None))
                table_state = "mismatch"
            else:
                contradictions = declared_problems(emb.df, verdict.decisions, {})
                for col, problem in contradictions:
                    result.findings.append(Finding(
                        "manifest-mismatch", f"column '{col}' contradicts {verdict.path.name}: {problem}", "error",
                        col, emb.location or None))
                if contradictions:  # a manifest proven wrong on one column vouches for none
                    table_state = "mismatch"
                else:
                    replaced = verdict.replaced
        result.findings.extend(evaluate_table(
            emb.df, cfg, exempt_columns=exempt, location=emb.location or None, line=emb.line, scanner=scanner,
            total_rows=emb.total_rows, row_numbers=emb.row_numbers, load_columns=emb.load_columns, replaced=replaced,
            manifest_state=table_state, manifest_name=mname))
    if state is None and verdict is not None and not any(f.rule == "manifest-mismatch" for f in result.findings):
        result.passed_by = "manifest"


def evaluate_file(path: Path, rel: str, config: CheckConfig, verdict: ManifestVerdict | None,
                  scanner: Callable | None = None, kind: str | None = None) -> FileResult:
    """Every table the file holds through the rules, within the file's budget (no cache here)."""
    t0 = time.perf_counter()
    kind = kind or kind_of(path.name) or "unknown"
    result = FileResult(rel, PASS, kind=DISPLAY_KIND.get(kind, "table"))
    cfg_rel = _config_rel(path, config, rel)
    allowed = config.unchecked_allowed(cfg_rel)
    exempt = config.exempt_columns(cfg_rel)
    budget = Budget(config.max_file_seconds, config.max_archive_mb * 2**20)
    try:
        with budget.enforced():
            _evaluate_items(path, kind, config, verdict, result, budget, exempt, allowed, scanner)
    except BudgetExceeded as exc:
        _unchecked(result, "budget-exceeded", str(exc), allowed)
    except AnonError as exc:
        msg = "out of memory" if caused_by_memory(exc) else _strip_path(str(exc), path, rel)
        _unchecked(result, "unreadable", f"cannot read the file: {msg}", allowed)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _unchecked(result, "unreadable", f"cannot read the file ({type(exc).__name__})", allowed)
    except MemoryError:
        _unchecked(result, "unreadable", "cannot check the file: out of memory", allowed)
    except Exception as exc:  # a gate must not crash on one odd file: report it, never its content
        _unchecked(result, "unreadable",
                   f"internal error while checking the file ({type(exc).__name__}); please report it", allowed)
    _settle(result)
    result.seconds = time.perf_counter() - t0
    return result


def _settle(result: FileResult) -> None:
    """Status from the findings: a risk found is a failure (first thing to say), else unchecked, else pass."""
    if any(f.level == "error" and f.rule not in UNCHECKED_RULES for f in result.findings):
        result.status = FAIL
    elif any(f.rule in UNCHECKED_RULES for f in result.findings):
        result.status = UNCHECKED
    else:
        result.status = PASS
    if result.status != PASS:
        result.passed_by = None
    elif result.passed_by is None:
        result.passed_by = "scan" if result.tables else "no-table"


@dataclass
class _Job:
    path: Path
    rel: str
    kind: str
    digest: str | None = None
    verdict: ManifestVerdict | None = None
    key: str | None = None


def _skipped(rel: str, kind: str, reason: str) -> FileResult:
    return FileResult(rel, SKIPPED, [Finding("skipped", reason, "note")], kind=DISPLAY_KIND.get(kind, "other"))


def _prepare(entry: Entry, rel: str, config: CheckConfig) -> tuple[_Job, FileResult | None]:
    """Decide what needs no reading (skipped, over the size budget), hash the file and read its manifest."""
    path, kind = entry.path, entry.kind or "unknown"
    job = _Job(path, rel, kind)
    if entry.skip:
        return job, _skipped(rel, "other", entry.skip)
    res = FileResult(rel, PASS, kind=DISPLAY_KIND.get(kind, "table"))
    allowed = config.unchecked_allowed(_config_rel(path, config, rel))
    try:
        size = os.stat(path).st_size
        if kind in ("unknown", "text-table") and size and read.probe_text(path, 8192) is None:
            return job, _skipped(rel, "other", "binary file, not a format anon reads: not checked")
        if size > config.max_file_mb * 2**20:
            _unchecked(res, "budget-exceeded", f"{size / 2**20:,.0f} MB is over the size budget of "
                       f"{config.max_file_mb:g} MB (max_file_mb): not read", allowed)
            _settle(res)
            return job, res
        job.digest = _sha256(path)
    except OSError as exc:
        _unchecked(res, "unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__})", allowed)
        _settle(res)
        return job, res
    job.verdict = verify_manifest(path, config, file_sha256=job.digest) if kind == "table" else None
    settings = repr((sorted(config.exempt_columns(_config_rel(path, config, rel))), allowed))
    job.key = cache_key(config_digest=config.digest(), file_sha256=job.digest, kind=kind, settings=settings,
                        manifest_sha256=job.verdict.digest if job.verdict else None)
    return job, None


def _cacheable(res: FileResult) -> bool:
    return res.status in (PASS, FAIL) and not any(f.rule in UNCHECKED_RULES for f in res.findings)


def check_file(path: Path, rel: str, config: CheckConfig, *, cache: Cache | None = None,
               scanner: Callable | None = None) -> FileResult:
    """The verdict for one regular file, served from the cache when its bytes, manifest and settings are unchanged."""
    t0 = time.perf_counter()
    job, early = _prepare(Entry(path, kind_of(path.name) or "unknown"), rel, config)
    if early is not None:
        return early
    if cache is not None:
        hit = cache.get(job.key)
        if hit is not None:
            res = FileResult.from_dict(hit)
            res.path, res.cached, res.seconds = rel, True, time.perf_counter() - t0
            return res
    res = evaluate_file(path, rel, config, job.verdict, scanner, job.kind)
    if cache is not None and _cacheable(res):
        cache.put(job.key, res.to_dict())
    return res


def _worker_init() -> None:
    import anonymizer.detect  # noqa: F401  (import once per worker, not per file)


def _worker(args: tuple[Path, str, CheckConfig, ManifestVerdict | None, None, str]) -> dict[str, Any]:
    return evaluate_file(*args).to_dict()


def default_jobs(n_files: int) -> int:
    """Worker processes: one per core (at most 4) when there is enough work to pay their start-up."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cpus)) if n_files >= 16 else 1


def open_cache(root: Path, *, use_cache: bool, cache_dir: Path | None) -> tuple[Cache, list[str]]:
    """The run's cache: the given folder or the user's cache folder, never one inside the repository."""
    if not use_cache:
        return Cache(None, enabled=False), []
    try:
        directory = cache_dir if cache_dir is not None else default_cache_dir()
    except (RuntimeError, KeyError, OSError):  # no home folder to put it in
        return Cache(None, enabled=False), ["no cache folder (no home folder): checked without a cache; "
                                            "give --cache-dir or set ANON_CACHE_DIR"]
    if inside(directory, root):
        return Cache(None, enabled=False), [
            f"cache folder {directory} is inside the checked repository: not used (a cache there could be "
            "committed and trusted by a fresh clone); give --cache-dir outside it"]
    return Cache(directory), []


def check_paths(paths: list[Path], config: CheckConfig, *, use_cache: bool = True, jobs: int | None = None,
                progress: Callable[[str], None] | None = None, scanner: Callable | None = None,
                cache_dir: Path | None = None) -> CheckRun:
    """Check every file under ``paths`` (see :mod:`anonymizer.check.walk`).

    Skipped files are decided without opening them; cached files are answered next; identical
    files (same bytes, manifest, kind and settings) are checked once; the rest run in ``jobs``
    worker processes (default: :func:`default_jobs`).
    """
    t0 = time.perf_counter()
    entries, root = walk(paths, config)
    cache, notes = open_cache(root, use_cache=use_cache, cache_dir=cache_dir)
    results: dict[int, FileResult] = {}
    todo: list[tuple[int, _Job]] = []
    for i, entry in enumerate(entries):
        f = entry.path
        rel = f.relative_to(root).as_posix() if root in f.parents else f.as_posix()
        job, early = _prepare(entry, rel, config)
        if early is not None:
            results[i] = early
            continue
        hit = cache.get(job.key)
        if hit is not None:
            res = FileResult.from_dict(hit)
            res.path, res.cached = rel, True
            results[i] = res
            if progress:
                progress(rel)
            continue
        todo.append((i, job))
    groups: dict[str | None, list[tuple[int, _Job]]] = {}
    for i, job in todo:  # identical content and settings (copies of one file) are evaluated once
        groups.setdefault(job.key, []).append((i, job))
    leaders = [members[0] for members in groups.values()]
    n_jobs = jobs if jobs is not None else default_jobs(len(leaders))
    evaluated: dict[int, FileResult] = {}
    if n_jobs > 1 and scanner is None and len(leaders) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_worker_init) as pool:
            futures = {i: pool.submit(_worker, (job.path, job.rel, config, job.verdict, None, job.kind))
                       for i, job in leaders}
            for i, fut in futures.items():
                evaluated[i] = FileResult.from_dict(fut.result())
                if progress:
                    progress(evaluated[i].path)
    else:
        for i, job in leaders:
            if progress:
                progress(job.rel)
            evaluated[i] = evaluate_file(job.path, job.rel, config, job.verdict, scanner, job.kind)
    for members in groups.values():
        lead_res = evaluated[members[0][0]]
        for i, job in members:
            res = FileResult.from_dict(lead_res.to_dict())
            res.path = job.rel
            results[i] = res
            if _cacheable(res):
                cache.put(job.key, res.to_dict())
    ordered = [results[i] for i in range(len(entries))]
    return CheckRun(root, config, ordered, time.perf_counter() - t0, cache.hits, notes)


__all__ = ["FAIL", "PASS", "SKIPPED", "UNCHECKED", "CheckRun", "FileResult", "check_file", "check_paths",
           "default_jobs", "evaluate_file", "exit_code", "iter_tables", "lenient_csv"]
