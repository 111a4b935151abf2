"""A file bigger than the memory the process may use (issue 8): scan, sanitize, risk, check.

Writes a CSV larger than ``--limit-mib`` (by default a 2.6 GB file of 3.2 million rows ×
26 columns: quasi-identifiers, a surname and a phone number to pseudonymise and fake,
an amount and 20 text columns), then runs each command in a subprocess whose address space
is capped at ``--limit-mib`` with RLIMIT_AS (``ulimit -v``). Address space is a stricter
bound than resident memory (it counts what is reserved, not only what is touched), and it
is the one limit an unprivileged process can set on Linux. A command that needed the
file in memory could not even map it. Prints ``name: value`` lines: exit code, wall time,
peak resident memory (polled) and the file size.

  .venv/bin/python benchmarks/bench_larger_than_memory.py
  .venv/bin/python benchmarks/bench_larger_than_memory.py --steps sanitize --limit-mib 1800
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sys
import time
from pathlib import Path

from bench_scale import measure  # same folder: peak RSS of the process tree, polled

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "larger_than_memory"
BIN = Path(sys.executable).parent
MIB = 1 << 20
TEXT_COLUMNS = 20

POLICY = """version: 1
profile: training
strict: true
privacy: {k: 5, quasi_identifiers: [SEXE, AGE, DEP], sensitive: [AAH_MT]}
columns:
  SEXE: {role: quasi_identifier, entity: SEX, action: keep}
  AGE: {role: quasi_identifier, entity: AGE, action: generalize, params: {method: band, width: 5}}
  DEP: {role: quasi_identifier, entity: DEPARTEMENT, action: keep}
  NOM: {role: identifier, entity: LAST_NAME, action: pseudonymize}
  TEL: {role: identifier, entity: PHONE, action: fake}
  AAH_MT: {role: sensitive, entity: AMOUNT, action: generalize, params: {method: round, step: 10}}
""" + "".join(f"  T{j}: {{role: insensitive, action: keep}}\n" for j in range(TEXT_COLUMNS))


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """Vectorised: chunks of 200,000 rows, never the whole table in memory."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from faker.providers.person.fr_FR import Provider

    rng = np.random.default_rng(seed)
    names = np.array(sorted(set(Provider.last_names)), dtype=object)
    words = np.array([f"texte libre sans identifiant numero {i:02d}" for i in range(50)], dtype=object)
    fields = ["SEXE", "AGE", "DEP", "NOM", "TEL", "AAH_MT", *(f"T{j}" for j in range(TEXT_COLUMNS))]
    schema = pa.schema([(f, pa.string()) for f in fields])
    deps = np.array([f"{d:02d}" for d in range(1, 96)], dtype=object)
    tmp = path.with_suffix(".tmp")
    with pacsv.CSVWriter(tmp, schema, write_options=pacsv.WriteOptions(delimiter=";")) as w:
        for start in range(0, rows, 200_000):
            n = min(200_000, rows - start)
            tel = np.char.add("06", np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)).astype(object)
            cols = [rng.choice(np.array(["1", "2"], dtype=object), n), rng.integers(18, 90, n).astype(str),
                    rng.choice(deps, n), rng.choice(names, n), tel, rng.integers(0, 900, n).astype(str)]
            cols += [rng.choice(words, n) for _ in range(TEXT_COLUMNS)]
            w.write_table(pa.Table.from_arrays([pa.array(c, pa.string()) for c in cols], schema=schema))
    os.replace(tmp, path)


def run_limited(cmd: list[str], limit_mib: int) -> dict:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mib * MIB, limit_mib * MIB))

    return measure(cmd, preexec_fn=cap)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=3_200_000)
    ap.add_argument("--limit-mib", type=int, default=2048, help="RLIMIT_AS of each command (MiB)")
    ap.add_argument("--steps", default="scan,sanitize,risk,check,check_output")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"wide_{args.rows}.csv"
    if not data.exists():
        t0 = time.perf_counter()
        write_csv(data, args.rows)
        print(f"write_seconds: {time.perf_counter() - t0:.1f}")
    size = data.stat().st_size / MIB
    print(f"file_mib: {size:.0f}")
    print(f"limit_mib: {args.limit_mib}")
    print(f"file_bigger_than_limit: {size > args.limit_mib}")
    policy = OUT / "policy.yaml"
    policy.write_text(POLICY)
    key = OUT / "bench.key"
    key.write_text(secrets.token_hex(32))
    anon = str(BIN / "anon")
    cmds = {
        "scan": [anon, "scan", str(data), "--format", "json"],
        "sanitize": [anon, "sanitize", str(data), "--policy", str(policy), "--key-file", str(key),
                     "-o", str(OUT / "safe.csv"), "--force", "--format", "json"],
        "risk": [anon, "risk", str(data), "--policy", str(policy), "--format", "json"],
        "check": [anon, "check", str(data), "--no-cache", "--format", "json", "-q"],  # exit 1: it finds NOM, TEL
        "check_output": [anon, "check", str(OUT / "safe.csv"), "--no-cache", "--format", "json", "-q"],
    }
    for step in args.steps.split(","):
        res = run_limited(cmds[step], args.limit_mib)
        print(f"{step}_exit_code: {res['rc']}")
        print(f"{step}_seconds: {res['seconds']:.1f}")
        print(f"{step}_peak_rss_mib: {res['peak_rss_mib']:.0f}")
        print(f"{step}_rows_per_s: {args.rows / res['seconds']:.0f}")
        if res["rc"] not in (0, 1):  # check exits 1 when it finds something: that is an answer
            print(f"{step}_error: {res['last_err']}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
