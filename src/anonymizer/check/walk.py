"""Which files to check: folders walked like git sees them (``.gitignore``, nested ones too) plus ``.anonignore``.

``.git/info/exclude`` counts like a root ``.gitignore``. Patterns follow gitwildmatch (``pathspec``): each ignore file applies to its own folder and
below, a deeper file's patterns override a shallower one's, the last matching line wins and
``!pattern`` re-includes. ``.gitignore`` files above the walked folder, up to the repository
root, count too. A file named on the command line is always checked unless ``.anonignore``
or the configuration's ``exclude`` names it (pre-commit passes staged files, ignored or not).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from anonymizer.check.config import CheckConfig, repo_root
from anonymizer.errors import UsageError
from anonymizer.io.registry import EXTENSIONS

TABLE_EXTENSIONS = {
    **dict.fromkeys(EXTENSIONS, "table"),  # every format anon reads (io.registry)
    ".txt": "text-table",
    ".ipynb": "notebook",
    ".md": "markdown", ".markdown": "markdown", ".rmd": "markdown", ".qmd": "markdown",
}
ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn", ".anon-cache", "__pycache__", ".ipynb_checkpoints"}
IGNORE_FILES = (".gitignore", ".anonignore")


def kind_of(path: Path) -> str | None:
    """``table``, ``text-table`` (a .txt: checked only if delimited), ``notebook``, ``markdown`` or None."""
    return TABLE_EXTENSIONS.get(path.suffix.lower())


@dataclass
class _Spec:
    base: Path
    spec: pathspec.PathSpec
    git: bool  # a .gitignore (applies to folder walks only) or an .anonignore (applies always)


def _load_spec(folder: Path, name: str) -> _Spec | None:
    f = folder / name
    if not f.is_file():
        return None
    try:
        lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _Spec(folder, pathspec.GitIgnoreSpec.from_lines(lines), name == ".gitignore")


class IgnoreRules:
    """Every ignore file from the repository root down, loaded once per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[Path, list[_Spec]] = {}

    def specs_for(self, folder: Path) -> list[_Spec]:
        """Ignore specs that apply inside ``folder``, shallowest first."""
        folder = folder.resolve()
        if folder in self._cache:
            return self._cache[folder]
        if folder == self.root or self.root not in folder.parents:
            parent: list[_Spec] = []
        else:
            parent = self.specs_for(folder.parent)
        own = [s for s in (_load_spec(folder, n) for n in IGNORE_FILES) if s is not None]
        if folder == self.root:  # the repository's own, uncommitted ignore list
            exclude = _load_spec(folder / ".git" / "info", "exclude")
            if exclude is not None:
                own.insert(0, _Spec(folder, exclude.spec, True))
        self._cache[folder] = parent + own
        return self._cache[folder]

    def ignored(self, path: Path, *, is_dir: bool, walking: bool) -> bool:
        """Last matching pattern wins, deeper files after shallower ones; ``.gitignore`` only when walking."""
        path = path.resolve()
        verdict = False
        for spec in self.specs_for(path.parent):
            if spec.git and not walking:
                continue
            rel = path.relative_to(spec.base).as_posix() + ("/" if is_dir else "")
            res = spec.spec.check_file(rel)
            if res.include is not None:
                verdict = bool(res.include)
        return verdict


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def collect_files(paths: list[Path], config: CheckConfig) -> tuple[list[Path], Path]:
    """The files to check (sorted, unique) and the root their reported paths are relative to.

    A path that does not exist is a usage error (exit 2). Folders are walked; hidden VCS and
    cache folders are skipped.
    """
    if not paths:
        raise UsageError("give at least one file or folder to check")
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file or folder")
    first = paths[0].resolve()
    root = repo_root(first) or Path(config.root).resolve()
    if not all(p.resolve() == root or root in p.resolve().parents for p in paths):
        root = Path(os.path.commonpath([str(p.resolve()) for p in paths]))
        root = root if root.is_dir() else root.parent
    rules = IgnoreRules(root)
    cfg_root = Path(config.root).resolve()
    out: dict[Path, None] = {}

    def excluded(p: Path) -> bool:
        return config.excluded(_rel(p, cfg_root))

    for p in paths:
        rp = p.resolve()
        if rp.is_file():
            if not rules.ignored(rp, is_dir=False, walking=False) and not excluded(rp):
                out[rp] = None
            continue
        for cur, dirs, files in os.walk(rp):
            curp = Path(cur)
            keep = []
            for d in sorted(dirs):
                dp = curp / d
                if d in ALWAYS_SKIPPED_DIRS or d.startswith(".venv"):
                    continue
                if rules.ignored(dp, is_dir=True, walking=True) or config.excluded(_rel(dp, cfg_root) + "/"):
                    continue
                keep.append(d)
            dirs[:] = keep
            for f in sorted(files):
                fp = curp / f
                if kind_of(fp) is None or f.endswith(".manifest.json"):
                    continue
                if rules.ignored(fp, is_dir=False, walking=True) or excluded(fp):
                    continue
                out[fp] = None
    return sorted(out), root


def iter_kinds(files: list[Path]) -> Iterator[tuple[Path, str]]:
    for f in files:
        yield f, kind_of(f) or "table"
