"""Weak evidence at scale: a keyed fake agreeing by chance must not break the ties of a class.

At a million rows the training release of the generated extract failed the gate (228 of 20,000
people "re-identified uniquely") although every fact that singled them out was a keyed fake: a fake
NIR's birth month or birthplace drawn per person, agreeing with the true one by chance. The refining
facts' chance agreement u is measured on a few thousand sampled (person, competitor) pairs while m is
counted on every row, and the significance test took u as exact: with enough rows a sampling dip of u
passed for evidence, the fact got a small weight, and a small weight breaks a tie as surely as a large
one. These releases are built so that the truth is known: classes of six rows that nothing released
tells apart, refining facts that are pure noise (nobody is re-identifiable: success 1/6 each, no unique
re-identification) or a real partial leak (it must still be found).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from anonymizer.attack import Fact, linkage_attack
from anonymizer.attack import linkage as lk

ROWS = 300_000
CLASS = 6


def _release(noise_facts: int, leak: float = 0.0, seed: int = 7) -> list[Fact]:
    """Classes of ``CLASS`` rows released as they are (the attacker knows each person's class), and
    ``noise_facts`` refining facts (written inside another value, as a NIR's birth month): the
    original a random month, the released one an independent random month — except, for the first
    fact, a share ``leak`` of rows whose released month is their true one."""
    rng = np.random.default_rng(seed)
    cls = pd.Series((np.arange(ROWS) // CLASS).astype(str))
    facts = [Fact("class", "category", cls, cls)]
    for k in range(noise_facts):
        orig = rng.integers(1, 13, size=ROWS)
        rel = rng.integers(1, 13, size=ROWS)
        if k == 0 and leak:
            copied = rng.random(ROWS) < leak
            rel = np.where(copied, orig, rel)
        facts.append(Fact(f"NIR{k} → birth month", "category", pd.Series(orig).astype(str).str.zfill(2),
                          pd.Series(rel).astype(str).str.zfill(2), derived=True))
    return facts


_EVIDENT = lk._evident


def _u_taken_as_exact(m: float, known: int, u: float, se: float, z_min: float) -> bool:
    """The test before the fix (u's sampling error ignored): for the counterfactual below."""
    return _EVIDENT(m, known, u, 0.0, z_min)


def test_keyed_noise_does_not_break_the_ties_of_a_class():
    facts = _release(noise_facts=8)
    rep = linkage_attack(facts, max_persons=20_000)
    used = {c["fact"] for c in rep.comparators}
    assert used == {"class"}, used
    assert rep.unique_correct == 0
    assert rep.mean_success == pytest.approx(1 / CLASS, abs=1e-12)


def test_the_same_release_under_the_old_test_reports_chance_as_reidentification(monkeypatch):
    """The counterfactual that shows the case above bites: with u taken as exact, noise facts pass
    for evidence at this size and people are "re-identified uniquely" by coincidences; the attacker's
    unique claims are then right about one time in six, as chance among six rows would be."""
    monkeypatch.setattr(lk, "_evident", _u_taken_as_exact)
    rep = linkage_attack(_release(noise_facts=8), max_persons=20_000)
    noise = {c["fact"] for c in rep.comparators} - {"class"}
    assert noise, "no noise fact passed: the scenario no longer exercises the sampling error of u"
    assert rep.unique_correct > 0


def test_a_partial_leak_is_still_found():
    """A fifth of the rows show their true month in the first fact (m = 0.2 + 0.8/12 = 0.27 against
    u = 1/12): the attacker uses it and singles people out, as they could."""
    rep = linkage_attack(_release(noise_facts=3, leak=0.2), max_persons=20_000)
    used = {c["fact"] for c in rep.comparators}
    assert "NIR0 → birth month" in used
    assert {"NIR1 → birth month", "NIR2 → birth month"}.isdisjoint(used)
    assert rep.unique_correct > 0
    assert rep.mean_success > 1 / CLASS


def test_a_copied_value_is_evidence_on_a_tiny_table():
    """Five rows whose value is copied (m = 1) against 20 sampled pairs none of which agree: the
    sampling error of so few pairs must not hide a value the release copies."""
    rng = np.random.default_rng(0)
    b = np.zeros(20, dtype=np.int64)
    pairs = (rng.integers(0, 5, size=20), rng.integers(0, 5, size=20))
    assert lk._evident(1.0, 5, 0.5 / 20, lk._u_se(b, pairs), 3.0)


def test_the_sampling_error_of_u_counts_clusters():
    """One person's 50 competitors share that person's original value: when the agreement depends on
    the person (all 50 agree, or none), u is known only as well as the number of persons allows —
    the two-way cluster-robust error — not as 50 times as many independent pairs."""
    persons = np.repeat(np.arange(200), 50)
    competitors = np.arange(len(persons)) + 1000
    agree = np.repeat((np.arange(200) % 10 == 0).astype(np.int64), 50)  # a tenth of the persons, all pairs
    se = lk._u_se(agree, (persons, competitors))
    by_person = math.sqrt(0.1 * 0.9 / 200)  # 200 independent persons
    binomial = math.sqrt(0.1 * 0.9 / len(agree))
    assert se == pytest.approx(by_person, rel=0.01)
    assert se > 5 * binomial
    # unknown comparisons (-1) are left out of both the rate and its error
    with_unknown = np.r_[agree, -np.ones(500, dtype=np.int64)]
    grown = (np.r_[persons, np.arange(500)], np.r_[competitors, np.arange(500)])
    assert lk._u_se(with_unknown, grown) == pytest.approx(se, rel=1e-12)
