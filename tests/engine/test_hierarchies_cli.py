"""ARX mode of `anon sanitize` on ARX's own Adult files: the output really is k-anonymous."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest


@pytest.mark.slow
def test_adult_k5_two_percent_suppression(shared_data, run_cli, tmp_path):
    adult = shared_data / "adult" / "adult.csv"
    out = tmp_path / "adult_k5.csv"
    result = run_cli("sanitize", adult, "--hierarchies", shared_data / "adult", "--k", "5",
                     "--max-suppression", "0.02", "-o", out, "--no-rescan")
    assert result.exit_code == 0, result.output
    src = pd.read_csv(adult, sep=";", dtype=str)
    got = pd.read_csv(out, sep=";", dtype=str, keep_default_na=False)
    assert len(got) == len(src) and list(got.columns) == list(src.columns)
    suppressed = (got == "*").all(axis=1)
    assert suppressed.sum() <= int(0.02 * len(src))
    sizes = got[~suppressed].groupby(list(got.columns)).size()
    assert sizes.min() >= 5
    report = json.loads(Path(f"{out}.manifest.json").read_text())["privacy"]["reached"]
    assert report["exact"] is True and report["lattice_size"] == 12960
    # every generalised value is one of its column's hierarchy labels at the chosen level
    for col, level in report["levels"].items():
        rows = [line.strip().split(";") for line in
                (shared_data / "adult" / f"adult_hierarchy_{col}.csv").read_text().splitlines() if line.strip()]
        labels = {r[level] for r in rows}
        assert set(got.loc[~suppressed, col]) <= labels


def test_hierarchy_mode_refuses_undecided_columns(shared_data, run_cli, tmp_path):
    src = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str).head(200)
    src["comment"] = "x"
    path = tmp_path / "a.csv"
    src.to_csv(path, sep=";", index=False)
    result = run_cli("sanitize", path, "--hierarchies", shared_data / "adult", "--k", "2", "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "comment" in result.output
    assert not (tmp_path / "o.csv").exists()
