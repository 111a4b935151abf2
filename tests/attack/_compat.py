"""An independent linkage attack for the end-to-end tests: the strongest attacker the brief names.

The attacker holds every person's original values of some columns and knows the published method
*exactly*: for each column, which released value each original value can become. That knowledge
is read off the true (original, released) pairs of the run itself, so it needs nothing from the
code under test and is at least as strong as any attacker who knows the levels, the ladders and
the suppression. A person's candidates are the released rows whose every column is compatible
with their original values; their success is 1 / |candidates| when their own row is among them.

With k-anonymity over those columns, every released row shares its values with at least k - 1
others, so no candidate set is smaller than k: the test asserts what the release claims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class CompatAttack:
    success: np.ndarray        # per person: 1/|candidates| (0 when the true row is not a candidate)
    candidates: np.ndarray     # per person: number of compatible released rows
    found_own_row: np.ndarray  # per person: is the true row among the candidates?

    @property
    def mean_success(self) -> float:
        return float(self.success.mean())

    @property
    def unique_share(self) -> float:
        return float(((self.candidates == 1) & self.found_own_row).mean())


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").str.strip()


def true_pairs(original: pd.Series, released: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(original codes, released codes, allowed[original value, released value]): what the method
    does to each value, read off the run's own row-aligned (original, released) pairs."""
    o_codes, o_vals = pd.factorize(_text(original))
    r_codes, r_vals = pd.factorize(_text(released))
    allowed = np.zeros((len(o_vals), len(r_vals)), dtype=bool)
    allowed[o_codes, r_codes] = True
    return o_codes, r_codes, allowed


def compat_attack(original: pd.DataFrame, released: pd.DataFrame, columns: list[str]) -> CompatAttack:
    """Row-aligned ``original`` and ``released``; the attacker knows ``columns`` of the original."""
    n = len(original)
    assert len(released) == n
    # released rows grouped by their tuple over the columns: the attacker sees classes
    rel = pd.DataFrame({c: _text(released[c]) for c in columns})
    cls, uniques = pd.factorize(pd.MultiIndex.from_frame(rel)) if columns else (np.zeros(n, int), [()])
    sizes = np.bincount(cls, minlength=len(uniques))
    ok = np.ones((n, len(uniques)), dtype=bool)  # person x released class
    for c in columns:
        o_codes, r_codes, allowed = true_pairs(original[c], released[c])
        class_r = np.empty(len(uniques), dtype=np.int64)
        class_r[cls] = r_codes
        ok &= allowed[o_codes][:, class_r]
    candidates = ok.astype(np.int64) @ sizes
    own = ok[np.arange(n), cls]
    success = np.where(own, 1.0 / np.maximum(candidates, 1), 0.0)
    return CompatAttack(success, candidates, own)
