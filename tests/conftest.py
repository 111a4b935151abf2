"""Shared fixtures: where the public benchmark data lives and an in-process CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


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
