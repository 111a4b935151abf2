"""Fixtures for the check tests: the course repository is built once per module (see course_repo.py).

``anon check`` caches verdicts in the user's cache folder: the tests never touch the real one.
The session gets its own folder (module-scoped fixtures run the CLI before any function
fixture), and each test a fresh one on top.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from course_repo import build_course_repo


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("anon-cache")
    old = os.environ.get("ANON_CACHE_DIR")
    os.environ["ANON_CACHE_DIR"] = str(d)
    yield d
    if old is None:
        os.environ.pop("ANON_CACHE_DIR", None)
    else:
        os.environ["ANON_CACHE_DIR"] = old


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch) -> Path:
    d = tmp_path_factory.mktemp("anon-cache-test")
    monkeypatch.setenv("ANON_CACHE_DIR", str(d))
    return d


@pytest.fixture(scope="module")
def course_repo(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("course")
    leaks = build_course_repo(root)
    return root, leaks
