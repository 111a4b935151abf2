"""Bundled reference tables (rules/data/*.csv) the generator draws from.

They are data, not code: real communes (COG code, post code, name), real bank codes with
their BICs, the official types de voie, INSEE country codes, and the 181-column layout.
"""

from __future__ import annotations

import csv
from functools import cache

from anonymizer.resources import rules_path


def _read(name: str) -> list[dict[str, str]]:
    with open(rules_path("data", name), encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#") and line.strip()]
    return list(csv.DictReader(lines, delimiter=";"))


@cache
def communes() -> tuple[dict[str, str], ...]:
    """Real communes: dep, codcom, codpost, libcom, population, region, cedex."""
    return tuple(_read("communes.csv"))


@cache
def banks() -> tuple[dict[str, str], ...]:
    """Real French bank codes with their BIC and a drawing weight."""
    return tuple(_read("banks.csv"))


@cache
def countries() -> tuple[dict[str, str], ...]:
    """INSEE country codes (99xxx) with nationality group FR / UE / HUE and a weight."""
    return tuple(_read("pays.csv"))


@cache
def street_types() -> tuple[dict[str, str], ...]:
    """Official types de voie abbreviations with a drawing weight."""
    return tuple(_read("types_voie.csv"))


@cache
def columns() -> tuple[dict[str, str], ...]:
    """The 181 columns in file order: code, role, entity, secondary_role."""
    return tuple(_read("caf_extract_columns.csv"))


def column_codes() -> list[str]:
    """Column names of the extract, in file order."""
    return [c["code"] for c in columns()]
