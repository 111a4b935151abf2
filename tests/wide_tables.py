"""The wide, short table of benchmarks/bench_wide.py (issue #18 item 8), shared by the tests that
count work per column: odd columns numbers 0-999, even ones 5 random letters, names c00001..."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def wide_frame(columns: int, rows: int = 5, seed: int = 1, *, rng: np.random.Generator | None = None,
               dtype: str | None = None) -> pd.DataFrame:
    """The table (``dtype="str"``: as read from its CSV); ``rng`` to go on drawing from it after."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    data = {}
    for i in range(columns):
        data[f"c{i + 1:05d}"] = (rng.integers(0, 1000, rows).astype(str) if i % 2
                                 else ["".join(rng.choice(letters, 5)) for _ in range(rows)])
    frame = pd.DataFrame(data)
    return frame.astype(dtype) if dtype else frame


#: the two widths the scale tests compare: 4 times the columns must cost about 4 times the work
SMALL, LARGE = 200, 800


def library_calls(fn, *args, libraries: tuple[str, ...] = ("pandas", "pyarrow"), **kwargs):
    """(fn's result, how many Python functions of ``libraries`` ran while it ran)."""
    calls = 0
    parts = tuple(f"/{lib}/" for lib in libraries)

    def count(frame, event, _arg):
        nonlocal calls
        if event == "call" and any(p in frame.f_code.co_filename for p in parts):
            calls += 1

    sys.setprofile(count)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.setprofile(None)
    return result, calls


def assert_linear_and_small(work: dict[int, int], per_column: float) -> None:
    """4 times the columns: at most ~4 times the work (not 16), and under ``per_column`` units
    of work a column beyond a fixed part (the old code's figure is beside each call)."""
    small, large = work[SMALL], work[LARGE]
    assert large <= 4.4 * small + 200, work
    assert large - small <= per_column * (LARGE - SMALL), work
