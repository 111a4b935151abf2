"""Privacy models evaluated on equivalence classes, vectorised over all classes of one transformation.

Inputs are the classes of a transformation: ``sizes[c]`` records in class ``c``, and for ℓ / t the
(class, sensitive value) pairs with their counts. Each function returns a boolean array "class violates".

* k-anonymity: Sweeney 2002 — a class must hold at least k records.
* ℓ-diversity (Machanavajjhala et al. 2007): *distinct* (≥ ℓ sensitive values), *entropy*
  (H(class) ≥ log ℓ) and *recursive (c,ℓ)* (r1 < c·(r_ℓ + … + r_m), r sorted decreasing).
* t-closeness (Li, Li, Venkatasubramanian 2007, "t-Closeness: Privacy Beyond k-Anonymity and ℓ-Diversity"):
  Earth Mover's Distance between the class distribution P and the table distribution Q ≤ t,
  with the *equal* ground distance (EMD = ½ Σ|p_i − q_i|) or the *ordered* one
  (EMD = 1/(m−1) Σ_i |Σ_{j≤i} (p_j − q_j)|), as ARX's EqualDistanceTCloseness / OrderedDistanceTCloseness,
  or the *hierarchical* one (same paper, §4.2; ARX's HierarchicalDistanceTCloseness): over the sensitive
  column's generalisation hierarchy of height H, EMD = Σ_{inner nodes N} level(N)/H · min(pos(N), neg(N)),
  pos / neg = the positive / negative parts of the children's net extra mass (p − q summed below them).
* Entropy-ℓ with Grassberger's estimator (Grassberger 2003, "Entropy estimates from insufficient
  samplings", arXiv:physics/0307138; ARX's EntropyLDiversity with EntropyEstimator.GRASSBERGER):
  Ĥ = G(N) − (1/N) Σ n_i G(n_i) ≥ log ℓ, with G(1) = −γ − ln 2, G(2n+2) = G(2n) + 2/(2n+1) and odd n
  rounded down to even (ARX's table up to 100, its asymptotic series above), and at least ⌈ℓ⌉ values.
* β-likeness (Cao & Karras 2012, "Publishing microdata with a robust privacy guarantee", PVLDB 5(11)):
  for each value s of a class, (q_c(s) − q_T(s)) / q_T(s) ≤ β (*basic*), or ≤ min(β, −ln q_T(s))
  (*enhanced*), q_T the table's distribution — ARX's BasicBLikeness / EnhancedBLikeness.
* k-map with a population estimator (El Emam & Dankar 2008, "Protecting privacy using k-anonymity", JAMIA
  15(5): every class must match at least k people of the population; ARX's KMap with a CellSizeEstimator):
  the population size of a class of size c is modelled as Poisson with λ = f·k (f = n / N, the sampling
  fraction) — or zero-truncated Poisson —, and k-map becomes k'-anonymity with k' the smallest size whose
  cumulative probability reaches 1 − α (``kmap_derived_k``). Monotone like k-anonymity.
* δ-presence (Nergiz, Atzori & Clifton 2007, "Hiding the presence of individuals from shared databases",
  SIGMOD; ARX's DPresence with a DataSubset): the released table is a research subset of a population table;
  for each class, δ = |subset ∩ class| / |population ∩ class| must lie in [δmin, δmax]. Classes, models and
  metrics count the subset's records; a class with no subset record that fails δ makes the transformation
  infeasible (it cannot be suppressed). Monotone with generalisation (a merged class's δ is a weighted mean),
  not with suppression (ARX: ``ImplicitPrivacyCriterion(false, true)``): with suppression, no feasibility
  pruning, only the bound.

Risk-based (sample-based) models judge the whole released table, not each class (ARX's
``RiskBasedCriterion``); classes are suppressed smallest first until they hold (``enforce_sample_based``):

* average re-identification risk (El Emam & Dankar 2008, "Protecting privacy using k-anonymity", JAMIA 15(5):
  prosecutor risk 1/|class| averaged over the records; ARX's AverageReidentificationRisk): the mean prosecutor
  risk of the released records, #classes / #records, at most r;
* sample uniqueness (ARX's SampleUniqueness): the share of released records alone in their class at most u;
* population uniqueness (ARX's PopulationUniqueness; Dankar et al. 2012, "Estimating the re-identification risk
  of clinical data sets", BMC Med. Inform. Decis. Mak. 12:66): the estimated share of the population that is
  unique on the quasi-identifiers, by Pitman's, Zayatz's or the SNB model or Dankar's rule choosing among them
  (the estimators of ``anonymizer.risk.population``), at most u.
"""

from __future__ import annotations

import functools
import math
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
    l_estimator: str = "shannon"
    beta: float | None = None
    beta_variant: str = "enhanced"
    delta: tuple[float, float] | None = None  # δ-presence (δmin, δmax), with a population table
    avg_risk: float | None = None  # average re-identification risk (ARX's AverageReidentificationRisk)
    sample_uniques: float | None = None  # share of sample uniques (ARX's SampleUniqueness)
    population_uniques: float | None = None  # share of population uniques (ARX's PopulationUniqueness)
    population_model: str = "dankar"  # pitman, zayatz, snb or dankar
    population: int | None = None  # N, for population_uniques

    @property
    def sample_based(self) -> bool:
        """Models judged on the whole released table (ARX's SampleBasedCriterion)."""
        return self.avg_risk is not None or self.sample_uniques is not None or self.population_uniques is not None

    @property
    def needs_sensitive(self) -> bool:
        return self.l is not None or self.t is not None or self.beta is not None

    @property
    def monotone_without_suppression(self) -> bool:
        """Every class-based model holds on a generalisation of a table where it holds, when nothing may be
        suppressed. The risk-based ones are not relied on: population-uniqueness estimates are fitted to the whole
        class-size histogram and need not fall as classes merge (ARX declares only Zayatz's monotone with
        generalisation), and classes that become ``*`` everywhere leave the table they are judged on."""
        return not self.sample_based

    @property
    def monotone_with_suppression(self) -> bool:
        """k-anonymity and distinct-ℓ stay satisfied when classes merge, even next to violating
        classes: the merged class is at least as large / diverse as its best part. Entropy-ℓ,
        recursive-(c,ℓ) and t-closeness can turn a satisfying class into a violating one when it merges
        with a violating class, so with suppression they are not monotone (ARX: Kohlmayer et al. 2012)."""
        if self.t is not None or self.beta is not None or self.delta is not None or self.sample_based:
            return False
        return self.l is None or self.l_variant == "distinct"


def _poisson_pmf(c: int, lam: float) -> float:
    return float(np.exp(c * np.log(lam) - lam - sum(np.log(np.arange(1, c + 1))))) if lam > 0 else float(c == 0)


def kmap_derived_k(k: int, n: int, population: int, significance: float = 0.01,
                   estimator: str = "poisson") -> int:
    """The class size k' that k-map with an estimator enforces, as ARX's ``KMap.initialize``: λ = (n / N)·k;
    *poisson*: the first c with P(X ≤ c − 1) ≥ 1 − α (ARX returns that counter + 1); *zero-truncated-poisson*:
    Σ_{i=1}^{c−1} P(X = i)/(1 − P(X = 0)) ≥ 1 − α gives c. Counting stops at k (then certain); k' is at most
    n and at most k."""
    if estimator not in ("poisson", "zero-truncated-poisson"):
        raise ValueError("estimator must be poisson or zero-truncated-poisson")
    lam = n / float(population) * k
    threshold = 1.0 - significance
    if estimator == "poisson":
        counter, value = 0, 0.0
        while value < threshold:
            value = sum(_poisson_pmf(i, lam) for i in range(counter + 1))  # cumulativeProbability(counter)
            counter += 1
            if counter >= k:
                break
        derived = counter + 1
    else:
        v2 = 1.0 - _poisson_pmf(0, lam)
        counter, value = 1, 0.0
        while value < threshold:
            value += _poisson_pmf(counter, lam) / v2
            counter += 1
            if counter >= k:
                break
        derived = counter
    return min(k, min(derived, n))


def delta_presence_violations(sizes: np.ndarray, psizes: np.ndarray, dmin: float, dmax: float) -> np.ndarray:
    """δ-presence: δ = subset records / population records of the class (0 when the class has no subset
    record) must lie in [δmin, δmax] (ARX's ``DPresence.isAnonymous``)."""
    delta = np.divide(sizes, psizes, out=np.zeros(len(sizes)), where=(sizes > 0) & (psizes > 0))
    return (delta < dmin) | (delta > dmax)


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


_EULER_GAMMA = 0.5772156649015329


def grassberger_g(n: np.ndarray) -> np.ndarray:
    """Grassberger's G(n) as ARX evaluates it: exact recurrence up to 100 (odd n rounded down to even,
    G(1) = −γ − ln 2), ``ln n + m(1/24 − m(7/960 − m·31/8064))``, m = 1/(n/2)², above."""
    n = np.asarray(n, dtype=np.int64)
    table = np.empty(51)
    table[0] = -_EULER_GAMMA - np.log(2.0)  # G(1)
    table[1] = table[0] + 2.0  # G(2)
    for i in range(2, 51):  # G(2i) = G(2i − 2) + 2/(2i − 1)
        table[i] = table[i - 1] + 2.0 / (2 * i - 1)
    even = n - n % 2
    out = np.empty(n.shape)
    small = n <= 100
    out[small] = table[even[small] // 2]
    big = even[~small].astype(float)
    m = 1.0 / ((big / 2) * (big / 2))
    out[~small] = np.log(big) + m * (1.0 / 24 - m * (7.0 / 960 - m * 31.0 / 8064))
    return out


def grassberger_l_violations(pair_cls, pair_cnt, sizes, l) -> np.ndarray:  # noqa: E741
    """Entropy-ℓ with Grassberger's estimator: Σ n_i G(n_i) ≤ N (G(N) − log ℓ) and ≥ ⌈ℓ⌉ values.

    ARX adds the terms in the bucket order of its hash table and fails a class at the first partial
    sum above the bound; values seen once add negative terms (G(1) < 0), so ARX can reject a class
    whose full sum is within the bound. The full sum is the estimator's definition and is used here:
    every class ARX accepts is accepted, so the optimum is at least as good as ARX's."""
    n = len(sizes)
    terms = pair_cnt * grassberger_g(pair_cnt.astype(np.int64))
    total = np.bincount(pair_cls, weights=terms, minlength=n)
    bound = sizes * (grassberger_g(sizes.astype(np.int64)) - np.log(l))
    distinct = np.bincount(pair_cls, minlength=n)
    return (distinct < int(np.ceil(l))) | (total > bound + 1e-9 * np.maximum(1.0, np.abs(bound)))


def beta_violations(pair_cls, pair_cnt, pair_sens, sizes, q, beta, enhanced: bool) -> np.ndarray:
    """β-likeness: a class violates when one of its values' relative gain over the table exceeds the limit."""
    qt = q[pair_sens]
    gain = (pair_cnt / sizes[pair_cls] - qt) / qt
    limit = np.minimum(beta, -np.log(qt)) if enhanced else np.full(len(qt), float(beta))
    bad = gain > limit + _EPS
    return np.bincount(pair_cls, weights=bad, minlength=len(sizes)) > 0


def hierarchical_t_violations(pair_cls, pair_cnt, pair_sens, sizes, q, parents: list[np.ndarray], t,
                              chunk_cells=4_000_000) -> np.ndarray:
    """Hierarchical EMD (Li et al. 2007 §4.2, as ARX): ``parents[L-1]`` maps each node of level L−1
    (level 0 = the sensitive codes) to its node at level L; a dense classes × values matrix per chunk."""
    n_classes, m, H = len(sizes), len(q), len(parents)
    out = np.zeros(n_classes, dtype=bool)
    if H == 0 or m <= 1:
        return out
    ups = []
    for par in parents:
        a = np.zeros((len(par), int(par.max()) + 1))
        a[np.arange(len(par)), par] = 1.0
        ups.append(a)
    step = max(1, chunk_cells // m)
    order = np.argsort(pair_cls, kind="stable")
    cls_sorted = pair_cls[order]
    for lo in range(0, n_classes, step):
        hi = min(lo + step, n_classes)
        a, b = np.searchsorted(cls_sorted, [lo, hi])
        sel = order[a:b]
        net = np.zeros((hi - lo, m))
        net[pair_cls[sel] - lo, pair_sens[sel]] = pair_cnt[sel] / sizes[pair_cls[sel]]
        net = q[None, :] - net
        cost = np.zeros(hi - lo)
        for level, up in enumerate(ups, start=1):
            pos = np.maximum(net, 0.0) @ up
            neg = np.maximum(-net, 0.0) @ up
            cost += (level / H) * np.minimum(pos, neg).sum(axis=1)
            net = net @ up
        out[lo:hi] = cost > t + _EPS
    return out


# -- risk-based models (ARX's RiskBasedCriterion and HashGroupifyDistribution) -------------------------------


def average_risk_holds(kept: np.ndarray, threshold: float) -> bool:
    """Average prosecutor risk of the released records, 1 / (mean class size), at most ``threshold``
    (ARX's ``AverageReidentificationRisk.isFulfilled``; everything suppressed holds)."""
    n = float(kept.sum())
    if n == 0:
        return True
    return 1.0 / (n / float(len(kept))) <= threshold


def sample_uniques_holds(kept: np.ndarray, threshold: float) -> bool:
    """Share of released records that are alone in their class at most ``threshold`` (ARX's SampleUniqueness)."""
    n = float(kept.sum())
    return (float((kept == 1).sum()) / n if n else 0.0) <= threshold


#: Newton iterations per start value of ARX's solver in the population-uniqueness model: ARX's tests'
#: configuration (``ARXSolverConfiguration.create().setDeterministic(true).iterationsPerTry(15)``). ARX's default,
#: 1,000, gives the same Adult optima, but a fit that fails then costs up to 17,000 Newton steps (ARX cuts it
#: off after 1 s of wall time, which cannot be reproduced exactly).
POPULATION_SOLVER_ITERATIONS = 15


def population_uniques_share(kept: np.ndarray, population: int, model: str) -> float:
    """Estimated population uniques / N as ARX's ``PopulationUniqueness`` asks ``RiskModelPopulationUniqueness``:
    0 without sample uniques; an estimate that fails counts 0 for pitman / zayatz / snb, and −1 for Dankar's
    rule when Pitman fails at f ≤ 0.1 (ARX calls it without the Zayatz fallback), so that the model fails."""
    if not (kept == 1).any():
        return 0.0

    def ok(x: float) -> bool:
        return not math.isnan(x) and x != 0.0

    with np.errstate(all="ignore"):  # the SNB fit tries parameters where its equations are 0/0
        est = _population_uniques(kept, population, model, ok)
    return (est if est == -1.0 or ok(est) else 0.0) / population


def _population_uniques(kept: np.ndarray, population: int, model: str, ok) -> float:
    from anonymizer.risk import population as P

    if model == "dankar":
        if kept.sum() / population <= 0.1:
            est = P.pitman_uniques_arx(kept, population, per_try=POPULATION_SOLVER_ITERATIONS)
            est = est if ok(est) else -1.0
        else:
            snb, zay = P.snb_uniques(kept, population), P.zayatz_uniques(kept, population)
            est = (zay if zay < snb else snb) if ok(snb) else zay
    else:
        pitman = functools.partial(P.pitman_uniques_arx, per_try=POPULATION_SOLVER_ITERATIONS)
        est = {"pitman": pitman, "zayatz": P.zayatz_uniques, "snb": P.snb_uniques}[model](kept, population)
    return est


def population_uniques_holds(kept: np.ndarray, threshold: float, population: int, model: str) -> bool:
    """ARX's ``PopulationUniqueness.isFulfilled``: a positive estimate at most the threshold, or an estimate of 0
    with no sample unique (everything suppressed holds)."""
    if kept.sum() == 0:
        return True
    share = population_uniques_share(kept, population, model)
    if share > 0:
        return share <= threshold
    return share == 0 and not (kept == 1).any()


def sample_based_conditions(mo: Models):
    """One test per sample-based model of ``mo`` over the released class sizes, in ARX's order."""
    out = []
    if mo.avg_risk is not None:
        out.append(lambda kept, r=mo.avg_risk: average_risk_holds(kept, r))
    if mo.sample_uniques is not None:
        out.append(lambda kept, u=mo.sample_uniques: sample_uniques_holds(kept, u))
    if mo.population_uniques is not None:
        out.append(lambda kept, u=mo.population_uniques, pop=mo.population, m=mo.population_model:
                   population_uniques_holds(kept, u, pop, m))
    return out


def enforce_sample_based(sizes: np.ndarray, conditions, already: int, budget: int) -> np.ndarray:
    """Which of the candidate classes ``sizes`` (sorted as ARX sorts them: size, then loss, then first row)
    to suppress, as ARX's ``RiskBasedCriterion.enforce`` with ``HashGroupifyDistribution.suppressWhileNotFulfilledBinary``:
    a binary search of the prefix to suppress, stopped (ABORT) as soon as a failing prefix already takes
    the suppressed records past ``budget`` (``already`` are suppressed by the class-based models), and ARX's
    last step: when the final prefix still fails, one more class is suppressed without checking again.
    Several models are enforced one after the other on the same classes. Returns a boolean mask."""
    sup = np.zeros(len(sizes), dtype=bool)
    for holds in conditions:
        def state(holds=holds) -> str:
            if holds(sizes[~sup]):
                return "ok"
            return "abort" if already + int(sizes[sup].sum()) > budget else "no"

        if holds(sizes[~sup]) or not len(sizes):
            continue
        low, high = 0, len(sizes) - 1
        mid = int((low + high) / 2)  # Java's integer division truncates towards zero
        sup[low:mid + 1] = True
        st = "abort"
        while low <= high:
            st = state()
            if st == "abort":
                break
            if st == "ok":
                high = mid - 1
                mid = int((low + high) / 2)
                i = mid + 1
                while i < len(sizes) and sup[i]:
                    sup[i] = False
                    i += 1
            else:
                low = mid + 1
                mid = int((low + high) / 2)
                sup[low:mid + 1] = True
        if st != "abort":
            st = state()
            if st == "no" and mid + 1 < len(sizes) and not sup[mid + 1]:
                sup[mid + 1] = True
    return sup
