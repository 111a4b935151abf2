"""Pass A keeps the gathered columns as categoricals: every figure must be the same as on text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.engine.gather import ColumnCollector, compact_frame
from anonymizer.io import as_text
from anonymizer.risk import risk_report


def _frame(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "SEXE": rng.choice(["1", "2", ""], n, p=[0.48, 0.48, 0.04]),
        "AGE": rng.choice(["20-24", "25-29", "30-34", "*", ""], n),
        "CODCOM": rng.choice([f"33{i:03d}" for i in range(40)], n),
        "QF": rng.choice(["0", "250", "500", "750,5", ""], n),
    })


def test_collected_batches_give_back_the_same_text():
    parts = [_frame(1), _frame(2, 10), _frame(3, 0)]
    whole = pd.concat(parts, ignore_index=True)
    collector = ColumnCollector(list(whole.columns))
    for p in parts:
        collector.add(p)
    compact = collector.frame()
    assert all(isinstance(compact[c].dtype, pd.CategoricalDtype) for c in compact.columns)
    for c in whole.columns:
        assert as_text(compact[c]).tolist() == whole[c].tolist()


def test_risk_figures_do_not_depend_on_the_storage():
    before, after = _frame(4), _frame(5)
    qi, sens = ["SEXE", "AGE", "CODCOM"], ["QF"]
    as_strings = risk_report(after, qi, sens, original=before)
    as_categories = risk_report(compact_frame(after), qi, sens, original=compact_frame(before))
    for part in ("dataset", "k_anonymity", "prosecutor", "sensitive", "small_cells"):
        assert as_categories[part] == as_strings[part], part
    assert as_strings["dataset"]["missing_qi_cells"]["SEXE"] > 0  # "" counted as missing in both


def test_the_privacy_solution_does_not_depend_on_the_storage():
    from anonymizer.engine.privacy_step import apply_solution, solve

    rng = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame({
        "SEXE": rng.choice(["1", "2"], n),
        "DTNAIS": [f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(rng.integers(1, 29, n), rng.integers(1, 13, n),
                                                            rng.integers(1940, 2005, n), strict=True)],
        "CODCOM": rng.choice([f"33{i:03d}" for i in range(60)] + [""], n),
        "NATIO": ["XX" if i < 3 else ("UE" if i % 7 == 0 else "FR") for i in range(n)],  # 3 rare records
    })
    entities = {"SEXE": "SEX", "DTNAIS": "BIRTH_DATE", "CODCOM": "COMMUNE_CODE", "NATIO": "NATIONALITY"}
    targets = {"k": 5, "max_suppression": 0.05, "quasi_identifiers": list(frame.columns)}
    as_text_ = solve(frame, entities, targets)
    as_codes = solve(compact_frame(frame), entities, targets)
    assert as_codes.levels == as_text_.levels and as_codes.suppressed_keys == as_text_.suppressed_keys
    assert as_codes.report == as_text_.report
    a = apply_solution(frame, as_text_)
    b = apply_solution(compact_frame(frame), as_codes)
    for c in frame.columns:
        assert as_text(b[c]).tolist() == as_text(a[c]).tolist()
    assert (as_text(a["SEXE"]) == "*").sum() == as_text_.report["suppressed_records"] > 0
