"""Is a file vouched for by its ``anon sanitize`` manifest?

A manifest (``safe.csv`` -> ``safe.manifest.json``, written by ``anonymizer.engine.sanitize``)
vouches for exactly the bytes it digested. It is accepted only when the file's SHA-256 equals
``output.sha256`` and the run was safe: released, verification passed, strict, a profile the
configuration allows, privacy target k not below the configured one and no identifier column kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anonymizer.check.config import CheckConfig
from anonymizer.engine.manifest import manifest_path_for, sha256_file


@dataclass
class ManifestVerdict:
    path: Path
    valid: bool
    problems: list[str] = field(default_factory=list)
    profile: str | None = None
    digest: str | None = None  # the manifest file's own SHA-256, part of the cache key


def find_manifest(path: Path) -> Path | None:
    m = manifest_path_for(path)
    return m if m.is_file() else None


def verify_manifest(path: Path, config: CheckConfig, *, file_sha256: str | None = None) -> ManifestVerdict | None:
    """None when the file has no manifest beside it; else the verdict with every reason it is not accepted."""
    mpath = find_manifest(path)
    if mpath is None:
        return None
    try:
        raw = mpath.read_bytes()
        data: Any = json.loads(raw)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return ManifestVerdict(mpath, False, ["the manifest is not readable JSON"])
    import hashlib

    verdict = ManifestVerdict(mpath, True, digest=hashlib.sha256(raw).hexdigest())
    problems = verdict.problems
    if not isinstance(data, dict) or data.get("tool") != "anon":
        return ManifestVerdict(mpath, False, ["not a manifest written by anon sanitize"], digest=verdict.digest)
    output = data.get("output") if isinstance(data.get("output"), dict) else {}
    expected = str(output.get("sha256") or "").lower()
    actual = file_sha256 or sha256_file(path)
    if not expected:
        problems.append("the manifest holds no output digest")
    elif expected != actual:
        problems.append("the file's SHA-256 differs from the manifest's output digest (changed after sanitize?)")
    if data.get("released") is not True:
        problems.append("the manifest says the output was not released")
    ver = data.get("verification") if isinstance(data.get("verification"), dict) else {}
    if ver.get("passed") is not True:
        problems.append("the manifest's verification did not pass")
    if data.get("strict") is not True:
        problems.append("the sanitize run was not strict (undecided columns could have been kept)")
    profile = data.get("profile")
    verdict.profile = profile if isinstance(profile, str) else None
    if profile not in config.allowed_profiles:
        problems.append(f"profile '{profile}' is not allowed (allowed: {', '.join(config.allowed_profiles)})")
    privacy = data.get("privacy") if isinstance(data.get("privacy"), dict) else {}
    if privacy.get("targets") == "none":
        problems.append("the policy said privacy: none (no privacy target, no k)")
    targets = privacy.get("targets") if isinstance(privacy.get("targets"), dict) else {}
    k = targets.get("k")
    if isinstance(k, (int, float)) and k < config.k:
        problems.append(f"the privacy target k = {k:g} is below the required k = {config.k}")
    cols = data.get("columns") if isinstance(data.get("columns"), dict) else None
    if cols is None:
        problems.append("the manifest lists no column decisions")
    else:
        kept = sorted(c for c, d in cols.items() if isinstance(d, dict) and d.get("role") == "identifier"
                      and d.get("action") == "keep")
        if kept:
            problems.append(f"identifier column(s) kept unchanged: {', '.join(kept)}")
    verdict.valid = not problems
    return verdict
