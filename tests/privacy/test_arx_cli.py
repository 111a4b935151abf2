"""ARX's published optima reproduced through the CLI, on ARX's folders as they are (each folder
holds the sensitive column's own hierarchy, which must not become a quasi-identifier).

Expected levels and information loss are ARX 3.9.2's JUnit expectations (arx-deidentifier/arx,
src/test/org/deidentifier/arx/test/TestAnonymization*.java); levels are in the table's column order
without the sensitive column, as ARX lists them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest


def run_arx(run_cli, shared_data, tmp_path, name: str, *options: str) -> dict:
    """``anon sanitize`` on ARX's dataset ``name`` with its hierarchy folder; the manifest's ``reached``."""
    out = tmp_path / f"{name}.out.csv"
    result = run_cli("sanitize", shared_data / name / f"{name}.csv", "--hierarchies", shared_data / name,
                     *options, "-o", out, "--no-rescan", "--no-report", "--time-budget", "600")
    assert result.exit_code == 0, result.output
    reached = json.loads(Path(f"{out}.manifest.json").read_text())["privacy"]["reached"]
    reached["output"] = out
    return reached


def levels_in_column_order(shared_data, name: str, reached: dict, sensitive: str) -> list[int]:
    cols = pd.read_csv(shared_data / name / f"{name}.csv", sep=";", nrows=0).columns
    return [reached["levels"][c] for c in cols if c != sensitive]


CASES = [
    # TestAnonymizationEntropyLDiversity / TestAnonymizationLDiversity: EntropyLDiversity("occupation", 5),
    # Metric.createPrecomputedEntropyMetric(0.1, false), 4 % suppression
    ("adult", "occupation", ["--l", "5", "--l-variant", "entropy", "--max-suppression", "0.04", "--metric", "entropy"],
     [1, 0, 1, 1, 2, 2, 2, 1], 228878.2039109517),
    # TestAnonymizationLDiversity: DistinctLDiversity("RAMNTALL", 5), monotonic entropy, no suppression
    ("cup", "RAMNTALL", ["--l", "5", "--max-suppression", "0", "--metric", "entropy-mono"],
     [4, 4, 1, 1, 1, 4, 4], 1961244.4822559545),
    # TestAnonymizationTCloseness: EqualDistanceTCloseness("occupation", 0.2) + KAnonymity(5), DM*
    ("adult", "occupation", ["--k", "5", "--t", "0.2", "--max-suppression", "0", "--metric", "dm-star"],
     [1, 4, 1, 1, 3, 2, 2, 1], 4.56853172e8),
    ("adult", "occupation", ["--k", "100", "--t", "0.2", "--max-suppression", "0.04", "--metric", "dm-star"],
     [1, 4, 1, 0, 3, 2, 2, 1], 3.11880088e8),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "sensitive", "options", "levels", "loss"), CASES)
def test_arx_folder_with_sensitive_hierarchy(run_cli, shared_data, tmp_path, name, sensitive, options, levels, loss):
    reached = run_arx(run_cli, shared_data, tmp_path, name, "--sensitive", sensitive, *options)
    assert sensitive not in reached["levels"]
    assert reached["exact"] is True
    assert levels_in_column_order(shared_data, name, reached, sensitive) == levels
    assert reached["information_loss"] == pytest.approx(loss, rel=1e-12)
    # the sensitive column is released as it was
    src = pd.read_csv(shared_data / name / f"{name}.csv", sep=";", dtype=str, keep_default_na=False)
    got = pd.read_csv(reached["output"], sep=";", dtype=str, keep_default_na=False)
    assert got[sensitive].tolist() == src[sensitive].tolist()


def test_distinct_l_through_cli_on_the_issue_command(run_cli, shared_data, tmp_path):
    """The command of issue 20 (it stopped with an error): the output is 5-anonymous and 2-diverse."""
    reached = run_arx(run_cli, shared_data, tmp_path, "adult", "--k", "5", "--l", "2", "--sensitive", "occupation",
                      "--max-suppression", "0")
    got = pd.read_csv(reached["output"], sep=";", dtype=str, keep_default_na=False)
    qi = [c for c in got.columns if c != "occupation"]
    groups = got.groupby(qi)["occupation"]
    assert groups.size().min() >= 5 and groups.nunique().min() >= 2
