"""sdcMicro's weighted risk (``anon risk --weights``, ``--missing wildcard``) against sdcMicro's published
figures: the SDC Practice Guide's worked example (ihsn/SDCPractice, docs/measure_risk.rst, Table 4.1 and
code blocks 4.1-4.12, data set up in its footnote 25) and sdcMicro's own unit tests
(sdcTools/sdcMicro, tests/testthat/test_freqCalc.R and test_indivRisk.R). Every expected number below is
copied from those sources, none is computed by this code."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from anonymizer.risk.classes import encode_table
from anonymizer.risk.sdcmicro import frequencies, individual_risk

# SDC Practice Guide, Table 4.1 (footnote 25's R set-up of the same data)
GUIDE = pd.DataFrame({
    "Residence": ["Urban"] * 4 + ["Rural"] + ["Urban"] * 5,
    "Gender": ["Female", "Female", "Female", "Male", "Female", "Male", "Female", "Male", "Female", "Female"],
    "Educ": ["Sec in", "Sec in", "Prim in", "Sec com", "Sec com", "Sec com", "Prim com", "Post-sec", "Sec in", "Sec in"],
    "Lstat": ["Emp", "Emp", "Non-LF", "Emp", "Unemp", "Emp", "Non-LF", "Unemp", "Non-LF", "Non-LF"],
    "Weights": [180, 180, 215, 76, 186, 76, 180, 215, 186, 76],
})
GUIDE_FK = [2, 2, 1, 2, 1, 2, 1, 1, 2, 2]                           # code 4.1
GUIDE_BIG_FK = [360, 360, 215, 152, 186, 152, 180, 215, 262, 262]    # code 4.2
GUIDE_RISK = [0.005424520, 0.005424520, 0.025096439, 0.012563425, 0.028247279, 0.012563425, 0.029010932,
              0.025096439, 0.007403834, 0.007403834]                 # code 4.3, sdcInitial@risk$individual
GUIDE_GLOBAL = 0.01582                                               # code 4.11 (printed to 4 significant digits)
GUIDE_ER = 0.1582                                                    # code 4.12


def test_practice_guide_individual_risks():
    codes, _ = encode_table(GUIDE, ["Residence", "Gender", "Educ", "Lstat"])
    fk, Fk = frequencies(codes, GUIDE["Weights"].to_numpy(float))
    assert fk.tolist() == GUIDE_FK and Fk.tolist() == GUIDE_BIG_FK
    assert individual_risk(fk, Fk) == pytest.approx(GUIDE_RISK, abs=5e-10)


def test_practice_guide_global_risk_through_the_cli(run_cli, tmp_path):
    path = tmp_path / "guide.csv"
    GUIDE.to_csv(path, index=False, sep=";")
    res = run_cli("risk", path, "--qi", "Residence,Gender,Educ,Lstat", "--weights", "Weights", "--format", "json")
    assert res.exit_code == 0, res.output
    sdc = json.loads(res.stdout)["sdcmicro"]
    # the guide's mean of its nine-decimal individual risks, and its rounded figures
    assert sdc["global_risk"] == pytest.approx(np.mean(GUIDE_RISK), abs=1e-9)
    assert round(sdc["global_risk"], 5) == GUIDE_GLOBAL
    assert round(sdc["expected_reidentifications"], 4) == GUIDE_ER
    assert sdc["sample_uniques"] == 4 and sdc["records"] == 10
    assert sdc["individual_risk"]["highest"] == pytest.approx(max(GUIDE_RISK), abs=5e-10)
    text = run_cli("risk", path, "--qi", "Residence,Gender,Educ,Lstat", "--weights", "Weights")
    assert text.exit_code == 0 and "0.0158" in text.output


# sdcMicro tests/testthat/test_freqCalc.R: an R array(c(...), dim = c(8, 3)) is filled column by column
WEIGHTS = [18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51]
NA = None
FREQCALC = [
    ([2, 3, 2, 2, 3, 3, 1, 2, 3, 3, 3, 3, 3, 3, 4, 3, 1, 3, 1, 2, 1, 1, 1, 1],
     [3, 1, 3, 1, 2, 2, 1, 3], [108.0, 45.5, 108.0, 17.0, 100.0, 100.0, 123.5, 108.0]),
    ([2, 3, 2, 2, 3, 3, 1, 2, 3, 3, 3, 3, 3, 3, 4, 3, 1, 3, NA, 2, 1, 1, NA, 1],
     [3, 1, 4, 2, 2, 2, 1, 3], [108.0, 45.5, 125.0, 56.0, 100.0, 100.0, 123.5, 108.0]),
    ([2, 3, NA, 2, 3, 3, 1, 2, 3, 3, NA, 3, 3, 3, 4, 3, NA, NA, NA, NA, NA, NA, NA, NA],
     [4, 4, 8, 4, 4, 4, 2, 4], [125.0, 184.5, 394.0, 125.0, 184.5, 184.5, 162.5, 125.0]),
]


def _table(values) -> pd.DataFrame:
    cols = np.array(values, dtype=object).reshape(3, 8)
    return pd.DataFrame({name: ["" if v is None else str(v) for v in col] for name, col in zip("ABC", cols, strict=True)})


@pytest.mark.parametrize(("values", "fk", "Fk"), FREQCALC)
def test_freqcalc_wildcard_rule(values, fk, Fk):
    codes, _ = encode_table(_table(values), ["A", "B", "C"])
    got_fk, got_Fk = frequencies(codes, np.array(WEIGHTS), missing="wildcard")
    assert got_fk.tolist() == fk and got_Fk.tolist() == Fk
    unweighted_fk, unweighted_Fk = frequencies(codes, None, missing="wildcard")
    assert unweighted_fk.tolist() == fk and unweighted_Fk.tolist() == fk


def test_value_rule_keeps_missing_as_its_own_category():
    """Today's rule (ARX's) on the second table: the two records with a missing C are a class of their own
    only if they agree elsewhere; here they do not, so both are unique."""
    codes, _ = encode_table(_table(FREQCALC[1][0]), ["A", "B", "C"])
    fk, _ = frequencies(codes, None, missing="value")
    assert fk.tolist() == [2, 1, 1, 1, 2, 2, 1, 2]


def test_indivrisk_approx_matches_sdcmicro():
    """test_indivRisk.R, method = approx, survey = TRUE and FALSE (expected to sdcMicro's 8 digits)."""
    codes, _ = encode_table(_table(FREQCALC[0][0]), ["A", "B", "C"])
    fk, Fk = frequencies(codes, np.array(WEIGHTS))
    assert individual_risk(fk, Fk) == pytest.approx(
        [0.01369863, 0.08579129, 0.01369863, 0.17707583, 0.01877883, 0.01877883, 0.03931625, 0.01369863], abs=5e-9)
    assert np.round(individual_risk(fk, None), 5).tolist() == [0.33333, 1.0, 0.33333, 1.0, 0.5, 0.5, 1.0, 0.33333]


def test_cli_wildcard_and_bad_weights(run_cli, tmp_path):
    df = _table(FREQCALC[1][0])
    df["w"] = WEIGHTS
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False, sep=";")
    res = run_cli("risk", path, "--qi", "A,B,C", "--weights", "w", "--missing", "wildcard", "--format", "json")
    assert res.exit_code == 0, res.output
    sdc = json.loads(res.stdout)["sdcmicro"]
    fk, Fk = np.array(FREQCALC[1][1], float), np.array(FREQCALC[1][2])
    assert sdc["missing"] == "wildcard" and sdc["sample_uniques"] == 2
    assert sdc["expected_reidentifications"] == pytest.approx(individual_risk(fk, Fk).sum(), rel=1e-12)
    df["w"] = ["secret-value"] + WEIGHTS[1:]
    df.to_csv(path, index=False, sep=";")
    bad = run_cli("risk", path, "--qi", "A,B,C", "--weights", "w")
    assert bad.exit_code == 2 and "secret-value" not in bad.output and "'w'" in bad.output
    missing_col = run_cli("risk", path, "--qi", "A,B,C", "--weights", "nope")
    assert missing_col.exit_code == 2 and "Traceback" not in missing_col.output
