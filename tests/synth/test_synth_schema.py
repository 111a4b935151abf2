"""The generator's columns agree with the schema document (caf_extract_schema.md), parsed here."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "reference" / "caf_extract_schema.md"
ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")


@pytest.fixture(scope="module")
def schema_rows() -> dict[int, tuple[str, str]]:
    """Position -> (code, primary role), from the markdown tables of §3."""
    if not SCHEMA.exists():
        pytest.skip("caf_extract_schema.md not present")
    out: dict[int, tuple[str, str]] = {}
    for line in SCHEMA.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not re.match(r"^\d+(, \d+)*$", cells[0]):
            continue
        role = cells[-1].split("(")[0].strip()
        nums = [int(x) for x in cells[0].split(",")]
        code = cells[1]
        for i, num in enumerate(nums):
            out[num] = (code.replace("ENFn", f"ENF{i + 1}"), role)
    return out


def test_schema_role_counts(schema_rows):
    assert sorted(schema_rows) == list(range(1, 182))
    counts = Counter(role for _, role in schema_rows.values())
    assert counts == {"identifier": 29, "quasi_identifier": 68, "sensitive": 73, "free_text": 5, "insensitive": 6}


def test_columns_in_schema_order(schema_rows, df):
    assert list(df.columns) == [schema_rows[i][0] for i in range(1, 182)]


def test_truth_roles_match_schema(schema_rows, truth):
    want = {code: role for code, role in schema_rows.values()}
    got = {code: c["role"] for code, c in truth["columns"].items()}
    assert got == want
    assert all(c["role"] in ROLES for c in truth["columns"].values())


def test_truth_entities_use_the_entity_table(truth):
    from anonymizer.detect.entities import ENTITIES

    vocab = {name for name, e in ENTITIES.items() if e.column}
    entities = {c["entity"] for c in truth["columns"].values() if c["entity"]}
    assert entities <= vocab, sorted(entities - vocab)
