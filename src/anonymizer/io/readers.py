"""``read_table`` / ``iter_batches``: one entry point for every supported format.

Text formats (CSV, XLSX, JSONL) come back as all-text frames (missing = ``""``); typed
formats (Parquet, SAS, Stata, SPSS) keep their dtypes. Every expected failure is an
``InputError`` naming the file and the problem, never a cell value.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from anonymizer.errors import InputError, UsageError
from anonymizer.fsfaults import regular_file
from anonymizer.i18n import _
from anonymizer.io.meta import Table, TableMeta
from anonymizer.io.registry import FORMATS, REGISTRY
from anonymizer.io.sniff import detect_format


def _check_input(path: str | os.PathLike, fmt: str | None) -> tuple[Path, str]:
    p = Path(path)
    text = str(path)
    is_glob = any(ch in text for ch in "*?[")
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(_('unknown format {fmt!r}; expected one of {FORMATS}').format(fmt=fmt, FORMATS=', '.join(FORMATS)))
    if not is_glob:
        st = regular_file(p, folders=True)  # a FIFO or a device is refused before it is opened
        if stat.S_ISDIR(st.st_mode) and (fmt or detect_format(p)) != "parquet":
            raise InputError(_('{p}: is a folder, not a table').format(p=p))
        if stat.S_ISREG(st.st_mode) and not os.access(p, os.R_OK):
            raise InputError(_('{p}: permission denied').format(p=p))
        if stat.S_ISREG(st.st_mode) and st.st_size == 0:
            raise InputError(_('{p}: empty file (0 bytes)').format(p=p))
    return p, fmt or detect_format(p)


def _apply_dtypes(df: pd.DataFrame, dtypes: dict | None, path: Path) -> pd.DataFrame:
    """Cast the named columns; text cells ``""`` count as missing for non-text types."""
    if not dtypes:
        return df
    for col, dt in dtypes.items():
        if col not in df.columns:
            raise UsageError(_('{path}: --dtypes names column {col!r}, which the table does not have').format(path=path, col=col))
        s = df[col]
        try:
            if str(dt) not in ("str", "string", "object") and (
                isinstance(s.dtype, pd.StringDtype) or s.dtype == object
            ):
                s = s.replace("", None)
                if str(dt).lower().startswith(("int", "uint")) and s.isna().any():
                    dt = str(dt).capitalize() if str(dt).islower() else dt  # nullable Int64
            df[col] = s.astype(dt)
        except (ValueError, TypeError, OverflowError):
            raise InputError(_('{path}: column {col!r} cannot be read as {dt}').format(path=path, col=col, dt=dt)) from None
    return df


def read_table(
    path: str | os.PathLike,
    *,
    fmt: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    dtypes: dict | None = None,
    sheet: str | int | None = None,
    nrows: int | None = None,
) -> Table:
    """Read a whole table. ``fmt`` forces the format, ``delimiter``/``encoding`` the CSV dialect,
    ``dtypes`` casts columns (``{"AGE": "int64"}``), ``sheet`` picks an XLSX sheet (name or index).
    """
    p, fmt = _check_input(path, fmt)
    df, meta = REGISTRY[fmt].read(p, nrows=nrows, delimiter=delimiter, encoding=encoding, sheet=sheet)
    meta.extra.setdefault("rows", len(df))
    meta.extra.setdefault("header_only", len(df) == 0)
    return Table(_apply_dtypes(df, dtypes, p), meta)


def iter_batches(
    path: str | os.PathLike, *, batch_rows: int = 100_000, **read_opts
) -> tuple[TableMeta, Iterator[pd.DataFrame]]:
    """Read a table in batches of at most ``batch_rows`` rows so memory stays bounded.

    Returns the metadata at once (the file is sniffed and its header checked before any
    batch) and a lazy iterator; at least one (possibly empty) batch is produced.
    """
    if batch_rows < 1:
        raise UsageError(_("batch_rows must be >= 1"))
    fmt = read_opts.pop("fmt", None)
    dtypes = read_opts.pop("dtypes", None)
    p, fmt = _check_input(path, fmt)
    unknown = set(read_opts) - {"delimiter", "encoding", "sheet"}
    if unknown:
        raise UsageError(_('unknown read option(s): {items}').format(items=', '.join(sorted(unknown))))
    meta, it = REGISTRY[fmt].batches(p, batch_rows=batch_rows, delimiter=read_opts.get("delimiter"),
                                     encoding=read_opts.get("encoding"), sheet=read_opts.get("sheet"))
    if dtypes:
        return meta, (_apply_dtypes(b, dtypes, p) for b in it)
    return meta, it
