"""``identities.name_hashes`` as it was before the per-value memo (main at a8212c0), copied
verbatim: every distinct value's words read and hashed on each call. test_identities_memo.py
compares the two."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.transform.identities import _words


def name_hashes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the identity number of its name words (0: none) and how many words it has.

    Computed once per distinct value; the words are hashed with ``pandas.util.hash_array``
    (fixed key: the same number in every process and run)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""), use_na_sentinel=False)
    words = [_words(u) if isinstance(u, str) else _words(str(u)) for u in uniques]
    counts = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    flat = [w for ws in words for w in ws]
    sums = np.zeros(len(words), dtype=np.uint64)
    if flat:
        h = pd.util.hash_array(np.asarray(flat, dtype=object), categorize=False)
        owner = np.repeat(np.arange(len(words)), counts)
        np.add.at(sums, owner, h)  # uint64: wraps around, a sum mod 2^64
    return sums[codes], counts[codes]
