"""``write_table`` / ``TableWriter``: atomic, batch-wise, in the input's own format and dialect.

The output format is, in order: ``fmt=``, the output path's extension, ``like.format``,
CSV. For CSV the dialect (encoding/BOM, delimiter, line terminator, quoting, final
newline) comes from ``like`` when it was a CSV too, overridden by explicit options, so a
file read and written back unchanged is byte-identical when it was canonical.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.io.atomic import _on_output, _temp_path, check_output_path
from anonymizer.io.meta import TableMeta
from anonymizer.io.registry import EXTENSIONS, FORMATS, REGISTRY
from anonymizer.io.sniff import normalize_encoding


def output_format(path: str | os.PathLike, like: TableMeta | None = None, fmt: str | None = None) -> str:
    """The format a write will use: explicit ``fmt``, else the extension, else ``like``'s, else csv."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageError(_('unknown format {fmt!r}; expected one of {FORMATS}').format(fmt=fmt, FORMATS=', '.join(FORMATS)))
        return fmt
    ext = EXTENSIONS.get(Path(path).suffix.lower())
    if ext is not None:
        return ext
    if like is not None:
        return like.format
    return "csv"


def csv_options(like: TableMeta | None, opts: dict[str, Any]) -> dict[str, Any]:
    """The CSV dialect of an output: ``like``'s when it was a CSV, overridden by ``opts``."""
    base: dict[str, Any] = {
        "encoding": "utf-8",
        "delimiter": ",",
        "line_terminator": "\n",
        "quotechar": '"',
        "quoting": "minimal",
        "decimal": None,
        "header": True,
        "final_newline": True,
    }
    if like is not None and like.format == "csv":
        base.update(
            encoding=like.encoding or "utf-8",
            delimiter=like.delimiter or ",",
            line_terminator=like.line_terminator or "\n",
            quotechar=like.quotechar or '"',
            quoting=like.extra.get("quoting", "minimal"),
            final_newline=like.extra.get("final_newline", True),
            # text cells are written as they are; only float columns (e.g. made by a noise
            # transform) are rendered, and then with the file's own decimal separator
            decimal="," if like.decimal == "," else None,
        )
    for k, v in opts.items():
        if v is not None:
            base[k] = v
    base["encoding"] = normalize_encoding(base["encoding"])
    if base["delimiter"] in ("\\t", "tab", "TAB"):
        base["delimiter"] = "\t"
    lt = base["line_terminator"]
    base["line_terminator"] = {"crlf": "\r\n", "lf": "\n", "cr": "\r", "\\r\\n": "\r\n", "\\n": "\n"}.get(str(lt).lower(), lt)
    return base


class TableWriter:
    """Write a table batch by batch; the file appears (atomically) only when the block ends cleanly.

    ``with TableWriter(out, like=meta) as w: for b in batches: w.write(b)``. On an exception
    or Ctrl-C the temporary file is removed and an existing output stays untouched.
    ``force=False`` refuses an existing output; ``like.path`` (and ``inputs``) are always
    refused, whatever their spelling (same inode).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        like: TableMeta | None = None,
        fmt: str | None = None,
        force: bool = True,
        inputs: tuple = (),
        shown_as: str | os.PathLike | None = None,
        **opts: Any,
    ) -> None:
        self.path = Path(path)
        self.shown_as = Path(shown_as) if shown_as is not None else self.path  # the name errors give
        self.like = like
        self.fmt = output_format(self.path, like, fmt)
        self.force = force
        self.inputs = [like.path if like is not None else None, *inputs]
        spec = REGISTRY[self.fmt]
        unknown = [k for k, v in opts.items() if v is not None and k not in spec.write_options]
        if unknown:
            raise UsageError(_('option(s) {items} do not apply to {fmt} output').format(items=', '.join(sorted(unknown)), fmt=self.fmt))
        self.opts = {k: v for k, v in opts.items() if v is not None}
        if spec.sink is None:
            raise UsageError(f"{self.path}: {spec.why_not_written}")
        check_output_path(self.path, force=force, inputs=self.inputs)
        self.rows = 0
        self._tmp: Path | None = None
        self._raw = None
        self._sink = None

    def __enter__(self) -> TableWriter:
        try:
            self._tmp = _temp_path(self.path)
            self._sink = self._make_sink(self._tmp)
        except OSError as exc:
            tmp = self._tmp
            self._cleanup()
            raise _on_output(exc, self.shown_as, tmp) from None
        except BaseException:
            self._cleanup()
            raise
        return self

    def _make_sink(self, tmp: Path):
        make = REGISTRY[self.fmt].sink
        assert make is not None  # refused in __init__
        sink, self._raw = make(tmp, self.path, like=self.like, opts=self.opts)  # raw: closed in commit/cleanup
        return sink

    def write(self, df: pd.DataFrame) -> None:
        """Append one batch (same columns as the first)."""
        if self._sink is None:
            raise UsageError(_("TableWriter.write() outside its 'with' block"))
        self._sink.write(df)
        self.rows += len(df)

    def _cleanup(self) -> None:
        if self._sink is not None:
            with contextlib.suppress(Exception):
                self._sink.abort()
        if self._raw is not None:
            with contextlib.suppress(Exception):
                self._raw.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
        self._sink = self._raw = self._tmp = None

    def _commit(self) -> None:
        assert self._tmp is not None and self._sink is not None
        self._sink.close()
        if self._raw is not None:
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
        # checked again just before the rename: an input may have appeared under that name meanwhile
        check_output_path(self.path, force=self.force, inputs=self.inputs)
        os.replace(self._tmp, self.path)
        self._tmp = None

    def __exit__(self, exc_type, exc, tb) -> bool:
        tmp = self._tmp
        if exc_type is not None:
            self._cleanup()
            if isinstance(exc, OSError):  # disk full, file too large...: said about the output
                raise _on_output(exc, self.shown_as, tmp) from None
            return False
        try:
            self._commit()
        except OSError as err:
            self._cleanup()
            raise _on_output(err, self.shown_as, tmp) from None
        except BaseException:
            self._cleanup()
            raise
        self._sink = self._raw = None
        return False


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike,
    *,
    like: TableMeta | None = None,
    fmt: str | None = None,
    force: bool = True,
    **opts: Any,
) -> Path:
    """Write ``df`` atomically in ``like``'s format and dialect (or ``fmt``/the extension); return the path."""
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise UsageError(_('{path}: duplicate column name {dup!r}; cannot write').format(path=path, dup=dup))
    with TableWriter(path, like=like, fmt=fmt, force=force, **opts) as w:
        w.write(df)
    return Path(path)
