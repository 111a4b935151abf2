"""Peak RSS per phase of a complete sanitize run, in this process (issue #21's memory target).

``bench_peak.py`` stops after a few pass-2 batches; this one runs to the end (``--workers 1``,
risk report included) and prints, for every phase the run announces (pass 1, the whole-record
solve, pass 2, pass 3, the release gate's attack, the risk report), the highest RSS seen while
it ran (polled every 20 ms), its wall time, and the sizes of the global state pass 1 keeps
(dictionary-coded frames). Run it at two sizes to tell what grows with the rows from what is
per batch:

    python benchmarks/bench_phase_peak.py FILE POLICY OUT [KEY_FILE]
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import psutil

import anonymizer.engine.local as local
import anonymizer.engine.pipeline as pipeline
import anonymizer.engine.sanitize as sz

PHASES = ("pass 1/3", "whole-record", "enforcing", "pass 2/3", "starting", "pass 3/3", "attacking", "measuring")


def main(src: str, policy: str, out: str, key_file: str) -> None:
    from anonymizer.transform.pseudonymize import load_key

    proc = psutil.Process()
    mib = lambda b: b >> 20  # noqa: E731
    state = {"peak": proc.memory_info().rss, "phase": "start", "t": time.perf_counter()}
    phases: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    def poll() -> None:
        while True:
            r = proc.memory_info().rss
            with lock:
                state["peak"] = max(state["peak"], r)
            time.sleep(0.02)

    def say(msg: str) -> None:
        phase = next((p for p in PHASES if msg.startswith(p)), msg[:40])
        with lock:
            if phase != state["phase"]:
                phases.append((state["phase"], mib(state["peak"]), round(time.perf_counter() - state["t"], 1)))
                print(f"phase.{state['phase']} peak {mib(state['peak'])} MiB, {phases[-1][2]} s", flush=True)
                state.update(phase=phase, peak=proc.memory_info().rss, t=time.perf_counter())

    def size(frame) -> float:
        return 0.0 if frame is None else round(frame.memory_usage(deep=True).sum() / 2**20, 1)

    gather = local.LocalExecutor.gather

    def gather_sizes(self, *a, **k):
        g = gather(self, *a, **k)
        print(f"global.qi_out {size(g.qi_out)} MiB, qi_orig {size(g.qi_orig)} MiB, known {size(g.known)} MiB", flush=True)
        return g

    frame = pipeline.Released.frame

    def released_size(self):
        f = frame(self)
        print(f"global.released {size(f)} MiB", flush=True)
        return f

    local.LocalExecutor.gather, pipeline.Released.frame = gather_sizes, released_size
    threading.Thread(target=poll, daemon=True).start()
    key = load_key(key_file=Path(key_file), weak_ok=True)
    opts = sz.SanitizeOptions(policy_path=Path(policy), key=key, report=True, force=True, workers=1)
    t0 = time.perf_counter()
    res = sz.sanitize(src, Path(out), opts, progress=say)
    say("end")
    print(f"phase_peak.total {time.perf_counter() - t0:.0f} s, peak {max(p[1] for p in phases)} MiB, "
          f"released {res.released}")
    print("phase_peak.json", json.dumps(phases))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3],
         sys.argv[4] if len(sys.argv) > 4 else str(Path(__file__).parent / "out" / "bench.key"))
