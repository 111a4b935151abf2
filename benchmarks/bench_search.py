"""Benchmark of the optimal lattice search (issues 6 and 20). Every case prints, one figure per line:

* ``search_*`` — anonymizer.privacy.search in this process (data loaded, imports done): wall and CPU seconds
  (best of ``--repeat`` after a warm-up), transformations checked, levels, value, proven optimal or not;
* ``process_*`` — the whole ``anon sanitize DATA --hierarchies DIR ...`` process (start-up, reading, search,
  writing, manifest), wall seconds, and what its manifest says it reached;
* ``exhaustive_*`` — the same engine evaluating every transformation (strategy="exhaustive"), stopped after
  ``--exhaustive-limit`` seconds (then reported as such);
* ``anjana_*`` — anjana's greedy ``k_anonymity`` (run by the Python of ``--anjana-python``, default
  .venv-bench/bin/python beside the checkout; ``absent`` when anjana is not installed there), with our
  metric's value of the transformation it picked;
* ``arx_*`` — ARX's published in-JVM times (Adult k=5 0 % 0.05 s, 2 % 1.2 s, CUP k=5 4 % 8.6 s, measured
  in issue 6) and, for unlimited suppression where ARX publishes no optimum, the values its three heuristics
  reach (ARX's TestAnonymizationHeuristic / ...TopDown / ...Genetic), with ``search_vs_best_arx_heuristic``;
  for the risk-based cases (no k: average risk, population uniqueness), ARX's published optimum
  (TestAnonymizationRiskBased) with ``search_vs_arx_optimum``; anjana (k-anonymity only) is skipped there.

Usage: .venv/bin/python benchmarks/bench_search.py [--data ../shared/data] [--repeat 1] [--only CASE ...]
       [--skip-exhaustive] [--exhaustive-limit 120]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from anonymizer.privacy import load_hierarchies, search
from anonymizer.privacy.metrics import make_metric

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Case:
    name: str
    data: str
    k: int | None
    supp: float
    metric: str
    arx_seconds: float | None = None  # ARX's in-JVM time (issue 6)
    arx_heuristics: dict[str, float] = field(default_factory=dict)  # value each ARX heuristic reaches
    risk: dict = field(default_factory=dict)  # risk-based models: search keywords
    cli: tuple[str, ...] = ()  # the same models as anon sanitize options
    arx_optimum: float | None = None  # ARX's published optimum (TestAnonymizationRiskBased)


CASES = [
    Case("adult_k5_supp0", "adult", 5, 0.0, "loss", arx_seconds=0.050),
    Case("adult_k5_supp2", "adult", 5, 0.02, "loss", arx_seconds=1.2),
    Case("cup_k5_supp4", "cup", 5, 0.04, "loss", arx_seconds=8.6),
    Case("adult_k5_supp100", "adult", 5, 1.0, "loss", arx_heuristics={
        "lightning": 0.22041192847984292, "top_down": 0.22041192847984292, "genetic": 0.22041192847984292}),
    Case("adult_k100_supp100_entropy", "adult", 100, 1.0, "entropy", arx_heuristics={
        "lightning": 377248.23689620313, "top_down": 372601.7108854912, "genetic": 359649.67365904135}),
    Case("cup_k5_supp100", "cup", 5, 1.0, "loss", arx_heuristics={
        "lightning": 0.20780840036554382, "top_down": 0.13968936091749518, "genetic": 0.13968936091749518}),
    Case("cup_k100_supp100_entropy", "cup", 100, 1.0, "entropy", arx_heuristics={
        "lightning": 2231837.5835282076, "top_down": 1994002.8308631124, "genetic": 1994002.8308631124}),
    Case("adult_avgrisk001_supp4_entropy", "adult", None, 0.04, "entropy", risk={"avg_risk": 0.01},
         cli=("--max-average-risk", "0.01"), arx_optimum=314637.8461904862),
    Case("adult_popuniq_dankar_supp4_entropy", "adult", None, 0.04, "entropy",
         risk={"population_uniques": 0.0001, "population_model": "dankar", "population": 317238626},
         cli=("--max-population-uniques", "0.0001", "--population-model", "dankar", "--population", "usa"),
         arx_optimum=144298.1603344462),
]

ANJANA = textwrap.dedent("""
    import json, sys, time, io, contextlib
    import pandas as pd
    from anjana.anonymity import _k_anonymity as ka
    data_dir, name, k, supp = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    df = pd.read_csv(f"{data_dir}/{name}/{name}.csv", sep=";", dtype=str, keep_default_na=False)
    import glob, os
    hier = {}
    for path in glob.glob(f"{data_dir}/{name}/{name}_hierarchy_*.csv"):
        col = os.path.basename(path)[:-4].split("_hierarchy_", 1)[1]
        h = pd.read_csv(path, sep=";", header=None, dtype=str, keep_default_na=False)
        hier[col] = {i: h[i] for i in h.columns}
    qis = list(df.columns)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        out, supp_records, levels = ka.k_anonymity_inner(df, [], qis, k, supp * 100, hier)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"seconds": elapsed, "levels": {k: int(v) for k, v in levels.items()},
                      "suppressed": int(supp_records)}))
""")


def run_anjana(py: Path, data: Path, case: Case, timeout: float) -> dict | None:
    """anjana's answer, or None when it is not installed in ``py``."""
    if not py.exists() or subprocess.run([str(py), "-c", "import anjana"], capture_output=True).returncode:
        return None
    try:
        proc = subprocess.run([str(py), "-c", ANJANA, str(data), case.data, str(case.k), str(case.supp)],
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def value_of(df, hs, levels: dict[str, int], case: Case) -> tuple[float, int]:
    """Our metric's value of a given transformation (classes violating k suppressed, whatever their number)."""
    from anonymizer.privacy import models as M
    from anonymizer.privacy.lattice import _Problem

    qis = [c for c in df.columns if c in hs]
    prob = _Problem(df, hs, qis, None, M.Models(k=case.k), 1.0)
    met = make_metric(case.metric)
    met.prepare(prob)
    node = tuple(int(levels[q]) for q in qis)
    ev = prob.evaluate(node, from_base=True, cache=False)
    return met.value(node, ev.cls_gens, ev.sizes, ev.viol), ev.suppressed


def run_process(data: Path, case: Case, budget: float) -> tuple[float, dict]:
    """Wall seconds of the whole ``anon sanitize`` process and its manifest's ``privacy.reached``."""
    anon = Path(sys.executable).with_name("anon")
    cmd = [str(anon)] if anon.exists() else [sys.executable, "-m", "anonymizer.cli.main"]
    tmp = Path(tempfile.mkdtemp(prefix="bench_search_"))
    try:
        out = tmp / "out.csv"
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, "sanitize", str(data / case.data / f"{case.data}.csv"), "--hierarchies",
                               str(data / case.data), *(("--k", str(case.k)) if case.k else ()), *case.cli,
                               "--max-suppression", str(case.supp),
                               "--metric", case.metric, "--time-budget", str(budget), "-o", str(out),
                               "--no-rescan", "--no-report"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            return wall, {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
        return wall, json.loads(Path(f"{out}.manifest.json").read_text())["privacy"]["reached"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="case names to run (default: all)")
    ap.add_argument("--skip-exhaustive", action="store_true")
    ap.add_argument("--skip-process", action="store_true")
    ap.add_argument("--time-budget", type=float, default=600.0, help="the search's budget in both runs")
    ap.add_argument("--anjana-python", default=str(REPO / ".venv-bench" / "bin" / "python"))
    ap.add_argument("--anjana-timeout", type=float, default=120.0)
    ap.add_argument("--exhaustive-limit", type=float, default=120.0,
                    help="stop the exhaustive reference after this many seconds (reported as such)")
    args = ap.parse_args()
    data = Path(args.data)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    tables = {}
    for name in sorted({c.data for c in cases}):
        df = pd.read_csv(data / name / f"{name}.csv", sep=";", dtype=str, keep_default_na=False)
        tables[name] = (df, load_hierarchies(data / name))
    # warm-up (imports, pandas/numpy first calls), like ARX's in-JVM timings
    adult = tables.get("adult") or (pd.read_csv(data / "adult" / "adult.csv", sep=";", dtype=str,
                                                keep_default_na=False), load_hierarchies(data / "adult"))
    search(adult[0].head(2000), adult[1], k=5, max_suppression=0.02)

    for case in cases:
        df, hs = tables[case.data]
        p = case.name
        times, cpu = [], []
        for _ in range(max(args.repeat, 1)):
            t0, c0 = time.perf_counter(), time.process_time()
            r = search(df, hs, k=case.k, max_suppression=case.supp, metric=case.metric, time_budget=args.time_budget,
                       **case.risk)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"{p} records {len(df)}")
        print(f"{p} lattice_size {r.lattice_size}")
        print(f"{p} load_average_1min {os.getloadavg()[0]:.1f}")
        print(f"{p} search_seconds {min(times):.3f}")
        print(f"{p} search_cpu_seconds {min(cpu):.3f}")
        print(f"{p} search_transformations_checked {r.transformations_checked}")
        print(f"{p} search_levels {','.join(str(v) for v in r.levels.values())}")
        print(f"{p} search_value {r.information_loss!r} ({case.metric})")
        print(f"{p} search_suppressed {r.suppressed}")
        print(f"{p} search_proven_optimal {r.exact}")
        if case.arx_seconds is not None:
            print(f"{p} arx_in_jvm_seconds {case.arx_seconds}")
        for name, value in case.arx_heuristics.items():
            print(f"{p} arx_{name}_value {value!r}")
        if case.arx_optimum is not None:
            print(f"{p} arx_optimum {case.arx_optimum!r}")
            verdict = ("equal" if abs(r.information_loss - case.arx_optimum) <= 1e-9 * abs(case.arx_optimum)
                       else "better" if r.information_loss < case.arx_optimum else "worse")
            print(f"{p} search_vs_arx_optimum {verdict}")
        if case.arx_heuristics:
            best = min(case.arx_heuristics.values())
            verdict = ("equal" if abs(r.information_loss - best) <= 1e-9 * abs(best)
                       else "better" if r.information_loss < best else "worse")
            print(f"{p} search_vs_best_arx_heuristic {verdict}")
        sys.stdout.flush()
        if not args.skip_process:
            wall, reached = run_process(data, case, args.time_budget)
            print(f"{p} process_seconds {wall:.3f}")
            if "error" in reached:
                print(f"{p} process_error {reached['error']}")
            else:
                print(f"{p} process_value {reached['information_loss']!r} search={reached.get('search')!r}")
        if not args.skip_exhaustive:
            t0, c0 = time.perf_counter(), time.process_time()
            ex = search(df, hs, k=case.k, max_suppression=case.supp, metric=case.metric, strategy="exhaustive",
                        time_budget=args.exhaustive_limit, **case.risk)
            wall, cpu_ex = time.perf_counter() - t0, time.process_time() - c0
            if ex.exact:
                print(f"{p} exhaustive_seconds {wall:.3f}")
                print(f"{p} exhaustive_cpu_seconds {cpu_ex:.3f}")
                print(f"{p} exhaustive_value {ex.information_loss!r}")
                print(f"{p} exhaustive_same_optimum {ex.levels == r.levels}")
            else:
                print(f"{p} exhaustive_seconds >{wall:.1f} (stopped after {ex.transformations_checked} of "
                      f"{ex.lattice_size} transformations)")
        aj = run_anjana(Path(args.anjana_python), data, case, args.anjana_timeout) if case.k else {"skip": True}
        if "skip" in (aj or {}):
            print(f"{p} anjana skipped (k-anonymity only)")
        elif aj is None:
            print(f"{p} anjana absent (not installed in {args.anjana_python})")
        elif "seconds" in aj:
            value, sup = value_of(df, hs, aj["levels"], case)
            print(f"{p} anjana_seconds {aj['seconds']:.3f}")
            print(f"{p} anjana_levels {','.join(str(aj['levels'][q]) for q in r.quasi_identifiers)}")
            print(f"{p} anjana_value {value!r}")
            print(f"{p} anjana_suppressed {aj['suppressed']}")
        else:
            print(f"{p} anjana_seconds {'>' + str(aj['timeout']) + ' (timeout)' if 'timeout' in aj else 'error'}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
