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


def digest_lines(items: list[tuple[str, str]]) -> str:
    """SHA-256 of ``sha256sum``-style lines: one digest for a set of files (name, digest)."""
    return hashlib.sha256("".join(f"{digest}  {name}\n" for name, digest in items).encode("utf-8")).hexdigest()


def digest_input(path: str | Path) -> str:
    """The digest of an input: its SHA-256 for a file, :func:`digest_lines` over the parts of
    a folder or glob (paths relative to the folder), as the Dask engine records them."""
    p = Path(path)
    if p.is_file():
        return sha256_file(p)
    from anonymizer.io.parts import list_files

    _fmt, files = list_files(path)
    return digest_lines([(str(f.relative_to(p)) if p.is_dir() else f.name, sha256_file(f)) for f in files])


def manifest_path_for(output: Path) -> Path:
    """``safe.csv`` -> ``safe.csv.manifest.json``, beside the output: the whole name, so the CSV and
    the XLSX release of one input (``safe.csv``, ``safe.xlsx``) never share a manifest."""
    return output.with_name(output.name + ".manifest.json")


def risk_paths_for(output: Path) -> tuple[Path, Path]:
    """``safe.csv`` -> ``safe.csv.risk.json`` and ``safe.csv.risk.html`` (the whole name, as the manifest)."""
    return output.with_name(output.name + ".risk.json"), output.with_name(output.name + ".risk.html")


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
