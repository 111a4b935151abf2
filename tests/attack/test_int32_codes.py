"""Value codes are int32 (``facts.code_dtype``, issue #21 memory): the scoring computes its
(original value, released value) cells in int64, so many distinct values on both sides (their
product beyond 2**31) score as with int64 codes."""

import numpy as np

from anonymizer.attack.facts import Comparator, code_dtype
from anonymizer.attack.linkage import _score_pairs


def _comparator(codes_o: np.ndarray, codes_r: np.ndarray, table_o: np.ndarray, table_r: np.ndarray) -> Comparator:
    c = Comparator("f", "equal", "eq", table_o, table_r, o_at=codes_o, r_at=codes_r)
    c.value_codes = (codes_o, codes_r)
    c.w_agree, c.w_disagree = 2.5, -1.25
    c.extra["per_fact"] = {}
    return c


def test_int32_codes_score_as_int64_beyond_2_31_cells():
    n = 50_000  # 50,000 x 50,000 distinct values: cells up to 2.5e9 > 2**31
    rng = np.random.default_rng(7)
    codes_o, codes_r = rng.permutation(n), rng.permutation(n)
    table_o, table_r = rng.integers(0, 50, n), rng.integers(0, 50, n)
    table_r[rng.random(n) < 0.1] = -1  # some unknown
    ii, rr = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)
    wide = _score_pairs(ii, rr, [_comparator(codes_o, codes_r, table_o, table_r)])
    narrow = _score_pairs(ii, rr, [_comparator(codes_o.astype(np.int32), codes_r.astype(np.int32), table_o, table_r)])
    assert code_dtype(n) is np.int32
    np.testing.assert_array_equal(narrow, wide)
    assert (wide > 0).any() and (wide < 0).any()
