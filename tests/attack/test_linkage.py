"""The linkage attack against independent computations: class sizes by groupby, a brute-force
scorer over every pair, and releases built to leak (or not) in known ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.attack import Fact, linkage_attack
from anonymizer.attack.linkage import learn


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
    # the same month written inside a NIR (a refining fact) re-identifies as much, suppressed rows too
    rel.loc[rel.index[:300], ["sex", "birth", "commune"]] = "*"
    inside = linkage_attack([*_facts(orig, rel), Fact("NIR birth month", "category", orig["nir_month"],
                                                      rel["nir_month"], derived=True)])
    assert inside.mean_success > rep.mean_success - 0.05 and inside.unique_correct > 0.5 * rep.unique_correct


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
    no blocking and no tabulation: the reference for the candidate search and the scoring.
    Refining comparators choose among the primary best rows, per pair."""
    model = learn(facts, z_min=z_min)
    n = model.n
    succ, uniq = 0.0, 0
    rows = np.arange(n)
    for i in range(n):
        s = np.zeros(n)
        for c in model.primary:
            s += c.contribution(np.full(n, i), rows)
        best = s >= s.max() - 1e-9
        if model.refining:
            t = np.zeros(n)
            for c in model.refining:
                t += c.contribution(np.full(n, i), rows)
            t[~best] = -np.inf
            best &= t >= t.max() - 1e-9
        best = np.flatnonzero(best)
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


def test_a_value_drawn_within_the_released_band_adds_nothing_to_the_band():
    """A fake NIR's year drawn at random inside the released 5-year band agrees with the person
    one time in five, but as often with everyone of the band: no row must rise above the band's
    class (with weights measured over all pairs, 8 % of people came out 'uniquely re-identified'
    by luck). The true year written there instead is a leak the attack must use."""
    orig = _people(4000, seed=21)
    years = orig["birth"].str[-4:].astype(int)
    band = years // 5 * 5
    rel = pd.DataFrame({"sex": orig["sex"], "birth": band.astype(str) + "-" + (band + 4).astype(str),
                        "commune": orig["commune"].str[:2]})
    rng = np.random.default_rng(4)
    size = rel.groupby(list(rel.columns))["sex"].transform("size").to_numpy()
    facts = _facts(orig, rel)
    drawn = (band + rng.integers(0, 5, size=len(rel))).astype(str).str[-2:]
    truth = years.astype(str).str[-2:]
    mangled = rng.random(len(rel)) < 0.02  # no NIR to read on either side (an Excel-mangled one): says nothing
    drawn[mangled] = ""
    truth = truth.where(~mangled, "")
    noise = linkage_attack([*facts, Fact("NIR year", "category", truth, drawn, derived=True)])
    assert noise.mean_success == pytest.approx((1 / size).mean(), abs=1e-12)
    assert noise.unique_correct == int((size == 1).sum())
    leak = linkage_attack([*facts, Fact("NIR year", "category", years.astype(str).str[-2:],
                                        years.astype(str).str[-2:], derived=True)])
    finer = rel.assign(y=years).groupby(list(rel.columns) + ["y"])["sex"].transform("size").to_numpy()
    assert leak.mean_success == pytest.approx((1 / finer).mean(), abs=1e-12)


def test_a_derived_value_exact_where_its_column_is_exact_and_drawn_where_it_is_coarse_adds_nothing():
    """The demo's case: the birth date is released to the year for some rows and to a 5-year band
    for others; the fake NIR's year is the released year, or drawn in the band. Measured over all
    the best sets together the NIR year 'agrees' more with the true row than with competitors (a
    mixture), and broke ties inside classes; per precision of the linked birth date it weighs
    nothing: the attack does exactly as well as without it."""
    orig = _people(4000, seed=31)
    years = orig["birth"].str[-4:].astype(int)
    band = years // 5 * 5
    coarse = np.random.default_rng(6).random(len(orig)) < 0.5
    birth = np.where(coarse, band.astype(str) + "-" + (band + 4).astype(str), years.astype(str))
    rel = pd.DataFrame({"sex": orig["sex"], "birth": birth, "commune": orig["commune"].str[:2]})
    drawn = np.where(coarse, band + np.random.default_rng(7).integers(0, 5, size=len(rel)), years)
    size = rel.groupby(list(rel.columns))["sex"].transform("size").to_numpy()
    fact = Fact("NIR year", "category", years.astype(str).str[-2:], pd.Series(drawn).astype(str).str[-2:],
                derived=True, link="birth")
    rep = linkage_attack([*_facts(orig, rel), fact])
    without = linkage_attack(_facts(orig, rel))
    assert rep.unique_correct == without.unique_correct <= int((size == 1).sum())
    assert rep.mean_success == pytest.approx(without.mean_success, abs=1e-12)


def test_refining_weights_per_stratum_are_applied_row_by_row():
    """Brute force over every pair with the derived fact of the mixed-level case: the tabulated,
    blocked search gives the same figures (a stratum is the candidate row's, not its value's)."""
    orig = _people(700, seed=41)
    years = orig["birth"].str[-4:].astype(int)
    band = years // 5 * 5
    coarse = np.random.default_rng(16).random(len(orig)) < 0.5
    birth = np.where(coarse, band.astype(str) + "-" + (band + 4).astype(str), years.astype(str))
    rel = pd.DataFrame({"sex": orig["sex"], "birth": birth, "commune": orig["commune"].str[:2]})
    leak = np.random.default_rng(17).random(len(rel)) < 0.3  # a value copied from the original now and then
    drawn = np.where(coarse & ~leak, band + np.random.default_rng(18).integers(0, 5, size=len(rel)), years)
    facts = [*_facts(orig, rel), Fact("NIR year", "category", years.astype(str).str[-2:],
                                      pd.Series(drawn).astype(str).str[-2:], derived=True, link="birth")]
    expected_success, expected_unique = _brute_force(facts)
    rep = linkage_attack(facts)
    assert rep.mean_success == pytest.approx(expected_success, abs=1e-12)
    assert rep.unique_correct == expected_unique
