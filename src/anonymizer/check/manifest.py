"""What a file's ``anon sanitize`` manifest says, read defensively.

A manifest (``safe.csv`` -> ``safe.manifest.json``, written by ``anon sanitize``) is a claim, not
a proof: anyone can copy one beside another file and edit its digest. So it never replaces the
content check; when it *describes* the file (``output.sha256`` equals the file's SHA-256) and
says the run was safe (released, verification passed, strict, a profile the configuration
allows, privacy target k not below the configured one, no identifier column kept), it only
changes which rules apply: the columns it says were faked, pseudonymised, suppressed or
redacted are expected to hold sanitize's fakes and are checked against their marks
(``anonymizer.check.release``) instead of failing as identities. Its columns and row count are
compared with the table (``content_problems``), and everything else — identifiers in the other
columns, free text, k and small cells over the quasi-identifiers the scan finds — is checked as
for any file.

Unknown fields are ignored (the manifest grows); a field the check needs that is missing or of
the wrong type makes the manifest untrusted, and the message names it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anonymizer.check.config import CheckConfig

REQUIRED = {  # dotted field -> what it must be
    "released": "true or false", "verification.passed": "true or false", "strict": "true or false",
    "profile": "a profile name", "output.sha256": "a SHA-256 digest", "output.rows": "a row count",
    "output.columns": "a column count", "columns": "the column decisions",
}


def manifest_path_for(path: Path) -> Path:
    """``safe.csv`` -> ``safe.csv.manifest.json`` (as ``anon sanitize`` names it)."""
    from anonymizer.engine.manifest import manifest_path_for as sanitize_names

    return sanitize_names(path)


def legacy_manifest_path(path: Path) -> Path:
    """``safe.csv`` -> ``safe.manifest.json``: the name releases of earlier versions got (the CSV
    and the XLSX release of one input shared it)."""
    return path.with_suffix(".manifest.json") if path.suffix else path.with_name(path.name + ".manifest.json")


def find_manifest(path: Path) -> Path | None:
    """The file's manifest: ``<name>.manifest.json``, else an earlier version's ``<stem>.manifest.json``
    (judged the same way: it vouches only when its digest is this file's)."""
    for m in (manifest_path_for(path), legacy_manifest_path(path)):
        if m.is_file() and not m.is_symlink():
            return m
    return None


@dataclass
class ManifestVerdict:
    path: Path
    valid: bool                   # describes the file and vouches for a safe run (the content is still checked)
    problems: list[str] = field(default_factory=list)   # why it does not vouch
    profile: str | None = None
    digest: str | None = None     # the manifest file's own SHA-256, part of the cache key
    describes: bool = False       # output.sha256 equals the file's SHA-256
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)  # column -> role, entity, action, params
    rows: int | None = None
    n_columns: int | None = None

    @property
    def output_columns(self) -> list[str]:
        return [c for c, d in self.decisions.items() if d.get("action") != "drop"]

    @property
    def replaced(self) -> frozenset[str]:
        """Columns the manifest says were faked, pseudonymised, suppressed or redacted."""
        from anonymizer.check.release import REPLACING

        return frozenset(c for c, d in self.decisions.items() if d.get("action") in REPLACING)

    def content_problems(self, columns: list[str], rows: int) -> list[str]:
        """Where the manifest does not describe the table beside it: its columns and row count."""
        out: list[str] = []
        have = [str(c) for c in columns]
        want = self.output_columns
        dropped = [c for c, d in self.decisions.items() if d.get("action") == "drop" and c in have]
        if dropped:
            out.append(f"column(s) it says were dropped are present: {', '.join(dropped)}")
        missing = [c for c in want if c not in have]
        extra = [c for c in have if c not in want and c not in dropped]
        if missing:
            out.append(f"column(s) it lists are missing: {', '.join(missing[:10])}")
        if extra:
            out.append(f"column(s) it does not list: {', '.join(extra[:10])}")
        if self.n_columns is not None and self.n_columns != len(have):
            out.append(f"it declares {self.n_columns} columns, the file has {len(have)}")
        if self.rows is not None and self.rows != rows:
            out.append(f"it declares {self.rows:,} rows, the file has {rows:,}")
        return out


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _well_typed(name: str, value: Any) -> bool:
    if name in ("released", "verification.passed", "strict"):
        return isinstance(value, bool)
    if name in ("output.rows", "output.columns"):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if name == "output.sha256":
        return isinstance(value, str) and len(value) == 64
    if name == "profile":
        return isinstance(value, str)
    if name == "columns":
        return isinstance(value, dict) and all(isinstance(d, dict) and isinstance(d.get("action"), str)
                                               for d in value.values())
    return value is not None


def verify_manifest(path: Path, config: CheckConfig, *, file_sha256: str | None = None) -> ManifestVerdict | None:
    """None when the file has no manifest beside it; else the verdict with every reason it does not vouch."""
    mpath = find_manifest(path)
    if mpath is None:
        return None
    try:
        raw = mpath.read_bytes()
        data: Any = json.loads(raw)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return ManifestVerdict(mpath, False, ["the manifest is not readable JSON"])
    digest = hashlib.sha256(raw).hexdigest()
    if not isinstance(data, dict) or data.get("tool") != "anon":
        return ManifestVerdict(mpath, False, ["not a manifest written by anon sanitize"], digest=digest)
    v = ManifestVerdict(mpath, False, digest=digest)
    lacking = [n for n in REQUIRED if not _well_typed(n, _get(data, n))]
    if lacking:
        v.problems.append(f"the manifest lacks field(s) the check needs or has them of the wrong type "
                          f"({', '.join(lacking)}): not trusted")
    expected = str(_get(data, "output.sha256") or "").lower()
    actual = file_sha256 or _sha256(path)
    v.describes = bool(expected) and expected == actual
    if expected and not v.describes:
        v.problems.append("the file's SHA-256 differs from the manifest's output digest (the file changed after "
                          "sanitize, or the manifest belongs to another file)")
    if _get(data, "released") is not True:
        v.problems.append("the manifest says the output was not released")
    if _get(data, "verification.passed") is not True:
        v.problems.append("the manifest's verification did not pass")
    if _get(data, "strict") is not True:
        v.problems.append("the sanitize run was not strict (undecided columns could have been kept)")
    profile = _get(data, "profile")
    v.profile = profile if isinstance(profile, str) else None
    if v.profile is not None and profile not in config.allowed_profiles:
        v.problems.append(f"profile '{profile}' is not allowed (allowed: {', '.join(config.allowed_profiles)})")
    if _get(data, "privacy.targets") == "none":
        v.problems.append("the policy said privacy: none (no privacy target, no k)")
    k = _get(data, "privacy.targets.k")
    if isinstance(k, (int, float)) and not isinstance(k, bool) and k < config.k:
        v.problems.append(f"the privacy target k = {k:g} is below the required k = {config.k}")
    cols = _get(data, "columns")
    if isinstance(cols, dict):
        v.decisions = {str(c): d for c, d in cols.items() if isinstance(d, dict)}
        kept = sorted(c for c, d in v.decisions.items() if d.get("role") == "identifier" and d.get("action") == "keep")
        if kept:
            v.problems.append(f"identifier column(s) kept unchanged: {', '.join(kept)}")
    rows, ncols = _get(data, "output.rows"), _get(data, "output.columns")
    v.rows = rows if _well_typed("output.rows", rows) else None
    v.n_columns = ncols if _well_typed("output.columns", ncols) else None
    v.valid = v.describes and not v.problems
    return v


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()
