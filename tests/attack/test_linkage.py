"""The linkage attack against independent computations: class sizes by groupby, a brute-force
scorer over every pair, and releases built to leak (or not) in known ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.attack import Fact, linkage_attack
from anonymizer.attack.facts import comparators
from anonymizer.attack.linkage import _measure, _z_for


def _people(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("1950-01-01")
    births = start + rng.integers(0, 365 * 50, size=n).astype("timedelta64[D]")
    return pd.DataFrame({
        "sex": rng.choice(["1", "2"], size=n),
        "birth": pd.Series(births).dt.strftime("%d/%m/%Y"),
        "commune": rng.choice([f"33{c:03d}" for c in range(40)] + [f"24{c:03d}" for c in range(20)], size=n),
    })


def _facts(orig: pd.DataFrame, rel: pd.DataFrame) -> list[Fact]:
    return [Fact("sex", "category", orig["sex"], rel["sex"]),
            Fact("birth", "date", orig["birth"], rel["birth"]),
            Fact("commune", "code", orig["commune"], rel["commune"])]


def _generalised(orig: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"sex": orig["sex"], "birth": orig["birth"].str[-4:], "commune": orig["commune"].str[:2]})


def test_deterministic_generalisation_equals_one_over_class_size():
    orig = _people(3000)
    rel = _generalised(orig)
    size = rel.groupby(list(rel.columns))["sex"].transform("size").to_numpy()
    rep = linkage_attack(_facts(orig, rel))
    assert rep.persons_attacked == 3000 and not rep.sampled
    assert rep.mean_success == pytest.approx((1 / size).mean(), abs=1e-12)
    assert rep.unique_correct == int((size == 1).sum())


def test_a_value_that_carries_the_birth_month_is_found():
    """The released birth is the year, but another column (a fake NIR's birth part, say) shows the
    true month: the attack must use it — classes over (sex, year, month, département)."""
    orig = _people(3000)
    rel = _generalised(orig)
    orig = orig.assign(nir_month=orig["birth"].str[3:5])
    rel = rel.assign(nir_month=orig["birth"].str[3:5])
    facts = [*_facts(orig, rel), Fact("NIR birth month", "category", orig["nir_month"], rel["nir_month"])]
    finer = rel.groupby(list(rel.columns))["sex"].transform("size").to_numpy()
    rep = linkage_attack(facts)
    assert rep.mean_success == pytest.approx((1 / finer).mean(), abs=1e-12)
    assert "NIR birth month" in {c["fact"] for c in rep.comparators}


def test_a_keyed_random_month_is_not_evidence():
    """The same column drawn at random (as a fake from released values would be): no gain."""
    orig = _people(3000)
    rel = _generalised(orig)
    rng = np.random.default_rng(7)
    orig = orig.assign(nir_month=orig["birth"].str[3:5])
    rel = rel.assign(nir_month=pd.Series(rng.integers(1, 13, size=len(rel))).map("{:02d}".format))
    facts = [*_facts(orig, rel), Fact("NIR birth month", "category", orig["nir_month"], rel["nir_month"])]
    size = _generalised(orig).groupby(["sex", "birth", "commune"])["sex"].transform("size").to_numpy()
    rep = linkage_attack(facts)
    assert "NIR birth month" in rep.uninformative
    assert rep.mean_success == pytest.approx((1 / size).mean(), abs=1e-12)


def test_suppressed_records_are_wildcards_that_the_attacker_ranks_below_matches():
    orig = _people(2000)
    rel = _generalised(orig)
    size = rel.groupby(list(rel.columns))["sex"].transform("size")
    small = (size < 3).to_numpy()
    rel.loc[small, :] = "*"
    general = _generalised(orig)
    visible = general[~small]
    kept_size = visible.groupby(list(visible.columns))["sex"].transform("size").reindex(rel.index).to_numpy()
    # a suppressed person whose values no visible row shows: the best guesses are the '*' rows
    seen = general.apply(tuple, axis=1).isin(set(visible.apply(tuple, axis=1))).to_numpy()
    expected = np.where(small, np.where(seen, 0.0, 1 / small.sum()), 1 / np.where(small, 1, kept_size))
    rep = linkage_attack(_facts(orig, rel))
    assert rep.mean_success == pytest.approx(expected.mean(), abs=1e-12)


def _brute_force(facts: list[Fact], z_min: float = 3.0) -> tuple[float, int]:
    """Every person against every released row, with the module's comparators and weights but
    no blocking: the reference for the candidate search."""
    n = len(facts[0].released)
    rng = np.random.default_rng(0)
    comps = [c for f in facts for c in comparators(f)]
    for c in comps:
        _measure(c, n, rng, max(z_min, _z_for(len(comps))))
    comps = [c for c in comps if c.w_agree > 0]
    succ, uniq = 0.0, 0
    rows = np.arange(n)
    for i in range(n):
        s = np.zeros(n)
        for c in comps:
            s += c.contribution(np.full(n, i), rows)
        best = np.flatnonzero(s >= s.max() - 1e-9)
        if i in best:
            succ += 1 / len(best)
            uniq += len(best) == 1
    return succ / n, uniq


def test_blocking_gives_the_brute_force_answer_with_perturbed_and_suppressed_values():
    orig = _people(400, seed=3)
    rel = _generalised(orig)
    rng = np.random.default_rng(5)
    swap = rng.random(len(rel)) < 0.2  # a PRAM-like change of the commune for 20 % of rows
    rel.loc[swap, "commune"] = rng.choice(["33", "24"], size=int(swap.sum()))
    rel.loc[rng.random(len(rel)) < 0.05, "birth"] = "*"
    shifted = pd.to_datetime(orig["birth"], format="%d/%m/%Y") + pd.to_timedelta(rng.integers(-60, 61, len(rel)), "D")
    orig = orig.assign(opened=pd.to_datetime(orig["birth"], format="%d/%m/%Y").dt.strftime("%d/%m/%Y"))
    rel = rel.assign(opened=shifted.dt.strftime("%d/%m/%Y"))
    facts = [*_facts(orig, rel), Fact("opened", "date", orig["opened"], rel["opened"])]
    expected_success, expected_unique = _brute_force(facts)
    rep = linkage_attack(facts)
    assert rep.mean_success == pytest.approx(expected_success, abs=1e-12)
    assert rep.unique_correct == expected_unique


def test_the_raw_table_is_mostly_unique_and_dates_in_free_text_are_used():
    orig = _people(2000)
    raw = linkage_attack(_facts(orig, orig))
    exact = orig.groupby(list(orig.columns))["sex"].transform("size").to_numpy()
    assert raw.mean_success == pytest.approx((1 / exact).mean(), abs=1e-12)
    rel = _generalised(orig)
    texts = "rappeler le " + orig["birth"].str[:5]  # the birthday quoted in a comment
    coarse = linkage_attack(_facts(orig, rel))
    leaked = linkage_attack(_facts(orig, rel), texts=texts)
    assert leaked.mean_success > coarse.mean_success + 0.3
    assert any(c["comparison"] == "written in the free text" for c in leaked.comparators)


def test_sampling_attacks_a_uniform_subset_against_every_row():
    orig = _people(5000)
    rel = _generalised(orig)
    size = rel.groupby(list(rel.columns))["sex"].transform("size").to_numpy()
    rep = linkage_attack(_facts(orig, rel), max_persons=1000, seed=4)
    assert rep.sampled and rep.persons_attacked == 1000
    exact = (1 / size).mean()
    assert abs(rep.mean_success - exact) < 4 * np.sqrt(exact * (1 - exact) / 1000)


def test_a_relabelled_category_is_linked_through_its_mapping_and_random_codes_are_not_memorised():
    """FR/UE/HUE released as France/Étranger is as good as the original for the attacker; a
    column of random 5-digit codes (a fake birthplace) must not be 'learnt' from the true pairs."""
    orig = _people(3000, seed=9)
    rng = np.random.default_rng(2)
    orig = orig.assign(nat=rng.choice(["FR", "UE", "HUE"], size=len(orig), p=[0.8, 0.1, 0.1]),
                       place=pd.Series(rng.integers(10000, 99999, size=len(orig))).astype(str))
    rel = _generalised(orig).assign(nat=orig["nat"].map({"FR": "France", "UE": "Étranger", "HUE": "Étranger"}),
                                    place=pd.Series(rng.integers(10000, 99999, size=len(orig))).astype(str))
    facts = [*_facts(orig, rel), Fact("nat", "category", orig["nat"], rel["nat"]),
             Fact("place", "code", orig["place"], rel["place"])]
    size = rel.drop(columns="place").groupby(["sex", "birth", "commune", "nat"])["sex"].transform("size").to_numpy()
    rep = linkage_attack(facts)
    assert "place" in rep.uninformative and "nat" not in rep.uninformative
    assert rep.mean_success == pytest.approx((1 / size).mean(), abs=1e-12)


def test_blocking_keeps_rows_that_agree_above_rows_released_coarser():
    """Local recoding releases a column at several levels: a row showing the person's year must
    outrank a row showing only the decade (both pass the blocking). Brute force is the reference."""
    orig = _people(500, seed=11)
    rel = _generalised(orig)
    rng = np.random.default_rng(8)
    coarse = rng.random(len(rel)) < 0.4
    years = orig["birth"].str[-4:].astype(int)
    rel.loc[coarse, "birth"] = (years[coarse] // 10 * 10).astype(str) + "-" + (years[coarse] // 10 * 10 + 9).astype(str)
    rel.loc[rng.random(len(rel)) < 0.1, "commune"] = "*"
    rel.loc[rng.random(len(rel)) < 0.15, "sex"] = "*"  # a fact with one comparator, hidden in some rows
    facts = _facts(orig, rel)
    expected_success, expected_unique = _brute_force(facts)
    rep = linkage_attack(facts)
    assert rep.mean_success == pytest.approx(expected_success, abs=1e-12)
    assert rep.unique_correct == expected_unique
