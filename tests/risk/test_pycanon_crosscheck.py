"""Cross-check k, ℓ and t with an independent implementation (pycanon, in the benchmark venv only).

pycanon never enters the runtime environment: it runs in ``.venv-bench`` as a subprocess and the
test is skipped when that venv is absent.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from anonymizer.risk import risk_report

BENCH_PY = Path(__file__).resolve().parents[2] / ".venv-bench" / "bin" / "python"

SCRIPT = r"""
import json, sys
import pandas as pd
from pycanon import anonymity
df = pd.read_csv(sys.argv[1], sep=";", dtype=str)
qi, sa = json.loads(sys.argv[2]), [sys.argv[3]]
print(json.dumps({"k": int(anonymity.k_anonymity(df, qi)), "l": int(anonymity.l_diversity(df, qi, sa)),
                  "l_entropy": float(anonymity.entropy_l_diversity(df, qi, sa)),
                  "t": float(anonymity.t_closeness(df, qi, sa))}))
"""


@pytest.mark.skipif(not BENCH_PY.exists(), reason="benchmark venv (.venv-bench) with pycanon not installed")
def test_k_l_t_agree_with_pycanon_on_generalised_adult(shared_data, tmp_path):
    df = pd.read_csv(shared_data / "adult" / "adult.csv", sep=";", dtype=str)
    df["age"] = (df["age"].astype(int) // 20 * 20).astype(str)
    path = tmp_path / "adult_gen.csv"
    df.to_csv(path, sep=";", index=False)
    qi, sa = ["sex", "age", "race"], "occupation"
    proc = subprocess.run([str(BENCH_PY), "-c", SCRIPT, str(path), json.dumps(qi), sa],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-500:]
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = risk_report(df, qi, [sa])
    d = ours["sensitive"][sa]
    assert ours["k_anonymity"]["k_achieved"] == theirs["k"]
    assert d["l_distinct"] == theirs["l"]
    assert math.floor(d["l_entropy"]) == theirs["l_entropy"]  # pycanon floors entropy ℓ
    assert d["t_closeness"]["equal"]["max"] == pytest.approx(theirs["t"], abs=1e-9)
