"""A member comparator's verdicts read from one flat int8 (set, code) grid, and every comparator's
score read from [w_disagree, w_agree, 0.0] at its verdict (issue #21: 22 swapped facts over 2
million pairs were a tenth of the 100,000-row gate), against the methods they replaced, kept
verbatim in ``reference/comparator_v1.py``: the same verdict and the same float (bit for bit:
``-0.0``, ``-inf`` and NaN weights included) for every pair, with and without the grid, with
unknown codes, codes below UNKNOWN, negative sets, unknown rows, a set per row or per class."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonymizer.attack.facts import MEMBER_BASE, UNKNOWN, Comparator

from .reference import comparator_v1 as old

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEIGHTS = st.sampled_from([0.0, -0.0, 0.7, -1.3, float("inf"), -float("inf"), float("nan"), 2.5e-300])


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal dtypes and bits (NaN and the sign of zero count)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _outcome(f, *args) -> tuple:
    """What a call gives: its array's dtype and bits, or the type of what it raised (a grid of no
    set read at a negative set raises, in both)."""
    try:
        got = f(*args)
    except IndexError as e:
        return ("raised", type(e))
    return ("gave", got.dtype, got.shape, got.tobytes())


@st.composite
def members(draw) -> tuple[Comparator, Comparator, int]:
    """Two identical member comparators (one per implementation: each caches its grid) and n."""
    n = draw(st.integers(1, 40))
    sets = draw(st.integers(1, 12))
    codes = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    per_row = draw(st.booleans())  # a set per released row (free text) or per class (swapped)
    low = draw(st.sampled_from([0, UNKNOWN, -3]))  # -3: below UNKNOWN (never made, read as before)
    rng = np.random.default_rng(seed)
    orig = rng.integers(low, codes, size=n).astype(np.int64)
    nsets = n if per_row else sets
    k = draw(st.integers(0, 30))
    keys = np.unique(rng.integers(0, nsets, size=k).astype(np.int64) * MEMBER_BASE + rng.integers(0, codes, size=k))
    extra: dict = {}
    set_of = None
    if per_row:
        extra["rows"] = n
    else:
        set_of = rng.integers(-sets if draw(st.booleans()) else 0, sets, size=n).astype(np.int64)
    if draw(st.booleans()):
        extra["unknown_rows"] = rng.random(n) < 0.3
    w_agree, w_disagree = draw(WEIGHTS), draw(WEIGHTS)

    def make() -> Comparator:
        c = Comparator("f", "held by the class (swapped)", "member", orig.copy(), members=keys.copy(),
                       set_of=None if set_of is None else set_of.copy(), extra=dict(extra))
        c.w_agree, c.w_disagree = w_agree, w_disagree
        return c

    return make(), make(), n


@SETTINGS
@given(members(), st.integers(0, 2**32 - 1), st.booleans())
def test_member_verdicts_and_scores_equal_the_previous_version(pair, seed, grid):
    new, ref, n = pair
    if not grid:  # the binary search (a grid above DENSE_CELLS), in both
        new.extra["dense"] = None
        ref.extra["dense_v1"] = None
    rng = np.random.default_rng(seed)
    ii, rr = rng.integers(0, n, size=200), rng.integers(0, n, size=200)
    assert _outcome(new.agree, ii, rr) == _outcome(old.agree, ref, ii, rr)
    assert _outcome(new.contribution, ii, rr) == _outcome(old.contribution, ref, ii, rr)
    empty = np.zeros(0, dtype=np.int64)
    assert _outcome(new.contribution, empty, empty) == _outcome(old.contribution, ref, empty, empty)


@SETTINGS
@given(st.integers(0, 2**32 - 1), WEIGHTS, WEIGHTS, st.sampled_from(["eq", "dist"]))
def test_eq_and_dist_scores_equal_the_previous_version(seed, w_agree, w_disagree, kind):
    """The score read at the verdict, for the comparators of two values too."""
    rng = np.random.default_rng(seed)
    n = 50
    if kind == "eq":
        c = Comparator("f", "equal", "eq", rng.integers(-1, 4, size=n), rng.integers(-1, 4, size=n))
    else:
        lo = rng.integers(0, 10, size=n).astype(np.float64)
        lo[rng.random(n) < 0.2] = np.nan
        x = rng.integers(0, 12, size=n).astype(np.float64)
        x[rng.random(n) < 0.2] = np.nan
        c = Comparator("f", "within 1", "dist", x, np.stack([lo, lo + rng.integers(0, 3, size=n)], axis=1), width=1.0)
    c.w_agree, c.w_disagree = w_agree, w_disagree
    ii, rr = rng.integers(0, n, size=300), rng.integers(0, n, size=300)
    assert _same(c.contribution(ii, rr), old.contribution(c, ii, rr))
