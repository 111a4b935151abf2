"""Fixtures for the check tests: the course repository is built once per module (see course_repo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from course_repo import build_course_repo


@pytest.fixture(scope="module")
def course_repo(tmp_path_factory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("course")
    leaks = build_course_repo(root)
    return root, leaks
