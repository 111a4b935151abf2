"""``anon check`` settings: thresholds, allowed profiles and exceptions, from ``anon.toml`` or ``pyproject.toml``.

The file is found by walking up from the checked paths (stopping at the repository root):
the first ``anon.toml``, or ``pyproject.toml`` holding a ``[tool.anon]`` table, wins. In
``anon.toml`` the settings sit under ``[check]`` (or at top level); in ``pyproject.toml``
under ``[tool.anon.check]`` (or ``[tool.anon]``). Defaults come from the ``training``
profile's privacy targets, so the gate asks what ``anon sanitize --profile training`` delivers.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from anonymizer.detect.entities import DIRECT_IDENTIFIERS, PERSON_QI, TEXT_PII, WEAK_IDENTIFIERS
from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.settings import DEFAULT_TARGETS, REPORT_K, PrivacyTargets

CONFIG_NAMES = ("anon.toml", "pyproject.toml")

# The default entity lists come from the entity table (``check`` of each entry):
# DIRECT_IDENTIFIERS name or reach one person: a column holding one of them fails the file;
# WEAK_IDENTIFIERS only point to a person when the table is about people (a unique row id in a
# table of communes, a company name in a list of employers); TEXT_PII, found inside free text,
# fail a file; PERSON_QI describe a person (not a place): they make a table person-level.


def _training_targets() -> PrivacyTargets:
    """The training profile's targets (shipped data, validated: a broken profile is an error, not
    a silent fallback to other values)."""
    from anonymizer.policy import load_profile

    return PrivacyTargets.of(load_profile("training").get("privacy"), origin="profile training", error=UsageError)


@dataclass
class CheckConfig:
    """Everything that decides pass/fail; its digest is part of every cache key."""

    k: int = REPORT_K
    max_record_risk: float = DEFAULT_TARGETS.max_record_risk
    small_cell: int = DEFAULT_TARGETS.small_cell
    key_entities: list[str] = field(default_factory=list)
    allowed_profiles: list[str] = field(default_factory=lambda: ["training", "publication"])
    direct_identifiers: list[str] = field(default_factory=lambda: list(DIRECT_IDENTIFIERS))
    weak_identifiers: list[str] = field(default_factory=lambda: list(WEAK_IDENTIFIERS))
    text_pii: list[str] = field(default_factory=lambda: list(TEXT_PII))
    person_qi: list[str] = field(default_factory=lambda: list(PERSON_QI))
    fail_on_weak_identifiers: bool = False  # record ids / organisation names in a people table: warn or fail
    min_confidence: float = 0.5          # scan findings below this confidence are not acted on
    text_pii_min_share: float = 0.0      # share of sampled free-text cells holding PII above which a column fails
    person_min_share: float = 0.05       # ... for PERSON (NER), which tags a brand or a place now and then
    risk_min_rows: int = 100             # smaller tables are excerpts: no k, but no exact birth date either
    sample_rows: int = 1000              # rows sampled by the scan (risk always uses every row)
    ner: bool = True
    exclude: list[str] = field(default_factory=list)          # gitwildmatch patterns, relative to root
    # files that cannot be checked (unreadable, over budget, unsupported format) fail the gate,
    # except under these patterns, where they are reported as a warning
    allow_unchecked: list[str] = field(default_factory=list)
    max_file_mb: float = 1024.0          # size budget per file: larger files are not read (unchecked)
    max_file_seconds: float = 120.0      # time budget per file: the check stops there (unchecked)
    max_archive_mb: float = 512.0        # decompressed bytes read from one .gz / .zip / .tar
    columns: dict[str, list[str]] = field(default_factory=dict)  # path pattern -> columns exempted
    root: str = "."                      # folder the patterns are relative to (the config file's folder)
    source: str | None = None            # the config file used, if any

    def digest(self) -> str:
        data = asdict(self)
        data.pop("source", None)
        data.pop("root", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def excluded(self, rel: str) -> bool:
        return bool(self.exclude) and pathspec.GitIgnoreSpec.from_lines(self.exclude).match_file(rel)

    def unchecked_allowed(self, rel: str) -> bool:
        """Whether an unchecked file at ``rel`` (relative to the config's folder) only warns."""
        return bool(self.allow_unchecked) and pathspec.GitIgnoreSpec.from_lines(self.allow_unchecked).match_file(rel)

    def exempt_columns(self, rel: str) -> set[str]:
        """Columns exempted for the file at ``rel`` (POSIX path relative to the config's folder)."""
        out: set[str] = set()
        for pattern, cols in self.columns.items():
            if pattern in ("*", "**") or pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(rel):
                out.update(cols)
        return out


_TYPES: dict[str, type] = {
    "k": int, "max_record_risk": float, "small_cell": int, "min_confidence": float,
    "text_pii_min_share": float, "person_min_share": float, "sample_rows": int, "risk_min_rows": int, "ner": bool,
    "fail_on_weak_identifiers": bool, "max_file_mb": float, "max_file_seconds": float, "max_archive_mb": float,
}
_LISTS = ("key_entities", "allowed_profiles", "direct_identifiers", "weak_identifiers", "text_pii",
          "person_qi", "exclude", "allow_unchecked")


def _section(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    if name == "pyproject.toml":
        tool = (data.get("tool") or {}).get("anon")
        if not isinstance(tool, dict):
            return None
        return tool.get("check") if isinstance(tool.get("check"), dict) else tool
    return data.get("check") if isinstance(data.get("check"), dict) else data


def config_from_dict(values: dict[str, Any], *, root: Path | str = ".", source: str | None = None) -> CheckConfig:
    """Validate a settings table; unknown keys and wrong types are usage errors (exit 2)."""
    prof = _training_targets()
    cfg = CheckConfig(
        k=prof.report_k, max_record_risk=prof.max_record_risk, small_cell=prof.small_cell,
        key_entities=list(prof.key_entities), root=str(root), source=source,
    )
    where = source or "configuration"
    ignored = {"check"} | ({"sanitize", "scan", "risk", "generate", "convert"})
    for key, value in values.items():
        if key in ignored and isinstance(value, dict):
            continue
        if key in _TYPES:
            want = _TYPES[key]
            ok = isinstance(value, bool) if want is bool else (
                isinstance(value, (int, float)) and not isinstance(value, bool) and (want is float or float(value).is_integer()))
            if not ok:
                raise UsageError(_("{where}: '{key}' must be {name}").format(where=where, key=key, name=want.__name__))
            setattr(cfg, key, want(value))
        elif key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(_("{where}: '{key}' must be a list of strings").format(where=where, key=key))
            setattr(cfg, key, list(value))
        elif key == "columns":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = {"*": value}
            if not isinstance(value, dict) or not all(
                isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()
            ):
                raise UsageError(_("{where}: 'columns' must map path patterns to lists of column names").format(where=where))
            cfg.columns = {str(p): list(v) for p, v in value.items()}
        else:
            raise UsageError(_("{where}: unknown setting '{key}'").format(where=where, key=key))
    if cfg.k < 1 or cfg.small_cell < 1 or not (0 < cfg.max_record_risk <= 1) or cfg.sample_rows < 1:
        raise UsageError(_('{where}: k, small_cell and sample_rows must be >= 1 and max_record_risk in (0, 1]').format(where=where))
    if min(cfg.max_file_mb, cfg.max_file_seconds, cfg.max_archive_mb) <= 0:
        raise UsageError(_('{where}: max_file_mb, max_file_seconds and max_archive_mb must be > 0').format(where=where))
    return cfg


def load_config_file(path: Path) -> CheckConfig:
    from anonymizer.configfiles import read_config_text

    text = read_config_text(path, "configuration file")
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(_('{path}: not valid TOML ({value})').format(path=path, value=str(exc).splitlines()[0])) from None
    section = _section(data, path.name)
    if section is None:
        section = {}
    return config_from_dict(section, root=path.parent, source=str(path))


def _folder_of(path: Path) -> Path:
    """The resolved folder of ``path`` (itself if a real folder) without resolving a link named ``path``
    (a link loop named on the command line must not raise)."""
    path = Path(os.path.abspath(path))
    if path.is_dir() and not path.is_symlink():
        return path.resolve()
    return path.parent.resolve()


def repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder or a worktree file)."""
    p = _folder_of(start)
    for d in (p, *p.parents):
        if (d / ".git").exists():
            return d
    return None


def find_config(paths: list[Path]) -> Path | None:
    """Walk up from the paths' common folder to the repository root: first ``anon.toml`` or
    ``pyproject.toml`` with ``[tool.anon]``."""
    if not paths:
        return None
    dirs = [_folder_of(p) for p in paths]
    common = Path(os.path.commonpath([str(d) for d in dirs]))
    stop = repo_root(common)
    for d in (common, *common.parents):
        anon = d / "anon.toml"
        if anon.is_file():
            return anon
        pyproject = d / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                data = {}
            if isinstance((data.get("tool") or {}).get("anon"), dict):
                return pyproject
        if stop is not None and d == stop:
            break
    return None


def load_config(paths: list[Path], explicit: Path | None = None) -> CheckConfig:
    """The configuration for a run: ``--config`` if given, else the one found above the paths, else defaults."""
    if explicit is not None:
        return load_config_file(explicit)
    found = find_config(paths)
    if found is not None:
        return load_config_file(found)
    base = repo_root(paths[0]) if paths else None
    return config_from_dict({}, root=base or Path.cwd())
