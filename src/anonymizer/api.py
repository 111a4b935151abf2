"""The Python API for notebooks: ``anon.scan(df)``, ``anon.sanitize(df, ...)``, ``anon.risk(df, ...)``.

Each function is the CLI command's own code on a DataFrame, never a second pipeline:
``sanitize`` writes the frame as Parquet (dtypes kept) into a private temporary folder, runs
``engine.sanitize.sanitize`` there exactly as ``anon sanitize`` does, reads back the released
table, the manifest and the risk report, and removes the folder. The secret key stays in
memory: it is passed to the pipeline, never written to a file.

Imported lazily by ``anonymizer.__getattr__``, so ``import anonymizer`` stays light.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.errors import PrivacyTargetError, UsageError
from anonymizer.i18n import _, ngettext

__all__ = ["SanitizeResult", "risk", "sanitize", "scan"]

Key = bytes | str


@dataclass
class SanitizeResult:
    """What ``sanitize`` released: the table, its manifest and its risk report (plain dicts, the
    JSON documents ``anon sanitize`` writes beside its output)."""

    data: pd.DataFrame
    manifest: dict[str, Any]
    risk: dict[str, Any] = field(default_factory=dict)

    @property
    def released(self) -> bool:
        """Whether the run passed every check (always true: a failed run raises)."""
        return bool(self.manifest.get("released"))

    @property
    def verdict(self) -> dict[str, Any] | None:
        """The plain-words verdict of the risk report (``risk["verdict"]``), if there is one."""
        return self.risk.get("verdict")


def scan(df: pd.DataFrame, *, ner: bool = True, sample_rows: int = 5000, seed: int = 0) -> dict[str, Any]:
    """Classify every column of ``df`` (role, entity, evidence), as ``anon scan --format json``.

    Returns the scan report as a dict (``rules/schemas/scan.schema.json``); examples in it are
    masked, never raw values. ``ner=False`` skips the language model on free-text columns.
    """
    from anonymizer.detect import scan_table

    _check_frame(df)
    return scan_table(df, ner=ner, sample_rows=sample_rows, seed=seed, source="DataFrame").to_dict()


def sanitize(df: pd.DataFrame, policy: Mapping[str, Any] | str | os.PathLike | None = None,
             key: Key | None = None, *, profile: str = "training", strict: bool | None = None,
             sensitive: Sequence[str] = (), weak_key_ok: bool = False,
             progress: Callable[[str], None] | None = None) -> SanitizeResult:
    """A copy of ``df`` safe for its purpose, made by the same pipeline as ``anon sanitize``.

    ``policy``: a policy dict (as ``anon scan --write-policy`` writes it), the path of a policy
    file, or None for the ``profile``'s proposal from a scan of ``df`` (``training`` by default).
    ``key``: the secret key, as bytes (the key itself) or as text (hex digits, e.g.
    ``anon keygen`` or ``secrets.token_hex(32)``); None reads ``ANON_KEY``. A missing, short or
    guessable key raises ``UsageError`` before anything runs, as in the CLI (``weak_key_ok``:
    fixed keys in tests only). Reuse the same key: it keeps fakes and pseudonyms consistent
    across releases.

    Returns the released table (a fresh RangeIndex: suppressed rows are gone), the manifest and
    the risk report. A run that fails its privacy targets or verification raises
    ``PrivacyTargetError`` (fail closed: the table is not returned); its ``manifest`` and
    ``risk`` attributes say why.
    """
    from anonymizer.engine.sanitize import SanitizeOptions
    from anonymizer.engine.sanitize import sanitize as run_pipeline
    from anonymizer.io import read_table, write_table

    secret = _key(key, weak_key_ok)  # the key first, as in the CLI
    _check_frame(df)
    with tempfile.TemporaryDirectory(prefix="anon-api-") as tmp:  # mode 0700, removed on exit
        folder = Path(tmp)
        policy_path = _policy_file(policy, folder)
        if secret is None:
            _refuse_without_key(profile, policy_path)
        source = folder / "input.parquet"
        write_table(df, source, fmt="parquet")
        opts = SanitizeOptions(profile=profile, policy_path=policy_path, key=secret, strict=strict,
                               sensitive=list(sensitive))
        run = run_pipeline(source, folder / "released.parquet", opts, progress=progress)
        risk_report = json.loads(run.risk_json.read_text(encoding="utf-8")) if run.risk_json else {}
        if not run.released:
            error = PrivacyTargetError(_("verification failed, output not released: {problems}").format(
                problems="; ".join(run.problems[:5])))
            error.manifest, error.risk = run.manifest, risk_report  # type: ignore[attr-defined]
            raise error
        data = read_table(run.output).df
    return SanitizeResult(data=data, manifest=run.manifest, risk=risk_report)


def risk(df: pd.DataFrame, qi: Sequence[str], sensitive: Sequence[str] = (), *,
         original: pd.DataFrame | None = None, population: int | None = None,
         sampling_fraction: float | None = None) -> dict[str, Any]:
    """Re-identification risk of ``df`` on the quasi-identifiers ``qi``, as ``anon risk --format json``.

    ``sensitive`` columns get the attribute-disclosure measures; ``original`` (the input, rows
    aligned with ``df``) adds linkability and utility; ``population`` or ``sampling_fraction``
    the population measures. The report starts with a plain-words ``verdict``.
    """
    from anonymizer.report import render_json
    from anonymizer.report.verdict import add_verdict
    from anonymizer.risk import risk_report

    _check_frame(df)
    report = risk_report(df, list(qi), list(sensitive), original=original, population=population,
                         sampling_fraction=sampling_fraction)
    add_verdict(report)
    return json.loads(render_json(report))  # plain JSON values, as the CLI writes them


def _check_frame(df: Any) -> None:
    if not isinstance(df, pd.DataFrame):
        raise UsageError(_('expected a pandas DataFrame, got {name}').format(name=type(df).__name__))
    bad = [c for c in df.columns if not isinstance(c, str)]
    if bad:
        raise UsageError(ngettext('column names must be text: {n} column(s) are not (rename them first)',
                                  'column names must be text: {n} column(s) are not (rename them first)',
                                  len(bad)).format(n=len(bad)))
    if df.columns.duplicated().any():
        raise UsageError(_('duplicate column name {value!r}').format(value=df.columns[df.columns.duplicated()][0]))


def _key(key: Key | None, weak_ok: bool) -> bytes | None:
    """The key as bytes, checked as the CLI checks a key file; None when none is given anywhere."""
    from anonymizer.transform.pseudonymize import _parse_key, check_key, load_key

    if key is None:
        return load_key(weak_ok=weak_ok) if os.environ.get("ANON_KEY") else None
    if isinstance(key, str):
        return _parse_key(key.encode("utf-8"), "the key argument", weak_ok)
    if isinstance(key, bytes | bytearray):
        return check_key(bytes(key), bytes(key), "the key argument", weak_ok)
    raise UsageError(_('key: expected bytes or hex text, got {name}').format(name=type(key).__name__))


def _policy_file(policy: Mapping[str, Any] | str | os.PathLike | None, folder: Path) -> Path | None:
    """The policy as a file the pipeline reads: a path as given, a dict written as JSON in ``folder``."""
    if policy is None:
        return None
    if isinstance(policy, Mapping):
        path = folder / "policy.json"
        path.write_text(json.dumps(dict(policy), ensure_ascii=False), encoding="utf-8")
        return path
    if isinstance(policy, str | os.PathLike):
        return Path(policy)
    raise UsageError(_('policy: expected a dict, a path or None, got {name}').format(name=type(policy).__name__))


def _refuse_without_key(profile: str, policy_path: Path | None) -> None:
    from anonymizer.cli.sanitize import key_needed

    why = key_needed(profile, policy_path)
    if why:
        raise UsageError(_('this run needs a secret key ({why}): pass key= (bytes, or hex text such as `anon keygen` writes) or set ANON_KEY; reuse the same key for every release').format(why=why))
