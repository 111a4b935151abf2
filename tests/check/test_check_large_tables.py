"""A table too large to load is checked from a row sample plus its key columns read whole.

The expected k comes from a pandas groupby over the whole file, written by the test; the
record count in the finding shows the risk rules saw every row, not the sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.check import read, runner
from anonymizer.check.config import config_from_dict

ROWS = 30_000


def _table(path) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    df = pd.DataFrame({
        "SEXE": rng.choice(["1", "2"], ROWS),
        "DTNAIS": [f"{1 + d:02d}/{1 + m:02d}/{y}" for d, m, y in zip(rng.integers(0, 28, ROWS), rng.integers(0, 12, ROWS),
                                                                   rng.integers(1950, 2000, ROWS), strict=True)],
        "CODPOST": rng.choice(["33000", "33100", "33200", "33800"], ROWS),
        "AAH_MT": rng.integers(0, 900, ROWS).astype(str),
    })
    df.to_csv(path, sep=";", index=False)
    return df


def test_a_large_table_is_sampled_for_the_scan_and_read_whole_for_k(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    df = _table(path)
    monkeypatch.setattr(read, "STREAM_ABOVE_BYTES", 1024)  # this 1 MB file counts as large
    [emb] = list(read.iter_tables(path, "table"))
    assert emb.total_rows == ROWS and len(emb.df) == read.SAMPLE_ROWS < ROWS
    assert "20,000 of 30,000 rows sampled" in emb.location
    assert emb.load_columns(["SEXE", "CODPOST"]).equals(df[["SEXE", "CODPOST"]])

    result = runner.evaluate_file(path, "big.csv", config_from_dict({}, root=tmp_path), None)
    ks = [f for f in result.findings if f.rule == "k-anonymity"]
    assert len(ks) == 1, [f.rule for f in result.findings]
    keys = ["DTNAIS", "SEXE", "CODPOST"]
    assert all(k in ks[0].message for k in keys)
    sizes = df.groupby(keys).size()
    below = int(sizes[sizes < 5].sum())
    assert f"k = {int(sizes.min())} on" in ks[0].message
    assert f"{below} of {ROWS} records" in ks[0].message  # every row, not the sample's 20,000
    assert result.status == "fail"


def test_a_large_tables_line_numbers_are_checked_over_every_row(tmp_path, monkeypatch):
    """The sample cannot show that a column holds the line numbers: the streaming read checks every row."""
    from anonymizer.check.rules import _scan

    path = tmp_path / "big.csv"
    df = _table(path).assign(NUMLIGNE=[str(i) for i in range(1, ROWS + 1)])
    df.to_csv(path, sep=";", index=False)
    monkeypatch.setattr(read, "STREAM_ABOVE_BYTES", 1024)
    [emb] = list(read.iter_tables(path, "table"))
    assert emb.row_numbers == {"NUMLIGNE"}
    cfg = config_from_dict({}, root=tmp_path)
    said = {f.column: f for f in _scan(emb.df, cfg, emb.total_rows, emb.row_numbers).findings}
    assert said["NUMLIGNE"].role == "insensitive"
    assert any("line numbers" in e for e in said["NUMLIGNE"].evidence)
    unsaid = {f.column: f for f in _scan(emb.df, cfg, emb.total_rows).findings}  # the sample alone
    assert not any("line numbers" in e for e in unsaid["NUMLIGNE"].evidence)
