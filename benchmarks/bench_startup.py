"""First steps: wall time of ``anon --help``, every command's ``--help``, and light commands on a
small file, as whole processes (what a user waits for), plus which heavy libraries each loads.

    python benchmarks/bench_startup.py            # 5 runs each, prints min / median / max seconds

The target (issue #19): every ``--help`` under 0.3 s; ``risk``, ``convert``, ``generate`` and a
``check`` or ``scan`` of a table without free text never import Presidio or spaCy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
HEAVY = ("pandas", "pydantic", "presidio_analyzer", "spacy", "faker")
PROBE = ("import sys\nfrom anonymizer.cli.main import cli\n"
         "try:\n    cli.main(args=sys.argv[1:], prog_name='anon')\nexcept SystemExit:\n    pass\n"
         f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")


def timed(args: list[str], cwd: Path) -> tuple[list[float], str]:
    times, loaded = [], ""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "anonymizer", *args], cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - t0)
    res = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True)
    lines = res.stderr.strip().splitlines()
    loaded = lines[-1] if lines else ""
    return times, loaded


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        subprocess.run([sys.executable, "-m", "anonymizer", "generate", "--rows", "50", "--seed", "7", "-o",
                        "c50.csv"], cwd=d, capture_output=True, check=True)
        (d / "nofree.csv").write_text("DTNAIS;SEXE;CODCOM\n" + "".join(
            f"0{i % 9 + 1}/03/1980;{i % 2 + 1};3306{i % 10}\n" for i in range(50)), encoding="utf-8")
        cases = [["--help"]] + [[c, "--help"] for c in ("sanitize", "risk", "scan", "check", "generate", "convert")]
        cases += [["risk", "c50.csv", "--qi", "DTNAIS,SEXE,CODCOM"], ["convert", "c50.csv", "-o", "c50.parquet", "--force"],
                  ["scan", "nofree.csv"], ["check", "nofree.csv", "--no-cache"], ["scan", "c50.csv", "--no-ner"]]
        print(f"{'command':<48} {'min':>6} {'median':>7} {'max':>6}  heavy libraries loaded")
        for args in cases:
            times, loaded = timed(args, d)
            print(f"anon {' '.join(args):<43} {min(times):6.2f} {statistics.median(times):7.2f} "
                  f"{max(times):6.2f}  {loaded or '-'}", flush=True)


if __name__ == "__main__":
    main()
