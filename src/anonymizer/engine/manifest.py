"""The manifest: what was done to a file, verifiable later by `anon check`.

It holds digests, the profile, the key's fingerprint (never the key), the action per
column, the privacy targets reached and the verification result — never a value.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

from anonymizer import __version__

MANIFEST_SCHEMA_VERSION = 1


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def manifest_path_for(output: Path) -> Path:
    """``safe.csv`` -> ``safe.manifest.json``, beside the output."""
    return output.with_suffix(".manifest.json") if output.suffix else output.with_name(output.name + ".manifest.json")


def build_manifest(**fields: Any) -> dict[str, Any]:
    manifest = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "tool": "anon",
        "tool_version": __version__,
        "python": platform.python_version(),
    }
    manifest.update(fields)
    return manifest


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
