"""I/O figures: read + write time and peak RSS of the example extract through anon's io,
against plain pyarrow.csv read + write of the same file (the I/O floor).

The extract is a ``;``-separated cp1252 CSV with decimal commas and 181 columns, at
10,204 and 1,000,000 rows. It comes from ``anonymizer.synth.iter_extract`` (what ``anon
generate`` writes) when that exists, else from a stand-in of the same shape (column codes and types parsed from the
schema document). Inputs are cached under benchmarks/out/. Each measurement runs in a
fresh process so its peak RSS is its own.

    python benchmarks/bench_io.py            # both sizes
    ANON_BENCH_QUICK=1 python benchmarks/bench_io.py   # 10,204 rows only

Prints one figure per line: ``io.<what> <value> <unit>`` (best of 3 runs at 10,204 rows,
one run at 1,000,000).
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCHEMA = HERE.parents[1] / "shared" / "reference" / "caf_extract_schema.md"
SIZES = (10_204,) if os.environ.get("ANON_BENCH_QUICK") else (10_204, 1_000_000)


# ----------------------------------------------------------------------------- input


def _schema_columns() -> list[tuple[str, str]]:
    """(code, type) of the 181 columns of the schema document, or a generic shape without it."""
    cols: list[tuple[int, str, str]] = []
    if SCHEMA.exists():
        for line in SCHEMA.read_text(encoding="utf-8").splitlines():
            # "| 9 | NIR | ..." or a slot pattern "| 66, 70, 74, 78, 82 | ENFn_PRENOM | ..." (children 1..5)
            m = re.match(r"^\|\s*(\d+(?:\s*,\s*\d+)*)\s*\|\s*([A-Za-z0-9_]+)\s*\|[^|]*\|\s*([^|]*)\|", line)
            if m:
                nums = [int(n) for n in re.findall(r"\d+", m.group(1))]
                for slot, num in enumerate(nums, start=1):
                    code = m.group(2).replace("ENFn", f"ENF{slot}") if len(nums) > 1 else m.group(2)
                    cols.append((num, code, m.group(3).strip()))
    cols_sorted = [(code, typ) for _, code, typ in sorted(cols)]
    cols = cols_sorted
    if len(cols) < 150:
        kinds = ["char(7)", "str", "date", "decimal", "cat {A, B, C}", "int", "char(5)"]
        cols = [(f"COL{i:03d}", kinds[i % len(kinds)]) for i in range(181)]
    return cols


def _standin_batch(cols, rows: int, start: int, rng):
    import numpy as np
    import pandas as pd

    words = np.array(["MARTIN", "Léa", "Hélène", "DUPONT", "rue", "Gaëlle", "Bordeaux", "Œuvre", "chemin", "Noël"])
    data = {}
    for j, (code, typ) in enumerate(cols):
        t = typ.lower()
        if code == "NUMLIGNE":
            v = np.arange(start + 1, start + rows + 1).astype(str)
        elif t.startswith("date"):
            d = rng.integers(1, 29, rows)
            m = rng.integers(1, 13, rows)
            y = rng.integers(1930, 2022, rows)
            v = np.char.add(np.char.add(np.char.add(np.char.zfill(d.astype(str), 2), "/"),
                                        np.char.add(np.char.zfill(m.astype(str), 2), "/")), y.astype(str))
        elif t.startswith("decimal"):
            v = np.char.replace(np.round(rng.lognormal(6, 1, rows), 2).astype(str), ".", ",")
        elif t.startswith("int"):
            v = rng.integers(0, 6, rows).astype(str)
        elif t.startswith("char("):
            n = int(re.findall(r"\d+", t)[0]) if re.findall(r"\d+", t) else 5
            v = np.char.zfill(rng.integers(0, 10 ** min(n, 15), rows).astype(str), min(n, 15))
        elif t.startswith("cat"):
            opts = re.findall(r"[A-Z0-9_]+", typ.split("{", 1)[-1]) or ["O", "N"]
            v = np.array(opts)[rng.integers(0, len(opts), rows)]
        else:
            v = np.char.add(np.char.add(words[rng.integers(0, len(words), rows)], " "),
                            words[rng.integers(0, len(words), rows)])
            if j % 60 == 0:  # a free-text-like column: delimiters and quotes inside, so fields get quoted
                v = np.where(rng.random(rows) < 0.1, np.char.add(v, '; dit "urgent"'), v)
        if j % 7 == 3:
            v = np.where(rng.random(rows) < 0.3, "", v)  # empty cells
        data[code] = v
    return pd.DataFrame(data, dtype=str)


def ensure_input(rows: int) -> tuple[Path, str]:
    """Build (once) and return the cp1252 ``;`` extract of ``rows`` rows and where it came from."""
    OUT.mkdir(exist_ok=True)
    try:
        from anonymizer.synth import iter_extract
    except ImportError:
        iter_extract = None
    source = "synth.iter_extract (anon generate)" if iter_extract else "stand-in"
    tag = "synth" if iter_extract else f"standin{len(_schema_columns())}"
    path = OUT / f"extract_{rows}_{tag}.csv"
    if path.exists():
        return path, source
    from anonymizer.io import TableWriter

    # the dialect `anon generate` writes: ; cp1252 CRLF (decimal commas and JJ/MM/AAAA are in the values)
    opts = {"encoding": "cp1252", "delimiter": ";", "line_terminator": "\r\n"}
    with TableWriter(path, fmt="csv", **opts) as w:
        if iter_extract:
            for batch in iter_extract(rows, 2021, 50_000):
                w.write(batch)
        else:
            import numpy as np

            rng = np.random.default_rng(2021)
            cols = _schema_columns()
            for start in range(0, rows, 100_000):
                w.write(_standin_batch(cols, min(100_000, rows - start), start, rng))
    return path, source


# ----------------------------------------------------------------------------- one measurement (child)


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM). ru_maxrss would not do: on Linux it survives
    exec, so a child started by a parent that just built the 1M-row input inherits its peak."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(mode: str, src: Path) -> dict:
    dst = OUT / f"copy_{mode}_{src.name}"
    if dst.exists():
        dst.unlink()
    res: dict = {}
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from anonymizer.io import TableWriter, iter_batches, read_table, write_table

    res["import_rss_mb"] = _peak_mb()  # interpreter + pandas + pyarrow, before any data
    t0 = time.perf_counter()  # imports stay outside the timed region for every mode
    if mode == "anon_read":
        _, batches = iter_batches(src, batch_rows=100_000)
        res["rows"] = sum(len(b) for b in batches)
    elif mode == "anon_batches":
        meta, batches = iter_batches(src, batch_rows=100_000)
        with TableWriter(dst, like=meta) as w:
            for b in batches:
                w.write(b)
        res["rows"] = w.rows
    elif mode == "anon_table":
        t = read_table(src)
        res["read_s"] = time.perf_counter() - t0
        write_table(t.df, dst, like=t.meta)
        res["rows"] = len(t.df)
    elif mode in ("arrow_read", "arrow_table"):
        with open(src, encoding="cp1252") as fh:
            header = fh.readline().rstrip("\r\n").split(";")
        table = pacsv.read_csv(
            src,
            read_options=pacsv.ReadOptions(encoding="cp1252", block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=False
            ),
        )
        res["read_s"] = time.perf_counter() - t0
        res["rows"] = table.num_rows
        if mode == "arrow_table":
            pacsv.write_csv(table, dst, pacsv.WriteOptions(delimiter=";", eol="\r\n"))  # utf-8 only
    res["seconds"] = time.perf_counter() - t0
    res["peak_rss_mb"] = _peak_mb()
    if dst.exists():
        res["identical"] = _same_bytes(src, dst)
        dst.unlink()
    return res


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 24), fb.read(1 << 24)
            if x != y:
                return False
            if not x:
                return True


def run_child(mode: str, src: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(src)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    for rows in SIZES:
        t0 = time.perf_counter()
        src, source = ensure_input(rows)
        size_mb = src.stat().st_size / 1e6
        print(f"io.input.rows={rows}.source {source}")
        print(f"io.input.rows={rows}.size {size_mb:.1f} MB")
        print(f"io.input.rows={rows}.build_or_cache_s {time.perf_counter() - t0:.1f} s")
        modes = ["arrow_read", "arrow_table", "anon_read", "anon_batches"]
        if rows <= 100_000:
            modes.append("anon_table")
        repeats = 3 if rows <= 100_000 else 1  # the machine is shared: best of 3 where it is cheap
        for mode in modes:
            r = min((run_child(mode, src) for _ in range(repeats)), key=lambda x: x["seconds"])
            prefix = f"io.{mode}.rows={rows}"
            if "read_s" in r:
                print(f"{prefix}.read_s {r['read_s']:.2f} s")
            print(f"{prefix}.total_s {r['seconds']:.2f} s")
            print(f"{prefix}.rows_per_s {r['rows'] / r['seconds']:,.0f} rows/s")
            print(f"{prefix}.peak_rss {r['peak_rss_mb']:.0f} MB")
            print(f"{prefix}.peak_rss_above_imports {r['peak_rss_mb'] - r['import_rss_mb']:.0f} MB")
            if "identical" in r and mode.startswith("anon"):
                print(f"{prefix}.byte_identical {int(r['identical'])}")
            sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
    else:
        main()
