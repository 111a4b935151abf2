"""``anon risk`` on tables larger than memory: read only the columns the measures need, batch by batch.

Every measure of ``anonymizer.risk.risk_report`` is a function of the quasi-identifier
and sensitive columns alone (equivalence classes, ℓ/t, SUDA, population models), so the
report of the narrow frame equals the report of the whole table. The narrow frame is what
stays in memory: for 14 M rows × 4 quasi-identifiers of short codes, a few hundred MB,
where the 181-column table would not fit.

Parquet files, folders and globs are read column-pruned (pyarrow reads only the column
chunks asked for); CSV files (or folders/globs of CSV parts, e.g. the output of
``--engine dask``) are parsed batch by batch with anon's own reader and narrowed at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _
from anonymizer.io.formats import file_batches, parquet_format

READ_OPTS = ("fmt", "delimiter", "encoding", "sheet", "dtypes")


def iter_columns(path: str | Path, columns: Sequence[str], *, batch_rows: int = 100_000,
                 **read_opts: Any) -> Iterator[pd.DataFrame]:
    """Batches of ``columns`` only, in file order, as ``anonymizer.io.iter_batches`` would read them."""
    from anonymizer.io import detect_format, iter_batches
    from anonymizer.io.parts import TABLE_FORMATS, list_files

    cols = list(dict.fromkeys(columns))
    fmt = read_opts.pop("fmt", None)
    p = Path(path)
    if p.is_file() and (fmt or detect_format(p)) not in TABLE_FORMATS:
        fmt, files = fmt or detect_format(p), [p]  # XLSX, JSONL, SAS...: anon's batch reader
    else:
        fmt, files = list_files(path, fmt)
    if fmt == "parquet" and not read_opts.get("dtypes"):
        import pyarrow as pa
        import pyarrow.dataset as pads

        try:
            ds = pads.dataset([str(f) for f in files], format=parquet_format())
        except (pa.ArrowException, OSError):
            raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None
        missing = [c for c in cols if c not in ds.schema.names]
        if missing:
            raise UsageError(_('{path}: no column {missing}').format(path=path, missing=', '.join(missing)))
        schema = pa.schema([ds.schema.field(c) for c in cols], metadata=ds.schema.metadata)
        try:
            for b in file_batches(ds, batch_rows, columns=cols):
                yield pa.Table.from_batches([b], schema=schema).to_pandas()
        except (pa.ArrowException, OSError):
            raise InputError(_('{path}: not a readable Parquet file or folder').format(path=path)) from None
        return
    for f in files:
        _cols, it = iter_batches(f, batch_rows=batch_rows, fmt=fmt, **read_opts)
        for batch in it:
            missing = [c for c in cols if c not in batch.columns]
            if missing:
                raise UsageError(_('{f}: no column {missing}').format(f=f, missing=', '.join(missing)))
            yield batch[cols].copy()


def read_columns(path: str | Path, columns: Sequence[str], *, batch_rows: int = 100_000,
                 progress: Callable[[str], None] | None = None, **read_opts: Any) -> pd.DataFrame:
    """The narrow frame of ``columns`` over the whole table, memory bounded by it plus one batch."""
    say = progress or (lambda _m: None)
    parts, rows = [], 0
    for b in iter_columns(path, columns, batch_rows=batch_rows, **read_opts):
        parts.append(b)
        rows += len(b)
        say(f"read {rows:,} rows")
    if not parts:
        return pd.DataFrame(columns=list(columns))
    df = pd.concat(parts, ignore_index=True)
    return df


def risk_report_streaming(path: str | Path, qi: Sequence[str], sensitive: Sequence[str] = (), *,
                          batch_rows: int = 100_000, original: str | Path | None = None,
                          extra_columns: Sequence[str] = (), progress: Callable[[str], None] | None = None, **kwargs: Any) -> dict:
    """``risk_report`` of a file, folder or glob too large to load whole.

    ``kwargs`` holding ``fmt``/``delimiter``/``encoding``/``sheet``/``dtypes`` go to the
    reader (for ``path`` and ``original``); the rest (``population``, ``sampling_fraction``,
    ``k``, ``small_cell``, ``threshold``...) to ``anonymizer.risk.risk_report``.
    ``original`` is read the same way, narrowed to the same columns; the report's utility
    section then covers those columns only (plus ``extra_columns``), where the in-memory
    report covers every common column — the one difference, and the price of not loading
    181 columns.
    """
    from anonymizer.risk import risk_report

    read_opts = {k: kwargs.pop(k) for k in READ_OPTS if k in kwargs}
    if batch_rows < 1:
        raise UsageError(_("batch_rows must be >= 1"))
    cols = list(dict.fromkeys([*qi, *sensitive, *extra_columns]))
    say = progress or (lambda _m: None)
    df = read_columns(path, cols, batch_rows=batch_rows, progress=say, **read_opts)
    orig = None
    if original is not None:
        orig = read_columns(original, cols, batch_rows=batch_rows, progress=lambda m: say(f"original: {m}"),
                            **read_opts)
    return risk_report(df, list(qi), list(sensitive), original=orig, progress=progress, **kwargs)
