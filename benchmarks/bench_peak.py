"""Peak memory of a sanitize run's global phases on a big file, without waiting for pass 2.

Runs ``anonymizer.engine.sanitize.sanitize`` in this process on FILE with POLICY and stops
after BATCHES batches of pass 2 (nothing is published: the staging file is removed). Pass 1,
the merge of the hash index, the privacy search and the start of pass 2 (spaCy loaded) are
where a run's memory peaks; pass 2 then holds steady. RSS is polled every 50 ms.

    python benchmarks/bench_peak.py benchmarks/out/extract_5000000.parquet benchmarks/out/policy_5000000.yaml 3
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from pathlib import Path

import psutil

import anonymizer.engine.sanitize as sz


def main(src: str, policy: str, batches: int) -> None:
    proc = psutil.Process()
    peak = [0]

    def poll() -> None:
        while True:
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.05)

    threading.Thread(target=poll, daemon=True).start()
    t0 = time.perf_counter()
    written = [0]
    write = sz.TableWriter.write

    def counted(self, df):  # stop after the wanted number of pass-2 batches
        write(self, df)
        written[0] += 1
        print(f"peak.pass2_batch_{written[0]} rss {proc.memory_info().rss >> 20} MiB, peak {peak[0] >> 20} MiB, "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
        if written[0] >= batches:
            raise KeyboardInterrupt

    sz.TableWriter.write = counted
    opts = sz.SanitizeOptions(policy_path=Path(policy), key=b"k" * 32, report=True, force=True)
    out = Path(src).with_name("peak_probe" + Path(src).suffix)
    with contextlib.suppress(KeyboardInterrupt):
        sz.sanitize(src, out, opts, progress=lambda m: print(
            f"peak.phase {m}: rss {proc.memory_info().rss >> 20} MiB, peak {peak[0] >> 20} MiB, "
            f"{time.perf_counter() - t0:.0f} s", flush=True))
    print(f"peak.rss_mib {peak[0] >> 20}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
