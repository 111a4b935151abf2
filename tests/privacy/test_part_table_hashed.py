"""``_PartTable._hashed`` gathers a (group, level)'s part from a table of its hashed codes (one
``_mix`` per distinct code, not per record asked: ~5 s of a 1M-row solve) when the table is small
beside the records, and hashes record by record otherwise: the same parts either way as the
method before (main at e381c8c, verbatim below), on every group and level of seeded tall tables,
and through the whole solve (tests/privacy/test_recoding_solve_equivalence.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.privacy.test_recoding_solve_equivalence import _tall

from anonymizer.privacy import recoding
from anonymizer.privacy.recoding import _mix, build_groups


def _ref_hashed(self, gi: int, level: int, rows: np.ndarray | slice) -> np.ndarray:
    code = self.codes.get(gi, level)[rows].astype(np.uint64)
    return _mix((np.uint64(gi) << np.uint64(48)) | (np.uint64(level) << np.uint64(40)) | code)


@pytest.mark.parametrize("tables", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_hashed_parts_are_the_reference_ones(seed, tables):
    frame, specs, _sensitive = _tall(seed)
    groups = build_groups(specs)
    parts = recoding._PartTable(recoding._Codes(frame, groups), groups, len(frame))
    if not tables:  # as if every (group, level) had more distinct codes than a quarter of the records
        parts.n = 0
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(frame), max(1, len(frame) // 3), replace=False))
    for gi, g in enumerate(groups):
        for level in range(g.top + 1):
            want = _ref_hashed(parts, gi, level, slice(None))
            assert parts._hashed(gi, level, slice(None)).tolist() == want.tolist()
            assert parts._hashed(gi, level, rows).tolist() == want[rows].tolist()
    made = [t is not None for t in parts._tables.values()]
    assert any(made) if tables else not any(made)
