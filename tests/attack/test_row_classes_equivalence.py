"""``_row_classes`` packing each distinct released side once (issue #21: the input attack's 279
comparators read 66 sides), and the primary classes made once per model, against the function it
replaced, kept verbatim in ``reference/row_classes_v1.py``: the same classes, code for code, for
comparators sharing sides or not, member sets, unknown rows, strata, wide codes that overflow the
packing, and codes below -1 (the one-by-one fallback)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.attack.facts import Comparator
from anonymizer.attack.linkage import _row_classes

from .reference import row_classes_v1 as old

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def comparator_sets(draw) -> tuple[list[Comparator], int]:
    """Comparators over ``n`` rows whose released sides are drawn from a small pool of arrays, so
    several comparators read the very same array (as a fact's comparators do)."""
    n = draw(st.integers(0, 60))
    low = draw(st.sampled_from([-1, -1, -3, -5]))  # UNKNOWN is -1; below it only in the fallback
    high = draw(st.sampled_from([1, 2, 3, 50, 2**20, 2**40]))  # wide codes overflow the 62-bit packing
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pool = [rng.integers(low, high, size=n, endpoint=True).astype(draw(st.sampled_from([np.int64, np.int32])))
            if high < 2**31 else rng.integers(low, high, size=n, endpoint=True)
            for _ in range(draw(st.integers(1, 5)))]
    out = []
    for k in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["eq", "eq", "member", "strata", "none"]))
        r = pool[draw(st.integers(0, len(pool) - 1))]
        o = np.zeros(n, dtype=np.int64)
        if kind == "member":
            set_of = draw(st.sampled_from([None, r]))
            c = Comparator(f"f{k}", "held", "member", o, members=np.zeros(0, dtype=np.int64), set_of=set_of)
            if draw(st.booleans()):
                c.extra["unknown_rows"] = rng.random(n) < 0.3
        elif kind == "none":
            c = Comparator(f"f{k}", "eq", "eq", o, rel=o.copy())
        else:
            c = Comparator(f"f{k}", "eq", "eq", o, rel=o.copy(), value_codes=(o, r))
            if kind == "strata":
                c.w_strata = np.zeros((2, 2))
                c.strata = rng.integers(0, 3, size=n)
        out.append(c)
    return out, n


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and np.array_equal(a, b)


@SETTINGS
@given(comparator_sets())
def test_row_classes_equal_the_side_by_side_packing(case):
    scored, n = case
    assert _same(_row_classes(scored, n), old._row_classes(scored, n))
    doubled = scored + scored  # every side read twice
    assert _same(_row_classes(doubled, n), old._row_classes(doubled, n))
