"""Each file gets a time budget and archives a decompressed-size budget: a check reports what exceeded
them instead of hanging (a 300-sheet workbook, a zip bomb, a pathological table).

The budget is checked between sheets, tables and archive members, and enforced by a ``SIGALRM``
timer when the check runs in a process's main thread (worker processes and the CLI
do): pure-Python readers such as openpyxl are interrupted there too. ``BudgetExceeded`` derives
from ``BaseException`` so that no library's ``except Exception`` swallows it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator


class BudgetExceeded(BaseException):  # noqa: N818 - a budget running out is not an error of the data
    """The file's time or size budget ran out; ``args[0]`` says which and how far the check got."""


class Budget:
    """Time (seconds) and decompressed bytes a file may use; ``progress`` says where the check is."""

    def __init__(self, seconds: float, archive_bytes: float = float("inf")) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.archive_bytes = archive_bytes
        self.used_bytes = 0
        self.progress = ""

    def time_message(self) -> str:
        where = f" ({self.progress})" if self.progress else ""
        return f"time budget of {self.seconds:g} s exceeded{where}: not fully checked"

    def check(self, progress: str | None = None) -> None:
        """Raise ``BudgetExceeded`` once the deadline has passed; record ``progress`` for the message."""
        if progress is not None:
            self.progress = progress
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(self.time_message())

    def consume(self, n: int) -> None:
        """Count ``n`` more decompressed bytes; raise once past the archive budget."""
        self.used_bytes += n
        if self.used_bytes > self.archive_bytes:
            raise BudgetExceeded(f"archive budget of {self.archive_bytes / 2**20:g} MB decompressed exceeded"
                                 f"{f' ({self.progress})' if self.progress else ''}: not fully checked")

    @contextlib.contextmanager
    def enforced(self) -> Iterator[Budget]:
        """Interrupt the check at the deadline (main thread only; elsewhere the checks between steps remain).

        The timer repeats every ``REPEAT`` seconds past the deadline: an interruption that lands in code
        that swallows exceptions (a finaliser, ``__del__``) is raised again at the next tick. Leaving
        the block disarms the handler first, retrying if a last tick lands in the clean-up itself."""
        usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if not usable:
            yield self
            return
        armed = [True]

        def on_alarm(signum, frame) -> None:  # noqa: ARG001
            if armed[0]:
                raise BudgetExceeded(self.time_message())

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, self.deadline - time.monotonic()), REPEAT)
        try:
            yield self
        finally:
            while True:
                try:
                    armed[0] = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
                    break
                except BudgetExceeded:  # a tick between the block's end and the first line above
                    continue


REPEAT = 0.25
