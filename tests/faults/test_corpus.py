"""The fault corpus (issue 18): every operating-system fault and hostile input is one line on
stderr naming the path and the cause, the documented exit code, no traceback, no hang, nothing
written, the inputs unchanged.

Each case runs the real CLI in a subprocess (a hang fails on the timeout) in a folder holding a
small extract, a reviewed policy, a strong key and the faulty objects. A read-only folder needs
the permission check root skips: as root the command runs without CAP_DAC_OVERRIDE (setpriv).
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import KEY_HEX, POLICY, extract_frame

ANON = [sys.executable, "-m", "anonymizer"]
LONG = "n" * 300  # longer than NAME_MAX (255)
SECRET = "185057512345678"  # a NIR-like cell: never in a message

BOMB = "version: 1\na: &a [" + ",".join(['"lol"'] * 9) + "]\n" + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True))


def _folder(root: Path) -> Path:
    extract_frame().to_csv(root / "extract.csv", sep=";", index=False)
    (root / "policy.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    (root / "key").write_text(KEY_HEX + "\n")
    (root / "key").chmod(0o600)
    os.mkfifo(root / "fifo.csv")
    (root / "loop_a.csv").symlink_to(root / "loop_b.csv")
    (root / "loop_b.csv").symlink_to(root / "loop_a.csv")
    (root / "ro").mkdir()
    (root / "ro").chmod(0o555)
    (root / "bomb.yaml").write_text(BOMB)
    (root / "headerless.csv").write_text(f"{SECRET};06 12 34 56 78;{SECRET}\n{SECRET};06 12 34 56 79;{SECRET}\n")
    (root / "markup.csv").write_text("[bold red]nom[/bold red];[/];SEXE\n" +
                                     "".join(f"[red]x{i}[/];[b]{i};{1 + i % 2}\n" for i in range(30)))
    return root


SANITIZE = ["sanitize", "extract.csv", "--policy", "policy.yaml", "--key-file", "key", "--no-rescan"]

# id: (arguments, exit code, one-line message pattern, how to run: "" | "ro" (no DAC override) | "fsize")
CASES: dict[str, tuple[list[str], int, str, str]] = {
    # not a regular file: refused before it is opened (a FIFO would block for ever)
    "scan-fifo": (["scan", "fifo.csv", "--no-ner"], 2, r"fifo\.csv: a named pipe \(FIFO\), not a regular file", ""),
    "sanitize-fifo": (["sanitize", "fifo.csv", "--key-file", "key", "-o", "out.csv"], 2, r"fifo\.csv: a named pipe", ""),
    "convert-fifo": (["convert", "fifo.csv", "-o", "out.parquet"], 2, r"fifo\.csv: a named pipe", ""),
    "risk-fifo": (["risk", "fifo.csv", "--qi", "SEXE"], 2, r"fifo\.csv: a named pipe", ""),
    "scan-device": (["scan", "/dev/zero", "--no-ner"], 2, r"/dev/zero: a character device", ""),
    "key-fifo": (["sanitize", "extract.csv", "--policy", "policy.yaml", "--key-file", "fifo.csv", "-o", "out.csv"], 2,
                 r"key file: fifo\.csv: a named pipe", ""),
    "policy-fifo": (["sanitize", "extract.csv", "--policy", "fifo.csv", "--key-file", "key", "-o", "out.csv"], 2,
                    r"policy file: fifo\.csv: a named pipe", ""),
    # a symlink loop
    "scan-loop": (["scan", "loop_a.csv", "--no-ner"], 2, r"loop_a\.csv: too many levels of symbolic links", ""),
    "sanitize-loop": (["sanitize", "loop_a.csv", "--key-file", "key", "-o", "out.csv"], 2, r"loop_a\.csv: too many levels", ""),
    "convert-loop": (["convert", "loop_a.csv", "-o", "out.csv"], 2, r"loop_a\.csv: too many levels", ""),
    "risk-loop": (["risk", "loop_a.csv", "--qi", "SEXE"], 2, r"loop_a\.csv: too many levels", ""),
    # a missing output folder
    "convert-nodir": (["convert", "extract.csv", "-o", "nodir/out.csv"], 2, r"nodir: output folder does not exist", ""),
    "sanitize-nodir": ([*SANITIZE, "-o", "nodir/out.csv"], 2, r"nodir\b.*(does not exist|no such file)", ""),
    "generate-nodir": (["generate", "--rows", "10", "-o", "nodir/g.csv"], 2, r"nodir: output folder does not exist", ""),
    "scan-nodir": (["scan", "extract.csv", "--no-ner", "-o", "nodir/s.json"], 2, r"nodir: output folder does not exist", ""),
    "risk-nodir": (["risk", "extract.csv", "--qi", "SEXE", "-o", "nodir/r.json"], 2, r"nodir: output folder does not", ""),
    "check-nodir": (["check", "extract.csv", "--no-ner", "-o", "nodir/c.json"], 2, r"nodir: output folder does not", ""),
    # a name longer than the file system allows
    "convert-long": (["convert", "extract.csv", "-o", f"{LONG}.csv"], 2, rf"{LONG}\.csv: file name too long", ""),
    "sanitize-long": ([*SANITIZE, "-o", f"{LONG}.csv"], 2, rf"{LONG}\.csv: file name too long", ""),
    "generate-long": (["generate", "--rows", "10", "-o", f"{LONG}.csv"], 2, rf"{LONG}\.csv: file name too long", ""),
    # a read-only output folder
    "convert-ro": (["convert", "extract.csv", "-o", "ro/out.parquet"], 2, r"ro/out\.parquet: permission denied", "ro"),
    "sanitize-ro": ([*SANITIZE, "-o", "ro/out.csv"], 2, r"ro/out\.csv: permission denied", "ro"),
    "scan-ro": (["scan", "extract.csv", "--no-ner", "--write-policy", "ro/p.yaml"], 2, r"ro/p\.yaml: permission denied", "ro"),
    "risk-ro": (["risk", "extract.csv", "--qi", "SEXE", "--html", "ro/r.html"], 2, r"ro/r\.html: permission denied", "ro"),
    "check-ro": (["check", "extract.csv", "--no-ner", "--no-cache", "-o", "ro/c.json"], 2, r"ro/c\.json: permission denied",
                 "ro"),
    "generate-ro": (["generate", "--rows", "10", "-o", "ro/g.csv"], 2, r"ro/g\.csv: permission denied", "ro"),
    # the file-size limit (ulimit -f): the same as a full disk for the writer
    "convert-fsize": (["convert", "extract.csv", "-o", "big.csv"], 2, r"big\.csv: file too large", "fsize"),
    "convert-fsize-xlsx": (["convert", "extract.csv", "-o", "big.xlsx"], 2, r"big\.xlsx: file too large", "fsize"),
    "sanitize-fsize": ([*SANITIZE, "-o", "big.csv"], 2, r"big\.csv: file too large", "fsize"),
    "generate-fsize": (["generate", "--rows", "200", "-o", "big.csv"], 2, r"big\.csv: file too large", "fsize"),
    # configuration files: a YAML alias bomb is refused at once
    "sanitize-bomb": (["sanitize", "extract.csv", "--policy", "bomb.yaml", "--key-file", "key", "-o", "out.csv"], 2,
                      r"bomb\.yaml: policy file refused: its YAML aliases expand it", ""),
    "risk-bomb": (["risk", "extract.csv", "--policy", "bomb.yaml"], 2, r"bomb\.yaml: policy file refused", ""),
    "scan-bomb-profile": (["scan", "extract.csv", "--no-ner", "--profile", "bomb.yaml", "--write-policy", "p.yaml"], 2,
                          r"bomb\.yaml: profile refused", ""),
    # a file without a header: its first row's cells are never quoted
    "scan-headerless": (["scan", "headerless.csv", "--no-ner"], 2,
                        r"columns 1 and 3 of the header have the same name; the first row looks like data", ""),
    "convert-headerless": (["convert", "headerless.csv", "-o", "out.parquet"], 2, r"the first row looks like data", ""),
    "sanitize-headerless": (["sanitize", "headerless.csv", "--key-file", "key", "-o", "out.csv"], 2,
                            r"the first row looks like data", ""),
}


def _snapshot(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink() or p.is_fifo():
            out[str(p.relative_to(root))] = "special"
        elif p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[str(p.relative_to(root))] = "dir"
    return out


def _no_dac_override() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _folder(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("case", list(CASES))
def test_fault_is_one_line_with_its_exit_code_and_nothing_written(corpus, case):
    args, code, pattern, how = CASES[case]
    prefix: list[str] = []
    preexec = None
    if how == "ro":
        got = _no_dac_override()
        if got is None:
            pytest.skip("running as root without setpriv: a read-only folder cannot be simulated")
        prefix = got
    elif how == "fsize":
        def preexec():  # 512 bytes: the extract (3 KB) is read, no output fits
            resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))
    before = _snapshot(corpus)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("ANON_DEBUG", None)
    try:
        proc = subprocess.run([*prefix, *ANON, *args], cwd=corpus, capture_output=True, text=True, timeout=120,
                              env=env, preexec_fn=preexec)
        after = _snapshot(corpus)
    finally:  # a failing case must not leave its files to the next ones
        for name in sorted(set(_snapshot(corpus)) - set(before), reverse=True):
            p = corpus / name
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
    err = proc.stderr
    assert proc.returncode == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback
    assert lines[0].startswith("anon: error: ") and re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in err and SECRET not in err + proc.stdout
    assert after == before  # nothing written (no temporary either), the inputs unchanged


def test_rich_markup_in_column_names_is_shown_as_written(corpus):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "COLUMNS": "200"}
    before = _snapshot(corpus)
    scan = subprocess.run([*ANON, "scan", "markup.csv", "--no-ner"], cwd=corpus, capture_output=True, text=True,
                          timeout=120, env=env)
    assert scan.returncode == 0, scan.stderr
    assert "[bold red]nom[/bold red]" in scan.stdout and "[/]" in scan.stdout
    risk = subprocess.run([*ANON, "risk", "markup.csv", "--qi", "[bold red]nom[/bold red],[/]"], cwd=corpus,
                          capture_output=True, text=True, timeout=120, env=env)
    assert risk.returncode == 0, risk.stderr
    assert "[/]" in risk.stdout
    assert _snapshot(corpus) == before


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_gives_its_conventional_exit_code_and_publishes_nothing(tmp_path, sig, code):
    extract_frame(12_000).to_csv(tmp_path / "extract.csv", sep=";", index=False)
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "ANON_KEY": KEY_HEX}
    proc = subprocess.Popen([*ANON, "sanitize", "extract.csv", "--policy", "policy.yaml", "-o", "safe.csv"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (tmp_path / ".safe.csv.lock").exists():  # the run is under way
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(sig)
    assert proc.wait(timeout=120) == code
    err = proc.stderr.read().strip().splitlines()
    assert err[-1].startswith("anon: error: ") and ("SIGINT" if code == 130 else "SIGTERM") in err[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract.csv", "policy.yaml"]
