"""A fake whose generator reads no row context is re-drawn without gathering the context's rows
(issue #21: ``ctx_frame.iloc`` of every context column at each re-draw cost more than the draws
of a phone or a surname), and the re-draws are exactly the reference loop's.

The reference is ``avoid_collisions`` of tests/transform/collisions_reference.py (the loop as it
was, every re-draw given its rows' context). Here the action is the real ``fake`` — phones,
surnames, employers, streets (no context), first names (the row's sex), e-mails (the row's fake
names) and NIR keys (the row's fake NIR) — against a keyed stub index that calls a third of all
values originals, so most rows are re-drawn several times; with a context frame, with none, and
with the policy's ``entity`` param naming another entity than the column's.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pandas as pd
import pytest

from anonymizer.policy.plan import ColumnStep
from anonymizer.transform import ACTIONS, TransformContext, clear_caches
from anonymizer.transform.collisions import avoid_collisions
from anonymizer.transform.fake import reads_row_context

from . import collisions_reference as reference


class _ThirdAreOriginals:
    """A leak index where a value is an original when its keyed hash is 0 mod 3 (no names)."""

    names = None

    def row_hits(self, values: pd.Series, *, text: bool = False) -> np.ndarray:
        return np.fromiter((int(hashlib.sha256(str(v).encode()).hexdigest(), 16) % 3 == 0 and str(v) != ""
                            for v in values.astype(object).fillna("")), dtype=bool, count=len(values))

    def share_taken(self, values, kind: str = "phone") -> float:
        return 0.0


ENTITIES = {"SEXE": "SEX", "PRENOM": "FIRST_NAME", "NOM": "LAST_NAME", "NIR": "NIR", "TEL": "PHONE",
            "EMPLOYEUR": "ORGANIZATION", "LIBVOIE": "STREET_NAME", "MAIL": "EMAIL", "CLENIR": "NIR_KEY"}


def _table(seed: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(originals, row context: the sex and the already faked names and NIR)."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnoprstuvéè") for _ in range(rng.randint(3, 8)))

    firsts = ["Jean", "MARIE", "Éloïse", "paul", "Anne-Sophie", ""] + [word().title() for _ in range(150)]
    lasts = ["DUPONT", "Martin", "LEFÈVRE", "de la Fontaine", ""] + [word().upper() for _ in range(150)]
    orig = pd.DataFrame({
        "TEL": [f"06{rng.randrange(10**8):08d}" if rng.random() < 0.9 else "" for _ in range(n)],
        "NOM": [rng.choice(lasts) for _ in range(n)],
        "PRENOM": [rng.choice(firsts) for _ in range(n)],
        "EMPLOYEUR": [rng.choice(["SARL DUPONT", "Mairie de Lyon", "M. Jean MARTIN", "OPH 33", ""]) for _ in range(n)],
        "LIBVOIE": [rng.choice(["RUE DES ", "av ", "CHEMIN DU ", ""]) + word().upper() for _ in range(n)],
        "MAIL": [f"{rng.choice(['jean', 'marie'])}.{rng.choice(['dupont', 'martin'])}{rng.randrange(99)}@mail.fr"
                 for _ in range(n)],
        "CLENIR": [f"{rng.randrange(1, 98):02d}" for _ in range(n)],
    }).astype("str")
    ctx = pd.DataFrame({
        "SEXE": [rng.choice(["1", "2", "*", ""]) for _ in range(n)],
        "PRENOM": [rng.choice(["Paul", "Léa", "Zoé", ""]) for _ in range(n)],
        "NOM": [rng.choice(["BERNARD", "Petit", ""]) for _ in range(n)],
        "NIR": [f"{rng.choice('12')}{rng.randrange(10**12):012d}" for _ in range(n)],
    }).astype("str")
    return orig, ctx


COLUMNS = ["TEL", "NOM", "EMPLOYEUR", "LIBVOIE", "PRENOM", "MAIL", "CLENIR"]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("column", COLUMNS)
def test_redraws_equal_the_reference_loop(seed, column):
    orig, ctx = _table(seed, 400)
    avoid = _ThirdAreOriginals()
    fn = ACTIONS["fake"]
    for params in ({}, {"entity": "PHONE"} if column != "TEL" else {"entity": "FIRST_NAME"}):
        step = ColumnStep(column, "identifier", ENTITIES[column], "fake", params)
        for frame in (ctx.drop(columns=[column], errors="ignore"), None):
            clear_caches()
            first = fn(orig[column], key=b"k" * 32, params=params,
                       context=TransformContext(column=column, entity=step.entity, row_context=frame, entities=ENTITIES))
            kwargs = dict(key=b"k" * 32, step=step, ctx_frame=frame, entities=ENTITIES, avoid=avoid)
            stats_new, stats_old, red_new, red_old = {}, {}, {}, {}
            new = avoid_collisions(fn, orig[column], first, stats=stats_new, redrawn=red_new, **kwargs)
            clear_caches()
            old = reference.avoid_collisions(fn, orig[column], first, stats=stats_old, redrawn=red_old, **kwargs)
            assert new.dtype == old.dtype and new.tolist() == old.tolist() and stats_new == stats_old
            assert red_new.keys() == red_old.keys() and all(red_new[k].tolist() == red_old[k].tolist() for k in red_new)
            if not params:
                assert (new != first).sum() > 20  # re-draws ran


def test_which_fakes_read_the_row_context():
    assert not any(reads_row_context(e, {}) for e in ("PHONE", "LAST_NAME", "ORGANIZATION", "STREET_NAME",
                                                         "ADDRESS", "IBAN", "CAF_NUMBER", None))
    assert all(reads_row_context(e, {}) for e in ("FIRST_NAME", "PERSON", "EMAIL", "NIR", "NIR_KEY", "BIC"))
    assert reads_row_context("PHONE", {"entity": "first_name"}) and not reads_row_context("NIR", {"entity": "PHONE"})
