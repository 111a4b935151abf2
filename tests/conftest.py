"""Shared fixtures: where the public benchmark data lives and an in-process CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Tests read anon's English messages; a French locale on the machine must not change them (the
# tests of the French texts set ANON_LANG themselves). Subprocesses inherit it.
os.environ["ANON_LANG"] = "en"


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout (CI puts it there), or $ANON_SHARED_DATA."""
    env = os.environ.get("ANON_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "adult" / "adult.csv").exists():
        pytest.skip(f"public benchmark data not found at {path}")
    return path


@pytest.fixture
def run_cli():
    """Run ``anon ARGS...`` in-process and return click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)

    return _run


#: Whole files of long tests (killed runs, brute-force searches, Dask clusters, end-to-end
#: releases): marked ``slow`` so ``make test`` stays under three minutes; ``make test-all``
#: (and CI, ``.ci/run``) runs them too. Measured with ``pytest --durations=0``.
SLOW_FILES = frozenset({
    "engine/test_kill.py", "privacy/test_search_bruteforce.py", "scale/test_dask_engine.py",
    "privacy/test_search_arx.py", "engine/test_training_e2e.py", "engine/test_no_real_identity.py",
    "check/test_check_gate.py", "engine/test_freetext_levels.py", "test_memory.py", "test_startup.py",
    "io/test_io_property.py", "synth/test_synth_determinism.py", "attack/test_linkage.py",
})


def pytest_collection_modifyitems(config, items) -> None:
    tests = REPO / "tests"
    for item in items:
        try:
            rel = Path(str(item.fspath)).resolve().relative_to(tests).as_posix()
        except ValueError:
            continue
        if rel in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
