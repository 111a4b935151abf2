"""pass 2's released values as they were before issue #21's arrays (main at f4ca61e), copied
verbatim: ``engine.parallel.released_part`` (a frame: ``privacy.recoding.release``'s, then the key
quasi-identifiers' slice, concatenated) and the ``release`` it called, which built a frame of
its object arrays; ``apply_plan`` then read each column back with ``to_numpy``. The new code hands
the arrays over as they are. tests/engine/test_released_part_equivalence.py compares the two."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.privacy.recoding import STAR, RecordSolution, _cell_texts
from anonymizer.values.text import factorize_text


def release(batch: pd.DataFrame, solution: RecordSolution) -> pd.DataFrame:
    """The released text of the attacker-known columns of a batch, at the levels solved for its
    records (``solution`` sliced to the batch); suppressed records are ``*`` throughout."""
    out = {}
    for gi, g in enumerate(solution.groups):
        lv = solution.levels[:, gi]
        at_levels = [(int(level), lv == level) for level in np.unique(lv)]
        for c in g.columns:
            if all(g.ladders[c].level_for(g.level_name(c, level)) == STAR for level, _at in at_levels):
                # every record of the batch at a level this column releases as *: its cells are
                # not read (what Ladder.apply gives for any value; wide short tables, issue #18)
                out[c] = np.full(len(batch), STAR, dtype=object)
                continue
            result = np.empty(len(batch), dtype=object)
            codes, uniques = factorize_text(_cell_texts(batch[c]))
            for level, at in at_levels:
                rendered = g.ladders[c].apply(uniques, g.level_name(c, level))
                result[at] = rendered[codes[at]]
            result[solution.suppressed] = STAR
            out[c] = result
    for c, (codes, texts, _own) in solution.swapped.items():
        result = texts[codes].astype(object)
        result[solution.suppressed] = STAR
        out[c] = result
    return pd.DataFrame(out, index=batch.index)


def released_part(batch: pd.DataFrame, part: tuple | None) -> pd.DataFrame | None:
    """The released values the privacy step decided for a batch's rows: the solved key
    quasi-identifiers (a frame slice) and/or the whole-record levels (``privacy.recoding``)."""
    if part is None:
        return None
    qi_part, records = part
    frames = []
    if records is not None:
        frames.append(release(batch, records))
    if qi_part is not None:
        frames.append(pd.DataFrame({c: qi_part[c].to_numpy() for c in qi_part.columns}, index=batch.index))
    return pd.concat(frames, axis=1) if frames else None
