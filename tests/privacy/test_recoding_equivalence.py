"""The vectorised search of ``privacy.recoding.solve_records`` (every group's trials of a search
evaluated at once, issue #18 item 8) makes exactly the decisions of the per-group loop it
replaced: the same levels, suppressed records, report and number of trials.

The reference below is the loop as it was (main at 101640d), copied with the key hashing it used
(``_Codes``, ``_part``, ``_keys``, ``_small``): an independent computation, compared on many
seeded random tables — tall and wide, with repeated values (ties between groups of the same
importance), several ladders and floors, ℓ-diversity, suppression, and the blind-round batching.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anonymizer.errors import PrivacyTargetError
from anonymizer.privacy import recoding
from anonymizer.privacy.ladders import STAR
from anonymizer.privacy.recoding import Group, build_groups, solve_records

# ----------------------------------------------------------------------------- the reference (old loop)


def _text_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = np.asarray(col.cat.categories, dtype=object).astype(str)
        codes = col.cat.codes.to_numpy().astype(np.int64)
        if (codes < 0).any():
            cats = np.append(cats, "")
            codes = np.where(codes < 0, len(cats) - 1, codes)
        return codes, cats
    codes, uniques = pd.factorize(col.astype(object).where(col.notna(), ""), use_na_sentinel=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object).astype(str)


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    out = parts[0].astype(np.int64)
    for p in parts[1:]:
        out, _ = pd.factorize(out * (int(p.max()) + 1 if len(p) else 1) + p)
        out = out.astype(np.int64)
    return out


class _Codes:
    def __init__(self, frame: pd.DataFrame, groups: list[Group]) -> None:
        self.groups = groups
        self.base = {c: _text_codes(frame[c]) for g in groups for c in g.columns}
        self._cache: dict[tuple[int, int], np.ndarray] = {}

    def get(self, gi: int, level: int) -> np.ndarray:
        got = self._cache.get((gi, level))
        if got is None:
            g = self.groups[gi]
            parts = []
            for c in g.columns:
                codes, cats = self.base[c]
                rendered = g.ladders[c].apply(cats, g.level_name(c, level))
                rcodes, _ = pd.factorize(rendered)
                parts.append(rcodes.astype(np.int64)[codes])
            got = self._cache[(gi, level)] = _combine(parts)
        return got


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def _part(codes: _Codes, gi: int, lv: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    code = np.zeros(len(lv), dtype=np.uint64)
    for level in np.unique(lv):
        at = lv == level
        col = codes.get(gi, int(level))
        code[at] = col[at if rows is None else rows[at]].astype(np.uint64)
    return _mix((np.uint64(gi) << np.uint64(48)) | (lv.astype(np.uint64) << np.uint64(40)) | code)


def _keys(codes: _Codes, levels: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    n = levels.shape[0] if rows is None else len(rows)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for gi in range(levels.shape[1]):
            h += _part(codes, gi, levels[:, gi] if rows is None else levels[rows, gi], rows)
    return h


def _small(keys: np.ndarray, k: int, sensitive: np.ndarray | None, l_div: int) -> np.ndarray:
    _u, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    small = counts[inverse] < k
    if sensitive is not None and l_div > 1:
        pairs = np.unique(np.stack([inverse.astype(np.int64), sensitive.astype(np.int64)]), axis=1)
        distinct = np.bincount(pairs[0], minlength=len(counts))
        small |= distinct[inverse] < l_div
    return small


def _level_shares(col: np.ndarray, g: Group, suppressed: np.ndarray) -> dict[str, float]:
    """Share of the (not suppressed) records released at each of the group's levels."""
    kept = col[~suppressed]
    if len(kept) == 0:
        return {}
    values, counts = np.unique(kept, return_counts=True)
    return {g.levels[int(v)]: round(float(c) / len(kept), 4) for v, c in zip(values, counts, strict=True)}


def _column_level_shares(col: np.ndarray, g: Group, suppressed: np.ndarray) -> dict[str, dict[str, float]]:
    """Per column, the share of all records released at each of the column's own levels (its
    ladder's, from its floor on; a suppressed record counts as ``*``): what the report says each
    column kept, which a column's floor or ladder can make coarser than the group's level."""
    n = len(col)
    if n == 0:
        return {c: {} for c in g.columns}
    values, counts = np.unique(col[~suppressed], return_counts=True)
    out = {}
    for c in g.columns:
        shares: dict[str, float] = {}
        for v, k in zip(values, counts, strict=True):
            name = g.ladders[c].level_for(g.level_name(c, int(v)))
            shares[name] = shares.get(name, 0) + int(k)
        if suppressed.any():
            shares[STAR] = shares.get(STAR, 0) + int(suppressed.sum())
        out[c] = {name: round(k / n, 4) for name, k in shares.items()}
    return out


def reference_solve(frame: pd.DataFrame, groups: list[Group], *, k: int, max_suppression: float,
                    max_rounds: int = 500, sensitive: np.ndarray | None = None,
                    l_div: int = 1) -> recoding.RecordSolution:
    """solve_records as it was before the vectorised search (progress messages left out)."""
    n = len(frame)
    levels = np.array([[g.start for g in groups]] * n, dtype=np.int8).reshape(n, len(groups))
    codes = _Codes(frame, groups)
    tops = np.array([g.top for g in groups], dtype=np.int8)
    weights = np.array([g.importance for g in groups])
    fallback_order = np.lexsort((np.arange(len(groups)), weights))
    rounds, searches, blind, trials = 0, 0, 0, 0
    raised: dict[str, int] = {g.name: 0 for g in groups}
    keys = _keys(codes, levels)
    small = _small(keys, k, sensitive, l_div) if n else np.zeros(0, dtype=bool)
    while small.any() and searches < max_rounds:
        searches += 1
        rounds += 1
        v = np.flatnonzero(small)
        best, best_score, best_after = None, -1.0, None
        for gi in range(len(groups)):
            current = levels[v, gi]
            if not (current < tops[gi]).any():
                continue
            with np.errstate(over="ignore"):
                rest = keys[v] - _part(codes, gi, current, v)
            trial = current
            for steps in range(1, int(tops[gi]) + 1):
                movable = trial < tops[gi]
                if not movable.any():
                    break
                trial = trial + movable
                new_keys = keys.copy()
                with np.errstate(over="ignore"):
                    new_keys[v] = rest + _part(codes, gi, trial, v)
                trials += 1
                after = _small(new_keys, k, sensitive, l_div)
                gain = int(small.sum() - after.sum())
                score = gain / (weights[gi] * steps) if gain > 0 else -weights[gi] * 1e-6
                if steps > 1 and gain <= 0:
                    continue
                if best is None or score > best_score:
                    best, best_score, best_after = gi, score, (trial, new_keys, after)
                if gain > 0:
                    break
        if best is None:
            break
        trial, keys, small = best_after
        levels[v, best] = trial
        raised[groups[best].name] += 1
        blind = blind + 1 if best_score < 0 else 0
        budget = 2 ** (blind - 1) - 1 if blind > 1 else 0
        for gi in fallback_order if budget else ():
            while budget and (levels[v, gi] < tops[gi]).any():
                levels[v, gi] += (levels[v, gi] < tops[gi]).astype(np.int8)
                raised[groups[gi].name] += 1
                rounds += 1
                budget -= 1
            if not budget:
                break
        if blind > 1:
            keys[v] = _keys(codes, levels, v)
            small = _small(keys, k, sensitive, l_div)
    suppressed = small.copy()
    limit = int(np.floor(max_suppression * n))
    if int(suppressed.sum()) > limit:
        raise PrivacyTargetError("too many suppressed")
    report = {
        "k": int(k),
        "records": n,
        "suppressed_records": int(suppressed.sum()),
        "rounds": rounds,
        "groups": {g.name: {"columns": list(g.columns),
                            "levels": _level_shares(levels[:, gi], g, suppressed),
                            "column_levels": _column_level_shares(levels[:, gi], g, suppressed)}
                   for gi, g in enumerate(groups)},
    }
    return recoding.RecordSolution(groups, levels, suppressed, report, trials=trials)


# ----------------------------------------------------------------------------- random tables

def random_table(seed: int) -> tuple[pd.DataFrame, list[dict], np.ndarray]:
    """A table of people with few distinct values per column (so that classes form, merge and
    tie): its rows, the columns' decisions for ``build_groups``, and a sensitive column's codes."""
    rng = np.random.default_rng(seed)
    wide = seed % 3 == 0
    n = int(rng.integers(3, 12)) if wide else int(rng.integers(8, 160))
    data: dict[str, object] = {}
    specs: list[dict] = []

    def pick(values, p=None):
        return rng.choice(np.asarray(values, dtype=object), n, p=p)

    if rng.random() < 0.8:
        days = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, int(rng.choice([40, 400, 20000])), n),
                                                                 unit="D")
        data["naissance"] = days.strftime("%Y-%m-%d").to_numpy(dtype=object)
        gen = rng.random() < 0.3
        specs.append({"column": "naissance", "entity": "BIRTH_DATE", "family": "birth",
                      "action": "generalize" if gen else "keep", "params": {"method": "month"} if gen else {}})
    if rng.random() < 0.8:
        data["sexe"] = pick(["M", "F"])
        specs.append({"column": "sexe", "entity": "SEX", "family": "sex", "action": "keep"})
    if rng.random() < 0.6:
        data["sexe_conjoint"] = pick(["M", "F", ""])
        specs.append({"column": "sexe_conjoint", "entity": "SEX", "family": "sex", "subject": "spouse",
                      "action": "keep"})
    if rng.random() < 0.7:
        data["cp"] = pick(["75001", "75002", "13001", "69003", "2A004", "97411"][:int(rng.integers(2, 7))])
        specs.append({"column": "cp", "entity": "POSTAL_CODE", "family": "place", "action": "keep"})
    if rng.random() < 0.5:
        data["enfants"] = pick([str(i) for i in range(int(rng.integers(1, 7)))])
        specs.append({"column": "enfants", "entity": "COUNT", "family": "household", "action": "keep"})
    for i in range(int(rng.integers(0, 40 if wide else 6))):
        name = f"cat{i:02d}"
        data[name] = pick(["a", "b", "c", "d", ""][:int(rng.integers(1, 6))])
        specs.append({"column": name, "entity": "CATEGORY", "family": "category",
                      "action": "suppress" if rng.random() < 0.05 else "keep"})
    if rng.random() < 0.4:
        data["montant"] = pick(["12", "130", "1250", "99.5", ""])
        specs.append({"column": "montant", "entity": "AMOUNT", "family": "amount", "action": "keep"})
    if rng.random() < 0.3:
        days = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 800, n), unit="D")
        data["entree"] = days.strftime("%Y-%m-%d").to_numpy(dtype=object)
        specs.append({"column": "entree", "entity": "DATE", "family": "date", "action": "keep"})
    if not specs:
        data["sexe"] = pick(["M", "F"])
        specs.append({"column": "sexe", "entity": "SEX", "family": "sex", "action": "keep"})
    frame = pd.DataFrame(data)
    for c in frame.columns:
        if rng.random() < 0.2:
            frame[c] = frame[c].astype("category")
    sensitive = rng.integers(0, int(rng.integers(1, 5)), n)
    return frame, specs, sensitive


def _outcome(solve, frame, groups, **kw):
    try:
        s = solve(frame, groups, **kw)
    except PrivacyTargetError:
        return "refused"
    return s.levels.tolist(), s.suppressed.tolist(), s.report, s.trials


def _same(frame, groups, **kw):
    new = _outcome(solve_records, frame, groups, **kw)
    old = _outcome(reference_solve, frame, groups, **kw)
    assert new == old


@pytest.mark.parametrize("seed", range(60))
def test_the_vectorised_search_decides_as_the_per_group_loop(seed):
    frame, specs, sensitive = random_table(seed)
    groups = build_groups(specs)
    rng = np.random.default_rng(1000 + seed)
    k = int(rng.integers(2, 6))
    l_div = int(rng.integers(2, 4)) if seed % 4 == 1 else 1
    _same(frame, groups, k=k, max_suppression=1.0, sensitive=sensitive if l_div > 1 else None, l_div=l_div)
    # a few searches only (max_rounds) and a tight suppression limit: the state mid-way and the refusal
    _same(frame, groups, k=k, max_suppression=0.05, max_rounds=int(rng.integers(1, 4)))


@pytest.mark.parametrize("seed", range(12))
def test_the_search_in_slices_of_groups_decides_as_the_whole(seed, monkeypatch):
    """A table too large to hold every group's parts (tall tables) is searched in slices of
    groups on parts built for the small records only: the same decisions."""
    monkeypatch.setattr(recoding, "_BUDGET", 7)
    frame, specs, sensitive = random_table(seed)
    groups = build_groups(specs)
    l_div = 2 if seed % 2 else 1
    _same(frame, groups, k=3, max_suppression=1.0, sensitive=sensitive if l_div > 1 else None, l_div=l_div)


def test_wide_short_tables_with_ties_everywhere_decide_as_the_loop():
    """The benchmark's shape: every column its own group of one importance, a handful of rows
    that differ everywhere (the blind-round batching), and a copy with repeated rows."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({f"c{i:03d}": rng.choice(["x", "y", "z"], 6) for i in range(150)})
    groups = build_groups([{"column": c, "entity": "CATEGORY", "family": "category", "action": "keep"}
                           for c in frame.columns])
    _same(frame, groups, k=3, max_suppression=0.0)
    doubled = pd.concat([frame, frame.iloc[:2]], ignore_index=True)
    _same(doubled, groups, k=2, max_suppression=0.5)


def test_columns_coded_together_are_coded_as_one_by_one():
    """The wide tables' one factorisation of every (column, value) gives each column exactly the
    codes and value names of its own factorisation (the reference's ``_text_codes``), whatever the
    types: equal values of other types in other columns (1, 1.0, True), missing values of every
    kind, categoricals (unused categories, numbers, dates, nothing but missing values), dates,
    pandas strings, repeated column names in the list."""
    frame = pd.DataFrame({
        "a": ["x", "y", "x", None, "z", ""],
        "b": [1, 2, 1, 3, 2, 1],
        "c": [1.0, np.nan, 2.0, 1.0, 1.5, 2.0],
        "d": pd.Series([True, False, True, True, None, False], dtype=object),
        "e": pd.Series(["1", 1, 1.0, "1.0", pd.NA, True], dtype=object),
        "f": pd.Categorical(["p", None, "q", "p", "q", "q"]),
        "g": pd.to_datetime(["2020-01-01", None, "2020-01-02", "2020-01-01", "2021-05-05", None]),
        "h": pd.array(["u", pd.NA, "v", "u", "w", "u"], dtype="string"),
        "i": ["same"] * 6,
        "j": pd.to_datetime(["2020-01-01 10:00", None, "2020-01-01 10:00", "2020-03-01 00:00", "2020-03-01 00:00", None],
                            utc=True).tz_convert("Europe/Paris"),
        "k": pd.array([1, None, 2, 1, 2, 3], dtype="Int64"),
        "l": [True, False, True, True, False, False],
        "m": [0.1, 0.2, 0.30000000000000004, 0.1, np.nan, 1e20],
        "n": pd.Categorical([3, 1, None, 3, 2, 1], categories=[1, 2, 3, 4]),
        "o": pd.Categorical([None] * 6, categories=["a"]),
        "p": pd.Categorical(["b", "a", "b", "a", "b", "a"], categories=["b", "a", "z"], ordered=True),
        "q": pd.Categorical(pd.to_datetime(["2021-01-01", None, "2020-01-01", "2021-01-01", None, "2020-01-01"])),
        "r": pd.Categorical(["1", "1.0", "x", "", None, "1"]),
        "s": pd.Categorical([1.0, 1.0, 2.5, None, 2.5, 1.0]),
    })
    together = recoding._text_codes_many(frame, [*frame.columns, "a"])
    assert set(together) == set(frame.columns)
    for c in frame.columns:
        codes, names = together[c]
        ref_codes, ref_names = _text_codes(frame[c])
        assert codes.tolist() == ref_codes.tolist(), c
        assert names.tolist() == ref_names.tolist(), c
