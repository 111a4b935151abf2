"""The faster solve (``privacy.recoding``: the primary columns coded once for the search and the
swap, the classes' outside keys read from the search's own ``np.unique``, the (group, level)s a
trial asks marked in a table, categoricals of tall tables coded as they are) gives exactly what
the module gave before (tests/privacy/recoding_reference.py, main at d48292e, verbatim): the same
levels, suppressed records, report, trials and swapped values, on seeded random tables (tall and
wide, categoricals, ℓ-diversity, suppression, the sliced search) and on the generated extract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.privacy import recoding_reference as ref
from tests.privacy.test_recoding_equivalence import random_table

from anonymizer.errors import PrivacyTargetError
from anonymizer.privacy import recoding
from anonymizer.privacy.recoding import build_groups, solve_and_swap, split_groups

KEY = b"k" * 32


def _outcome(solution) -> tuple:
    return (solution.levels.tolist(), solution.suppressed.tolist(), solution.report, solution.trials,
            {c: (a.tolist(), list(t), o.tolist()) for c, (a, t, o) in sorted(solution.swapped.items())})


def _reference(frame, primary, secondary, **kw):
    """The two calls whole_record_step made before."""
    records = ref.solve_records(frame[[c for g in primary for c in g.columns]], primary, **kw)
    return ref.swap_within_classes(frame, records, secondary, KEY) if secondary else records


def _same(frame, groups, **kw) -> None:
    primary, secondary = split_groups(groups)
    try:
        new = _outcome(solve_and_swap(frame, primary, secondary, KEY, **kw))
    except PrivacyTargetError:
        new = "refused"
    try:
        old = _outcome(_reference(frame, primary, secondary, **kw))
    except PrivacyTargetError:
        old = "refused"
    assert new == old


def _tall(seed: int) -> pd.DataFrame:
    """A random table made tall (over ``FEW_ROWS`` rows: categoricals a column at a time)."""
    frame, specs, sensitive = random_table(seed)
    reps = recoding.FEW_ROWS // len(frame) + 2
    tall = pd.concat([frame.astype(object)] * reps, ignore_index=True)
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            tall[c] = tall[c].astype(frame[c].dtype)
    return tall, specs, np.tile(sensitive, reps)


@pytest.mark.parametrize("seed", range(40))
def test_solve_and_swap_is_the_solve_then_the_swap(seed):
    frame, specs, sensitive = random_table(seed) if seed % 2 else _tall(seed)
    groups = build_groups(specs)
    rng = np.random.default_rng(2000 + seed)
    k = int(rng.integers(2, 6))
    l_div = int(rng.integers(2, 4)) if seed % 4 == 1 else 1
    _same(frame, groups, k=k, max_suppression=1.0, sensitive=sensitive if l_div > 1 else None, l_div=l_div)
    _same(frame, groups, k=k, max_suppression=0.05)


@pytest.mark.parametrize("seed", range(8))
def test_the_sliced_search_is_the_reference(seed, monkeypatch):
    monkeypatch.setattr(recoding, "_BUDGET", 7)
    monkeypatch.setattr(ref, "_BUDGET", 7)
    frame, specs, sensitive = _tall(seed)
    l_div = 2 if seed % 2 else 1
    _same(frame, build_groups(specs), k=3, max_suppression=1.0, sensitive=sensitive if l_div > 1 else None,
          l_div=l_div)


def test_text_codes_of_a_tall_table_are_the_reference_ones():
    """Categoricals of a tall table are coded one by one and the other columns together: the
    codes and names of the reference's one factorisation of every (column, value)."""
    rng = np.random.default_rng(3)
    n = recoding.FEW_ROWS * 3
    frame = pd.DataFrame({
        "a": pd.Categorical(rng.choice(["x", "y", None], n)),
        "b": rng.choice(["1", "2", ""], n).astype(object),
        "c": pd.Categorical(rng.choice([3, 1, 2], n), categories=[1, 2, 3, 4]),
        "d": rng.choice([1.0, np.nan, 2.5], n),
        "e": pd.Categorical(rng.choice(["u", "v"], n)),
    })
    new = recoding._text_codes_many(frame, [*frame.columns, "b"])
    old = ref._text_codes_many(frame, [*frame.columns, "b"])
    assert list(new) == list(old)
    for c in old:
        assert new[c][0].tolist() == old[c][0].tolist(), c
        assert new[c][1].tolist() == old[c][1].tolist(), c


@pytest.mark.slow
def test_the_generated_extract_solves_as_before():
    """The training profile's attacker-known columns of a generated extract."""
    from anonymizer.engine.gather import compact_frame
    from anonymizer.synth import generate_extract

    table, _truth = generate_extract(rows=3000, seed=2021)
    specs = [
        {"column": "DTNAIS", "entity": "BIRTH_DATE", "family": "birth", "action": "keep"},
        {"column": "SEXE", "entity": "SEX", "family": "sex", "action": "keep"},
        {"column": "CODPOST", "entity": "POSTAL_CODE", "family": "place", "action": "keep"},
        {"column": "NATIO", "entity": "NATIONALITY", "family": "nationality", "action": "keep"},
        {"column": "NBENF", "entity": "COUNT", "family": "household", "action": "keep"},
        {"column": "SEXECJ", "entity": "SEX", "family": "sex", "subject": "spouse", "action": "keep"},
        {"column": "SITFAM", "entity": "CATEGORY", "family": "category", "action": "keep"},
        {"column": "DTEMMENAG", "entity": "DATE", "family": "date", "action": "keep"},
        {"column": "LOYER", "entity": "AMOUNT", "family": "amount", "action": "keep"},
    ]
    specs = [s for s in specs if s["column"] in table.columns]
    assert len(specs) == 9
    frame = compact_frame(table[[s["column"] for s in specs]])
    _same(frame, build_groups(specs), k=6, max_suppression=1.0)


@pytest.mark.parametrize("seed", range(20))
def test_the_classes_outside_keys_are_the_unique_keys_outside(seed):
    """``_classes``: the reference's small records, and ``np.unique`` of the other records' keys
    (what ``_search`` computed at each round)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    keys = rng.integers(0, int(rng.integers(1, 60)), n).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    sensitive = rng.integers(0, 3, n) if seed % 2 else None
    k, l_div = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    small, outside = recoding._classes(keys, k, sensitive, l_div)
    expected = ref._small(keys, k, sensitive, l_div)
    assert small.tolist() == expected.tolist()
    assert outside.tolist() == np.unique(keys[~expected]).tolist()


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("seed", range(10))
def test_the_parts_gathered_are_the_reference_ones(seed, whole, monkeypatch):
    """``_PartTable.gather``: the (group, level)s asked marked in a table, as ``np.unique`` gave them."""
    if not whole:
        monkeypatch.setattr(recoding, "_BUDGET", 7)
        monkeypatch.setattr(ref, "_BUDGET", 7)
    frame, specs, _sensitive = _tall(seed)
    groups = build_groups(specs)
    new = recoding._PartTable(recoding._Codes(frame, groups), groups, len(frame))
    old = ref._PartTable(ref._Codes(frame, groups), groups, len(frame))
    rng = np.random.default_rng(seed)
    for _ in range(4):
        gs = np.sort(rng.choice(len(groups), int(rng.integers(1, len(groups) + 1)), replace=False))
        rows = np.sort(rng.choice(len(frame), int(rng.integers(1, 50)), replace=False))
        tops = np.array([groups[g].top for g in gs])[:, None]
        lv = np.minimum(rng.integers(0, new.depth, (len(gs), len(rows))), tops)
        assert new.gather(gs, lv, rows).tolist() == old.gather(gs, lv, rows).tolist()
