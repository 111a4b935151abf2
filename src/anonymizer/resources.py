"""Where the shipped data files (rules/) live, in a checkout and in an installed package."""

from __future__ import annotations

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"


def rules_path(*parts: str) -> Path:
    """Path of a file shipped under ``rules/`` (column rules, profiles, hierarchies, data)."""
    return RULES_DIR.joinpath(*parts)
