"""``_score_pairs`` drops a fact's per-pair arrays after the fact's last comparator (issue #21:
kept for every fact they were the attack's memory peak, 2.4 GB on a 200,000-row extract); the
scores must stay the very floats the previous version gave, in any comparator order (a fact's
comparators contiguous or interleaved with others'), with and without row classes and tables."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from anonymizer.attack.linkage import _by_fact, _row_classes, _score_pairs, learn

from .reference.score_pairs_v2 import _score_pairs as _score_pairs_v2
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
            classes = _row_classes(order, model.n)
            if classes is not None:
                assert np.array_equal(_score_pairs(ii, rr, order, classes), _score_pairs_v2(ii, rr, order, classes))
