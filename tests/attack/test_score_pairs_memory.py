"""``_score_pairs`` drops a fact's per-pair arrays after the fact's last comparator (issue #21:
kept for every fact they were the attack's memory peak, 2.4 GB on a 200,000-row extract); the
scores must stay the very floats the previous versions gave (``score_pairs_v2``, and
``score_pairs_v3``, before a comparator scored by agreement alone read an int8 agreement table),
in any comparator order (a fact's comparators contiguous or interleaved with others'), with and without row classes and tables."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from anonymizer.attack.linkage import _by_fact, _row_classes, _score_pairs, learn

from .reference.score_pairs_v2 import _score_pairs as _score_pairs_v2
from .reference.score_pairs_v3 import _score_pairs as _score_pairs_v3
from .test_fast_paths import SETTINGS, releases


@SETTINGS
@given(releases, st.integers(0, 2**32 - 1), st.sampled_from([1, 50, 10_000]))
def test_scores_equal_the_previous_version(release, seed, pairs):
    facts, texts = release
    model = learn(facts, texts)
    rng = np.random.default_rng(seed)
    ii, rr = rng.integers(0, model.n, size=pairs), rng.integers(0, model.n, size=pairs)
    for comps in (model.primary, model.refining):
        ordered = _by_fact(comps)
        shuffled = [ordered[i] for i in rng.permutation(len(ordered))]  # a fact's comparators interleaved
        for order in (ordered, shuffled):
            assert np.array_equal(_score_pairs(ii, rr, order), _score_pairs_v2(ii, rr, order))
            assert np.array_equal(_score_pairs(ii, rr, order), _score_pairs_v3(ii, rr, order))
            classes = _row_classes(order, model.n)
            if classes is not None:
                assert np.array_equal(_score_pairs(ii, rr, order, classes), _score_pairs_v2(ii, rr, order, classes))
                assert np.array_equal(_score_pairs(ii, rr, order, classes), _score_pairs_v3(ii, rr, order, classes))


def test_equal_sides_share_one_array():
    """The attack on the input compares a column with itself: a comparator keeps one array for both
    sides when they hold the same values, two when they differ (in place of a copy, never a change)."""
    from anonymizer.attack.facts import Comparator, shared

    a = np.array([0, 1, 2, 1], dtype=np.int64)
    assert shared(a, a.copy()) is a
    other = np.array([0, 1, 2, 2], dtype=np.int64)
    assert shared(a, other) is other
    assert shared(a, a.astype(np.int32)) is not a  # another dtype: left as it is
    c = Comparator("f", "as released", "categorical", a, a.copy(), extra={"equal": (other, other.copy())})
    assert c.rel is c.orig and c.extra["equal"][1] is c.extra["equal"][0]
    d = Comparator("f", "as released", "eq", a, other)
    assert d.rel is other
