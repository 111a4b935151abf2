"""Run every ``benchmarks/bench_*.py`` in turn and print their figures.

    python benchmarks/run.py                 # all benchmarks
    python benchmarks/run.py io search       # only bench_io.py and bench_search.py
    ANON_BENCH_QUICK=1 python benchmarks/run.py   # benchmarks that honour it run their small sizes only

Each benchmark runs in its own process (with this interpreter) so that a failure or a
memory peak in one does not disturb the next; its stdout is passed through, and a summary
line per benchmark (exit status, wall time) closes the run. Exit status: 1 if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
        missing = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if missing:
            print(f"run.py: no benchmark named {', '.join(sorted(missing))}", file=sys.stderr)
            sys.exit(2)
    return scripts


def main(argv: list[str]) -> int:
    results: list[tuple[str, int, float]] = []
    for script in discover(argv):
        print(f"# {script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode
        results.append((script.name, rc, time.perf_counter() - t0))
    print("# summary")
    for name, rc, secs in results:
        print(f"bench.{name.removesuffix('.py')}.status {'ok' if rc == 0 else f'failed (exit {rc})'}")
        print(f"bench.{name.removesuffix('.py')}.wall_s {secs:.1f} s")
    return 1 if any(rc for _, rc, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
