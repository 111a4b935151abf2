# src/anonymizer/attack/release.py's NIR parts at main e381c8c (before the text was normalised
# once per column, issue #21), kept verbatim as the reference of test_nir_parts_equivalence.py.
# Do not edit.
# ruff: noqa
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from anonymizer.io import as_text

NIR_PARTS = {"sex": (0, 1), "birth year": (1, 3), "birth year and month": (1, 5), "birthplace": (5, 10)}
_NIR = re.compile(r"^[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?$")


def _nir_part(values: pd.Series, lo: int, hi: int) -> pd.Series:
    raw = as_text(values).str.replace(r"[\s.\-]", "", regex=True).str.upper()
    ok = raw.str.match(_NIR.pattern)
    part = raw.str.slice(lo, hi)
    if lo == 0:  # the sex digit of a NIA (7/8) or a provisional number (3/4) is still the sex
        part = part.map({"1": "1", "2": "2", "3": "1", "4": "2", "7": "1", "8": "2"}).fillna("")
    return part.where(ok, "")


def embedded(frame: pd.DataFrame, plan: Any) -> pd.DataFrame:
    """The quasi-identifiers written inside the frame's identifier columns (NIR parts), as text
    columns named ``<column> → <part>`` ('' when the cell is not a NIR)."""
    out = {}
    for s in plan.steps:
        if s.entity == "NIR" and s.action != "drop" and s.column in frame:
            for part, (lo, hi) in NIR_PARTS.items():
                out[f"{s.column} → {part}"] = _nir_part(frame[s.column], lo, hi)
    return pd.DataFrame(out, index=frame.index)

