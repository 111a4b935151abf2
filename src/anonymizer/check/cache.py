"""Content-hash cache of verdicts, kept outside the working tree.

A verdict is reused only when everything it depends on is unchanged: the file's bytes (SHA-256),
its manifest's bytes, how it is read (its kind), the settings that apply to it (the
configuration digest, its exempted columns, whether an unchecked result only warns) and the
checker itself (the tool version and a fingerprint of the installed code and rules). Paths do
not count: copies share one entry.

The cache lives in the user's cache folder (``$XDG_CACHE_HOME/anon/check``, else
``~/.cache/anon/check``), or where ``--cache-dir`` / ``$ANON_CACHE_DIR`` say (a folder CI
restores). Nothing in the checked repository is trusted: a cache folder inside it — the old
``.anon-cache/``, or one committed with ``git add -f`` — is never read, and a cache directory
that resolves inside the repository is refused. Entries hold verdicts and masked findings
only, never a value from the data, and each repeats its own key (a renamed entry is a miss).
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

CACHE_FORMAT = 2
ENV_DIR = "ANON_CACHE_DIR"


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


def cache_key(*, config_digest: str, file_sha256: str, manifest_sha256: str | None, kind: str,
              settings: str = "") -> str:
    """The entry's name: every input of the verdict (see the module docstring)."""
    parts = [f"anon-check/{CACHE_FORMAT}", __version__, code_fingerprint(), config_digest, kind, settings,
             file_sha256, manifest_sha256 or "-"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$ANON_CACHE_DIR``, else ``$XDG_CACHE_HOME/anon/check``, else ``~/.cache/anon/check``."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "anon" / "check"


def inside(folder: Path, root: Path) -> bool:
    """Whether ``folder`` is ``root`` or lies under it (both resolved, the folder need not exist yet)."""
    folder, root = folder.resolve(), root.resolve()
    return folder == root or root in folder.parents


class Cache:
    """A folder of small JSON files, one per key; failures to read or write are never fatal."""

    def __init__(self, directory: Path | None, enabled: bool = True) -> None:
        self.dir = directory
        self.enabled = enabled and directory is not None
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.dir is not None
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("result"), dict):
            self.misses += 1
            return None
        self.hits += 1
        return data["result"]

    def put(self, key: str, value: dict[str, Any]) -> None:
        if not self.enabled:
            return
        try:
            target = self._path(key)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "result": value}, fh, ensure_ascii=False)
            os.replace(tmp, target)
        except OSError:
            pass
