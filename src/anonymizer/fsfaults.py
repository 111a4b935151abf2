"""Operating-system faults said in one line: the path and the cause, never a traceback.

Two helpers: :func:`regular_file` refuses an input that is not a regular file *before* it is
opened (a FIFO would block the reader for ever, a device would stream for ever), and
:func:`os_fault` turns any :class:`OSError` into the one line the CLI prints (exit 2).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from anonymizer.errors import InputError
from anonymizer.i18n import N_, _

# errno -> the cause, in words a person can act on
CAUSES: dict[int, str] = {
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"),
    errno.EROFS: N_("read-only file system"),
    errno.ENOSPC: N_("no space left on the device (disk full)"),
    errno.EDQUOT: N_("disk quota exceeded"),
    errno.EFBIG: N_("file too large (the file-size limit, `ulimit -f`, or the file system's)"),
    errno.ENOENT: N_("no such file or folder"),
    errno.ENAMETOOLONG: N_("file name too long"),
    errno.ELOOP: N_("too many levels of symbolic links (a symlink loop?)"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("is a folder"),
    errno.EMFILE: N_("too many open files"),
    errno.ENFILE: N_("too many open files in the system"),
    errno.EIO: N_("input/output error"),
    errno.ETXTBSY: N_("file busy"),
    errno.EBUSY: N_("device or resource busy"),
    errno.EEXIST: N_("already exists"),
    errno.EXDEV: N_("not on the same file system"),
    errno.ENXIO: N_("no such device"),
    errno.ENODEV: N_("no such device"),
}

# the faults that come from writing: a write without a file name is blamed on the output
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM,
                          errno.ENAMETOOLONG, errno.EIO})


def cause(exc: OSError) -> str:
    """The cause of ``exc`` in words (its errno's), never the exception's own text: a library's
    message may quote more than a path."""
    if exc.errno in CAUSES:
        return _(CAUSES[exc.errno])
    if exc.errno:
        return os.strerror(exc.errno).lower()
    return _("operating-system error ({kind})").format(kind=type(exc).__name__)


def os_fault(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """One line for ``exc``: ``PATH: cause`` (``path`` when the exception names none)."""
    names = [n for n in (exc.filename, exc.filename2) if n not in (None, "")]
    if not names and path is not None:
        names = [os.fspath(path)]
    if not names:
        return _("{cause} (no path given by the system)").format(cause=cause(exc))
    where = " -> ".join(os.fsdecode(n) if isinstance(n, bytes) else str(n) for n in names)
    return _("{where}: {cause}").format(where=where, cause=cause(exc))


_KINDS = ((stat.S_ISFIFO, N_("a named pipe (FIFO)")), (stat.S_ISCHR, N_("a character device")),
          (stat.S_ISBLK, N_("a block device")), (stat.S_ISSOCK, N_("a socket")))


def kind_of(mode: int) -> str:
    """What a non-regular, non-folder file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return _(name)
    return _("not a regular file")


def regular_file(path: str | os.PathLike, *, folders: bool = False) -> os.stat_result:
    """Stat ``path`` (links followed) and refuse what is not a regular file (a folder too, unless
    ``folders``), before anything opens it. Raises :class:`InputError` naming the path and why."""
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise InputError(os_fault(exc, p)) from None
    if stat.S_ISDIR(st.st_mode):
        if folders:
            return st
        raise InputError(_('{p}: is a folder, not a file').format(p=p))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(_('{p}: {st_mode}, not a regular file; give a file').format(p=p, st_mode=kind_of(st.st_mode)))
    return st
