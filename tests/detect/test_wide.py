"""Wide tables (issue #18 item 8): columns with few distinct values share one pool of values
for the value checks, so 10,000 columns × 5 rows scan in seconds; a column's finding must not
depend on which other columns share its pool."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
import pytest

from anonymizer.detect import scan_table
from anonymizer.detect.scan import POOL_MAX_DISTINCT
from anonymizer.synth import generate_extract
from wide_tables import wide_frame


def _wide(columns: int, rows: int = 5, seed: int = 1) -> pd.DataFrame:
    return wide_frame(columns, rows, seed, dtype="str")


def _finding(f) -> str:
    return json.dumps(asdict(f), sort_keys=True, default=str)


@pytest.fixture(scope="module")
def extract() -> pd.DataFrame:
    df, _ = generate_extract(rows=300, seed=5)
    return df


def test_a_column_alone_or_among_others_gets_the_same_finding(extract):
    """The shared pool is an optimisation only: scanning the whole extract (columns pooled
    together) and each column on its own (a pool of one) give identical findings, column by
    column, except for the steps that compare columns (split NIRs, families from dependencies)."""
    together = {f.column: f for f in scan_table(extract, ner=False).findings}
    pooled = [c for c in extract.columns if extract[c].str.strip().replace("", None).nunique() <= POOL_MAX_DISTINCT]
    own = [c for c in extract.columns if c not in pooled]
    assert len(pooled) >= 20 and own, "the extract should exercise both the shared pool and own pools"
    # a split NIR's body and key are checked together, row by row: a finding about two columns
    split = {c for c, f in together.items() if any("' + '" in e for e in f.evidence)}
    for col in [c for c in pooled if c not in split][:20] + [c for c in own if c not in split][:5]:
        alone = scan_table(extract[[col]], ner=False).findings[0]
        a, b = asdict(alone), asdict(together[col])
        for d in (a, b):  # set from the other columns (families_from_dependencies)
            d.pop("family"), d.pop("subject")
            d["evidence"] = [e for e in d["evidence"] if not e.startswith("family ")]
        assert a == b, col


def test_ten_thousand_columns_one_decision_each():
    df = _wide(10_000)
    report = scan_table(df, ner=False)
    assert [f.column for f in report.findings] == list(df.columns)
    assert all(f.role for f in report.findings)
    # five random 5-letter words or numbers per column: each column's stats are its own
    f = report.findings[0]
    assert f.stats["non_empty"] == 5 and f.stats["distinct"] == df.iloc[:, 0].nunique()
