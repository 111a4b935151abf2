"""The attack's fast paths against simple references, on small random releases (hypothesis).

The linkage attack scores millions of (person, row) pairs through value tables, per-fact
deduplicated value pairs, boolean membership grids and a blocked candidate search. Each is
checked here against the plainest computation of the same thing: every pair scored comparator by
comparator, candidates by a scan of every row, membership in Python sets, pattern counts by
``np.unique`` over boolean rows; and the whole attack against every person scored against every
row. Equality is exact: the release gate's figures must not move by a float.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.attack import Fact, linkage_attack
from anonymizer.attack.facts import (
    MEMBER_BASE,
    UNKNOWN,
    Comparator,
    comparators,
    text_day_months,
    text_mentions,
)
from anonymizer.attack.linkage import (
    MAX_PATTERNS,
    _blockers,
    _Blocks,
    _by_fact,
    _row_classes,
    _row_dependent,
    _score_pairs,
    learn,
)

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _release(seed: int, n: int, suppress: float, coarse: float, swap: bool, text: bool, grouped: bool = False):
    """A random extract and a release mixing the treatments the pipeline applies: generalised to
    several levels row by row, suppressed, perturbed, relabelled, swapped within classes, a
    derived NIR year (exact or drawn in the band), birthdays quoted in free text."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 365 * 40, size=n)
    birth = pd.Series(np.datetime64("1950-01-01") + days.astype("timedelta64[D]"))
    orig = pd.DataFrame({
        "sex": rng.choice(["1", "2"], size=n),
        "birth": birth.dt.strftime("%d/%m/%Y"),
        "commune": rng.choice([f"{d}{c:03d}" for d in ("33", "24", "47") for c in range(8)], size=n),
        "children": rng.integers(0, 6, size=n).astype(str),
        "nat": rng.choice(["FR", "UE", "HUE"], size=n, p=[0.7, 0.2, 0.1]),
        "income": rng.integers(0, 40, size=n).astype(str),
    })
    years = birth.dt.year.to_numpy()
    band = years // 5 * 5
    is_coarse = rng.random(n) < coarse
    rel = pd.DataFrame({
        "sex": orig["sex"],
        "birth": np.where(is_coarse, pd.Series(band).astype(str) + "-" + pd.Series(band + 4).astype(str),
                          pd.Series(years).astype(str)),
        "commune": np.where(rng.random(n) < coarse, orig["commune"].str[:2], orig["commune"]),
        "children": np.where(rng.random(n) < 0.2, (orig["children"].astype(int) + rng.integers(-1, 2, n)).astype(str),
                             orig["children"]),
        "nat": orig["nat"].map({"FR": "France", "UE": "Etranger", "HUE": "Etranger"}),
    })
    if grouped:  # a k-anonymous-like release: few distinct released rows, many rows alike
        decade = years // 10 * 10
        rel["birth"] = np.where(is_coarse, "*", pd.Series(decade).astype(str) + "-" + pd.Series(decade + 9).astype(str))
        rel["commune"] = orig["commune"].str[:2]
        rel["children"] = np.where(orig["children"].astype(int) >= 3, "3+", "0-2")
    for col in ("sex", "birth", "commune", "children"):
        rel.loc[rng.random(n) < suppress, col] = "*"
    drawn = np.where(is_coarse, band + rng.integers(0, 5, size=n), years)
    facts = [Fact("sex", "category", orig["sex"], rel["sex"]),
             Fact("birth", "date", orig["birth"], rel["birth"]),
             Fact("commune", "code", orig["commune"], rel["commune"]),
             Fact("children", "number", orig["children"], rel["children"]),
             Fact("nat", "category", orig["nat"], rel["nat"]),
             Fact("NIR year", "category", pd.Series(years).astype(str).str[-2:],
                  pd.Series(drawn).astype(str).str[-2:], derived=True, link="birth")]
    if swap:  # income swapped within the classes of the released primary tuple
        classes, _ = pd.factorize(pd.MultiIndex.from_frame(rel[["sex", "birth", "commune"]]))
        swapped = orig["income"].to_numpy().copy()
        for c in np.unique(classes):
            rows = np.flatnonzero(classes == c)
            swapped[rows] = swapped[rng.permutation(rows)]
        swapped[rng.random(n) < suppress] = "*"
        facts.append(Fact("income", "category", orig["income"], pd.Series(swapped),
                          classes=classes.astype(np.int64)))
    texts = None
    if text:
        quoted = rng.random(n) < 0.3
        texts = pd.Series(np.where(quoted, "vu le " + orig["birth"].str[:5], ""))
    return facts, texts


releases = st.builds(_release, seed=st.integers(0, 10_000), n=st.integers(2, 120),
                     suppress=st.sampled_from([0.0, 0.05, 0.3]), coarse=st.sampled_from([0.0, 0.4, 1.0]),
                     swap=st.booleans(), text=st.booleans(), grouped=st.booleans())


def _reference(facts: list[Fact], texts: pd.Series | None) -> tuple[float, int, float]:
    """Every person against every released row, comparator by comparator (no blocking, no table,
    no deduplication): mean success, unique re-identifications, mean best-set size."""
    model = learn(facts, texts)
    n = model.n
    rows = np.arange(n)
    success, unique, sizes = np.zeros(n), np.zeros(n, dtype=bool), np.zeros(n)
    for i in range(n):
        me = np.full(n, i)
        s = np.zeros(n)
        for c in _by_fact(model.primary):
            s += c.contribution(me, rows)
        best = (s >= s.max() - 1e-9) & np.isfinite(s.max())
        if model.refining and best.any():
            t = np.zeros(n)
            for c in _by_fact(model.refining):
                t += c.contribution(me, rows)
            t[~best] = -np.inf
            best &= (t >= t.max() - 1e-9) & np.isfinite(t.max())
        count = int(best.sum())
        sizes[i] = count
        if best[i]:
            success[i] = 1 / count
            unique[i] = count == 1
    return float(success.mean()), int(unique.sum()), float(sizes.mean())


@SETTINGS
@given(releases)
def test_the_attack_equals_every_person_against_every_row(release):
    facts, texts = release
    rep = linkage_attack(facts, texts=texts)
    success, unique, size = _reference(facts, texts)
    assert rep.mean_success == success
    assert rep.unique_correct == unique
    assert rep.mean_best_set == size


@SETTINGS
@given(releases, st.integers(0, 2**32 - 1), st.sampled_from([1, 50, 10_000]))
def test_scores_equal_the_sum_of_the_comparators_in_order(release, seed, pairs):
    """Tabulated, deduplicated and row-dependent paths give each pair the very float the plain sum
    gives (the table is built or not depending on the number of pairs scored)."""
    facts, texts = release
    model = learn(facts, texts)
    rng = np.random.default_rng(seed)
    ii, rr = rng.integers(0, model.n, size=pairs), rng.integers(0, model.n, size=pairs)
    for comps in (model.primary, model.refining):
        order = _by_fact(comps)
        expected = np.zeros(pairs)
        for c in order:
            expected += c.contribution(ii, rr)
        assert np.array_equal(_score_pairs(ii, rr, order), expected)
        assert np.array_equal(_score_pairs(ii, rr, order), expected)  # with the tables built by the first call
        classes = _row_classes(order, model.n)
        if classes is not None:  # rows no comparator tells apart, scored once per (person, class)
            assert np.array_equal(_score_pairs(ii, rr, order, classes), expected)
            people = np.arange(min(model.n, 40))
            rows = np.arange(model.n)
            for c in order:  # every comparator gives the rows of one class the same score, whoever the person
                full = np.stack([c.contribution(np.full(model.n, i), rows) for i in people])
                first = full[:, np.unique(classes, return_index=True)[1]][:, classes]
                assert np.array_equal(full, first)
        flags = [_row_dependent(c) for c in order]
        assert flags == sorted(flags)  # value comparators first, in their order, then the row-dependent ones


def _brute_candidates(blocks: _Blocks, key: np.ndarray) -> np.ndarray:
    """Rows whose every shown strict code equals the key's readable one, part by part (the
    parts' order is the one the search returns and the blocking samples from), rows ascending."""
    out = []
    for rows, _shown in blocks.parts:
        ok = [r for r in rows if all(blocks.rel[r, j] == UNKNOWN or key[j] == UNKNOWN or blocks.rel[r, j] == key[j]
                                     for j in range(blocks.rel.shape[1]))]
        out.extend(ok)
    return np.asarray(out, dtype=np.int64)


@SETTINGS
@given(releases)
def test_candidates_equal_a_scan_of_every_row(release):
    facts, texts = release
    model = learn(facts, texts)
    keys = (np.stack([c.orig for c in model.blocked], axis=1) if model.blocked
            else np.zeros((model.n, 0), dtype=np.int64))
    for key in np.unique(keys, axis=0):
        assert np.array_equal(model.blocks.candidates(key), _brute_candidates(model.blocks, key))


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 9), st.integers(1, 300), st.integers(1, 40))
def test_blockers_keep_the_released_patterns_few(seed, facts, n, limit):
    """The blocking comparators chosen are those the plain rule chooses: per fact the one hidden
    least, added in that order while the distinct rows of hidden flags stay within the limit."""
    import anonymizer.attack.linkage as linkage

    rng = np.random.default_rng(seed)
    strict = []
    for j in range(facts):
        for how in range(int(rng.integers(1, 3))):
            rel = rng.integers(0, 4, size=n)
            rel[rng.random(n) < rng.choice([0.0, 0.1, 0.5])] = UNKNOWN
            strict.append(Comparator(f"f{j}", str(how), "eq", rng.integers(0, 4, size=n), rel))
    best: dict[str, Comparator] = {}
    for c in strict:
        if c.fact not in best or (c.rel == UNKNOWN).sum() < (best[c.fact].rel == UNKNOWN).sum():
            best[c.fact] = c
    expected, cols = [], []
    for c in sorted(best.values(), key=lambda c: int((c.rel == UNKNOWN).sum())):
        trial = cols + [c.rel == UNKNOWN]
        if len(np.unique(np.stack(trial, axis=1), axis=0)) <= limit:
            expected.append(c)
            cols = trial
    saved = linkage.MAX_PATTERNS
    linkage.MAX_PATTERNS = limit
    try:
        assert [id(c) for c in _blockers(strict)] == [id(c) for c in expected]
    finally:
        linkage.MAX_PATTERNS = saved
    assert saved == MAX_PATTERNS


@SETTINGS
@given(releases, st.integers(0, 2**32 - 1))
def test_membership_equals_python_sets(release, seed):
    """A swapped value's comparator (the class holds the person's value) and a date quoted in the
    free text: the boolean grid and the binary search both answer as Python sets do."""
    facts, texts = release
    rng = np.random.default_rng(seed)
    n = len(facts[0].original)
    ii, rr = rng.integers(0, n, size=300), rng.integers(0, n, size=300)
    comps = [c for f in facts if f.classes is not None for c in comparators(f)]
    if texts is not None:
        comps.append(text_mentions(facts[1], texts))
    for c in comps:
        sets: dict[int, set[int]] = {}
        for key in c.members.tolist():
            sets.setdefault(key // MEMBER_BASE, set()).add(key % MEMBER_BASE)
        set_of = c.set_of if c.set_of is not None else np.arange(n)
        unknown = c.extra.get("unknown_rows", np.zeros(n, dtype=bool))
        expected = np.array([-1 if c.orig[i] == UNKNOWN or unknown[r] else int(c.orig[i] in sets.get(set_of[r], ()))
                             for i, r in zip(ii, rr, strict=True)], dtype=np.int8)
        assert np.array_equal(c.agree(ii, rr), expected)  # the grid
        c.extra["dense"] = None
        assert np.array_equal(c.agree(ii, rr), expected)  # the binary search


def test_free_text_members_are_the_dates_each_row_quotes():
    texts = pd.Series(["vu le 03/02", "", "rdv le 1er mars 2020 et le 14/07/2019", "rien"])
    fact = Fact("birth", "date", pd.Series(["03/02/1980", "01/03/1975", "14/07/1990", "01/01/1960"]),
                pd.Series(["1980", "1975", "1990", "1960"]))
    c = text_mentions(fact, texts)
    rows = c.members // MEMBER_BASE
    codes = c.members % MEMBER_BASE
    got = {r: set(codes[rows == r].tolist()) for r in range(4)}
    assert got == {r: text_day_months(t) for r, t in enumerate(texts)}
    assert c.agree(np.arange(4), np.arange(4)).tolist() == [1, 0, 1, 0]
