"""Check files: read every table a file holds, apply the manifest or the rules, decide pass / fail / error.

Exit codes (see :func:`exit_code`): 0 when every file passes; 1 when at least one file fails (a
leak found outranks everything else: the gate must say "leak" first); otherwise 2 when a file
could not be read (an unchecked file is not a passed file) or the command line was wrong.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.check.cache import Cache, cache_key
from anonymizer.check.config import CheckConfig
from anonymizer.check.extract import Embedded, delimited_table, markdown_tables, notebook_tables
from anonymizer.check.manifest import ManifestVerdict, verify_manifest
from anonymizer.check.rules import PRINTED_ENTITIES, Finding, evaluate_table, evaluate_text
from anonymizer.check.walk import collect_files, kind_of
from anonymizer.errors import AnonError, caused_by_memory

PASS, FAIL, ERROR = "pass", "fail", "error"


@dataclass
class FileResult:
    path: str                     # POSIX, relative to the run's root
    status: str                   # pass | fail | error
    findings: list[Finding] = field(default_factory=list)
    kind: str = "table"           # table | notebook | markdown
    tables: int = 0               # tables read (sheets, notebook outputs, Markdown blocks)
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


@dataclass
class CheckRun:
    root: Path
    config: CheckConfig
    files: list[FileResult]
    seconds: float = 0.0
    cache_hits: int = 0

    @property
    def counts(self) -> dict[str, int]:
        out = {PASS: 0, FAIL: 0, ERROR: 0}
        for f in self.files:
            out[f.status] += 1
        return out

    def exit_code(self) -> int:
        return exit_code(self.files)


def exit_code(files: list[FileResult]) -> int:
    """0 all pass, 1 any fail (even if another file is unreadable), else 2 if any file is unreadable."""
    statuses = {f.status for f in files}
    if FAIL in statuses:
        return 1
    if ERROR in statuses:
        return 2
    return 0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _xlsx_raw_sheet(path: Path, sheet: str) -> pd.DataFrame | None:
    """A sheet that is not a clean table (a title above the header, notes beside it): every row as text,
    the header being the first row as wide as the widest row."""
    import openpyxl

    from anonymizer.io.formats import cell_text

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [[cell_text(v) for v in r] for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(c != "" for c in r)]
    if not rows:
        return None
    width = max(sum(c != "" for c in r) for r in rows)
    start = next(i for i, r in enumerate(rows) if sum(c != "" for c in r) >= max(2, width - 1) or width < 2)
    from anonymizer.check.extract import _frame

    return _frame(rows[start], rows[start + 1:])


def iter_tables(path: Path, kind: str) -> Iterator[Embedded]:
    """Every table a file holds, with where it sits. Raises AnonError when the file cannot be read."""
    if kind == "notebook":
        yield from notebook_tables(path.read_bytes())
        return
    if kind == "markdown":
        yield from markdown_tables(path.read_bytes().decode("utf-8", errors="replace"))
        return
    from anonymizer.io import detect_format, list_sheets, read_table

    fmt = detect_format(path)
    if fmt == "xlsx":
        for name in list_sheets(path):
            try:
                df = read_table(path, sheet=name).df
            except AnonError as exc:
                if "is empty" in str(exc) or "empty header" in str(exc):
                    continue
                df = _xlsx_raw_sheet(path, name)
                if df is None:
                    continue
            yield Embedded(df, f"sheet '{name}'", None)
        return
    if kind == "text-table":  # a .txt is a table only when it is delimited
        text = path.read_bytes()[: 1 << 16].decode("utf-8", errors="replace").splitlines()[:50]
        if delimited_table(text[:-1] if len(text) > 1 else text) is None:
            return
    if path.stat().st_size == 0:
        return
    if path.stat().st_size > STREAM_ABOVE_BYTES:
        yield sampled_table(path, fmt)
        return
    try:
        table = read_table(path)
    except AnonError:
        if fmt != "csv":
            raise
        # the strict reader refuses what a spreadsheet happily writes (a title above the header,
        # duplicate column names, ragged rows); a gate must still look inside
        df = lenient_csv(path)
        if df is None:
            raise
        yield Embedded(df, "read leniently (not a clean CSV)", None)
        return
    yield Embedded(table.df, f"{fmt} table" if kind != "table" else "", 1)


STREAM_ABOVE_BYTES = 200 * 1024 * 1024  # as anon scan: larger tables are sampled in one streaming pass
SAMPLE_ROWS = 20_000


def sampled_table(path: Path, fmt: str, sample_rows: int = SAMPLE_ROWS) -> Embedded:
    """A table too large to load: a uniform row sample for the scan (one streaming pass), and
    a loader of whole columns for the risk rules, which read the key quasi-identifiers only."""
    from anonymizer.detect.scan import sample_batches
    from anonymizer.engine.stream_risk import read_columns
    from anonymizer.io import iter_batches

    _, batches = iter_batches(path, batch_rows=200_000)
    sample, total = sample_batches(batches, sample_rows)
    return Embedded(sample, f"{fmt} table, {len(sample):,} of {total:,} rows sampled", 1, total_rows=total,
                    load_columns=lambda cols: read_columns(path, cols, batch_rows=200_000))


def lenient_csv(path: Path, max_bytes: int = 64 << 20) -> pd.DataFrame | None:
    """A delimited text read the forgiving way: sniffed delimiter, the first row as wide as most rows is
    the header, short rows padded, long rows cut, duplicate names numbered. None if it is no table."""
    import csv
    import io
    from collections import Counter

    from anonymizer.check.extract import _frame

    raw = path.read_bytes()[:max_bytes]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return None
    best = None
    for delim in (";", ",", "\t", "|"):
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delim))
        width, count = Counter(len(r) for r in rows).most_common(1)[0]
        if width >= 2 and (best is None or count > best[0] or (count == best[0] and width > best[1])):
            best = (count, width, rows)
    if best is None:
        return None
    _, width, rows = best
    start = next(i for i, r in enumerate(rows) if len(r) == width)
    return _frame(rows[start], [r[:width] for r in rows[start + 1:]])


def _config_rel(path: Path, config: CheckConfig, rel: str) -> str:
    """The path as the configuration's patterns see it: relative to the configuration file's folder."""
    try:
        return path.resolve().relative_to(Path(config.root).resolve()).as_posix()
    except ValueError:
        return rel


def _unreadable(result: FileResult, message: str) -> None:
    result.status = ERROR
    result.findings.append(Finding("unreadable", message))


def evaluate_file(path: Path, rel: str, config: CheckConfig, verdict: ManifestVerdict | None,
                  scanner: Callable | None = None) -> FileResult:
    """Manifest first, then every table the file holds through the rules (no cache here)."""
    t0 = time.perf_counter()
    kind = kind_of(path) or "table"
    result = FileResult(rel, PASS, kind={"text-table": "table"}.get(kind, kind))
    if verdict is not None and verdict.valid:
        result.passed_by = "manifest"
    else:
        if verdict is not None:
            result.findings.append(Finding(
                "manifest-invalid", f"{verdict.path.name} does not vouch for this file: {'; '.join(verdict.problems)}; "
                "checked by scan instead", "warning"))
        exempt = config.exempt_columns(_config_rel(path, config, rel))
        try:
            for emb in iter_tables(path, kind):
                result.tables += emb.kind == "table"
                if emb.kind == "text":
                    result.findings.extend(evaluate_text(emb.df["text"].tolist(), config, location=emb.location,
                                                         line=emb.line))
                    continue
                # documentation tables: free text is searched for validated identifiers only
                cfg = config if emb.ner else replace(
                    config, ner=False, text_pii=[e for e in config.text_pii if e in PRINTED_ENTITIES])
                result.findings.extend(evaluate_table(emb.df, cfg, exempt_columns=exempt,
                                                      location=emb.location or None, line=emb.line, scanner=scanner,
                                                      total_rows=emb.total_rows, load_columns=emb.load_columns))
        except AnonError as exc:
            msg = "out of memory" if caused_by_memory(exc) else str(exc)
            for prefix in (f"{path}: ", f"{rel}: "):
                msg = msg[len(prefix):] if msg.startswith(prefix) else msg
            _unreadable(result, f"cannot read the file: {msg}")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            _unreadable(result, f"cannot read the file ({type(exc).__name__})")
        except MemoryError:
            _unreadable(result, "cannot check the file: out of memory")
        except Exception as exc:  # a gate must not crash on one odd file: report it, never its content
            _unreadable(result, f"internal error while checking the file ({type(exc).__name__}); please report it")
        result.passed_by = "scan" if result.tables else "no-table"
    if result.status != ERROR and any(f.level == "error" for f in result.findings):
        result.status = FAIL
    if result.status != PASS:
        result.passed_by = None
    result.seconds = time.perf_counter() - t0
    return result


@dataclass
class _Job:
    path: Path
    rel: str
    digest: str | None = None
    verdict: ManifestVerdict | None = None
    key: str | None = None


def _prepare(path: Path, rel: str, config: CheckConfig) -> tuple[_Job, FileResult | None]:
    """Hash the file and read its manifest (cheap); an unreadable file is decided here."""
    job = _Job(path, rel)
    kind = kind_of(path) or "table"
    try:
        job.digest = _sha256(path)
    except OSError as exc:
        res = FileResult(rel, PASS, kind={"text-table": "table"}.get(kind, kind))
        _unreadable(res, f"cannot read the file ({exc.strerror or type(exc).__name__})")
        return job, res
    job.verdict = verify_manifest(path, config, file_sha256=job.digest) if kind in ("table", "text-table") else None
    job.key = cache_key(config_digest=config.digest(), rel_path=rel, file_sha256=job.digest,
                        manifest_sha256=job.verdict.digest if job.verdict else None)
    return job, None


def check_file(path: Path, rel: str, config: CheckConfig, *, cache: Cache | None = None,
               scanner: Callable | None = None) -> FileResult:
    """The verdict for one file, served from the cache when its bytes, manifest and settings are unchanged."""
    t0 = time.perf_counter()
    job, early = _prepare(path, rel, config)
    if early is not None:
        return early
    if cache is not None:
        hit = cache.get(job.key)
        if hit is not None:
            res = FileResult.from_dict(hit)
            res.cached = True
            res.seconds = time.perf_counter() - t0
            return res
    res = evaluate_file(path, rel, config, job.verdict, scanner)
    if cache is not None and res.status != ERROR:
        cache.put(job.key, res.to_dict())
    return res


def _worker_init() -> None:
    import anonymizer.detect  # noqa: F401  (import once per worker, not per file)


def _worker(args: tuple[Path, str, CheckConfig, ManifestVerdict | None]) -> dict[str, Any]:
    return evaluate_file(*args).to_dict()


def default_jobs(n_files: int) -> int:
    """Worker processes: one per core (at most 4) when there is enough work to pay their start-up."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cpus)) if n_files >= 16 else 1


def check_paths(paths: list[Path], config: CheckConfig, *, use_cache: bool = True, jobs: int | None = None,
                progress: Callable[[str], None] | None = None, scanner: Callable | None = None) -> CheckRun:
    """Check every file under ``paths`` (see :mod:`anonymizer.check.walk`).

    Cached files are answered first; identical files (same bytes, manifest and exemptions) are checked
    once; the rest run in ``jobs`` worker processes (default: :func:`default_jobs`).
    """
    t0 = time.perf_counter()
    files, root = collect_files(paths, config)
    cache = Cache(root, enabled=use_cache)
    results: dict[int, FileResult] = {}
    todo: list[tuple[int, _Job]] = []
    for i, f in enumerate(files):
        rel = f.relative_to(root).as_posix() if root in f.parents else f.as_posix()
        job, early = _prepare(f, rel, config)
        if early is not None:
            results[i] = early
            continue
        hit = cache.get(job.key) if use_cache else None
        if hit is not None:
            res = FileResult.from_dict(hit)
            res.path, res.cached = rel, True
            results[i] = res
            if progress:
                progress(rel)
            continue
        todo.append((i, job))
    # identical content (copies of one file) is evaluated once
    groups: dict[tuple, list[tuple[int, _Job]]] = {}
    for i, job in todo:
        sig = (job.digest, job.verdict.digest if job.verdict else None, kind_of(job.path),
               frozenset(config.exempt_columns(_config_rel(job.path, config, job.rel))))
        groups.setdefault(sig, []).append((i, job))
    leaders = [members[0] for members in groups.values()]
    n_jobs = jobs if jobs is not None else default_jobs(len(leaders))
    evaluated: dict[int, FileResult] = {}
    if n_jobs > 1 and scanner is None and len(leaders) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx, initializer=_worker_init) as pool:
            futures = {i: pool.submit(_worker, (job.path, job.rel, config, job.verdict)) for i, job in leaders}
            for i, fut in futures.items():
                evaluated[i] = FileResult.from_dict(fut.result())
                if progress:
                    progress(evaluated[i].path)
    else:
        for i, job in leaders:
            if progress:
                progress(job.rel)
            evaluated[i] = evaluate_file(job.path, job.rel, config, job.verdict, scanner)
    for members in groups.values():
        lead_res = evaluated[members[0][0]]
        for i, job in members:
            res = FileResult.from_dict(lead_res.to_dict())
            res.path = job.rel
            results[i] = res
            if res.status != ERROR:
                cache.put(job.key, res.to_dict())
    ordered = [results[i] for i in range(len(files))]
    return CheckRun(root, config, ordered, time.perf_counter() - t0, cache.hits)


__all__ = ["CheckRun", "FileResult", "check_file", "check_paths", "default_jobs", "evaluate_file", "exit_code",
           "iter_tables", "lenient_csv"]
