"""δ-presence with a research subset (ARX's DPresence + DataSubset) through ``anon sanitize --hierarchies``:
the data given is the research subset (``cup_subset.csv``), ``--population-table`` the table it was drawn from.

Expected values are ARX 3.9.2's (arx-deidentifier/arx, src/test/org/deidentifier/arx/test/
TestAnonymizationDPresence.java, the CUP rows without suppression; RAMNTALL set aside). Adult's rows need
``adult_subset.csv``, which ../shared/data does not have. ARX's rows with 5 % suppression are reproduced by
the library too (AECS 6.375879396984924 at [4,0,1,1,1,3,2]) but δ-presence is not monotone with suppression,
so the search checks all 9,000 nodes (~4 min): left out of the suite."""

from __future__ import annotations

import pandas as pd
import pytest

from .test_arx_cli import levels_in_column_order, run_arx

CASES = [
    (["0,0.2", "--metric", "aecs"], [5, 1, 1, 1, 1, 3, 4], 186.58823529411765),
    # ARX's node [5,1,1,1,1,3,4] and [5,1,1,1,1,4,4] have the same monotonic entropy (MINRAMNT's level 4 adds
    # nothing): a tie, broken differently; ARX's test checks the loss (and only notes a different node)
    (["0,0.2", "--metric", "entropy-mono"], None, 183507.9666833512),
    (["0.05,0.15", "--metric", "aecs"], [5, 4, 1, 0, 1, 4, 4], 906.2857142857143),
    (["0.05,0.15", "--metric", "entropy"], [5, 4, 1, 0, 1, 4, 4], 195829.0291224279),
]


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)


@pytest.mark.parametrize(("options", "levels", "loss"), CASES)
def test_delta_presence_matches_arx(run_cli, shared_data, tmp_path, options, levels, loss):
    cup = shared_data / "cup"
    (tmp_path / "cup").mkdir()
    subset = tmp_path / "cup" / "cup.csv"  # run_arx reads <name>/<name>.csv: the subset under that name
    subset.write_bytes((cup / "cup_subset.csv").read_bytes())
    for h in cup.glob("cup_hierarchy_*.csv"):
        (tmp_path / "cup" / h.name).symlink_to(h)
    reached = run_arx(run_cli, tmp_path, tmp_path, "cup", "--sensitive", "RAMNTALL", "--delta-presence", options[0],
                      "--population-table", cup / "cup.csv", "--max-suppression", "0", *options[1:])
    assert reached["exact"] is True and reached["records"] == 6344
    if levels is not None:
        assert levels_in_column_order(tmp_path, "cup", reached, "RAMNTALL") == levels
    assert reached["information_loss"] == pytest.approx(loss, rel=1e-12)
    # independently: generalise the population with the chosen levels; every released class's share of it
    # lies within [dmin, dmax]
    dmin, dmax = (float(x) for x in options[0].split(","))
    from anonymizer.privacy import load_hierarchies

    hs = load_hierarchies(cup)
    qi = [c for c in reached["levels"]]
    pop, out = _read(cup / "cup.csv"), _read(reached["output"])
    gen = pd.DataFrame({c: hs[c].generalize(pop[c], reached["levels"][c]).astype(str) for c in qi})
    psize = gen.value_counts()
    ssize = out[qi].value_counts()
    delta = ssize / psize.reindex(ssize.index)
    assert delta.between(dmin, dmax).all()
    if dmin > 0:  # every population class holds subset records
        assert set(psize.index) <= set(ssize.index)


def test_delta_presence_refusals(run_cli, shared_data, tmp_path):
    cup = shared_data / "cup"
    base = ["sanitize", cup / "cup_subset.csv", "--hierarchies", cup, "--sensitive", "RAMNTALL", "-o",
            tmp_path / "x.csv", "--no-report", "--no-rescan"]
    res = run_cli(*base, "--delta-presence", "0,0.2")
    assert res.exit_code == 2 and "population table" in res.output
    res = run_cli(*base, "--delta-presence", "0.3,0.2", "--population-table", cup / "cup.csv")
    assert res.exit_code == 2 and "DMIN <= DMAX" in res.output
    # a record of the data absent from the population table: refused, without its values
    bad = tmp_path / "sub.csv"
    rows = (cup / "cup_subset.csv").read_text().splitlines()
    bad.write_text("\n".join([rows[0], "32810;62;Female;4000;FL;81;10;5", "99999;62;Female;4000;FL;81;10;5"]) + "\n")
    res = run_cli("sanitize", bad, "--hierarchies", cup, "--sensitive", "RAMNTALL", "--delta-presence", "0,0.5",
                  "--population-table", cup / "cup.csv", "-o", tmp_path / "y.csv", "--no-report", "--no-rescan")
    assert res.exit_code != 0 and "Traceback" not in res.output and "99999" not in res.output
