"""Optimal full-domain generalisation with record suppression (the ARX problem), in numpy.

A *transformation* (lattice node) gives one generalisation level per quasi-identifier. It is
*feasible* when the records of the classes violating the privacy models number at most
floor(max_suppression × n); those records are suppressed. The search returns the feasible node
with the smallest information loss (metrics.py), as ARX does (Kohlmayer et al. 2012, "Flash: efficient,
stable and optimal k-anonymity"; Prasser et al. 2014, ARX).

How it is exact and fast:

* each quasi-identifier is encoded once as integers; the table is reduced to its distinct
  (quasi-identifiers [, sensitive]) rows with counts; a level is a lookup array code -> generalised id;
* the metric gives a lower bound from the levels alone (suppression only adds loss), for the
  whole lattice at once; nodes are visited in increasing bound order and the search stops as soon as
  the bound reaches the best loss found — nothing left can beat it (branch and bound, exact);
* feasibility pruning only where it provably holds: when the models are monotone (k-anonymity and
  distinct-ℓ always; every model when no suppression is allowed), an infeasible node makes all its
  predecessors infeasible and a feasible one all its successors feasible. Loss itself is *not*
  monotone with suppression, so successors are never pruned on loss, only skipped when the bound says so;
* before the bound-ordered walk (monotone models only), every node with all attributes but two or
  three at the top is checked: small tables, and an infeasible one prunes a whole down-set
  (Incognito's subset property, LeFevre et al. 2005);
* with a suppression budget and k-anonymity or distinct-ℓ, nodes are visited top-down instead, and each
  evaluation raises the bound of its whole down-set by what its suppressed records cost (they are
  suppressed below too, at a cost at least as high): ``_descend``; this is what lets unlimited
  suppression finish (CUP: 45,000 nodes, a few hundred evaluated);
* classes of a node are rolled up from the smallest cached finer node (lookup of generalised ids,
  one hash grouping), not recomputed from the records.

Lattices too large to enumerate, or searches that exceed ``time_budget``, fall back to a greedy
top-down descent (documented in docs/search.md) and say so with ``exact=False``.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _, ngettext
from anonymizer.masking import mask_value
from anonymizer.privacy import models as M
from anonymizer.privacy.hierarchy import Hierarchy, _text
from anonymizer.privacy.metrics import ALIASES, GS_FACTOR, METRICS, make_metric
from anonymizer.values.numbers import to_numbers

MAX_EXACT_NODES = 2_000_000
#: the population-uniqueness estimators (ARX's PopulationUniquenessModel)
POPULATION_MODELS = ("pitman", "zayatz", "snb", "dankar")
_CACHE_ROWS = 4_000_000
_CACHE_ENTRIES = 512
_PAIR_PREPASS = True
_PREPASS_DEPTH = 3
_PREPASS_MAX_CHECKS = 5000
_DESCEND = True
#: what the report says when the time budget stopped the search before it could prove its answer optimal
TIME_BUDGET_LABEL = "best found within the time budget, not proven optimal"


@dataclass
class SearchResult:
    """What the search found. ``levels`` is None when no transformation satisfies the models."""

    quasi_identifiers: list[str]
    levels: dict[str, int] | None
    information_loss: float | None
    metric: str
    suppressed: int
    classes: int
    transformations_checked: int
    lattice_size: int
    exact: bool
    elapsed: float
    records: int
    max_suppressed: int
    suppressed_rows: np.ndarray | None = field(default=None, repr=False)
    #: why the answer is not proven optimal: "time_budget", "lattice_size" or "greedy" (None when exact)
    stopped: str | None = None

    @property
    def feasible(self) -> bool:
        return self.levels is not None

    def to_dict(self) -> dict:
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "levels": dict(self.levels) if self.levels is not None else None,
            "information_loss": self.information_loss,
            "metric": self.metric,
            "suppressed_records": self.suppressed,
            "max_suppressed_records": self.max_suppressed,
            "records": self.records,
            "classes": self.classes,
            "transformations_checked": self.transformations_checked,
            "lattice_size": self.lattice_size,
            "exact": self.exact,
            "search": "optimal" if self.exact else (
                TIME_BUDGET_LABEL if self.stopped == "time_budget" else "heuristic"),
            "proven_optimal": self.exact,
            "elapsed_seconds": round(self.elapsed, 4),
        }


@dataclass
class _Table:
    levels: tuple[int, ...]
    gens: np.ndarray  # d x rows: generalised ids at ``levels`` (one contiguous array per attribute)
    sens: np.ndarray | None  # rows (sensitive code) or None
    counts: np.ndarray  # rows
    pcounts: np.ndarray | None = None  # rows: records of the population table (δ-presence), else None


@dataclass
class _Eval:
    feasible: bool
    suppressed: int
    n_classes: int
    cls_gens: np.ndarray
    sizes: np.ndarray
    viol: np.ndarray
    table: _Table
    row_class: np.ndarray | None = None  # class of each table row (only when asked)
    suppressed_monotone: int = 0  # records violating the monotone models alone (k, distinct-l)
    viol_mono: np.ndarray | None = None  # classes violating those models (None: no monotone model given)


class _Problem:
    """The encoded table: every quasi-identifier as integer codes, levels as lookup arrays."""

    def __init__(self, df: pd.DataFrame, hierarchies: dict[str, Hierarchy], qis: list[str],
                 sensitive: str | None, models: M.Models, max_suppression: float,
                 count_w: np.ndarray | None = None, pcount_w: np.ndarray | None = None):
        """``count_w`` / ``pcount_w`` (δ-presence): each row's weight in the research subset (the records
        released, counted by the models and metrics) and in the population table (δ's denominator)."""
        self.qis = qis
        self.models = models
        self.n = int(count_w.sum()) if count_w is not None else len(df)
        self.weighted = count_w is not None  # δ-presence: classes may hold population rows that cost nothing
        self.budget = int(math.floor(max_suppression * self.n + 1e-9))
        self.heights, self.gid, self.cards, self.shares, self.domain_sizes = [], [], [], [], []
        self.code_counts, self.upmaps = [], []
        self.star: list[list[np.ndarray]] = []  # [j][level] -> generalised id is ARX's suppressed value "*"
        #: the metric whose per-class loss orders the classes a sample-based model suppresses (Loss only)
        self.order_metric = None
        codes_cols = []
        for col in qis:
            h = hierarchies[col]
            codes, uniques = _codes(df[col])
            rows_idx = h.row_index(uniques)
            if (rows_idx < 0).any():
                missing = [u for u, i in zip(uniques, rows_idx, strict=True) if i < 0]
                raise InputError(
                    ngettext('column {column!r}: {n} value(s) missing from its hierarchy, e.g. {example!r}',
                             'column {column!r}: {n} value(s) missing from its hierarchy, e.g. {example!r}',
                             len(missing)).format(column=col, n=len(missing), example=mask_value(missing[0]))
                )
            gids, cards, shares, stars = [], [], [], []
            frame = h.frame
            for lv in range(h.height + 1):
                strings = frame[lv].to_numpy()[rows_idx]
                g, uniq = pd.factorize(strings, sort=False)
                stars.append(np.asarray(uniq, dtype=object) == "*")
                gids.append(g.astype(np.int64))
                cards.append(len(uniq))
                shares.append(h.share_series(lv).reindex(uniq).to_numpy(dtype=float))
            self.heights.append(h.height)
            self.star.append(stars)
            self.gid.append(gids)
            self.cards.append(cards)
            self.shares.append(shares)
            self.domain_sizes.append(len(h.rows))
            self.code_counts.append(np.bincount(codes, weights=count_w, minlength=len(uniques)).astype(np.int64))
            # up-maps: generalised id at level a -> level b, when the hierarchy is a tree on present values
            ups = {}
            for a in range(h.height + 1):
                for b in range(a + 1, h.height + 1):
                    m = np.full(cards[a], -1, dtype=np.int64)
                    m[gids[a]] = gids[b]
                    if np.array_equal(m[gids[a]], gids[b]):
                        ups[(a, b)] = m
            self.upmaps.append(ups)
            codes_cols.append(codes.astype(np.int64))
        self.d = len(qis)
        # sensitive attribute
        self.sens_codes = None
        self.q = self.q_ordered = self.rank_of = None
        self.sens_parents: list[np.ndarray] = []
        if sensitive is not None:
            scodes, suniq = _codes(df[sensitive])
            self.sens_codes = scodes.astype(np.int64)
            self.S = len(suniq)
            self.q = np.bincount(scodes, weights=count_w, minlength=self.S) / self.n
            nums = to_numbers(suniq)
            order = np.argsort(nums, kind="stable") if not np.isnan(nums).any() else np.argsort(
                np.array(list(suniq), dtype=object), kind="stable")
            self.rank_of = np.empty(self.S, dtype=np.int64)
            self.rank_of[order] = np.arange(self.S)
            self.q_ordered = self.q[order]
            if models.t is not None and models.t_variant == "hierarchical":
                self.sens_parents = _sensitive_tree(hierarchies.get(sensitive), sensitive, suniq)
        # distinct rows at level 0 (gids at level 0 == codes re-numbered)
        base = np.stack([self.gid[j][0][codes_cols[j]] for j in range(self.d)], axis=1) if self.d else np.zeros((len(df), 0), np.int64)
        cols = [base[:, j] for j in range(self.d)]
        cards0 = [self.cards[j][0] for j in range(self.d)]
        if self.sens_codes is not None:
            cols.append(self.sens_codes)
            cards0.append(self.S)
        key = _combine(np.stack(cols, axis=1) if cols else np.zeros((len(df), 0), np.int64), cards0)
        inv, uniq = pd.factorize(key, sort=False)
        first = np.zeros(len(uniq), dtype=np.int64)
        first[inv[::-1]] = np.arange(len(df))[::-1]
        self.row_to_base = inv.astype(np.int64)
        self.base = _Table(
            levels=tuple([0] * self.d),
            gens=np.ascontiguousarray(base[first].T),
            sens=self.sens_codes[first] if self.sens_codes is not None else None,
            counts=np.bincount(inv, weights=count_w, minlength=len(uniq)).astype(np.int64),
            pcounts=None if pcount_w is None else np.bincount(inv, weights=pcount_w, minlength=len(uniq)).astype(np.int64),
        )
        self.cache: dict[tuple[int, ...], _Table] = {}
        self._cache_list: list[_Table] = []
        self._cache_levels = np.zeros((_CACHE_ENTRIES, self.d), dtype=np.int64)
        self._cache_sizes = np.zeros(_CACHE_ENTRIES, dtype=np.int64)
        self.cache_rows = 0
        # every level maps to every higher one (a tree on the values present): roll-ups always work
        self.tree = all(len(self.upmaps[j]) == h * (h + 1) // 2 for j, h in enumerate(self.heights))

    # -- evaluation ---------------------------------------------------------------------------

    def _parent(self, node: tuple[int, ...]) -> _Table:
        """The cached table with fewest rows whose levels are all <= ``node`` (and can be rolled up)."""
        if not self.cache:
            return self.base
        lv = self._cache_levels[: len(self.cache)]
        ok = np.all(lv <= np.asarray(node), axis=1)
        if not self.tree:
            ok &= np.array([all(a == b or (a, b) in self.upmaps[j] for j, (a, b) in enumerate(zip(row, node, strict=True)))
                            for row in lv])
        if not ok.any():
            return self.base
        rows = np.where(ok, self._cache_sizes[: len(self.cache)], np.iinfo(np.int64).max)
        i = int(np.argmin(rows))
        return self._cache_list[i] if rows[i] < len(self.base.counts) else self.base

    def evaluate(self, node: tuple[int, ...], *, from_base: bool = False, cache: bool = True,
                 parent: _Table | None = None) -> _Eval:
        if parent is None:
            parent = self.base if from_base else self._parent(node)
        R = len(parent.counts)
        cards = [max(self.cards[j][node[j]], 1) for j in range(self.d)]
        # class key = mixed radix of the generalised ids, built column by column (no R x d copy)
        key = np.zeros(R, dtype=np.int64)
        span, compressed, cols = 1, False, []
        for j, (a, b) in enumerate(zip(parent.levels, node, strict=True)):
            col = parent.gens[j] if a == b else self.upmaps[j][(a, b)][parent.gens[j]]
            cols.append(col)
            if span * cards[j] >= 2**62:
                key = pd.factorize(key, sort=False)[0].astype(np.int64)
                span, compressed = int(key.max()) + 1 if R else 1, True
            key *= cards[j]
            key += col
            span *= cards[j]
        cls, uniq = pd.factorize(key, sort=False)
        C = len(uniq)
        cg = np.empty((self.d, C), dtype=np.int64)  # generalised ids of each class, per attribute
        if not compressed:
            rem = np.asarray(uniq, dtype=np.int64).copy()
            for j in range(self.d - 1, -1, -1):
                cg[j] = rem % cards[j]
                rem //= cards[j]
        else:
            first = np.zeros(C, dtype=np.int64)
            first[cls[::-1]] = np.arange(R)[::-1]
            for j in range(self.d):
                cg[j] = cols[j][first]
        cls_gens = cg.T
        sizes = np.bincount(cls, weights=parent.counts, minlength=C).astype(np.int64)
        psizes = None if parent.pcounts is None else np.bincount(cls, weights=parent.pcounts, minlength=C)
        mo = self.models
        viol = np.zeros(C, dtype=bool)
        if mo.k is not None:
            viol |= M.k_violations(sizes, mo.k)
        s_mono = int(sizes[viol].sum()) if mo.k is not None else 0
        viol_mono = viol.copy() if mo.k is not None else None
        if parent.sens is not None:
            pkey = cls.astype(np.int64) * self.S + parent.sens
            pinv, puniq = pd.factorize(pkey, sort=False)
            pair_cnt = np.bincount(pinv, weights=parent.counts, minlength=len(puniq))
            pair_cls = (puniq // self.S).astype(np.int64)
            pair_sens = (puniq % self.S).astype(np.int64)
            table = _Table(node, cg[:, pair_cls], pair_sens, pair_cnt.astype(np.int64),
                           None if parent.pcounts is None else
                           np.bincount(pinv, weights=parent.pcounts, minlength=len(puniq)).astype(np.int64))
            if mo.l is not None:
                if mo.l_variant == "distinct":
                    viol |= M.distinct_l_violations(pair_cls, C, mo.l)
                    s_mono = int(sizes[viol].sum())
                    viol_mono = viol.copy()
                elif mo.l_variant == "entropy" and mo.l_estimator == "grassberger":
                    viol |= M.grassberger_l_violations(pair_cls, pair_cnt, sizes.astype(float), mo.l)
                elif mo.l_variant == "entropy":
                    viol |= M.entropy_l_violations(pair_cls, pair_cnt, sizes.astype(float), mo.l)
                else:
                    viol |= M.recursive_cl_violations(pair_cls, pair_cnt, C, mo.c, mo.l)
            if mo.t is not None:
                if mo.t_variant == "equal":
                    viol |= M.equal_t_violations(pair_cls, pair_cnt, pair_sens, sizes.astype(float), self.q, mo.t)
                elif mo.t_variant == "hierarchical":
                    viol |= M.hierarchical_t_violations(pair_cls, pair_cnt, pair_sens, sizes.astype(float), self.q,
                                                        self.sens_parents, mo.t)
                else:
                    viol |= M.ordered_t_violations(pair_cls, pair_cnt, self.rank_of[pair_sens],
                                                   sizes.astype(float), self.q_ordered, mo.t)
            if mo.beta is not None:
                viol |= M.beta_violations(pair_cls, pair_cnt, pair_sens, sizes.astype(float), self.q, mo.beta,
                                          mo.beta_variant == "enhanced")
        else:
            table = _Table(node, cg, None, sizes, None if psizes is None else psizes.astype(np.int64))
        unsuppressible = False
        if mo.delta is not None and psizes is not None:
            # ARX (HashGroupify.analyzeAll): a class without subset records that fails δ-presence (and not
            # k first) cannot be suppressed, so the transformation fails; such classes are never outliers
            bad = M.delta_presence_violations(sizes.astype(float), psizes, *mo.delta)
            empty = sizes == 0
            unsuppressible = bool((bad & empty & ~viol).any())
            viol |= bad & ~empty
        if mo.sample_based:
            viol, suppressed = self._sample_based(node, cg, sizes, viol)
        else:
            suppressed = int(sizes[viol].sum())
        if cache and len(table.counts) < R:
            self._remember(table)
        return _Eval(suppressed <= self.budget and not unsuppressible, suppressed, C, cls_gens, sizes, viol, table,
                     row_class=cls if from_base else None, suppressed_monotone=s_mono, viol_mono=viol_mono)

    def _sample_based(self, node, cg: np.ndarray, sizes: np.ndarray, viol: np.ndarray) -> tuple[np.ndarray, int]:
        """The risk-based models on the classes the class-based ones keep, as ARX's HashGroupifyDistribution:
        classes generalised to ``*`` in every quasi-identifier are left out (neither judged nor counted as
        suppressed, though released as ``*``); the others are sorted by size, then (Loss only) by their own
        loss, then by first row (= class number here: classes are numbered in order of first record), and
        ``models.enforce_sample_based`` suppresses the smallest. Returns the suppressed classes and records."""
        C = len(sizes)
        top = np.ones(C, dtype=bool)
        for j in range(self.d):
            top &= self.star[j][node[j]][cg[j]]
        already = int(sizes[viol & ~top].sum())
        cand = np.nonzero(~viol & ~top & (sizes > 0))[0]
        keys = [cand, sizes[cand]]
        met = self.order_metric
        if met is not None and len(cand):
            # ARX's MetricMDNMLoss.getInformationLossInternal(node, entry): geometric mean of count · share
            loss = np.ones(len(cand))
            for j in range(self.d):
                loss *= (sizes[cand] * met.shares[j][node[j]][cg[j, cand]] + 1.0) ** (1.0 / self.d)
            keys.insert(1, loss - 1.0)
        order = cand[np.lexsort(keys)]
        sup = M.enforce_sample_based(sizes[order].astype(np.int64), M.sample_based_conditions(self.models),
                                     already, self.budget)
        viol = viol.copy()
        viol[order[sup]] = True
        return viol, already + int(sizes[order[sup]].sum())

    def _remember(self, table: _Table) -> None:
        if table.levels in self.cache:
            return
        if len(self.cache) >= _CACHE_ENTRIES or self.cache_rows + len(table.counts) > _CACHE_ROWS:
            # evict the biggest table: small ones are the useful parents
            i = int(np.argmax(self._cache_sizes[: len(self.cache)]))
            old = self._cache_list[i]
            del self.cache[old.levels]
            self.cache_rows -= len(old.counts)
            last = len(self.cache)
            self._cache_list[i] = self._cache_list[last]
            self._cache_levels[i] = self._cache_levels[last]
            self._cache_sizes[i] = self._cache_sizes[last]
            self._cache_list.pop()
        i = len(self.cache)
        self.cache[table.levels] = table
        self._cache_list.append(table)
        self._cache_levels[i] = table.levels
        self._cache_sizes[i] = len(table.counts)
        self.cache_rows += len(table.counts)


def _sensitive_tree(h: Hierarchy | None, column: str, uniques) -> list[np.ndarray]:
    """Level L−1 node → level L node maps of the sensitive column's hierarchy over its present values
    (hierarchical t-closeness); level 0 nodes are the sensitive codes."""
    if h is None:
        raise UsageError(_('hierarchical t-closeness needs a hierarchy for the sensitive column {column!r} (its <x>_hierarchy_<column>.csv in the --hierarchies folder)').format(column=column))
    rows_idx = h.row_index(uniques)
    if (rows_idx < 0).any():
        missing = [u for u, i in zip(uniques, rows_idx, strict=True) if i < 0]
        raise InputError(ngettext('column {column!r}: {n} value(s) missing from its hierarchy, e.g. {example!r}',
                                  'column {column!r}: {n} value(s) missing from its hierarchy, e.g. {example!r}',
                                  len(missing)).format(column=column, n=len(missing), example=mask_value(missing[0])))
    prev = np.arange(len(uniques), dtype=np.int64)
    parents = []
    for lv in range(1, h.height + 1):
        ids, _uniques = pd.factorize(h.frame[lv].to_numpy()[rows_idx], sort=False)
        m = np.zeros(int(prev.max()) + 1 if len(prev) else 0, dtype=np.int64)
        m[prev] = ids
        parents.append(m)
        prev = ids.astype(np.int64)
    return parents


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct text values of a column. A categorical's own codes are used (its
    categories rendered once): factorising 5 million cells as text copied every string."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = _text(pd.Series(np.asarray(series.cat.categories, dtype=object))).to_numpy(dtype=object)
        if (codes < 0).any():
            cats, codes = np.append(cats, ""), np.where(codes < 0, len(cats), codes)
        present = np.bincount(codes, minlength=len(cats)) > 0
        if not present.all():  # categories no row has: renumber without them
            remap = np.cumsum(present) - 1
            codes, cats = remap[codes], cats[present]
        return codes, cats
    return pd.factorize(_text(series), sort=False)


def _combine(cols: np.ndarray, cards: list[int]) -> np.ndarray:
    """One int64 key per row from several small-int columns (mixed radix; re-compressed if it would overflow)."""
    n = cols.shape[0]
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for j, card in enumerate(cards):
        card = max(int(card), 1)
        if span * card >= 2**62:
            key, uniq = pd.factorize(key, sort=False)
            key = key.astype(np.int64)
            span = max(len(uniq), 1)
        key = key * card + cols[:, j]
        span *= card
    return key


def _validate(df, hierarchies, k, l, l_variant, c, t, t_variant, sensitive, max_suppression, metric,  # noqa: E741
              l_estimator="shannon", beta=None, beta_variant="enhanced", delta=None, risk=None):
    risk = risk or {}
    if k is None and l is None and t is None and beta is None and delta is None and not any(
            risk.get(m) is not None for m in ("avg_risk", "sample_uniques", "population_uniques")):
        raise UsageError(_("give at least one privacy model: k, l, t, beta, delta-presence or a risk threshold"))
    for name in ("avg_risk", "sample_uniques", "population_uniques"):
        if risk.get(name) is not None and not 0 <= risk[name] <= 1:
            raise UsageError(_("risk thresholds are fractions between 0 and 1"))
    if risk.get("population_uniques") is not None:
        if risk.get("population_model", "dankar") not in POPULATION_MODELS:
            raise UsageError(_("population_model must be pitman, zayatz, snb or dankar"))
        if not risk.get("population") or risk["population"] < len(df):
            raise UsageError(_("population uniqueness needs the population size, at least the number of records"))
    if delta is not None and not 0 <= delta[0] <= delta[1] <= 1:
        raise UsageError(_("delta-presence needs 0 <= dmin <= dmax <= 1"))
    if l_estimator not in ("shannon", "grassberger"):
        raise UsageError(_("l_estimator must be shannon or grassberger"))
    if beta is not None and not beta > 0:
        raise UsageError(_("beta must be > 0"))
    if beta_variant not in ("basic", "enhanced"):
        raise UsageError(_("beta_variant must be basic or enhanced"))
    if beta is not None and sensitive is None:
        raise UsageError(_("beta-likeness needs a sensitive column"))
    if k is not None and (int(k) != k or k < 1):
        raise UsageError(_("k must be a whole number >= 1"))
    if l is not None and l < 1:
        raise UsageError(_("l must be >= 1"))
    if l_variant not in ("distinct", "entropy", "recursive"):
        raise UsageError(_("l_variant must be distinct, entropy or recursive"))
    if l is not None and l_variant == "recursive" and (c is None or c <= 0):
        raise UsageError(_("recursive (c,l)-diversity needs c > 0"))
    if t is not None and not 0 <= t <= 1:
        raise UsageError(_("t must be between 0 and 1"))
    if t_variant not in ("equal", "ordered", "hierarchical"):
        raise UsageError(_("t_variant must be equal, ordered or hierarchical"))
    if (l is not None or t is not None) and sensitive is None:
        raise UsageError(_("l-diversity and t-closeness need a sensitive column"))
    if sensitive is not None and sensitive not in df.columns:
        raise UsageError(_('sensitive column {sensitive!r} is not in the table').format(sensitive=sensitive))
    if not 0 <= max_suppression <= 1:
        raise UsageError(_("max_suppression is a fraction between 0 and 1"))
    if metric not in METRICS and metric not in ALIASES:
        raise UsageError(_('metric must be one of {METRICS}').format(METRICS=', '.join(METRICS)))
    if not hierarchies:
        raise UsageError(_("no quasi-identifier: give at least one hierarchy"))
    missing = [col for col in hierarchies if col not in df.columns]
    if missing:
        raise UsageError(_('hierarchy for column(s) not in the table: {items}').format(items=', '.join(map(repr, missing))))


def _lattice(heights: list[int]) -> np.ndarray:
    grids = np.indices([h + 1 for h in heights]).reshape(len(heights), -1).T
    return grids.astype(np.int16)


def search(df: pd.DataFrame, hierarchies: dict[str, Hierarchy], *, k: int | None = None, l: float | None = None,  # noqa: E741
           l_variant: str = "distinct", c: float | None = None, t: float | None = None, t_variant: str = "equal",
           sensitive: str | None = None, max_suppression: float = 0.0, metric: str = "loss",
           time_budget: float | None = None, max_exact_nodes: int = MAX_EXACT_NODES,
           strategy: str = "auto", l_estimator: str = "shannon", beta: float | None = None,
           beta_variant: str = "enhanced", gs_factor: float = GS_FACTOR, delta: tuple[float, float] | None = None,
           population_table: pd.DataFrame | None = None, avg_risk: float | None = None,
           sample_uniques: float | None = None, population_uniques: float | None = None,
           population_model: str = "dankar", population: int | None = None) -> SearchResult:
    """Find the feasible transformation with the smallest information loss (exact unless reported not).

    ``hierarchies`` maps each quasi-identifier to its Hierarchy (QI order = table column order, as ARX).
    ``max_suppression`` is a fraction of records; records of violating classes are suppressed.
    ``strategy``: ``auto`` (bound-ordered exact search, greedy fallback when the lattice is larger than
    ``max_exact_nodes`` or ``time_budget`` runs out), ``exhaustive`` (evaluate every node: the
    reference the benchmark compares with) or ``greedy`` (the heuristic alone).
    ``delta`` = (δmin, δmax) with ``population_table`` (the public table ``df``, the research subset, was
    drawn from; same quasi-identifier and sensitive columns): δ-presence, ARX's DPresence.
    Risk-based models, judged on the whole released table (ARX's RiskBasedCriterion; ``models``):
    ``avg_risk`` (AverageReidentificationRisk), ``sample_uniques`` (SampleUniqueness) and
    ``population_uniques`` with ``population_model`` and ``population`` = N (PopulationUniqueness).
    """
    if strategy not in ("auto", "exhaustive", "greedy"):
        raise UsageError(_("strategy must be auto, exhaustive or greedy"))
    t0 = time.perf_counter()
    risk = {"avg_risk": avg_risk, "sample_uniques": sample_uniques, "population_uniques": population_uniques,
            "population_model": population_model, "population": population}
    _validate(df, hierarchies, k, l, l_variant, c, t, t_variant, sensitive, max_suppression, metric,
              l_estimator, beta, beta_variant, delta, risk)
    qis = [col for col in df.columns if col in hierarchies and col != sensitive]
    if not qis:
        raise UsageError(_("no quasi-identifier left once the sensitive column is set aside"))
    models = M.Models(k=int(k) if k is not None else None, l=l, l_variant=l_variant, c=c, t=t, t_variant=t_variant,
                      l_estimator=l_estimator, beta=beta, beta_variant=beta_variant,
                      delta=tuple(delta) if delta is not None else None, **risk)
    frame, count_w, pcount_w = _with_population(df, population_table, qis + ([sensitive] if sensitive else []),
                                                 delta)
    prob = _Problem(frame, hierarchies, qis, sensitive, models, max_suppression, count_w, pcount_w)
    met = make_metric(metric, gs_factor)
    met.prepare(prob)
    if met.name == "loss":  # ARX orders the classes a risk-based model suppresses by their Loss
        prob.order_metric = met
    size = int(np.prod([h + 1 for h in prob.heights], dtype=object))
    deadline = t0 + time_budget if time_budget else None
    if strategy == "exhaustive":
        best, checked, exact = _exhaustive(prob, met, deadline)
    elif strategy == "auto" and size <= max_exact_nodes:
        best, checked, exact = _exact(prob, met, deadline)
    else:
        best, checked, exact = None, 0, False
    if best is None and not exact and strategy != "exhaustive":
        best, more = _greedy(prob, met, deadline)
        checked += more
    result = _result(prob, met, qis, best, checked, size, exact, t0)
    if not exact:
        result.stopped = ("greedy" if strategy == "greedy" else "lattice_size"
                          if strategy == "auto" and size > max_exact_nodes else "time_budget")
    if count_w is not None and result.suppressed_rows is not None:  # the research subset's rows come last
        result.suppressed_rows = result.suppressed_rows[len(frame) - len(df):]
    return result


def _with_population(df: pd.DataFrame, population: pd.DataFrame | None, cols: list[str], delta):
    """δ-presence: the population table's rows (weight 0 in the subset, 1 in the population) followed by
    the subset's (1, 0), so classes count both. The subset must be a sub-multiset of the population on
    ``cols`` (ARX's ``DataSubset.create`` matches each subset row to a distinct population row)."""
    if delta is None:
        if population is not None:
            raise UsageError(_("a population table is only used by delta-presence"))
        return df, None, None
    if population is None:
        raise UsageError(_("delta-presence needs the population table the data was drawn from"))
    missing = [c for c in cols if c not in population.columns]
    if missing:
        raise UsageError(_('the population table has no column(s) {items}').format(items=', '.join(map(repr, missing))))
    pop = pd.DataFrame({c: _text(population[c]).to_numpy() for c in cols})
    sub = pd.DataFrame({c: _text(df[c]).to_numpy() for c in cols})
    have = pop.value_counts()
    need = sub.value_counts()
    lack = (need - have.reindex(need.index).fillna(0)).clip(lower=0)
    if lack.sum() > 0:
        raise InputError(ngettext('{n} record(s) of the data have no matching record in the population table (on the quasi-identifiers and the sensitive column)',
                                  '{n} record(s) of the data have no matching record in the population table (on the quasi-identifiers and the sensitive column)',
                                  int(lack.sum())).format(n=int(lack.sum())))
    frame = pd.concat([pop, sub], ignore_index=True)
    count_w = np.r_[np.zeros(len(pop)), np.ones(len(sub))]
    return frame, count_w, 1.0 - count_w


def evaluate_transformation(df: pd.DataFrame, hierarchies: dict[str, Hierarchy], levels: dict[str, int], *,
                            k: int | None = None, l: float | None = None, l_variant: str = "distinct",  # noqa: E741
                            c: float | None = None, t: float | None = None, t_variant: str = "equal",
                            sensitive: str | None = None, max_suppression: float = 1.0,
                            metric: str = "loss", l_estimator: str = "shannon", beta: float | None = None,
                            beta_variant: str = "enhanced", gs_factor: float = GS_FACTOR) -> SearchResult:
    """Score one given transformation (classes, suppression, loss) without searching; ``levels`` is
    None in the result when it is not feasible within ``max_suppression``."""
    t0 = time.perf_counter()
    _validate(df, hierarchies, k, l, l_variant, c, t, t_variant, sensitive, max_suppression, metric,
              l_estimator, beta, beta_variant)
    qis = [col for col in df.columns if col in hierarchies and col != sensitive]
    if set(levels) != set(qis):
        raise UsageError(_("levels must give one level per quasi-identifier"))
    models = M.Models(k=int(k) if k is not None else None, l=l, l_variant=l_variant, c=c, t=t, t_variant=t_variant,
                      l_estimator=l_estimator, beta=beta, beta_variant=beta_variant)
    prob = _Problem(df, hierarchies, qis, sensitive, models, max_suppression)
    met = make_metric(metric, gs_factor)
    met.prepare(prob)
    node = tuple(int(levels[q]) for q in qis)
    if any(not 0 <= v <= h for v, h in zip(node, prob.heights, strict=True)):
        raise UsageError(_("a level is outside its hierarchy"))
    ev = prob.evaluate(node, from_base=True, cache=False)
    size = int(np.prod([h + 1 for h in prob.heights], dtype=object))
    best = (node, 0.0) if ev.feasible else None
    return _result(prob, met, qis, best, 1, size, True, t0)


def evaluate_all(df: pd.DataFrame, hierarchies: dict[str, Hierarchy], levels: dict[str, int], *,
                 max_suppression: float = 1.0, gs_factor: float = GS_FACTOR, **models) -> dict:
    """Every quality metric of one given transformation (``anon evaluate``): the classes are computed
    once, the records of classes violating the models are suppressed (within ``max_suppression``),
    and each metric of ``metrics.METRICS`` is evaluated on them, plus Loss with ARX's RANK aggregate
    (``loss_rank``, a list). ``gs_factor`` is Loss's. JSON-able; no value from the data."""
    from anonymizer.privacy.metrics import METRICS

    r = evaluate_transformation(df, hierarchies, levels, max_suppression=max_suppression, metric="loss", **models)
    sensitive = models.get("sensitive")
    qis = [col for col in df.columns if col in hierarchies and col != sensitive]
    mo = M.Models(k=models.get("k"), l=models.get("l"), l_variant=models.get("l_variant", "distinct"),
                  c=models.get("c"), t=models.get("t"), t_variant=models.get("t_variant", "equal"),
                  l_estimator=models.get("l_estimator", "shannon"), beta=models.get("beta"),
                  beta_variant=models.get("beta_variant", "enhanced"))
    prob = _Problem(df, hierarchies, qis, sensitive, mo, max_suppression)
    node = tuple(int(levels[q]) for q in qis)
    ev = prob.evaluate(node, from_base=True, cache=False)
    values = {}
    for name in METRICS:
        met = make_metric(name, gs_factor)
        met.prepare(prob)
        values[name] = float(met.value(node, ev.cls_gens, ev.sizes, ev.viol))
        if name == "loss":
            values["loss_rank"] = met.rank(node, ev.cls_gens, ev.sizes, ev.viol)
    return {
        "quasi_identifiers": qis,
        "levels": {q: int(v) for q, v in zip(qis, node, strict=True)},
        "records": prob.n,
        "feasible": bool(ev.feasible),
        "suppressed_records": int(ev.suppressed),
        "max_suppressed_records": prob.budget,
        "classes": int((~ev.viol).sum()),
        "smallest_class": int(ev.sizes[~ev.viol].min()) if (~ev.viol).any() else 0,
        "metrics": values,
        "lattice_size": r.lattice_size,
    }


class _Floors:
    """Lower bounds for the *predecessors* of an evaluated node Y from the records it suppresses.

    With k-anonymity and distinct-ℓ (the monotone models), a record suppressed at Y is suppressed at
    every X ≤ Y (its class at X is a part of its class at Y: smaller, less diverse), and each such record
    costs at least as much at X as at Y (a finer value is a smaller share of its hierarchy; finer groups
    of suppressed values have more entropy). So value(X) ≥ level bound(X) + what Y's suppressed records
    add at Y's levels: one evaluation bounds a whole down-set (the "insufficient utility" pruning of ARX's
    Flash, Kohlmayer et al. 2012, made tighter by the suppressed records). Needs hierarchies that are
    trees on the values present. Only for the metrics whose formula is known here (loss, entropy,
    precision); each is checked once against the metric's own value before it is trusted.
    """

    def __init__(self, prob: _Problem, met):
        self.met = met
        self.kind = None
        if not prob.tree or prob.budget == 0:
            return
        name = type(met).__name__
        if name == "LossMetric" and hasattr(met, "level_sum"):
            self.kind = "loss"
        elif name == "EntropyMetric" and not getattr(met, "monotonic", True):
            self.kind = "entropy"
        elif name == "PrecisionMetric":
            self.kind = "precision"
        self.checked = False

    def make(self, node: tuple[int, ...], ev: _Eval, value: float | None = None):
        """What the monotone models' suppressed records of ``node`` add at least below it (``value``: the
        metric's value of ``node`` when already computed)."""
        vm = ev.viol_mono
        if self.kind is None or vm is None or not vm.any():
            return None
        if not self.checked:  # the formula below must give the metric's own value at the node itself
            self.checked = True
            f = self._floor(node, ev.cls_gens, ev.sizes, ev.viol)
            want = self.met.value(node, ev.cls_gens, ev.sizes, ev.viol)
            got = float(self.bound(np.asarray([node], dtype=np.int64), f)[0])
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                self.kind = None
                return None
        if self.kind == "entropy" and value is not None and np.array_equal(vm, ev.viol):
            return np.array([value - self.met.bound(np.asarray([node], dtype=np.int64))[0]])
        return self._floor(node, ev.cls_gens, ev.sizes, vm)

    def _floor(self, node, cls_gens, sizes, viol):
        met = self.met
        s = float(sizes[viol].sum())
        if self.kind == "loss":
            # a suppressed record costs s_f + (1 − s_f − g)·share more than its generalised value (g·share);
            # both factors 1 with ARX's default gs-factor 0.5, and 1 − s_f − g ≤ 0 for every gs-factor,
            # so the cost grows as the value gets finer
            g, sf = getattr(met, "g_factor", 1.0), getattr(met, "s_factor", 1.0)
            w = sizes[viol].astype(float)
            return np.array([sf * s + (1.0 - sf - g) * float((w * met.shares[j][node[j]][cls_gens[viol, j]]).sum())
                             for j in range(len(node))])
        if self.kind == "entropy":
            bare = met.bound(np.asarray([node], dtype=np.int64))[0]
            return np.array([met.value(node, cls_gens, sizes, viol) - bare])
        return np.array([s])

    def bound(self, nodes: np.ndarray, floor: np.ndarray) -> np.ndarray:
        """Lower bound of the value of each of ``nodes`` (all ≤ the node ``floor`` was made at)."""
        met = self.met
        if self.kind == "loss":
            g = getattr(met, "g_factor", 1.0)
            per = np.stack([met._normalise(g * met.level_sum[j][nodes[:, j]] + floor[j], j) for j in range(met.d)],
                           axis=1)
            return met._aggregate(per)
        if self.kind == "entropy":
            return met.bound(nodes) + floor[0]
        p = met._per_dim(nodes)
        return (p + floor[0] * (1.0 - p) / met.n).mean(axis=1)


def _descend(prob: _Problem, met, deadline, floors: _Floors):
    """Exact search for a suppression budget with a monotone model (k-anonymity, distinct-ℓ).

    Nodes are visited top-down (level sum decreasing, then bound), so a node's successors are
    evaluated before it. Each evaluation Y
    * marks every X ≤ Y infeasible when the monotone models alone suppress more than the budget
      (Flash's predictive tagging);
    * raises the lower bound of every X ≤ Y by what Y's suppressed records cost (``_Floors``).
    A node is evaluated only when neither its level bound nor its raised bound reaches the best value
    found. The walk is also the anytime strategy: coming down from the top it meets good nodes early
    (CUP, k = 100, entropy, unlimited suppression: ARX's top-down/genetic value 1,994,002.83 — here the
    optimum — within 17 evaluations), so a time budget cuts it with a good answer; a best-first
    top-down phase first (ARX's LIGHTNING top-down) was measured and found no better.
    Returns the same node as the bound-ordered walk: smallest value, ties to the earliest node in
    (bound, level sum, index) order.
    """
    nodes = _lattice(prob.heights)
    N = len(nodes)
    nodes64 = nodes.astype(np.int64)
    bound = met.bound(nodes64)
    order = np.lexsort((nodes64.sum(axis=1), np.round(bound, 12)))
    order_pos = np.empty(N, dtype=np.int64)
    order_pos[order] = np.arange(N)
    floor = np.full(N, -np.inf)
    status = np.zeros(N, dtype=np.int8)  # 0 unknown, 1 evaluated, -1 infeasible
    st = {"val": math.inf, "idx": -1, "checked": 0}

    def pruned(i: int) -> bool:
        b = st["idx"]
        if b < 0:
            return False
        val, later = st["val"], order_pos[i] > order_pos[b]

        def no_better(lo: float) -> bool:  # cannot beat the best, nor tie it from a later place
            return lo > val + 1e-12 or (lo >= val - 1e-12 and later)

        # the raised floor is computed otherwise than the value: it gets a margin
        return no_better(bound[i]) or no_better(floor[i] - 1e-9 * max(1.0, abs(floor[i])))

    def check(i: int) -> None:
        node = tuple(int(x) for x in nodes[i])
        ev = prob.evaluate(node)
        st["checked"] += 1
        status[i] = 1
        val = None
        if ev.feasible:
            val = met.value(node, ev.cls_gens, ev.sizes, ev.viol)
            if val < st["val"] - 1e-12 or (abs(val - st["val"]) <= 1e-12 and (
                    st["idx"] < 0 or order_pos[i] < order_pos[st["idx"]])):
                st["val"], st["idx"] = val, i
        if ev.viol_mono is not None and ev.suppressed_monotone > 0:
            down = np.all(nodes <= nodes[i], axis=1) & (status == 0)
            if ev.suppressed_monotone > prob.budget:
                status[down] = -1
            else:
                f = floors.make(node, ev, val)
                if f is not None:
                    idxs = np.nonzero(down)[0]
                    floor[idxs] = np.maximum(floor[idxs], floors.bound(nodes64[idxs], f))

    def out_of_time() -> bool:
        return deadline is not None and time.perf_counter() > deadline

    def answer(exact: bool):
        b = st["idx"]
        return ((tuple(int(x) for x in nodes[b]), st["val"]) if b >= 0 else None), st["checked"], exact

    walk = np.lexsort((bound, -nodes64.sum(axis=1)))
    for i in walk:
        if status[i] != 0 or pruned(i):
            continue
        if out_of_time():
            return answer(False)
        check(int(i))
    return answer(True)


def _exact(prob: _Problem, met, deadline, descend: bool | None = None):
    floors = _Floors(prob, met)
    has_monotone = prob.models.k is not None or (prob.models.l is not None and prob.models.l_variant == "distinct")
    if descend is None:
        # the descent's bounds count suppressed rows; with δ-presence's weighted rows it is not proven
        descend = (_DESCEND and prob.budget > 0 and has_monotone and floors.kind is not None
                   and not prob.weighted)
    if descend:
        return _descend(prob, met, deadline, floors)
    nodes = _lattice(prob.heights)
    N = len(nodes)
    heights = np.array(prob.heights)
    radix = np.cumprod([1] + [h + 1 for h in prob.heights[::-1]])[::-1][1:]  # node -> index in ``nodes``
    bound = met.bound(nodes.astype(np.int64))
    order = np.lexsort((nodes.sum(axis=1), np.round(bound, 12)))
    status = np.zeros(N, dtype=np.int8)  # 0 unknown, 1 feasible, -1 infeasible, 2 dominated
    monotone = (prob.budget == 0 and prob.models.monotone_without_suppression) or prob.models.monotone_with_suppression
    exact_when_clean = met.bound_is_exact_without_suppression and prob.budget == 0
    state = {"best_val": math.inf, "best_node": None, "checked": 0}

    def check(idx: int) -> bool:
        node = tuple(int(x) for x in nodes[idx])
        ev = prob.evaluate(node)
        state["checked"] += 1
        if ev.feasible:
            val = met.value(node, ev.cls_gens, ev.sizes, ev.viol)
            if val < state["best_val"] - 1e-12 or (
                    abs(val - state["best_val"]) <= 1e-12 and _before(idx, state, bound, nodes, order_pos)):
                state["best_val"], state["best_node"] = val, node
            if monotone:
                up = np.all(nodes >= nodes[idx], axis=1) & (status == 0)
                # with no suppression every metric grows with generalisation: successors cannot win
                status[up] = 2 if prob.budget == 0 else 1
                status[idx] = 1
        elif monotone or ev.suppressed_monotone > prob.budget:
            # the monotone models (k, distinct-l) alone already exceed the budget: so do all predecessors
            status[np.all(nodes <= nodes[idx], axis=1)] = -1
        else:
            status[idx] = -1
        return ev.feasible

    order_pos = np.empty(N, dtype=np.int64)
    order_pos[order] = np.arange(N)
    top = N - 1
    if monotone and not check(top):
        return None, state["checked"], True
    if monotone and prob.d > 2 and _PAIR_PREPASS:
        # Incognito's subset property (LeFevre et al. 2005): a node with every attribute but two at
        # the top is a successor of every node below it on those two; checking these small nodes
        # first prunes whole down-sets cheaply.
        top_lv = heights.copy()
        for size in range(2, min(_PREPASS_DEPTH, prob.d - 1) + 1):
            for dims in itertools.combinations(range(prob.d), size):
                for levels in itertools.product(*[range(heights[i] + 1) for i in dims]):
                    v = top_lv.copy()
                    v[list(dims)] = levels
                    pidx = int(np.dot(v, radix))
                    if status[pidx] == 0 and bound[pidx] < state["best_val"]:
                        check(pidx)
                    if state["checked"] > _PREPASS_MAX_CHECKS or (
                            deadline is not None and time.perf_counter() > deadline):
                        break
    for idx in order:
        if state["best_node"] is not None and bound[idx] >= state["best_val"] - 1e-12:
            break
        st = status[idx]
        if st in (-1, 2):
            continue
        if st == 1 and exact_when_clean:
            state["best_val"], state["best_node"] = float(bound[idx]), tuple(int(x) for x in nodes[idx])
            continue
        if deadline is not None and time.perf_counter() > deadline:
            bn = state["best_node"]
            return ((bn, state["best_val"]) if bn is not None else None), state["checked"], False
        if st == 1:  # known feasible, loss still to compute (suppression)
            check(idx)
            continue
        if check(idx) or not monotone:
            continue
        # Infeasible: walk a chain up to the top and binary-search the last infeasible node on it,
        # so one check prunes a large down-set (the idea of Flash, Kohlmayer et al. 2012).
        chain = _chain(nodes[idx], heights)
        lo, hi = 0, len(chain) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            midx = int(np.dot(chain[mid], radix))
            if status[midx] == -1:
                lo = mid
            elif status[midx] in (1, 2) or check(midx):
                hi = mid
            else:
                lo = mid
    bn = state["best_node"]
    return ((bn, state["best_val"]) if bn is not None else None), state["checked"], True


def _before(idx, state, bound, nodes, order_pos) -> bool:
    """Tie-break between equal losses: the node earlier in (bound, level sum) order wins."""
    cur = state["best_node"]
    if cur is None:
        return True
    radix = np.cumprod([1] + [int(h) + 1 for h in nodes[-1][::-1]])[::-1][1:]
    return order_pos[idx] < order_pos[int(np.dot(np.array(cur), radix))]


def _chain(start: np.ndarray, heights: np.ndarray) -> list[np.ndarray]:
    """A path from ``start`` to the top, raising the attributes in turn (round robin)."""
    cur = start.astype(np.int64).copy()
    out = [cur.copy()]
    while (cur < heights).any():
        for j in range(len(cur)):
            if cur[j] < heights[j]:
                cur[j] += 1
                out.append(cur.copy())
    return out


def _exhaustive(prob: _Problem, met, deadline=None):
    """Every node in lexicographic order, each rolled up from its predecessor x − e_j (j = last
    non-zero level), kept in one slot per attribute; no bound, no pruning, no cache."""
    best_val, best_node, checked = math.inf, None, 0
    slots: list[_Table] = [prob.base] * max(prob.d, 1)
    ranges = [range(h + 1) for h in prob.heights]
    for node in itertools.product(*ranges):
        nz = [j for j, v in enumerate(node) if v]
        if nz:
            j = nz[-1]
            ev = prob.evaluate(node, cache=False, parent=slots[j] if prob.tree else prob.base)
            slots[j:] = [ev.table] * (prob.d - j)
        else:
            ev = prob.evaluate(node, cache=False, parent=prob.base)
        checked += 1
        if ev.feasible:
            val = met.value(node, ev.cls_gens, ev.sizes, ev.viol)
            if val < best_val - 1e-12:
                best_val, best_node = val, node
        if deadline is not None and time.perf_counter() > deadline:
            return ((best_node, best_val) if best_node is not None else None), checked, False
    return ((best_node, best_val) if best_node is not None else None), checked, True


def _greedy(prob: _Problem, met, deadline):
    """Top-down greedy descent: from the most general node, step to the feasible child with the
    smallest loss until no child is feasible. Keeps the best node seen. Not optimal (exact=False)."""
    top = tuple(prob.heights)
    checked = 0
    ev = prob.evaluate(top)
    checked += 1
    if not ev.feasible:
        return None, checked
    cur = top
    best = (top, met.value(top, ev.cls_gens, ev.sizes, ev.viol))
    seen = {top}
    while True:
        cands = []
        for j in range(prob.d):
            if cur[j] == 0:
                continue
            child = cur[:j] + (cur[j] - 1,) + cur[j + 1:]
            if child in seen:
                continue
            seen.add(child)
            if deadline is not None and time.perf_counter() > deadline and cands:
                break
            e = prob.evaluate(child)
            checked += 1
            if e.feasible:
                cands.append((met.value(child, e.cls_gens, e.sizes, e.viol), child))
        if not cands:
            return best, checked
        val, cur = min(cands)
        if val < best[1]:
            best = (cur, val)
        if deadline is not None and time.perf_counter() > deadline:
            return best, checked


def _result(prob: _Problem, met, qis, best, checked, size, exact, t0) -> SearchResult:
    if best is None:
        return SearchResult(qis, None, None, met.name, 0, 0, checked, size, exact,
                            time.perf_counter() - t0, prob.n, prob.budget)
    node, val = best
    ev = prob.evaluate(node, from_base=True, cache=False)
    row_viol = ev.viol[ev.row_class][prob.row_to_base]
    return SearchResult(
        quasi_identifiers=qis,
        levels={q: int(v) for q, v in zip(qis, node, strict=True)},
        information_loss=float(met.value(node, ev.cls_gens, ev.sizes, ev.viol)),
        metric=met.name,
        suppressed=ev.suppressed,
        classes=int((~ev.viol).sum()),
        transformations_checked=checked,
        lattice_size=size,
        exact=exact,
        elapsed=time.perf_counter() - t0,
        records=prob.n,
        max_suppressed=prob.budget,
        suppressed_rows=row_viol,
    )


def apply_transformation(df: pd.DataFrame, hierarchies: dict[str, Hierarchy], levels: dict[str, int], *,
                         suppress_rows: np.ndarray | None = None, drop_suppressed: bool = False) -> pd.DataFrame:
    """Generalise each quasi-identifier to its level; suppressed rows get ``*`` in every QI (ARX's
    behaviour) or are dropped with ``drop_suppressed=True``. Other columns are left untouched."""
    out = df.copy()
    for col, lv in levels.items():
        out[col] = hierarchies[col].generalize(df[col], int(lv)).astype(str)
    if suppress_rows is not None and np.any(suppress_rows):
        mask = np.asarray(suppress_rows, dtype=bool)
        if drop_suppressed:
            out = out.loc[~mask].reset_index(drop=True)
        else:
            for col in levels:
                out.loc[mask, col] = "*"
    return out
