"""Content-hash cache: a file whose bytes, manifest, settings and tool version are unchanged is not re-checked.

The key is SHA-256 over the tool version (and a fingerprint of the installed code and rules), the configuration digest, the file's path relative to
the root, the file's SHA-256 and its manifest's SHA-256 (a manifest can make a file pass). The
cache lives in ``.anon-cache/`` at the repository root, which carries its own ``.gitignore`` (``*``)
so it is never committed even where the project's ``.gitignore`` forgets it. Entries hold verdicts
and masked findings only, never a value from the data.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from anonymizer import __version__

CACHE_DIR = ".anon-cache"
CACHE_FORMAT = 1


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the installed code and rules: a development checkout whose detectors change without
    a version bump must not be served stale verdicts (an installed package never changes).
    ``$ANON_CHECK_CODE_FINGERPRINT`` pins it (a benchmark in a checkout others are editing)."""
    pinned = os.environ.get("ANON_CHECK_CODE_FINGERPRINT")
    if pinned:
        return hashlib.sha256(pinned.encode()).hexdigest()
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".yaml", ".yml", ".csv", ".json", ".txt") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key(*, config_digest: str, rel_path: str, file_sha256: str, manifest_sha256: str | None) -> str:
    parts = [f"anon-check/{CACHE_FORMAT}", __version__, code_fingerprint(), config_digest, rel_path, file_sha256,
             manifest_sha256 or "-"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Cache:
    """A folder of small JSON files, one per key; failures to read or write are never fatal."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.dir = root / CACHE_DIR
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return data

    def put(self, key: str, value: dict[str, Any]) -> None:
        if not self.enabled:
            return
        try:
            target = self._path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# written by anon check: never commit the cache\n*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, ensure_ascii=False)
            os.replace(tmp, target)
        except OSError:
            pass
