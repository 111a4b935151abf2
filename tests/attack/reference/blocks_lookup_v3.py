# _Blocks.lookup of src/anonymizer/attack/linkage.py at commit d48292e (before the codes of a
# pattern's columns were packed into one number per row and factorised once, instead of twice per
# column, issue #21), kept verbatim as the reference (tests/attack/test_blocks_equivalence.py). Do not edit.
# ruff: noqa
from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.attack.facts import UNKNOWN
from anonymizer.attack.linkage import _Lookup, _unique_bool_rows


def lookup(self, keys: np.ndarray) -> _Lookup:
    """The candidates of every key (row) of ``keys`` at once: per (key, pattern of released
    rows) the segment of the pattern's rows, sorted by the codes the two both show, that
    carry the key's codes there (in row order)."""
    m = len(keys)
    readable = keys != UNKNOWN
    sources, starts, counts = [], np.zeros((m, len(self.parts)), dtype=np.int64), \
        np.zeros((m, len(self.parts)), dtype=np.int64)
    offset = 0
    for p, (rows, shown) in enumerate(self.parts):
        masks, which = _unique_bool_rows(readable[:, shown])
        for w, mask in enumerate(masks):
            cols = shown[mask]
            sel = np.flatnonzero(which == w)
            row_id = np.zeros(len(rows), dtype=np.int64)
            key_id = np.zeros(len(sel), dtype=np.int64)
            for j in cols:  # joint codes of the rows' and the keys' values, column by column
                values, distinct = pd.factorize(np.concatenate([self.rel[rows, j], keys[sel, j]]))
                both, _ = pd.factorize(np.concatenate([row_id, key_id]) * max(len(distinct), 1) + values)
                both = np.asarray(both, dtype=np.int64)
                row_id, key_id = both[:len(rows)], both[len(rows):]
            groups = int(max(row_id.max(initial=-1), key_id.max(initial=-1))) + 1
            sizes = np.bincount(row_id, minlength=groups)
            first = np.cumsum(sizes) - sizes
            sources.append(rows[np.argsort(row_id, kind="stable")])
            starts[sel, p] = first[key_id] + offset
            counts[sel, p] = sizes[key_id]
            offset += len(rows)
    source = np.concatenate(sources) if sources else np.zeros(0, dtype=np.int64)
    return _Lookup(source, starts, counts)
