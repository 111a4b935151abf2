"""Wide tables (issue #18 item 8): whole-process ``anon scan`` and ``anon sanitize`` time on
10,000 columns × 5 rows of random short words and numbers (generic names c00001..c10000).

    python benchmarks/bench_wide.py
    ANON_BENCH_WIDE_COLUMNS=2000 python benchmarks/bench_wide.py

Prints one figure per line: ``wide.<what> <value> [unit]``. Inputs are written to benchmarks/out/.
Sanitize runs with ``--no-strict`` (no column of random words is one a person has reviewed) and
a time limit (``ANON_BENCH_WIDE_LIMIT`` seconds, default 600): past it the figure says so.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
COLUMNS = int(os.environ.get("ANON_BENCH_WIDE_COLUMNS", "10000"))
LIMIT = float(os.environ.get("ANON_BENCH_WIDE_LIMIT", "600"))
ANON = [sys.executable, "-m", "anonymizer"]


def fig(name: str, value, unit: str = "") -> None:
    print(f"wide.{name} {value}{(' ' + unit) if unit else ''}", flush=True)


def wide_file(columns: int, rows: int = 5, seed: int = 1) -> Path:
    path = OUT / f"wide_{columns}x{rows}.csv"
    if not path.exists():
        rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        data = {}
        for i in range(columns):
            name = f"c{i + 1:05d}"
            data[name] = (rng.integers(0, 1000, rows).astype(str) if i % 2
                          else ["".join(rng.choice(letters, 5)) for _ in range(rows)])
        OUT.mkdir(exist_ok=True)
        pd.DataFrame(data).to_csv(path, index=False)
    return path


def timed(name: str, args: list[str]) -> bool:
    t0 = time.perf_counter()
    try:
        res = subprocess.run(ANON + args, capture_output=True, text=True, timeout=LIMIT)
    except subprocess.TimeoutExpired:
        fig(name, f">{LIMIT:.0f}", "s (time limit)")
        return False
    fig(name, f"{time.perf_counter() - t0:.1f}", "s" if res.returncode == 0 else f"s (exit {res.returncode})")
    return res.returncode == 0


def main() -> None:
    data = wide_file(COLUMNS)
    fig("columns", COLUMNS)
    policy, key, out = OUT / "wide_policy.yaml", OUT / "wide_key", OUT / "wide_out.csv"
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o600)
    timed("scan", ["scan", str(data), "--no-ner", "--format", "json", "-o", str(OUT / "wide_scan.json"), "--force"])
    if timed("scan_write_policy", ["scan", str(data), "--no-ner", "--write-policy", str(policy), "--force"]):
        timed("sanitize", ["sanitize", str(data), "--policy", str(policy), "--key-file", str(key), "--no-strict",
                           "-o", str(out), "--force", "--no-report"])


if __name__ == "__main__":
    main()
