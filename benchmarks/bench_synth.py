"""Generator figures: time and peak RSS of ``anonymizer.synth`` at 10,204 and 1,000,000 rows.

Each size runs in a fresh process so the peak RSS is its own. Two figures per size: the
generation alone (``iter_extract`` streamed in 50,000-row chunks, nothing kept) and the
whole ``anon generate`` to a ``;``/cp1252 CSV (generation + anonymizer.io writing).

    python benchmarks/bench_synth.py
    ANON_BENCH_QUICK=1 python benchmarks/bench_synth.py   # 10,204 rows only

Prints one figure per line: ``synth.<what> <value> <unit>``. The machine is shared, so
wall times carry the load average printed first; CPU times are this process's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (10_204,) if os.environ.get("ANON_BENCH_QUICK") else (10_204, 1_000_000)

CHILD_GEN = """
import resource, sys, time
from anonymizer.synth import iter_extract
t, c = time.perf_counter(), time.process_time()
n = 0
for df in iter_extract(int(sys.argv[1]), 2021, 50_000):
    n += len(df)
print(time.perf_counter() - t, time.process_time() - c, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

CHILD_CLI = """
import resource, sys, time
from anonymizer.cli.main import main
t, c = time.perf_counter(), time.process_time()
try:
    main(["generate", "--rows", sys.argv[1], "-o", sys.argv[2], "--force"])
except SystemExit as e:
    if e.code:
        raise
print(time.perf_counter() - t, time.process_time() - c, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _run(code: str, *args: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of one fresh process."""
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    wall, cpu, rss = res.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu), float(rss)


def main() -> None:
    print(f"synth.cpu_count {os.cpu_count()} cores")
    print(f"synth.load_average_1min {os.getloadavg()[0]:.1f}")
    for n in SIZES:
        secs, cpu, rss = _run(CHILD_GEN, str(n))
        print(f"synth.generate_{n}_rows {secs:.2f} s")
        print(f"synth.generate_{n}_rows_cpu {cpu:.2f} s")
        print(f"synth.generate_{n}_rows_rate {n / secs:,.0f} rows/s")
        print(f"synth.generate_{n}_rows_peak_rss {rss:.0f} MiB")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "extract.csv"
            secs, cpu, rss = _run(CHILD_CLI, str(n), str(out))
            print(f"synth.anon_generate_csv_{n}_rows {secs:.2f} s")
            print(f"synth.anon_generate_csv_{n}_rows_cpu {cpu:.2f} s")
            print(f"synth.anon_generate_csv_{n}_rows_peak_rss {rss:.0f} MiB")
            print(f"synth.anon_generate_csv_{n}_rows_size {out.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
