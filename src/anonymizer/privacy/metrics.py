"""Quality models (information loss) with ARX's definitions (arx-deidentifier/arx, ``metric/v2``).

Every metric gives ``bound(nodes)``: a lower bound computed from the generalisation levels alone
(vectorised over the whole lattice; it ignores suppression, which can only add loss), and
``value(...)``: the exact loss of one transformation given its classes and which are suppressed.

* ``loss`` — ARX ``MetricMDNMLoss`` (Iyengar 2002, "Transforming data to satisfy privacy constraints", KDD;
  LM as ARX normalises it), geometric mean: per attribute, Σ over kept records of g · share(generalised value)
  (share = leaves under it / leaves in the hierarchy) + for suppressed records s-weighted cost
  (share + s·(1 − share), i.e. 1 when s = 1); normalised (x − g·n/|D|) / (n − g·n/|D|); aggregate
  Π(v_j + 1)^(1/d) − 1. The gs-factor γ ∈ [0, 1] (ARX's ``createLossMetric(gsFactor)``, default 0.5) weighs
  generalisation against suppression: s = 2γ if γ < 0.5 else 1, g = 1 if γ ≤ 0.5 else 2 − 2γ.
* ``loss_rank`` (``anon evaluate`` only) — the same per-attribute values with ARX's
  ``AggregateFunction.RANK`` (``ILMultiDimensionalRank``): the vector sorted in decreasing order, each value
  floored to 10 decimals as ARX does (``Metric.round``). ARX compares such vectors lexicographically; the
  search minimises a number, so it does not offer this aggregate.
* ``entropy`` — ARX ``MetricMDNUNMEntropyPrecomputed`` (non-uniform entropy, Gionis & Tassa 2009, ARX's
  non-monotonic variant, sum): Σ_j −Σ_records log2(freq(original)/freq(generalised)); suppressed records
  add −Σ_g c_g log2(c_g / s) per attribute. ``entropy_monotonic`` leaves that term out (``MetricMDNUEntropy``).
* ``discernibility`` — ARX ``MetricSDNMDiscernability`` (Bayardo & Agrawal 2005): Σ|E|² over kept
  classes + n per suppressed record.
* ``dm_star`` — ARX ``MetricSDDiscernability`` (DM*, monotonic): Σ|E|² over every class, suppressed ones
  included (Bayardo & Agrawal 2005; ARX's ``createDiscernabilityMetric(true)``).
* ``precision`` — ARX ``MetricMDNMPrecision`` (Sweeney 2002, "Achieving k-anonymity privacy protection using
  generalization and suppression", IJUFKS 10(5)), arithmetic mean over attributes of
  (kept · level/height + suppressed) / n.
* ``precision_monotonic`` (CLI ``precision-mono``) — ARX ``MetricMDPrecision`` (``createPrecisionMetric(true)``):
  mean of level/height over attributes, suppression ignored (ARX returns its lower bound as the value), so
  it is monotone: generalising never lowers it.
* ``aecs`` — ARX ``MetricSDAECS`` (LeFevre et al. 2006): n / (kept classes + 1 if anything is suppressed).
* ``height`` — ARX ``MetricMDHeight``: sum of the levels.
"""

from __future__ import annotations

import numpy as np

from anonymizer.errors import UsageError
from anonymizer.i18n import _

METRICS = ("loss", "entropy", "entropy_monotonic", "discernibility", "dm_star", "precision", "precision_monotonic",
           "aecs", "height")
#: the CLI's spellings of the metrics whose library name has an underscore
ALIASES = {"entropy-mono": "entropy_monotonic", "dm-star": "dm_star", "precision-mono": "precision_monotonic"}
#: ARX's default gs-factor of Loss (generalisation and suppression weighed alike)
GS_FACTOR = 0.5


def metric_name(name: str) -> str:
    """The library name of a metric given in the library's or the CLI's spelling."""
    return ALIASES.get(name, name)


class Metric:
    """Base: ``prepare`` sees the encoded data once; the search calls ``bound`` then ``value``."""

    name = "base"
    #: True when value == bound for every transformation that suppresses nothing.
    bound_is_exact_without_suppression = True

    def prepare(self, prob) -> None:  # prob: lattice._Problem
        self.n = prob.n
        self.heights = np.array(prob.heights)
        self.d = len(prob.heights)

    def bound(self, nodes: np.ndarray) -> np.ndarray:
        return np.zeros(len(nodes))

    def value(self, node, cls_gens, sizes, viol) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class LossMetric(Metric):
    name = "loss"

    def __init__(self, gs_factor: float = GS_FACTOR) -> None:
        if not 0.0 <= gs_factor <= 1.0:
            raise UsageError(_("gs_factor must be between 0 and 1"))
        self.gs_factor = gs_factor
        self.s_factor = 2.0 * gs_factor if gs_factor < 0.5 else 1.0  # ARX MetricMDNMLoss
        self.g_factor = 1.0 if gs_factor <= 0.5 else 1.0 - 2.0 * (gs_factor - 0.5)

    def prepare(self, prob) -> None:
        super().prepare(prob)
        self.shares = prob.shares  # [j][level] -> array over generalised ids
        self.domain = np.array(prob.domain_sizes, dtype=float)
        # Σ over records of share at each level: the loss when nothing is suppressed
        self.level_sum = [
            np.array([float(np.dot(prob.code_counts[j], self.shares[j][lv][prob.gid[j][lv]]))
                      for lv in range(h + 1)])
            for j, h in enumerate(prob.heights)
        ]

    def _normalise(self, agg: np.ndarray, j: int) -> np.ndarray:
        lo = self.g_factor * self.n / self.domain[j]
        den = self.n - lo
        if den <= 0:
            return np.zeros_like(agg)
        return np.maximum((agg - lo) / den, 0.0)

    def _aggregate(self, per_dim: np.ndarray) -> np.ndarray:
        return np.prod((per_dim + 1.0) ** (1.0 / self.d), axis=-1) - 1.0

    def bound(self, nodes):
        per = np.stack([self._normalise(self.g_factor * self.level_sum[j][nodes[:, j]], j) for j in range(self.d)],
                       axis=1)
        return self._aggregate(per)

    def per_attribute(self, node, cls_gens, sizes, viol) -> np.ndarray:
        """The normalised loss of each quasi-identifier (before aggregation)."""
        per = np.empty(self.d)
        s = float(sizes[viol].sum())
        for j in range(self.d):
            total = self.level_sum[j][node[j]]
            # multiply-and-sum, not np.dot: OpenBLAS threads made a 60,000-long dot cost 7 ms on a busy machine
            supp = float((sizes[viol] * self.shares[j][node[j]][cls_gens[viol, j]]).sum()) if s else 0.0
            cost = s if self.s_factor == 1.0 else supp + self.s_factor * (s - supp)
            per[j] = self._normalise(np.array(self.g_factor * (total - supp) + cost), j)
        return per

    def value(self, node, cls_gens, sizes, viol):
        return float(self._aggregate(self.per_attribute(node, cls_gens, sizes, viol)))

    def rank(self, node, cls_gens, sizes, viol) -> list[float]:
        """ARX's RANK aggregate: per-attribute values floored to 10 decimals, in decreasing order."""
        per = np.floor(self.per_attribute(node, cls_gens, sizes, viol) * 1e10) / 1e10
        return sorted((float(v) for v in per), reverse=True)


class EntropyMetric(Metric):
    name = "entropy"
    monotonic = False

    def prepare(self, prob) -> None:
        super().prepare(prob)
        self.level_ent = []
        for j, h in enumerate(prob.heights):
            a = prob.code_counts[j].astype(float)
            vals = []
            for lv in range(h + 1):
                g = prob.gid[j][lv]
                b = np.bincount(g, weights=a)[g]
                nz = a > 0
                vals.append(float(-(a[nz] * np.log2(a[nz] / b[nz])).sum()))
            self.level_ent.append(np.array(vals))
        self.bound_is_exact_without_suppression = True

    def bound(self, nodes):
        return np.sum([self.level_ent[j][nodes[:, j]] for j in range(self.d)], axis=0)

    def value(self, node, cls_gens, sizes, viol):
        total = float(sum(self.level_ent[j][node[j]] for j in range(self.d)))
        s = float(sizes[viol].sum())
        if self.monotonic or not s:
            return total
        for j in range(self.d):
            cs = np.bincount(cls_gens[viol, j], weights=sizes[viol])
            cs = cs[cs > 0]
            total += float(-(cs * np.log2(cs / s)).sum())
        return total


class EntropyMonotonicMetric(EntropyMetric):
    name = "entropy_monotonic"
    monotonic = True


class DiscernibilityMetric(Metric):
    name = "discernibility"
    bound_is_exact_without_suppression = False  # no level-only bound: the search evaluates

    def value(self, node, cls_gens, sizes, viol):
        kept = sizes[~viol].astype(float)
        return float((kept * kept).sum() + self.n * sizes[viol].sum())


class DMStarMetric(Metric):
    name = "dm_star"
    bound_is_exact_without_suppression = False

    def value(self, node, cls_gens, sizes, viol):
        s = sizes.astype(float)
        return float((s * s).sum())


class PrecisionMetric(Metric):
    name = "precision"

    def _per_dim(self, nodes):
        h = np.where(self.heights == 0, 1, self.heights)
        return np.where(self.heights == 0, 0.0, nodes / h)

    def bound(self, nodes):
        return self._per_dim(nodes).mean(axis=1)

    def value(self, node, cls_gens, sizes, viol):
        s = float(sizes[viol].sum())
        per = self._per_dim(np.asarray(node)[None, :])[0]
        return float(((self.n - s) * per + s).mean() / self.n)


class PrecisionMonotonicMetric(PrecisionMetric):
    name = "precision_monotonic"

    def value(self, node, cls_gens, sizes, viol):
        return float(self._per_dim(np.asarray(node)[None, :])[0].mean())


class AECSMetric(Metric):
    name = "aecs"
    bound_is_exact_without_suppression = False

    def value(self, node, cls_gens, sizes, viol):
        # classes without a record of the research subset (δ-presence) are not in the output
        groups = int(((~viol) & (sizes > 0)).sum()) + (1 if sizes[viol].sum() > 0 else 0)
        return float(self.n / groups) if groups else float(self.n)


class HeightMetric(Metric):
    name = "height"

    def bound(self, nodes):
        return nodes.sum(axis=1).astype(float)

    def value(self, node, cls_gens, sizes, viol):
        return float(sum(node))


def make_metric(name: str, gs_factor: float = GS_FACTOR) -> Metric:
    """The metric ``name``; ``gs_factor`` is Loss's (the other metrics have none here)."""
    table = {
        "loss": LossMetric, "entropy": EntropyMetric, "entropy_monotonic": EntropyMonotonicMetric,
        "discernibility": DiscernibilityMetric, "dm_star": DMStarMetric, "precision": PrecisionMetric,
        "precision_monotonic": PrecisionMonotonicMetric, "aecs": AECSMetric, "height": HeightMetric,
    }
    name = metric_name(name)
    return LossMetric(gs_factor) if name == "loss" else table[name]()
