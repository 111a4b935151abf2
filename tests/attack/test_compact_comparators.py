"""Comparators that hold a table per distinct value and the rows' value codes (issue #21 memory)
against the per-row comparators they replaced (``reference/facts_v2.py``, verbatim).

The release gate's memory was per-row int64 arrays for every comparator of every fact (a date
fact has 17), for three attacks. A comparator's verdict on a row depends only on the row's value,
so ``orig``/``rel`` are now kept per distinct value and read at each row's value code (shared
by every comparator of the fact and by the attacks reading the same column). Every comparator
read per row must be the reference's, value for value, and so must what the learning does with
it (``_learn_mapping``, kept verbatim in ``reference/learn_mapping_v3.py``) and every pair's
agreement and score. The gate's figures as a whole are held to the first reference in
``test_gate_equivalence.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anonymizer.attack.facts as new_facts
import anonymizer.attack.release as release
from anonymizer.attack.linkage import _learn_mapping
from anonymizer.policy.plan import build_plan

from .reference import facts_v2 as old_facts
from .reference.learn_mapping_v3 import _learn_mapping as _learn_mapping_v3
from .test_gate_equivalence import COLUMNS, POLICY, _frames

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = {"SEXE": "category", "DTNAIS": "date", "CODCOM": "code", "NBENF": "number", "CSP": "category",
         "NATIO": "category", "DTEVT": "date"}


def _facts(mod, frames, whole: bool) -> list:
    """Facts of every kind, from the same frames, built with ``mod``'s Fact (coded from the whole
    frame, or from a text Series per column), the swapped column and the NIR parts included."""
    orig, rel, swapped, _marks = frames
    plan = build_plan(COLUMNS, POLICY)
    orig = pd.concat([orig, release.embedded(orig, plan)], axis=1)
    rel = pd.concat([rel, release.embedded(rel, plan)], axis=1)
    kinds = {**KINDS, **{c: "code" if c.endswith("birthplace") else "category" for c in orig if " → " in c}}
    cols = [c for c in kinds if c != "CSP"]
    if whole:
        co, cr = mod.code_frame(orig, cols), mod.code_frame(rel, cols)
    out = []
    for c in cols:
        kw = {"derived": True, "link": "DTNAIS"} if " → " in c else {}
        if whole:
            out.append(mod.Fact.of_coded(c, kinds[c], co[c], cr[c], group=c, **kw))
        else:
            out.append(mod.Fact(c, kinds[c], orig[c], rel[c], group=c, **kw))
    classes = release.classes_of(plan, rel, swapped)
    out.append(mod.Fact("CSP", "category", swapped["CSP"], rel["CSP"], group="CSP", classes=classes))
    return out


def _same(new, old, n: int) -> None:
    assert (new.fact, new.how, new.type, new.width, new.group, new.link) == \
        (old.fact, old.how, old.type, old.width, old.group, old.link)
    for x, y in ((new.orig, old.orig), (new.rel, old.rel), (new.members, old.members), (new.set_of, old.set_of),
                 *zip(new.value_codes or (), old.value_codes or (), strict=True),
                 (new.extra.get("unknown_rows"), old.extra.get("unknown_rows"))):
        if x is None or y is None:
            assert x is None and y is None
        else:
            # value codes are int32 now (facts.code_dtype); every other array keeps its dtype
            assert x.dtype == y.dtype or (x.dtype == np.int32 and y.dtype == np.int64)
            np.testing.assert_array_equal(x, y)
    assert new.extra.get("rows") == old.extra.get("rows")
    if "equal" in old.extra:
        for x, y in zip(new.equal_sides(), old.extra["equal"], strict=True):
            np.testing.assert_array_equal(x, y)
    rng = np.random.default_rng(n)
    i, r = rng.integers(0, n, size=300), rng.integers(0, n, size=300)
    np.testing.assert_array_equal(new.agree(i, r), old.agree(i, r))
    np.testing.assert_array_equal(new.orig_of(i), old.orig[i])


@settings(parent=SETTINGS)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 150), suppress=st.sampled_from([0.0, 0.1, 0.5]),
       coarse=st.sampled_from([0.0, 0.5, 1.0]), few=st.booleans(), whole=st.booleans())
def test_compact_comparators_read_per_row_as_the_reference(seed, n, suppress, coarse, few, whole):
    frames = _frames(seed, n, suppress, coarse, few)
    marks = new_facts.marks_members(frames[3], n)
    new, old = _facts(new_facts, frames, whole), _facts(old_facts, frames, whole)
    for fn, fo in zip(new, old, strict=True):
        cn, co = new_facts.comparators(fn), old_facts.comparators(fo)
        tn, to = new_facts.text_mentions(fn, None, marks), old_facts.text_mentions(fo, None, marks)
        cn, co = cn + ([tn] if tn else []), co + ([to] if to else [])
        assert len(cn) == len(co) > 0
        for a, b in zip(cn, co, strict=True):
            _same(a, b, n)
            if b.type != "categorical":
                continue
            # what the learning makes of it: a mapping (the table mapped) or a table of weights
            x, y = _copy(a), _copy_old(b)
            _learn_mapping(x, 3.0)
            _learn_mapping_v3(y, 3.0)
            assert (x.type, x.how, x.w_agree) == (y.type, y.how, y.w_agree)
            _same(x, y, n)
            if x.table is not None or y.table is not None:
                np.testing.assert_array_equal(x.table, y.table)
            # or, with too many values for a table, the values as written
            x = _copy(a)
            x.use_equal()
            y = _copy_old(b)
            y.orig, y.rel = y.extra["equal"]
            _same(x, y, n)


def _copy(c):
    return new_facts.Comparator(c.fact, c.how, c.type, c._orig, c._rel, group=c.group, o_at=c.o_at, r_at=c.r_at,
                                value_codes=c.value_codes, extra=dict(c.extra))


def _copy_old(c):
    return old_facts.Comparator(c.fact, c.how, c.type, c.orig, c.rel, group=c.group, value_codes=c.value_codes,
                                extra=dict(c.extra))


def test_a_compact_comparator_holds_no_per_row_array():
    """The per-row arrays are made when read and never kept: the comparators of a date fact hold
    tables as long as the fact's distinct values, and the fact's value codes."""
    n = 2000
    rng = np.random.default_rng(1)
    days = pd.Series(np.datetime64("1950-01-01") + rng.integers(0, 40, n).astype("timedelta64[D]"))
    orig = pd.DataFrame({"d": days.dt.strftime("%d/%m/%Y")})
    rel = pd.DataFrame({"d": days.dt.strftime("%m/%Y")})
    co, cr = new_facts.code_frame(orig, ["d"]), new_facts.code_frame(rel, ["d"])
    fact = new_facts.Fact.of_coded("d", "date", co["d"], cr["d"])
    assert len(fact.original) == len(fact.released) == n
    np.testing.assert_array_equal(np.asarray(fact.original), orig["d"].to_numpy(dtype=object))
    for c in new_facts.comparators(fact):
        assert c.o_at is co["d"].codes and c.r_at is cr["d"].codes
        assert len(c._orig) <= 40 and len(c._rel) <= 40
        assert len(c.orig) == len(c.rel) == n


@pytest.mark.parametrize("group", [1, 7, 50, None])
@pytest.mark.parametrize("seed", range(4))
def test_a_frame_coded_a_group_of_columns_at_a_time_is_the_reference(monkeypatch, group, seed):
    """``code_frame`` codes the (column, text) pairs a group of columns at a time: the codes,
    distinct texts and pool positions of every column are the reference's (all columns at once),
    whatever the group size (``GROUP_CELLS`` cells: here a column or a few at a time)."""
    from .test_whole_frame import _frame

    if group is not None:
        monkeypatch.setattr(new_facts, "GROUP_CELLS", group)
    rng = np.random.default_rng(seed)
    frame, _raw = _frame(rng, int(rng.integers(1, 40)))
    frame = pd.concat([frame, frame.astype("category").add_suffix(" (category)")], axis=1)
    columns = list(frame.columns)
    new, old = new_facts.code_frame(frame, columns), old_facts.code_frame(frame, columns)
    assert list(new) == list(old) == columns
    for c in columns:
        a, b = new[c], old[c]
        assert a.codes.dtype == np.int32 and b.codes.dtype == np.int64  # new: int32 (facts.code_dtype)
        np.testing.assert_array_equal(a.codes, b.codes)
        np.testing.assert_array_equal(a.uniques, b.uniques)
        if b.ids is None:
            assert a.ids is None
        else:
            np.testing.assert_array_equal(a.ids, b.ids)
            np.testing.assert_array_equal(a.pool.texts, b.pool.texts)
        np.testing.assert_array_equal(a.keys(), b.keys())


def test_the_comparators_of_a_fact_share_their_representative_rows():
    """``linkage._reps`` (a row holding each value code) is computed once per fact, not per
    comparator, and is each code's first row."""
    from anonymizer.attack.linkage import _reps

    frames = _frames(3, 80, 0.1, 0.5, True)
    for fact in _facts(new_facts, frames, True):
        comps = [c for c in new_facts.comparators(fact) if c.value_codes is not None]
        for c in comps:
            assert _reps(c) is _reps(comps[0])
            for codes, reps in zip(c.value_codes, _reps(c), strict=True):
                first = {}
                for row, v in enumerate(codes.tolist()):
                    first.setdefault(v, row)
                assert reps.tolist() == [first[v] for v in range(len(first))]


@settings(parent=SETTINGS)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 150), suppress=st.sampled_from([0.0, 0.5]),
       coarse=st.sampled_from([0.0, 0.5, 1.0]), few=st.booleans(), category=st.booleans(),
       swapped=st.sampled_from([(), ("CSP",), ("SEXE",)]))
def test_classes_of_packed_codes_are_the_multiindex_classes(seed, n, suppress, coarse, few, category, swapped):
    """``classes_of`` packs the columns' codes (the frame's, or its own) into one number per row: the
    classes and their numbering (first appearance) of the reference's MultiIndex of texts."""
    from .reference.release_v1 import classes_of as classes_of_v1

    _orig, rel, _swapped, _marks = _frames(seed, n, suppress, coarse, few)
    if category:
        rel = rel.astype("category")
    plan = build_plan(COLUMNS, POLICY)
    gone = {c: rel[c] for c in swapped}
    expected = classes_of_v1(plan, rel, gone)
    coded = new_facts.code_frame(rel, list(rel.columns))
    for got in (release.classes_of(plan, rel, gone), release.classes_of(plan, rel, gone, coded)):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
