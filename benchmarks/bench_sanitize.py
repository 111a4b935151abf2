"""Sanitize figures: `anon sanitize --profile training` (no risk report) on the example
extract, against the pyarrow read + write floor of the same file (issue 4: within 3x).

Inputs come from ``anonymizer.synth.generate_extract`` and are cached in benchmarks/out/.
Each run is a fresh ``anon`` process; wall time, CPU time and peak RSS are its own.

    python benchmarks/bench_sanitize.py                 # 10,204 and 100,000 rows
    python benchmarks/bench_sanitize.py 1000000         # any sizes
    ANON_BENCH_NO_NER=1 ...                             # free text redacted with recognizers only
    ANON_BENCH_WORKERS=2 ...                            # pass 2 over 2 processes (--workers 2)

Prints one figure per line: ``sanitize.<what> <value> <unit>``; the run's own phase timings
(manifest ``timings_s``) come last, the main ones (pass 2 = transforms + free text, the whole-record
privacy solve, verification, the release gate's attack) also as a share of the run and a multiple
of the floor, so a change in one phase shows where the time went.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ANON = [sys.executable, "-m", "anonymizer"]
WORKERS = int(os.environ.get("ANON_BENCH_WORKERS", "1"))
#: the phases reported apart: name -> key of the manifest's ``timings_s`` (engine.pipeline)
PHASES = {"pass2": "pass_transform_write", "solve": "privacy", "verify": "verify", "attack": "attack"}


def _extract(rows: int) -> Path:
    path = OUT / f"extract_{rows}_synth.csv"
    if not path.exists():
        subprocess.run([*ANON, "generate", "--rows", str(rows), "--seed", "2021", "-o", str(path), "--force"],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def _floor(path: Path) -> float:
    """Plain pyarrow read + write of the same CSV (the I/O floor)."""
    code = (
        "import pyarrow.csv as c, time, sys;"
        "t=time.perf_counter();"
        "r=c.read_csv(sys.argv[1], read_options=c.ReadOptions(encoding='cp1252'),"
        " parse_options=c.ParseOptions(delimiter=';'),"
        " convert_options=c.ConvertOptions(strings_can_be_null=False));"
        "c.write_csv(r, sys.argv[2], c.WriteOptions(delimiter=';'));"
        "print(time.perf_counter()-t)"
    )
    tmp = OUT / "floor_out.csv"
    res = subprocess.run([sys.executable, "-c", code, str(path), str(tmp)], check=True, capture_output=True, text=True)
    tmp.unlink(missing_ok=True)
    return float(res.stdout.strip())


def _run(path: Path, rows: int, key_file: Path) -> dict:
    out = OUT / f"training_{rows}.csv"
    policy = OUT / f"policy_{rows}.yaml"
    if not policy.exists():
        subprocess.run([*ANON, "scan", str(path), "--write-policy", str(policy), "--force"], check=True,
                       stdout=subprocess.DEVNULL)
    if os.environ.get("ANON_BENCH_NO_NER"):
        text = policy.read_text(encoding="utf-8").replace("params: {mode: fake}", "params: {mode: fake, ner: false}")
        policy = OUT / f"policy_{rows}_noner.yaml"
        policy.write_text(text, encoding="utf-8")
    # peak RSS of the sanitize process itself, polled (RUSAGE_CHILDREN's maxrss is the max over
    # every child, and the floor's whole-file pyarrow read is one of them)
    from bench_scale import measure

    res = measure([*ANON, "sanitize", str(path), "--policy", str(policy), "--key-file", str(key_file),
                   "-o", str(out), "--no-report", "--force", "--format", "json", "--workers", str(WORKERS)])
    if res["rc"] not in (0, 1):
        raise SystemExit(f"sanitize failed ({res['rc']}): {res['last_err']}")
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text())
    return {"wall": res["seconds"], "cpu": res["cpu_seconds"], "rss_mib": res["peak_rss_mib"], "manifest": manifest,
            "exit": res["rc"]}


def main(argv: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    sizes = [int(a) for a in argv] or [10_204, 100_000]
    key_file = OUT / "bench.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    for rows in sizes:
        path = _extract(rows)
        floor = _floor(path)
        r = _run(path, rows, key_file)
        m = r["manifest"]
        print(f"sanitize.rows {rows} rows")
        print(f"sanitize.workers {WORKERS} processes")
        print(f"sanitize.floor_pyarrow_read_write_{rows} {floor:.2f} s")
        print(f"sanitize.wall_{rows} {r['wall']:.2f} s")
        print(f"sanitize.cpu_{rows} {r['cpu']:.2f} s")
        print(f"sanitize.ratio_to_floor_{rows} {r['wall'] / floor:.1f} x")
        print(f"sanitize.rows_per_s_{rows} {rows / r['wall']:.0f} rows/s")
        print(f"sanitize.peak_rss_{rows} {r['rss_mib']:.0f} MiB")
        print(f"sanitize.released_{rows} {m['released']}")
        timings = m.get("timings_s") or {}
        for k, v in timings.items():
            print(f"sanitize.step_{k}_{rows} {v:.2f} s")
        total = timings.get("total") or r["wall"]
        for name, key in PHASES.items():
            if key in timings:
                print(f"sanitize.phase_{name}_{rows} {timings[key]:.2f} s = {timings[key] / total:.0%} of the run "
                      f"= {timings[key] / floor:.1f} x floor")


if __name__ == "__main__":
    main(sys.argv[1:])
