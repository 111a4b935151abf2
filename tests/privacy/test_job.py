"""The CLI job's output really satisfies the models (recomputed here from the output table alone)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.errors import PrivacyTargetError, UsageError
from anonymizer.privacy import anonymize_with_hierarchies, apply_transformation

from .test_search_bruteforce import ROWS, hierarchies, row_st, table


def _emd_equal(p: pd.Series, q: pd.Series) -> float:
    p = p.reindex(q.index, fill_value=0.0)
    return 0.5 * float((p - q).abs().sum())


def _emd_ordered(p: pd.Series, q: pd.Series) -> float:
    order = sorted(q.index)
    p = p.reindex(order, fill_value=0.0)
    qq = q.reindex(order)
    return float(np.abs(np.cumsum((p - qq).to_numpy())).sum() / (len(order) - 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_st, min_size=10, max_size=60), k=st.sampled_from([None, 2, 3, 5]),
       l=st.sampled_from([None, 2, 3]), t=st.sampled_from([None, 0.3, 0.5]),  # noqa: E741
       l_variant=st.sampled_from(["distinct", "entropy", "recursive"]), t_variant=st.sampled_from(["equal", "ordered"]),
       supp=st.sampled_from([0.0, 0.1, 0.25]))
def test_output_satisfies_models(rows, k, l, t, l_variant, t_variant, supp):  # noqa: E741
    if k is None and l is None and t is None:
        k = 2
    df = table(rows)
    sens = "diag" if (l is not None or t is not None) else None
    try:
        out, report = anonymize_with_hierarchies(
            df, hierarchies=hierarchies(), k=k, l=l, l_variant=l_variant, c=2.0, t=t, t_variant=t_variant,
            sensitive=sens, max_suppression=supp, metric="loss", drop_suppressed=True)
    except PrivacyTargetError:
        return
    json.dumps(report)
    dropped = len(df) - len(out)
    assert dropped == report["suppressed_records"] <= math.floor(supp * len(df) + 1e-9)
    qis = ["age", "zone", "sex"]
    q = df["diag"].value_counts(normalize=True)
    for _, cls in out.groupby(qis):
        if k is not None:
            assert len(cls) >= k
        if l is not None:
            counts = cls["diag"].value_counts().sort_values(ascending=False).to_numpy()
            if l_variant == "distinct":
                assert len(counts) >= l
            elif l_variant == "entropy":
                p = counts / counts.sum()
                assert -(p * np.log(p)).sum() >= math.log(l) - 1e-9
            else:
                assert counts[0] < 2.0 * counts[l - 1:].sum()
        if t is not None:
            p = cls["diag"].value_counts(normalize=True)
            emd = _emd_equal(p, q) if t_variant == "equal" else _emd_ordered(p, q)
            assert emd <= t + 1e-9
    # every kept value is the input value generalised to the reported level
    for col in qis:
        lv = report["levels"][col]
        mapping = {r[0]: r[lv] for r in ROWS[col]}
        kept = df[col].map(mapping)
        assert set(out[col]) <= set(kept)


def test_suppressed_rows_get_stars_and_other_columns_untouched():
    df = pd.DataFrame({"age": ["0", "0", "1", "1", "7"], "zone": ["a"] * 5, "sex": ["1"] * 5,
                       "diag": ["s0", "s1", "s2", "s3", "s4"]})
    out, report = anonymize_with_hierarchies(df, hierarchies=hierarchies(), k=2, max_suppression=0.2, metric="height")
    assert report["suppressed_records"] == 1 and report["exact"] is True
    assert out.loc[4, ["age", "zone", "sex"]].tolist() == ["*", "*", "*"]
    assert out["diag"].tolist() == df["diag"].tolist()
    assert len(out) == len(df)


def test_adult_report_is_json_and_holds_no_value(shared_data):
    df = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str, keep_default_na=False)
    out, report = anonymize_with_hierarchies(df, hierarchies=shared_data / "adult", k=5, l=2,
                                             sensitive="occupation", max_suppression=0.02)
    text = json.dumps(report)
    assert report["quasi_identifiers"] == [c for c in df.columns if c != "occupation"]
    assert report["levels"] and report["classes"] > 0 and report["exact"] is True
    for value in ("Bachelors", "United-States", "Exec-managerial", "Never-married"):
        assert value not in text
    kept = out[out["age"] != "*"] if report["suppressed_records"] else out
    assert kept.groupby(report["quasi_identifiers"]).size().min() >= 5


def test_usage_errors():
    df = table([("1", "a", "1", "s0")])
    with pytest.raises(UsageError):
        anonymize_with_hierarchies(df, hierarchies=hierarchies())  # no model
    with pytest.raises(UsageError):
        anonymize_with_hierarchies(df, hierarchies=hierarchies(), l=2)  # no sensitive column
    with pytest.raises(UsageError):
        anonymize_with_hierarchies(df, hierarchies=hierarchies(), k=2, metric="nope")


def test_apply_transformation_drop():
    df = table([("1", "a", "1", "s0"), ("2", "b", "2", "s1")])
    out = apply_transformation(df, hierarchies(), {"age": 1, "zone": 1, "sex": 0},
                               suppress_rows=np.array([False, True]), drop_suppressed=True)
    assert out.to_dict("list") == {"age": ["0-1"], "zone": ["ab"], "sex": ["1"], "diag": ["s0"]}
