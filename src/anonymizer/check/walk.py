"""Which files to check: folders walked like git sees them (``.gitignore``, nested ones too) plus ``.anonignore``,
and never a file that is not what it seems.

``.git/info/exclude`` counts like a root ``.gitignore``. Patterns follow gitwildmatch (``pathspec``): each ignore file applies to its own folder and
below, a deeper file's patterns override a shallower one's, the last matching line wins and
``!pattern`` re-includes. ``.gitignore`` files above the walked folder, up to the repository
root, count too. A file named on the command line is always checked unless ``.anonignore``
or the configuration's ``exclude`` names it (pre-commit passes staged files, ignored or not).

The walk is safe: it never opens anything before knowing what it is (``lstat``). Symbolic
links are followed only to a regular file inside the repository (git publishes the link, not
what it points to; a link to ``/etc/shadow`` or ``/dev/zero`` is not read); links to folders
are not followed; link loops, broken links, FIFOs, sockets and device files are listed as
skipped without being opened, so the run cannot hang on them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from anonymizer.check.config import CheckConfig, repo_root
from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.io.registry import EXTENSIONS

TABLE_EXTENSIONS = {
    **dict.fromkeys(EXTENSIONS, "table"),  # every format anon reads (io.registry)
    ".txt": "text-table",
    ".ipynb": "notebook",
    ".md": "markdown", ".markdown": "markdown", ".rmd": "markdown", ".qmd": "markdown",
    ".json": "json",
    ".gz": "archive", ".tgz": "archive", ".bz2": "archive", ".xz": "archive", ".zip": "archive", ".tar": "archive",
}
# data formats anon cannot read: such a file is reported unchecked (it fails the gate unless allowed)
UNSUPPORTED_FORMATS = {
    ".xls": "old Excel workbook (.xls): save it as .xlsx to have it checked",
    ".ods": "OpenDocument spreadsheet: save it as .xlsx or .csv to have it checked",
    ".numbers": "Numbers spreadsheet: export it as .xlsx or .csv to have it checked",
    ".rds": "R data file: write it as .csv or .parquet to have it checked",
    ".rdata": "R data file: write it as .csv or .parquet to have it checked",
    ".rda": "R data file: write it as .csv or .parquet to have it checked",
    ".feather": "Feather / Arrow file: write it as .parquet to have it checked",
    ".arrow": "Feather / Arrow file: write it as .parquet to have it checked",
    ".h5": "HDF5 file: write its tables as .parquet to have them checked",
    ".hdf5": "HDF5 file: write its tables as .parquet to have them checked",
    ".pkl": "Python pickle: write the table as .parquet to have it checked",
    ".pickle": "Python pickle: write the table as .parquet to have it checked",
    ".sqlite": "SQLite database: export its tables to have them checked",
    ".sqlite3": "SQLite database: export its tables to have them checked",
    ".db": "database file: export its tables to have them checked",
    ".mdb": "Access database: export its tables to have them checked",
    ".accdb": "Access database: export its tables to have them checked",
    ".dbf": "dBase table: export it as .csv to have it checked",
    ".7z": "7-Zip archive: not opened (use .zip or .tar.gz)",
    ".rar": "RAR archive: not opened (use .zip or .tar.gz)",
}
# copies that keep the original's content: read as the name they were made from
BACKUP_SUFFIXES = (".bak", ".old", ".orig", ".save", ".backup", ".tmp", ".copy", "~")
# code, configuration and page sources: not data, never listed (as before)
SOURCE_EXTENSIONS = {
    ".py", ".pyi", ".r", ".jl", ".js", ".mjs", ".ts", ".tsx", ".jsx", ".css", ".scss", ".sass", ".less",
    ".html", ".htm", ".xml", ".xsl", ".svg", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".conf", ".env",
    ".sh", ".bash", ".zsh", ".fish", ".bat", ".cmd", ".ps1", ".tex", ".sty", ".cls", ".bib", ".bst", ".rst",
    ".adoc", ".org", ".lock", ".sql", ".c", ".h", ".cpp", ".hpp", ".java", ".go", ".rs", ".rb", ".php",
    ".lua", ".m", ".do", ".sas", ".sps", ".stan", ".scala", ".kt", ".swift", ".ipynb_checkpoints", ".map",
    ".vim", ".el", ".dockerfile", ".gitignore", ".gitattributes", ".gitmodules", ".anonignore",
    ".editorconfig", ".nojekyll", ".csl", ".lyx", ".rproj", ".code-workspace",
}
SOURCE_NAMES = {
    "makefile", "dockerfile", "license", "licence", "copying", "notice", "authors", "contributors",
    "changelog", "news", "gemfile", "procfile", "rakefile", "vagrantfile", "justfile", "citation.cff",
    ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", "_quarto.yml", "_bookdown.yml", "description",
    "namespace", ".rbuildignore", ".rprofile", ".renviron", ".lintr", ".python-version",
    "thumbs.db", "desktop.ini", ".ds_store",  # the desktop's own files
}
ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn", ".anon-cache", "__pycache__", ".ipynb_checkpoints", "node_modules"}
IGNORE_FILES = (".gitignore", ".anonignore")


def kind_of(path: Path | str) -> str | None:
    """What a file name says it holds: ``table``, ``text-table`` (checked only if delimited), ``notebook``,
    ``markdown``, ``json``, ``archive``, ``unsupported`` (a data format anon cannot read), ``unknown``
    (looked at: binary is skipped, delimited text is a table) or None (code, configuration, a manifest)."""
    name = Path(path).name.lower()
    if name.endswith(".manifest.json") or name in SOURCE_NAMES:
        return None
    for suffix in BACKUP_SUFFIXES:  # data.csv.bak, extrait.csv~: read as data.csv
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind_of(name[: -len(suffix)]) or "unknown"
    suffix = Path(name).suffix
    if suffix in TABLE_EXTENSIONS:
        return TABLE_EXTENSIONS[suffix]
    if suffix in UNSUPPORTED_FORMATS:
        return "unsupported"
    if suffix in SOURCE_EXTENSIONS or (not suffix and name.startswith(".")):
        return None
    return "unknown"


def read_as(path: Path | str) -> str:
    """The name whose extension says how to read a file: ``data.csv.bak`` -> ``data.csv``."""
    name = Path(path).name
    for suffix in BACKUP_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix) and kind_of(name[: -len(suffix)]):
            return name[: -len(suffix)]
    return name


@dataclass
class Entry:
    """One file the walk found: checked when ``skip`` is None, else listed as skipped with that reason."""

    path: Path                     # the file as named in the tree (a link stays a link)
    kind: str | None
    skip: str | None = None


_SPECIAL = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _special(mode: int) -> str | None:
    for test, what in _SPECIAL:
        if test(mode):
            return what
    if stat.S_ISDIR(mode):
        return "a folder"
    return None if stat.S_ISREG(mode) else "not a regular file"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def inspect(path: Path, root: Path) -> str | None:
    """Why ``path`` must not be opened (None: a regular file, or a link to one inside ``root``).

    Only ``lstat``, ``realpath`` and ``stat`` are used: nothing is opened.
    """
    try:
        st = os.lstat(path)
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or type(exc).__name__})"
    if not stat.S_ISLNK(st.st_mode):
        what = _special(st.st_mode)
        return f"{what}: not opened" if what else None
    try:
        target = Path(os.path.realpath(path, strict=True))
        what = _special(os.stat(target).st_mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop: not followed"
        return "broken symbolic link: nothing to read"
    except RuntimeError:  # older Pythons report loops this way
        return "symbolic link loop: not followed"
    if not _inside(target, root):
        return (f"symbolic link to {what or 'a file'} outside the repository: not read "
                "(git publishes the link, not its target)")
    if what == "a folder":
        return "symbolic link to a folder: not followed (what it points to is checked where it lies)"
    return f"symbolic link to {what}: not opened" if what else None


@dataclass
class _Spec:
    base: Path
    spec: pathspec.PathSpec
    git: bool  # a .gitignore (applies to folder walks only) or an .anonignore (applies always)


def _load_spec(folder: Path, name: str) -> _Spec | None:
    f = folder / name
    if inspect(f, folder) is not None:  # absent, or a link / FIFO: never opened
        return None
    try:
        lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _Spec(folder, pathspec.GitIgnoreSpec.from_lines(lines), name == ".gitignore")


def _own(path: Path) -> Path:
    """Absolute path with its folder resolved but not the file itself (a link is judged by its own name)."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name if path.name else path.resolve()


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
            exclude = _load_spec(folder / ".git" / "info", "exclude") if (folder / ".git").is_dir() else None
            if exclude is not None:
                own.insert(0, _Spec(folder, exclude.spec, True))
        self._cache[folder] = parent + own
        return self._cache[folder]

    def ignored(self, path: Path, *, is_dir: bool, walking: bool) -> bool:
        """Last matching pattern wins, deeper files after shallower ones; ``.gitignore`` only when walking."""
        path = _own(path)
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
    path = _own(path)
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def walk(paths: list[Path], config: CheckConfig) -> tuple[list[Entry], Path]:
    """Every file to report (sorted, unique; skipped ones with their reason) and the root paths are relative to.

    A path that does not exist is a usage error (exit 2). Folders are walked without following
    links; hidden VCS and cache folders are skipped.
    """
    if not paths:
        raise UsageError(_("give at least one file or folder to check"))
    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(_('{p}: no such file or folder').format(p=p))
    named = [_own(p) for p in paths]
    first = named[0] if named[0].is_dir() and not named[0].is_symlink() else named[0].parent
    root = repo_root(first) or Path(config.root).resolve()
    if not all(_inside(p, root) for p in named):
        root = Path(os.path.commonpath([str(p) for p in named]))
        root = root if root.is_dir() and not root.is_symlink() else root.parent
    rules = IgnoreRules(root)
    cfg_root = Path(config.root).resolve()
    out: dict[Path, Entry] = {}

    def excluded(p: Path, is_dir: bool = False) -> bool:
        return config.excluded(_rel(p, cfg_root) + ("/" if is_dir else ""))

    def add(p: Path, *, walking: bool) -> None:
        if rules.ignored(p, is_dir=False, walking=walking) or excluded(p):
            return
        kind = kind_of(p.name)
        if kind is None:  # code, configuration, a manifest: not data (a named one is looked at, unless a manifest)
            if walking or p.name.lower().endswith(".manifest.json"):
                return
            kind = "unknown"
        out[p] = Entry(p, kind, inspect(p, root))

    for p in named:
        if os.path.isdir(p) and not os.path.islink(p):
            for cur, dirs, files in os.walk(p):  # never follows links to folders
                curp = Path(cur)
                keep = []
                for d in sorted(dirs):
                    dp = curp / d
                    if d in ALWAYS_SKIPPED_DIRS or d.startswith(".venv"):
                        continue
                    if rules.ignored(dp, is_dir=True, walking=True) or excluded(dp, True):
                        continue
                    if os.path.islink(dp):  # os.walk lists links to folders among the folders
                        out[dp] = Entry(dp, "unknown", inspect(dp, root) or "symbolic link: not followed")
                        continue
                    keep.append(d)
                dirs[:] = keep
                for f in sorted(files):
                    add(curp / f, walking=True)
        else:
            add(p, walking=False)
    return [out[k] for k in sorted(out)], root


def collect_files(paths: list[Path], config: CheckConfig) -> tuple[list[Path], Path]:
    """The files that will be read (not the skipped ones) and the root their reported paths are relative to."""
    entries, root = walk(paths, config)
    return [e.path for e in entries if e.skip is None], root


def iter_kinds(files: list[Path]) -> Iterator[tuple[Path, str]]:
    for f in files:
        yield f, kind_of(f) or "table"
