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
    key.write_text("6a1e9f03c7d24b58e0f3a61c9d7b25e48f0c3a6d1b9e72f54a8c0d3e6b1f927a")
    out = tmp_path / "safe.csv"
    proc = subprocess.Popen([*ANON, "sanitize", str(src), "--profile", "training", "--key-file", str(key), "-o", str(out),
                             *extra],
                            # a file, not a pipe nobody reads: a run's progress lines would fill a pipe
                            # and block it (the test would then time out, not the run)
                            stdout=subprocess.DEVNULL, stderr=(tmp_path.parent / f"{tmp_path.name}.err").open("w"),
                            text=True)
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


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and ps --ppid")
def test_a_worker_killed_mid_run_stops_the_run_with_one_line_and_publishes_nothing(tmp_path):
    """What the kernel's out-of-memory killer does to a worker: the run must stop with a clear error
    (multiprocessing.Pool waited forever for the lost batch), exit non-zero and publish nothing."""
    proc, _ = _start(tmp_path, "--workers", "2", "--batch-rows", "2000")
    workers = [w for w in _children(proc.pid) if _alive(w) and b"spawn_main" in _cmdline(w)]  # not the resource tracker
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the run hung after losing a worker")
    err = (tmp_path.parent / f"{tmp_path.name}.err").read_text()
    assert proc.returncode == 2
    assert "Traceback" not in err
    assert "worker process stopped without an answer" in err
    assert _published(tmp_path) == []
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".anon-tmp-")]
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]  # the other worker is stopped too


# ----------------------------------------------------------------------------- publish (issue 18)
# A run killed (SIGKILL, no clean-up possible) at any phase leaves the previous set of files or,
# once a later run has replayed its journal, the complete new one; never an output beside a
# manifest that is not its own. The phases are hit exactly through engine.publish.failpoint.

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402

import yaml  # noqa: E402

OLD_KEY, NEW_KEY = "5f1c9a4e7b2d8063e1a9c47f0b6d2e85", "c83e1b0f6a9d4725b1e07c3f9a2d58e6"
PHASES = ["gather", "write", "verify", "report", "manifest",  # before the journal: the previous set
          "publish:journal", "publish:removed", "publish:0", "publish:2", "publish:3"]  # after: replayed


def _hand_extract(folder: Path, copies: int = 1) -> tuple[Path, Path]:
    """The hand-made extract of test_sanitize (free text dropped: no spaCy, a run takes seconds)."""
    import pandas as pd
    from test_sanitize import DF, POLICY  # this folder is on sys.path (pytest prepend mode)

    df = pd.concat([DF] * copies, ignore_index=True)
    df["NUMALLOC"] = [f"{i:07d}" for i in range(len(df))]
    src = folder / "extract.csv"
    src.write_text(df.to_csv(sep=";", index=False), encoding="utf-8")
    policy = {**POLICY, "columns": {**POLICY["columns"], "COMMENT": {"role": "free_text", "entity": "FREE_TEXT",
                                                                     "action": "drop"}}}
    pol = folder / "policy.yaml"
    pol.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return src, pol


def _sanitize(folder: Path, key: str, *extra: str, kill_at: str | None = None, wait: bool = True):
    env = {**os.environ, "ANON_KEY": key}
    env.pop("ANON_KILL_AT", None)
    if kill_at:
        env["ANON_KILL_AT"] = kill_at
    cmd = [*ANON, "sanitize", "extract.csv", "--policy", "policy.yaml", "-o", "safe.csv", "--no-rescan", "--force",
           *extra]
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if wait:
        proc.wait(timeout=300)
    return proc


def _visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name.startswith("safe")}


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _consistent(files: dict[str, bytes]) -> None:
    """An output on disk has its manifest beside it, and the manifest describes that very file."""
    if "safe.csv" in files:
        assert "safe.csv.manifest.json" in files, "an output without its manifest"
        manifest = json.loads(files["safe.csv.manifest.json"])
        assert manifest["output"]["sha256"] == hashlib.sha256(files["safe.csv"]).hexdigest()


@pytest.fixture(scope="module")
def previous_set(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("previous")
    _hand_extract(folder)
    proc = _sanitize(folder, OLD_KEY)
    assert proc.returncode == 0, proc.stderr.read()
    return folder


@pytest.mark.parametrize("phase", PHASES)
def test_sigkill_at_each_phase_leaves_the_previous_or_the_complete_new_set(tmp_path, previous_set, phase):
    from anonymizer.engine.publish import recover

    for p in previous_set.iterdir():
        shutil.copy2(p, tmp_path / p.name)
    old = _visible(tmp_path)
    assert set(old) == {"safe.csv", "safe.csv.manifest.json", "safe.csv.risk.json", "safe.csv.risk.html"}

    proc = _sanitize(tmp_path, NEW_KEY, kill_at=phase)
    assert proc.returncode == -signal.SIGKILL
    after_kill = _visible(tmp_path)
    _consistent(after_kill)
    if not phase.startswith("publish"):
        assert after_kill == old  # nothing of the new set is visible
    else:
        assert set(after_kill) <= set(old)  # at most the new set's first files, never an extra name

    recover(tmp_path / "safe.csv")  # what the next run on this output does first (the killed pid is dead)
    now = _visible(tmp_path)
    _consistent(now)
    if phase.startswith("publish"):  # the journal was written: the complete new set
        assert set(now) == set(old)
        assert now["safe.csv"] != old["safe.csv"]  # another key: other pseudonyms
    else:
        assert now == old
    assert _hidden(tmp_path) == [".safe.csv.lock"]  # only the (unlocked) lock file of the dead run
    if phase not in ("write", "publish:2"):  # one full next run before and one after the journal
        return

    proc = _sanitize(tmp_path, NEW_KEY)  # the next run: finishes cleanly, leaves nothing hidden
    assert proc.returncode == 0, proc.stderr.read()
    _consistent(_visible(tmp_path))
    assert _hidden(tmp_path) == []


def test_a_later_run_removes_only_the_temporaries_of_its_own_dead_runs(tmp_path):
    from anonymizer.engine.publish import recover, run_tag

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = os.getpid()
    names = {
        f".safe.csv.staging-{run_tag(dead.pid)}-0123abcd": False,                  # removed: dead, this host
        f".anon-tmp-.safe.csv.manifest.json.staging-{run_tag(dead.pid)}-89abcdef.x1y2z3.tmp": False,
        f".safe.csv.staging-{run_tag(dead.pid)}-4567abcd.csv": False,              # staged names keep the extension
        f".safe.csv.risk.html.staging-{run_tag(dead.pid)}-4567abcd.html": False,
        f".anon-tmp-.safe.csv.staging-{run_tag(dead.pid)}-89abcdef.csv.x1y2z3.tmp": False,
        f".safe.csv.staging-{run_tag(alive)}-0123abcd": True,                      # kept: that run is alive
        f".safe.csv.staging-{run_tag(alive)}-0123abcd.csv": True,
        f".safe.csv.staging-{dead.pid}@another-host-0123abcd": True,               # kept: not provably ours
        f".other.csv.staging-{run_tag(dead.pid)}-0123abcd": True,                  # kept: another output's
        "notes.txt": True,
    }
    for name in names:
        (tmp_path / name).write_text("x")
    recover(tmp_path / "safe.csv")
    assert {n for n in names if (tmp_path / n).exists()} == {n for n, kept in names.items() if kept}


def test_two_runs_on_one_output_the_second_refuses(tmp_path):
    _hand_extract(tmp_path, copies=200)  # 12,000 rows: the first run is still going when the second starts
    first = _sanitize(tmp_path, OLD_KEY, wait=False)
    lock = tmp_path / ".safe.csv.lock"
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().startswith(f"{first.pid}@")):
        assert first.poll() is None and time.monotonic() < deadline, "the first run ended before it locked"
        time.sleep(0.02)
    second = _sanitize(tmp_path, NEW_KEY)
    err = second.stderr.read()
    assert second.returncode == 2
    assert "another anon run" in err and f"{first.pid}@" in err and len(err.strip().splitlines()) == 1
    assert first.poll() is None, "the second run must refuse while the first holds the output"
    assert first.wait(timeout=300) == 0, first.stderr.read()
    files = _visible(tmp_path)
    _consistent(files)
    assert set(files) == {"safe.csv", "safe.csv.manifest.json", "safe.csv.risk.json", "safe.csv.risk.html"}
    assert _hidden(tmp_path) == []


def test_a_held_lock_is_refused_in_process(run_cli, tmp_path):
    from anonymizer.engine.publish import OutputLock

    src, pol = _hand_extract(tmp_path)
    with OutputLock(tmp_path / "safe.csv"):
        result = run_cli("sanitize", src, "--policy", pol, "-o", tmp_path / "safe.csv", env={"ANON_KEY": OLD_KEY})
    assert result.exit_code == 2
    assert "another anon run" in result.output
    assert not _visible(tmp_path)
