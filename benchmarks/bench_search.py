"""Benchmark of the optimal lattice search (issue 6): Adult k=5 (0 % and 2 % suppression) and CUP
k=5 (4 % suppression), loss metric. Prints one figure per line:

* ``anon`` — anonymizer.privacy.search (bound-ordered exact search), best of ``--repeat`` runs after a warm-up,
* ``exhaustive`` — the same engine evaluating every transformation (strategy="exhaustive"),
* ``anjana`` — anjana's greedy k_anonymity, run in /work/main/.venv-bench as a subprocess (time measured
  inside the subprocess, data already loaded), with the ARX loss of the transformation it picked,
* ``arx_reference`` — ARX's in-JVM times measured on this machine (issue 6), for comparison.

Usage: .venv/bin/python benchmarks/bench_search.py [--data ../shared/data] [--repeat 3] [--skip-exhaustive]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd

from anonymizer.privacy import load_hierarchies, search
from anonymizer.privacy.metrics import make_metric

REPO = Path(__file__).resolve().parents[1]
ARX_SECONDS = {"adult_k5_supp0": 0.050, "adult_k5_supp2": 1.2, "cup_k5_supp4": 8.6}
CASES = [("adult", 0.0, "adult_k5_supp0"), ("adult", 0.02, "adult_k5_supp2"), ("cup", 0.04, "cup_k5_supp4")]

ANJANA = textwrap.dedent("""
    import json, sys, time, io, contextlib
    import pandas as pd
    from anjana.anonymity import _k_anonymity as ka
    data_dir, name, supp = sys.argv[1], sys.argv[2], float(sys.argv[3])
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
        out, supp_records, levels = ka.k_anonymity_inner(df, [], qis, 5, supp * 100, hier)
    elapsed = time.perf_counter() - t0
    print(json.dumps({"seconds": elapsed, "levels": {k: int(v) for k, v in levels.items()},
                      "suppressed": int(supp_records)}))
""")


def run_anjana(data: Path, name: str, supp: float, timeout: float) -> dict | None:
    py = REPO / ".venv-bench" / "bin" / "python"
    if not py.exists():
        return None
    try:
        proc = subprocess.run([str(py), "-c", ANJANA, str(data), name, str(supp)], capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def loss_of(df, hs, levels: dict[str, int], supp: float) -> tuple[float, int]:
    """ARX loss of a given transformation (k=5, suppression of the violating classes) with our metric."""
    from anonymizer.privacy import models as M
    from anonymizer.privacy.lattice import _Problem

    qis = [c for c in df.columns if c in hs]
    prob = _Problem(df, hs, qis, None, M.Models(k=5), 1.0)  # evaluate whatever it suppresses
    met = make_metric("loss")
    met.prepare(prob)
    node = tuple(int(levels[q]) for q in qis)
    ev = prob.evaluate(node, from_base=True, cache=False)
    return met.value(node, ev.cls_gens, ev.sizes, ev.viol), ev.suppressed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-exhaustive", action="store_true")
    ap.add_argument("--anjana-timeout", type=float, default=120.0)
    ap.add_argument("--exhaustive-limit", type=float, default=120.0,
                    help="stop the exhaustive reference after this many seconds (reported as such)")
    args = ap.parse_args()
    data = Path(args.data)
    tables = {}
    for name in ("adult", "cup"):
        df = pd.read_csv(data / name / f"{name}.csv", sep=";", dtype=str, keep_default_na=False)
        tables[name] = (df, load_hierarchies(data / name))
    # warm-up (imports, pandas/numpy first calls), like ARX's in-JVM timings
    search(tables["adult"][0].head(2000), tables["adult"][1], k=5, max_suppression=0.02)

    for name, supp, case in CASES:
        df, hs = tables[name]
        times, cpu = [], []
        for _ in range(max(args.repeat, 1)):
            t0, c0 = time.perf_counter(), time.process_time()
            r = search(df, hs, k=5, max_suppression=supp, metric="loss")
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"{case} records {len(df)}")
        print(f"{case} lattice_size {r.lattice_size}")
        print(f"{case} anon_seconds {min(times):.3f}")
        print(f"{case} anon_cpu_seconds {min(cpu):.3f}")
        print(f"{case} load_average_1min {os.getloadavg()[0]:.1f}")
        print(f"{case} anon_transformations_checked {r.transformations_checked}")
        print(f"{case} anon_levels {','.join(str(v) for v in r.levels.values())}")
        print(f"{case} anon_loss {r.information_loss:.10f}")
        print(f"{case} anon_suppressed {r.suppressed}")
        print(f"{case} arx_reference_seconds {ARX_SECONDS[case]}")
        if not args.skip_exhaustive:
            t0, c0 = time.perf_counter(), time.process_time()
            ex = search(df, hs, k=5, max_suppression=supp, metric="loss", strategy="exhaustive",
                        time_budget=args.exhaustive_limit)
            wall, cpu_ex = time.perf_counter() - t0, time.process_time() - c0
            if ex.exact:
                print(f"{case} exhaustive_seconds {wall:.3f}")
                print(f"{case} exhaustive_cpu_seconds {cpu_ex:.3f}")
                print(f"{case} exhaustive_loss {ex.information_loss:.10f}")
                print(f"{case} exhaustive_same_optimum {abs(ex.information_loss - r.information_loss) < 1e-12}")
            else:
                print(f"{case} exhaustive_seconds >{wall:.1f} (stopped after {ex.transformations_checked} of "
                      f"{ex.lattice_size} transformations)")
        aj = run_anjana(data, name, supp, args.anjana_timeout)
        if aj is None:
            print(f"{case} anjana_seconds unavailable")
        elif "seconds" in aj:
            loss, sup = loss_of(df, hs, aj["levels"], supp)
            print(f"{case} anjana_seconds {aj['seconds']:.3f}")
            print(f"{case} anjana_levels {','.join(str(aj['levels'][q]) for q in r.quasi_identifiers)}")
            print(f"{case} anjana_loss {loss:.10f}")
            print(f"{case} anjana_suppressed {aj['suppressed']}")
        else:
            print(f"{case} anjana_seconds {'>' + str(aj['timeout']) + ' (timeout)' if 'timeout' in aj else 'error'}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
