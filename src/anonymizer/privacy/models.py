"""Privacy models evaluated on equivalence classes, vectorised over all classes of one transformation.

Inputs are the classes of a transformation: ``sizes[c]`` records in class ``c``, and for ℓ / t the
(class, sensitive value) pairs with their counts. Each function returns a boolean array "class violates".

* k-anonymity: Sweeney 2002 — a class must hold at least k records.
* ℓ-diversity (Machanavajjhala et al. 2007): *distinct* (≥ ℓ sensitive values), *entropy*
  (H(class) ≥ log ℓ) and *recursive (c,ℓ)* (r1 < c·(r_ℓ + … + r_m), r sorted decreasing).
* t-closeness (Li, Li, Venkatasubramanian 2007, "t-Closeness: Privacy Beyond k-Anonymity and ℓ-Diversity"):
  Earth Mover's Distance between the class distribution P and the table distribution Q ≤ t,
  with the *equal* ground distance (EMD = ½ Σ|p_i − q_i|) or the *ordered* one
  (EMD = 1/(m−1) Σ_i |Σ_{j≤i} (p_j − q_j)|), as ARX's EqualDistanceTCloseness / OrderedDistanceTCloseness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = 1e-12


@dataclass(frozen=True)
class Models:
    """The privacy targets of one search (None = model not used)."""

    k: int | None = None
    l: float | None = None  # noqa: E741 - the literature's name
    l_variant: str = "distinct"
    c: float | None = None
    t: float | None = None
    t_variant: str = "equal"

    @property
    def needs_sensitive(self) -> bool:
        return self.l is not None or self.t is not None

    @property
    def monotone_with_suppression(self) -> bool:
        """k-anonymity and distinct-ℓ stay satisfied when classes merge, even next to violating
        classes: the merged class is at least as large / diverse as its best part. Entropy-ℓ,
        recursive-(c,ℓ) and t-closeness can turn a satisfying class into a violating one when it merges
        with a violating class, so with suppression they are not monotone (ARX: Kohlmayer et al. 2012)."""
        if self.t is not None:
            return False
        return self.l is None or self.l_variant == "distinct"


def k_violations(sizes: np.ndarray, k: int) -> np.ndarray:
    return sizes < k


def distinct_l_violations(pair_cls: np.ndarray, n_classes: int, l: float) -> np.ndarray:  # noqa: E741
    return np.bincount(pair_cls, minlength=n_classes) < l


def entropy_l_violations(pair_cls, pair_cnt, sizes, l) -> np.ndarray:  # noqa: E741
    p = pair_cnt / sizes[pair_cls]
    h = -np.bincount(pair_cls, weights=p * np.log(p), minlength=len(sizes))
    return h < np.log(l) - _EPS


def recursive_cl_violations(pair_cls, pair_cnt, n_classes, c, l) -> np.ndarray:  # noqa: E741
    order = np.lexsort((-pair_cnt, pair_cls))
    cls = pair_cls[order]
    cnt = pair_cnt[order]
    starts = np.searchsorted(cls, np.arange(n_classes))
    rank = np.arange(len(cls)) - starts[cls]
    r1 = np.zeros(n_classes)
    r1[cls[rank == 0]] = cnt[rank == 0]
    tail = np.bincount(cls, weights=np.where(rank >= int(np.ceil(l)) - 1, cnt, 0.0), minlength=n_classes)
    return ~(r1 < c * tail)


def equal_t_violations(pair_cls, pair_cnt, pair_sens, sizes, q, t) -> np.ndarray:
    p = pair_cnt / sizes[pair_cls]
    qs = q[pair_sens]
    inside = np.bincount(pair_cls, weights=np.abs(p - qs), minlength=len(sizes))
    q_inside = np.bincount(pair_cls, weights=qs, minlength=len(sizes))
    emd = 0.5 * (inside + 1.0 - q_inside)
    return emd > t + _EPS


def ordered_t_violations(pair_cls, pair_cnt, pair_rank, sizes, q_ordered, t, chunk_cells=4_000_000) -> np.ndarray:
    """``pair_rank`` = position of the pair's sensitive value in the value order; dense per chunk of classes."""
    n_classes = len(sizes)
    m = len(q_ordered)
    if m <= 1:
        return np.zeros(n_classes, dtype=bool)
    out = np.zeros(n_classes, dtype=bool)
    step = max(1, chunk_cells // m)
    order = np.argsort(pair_cls, kind="stable")
    cls_sorted = pair_cls[order]
    for lo in range(0, n_classes, step):
        hi = min(lo + step, n_classes)
        a, b = np.searchsorted(cls_sorted, [lo, hi])
        sel = order[a:b]
        dense = np.zeros((hi - lo, m))
        dense[pair_cls[sel] - lo, pair_rank[sel]] = pair_cnt[sel] / sizes[pair_cls[sel]]
        dense -= q_ordered
        emd = np.abs(np.cumsum(dense, axis=1)).sum(axis=1) / (m - 1)
        out[lo:hi] = emd > t + _EPS
    return out
