"""``noise``: bounded, keyed random perturbation of numbers (additive or multiplicative
uniform noise, the masking-by-noise of the SDC literature, e.g. Hundepool et al.,
*Statistical Disclosure Control*, 2012, §3.4.2).

The draw for a row is ``HMAC(key, "noise/" + column, person id)`` mapped to ``u`` in
``[-1, 1)``; the output is ``x * (1 + relative * u)`` or ``x + absolute * u``, then rounded to
the input's decimals (or ``round``). So ``|out - x| <= bound`` (plus half a unit of the last
decimal), the same person gets the same perturbation in every file, and the text keeps its
decimal comma. Additive noise never flips the sign of a non-negative value (``keep_sign``).
Without a person key the draw is keyed on the row position and the value instead: still
deterministic for a given input, not stable across files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.errors import PolicyError
from anonymizer.transform.base import (
    TransformContext,
    from_text,
    is_numeric,
    prf,
    require_key,
    subkey,
    to_text,
)
from anonymizer.transform.dates import person_ids
from anonymizer.transform.numbers import format_number, parse_number


def _uniforms(ids: list[str], sk: bytes) -> np.ndarray:
    return np.array([int.from_bytes(prf(sk, i)[:6], "big") / float(1 << 47) - 1.0 for i in ids], dtype=float)


def noise(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Params: ``relative`` (e.g. 0.05 = ±5 %) or ``absolute`` (e.g. 50); ``round`` (decimals,
    default: the input's); ``keep_sign`` (true); ``person_column`` (see dates.person_ids)."""
    key = require_key(key, "noise")
    rel, ab = params.get("relative"), params.get("absolute")
    if (rel is None) == (ab is None):
        raise PolicyError(f"noise on column {context.column!r}: give exactly one of params.relative, params.absolute")
    bound = float(rel if rel is not None else ab)
    if bound < 0 or (rel is not None and bound >= 1):
        raise PolicyError(f"noise on column {context.column!r}: relative must be in [0, 1), absolute >= 0")
    dec = params.get("round")
    keep_sign = bool(params.get("keep_sign", True))
    sk = subkey(key, "noise/" + str(context.column))
    pids = person_ids(params, context, "noise", required=False)
    text = to_text(series)
    n = len(text)
    if pids is not None and len(pids) == n:
        ids = pids.tolist()
    else:
        ids = [f"{i}\x1f{v}" for i, v in enumerate(text.tolist())]
    codes, uniques = pd.factorize(pd.Series(ids, dtype=object), use_na_sentinel=False)
    u = _uniforms([str(x) for x in uniques], sk)[codes]

    if is_numeric(series):
        x = series.to_numpy(dtype=float, na_value=np.nan)
        y = x * (1.0 + bound * u) if rel is not None else x + bound * u
        if keep_sign:
            y = np.where((x >= 0) & (y < 0), 0.0, y)
        if pd.api.types.is_integer_dtype(series.dtype) or dec is not None:
            y = np.round(y, int(dec or 0))
        out = pd.Series(y, index=series.index, name=series.name)
        if pd.api.types.is_integer_dtype(series.dtype):
            return out.astype(series.dtype if not np.isnan(y).any() else "Int64")
        return out

    vals = text.tolist()
    parsed: dict[str, object] = {}
    out = []
    for v, ui in zip(vals, u.tolist(), strict=True):
        if not v:
            out.append("")
            continue
        p = parsed.get(v)
        if p is None:
            p = parsed[v] = parse_number(v) or False
        if not p:
            out.append("")  # not a number: suppressed rather than kept unperturbed
            continue
        x = p.value
        y = x * (1.0 + bound * ui) if rel is not None else x + bound * ui
        if keep_sign and x >= 0 and y < 0:
            y = 0.0
        out.append(format_number(y, p, None if dec is None else int(dec)))
    return from_text(series, out)
