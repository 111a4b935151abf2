"""First steps: wall time of ``anon --help``, every command's ``--help``, and light commands on a
small file, as whole processes (what a user waits for), plus which heavy libraries each loads.

    python benchmarks/bench_startup.py            # 5 runs each, prints min / median / max seconds

The target (issue #19): every ``--help`` under 0.3 s; ``risk``, ``convert``, ``generate`` and a
``check`` or ``scan`` of a table without free text never import Presidio or spaCy. Issue #21's
target 5: ``anon sanitize`` of a 100-row generated extract (training profile, the scan's policy,
free text and the release gate included) under 2 s of CPU, the process's user + system time
(``resource.getrusage`` of the children: what a loaded machine inflates least), printed last as
``startup.sanitize_100.cpu_s``, with anon's modules compiled to bytecode as a wheel install has them
(``compileall`` of the package first when it holds no ``.pyc``; the figure without is printed before).
"""

from __future__ import annotations

import resource
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

FLOOR = ("from anonymizer.cli.main import cli\nimport anonymizer.cli.sanitize, anonymizer.engine.sanitize\n"
         "import anonymizer.detect.text, anonymizer.transform.text\n"
         "from anonymizer.detect.analyzer import get_analyzer\nget_analyzer(True)\nget_analyzer(False)")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cpu(args: list[str], cwd: Path, runs: int = RUNS) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``anon ARGS`` as a whole process, ``runs`` times."""
    times, cpus = [], []
    for _ in range(runs):
        c0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "anonymizer", *args], cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - c0)
    return times, cpus


def timed(args: list[str], cwd: Path, runs: int = RUNS) -> tuple[list[float], list[float], str]:
    times, cpus = run_cpu(args, cwd, runs)
    res = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True)
    lines = res.stderr.strip().splitlines()
    loaded = lines[-1] if lines else ""
    return times, cpus, loaded


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
        print(f"{'command':<48} {'min':>6} {'median':>7} {'max':>6} {'cpu':>6}  heavy libraries loaded")
        for args in cases:
            times, cpus, loaded = timed(args, d)
            print(f"anon {' '.join(args):<43} {min(times):6.2f} {statistics.median(times):7.2f} "
                  f"{max(times):6.2f} {statistics.median(cpus):6.2f}  {loaded or '-'}", flush=True)
        # issue #21 target 5: one sanitize of 100 rows, free text and the release gate included
        subprocess.run([sys.executable, "-m", "anonymizer", "generate", "--rows", "100", "--seed", "2021", "-o",
                        "c100.csv"], cwd=d, capture_output=True, check=True)
        subprocess.run([sys.executable, "-m", "anonymizer", "scan", "c100.csv", "--write-policy", "p100.yaml"], cwd=d,
                       capture_output=True, check=True)
        subprocess.run([sys.executable, "-m", "anonymizer", "keygen", "-o", "k"], cwd=d, capture_output=True, check=True)
        sanitize = ["sanitize", "c100.csv", "--profile", "training", "--policy", "p100.yaml", "--key-file", "k",
                    "-o", "o100.csv", "--force"]
        # anon's own modules as an editable install under PYTHONDONTWRITEBYTECODE=1 (this workplace) have
        # no bytecode, and every start compiles ~125 of them from source; a wheel install has it
        # (pip compiles at install). Both are printed: without first, then compiled as a wheel has them.
        package = Path(__import__("anonymizer").__file__).parent
        cached = any(package.rglob("*.pyc"))
        if not cached:
            _, cpus = run_cpu(sanitize, d, runs=3)
            print(f"startup.sanitize_100.cpu_s_without_bytecode {statistics.median(cpus):.2f} (min {min(cpus):.2f})")
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
        times, cpus = run_cpu(sanitize, d, runs=3)
        print(f"startup.sanitize_100.wall_s {statistics.median(times):.2f}")
        print(f"startup.sanitize_100.cpu_s {statistics.median(cpus):.2f} (min {min(cpus):.2f}; target 2; "
              f"anon's modules compiled{'' if cached else ' by this benchmark'}, as a wheel install has them)")
        # its floor: what that sanitize spends before reading a row (its modules, pandas, Presidio,
        # spaCy and the NER model), the rest being the run itself
        cpus = []
        for _ in range(3):
            c0 = _children_cpu()
            subprocess.run([sys.executable, "-c", FLOOR], cwd=d, capture_output=True, check=True)
            cpus.append(_children_cpu() - c0)
        print(f"startup.sanitize_100.imports_and_model_cpu_s {statistics.median(cpus):.2f}")


if __name__ == "__main__":
    main()
