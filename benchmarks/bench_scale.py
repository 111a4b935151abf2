"""Scale benchmark (issue 8): generate, sanitize and measure risk on a big extract; local vs Dask.

Every step runs in its own subprocess; wall time is measured around it and the peak
resident memory of its whole process tree (the Dask workers included) by polling /proc
through psutil every 0.1 s. Prints one figure per line (``name: value``).

  .venv/bin/python benchmarks/bench_scale.py                       # 5,000,000 rows, Dask on 1,000,000
  .venv/bin/python benchmarks/bench_scale.py --rows 200000 --dask-rows 100000
  .venv/bin/python benchmarks/bench_scale.py --steps dask          # reuse benchmarks/out/ files

Targets (issue 8): generation < 10 min for 5 M rows; sanitize peak RSS < 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
QI = "SEXE,DTNAIS,CODPOST,NATIO"
SENSITIVE = "AAH_MT"
MIB = 1 << 20


def measure(cmd: list[str], env: dict[str, str] | None = None, preexec_fn=None) -> dict:
    """Run ``cmd``; wall seconds, peak RSS of its process tree (MiB), exit code, last stderr line.
    ``preexec_fn`` runs in the child before ``cmd`` (e.g. a resource limit)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)
    peak = 0
    peak_at = 0.0
    timeline: list[tuple[float, int]] = []  # (seconds, max RSS over the last 10 s)
    cpu: dict[int, float] = {}  # last user+system CPU seen per process of the tree
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak, peak_at
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                        t = p.cpu_times()
                        cpu[p.pid] = t.user + t.system
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            now = time.perf_counter() - t0
            if total > peak:
                peak, peak_at = total, now
            if not timeline or now - timeline[-1][0] >= 10:
                timeline.append((now, total))
            else:
                timeline[-1] = (timeline[-1][0], max(timeline[-1][1], total))
            time.sleep(0.1)

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_rss_mib": peak / MIB, "rc": proc.returncode,
            "peak_at_s": peak_at, "peak_before_end_s": seconds - peak_at,
            "timeline": [(round(t, 1), round(r / MIB)) for t, r in timeline],
            "cpu_seconds": sum(cpu.values()),
            "stdout": out, "last_err": lines[-1][:200] if lines else ""}


def show(prefix: str, res: dict, rows: int | None = None) -> None:
    print(f"{prefix}_seconds: {res['seconds']:.1f}")
    print(f"{prefix}_cpu_seconds: {res['cpu_seconds']:.1f}")  # the machine is shared: CPU time is the fairer figure
    print(f"{prefix}_peak_rss_mib: {res['peak_rss_mib']:.0f}")
    # when: with the run's phase timings (printed after) this says which phase peaked
    print(f"{prefix}_peak_at_s: {res['peak_at_s']:.1f} ({res['peak_before_end_s']:.1f} s before the end)")
    if res.get("timeline"):
        tl = OUT / f"{prefix}.rss.tsv"
        tl.write_text("seconds\tmax_rss_mib_over_10s\n" + "".join(f"{t}\t{r}\n" for t, r in res["timeline"]))
        print(f"{prefix}_rss_timeline: {tl.name}")
    if rows:
        print(f"{prefix}_rows_per_s: {rows / res['seconds']:.0f}")
        if res["cpu_seconds"]:
            print(f"{prefix}_rows_per_cpu_s: {rows / res['cpu_seconds']:.0f}")
    print(f"{prefix}_exit_code: {res['rc']}")
    if res["rc"] not in (0, 1):
        print(f"{prefix}_error: {res['last_err']}")
    sys.stdout.flush()


def generate(rows: int, path: Path) -> None:
    if path.exists():
        print(f"generate_{rows}_reused: {path.name}")
        return
    res = measure([str(BIN / "anon"), "generate", "--rows", str(rows), "--seed", "2021", "-o", str(path),
                   "--chunk-rows", "100000", "--truth", str(path.with_suffix(".truth.json")), "--force"])
    show(f"generate_{rows}", res, rows)
    print(f"generate_{rows}_file_mib: {path.stat().st_size / MIB:.0f}" if path.exists() else "generate_failed: yes")


ENGINE = """
import sys, json
from pathlib import Path
from anonymizer.engine.sanitize import SanitizeOptions, sanitize
engine, src, out, workers, key = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), bytes.fromhex(sys.argv[5])
opts = SanitizeOptions(profile="training", key=key, force=True, batch_rows=int(sys.argv[6]))
if engine == "local":
    r = sanitize(src, out, opts)
else:
    from anonymizer.engine.distributed import sanitize_dask
    r = sanitize_dask(src, out, opts, workers=workers)
print(json.dumps({"released": r.released, "timings": r.manifest.get("timings_s"),
                  "rows": r.manifest["output"]["rows"], "reached": (r.manifest.get("privacy") or {}).get("reached")}))
"""


def run_engine(engine: str, src: Path, out: Path, workers: int, key: str, batch_rows: int) -> dict:
    if __name__ == "__main__":
        res = measure([sys.executable, "-c", ENGINE, engine, str(src), str(out), str(workers), key, str(batch_rows)])
        try:
            res["info"] = json.loads(res["stdout"].strip().splitlines()[-1])
        except (ValueError, IndexError):
            res["info"] = {}
        return res
    raise RuntimeError("run as a script")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--dask-rows", type=int, default=1_000_000)
    ap.add_argument("--sanitize-rows", type=int, default=None,
                    help="rows for the anon sanitize step (default: --rows; a smaller extract is generated)")
    ap.add_argument("--batch-rows", type=int, default=100_000, help="batch / partition rows of the engine runs")
    ap.add_argument("--steps", default="generate,sanitize,risk,dask")
    args = ap.parse_args()
    steps = set(args.steps.split(","))
    OUT.mkdir(exist_ok=True)
    key = secrets.token_hex(32)
    key_file = OUT / "bench.key"
    key_file.write_text(key)
    big = OUT / f"extract_{args.rows}.parquet"
    small = OUT / f"extract_{args.dask_rows}.parquet"
    print(f"cpu_count: {os.cpu_count()}")
    print(f"rows: {args.rows}")
    if "generate" in steps or not big.exists():
        generate(args.rows, big)
    if "sanitize" in steps:
        n = args.sanitize_rows or args.rows
        src = OUT / f"extract_{n}.parquet"
        generate(n, src)
        # the documented flow: scan proposes a policy (a steward reviews it), sanitize applies it
        policy = OUT / f"policy_{n}.yaml"
        res = measure([str(BIN / "anon"), "scan", str(src), "--write-policy", str(policy), "--force"])
        show(f"scan_{n}", res, n)
        res = measure([str(BIN / "anon"), "sanitize", str(src), "--policy", str(policy), "--key-file", str(key_file),
                       "-o", str(OUT / f"safe_{n}.parquet"), "--force", "--format", "json"])
        show(f"sanitize_{n}", res, n)
        try:
            m = json.loads(res["stdout"])
            print(f"sanitize_{n}_released: {m.get('released')}")
            for k, v in (m.get("timings_s") or {}).items():
                print(f"sanitize_{n}_timing_{k}_s: {v}")
        except ValueError:
            pass
    if "risk" in steps:
        code = ("import sys, json; from anonymizer.engine.stream_risk import risk_report_streaming as r; "
                "rep = r(sys.argv[1], sys.argv[2].split(','), sys.argv[3].split(',')); "
                "print(json.dumps(rep['summary'] if 'summary' in rep else sorted(rep), default=str)[:300])")
        res = measure([sys.executable, "-c", code, str(big), QI, SENSITIVE])
        show(f"risk_streaming_{args.rows}", res, args.rows)
        if args.dask_rows < args.rows and ("dask" in steps or small.exists()):
            generate(args.dask_rows, small)
            res = measure([str(BIN / "anon"), "risk", str(small), "--qi", QI, "--sensitive", SENSITIVE,
                           "--format", "json"])
            show(f"risk_cli_in_memory_{args.dask_rows}", res, args.dask_rows)
    if "dask" in steps:
        generate(args.dask_rows, small)
        print(f"engine_batch_rows: {args.batch_rows}")
        for engine, workers in (("local", 1), ("dask", 1), ("dask", 2)):
            name = f"{engine}{workers if engine == 'dask' else ''}"
            res = run_engine(engine, small, OUT / f"safe_{args.dask_rows}_{name}.parquet", workers, key,
                             args.batch_rows)
            show(f"engine_{name}_{args.dask_rows}", res, args.dask_rows)
            info = res.get("info") or {}
            if info:
                print(f"engine_{name}_{args.dask_rows}_released: {info.get('released')}")
                for k, v in (info.get("timings") or {}).items():
                    print(f"engine_{name}_{args.dask_rows}_timing_{k}_s: {v}")
        for name in ("dask1", "dask2"):
            print(f"engine_{name}_same_values_as_local: "
                  f"{same_values(OUT / f'safe_{args.dask_rows}_local.parquet', OUT / f'safe_{args.dask_rows}_{name}.parquet')}")


def same_values(local: Path, parts: Path) -> bool | str:
    """Column by column (bounded memory): the local file equals the concatenated parts."""
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    for p in (local, parts):
        if not p.exists():
            p2 = p.with_name(p.stem + ".NOT-RELEASED" + p.suffix)
            if not p2.exists():
                return "missing output"
    local = local if local.exists() else local.with_name(local.stem + ".NOT-RELEASED" + local.suffix)
    parts = parts if parts.exists() else parts.with_name(parts.stem + ".NOT-RELEASED" + parts.suffix)
    ds = pads.dataset(sorted(str(f) for f in parts.glob("part-*.parquet")), format="parquet")
    names = pq.ParquetFile(local).schema_arrow.names
    if names != ds.schema.names:
        return False
    return all(pq.read_table(local, columns=[c]).column(0).to_pylist() == ds.to_table(columns=[c]).column(0).to_pylist()
               for c in names)


if __name__ == "__main__":
    main()
