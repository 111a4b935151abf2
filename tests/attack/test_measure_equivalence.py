"""``linkage._measure`` counts m over a fact's distinct true pairs (``_true_pairs``), reuses it in
learn's second measure, and takes an ``eq`` comparator's exact u from its per-value tables
(``_exact_u_eq``): every comparator's type, m, u, known, weights and strictness, and the draws
it makes, are the reference's (tests/attack/reference/measure_v4.py) as floats."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import anonymizer.attack.linkage as new_linkage
from anonymizer.attack.facts import comparators

from .reference import measure_v4 as old
from .test_gate_equivalence import SETTINGS
from .test_learn_equivalence import _facts


def _state(c) -> tuple:
    return (c.name, c.type, c.how, c.m, c.u, c.known, c.w_agree, c.w_disagree, c.strict,
            None if c.table is None else c.table.tolist())


def _run(measure, facts, n: int, seed: int, with_pairs: bool) -> tuple[list, dict]:
    rng = np.random.default_rng(seed)
    comps = [c for f in facts for c in comparators(f)]
    out = []
    for c in comps:
        measure(c, n, rng, 3.0)
        out.append(_state(c))
    if with_pairs and n > 1:
        draw = np.random.default_rng(seed + 1)
        pairs = (draw.integers(0, n, 500), draw.integers(0, n, 500))
        for c in comps:
            if c.type != "categorical":
                measure(c, n, rng, 3.0, pairs=pairs)
                out.append(_state(c))
    return out, rng.bit_generator.state


@pytest.mark.parametrize("share", [1, 4, 10**9])
@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 160), suppress=st.sampled_from([0.0, 0.1, 0.5]),
       coarse=st.sampled_from([0.0, 0.5, 1.0]), few=st.booleans(), on_input=st.booleans(),
       with_pairs=st.booleans())
def test_measure_equals_the_reference(monkeypatch, share, seed, n, suppress, coarse, few, on_input, with_pairs):
    """``share``: the distinct true pairs used always (1), as in the gate (4), never (huge)."""
    monkeypatch.setattr(new_linkage, "TRUE_PAIRS_SHARE", share)
    monkeypatch.setattr(new_linkage, "TRUE_PAIRS_ROWS", 0)  # the distinct true pairs at any size
    facts_new, _ = _facts(seed, n, suppress, coarse, few, on_input)
    facts_old, _ = _facts(seed, n, suppress, coarse, few, on_input)
    n_rows = len(facts_new[0].released) if facts_new else 0
    new = _run(new_linkage._measure, facts_new, n_rows, seed, with_pairs)
    ref = _run(old._measure, facts_old, n_rows, seed, with_pairs)
    assert repr(new) == repr(ref)  # repr: NaN (a u over no pair) equals NaN, floats to the last bit


@pytest.mark.parametrize("patterns", [1, 3, 64])
@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), count=st.integers(0, 12), facts=st.integers(1, 6))
def test_blockers_equal_the_reference(monkeypatch, patterns, seed, n, count, facts):
    """The same comparators chosen, in the same order, whatever the patterns allowed; comparators
    per row and per distinct value (``r_at``) alike."""
    from anonymizer.attack.facts import UNKNOWN, Comparator

    from .reference import blockers_v4

    monkeypatch.setattr(new_linkage, "MAX_PATTERNS", patterns)
    monkeypatch.setattr(blockers_v4, "MAX_PATTERNS", patterns)
    rng = np.random.default_rng(seed)
    strict = []
    for k in range(count):
        rel = rng.integers(0, 4, n)
        rel[rng.random(n) < rng.choice([0.0, 0.1, 0.5, 0.9])] = UNKNOWN
        if k % 2:
            at = rng.integers(0, n, n)
            strict.append(Comparator(f"f{k % facts}", f"h{k}", "eq", rel.copy(), rel, o_at=at, r_at=at))
        else:
            strict.append(Comparator(f"f{k % facts}", f"h{k}", "eq", rel.copy(), rel))
    new = new_linkage._blockers(strict)
    ref = blockers_v4._blockers(strict)
    assert [id(c) for c in new] == [id(c) for c in ref]
