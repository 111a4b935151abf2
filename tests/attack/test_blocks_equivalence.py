"""The candidate search made vectorised (issue #21) against the one it replaced, kept verbatim in
``tests/attack/reference/linkage_v1.py``: the released rows' patterns of hidden codes (their order
is the order candidates are returned in, and the blocking draws rows by position in that list) and
every key's candidates, in the same order, on random code tables built for ties, with hidden codes
(``UNKNOWN``) on both sides, no strict column, one row, no row, and more columns than one 64-bit
word holds; the lookup cut into chunks returns the same rows as in one piece."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anonymizer.attack.linkage as linkage
from anonymizer.attack.facts import UNKNOWN
from anonymizer.attack.linkage import (
    _Batch,
    _Blocks,
    _by_fact,
    _ClassBatch,
    _Model,
    _released_sides,
    _row_classes,
    _unique_bool_rows,
    learn,
)

from .reference import linkage_v1 as old_linkage
from .reference import linkage_v2
from .reference.blocks_lookup_v3 import lookup as lookup_v3
from .test_fast_paths import releases


def _table(rng: np.random.Generator, n: int, k: int, hide: float, values: int) -> np.ndarray:
    codes = rng.integers(0, values, size=(n, k))
    codes[rng.random((n, k)) < hide] = UNKNOWN
    return codes


def _strict(codes: np.ndarray) -> list:
    return [SimpleNamespace(rel=codes[:, j].copy()) for j in range(codes.shape[1])]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.sampled_from([0, 1, 2, 3, 7, 70]),
       st.sampled_from([0.0, 0.2, 0.6]), st.sampled_from([1, 2, 5, 1000]))
def test_candidates_equal_the_reference(seed, n, k, hide, values):
    rng = np.random.default_rng(seed)
    rel = _table(rng, n, k, hide if k < 60 else hide / 20, values)
    new, old = _Blocks(_strict(rel), n), old_linkage._Blocks(_strict(rel), n)
    assert len(new.parts) == len(old.parts)
    for (rn, sn), (ro, so) in zip(new.parts, old.parts, strict=True):
        assert np.array_equal(rn, ro) and np.array_equal(sn, so)
    keys = np.concatenate([rel, _table(rng, 12, k, 0.3, values + 1)]) if n else _table(rng, 12, k, 0.3, values)
    expected = [old.candidates(key) for key in keys]
    for i, key in enumerate(keys):
        assert np.array_equal(new.candidates(key), expected[i])
    for g, cands in new.each(keys):
        assert np.array_equal(cands, expected[g])
    lookup = new.lookup(keys)  # in chunks of a few candidates: the same rows
    before = lookup_v3(new, keys)  # the lookup before the codes were packed: the very same layout
    for x, y in ((lookup.source, before.source), (lookup.starts, before.starts), (lookup.counts, before.counts)):
        assert x.dtype == y.dtype and np.array_equal(x, y)
    got = [None] * len(keys)
    for lo, hi, rows, bounds in lookup.chunks(cap=3):
        for g in range(lo, hi):
            got[g] = rows[bounds[g - lo]:bounds[g - lo + 1]]
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (5, 0), (1, 1), (1, 200), (50, 63), (50, 64), (50, 65)])
def test_unique_bool_rows_is_numpy_unique(shape):
    rng = np.random.default_rng(sum(shape))
    for p in (0.0, 0.1, 0.5, 1.0):
        a = rng.random(shape) < p
        if shape[0] > 2:
            a[: shape[0] // 2] = a[shape[0] // 2: 2 * (shape[0] // 2)]  # ties
        rows, inverse = np.unique(a, axis=0, return_inverse=True)
        got_rows, got_inverse = _unique_bool_rows(a)
        assert got_rows.shape == rows.shape and np.array_equal(got_rows, rows)
        assert np.array_equal(got_inverse, inverse.reshape(-1))


def _old_row_classes(scored: list, n: int) -> np.ndarray | None:
    """``linkage._row_classes`` as of commit 8e610e6, verbatim: one factorisation per side."""
    code = np.zeros(n, dtype=np.int64)
    for c in scored:
        for side in _released_sides(c, n):
            side = np.asarray(side, dtype=np.int64)
            code, _ = pd.factorize(code * (int(side.max()) + 2) + side + 1 if len(side) else code)
            code = np.asarray(code, dtype=np.int64)
    return code if n and int(code.max()) + 1 <= n // 2 else None


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 60), st.integers(0, 30),
       st.sampled_from([2, 4, 64, 2**20, 2**40]), st.booleans())
def test_row_classes_equal_the_reference(seed, n, count, values, odd):
    """Many sides, some of them wide (the packing renumbers before it overflows), codes from -1
    (unknown) up, and sides below -1 (a collision the old arithmetic makes, kept as it was)."""
    rng = np.random.default_rng(seed)
    scored = []
    group = rng.integers(0, max(n // 4, 1), size=n)
    for i in range(count):
        width = int(rng.choice([2, 4, values, values]))
        if rng.random() < 0.6:  # a constant side of width (max + 2) a power of two: an overflow
            rel = np.full(n, width - 2)  # would shift the sides before it out of the code
        else:  # rows alike in few groups
            rel = rng.integers(-1, width - 1, size=max(n // 4, 1))[group]
        if odd and i % 5 == 4:
            rel = rel - int(rng.integers(2, 4))
        c = SimpleNamespace(type="eq", value_codes=(rel, rel), extra={}, w_strata=None, set_of=None)
        if i % 3 == 1:
            c.extra["unknown_rows"] = rng.random(n) < 0.3
        if i % 4 == 2:
            c.w_strata, c.strata = np.zeros((3, 2)), rng.integers(0, 3, size=n)
        scored.append(c)
    expected, got = _old_row_classes(scored, n), _row_classes(scored, n)
    assert (expected is None) == (got is None)
    if expected is not None:
        assert np.array_equal(got, expected)


# linkage._class_batches as of commit 8e610e6, verbatim (one candidate lookup and one set of
# tiles per key); MAX_CELLS is this module's, set by the test to the one the new code reads.
MAX_CELLS = 4_000_000


def _old_class_batches(model: _Model, persons: np.ndarray, rclass: np.ndarray | None, rows: bool = True):
    """Every (attacked person, class of their candidate rows) pair, strict key by strict key, in
    batches of about ``MAX_CELLS`` pairs: a person's score against a class is the same float for
    every row of it, so the rows of a class are scored once (without classes: each row its own).
    ``rows``: whether the batches list the rows of each class (``seg``, ``rows``)."""
    keys = (np.stack([c.orig[persons] for c in model.blocked], axis=1) if model.blocked
            else np.zeros((len(persons), 0), dtype=np.int64))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    parts: dict[str, list] = {k: [] for k in ("owner", "ii", "rr", "cls", "mult", "seg", "rows", "starts")}
    size = offset = 0

    def flush() -> _ClassBatch:
        got = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in parts.items()}
        return _ClassBatch(got["owner"], got["ii"], got["rr"], got["starts"], got["owner"][got["starts"]],
                           cls=got["cls"], mult=got["mult"], seg=got["seg"], rows=got["rows"])

    for g, key in enumerate(uniq):
        members = order[bounds[g]:bounds[g + 1]]
        cands = model.blocks.candidates(key)
        if len(cands) == 0:
            continue
        if rclass is None or len(cands) == 1:  # each row its own class
            cls = rclass[cands] if rclass is not None else cands
            mult, by_class, seg, reps = np.ones(len(cands), dtype=np.int64), cands, np.arange(len(cands)), cands
        else:  # the classes in any order (a person's figures do not depend on it)
            inv, cls = pd.factorize(rclass[cands])
            cls = np.asarray(cls, dtype=np.int64)
            mult = np.bincount(inv, minlength=len(cls))
            reps = np.zeros(len(cls), dtype=np.int64)
            reps[inv[::-1]] = cands[::-1]
            seg = np.cumsum(mult) - mult
            if rows:  # grouped by class (a radix sort for few classes)
                by_class = cands[np.argsort(inv.astype(np.int16) if len(cls) < 2**15 else inv, kind="stable")]
            else:
                by_class = cands[:0]
        u = len(cls)
        step = max(1, MAX_CELLS // u)
        for s_ in range(0, len(members), step):
            who = members[s_: s_ + step]
            parts["starts"].append(size + np.arange(len(who)) * u)
            parts["owner"].append(np.repeat(who, u))
            parts["ii"].append(np.repeat(persons[who], u))
            parts["rr"].append(np.tile(reps, len(who)))
            parts["cls"].append(np.tile(cls, len(who)))
            parts["mult"].append(np.tile(mult, len(who)))
            parts["seg"].append(np.tile(seg + offset, len(who)))
            parts["rows"].append(by_class)
            offset += len(by_class)
            size += len(who) * u
            if size >= MAX_CELLS:
                yield flush()
                for v in parts.values():
                    v.clear()
                size = offset = 0
    if parts["owner"]:
        yield flush()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(releases, st.sampled_from([1, 7, 50, 4_000_000]), st.booleans(), st.sampled_from(["rows", "real", "few"]))
def test_class_batches_equal_the_reference(release, cells, rows, classes):
    """The same batches (cut at the same pairs) with the same arrays, pair for pair, whether the
    classes are known (or a few classes drawn at random, interleaved) or each row is its own, whether the rows of each class are listed, with
    batches of one pair up to all of them and the candidates looked up in chunks of a few rows."""
    global MAX_CELLS
    facts, texts = release
    model = learn(facts, texts)
    scored = _by_fact(model.primary)
    rclass = {"rows": None, "real": _row_classes(scored, model.n),  # few: classes interleaved among candidates
              "few": np.random.default_rng(model.n).integers(0, 3, size=model.n)}[classes]
    persons = np.arange(model.n)
    saved = MAX_CELLS
    MAX_CELLS = linkage.MAX_CELLS = cells
    try:
        old = list(_old_class_batches(model, persons, rclass, rows))
        new = list(linkage._class_batches(model, persons, rclass, rows))
    finally:
        MAX_CELLS = linkage.MAX_CELLS = saved
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        for name in ("owner", "ii", "rr", "starts", "people", "cls", "mult", "seg", "rows"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


# linkage._batches as of commit bd9f36d, verbatim (one set of repeats and tiles per key).
def _old_batches(model: _Model, persons: np.ndarray):
    """Every (attacked person, candidate row) pair, strict key by strict key (persons of one key
    share their candidates), gathered into batches of about ``MAX_CELLS`` pairs."""
    keys = (np.stack([c.orig[persons] for c in model.blocked], axis=1) if model.blocked
            else np.zeros((len(persons), 0), dtype=np.int64))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    owners, ii, rr, people, starts, size = [], [], [], [], [], 0

    def flush():
        ow = np.concatenate(owners)
        return _Batch(ow, np.concatenate(ii), np.concatenate(rr), np.asarray(starts, dtype=np.int64),
                      np.asarray(people, dtype=np.int64))

    for g, cands in model.blocks.each(uniq):
        members = order[bounds[g]:bounds[g + 1]]
        if len(cands) == 0:
            continue
        step = max(1, MAX_CELLS // len(cands))
        for s_ in range(0, len(members), step):
            who = members[s_: s_ + step]
            starts.extend(size + np.arange(len(who)) * len(cands))
            people.extend(who)
            owners.append(np.repeat(who, len(cands)))
            ii.append(np.repeat(persons[who], len(cands)))
            rr.append(np.tile(cands, len(who)))
            size += len(who) * len(cands)
            if size >= MAX_CELLS:
                yield flush()
                owners, ii, rr, people, starts, size = [], [], [], [], [], 0
    if owners:
        yield flush()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(releases, st.sampled_from([1, 7, 50, 4_000_000]), st.integers(0, 2**32 - 1))
def test_batches_equal_the_reference(release, cells, seed):
    """The same batches (cut at the same pairs: the best-set sampling shuffles each batch, so a
    batch cut elsewhere would draw other competitors) with the same arrays, for a sample of persons.
    The row-by-row batching now lives only in the v2 reference, which the class batches' ``by_rows``
    cut is held to (tests/attack/test_learn_equivalence.py): this keeps the chain to the first one."""
    global MAX_CELLS
    facts, texts = release
    model = learn(facts, texts)
    persons = np.sort(np.random.default_rng(seed).choice(model.n, size=max(1, model.n // 2), replace=False))
    saved = MAX_CELLS
    MAX_CELLS = linkage_v2.MAX_CELLS = cells
    try:
        old = list(_old_batches(model, persons))
        new = list(linkage_v2._batches(model, persons))
    finally:
        MAX_CELLS = linkage_v2.MAX_CELLS = saved
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        for name in ("owner", "ii", "rr", "starts", "people"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name
