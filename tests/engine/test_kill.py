"""A run killed half-way publishes nothing: no output, no manifest, no report (issue 4)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ANON = [sys.executable, "-m", "anonymizer"]


def _start(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    src = tmp_path / "extract.csv"
    subprocess.run([*ANON, "generate", "--rows", "20000", "--seed", "3", "-o", str(src), "--truth", str(tmp_path / "truth.json")],
                   check=True, capture_output=True)
    key = tmp_path / "k.key"
    key.write_text("ab" * 32)
    out = tmp_path / "safe.csv"
    proc = subprocess.Popen([*ANON, "sanitize", str(src), "--profile", "training", "--key-file", str(key), "-o", str(out)],
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
