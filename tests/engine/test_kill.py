"""A run killed half-way publishes nothing: no output, no manifest, no report (issue 4)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ANON = [sys.executable, "-m", "anonymizer"]


def _start(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    src = tmp_path / "extract.csv"
    subprocess.run([*ANON, "generate", "--rows", "20000", "--seed", "3", "-o", str(src), "--truth", str(tmp_path / "truth.json")],
                   check=True, capture_output=True)
    key = tmp_path / "k.key"
    key.write_text("ab" * 32)
    out = tmp_path / "safe.csv"
    proc = subprocess.Popen([*ANON, "sanitize", str(src), "--profile", "training", "--key-file", str(key), "-o", str(out),
                             *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".anon-tmp-") for p in tmp_path.iterdir()):  # pass 2 is writing
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run ended before it started writing")
        time.sleep(0.05)
    return proc, out


def _published(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("safe"))


def test_sigterm_removes_the_temporary_files_and_publishes_nothing(tmp_path):
    proc, _ = _start(tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert _published(tmp_path) == []
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_sigkill_publishes_nothing(tmp_path):
    proc, _ = _start(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    assert _published(tmp_path) == []  # only a hidden temporary file can remain


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes die with the parent on Linux")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_run_with_workers_leaves_no_worker_and_publishes_nothing(tmp_path, sig):
    proc, _ = _start(tmp_path, "--workers", "2", "--batch-rows", "2000")
    workers = _children(proc.pid)
    assert workers  # the pool is up while pass 2 writes
    proc.send_signal(sig)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]
    assert _published(tmp_path) == []
