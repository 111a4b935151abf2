"""The re-scan of sanitize's output without the free-text entities (``text_entities=False``)
finds the same roles and entities, hence the same problems, as the scan it replaced."""

from __future__ import annotations

import pytest

from anonymizer.detect import scan_table
from anonymizer.engine.verify import REPLACING_ACTIONS, rescan_problems
from anonymizer.policy.plan import build_plan
from anonymizer.synth import generate_extract


def reference_rescan_problems(output_sample, plan):
    """``rescan_problems`` before this change (main at a8212c0), verbatim."""
    from anonymizer.detect import scan_table

    report = scan_table(output_sample, ner=False, sample_rows=2000, families=False)
    by_col = plan.by_column
    problems = []
    for f in report.findings:
        step = by_col.get(f.column)
        if f.role == "identifier" and step is not None and step.action not in REPLACING_ACTIONS:
            problems.append(
                f"output column {f.column} still looks like a direct identifier ({f.entity}, "
                f"{f.confidence:.0%}) after '{step.action}'"
            )
    return problems


@pytest.fixture(scope="module")
def original():
    df, _truth = generate_extract(2500, seed=7)
    return df.reset_index(drop=True)


def test_same_roles_and_entities(original) -> None:
    def key(report):
        return [(f.column, f.role, f.entity, f.confidence, f.identifier_like, f.family, f.subject)
                for f in report.findings]

    full = scan_table(original, ner=False, sample_rows=2000, families=False)
    lean = scan_table(original, ner=False, sample_rows=2000, families=False, text_entities=False)
    assert key(lean) == key(full)
    assert any(f.role == "identifier" for f in full.findings)
    assert any(f.role == "free_text" and f.text_entities for f in full.findings)  # what is left out


def test_same_problems_when_everything_is_kept(original) -> None:
    """Every column kept: the identifier columns of the original are problems, the same ones."""
    columns = [str(c) for c in original.columns]
    plan = build_plan(columns, {"version": 1, "profile": "pseudonymised", "privacy": "none",
                               "columns": {c: {"role": "insensitive", "action": "keep"} for c in columns}},
                      strict=False)
    problems = rescan_problems(original, plan)
    assert problems and problems == reference_rescan_problems(original, plan)
