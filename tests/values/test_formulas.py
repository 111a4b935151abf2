"""Formula cells (CSV injection): OWASP's first characters, except plain signed numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from anonymizer.values.formulas import formula_mask, neutralise

RUN = ['=HYPERLINK("http://x.invalid","clic")', "=cmd|' /C calc'!A0", "@SUM(A1:A9)", "+A1", "-A1+B2",
       "\t=1+1", "\rfoo", "=1", "-2-3", "+1+1", "=", "-12.5 €", "- 12"]
KEEP = ["-12.5", "-12,5", "-1 234,50", "+33 6 12 34 56 78", "+5", "-1e5", "-0,5%", "-", "--", "ok", "", "a=b",
        "12-3", " =1"]


@pytest.mark.parametrize("cell", RUN)
def test_cells_a_spreadsheet_would_run_are_found(cell):
    assert formula_mask(pd.Series([cell], dtype="str")).tolist() == [True]


@pytest.mark.parametrize("cell", KEEP)
def test_plain_numbers_and_ordinary_text_are_left_alone(cell):  # dashes only: "none" in French tables
    assert formula_mask(pd.Series([cell], dtype="str")).tolist() == [False]


def test_neutralise_prefixes_a_single_quote_and_counts_per_column():
    df = pd.DataFrame({"a": ["=1+1", "-12,5", "ok", "@x"], "n": [-1, 2, 3, 4]}).astype({"a": "str"})
    out, counts = neutralise(df)
    assert out["a"].tolist() == ["'=1+1", "-12,5", "ok", "'@x"]
    assert out["n"].tolist() == [-1, 2, 3, 4]  # numbers are not text: never touched
    assert counts == {"a": 2}
    assert df["a"].tolist()[0] == "=1+1"  # the input frame is not changed
    assert str(out["a"].dtype) == str(df["a"].dtype)
