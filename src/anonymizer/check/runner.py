"""Check files: read every table a file holds, apply the manifest or the rules, decide pass / fail / error.

Exit codes (see :func:`exit_code`): 0 when every file passes; 1 when at least one file fails (a
leak found outranks everything else: the gate must say "leak" first); otherwise 2 when a file
could not be read (an unchecked file is not a passed file) or the command line was wrong.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer import __version__
from anonymizer.check.cache import Cache, cache_key
from anonymizer.check.config import CheckConfig
from anonymizer.check.extract import Embedded, delimited_table, markdown_tables, notebook_tables
from anonymizer.check.manifest import verify_manifest
from anonymizer.check.rules import Finding, evaluate_table
from anonymizer.check.walk import collect_files, kind_of
from anonymizer.errors import AnonError

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
    table = read_table(path)
    yield Embedded(table.df, f"{fmt} table" if kind != "table" else "", 1)


def _config_rel(path: Path, config: CheckConfig, rel: str) -> str:
    """The path as the configuration's patterns see it: relative to the configuration file's folder."""
    try:
        return path.resolve().relative_to(Path(config.root).resolve()).as_posix()
    except ValueError:
        return rel


def check_file(path: Path, rel: str, config: CheckConfig, *, cache: Cache | None = None,
               scanner: Callable | None = None) -> FileResult:
    """The verdict for one file: manifest first, then every table it holds through the rules."""
    t0 = time.perf_counter()
    kind = kind_of(path) or "table"
    result = FileResult(rel, PASS, kind={"text-table": "table"}.get(kind, kind))
    try:
        digest = _sha256(path)
    except OSError as exc:
        result.status = ERROR
        result.findings.append(Finding("unreadable", f"cannot read the file ({exc.strerror or type(exc).__name__})"))
        return result
    verdict = verify_manifest(path, config, file_sha256=digest) if kind == "table" else None
    key = None
    if cache is not None:
        key = cache_key(config_digest=config.digest(), rel_path=rel, file_sha256=digest,
                        manifest_sha256=verdict.digest if verdict else None)
        hit = cache.get(key)
        if hit is not None:
            res = FileResult.from_dict(hit)
            res.cached = True
            res.seconds = time.perf_counter() - t0
            return res
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
                result.tables += 1
                result.findings.extend(evaluate_table(emb.df, config, exempt_columns=exempt,
                                                      location=emb.location or None, line=emb.line, scanner=scanner))
        except AnonError as exc:
            result.status = ERROR
            msg = str(exc)
            prefix = f"{path}: "
            msg = msg[len(prefix):] if msg.startswith(prefix) else msg
            result.findings.append(Finding("unreadable", f"cannot read the file: {msg}"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            result.status = ERROR
            result.findings.append(Finding("unreadable", f"cannot read the file ({type(exc).__name__})"))
        result.passed_by = "scan" if result.tables else "no-table"
    if result.status != ERROR and any(f.level == "error" for f in result.findings):
        result.status = FAIL
    if result.status != PASS:
        result.passed_by = None
    result.seconds = time.perf_counter() - t0
    if cache is not None and key is not None and result.status != ERROR:
        cache.put(key, result.to_dict())
    return result


def check_paths(paths: list[Path], config: CheckConfig, *, use_cache: bool = True,
                progress: Callable[[str], None] | None = None, scanner: Callable | None = None) -> CheckRun:
    """Check every file under ``paths`` (see :mod:`anonymizer.check.walk`)."""
    t0 = time.perf_counter()
    files, root = collect_files(paths, config)
    cache = Cache(root, enabled=use_cache)
    results = []
    for f in files:
        rel = f.relative_to(root).as_posix() if root in f.parents else f.as_posix()
        if progress:
            progress(rel)
        results.append(check_file(f, rel, config, cache=cache, scanner=scanner))
    return CheckRun(root, config, results, time.perf_counter() - t0, cache.hits)


__all__ = ["CheckRun", "FileResult", "check_file", "check_paths", "exit_code", "iter_tables", "__version__"]
