"""Sampling-weighted individual and global risk with sdcMicro's semantics (``anon risk --weights``).

sdcMicro (Templ, Kowarik & Meindl 2015, "Statistical Disclosure Control for Micro-Data Using the R
Package sdcMicro", J. Stat. Softw. 67(4)) measures the risk of a survey sample from its sampling weights:

* ``freqCalc``: per record, ``f_k`` = records of the sample sharing its key (its combination of
  quasi-identifiers) and ``F_k`` = the sum of their weights, the estimated population frequency.
  With the *wildcard* missing rule (sdcMicro's, ``NA`` in R) a missing cell matches every category:
  ``f_k`` counts every record whose key agrees on each column where both cells are present, and
  ``F_k`` sums their weights (sdcMicro's ``alpha = 1``, its default). A record whose quasi-identifiers
  are all missing then matches the whole sample.
* ``indivRisk`` (``method = "approx"``): the individual risk of Benedetti & Franconi (1998), the
  expectation of 1/F_k under a negative-binomial posterior of F_k given f_k (Franconi & Polettini
  2004), with p_k = f_k / F_k::

      f_k = 1: r = p/(1−p) · log(1/p)
      f_k = 2: r = p/(1−p) − (p/(1−p))² · log(1/p)
      f_k > 2: r = p / (f_k − (1 − p))
      f_k = F_k (a census of the key): r = 1/f_k

  Without weights (``survey = FALSE``) r = 1/f_k.
* ``measure_risk``: global risk = mean of r over the records, expected re-identifications = Σ r.

The *value* missing rule (the rest of the report's, ``risk.classes``) makes a missing cell a
category of its own instead. Every record is counted, as sdcMicro does (records whose
quasi-identifiers are all missing are not set apart here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anonymizer.errors import UsageError
from anonymizer.i18n import _, ngettext
from anonymizer.risk.classes import MISSING_CODE
from anonymizer.values.arrays import sorted_unique

MISSING_RULES = ("value", "wildcard")


def _joint_key(cols: list[np.ndarray]) -> np.ndarray:
    """One dense int64 id per row for the tuple of ``cols`` (factorised column by column: no overflow)."""
    n = len(cols[0]) if cols else 0
    key = np.zeros(n, dtype=np.int64)
    for col in cols:
        card = int(col.max()) + 1 if n else 1
        key, _ = pd.factorize(key * card + col.astype(np.int64))
        key = key.astype(np.int64)
    return key


def frequencies(codes: list[np.ndarray], weights: np.ndarray | None = None, *,
                missing: str = "value") -> tuple[np.ndarray, np.ndarray]:
    """``(f_k, F_k)`` of every record (sdcMicro's ``freqCalc``). ``codes`` are the columns' integer
    codes with ``MISSING_CODE`` for a missing cell (``risk.classes.encode_table``); ``F_k`` sums
    ``weights`` (1 per record when None)."""
    if missing not in MISSING_RULES:
        raise UsageError(_('missing rule must be one of {MISSING_RULES}').format(MISSING_RULES=', '.join(MISSING_RULES)))
    n = len(codes[0]) if codes else 0
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if missing == "value" or n == 0:
        key = _joint_key(codes)
        f = np.bincount(key).astype(float)
        F = np.bincount(key, weights=w)
        return f[key], F[key]
    # wildcard: records grouped by their pattern of present cells; a pattern P matches pattern Q on
    # the columns present in both (every record is compatible with itself)
    d = len(codes)
    present = np.stack([c != MISSING_CODE for c in codes], axis=1)
    pattern = present.astype(np.int64) @ (1 << np.arange(d, dtype=np.int64)) if d else np.zeros(n, np.int64)
    pats = sorted_unique(pattern)
    if len(pats) > 512:
        raise UsageError(_('{pats} different patterns of missing quasi-identifiers: too many for the wildcard rule (at most 512); use --missing value').format(pats=len(pats)))
    fk = np.zeros(n)
    Fk = np.zeros(n)
    rows_of = {int(p): np.flatnonzero(pattern == p) for p in pats}
    for p, rows_p in rows_of.items():
        for q, rows_q in rows_of.items():
            common = [j for j in range(d) if (p >> j) & 1 and (q >> j) & 1]
            if not common:  # nothing to disagree on: every record of q matches
                fk[rows_p] += len(rows_q)
                Fk[rows_p] += w[rows_q].sum()
                continue
            both = np.r_[rows_p, rows_q]
            key = _joint_key([codes[j][both] for j in common])
            kp, kq = key[: len(rows_p)], key[len(rows_p):]
            size = int(key.max()) + 1
            fk[rows_p] += np.bincount(kq, minlength=size)[kp]
            Fk[rows_p] += np.bincount(kq, weights=w[rows_q], minlength=size)[kp]
    return fk, Fk


def individual_risk(fk: np.ndarray, Fk: np.ndarray | None) -> np.ndarray:
    """sdcMicro's ``indivRisk`` (approx): the negative-binomial individual risk of each record;
    1/f_k without weights (``Fk`` None)."""
    fk = np.asarray(fk, dtype=float)
    if Fk is None:
        return 1.0 / fk
    Fk = np.asarray(Fk, dtype=float)
    p = fk / Fk
    r = np.zeros_like(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = p / (1.0 - p)
        log_inv = np.log(1.0 / p)
        one, two, more = fk == 1, fk == 2, fk > 2
        r[one] = (odds * log_inv)[one]
        r[two] = (odds - odds * odds * log_inv)[two]
        r[more] = (p / (fk - (1.0 - p)))[more]
    census = fk == Fk
    r[census] = 1.0 / fk[census]
    return r


def read_weights(series: pd.Series, column: str) -> np.ndarray:
    """The sampling weights of ``column`` as floats; a missing, non-numeric or < 1 weight is an error
    (a record stands for at least itself in the population)."""
    from anonymizer.values.numbers import to_numbers

    w = np.asarray(to_numbers(series), dtype=float) if series.dtype == object else pd.to_numeric(
        series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w)
    if bad.any():
        raise UsageError(ngettext('weight column {column!r}: {n} cell(s) missing or not a number',
                                  'weight column {column!r}: {n} cell(s) missing or not a number',
                                  int(bad.sum())).format(column=column, n=int(bad.sum())))
    low = w < 1
    if low.any():
        raise UsageError(ngettext('weight column {column!r}: {n} weight(s) below 1 (a sampling weight is the number of people a record stands for)',
                                  'weight column {column!r}: {n} weight(s) below 1 (a sampling weight is the number of people a record stands for)',
                                  int(low.sum())).format(column=column, n=int(low.sum())))
    return w


def weighted_risk(codes: list[np.ndarray], weights: np.ndarray | None, *, missing: str = "value",
                  k: int = 3, threshold: float = 0.2, weight_column: str | None = None) -> dict:
    """The report's ``sdcmicro`` section: f_k / F_k, individual risk, global risk (counts and shares only)."""
    fk, Fk = frequencies(codes, weights, missing=missing)
    r = individual_risk(fk, Fk if weights is not None else None)
    n = len(r)
    er = float(r.sum())
    return {
        "weights": weight_column,
        "missing": missing,
        "method": "sdcMicro freqCalc + indivRisk (approx) + measure_risk",
        "records": int(n),
        "estimated_population": float(np.sum(weights)) if weights is not None else None,
        "sample_uniques": int((fk == 1).sum()),
        "records_fk_below_k": int((fk < k).sum()),
        "k": int(k),
        "individual_risk": {
            "highest": float(r.max()) if n else 0.0,
            "mean": er / n if n else 0.0,
            "threshold": float(threshold),
            "records_above_threshold": int((r > threshold).sum()),
        },
        "global_risk": er / n if n else 0.0,
        "global_risk_pct": 100 * er / n if n else 0.0,
        "expected_reidentifications": er,
    }
