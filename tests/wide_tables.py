"""The wide, short table of benchmarks/bench_wide.py (issue #18 item 8), shared by the tests that
count work per column: odd columns numbers 0-999, even ones 5 random letters, names c00001..."""

from __future__ import annotations

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
