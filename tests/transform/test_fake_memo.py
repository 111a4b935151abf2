"""The run memo of fakes per distinct unit (issue #21, transform/fake.py ``_map_units``) gives
exactly the fakes of the per-batch code it replaced, batch after batch.

The reference below is ``fake`` as it was (main at d48292e), copied verbatim: every distinct
``(value, *context)`` unit of a batch faked again, whatever earlier batches faked. Inputs: seeded
random name, street and address cells (pool names, mixed case, accents, identifiers glued to the
words, empty cells) in overlapping batches, with a sex context, under two keys, as first draws
and as compound re-draws; a memo small enough to be cleared in mid-run; and a column mostly of
distinct values (not memoised).
"""

from __future__ import annotations

import importlib
import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.transform import clear_caches
from anonymizer.transform.base import Deriver, TransformContext, from_text, map_distinct, require_key, to_text

from .conftest import KEY, OTHER_KEY, ctx, text

fake_mod = importlib.import_module("anonymizer.transform.fake")  # the package exports the function ``fake``


# ----------------------------------------------------------------------------- the reference (old code)


def fake_reference(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Keyed, format-preserving fakes for the column's entity (``params['entity']`` or
    ``context.entity``; unknown entities get same-shape fakes). Params: ``domain`` for
    e-mails (``example.fr``), ``sex_column`` / ``birth_date_column`` / ``nir_column`` /
    ``iban_column`` to name context columns."""
    GENERATORS, WORD_ENTITIES, _BATCH = fake_mod.GENERATORS, fake_mod.WORD_ENTITIES, fake_mod._BATCH
    _context_series, embedded_identifiers = fake_mod._context_series, fake_mod.embedded_identifiers
    fake_with_identifiers, fake_value, _map_batch = fake_mod.fake_with_identifiers, fake_mod.fake_value, fake_mod._map_batch
    key = require_key(key, "fake")
    entity = str(params.get("entity") or context.entity or "RECORD_ID").upper()
    # ``compound`` is set at run time by the late re-draws of a colliding name (collisions.py);
    # a policy cannot set it (FakeParams has no such field)
    d = Deriver(key, compound=bool(params.get("compound")))
    text = to_text(series)
    _gen, kind = GENERATORS.get(entity, (None, None))
    extras = _context_series(kind, params, context, len(text), text.index)
    embedded = embedded_identifiers(text.unique()) if entity in WORD_ENTITIES else {}

    def one(value: str, *ctx: str) -> str:
        spans = embedded.get(value)
        if spans:
            return fake_with_identifiers(value, spans, entity=entity, deriver=d, ctx=list(ctx), params=params)
        return fake_value(value, entity=entity, deriver=d, ctx=ctx, params=params)

    if entity in _BATCH:
        out = _map_batch(text, extras, entity, d, params)
    else:
        out = map_distinct(text, one, extra=extras or None)
    return from_text(series, out)


# ----------------------------------------------------------------------------- inputs

_FIRST = ["Jean", "JEAN", "jean", "Marie", "MARIE-CLAIRE", "Éloïse", "ELOISE", "Zoé", "Jean-Marc", "Susan",
          "Nicolas 0612345678", "x", "İlker", ""]
_LAST = ["DUPONT", "Dupont", "LEFÈVRE", "LEFEVRE", "de la Fontaine", "DE LA FONTAINE", "MARTIN", "Martin-Leroy",
         "O'NEIL", "Durand 185017510012362", "ß", "", " "]
_CIV = ["", "", "M.", "Mme", "MONSIEUR"]
_STREETS = ["RUE DES LILAS", "rue de la Paix", "AV JEAN JAURES", "Chemin du Moulin", "IMPASSE ÉMILE ZOLA", "BD",
            "LIEU DIT LES PINS 12", "*"]
_TOWNS = ["BORDEAUX", "Paris", "saint-étienne", "LE HAVRE", "Cayenne"]


def _cell(rng: random.Random, entity: str) -> str:
    if entity == "FIRST_NAME":
        return rng.choice(_FIRST)
    if entity == "LAST_NAME":
        return rng.choice(_LAST)
    if entity in ("PERSON", "ORGANIZATION"):
        words = [rng.choice(_CIV), rng.choice(_FIRST), rng.choice(_LAST)]
        if entity == "ORGANIZATION" and rng.random() < 0.4:
            words = [rng.choice(["SCI", "SARL", "OPH", "Mairie de"]), rng.choice(_LAST), rng.choice(["", "SA", "33"])]
        return " ".join(w for w in words if w)
    if entity == "STREET_NAME":
        return rng.choice(_STREETS) + rng.choice(["", "", " " + rng.choice(_LAST)])
    # ADDRESS
    num, street = str(rng.randint(1, 40)), rng.choice(_STREETS)
    return rng.choice([f"{num} {street} 33000 {rng.choice(_TOWNS)}", f"{num}, {street}", street, ""])


def _batches(seed: int, entity: str, n_batches: int = 4, rows: int = 240) -> list[tuple[list[str], list[str]]]:
    rng = random.Random(seed)
    pool = [_cell(rng, entity) for _ in range(25)]  # a column repeats its values
    out = []
    for _ in range(n_batches):
        values = [rng.choice(pool) if rng.random() < 0.9 else _cell(rng, entity) for _ in range(rows)]
        sexes = [rng.choice(["1", "2", "F", ""]) for _ in range(rows)]
        out.append((values, sexes))
    return out


def _column(values: list[str], sexes: list[str], entity: str, start: int):
    """The batch's text column (labels as a batch's: a range from ``start``) and its context."""
    index = pd.RangeIndex(start, start + len(values))
    rc = pd.DataFrame({"SEXE": text(sexes).set_axis(index)}, index=index)
    return text(values).set_axis(index), ctx("X", entity, rc, {"SEXE": "SEX", "X": entity})


def _run(batches, entity: str, key: bytes, params: dict) -> tuple[list[list[str]], list[list[str]]]:
    """The new and the reference fakes of each batch, the memo kept from batch to batch."""
    new, ref, start = [], [], 0
    for values, sexes in batches:
        series, context = _column(values, sexes, entity, start)
        new.append(fake_mod.fake(series, key=key, params=params, context=context).tolist())
        ref.append(fake_reference(series, key=key, params=params, context=context).tolist())
        start += len(values)
    return new, ref


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()
    yield
    clear_caches()


ENTITIES = ["FIRST_NAME", "LAST_NAME", "PERSON", "ORGANIZATION", "STREET_NAME", "ADDRESS"]


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("seed", range(3))
def test_batches_with_the_memo_equal_the_reference(entity, seed):
    batches = _batches(seed, entity)
    for key in (KEY, OTHER_KEY, KEY):  # the memo of one key never answers for another
        for params in ({}, {"compound": True}):
            new, ref = _run(batches, entity, key, params)
            assert new == ref
    assert fake_mod._UNITS  # the memo was used
    clear_caches()  # the pipeline's end of run forgets it
    assert not fake_mod._UNITS and fake_mod._UNITS_SIZE[0] == 0


@pytest.mark.parametrize("entity", ["FIRST_NAME", "ORGANIZATION", "ADDRESS"])
def test_a_memo_cleared_in_mid_run_gives_the_same_fakes(entity, monkeypatch):
    monkeypatch.setattr(fake_mod, "_UNITS_MAX", 7)
    new, ref = _run(_batches(5, entity, n_batches=6), entity, KEY, {})
    assert new == ref
    assert fake_mod._UNITS_SIZE[0] <= 7 + 240


def test_a_mostly_distinct_column_is_not_memoised():
    values = [f"Jean{i} DUPONT" for i in range(50)] + ["Jean DUPONT"] * 10
    new, ref = _run([(values, ["1"] * len(values))] * 2, "PERSON", KEY, {})
    assert new == ref
    assert not any(fake_mod._UNITS.values())


@given(st.lists(st.tuples(st.sampled_from(_FIRST + _LAST + ["Jean DUPONT", "M. Paul de la Fontaine"]),
                          st.sampled_from(["1", "2", "", "*"])), min_size=1, max_size=40),
       st.sampled_from(["FIRST_NAME", "LAST_NAME", "PERSON", "ORGANIZATION"]), st.booleans())
@settings(max_examples=60, deadline=None)
def test_any_batch_after_any_other_equals_the_reference(rows, entity, compound):
    values, sexes = [r[0] for r in rows], [r[1] for r in rows]
    half = len(rows) // 2
    batches = [(values[:half] or values, sexes[:half] or sexes), (values, sexes)]
    new, ref = _run(batches, entity, OTHER_KEY, {"compound": True} if compound else {})
    assert new == ref
