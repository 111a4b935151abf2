"""Atomic output: every file anon writes appears whole or not at all.

The data goes to a temporary file in the destination folder (same file system, so the
final ``os.replace`` is atomic on POSIX and Windows); an exception or Ctrl-C removes the
temporary file and leaves any existing output untouched.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _

TEMP_PREFIX = ".anon-tmp-"


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file (same path, or same inode: links, ``./x`` vs ``x``)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.resolve() == pb.resolve():
            return True
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        pass
    try:
        return os.path.samefile(pa, pb)
    except OSError:
        return False


def check_output_path(
    path: str | os.PathLike,
    *,
    force: bool = False,
    inputs: Iterable[str | os.PathLike | None] = (),
) -> Path:
    """Refuse to write over an input (always) or over an existing file (unless ``force``).

    CLI commands call this before any work so that a mistake costs nothing; the writers
    call it again just before the rename.
    """
    out = Path(path)
    for src in inputs:
        if src is not None and same_file(out, src):
            raise InputError(_('{out}: refusing to overwrite the input file; choose another output path').format(out=out))
    if out.is_dir():
        raise UsageError(_('{out}: is a directory; give an output file path').format(out=out))
    if not force and out.exists():
        raise UsageError(_('{out}: already exists; pass --force to overwrite it').format(out=out))
    if not out.parent.exists():
        raise UsageError(_('{parent}: output folder does not exist').format(parent=out.parent))
    return out


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _temp_path(out: Path) -> Path:
    """A fresh temporary file beside ``out`` with the mode ``out`` would get from a plain ``open``.

    mkstemp creates 0600 files; the output keeps the existing file's mode when it replaces
    one, else the umask default, as if it had been written in place.
    """
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        mode = out.stat().st_mode & 0o777 if out.exists() else _default_mode()
        os.fchmod(fd, mode)
    finally:
        os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike,
    *,
    force: bool = True,
    inputs: Iterable[str | os.PathLike | None] = (),
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds.

    For libraries that want a file name rather than a file object (pyarrow, openpyxl, pyreadstat).
    """
    inputs = list(inputs)
    out = check_output_path(path, force=force, inputs=inputs)
    try:
        tmp = _temp_path(out)
    except OSError as exc:
        raise _on_output(exc, out) from None
    try:
        yield tmp
        # re-check just before the rename: the input may have appeared under that name meanwhile
        check_output_path(out, force=force, inputs=inputs)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _on_output(exc, out, tmp) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _on_output(exc: OSError, out: Path, tmp: Path | None = None) -> OSError:
    """``exc`` said about the output the user named: a write fault (disk full, file too large,
    read-only folder...) that names no file, or the temporary one, is the output's."""
    from anonymizer.fsfaults import WRITE_ERRNOS

    name = os.fsdecode(exc.filename) if exc.filename is not None else None
    ours = name is None or (tmp is not None and Path(name) == tmp) or Path(name).name.startswith(TEMP_PREFIX)
    if exc.errno in WRITE_ERRNOS and ours:
        return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(out))
    return exc


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike,
    mode: str = "w",
    encoding: str | None = "utf-8",
    *,
    newline: str | None = None,
    force: bool = True,
    inputs: Iterable[str | os.PathLike | None] = (),
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` and rename it onto ``path`` when the block succeeds.

    ``mode`` is ``"w"`` (text, ``encoding``) or ``"wb"``. The file is flushed and fsync'ed
    before the rename. ``force=False`` refuses an existing output; ``inputs`` are never
    overwritten whatever ``force`` says.
    """
    if mode not in ("w", "wb", "x", "xb"):
        raise UsageError(_('atomic_output: unsupported mode {mode!r}').format(mode=mode))
    binary = "b" in mode
    with atomic_path(path, force=force and "x" not in mode, inputs=inputs) as tmp:
        raw = open(tmp, "wb")  # noqa: SIM115 - closed below on every path
        fh: IO = raw if binary else io.TextIOWrapper(raw, encoding=encoding, newline=newline)
        try:
            yield fh
            fh.flush()
            os.fsync(raw.fileno())
        finally:
            fh.close()
