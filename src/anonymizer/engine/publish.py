"""Publishing a run's files: one run per output at a time, all of the new set or none of it.

* **Lock** — a run holds an exclusive ``flock`` on ``.<output>.lock`` (beside the output) from
  its first step to its last; a second run on the same output refuses at once (exit 2) instead
  of mixing its files with the first's. The kernel drops the lock when the process dies, even
  by SIGKILL.
* **Names** — every staged file's name carries the run's tag, ``<pid>@<host>`` (see
  :func:`staging_name`), so a later run can prove which leftovers are from a dead run of its own
  machine and output: same host, and no process with that pid.
* **Publish** — the staged files (complete and fsync'ed) are listed in a journal
  ``.<output>.publish-<tag>`` first; then the previous output is removed, the reports and the
  manifest renamed, the output last, and the journal deleted. At every instant an output on
  disk has its own manifest beside it. A run killed before the journal exists leaves the
  previous state (plus hidden temporaries); one killed after has its journal, which the next
  run on that output replays (:func:`recover`) before it removes the dead run's temporaries:
  the complete new set.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

from anonymizer.errors import UsageError
from anonymizer.i18n import _

TEMP_PREFIX = ".anon-tmp-"  # io.atomic's temporaries (a staged file is written through one)


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname() or "localhost")[:32]


def run_tag(pid: int | None = None) -> str:
    """``<pid>@<host>``: who made a temporary file, so that only its own dead runs' are removed."""
    return f"{os.getpid() if pid is None else pid}@{_host()}"


def staging_name(path: Path) -> Path:
    """A hidden name beside ``path``, unique to this run (two runs never share one), ending in
    ``path``'s extension: the staged output is read back (verification), and openpyxl opens a
    workbook only under an .xlsx name."""
    return path.with_name(f".{path.name}.staging-{run_tag()}-{secrets.token_hex(4)}{path.suffix}")


_STAGED = re.compile(r"^(?:" + re.escape(TEMP_PREFIX) + r")?\.(?P<target>.+)\.staging-(?P<pid>\d+)@(?P<host>[^/]+?)"
                     r"-[0-9a-f]{8}(?:\.[A-Za-z0-9]+)?(?:\.[^.]+\.tmp)?$")
_JOURNAL = re.compile(r"^\.(?P<target>.+)\.publish-(?P<pid>\d+)@(?P<host>[^/]+)$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:  # a zombie (dead, not yet reaped by its parent) holds nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _dead_own(match: re.Match | None) -> bool:
    return match is not None and match["host"] == _host() and not _alive(int(match["pid"]))


# ----------------------------------------------------------------------------- the lock


class OutputLock:
    """An exclusive, non-blocking lock on ``output`` for the life of a run (a context manager)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.with_name(f".{output.name}.lock")
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:  # a read-only or missing folder: said about the output
                raise OSError(exc.errno, exc.strerror, str(self.output)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _read_holder(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise UsageError(_('{output}: another anon run{holder} is writing this output; wait for it to end, or choose another output').format(output=self.output, holder=holder)) from None
                raise
            try:  # the file we locked must still be the one at that name (a finishing run unlinks it)
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{run_tag()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()  # while still locked: a waiting opener re-checks the name
            os.close(self._fd)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" ({text})" if re.fullmatch(r"\d+@[A-Za-z0-9._-]+", text) else ""


# ----------------------------------------------------------------------------- publish and recover


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def journal_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.publish-{run_tag()}")


def _replace(src: Path, dst: Path) -> None:
    """Rename ``src`` onto ``dst``; a folder (the Dask engine's parts) replaces a folder."""
    if src.is_dir() and dst.is_dir() and not dst.is_symlink():
        old = dst.with_name(f".{dst.name}.old-{run_tag()}-{secrets.token_hex(4)}")
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)


def publish(moves: list[tuple[Path, Path]], output: Path, replaced: list[Path]) -> None:
    """Rename each staged file onto its target, in order (the output last), through a journal.

    ``replaced`` are files of the previous set that the new one does not overwrite (the old
    output, when the new run publishes ``<name>.NOT-RELEASED``): removed first, so that no
    output is ever beside a manifest that is not its own."""
    journal = journal_path(output)
    body = json.dumps({"moves": [[s.name, t.name] for s, t in moves], "remove": [p.name for p in replaced]})
    tmp = journal.with_name(journal.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal)
    _fsync_dir(output.parent)
    failpoint("publish:journal")
    _replay(output.parent, moves, replaced, own=True)
    journal.unlink()
    _fsync_dir(output.parent)


def _replay(folder: Path, moves: list[tuple[Path, Path]], replaced: list[Path], own: bool = False) -> None:
    """Remove ``replaced``, then rename every staged file still there (idempotent: a replay
    killed half-way is replayed again)."""
    published = {dst for src, dst in moves if not os.path.lexists(src)}  # a replay after these renames
    for p in replaced:
        if p in published:  # the new file is already there: keep it
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if own:
        failpoint("publish:removed")
    for i, (src, dst) in enumerate(moves):
        if src.exists():
            _replace(src, dst)
        if own:
            failpoint(f"publish:{i}")
    _fsync_dir(folder)


def recover(output: Path) -> list[str]:
    """Finish what dead runs of this machine left on ``output`` (call it under the output's lock).

    A journal is replayed (its staged files were complete: the new set is published); then the
    dead runs' temporaries and staged files are removed. Returns the names removed or published."""
    folder = output.parent if str(output.parent) else Path(".")
    done: list[str] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return done
    targets = {p.name for p in _targets(output)}
    for name in names:
        m = _JOURNAL.match(name)
        if m and m["target"] == output.name and _dead_own(m):
            try:
                doc = json.loads((folder / name).read_text(encoding="utf-8"))
                moves = [(folder / s, folder / t) for s, t in doc["moves"]]
                replaced = [folder / r for r in doc.get("remove", [])]
            except (OSError, ValueError, KeyError, TypeError):
                moves, replaced = [], []
            if all(s.name != t.name and t.name in targets for s, t in moves):
                _replay(folder, moves, replaced)
                done += [t.name for s, t in moves]
            (folder / name).unlink(missing_ok=True)
    for name in sorted(os.listdir(folder)):
        m = _STAGED.match(name)
        if m and m["target"].removeprefix(".") in targets and _dead_own(m):
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            done.append(name)
        j = _JOURNAL.match(name.removesuffix(".tmp")) if name.endswith(".tmp") else None
        if j and j["target"] == output.name and _dead_own(j):  # a journal killed while written
            (folder / name).unlink(missing_ok=True)
            done.append(name)
    return done


def _targets(output: Path) -> list[Path]:
    from anonymizer.engine.manifest import manifest_path_for, risk_paths_for

    return [output, manifest_path_for(output), output.with_name(output.stem + ".NOT-RELEASED" + output.suffix),
            *risk_paths_for(output)]


@contextlib.contextmanager
def locked(output: Path) -> Iterator[list[str]]:
    """Hold ``output``'s lock for the block, after finishing what dead runs left (the names)."""
    with OutputLock(output):
        yield recover(output)


# ----------------------------------------------------------------------------- tests


def failpoint(name: str) -> None:
    """Die at once (SIGKILL) when ``ANON_KILL_AT`` names this point: how tests/engine/test_kill.py
    kills a run at an exact phase. Not a feature: an unset variable costs one lookup."""
    if os.environ.get("ANON_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
