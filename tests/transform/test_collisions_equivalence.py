"""The collision check of fake names hashes each context name column once per batch (a memo on
the leak index, ``collisions._context_name_hashes``) instead of once per checked column and per
re-draw (issue #21: name_hashes was a third of ``avoid_collisions``), and gives exactly the rows
and the re-draws the old check gave.

The reference is ``_collisions`` as it was (main at 283e449), copied verbatim with the
``NameIndex.row_hits`` of that commit (partners hashed on every call): compared on seeded random
tables of first names, surnames and full names (mixed case, accents, civilities, empty cells,
compound names), for whole batches, re-drawn subsets in any order, several name columns checked in
a row against the same context (the memo reused), a context column that changed under the same
name (the memo refreshed), a batch index with repeated labels and no context at all; and through
``avoid_collisions`` with a keyed stub that draws from a small list, so re-draws run.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from anonymizer.policy.plan import ColumnStep
from anonymizer.transform import collisions
from anonymizer.transform.collisions import IDENTITY_ENTITIES, _collisions, avoid_collisions
from anonymizer.transform.fake import WORD_ENTITIES, identifier_like
from anonymizer.transform.identities import (
    FAKE_FULL_NAME_ENTITIES,
    FIRST_NAME_ENTITIES,
    SURNAME_ENTITIES,
    NameIndex,
    _member,
    name_hashes,
)

from . import collisions_reference as reference

# ----------------------------------------------------------------------------- the reference (283e449)


def _ref_name_row_hits(index: NameIndex, values: pd.Series, entity, partners, entities) -> np.ndarray:
    union = index._merge()
    hit = np.zeros(len(values), dtype=bool)
    if len(union) == 0 or len(values) == 0:
        return hit
    h, n = name_hashes(values)
    if entity in FAKE_FULL_NAME_ENTITIES:
        hit |= (n >= 2) & _member(h, union)
    other = SURNAME_ENTITIES if entity in FIRST_NAME_ENTITIES else (
        FIRST_NAME_ENTITIES if entity in SURNAME_ENTITIES else frozenset())
    if partners is not None and other:
        for c in partners.columns:
            if entities.get(c) not in other:
                continue
            hp, np_ = name_hashes(partners[c])
            hit |= (n > 0) & (np_ > 0) & _member(h + hp, union)
    return hit


def _ref_collisions(values: pd.Series, *, step, ctx_frame, entities, avoid) -> np.ndarray:
    text = step.role == "free_text"
    hit = avoid.row_hits(values, text=text)
    if not text and step.entity in WORD_ENTITIES and len(values):
        inside = identifier_like(values)
        if inside.any():
            hit[inside] |= avoid.row_hits(values[inside], text=True)
    names = getattr(avoid, "names", None)
    if names is not None and step.action == "fake" and step.entity in IDENTITY_ENTITIES:
        partners = ctx_frame.loc[values.index] if ctx_frame is not None else None
        hit |= _ref_name_row_hits(names, values, step.entity, partners, entities)
    return hit


# ----------------------------------------------------------------------------- a table and a leak index

FIRST = ["Jean", "Anne", "Marie", "Éric", "eric", "JEAN-MARC", "Zoé", "Paul", "Léa", "", "M. Jean"]
LAST = ["DUPONT", "Martin", "LEROY", "Lefèvre", "LEFEVRE", "DE LA FONTAINE", "Petit", "", "Durand-Roux"]
ENTITIES = {"NOM": "LAST_NAME", "NOMCJ": "LAST_NAME", "PRENOM": "FIRST_NAME", "PRENOMCJ": "FIRST_NAME",
            "ENF1_PRENOM": "FIRST_NAME", "REFERENT": "PERSON", "CP": "POSTAL_CODE", "TEL": "PHONE"}


class _Avoid:
    """A leak index with no identifier values (only the names matter here), as the collision
    code sees one: ``row_hits``, ``share_taken`` and ``names``."""

    def __init__(self, names: NameIndex) -> None:
        self.names = names

    def row_hits(self, values, *, text=False):
        return np.zeros(len(values), dtype=bool)

    def share_taken(self, values, kind="phone"):
        return 0.0


def _table(rng: np.random.Generator, n: int, index=None, first=FIRST, last=LAST) -> pd.DataFrame:
    pick = lambda pool: rng.choice(np.array(pool, dtype=object), n)  # noqa: E731
    df = pd.DataFrame({"NOM": pick(last), "NOMCJ": pick(last), "PRENOM": pick(first), "PRENOMCJ": pick(first),
                       "ENF1_PRENOM": pick(first), "CP": pick(["33000", "DUPONT"]),
                       "REFERENT": [f"{a} {b}" for a, b in zip(pick(first), pick(last), strict=True)]})
    if index is not None:
        df.index = index
    return df.astype({c: "str" for c in df.columns})


def _setup(seed: int, n: int = 400, index=None, first=FIRST, last=LAST):
    rng = np.random.default_rng(seed)
    original = _table(rng, n, index, first, last)
    names = NameIndex()
    names.add(original, ENTITIES)
    fakes = _table(rng, n, index, first, last)  # the "already transformed" context: drawn from the same lists
    return rng, _Avoid(names), fakes


STEPS = [ColumnStep("PRENOM", "identifier", "FIRST_NAME", "fake"),
         ColumnStep("ENF1_PRENOM", "identifier", "FIRST_NAME", "fake"),
         ColumnStep("NOM", "identifier", "LAST_NAME", "fake"),
         ColumnStep("NOMCJ", "identifier", "LAST_NAME", "fake"),
         ColumnStep("REFERENT", "identifier", "PERSON", "fake"),
         ColumnStep("CP", "quasi_identifier", "POSTAL_CODE", "fake")]


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_collisions_are_the_reference_for_batches_and_redrawn_subsets(seed):
    rng, avoid, ctx = _setup(seed)
    for step in STEPS:  # several columns in a row against the same context: the memo is reused
        values = ctx[step.column]
        assert list(_collisions(values, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)) == list(
            _ref_collisions(values, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid))
        for size in (1, 7, 120):  # re-drawn rows, in any order
            rows = rng.choice(len(ctx), size, replace=False)
            sub = pd.Series(rng.choice(np.array(FIRST + LAST, dtype=object), size), index=ctx.index[rows])
            assert list(_collisions(sub, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)) == list(
                _ref_collisions(sub, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid))
    assert avoid._context_name_hashes  # the memo was used


def test_a_changed_context_column_is_hashed_again():
    rng, avoid, ctx = _setup(3)
    step = STEPS[0]
    _collisions(ctx["PRENOM"], step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)
    for _ in range(3):  # the next batch (same length, same labels), and a column re-drawn in place
        ctx = ctx.assign(NOM=rng.choice(np.array(LAST, dtype=object), len(ctx)))
        got = _collisions(ctx["PRENOM"], step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)
        assert list(got) == list(_ref_collisions(ctx["PRENOM"], step=step, ctx_frame=ctx, entities=ENTITIES,
                                                 avoid=avoid))
    shorter = ctx.iloc[:50]
    assert list(_collisions(shorter["PRENOM"], step=step, ctx_frame=shorter, entities=ENTITIES, avoid=avoid)) == list(
        _ref_collisions(shorter["PRENOM"], step=step, ctx_frame=shorter, entities=ENTITIES, avoid=avoid))


@pytest.mark.parametrize("index", [pd.Index([5, 5, 7, 9] * 25), pd.RangeIndex(1000, 1100),
                                   pd.Index([f"r{i}" for i in range(100)])])
def test_any_batch_index_and_no_context(index):
    rng, avoid, ctx = _setup(4, n=len(index), index=index)
    for step in STEPS:
        values = ctx[step.column]
        if not index.is_unique and step.entity in FIRST_NAME_ENTITIES | SURNAME_ENTITIES:
            # repeated labels: the context rows cannot be told apart, and both fail alike
            for check in (_collisions, _ref_collisions):
                with pytest.raises(ValueError):
                    check(values, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)
            continue
        for frame in (ctx, None):
            assert list(_collisions(values, step=step, ctx_frame=frame, entities=ENTITIES, avoid=avoid)) == list(
                _ref_collisions(values, step=step, ctx_frame=frame, entities=ENTITIES, avoid=avoid))


def _keyed_names(pool):
    def draw(series, *, key, params, context):
        out = [pool[int.from_bytes(hashlib.sha256(key + v.encode()).digest()[:4], "big") % len(pool)] if v else ""
               for v in series.tolist()]
        return pd.Series(out, index=series.index, dtype=object)
    return draw


@pytest.mark.parametrize("seed", [0, 1])
def test_avoid_collisions_redraws_as_before(seed, monkeypatch):
    rng, avoid, ctx = _setup(seed, n=300)
    original = _table(rng, 300)
    for step in STEPS[:5]:
        pool = FIRST[:9] if step.entity == "FIRST_NAME" else LAST[:7] if step.entity == "LAST_NAME" else list(
            ctx["REFERENT"].unique()[:6])
        fn = _keyed_names(pool)
        first = fn(original[step.column], key=b"first", params={}, context=None)
        frame = ctx.drop(columns=[step.column])
        kwargs = dict(key=b"k" * 16, step=step, ctx_frame=frame, entities=ENTITIES, avoid=avoid)
        stats_new: dict = {}
        new = avoid_collisions(fn, original[step.column], first, stats=stats_new, **kwargs)
        stats_old: dict = {}
        old = reference.avoid_collisions(fn, original[step.column], first, stats=stats_old, **kwargs)
        assert new.tolist() == old.tolist() and stats_new == stats_old
        assert (new != first).any()  # it did re-draw


def _same(a: pd.Series, b: pd.Series) -> bool:
    return (a.dtype == b.dtype and a.name == b.name and a.index.equals(b.index)
            and a.astype(object).fillna("<NA>").tolist() == b.astype(object).fillna("<NA>").tolist())


@pytest.mark.parametrize("dtype", ["str", object, "string"])
@pytest.mark.parametrize("index", [None, pd.RangeIndex(500, 800), pd.Index([f"r{i}" for i in range(300)]),
                                   pd.Index([3, 1, 2] * 100)])
def test_avoid_collisions_equals_the_reference_loop(dtype, index):
    """The loop by position (one object array, context rows by ``iloc``, the name columns gathered
    once) gives the reference loop's column, dtype, counts and first draws; by label when the
    batch's labels repeat. Real phone collisions (a leak index) and name identities, missing
    cells, and a context whose labels differ from the batch's (the label path)."""
    from anonymizer.engine.verify import LeakIndex
    from anonymizer.policy.plan import Plan

    # lists large enough that a fake first name is an identity with some of its row's surnames only
    firsts, lasts = FIRST + [f"Prénom{i}" for i in range(40)], LAST + [f"NOM{i}" for i in range(40)]
    rng, avoid, ctx = _setup(7, n=300, index=index, first=firsts, last=lasts)
    original = _table(rng, 300, index, firsts, lasts).astype(dtype)
    original.loc[original.index[::17], "PRENOM"] = None
    tel = ColumnStep("TEL", "identifier", "PHONE", "fake")
    leaks = LeakIndex(Plan([tel], [], {}, "test", True))
    phones = [f"06{i:08d}" for i in range(0, 40)]
    leaks.add(pd.DataFrame({"TEL": phones}))
    leaks.names = avoid.names
    escaped = 0
    for step in STEPS[:5] + [tel]:
        if step is tel:
            pool = phones[:30] + ["0536490000", "0536490001"]
            series = pd.Series(rng.choice(np.array(phones, dtype=object), 300), index=original.index).astype(dtype)
        else:
            pool = firsts[:30] if step.entity == "FIRST_NAME" else lasts[:30] if step.entity == "LAST_NAME" else list(
                ctx["REFERENT"].unique()[:6]) + ["Zed Zorro"]
            series = original[step.column]
        base = _keyed_names(pool)

        def fn(s, *, key, params, context, base=base):
            return base(s.fillna(""), key=key, params=params, context=context).astype(dtype)

        first = fn(series, key=b"first", params={}, context=None)
        for frame in (ctx.drop(columns=[step.column], errors="ignore"), None,
                      ctx.set_axis(ctx.index[::-1]) if ctx.index.is_unique else None):
            kwargs = dict(key=b"k" * 16, step=step, ctx_frame=frame, entities=ENTITIES, avoid=leaks)
            stats_new, stats_old, red_new, red_old = {}, {}, {}, {}
            try:
                old = reference.avoid_collisions(fn, series, first, stats=stats_old, redrawn=red_old, **kwargs)
            except (KeyError, ValueError) as exc:
                with pytest.raises(type(exc)):
                    avoid_collisions(fn, series, first, stats=stats_new, redrawn=red_new, **kwargs)
                continue
            new = avoid_collisions(fn, series, first, stats=stats_new, redrawn=red_new, **kwargs)
            assert _same(new, old) and stats_new == stats_old
            assert red_new.keys() == red_old.keys() and all(_same(red_new[k], red_old[k]) for k in red_new)
            escaped += int((new.astype(object) != first.astype(object)).sum() - sum(stats_new.values()))
    assert escaped > 50 or not ctx.index.is_unique  # re-draws ran and some escaped (repeated labels: refused)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identifier_like_per_distinct_value_equals_the_per_row_test(seed):
    rng = np.random.default_rng(seed)
    parts = ["Durand", "@", "123456", "12 34 56 78 9", "06.12.34.56.78", "1-2-3-4-5-6-7-8-9", "\u00e9", " ",
             "1234", "a@b", "185017510012362", "", "\n", "\u00a012345", "0\u20096\u20091"]
    values = ["".join(rng.choice(parts, rng.integers(0, 4))) for _ in range(500)]
    for series in (pd.Series(values, dtype=object), pd.Series(values, dtype="str"),
                   pd.Series(values + [None, np.nan], dtype=object), pd.Series([], dtype=object),
                   pd.Series([1234567, 12, None], dtype="Int64"), pd.Series([1.5e7, np.nan])):
        assert identifier_like(series).tolist() == reference.identifier_like(series).tolist()


def test_each_context_column_is_hashed_once_per_batch(monkeypatch):
    """Scale: checking k name columns (and their re-draws) against the context hashes each context
    column once, not once per checked column and per re-draw."""
    calls = []
    real = collisions.name_hashes
    monkeypatch.setattr(collisions, "name_hashes", lambda v: calls.append(len(v)) or real(v))
    rng, avoid, ctx = _setup(5, n=500)
    for step in STEPS[:4]:
        _collisions(ctx[step.column], step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)
        for _ in range(5):
            sub = ctx[step.column].iloc[rng.choice(500, 20, replace=False)]
            _collisions(sub, step=step, ctx_frame=ctx, entities=ENTITIES, avoid=avoid)
    # the context holds NOM, NOMCJ, PRENOM, PRENOMCJ, ENF1_PRENOM: five columns, each hashed once
    assert calls == [500] * 5
