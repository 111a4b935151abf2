"""The release gate's attack: probabilistic record linkage of each person to the released rows.

The attacker holds, for a person, their original values of the facts they know
(``attack.facts``) and looks for that person's row in the release. The attack is the
Fellegi–Sunter record-linkage model (Fellegi & Sunter, "A Theory for Record Linkage", JASA
1969; Winkler 2004; Domingo-Ferrer & Torra 2003 for its use as a disclosure-risk measure):

* every comparator ``c`` of every fact has an agreement probability among true pairs,
  ``m_c = P(agree | same person)``, and among random pairs, ``u_c = P(agree | other person)``.
  Here both are *measured on the data*, true pairs included — the strongest attacker, who knows
  exactly how the release treats each fact, whatever the manifest says about the method;
* a candidate row scores ``Σ log(m/u)`` over the comparators it agrees on and
  ``Σ log((1-m)/(1-u))`` over those it disagrees on (0 when the release says nothing: ``*``);
  a comparator every true pair agrees on (``m = 1``) rules out the rows that disagree;
* comparators whose agreement is not significantly above chance (``z < z_min``) weigh 0: a fake
  or a keyed value that agrees by chance tells nothing and must not be mistaken for evidence;
* the attacker picks uniformly among the best-scoring rows. The person's *success* is
  ``1 / |best|`` when their true row is among the best, else 0; they are *re-identified
  uniquely* when the best row is theirs alone.

The figures are the mean success (the expected share of people the attacker re-identifies)
and the share re-identified uniquely. With more people than ``max_persons`` a uniform sample
(fixed seed) is attacked, against every released row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist

import numpy as np
import pandas as pd

from anonymizer.attack.facts import (
    UNKNOWN,
    Comparator,
    Fact,
    comparators,
    strata_of_coded,
    text_members,
    text_mentions,
)
from anonymizer.values.arrays import packed_codes

U_PAIRS = 200_000       # random pairs for the u of distance and free-text comparators
MAX_CELLS = 4_000_000   # (persons x candidates) scored at once
MAX_PATTERNS = 64       # released suppression patterns used for blocking


@dataclass
class LinkageReport:
    """What the attack achieved (counts and shares; no value)."""

    records: int
    persons_attacked: int
    mean_success: float
    unique_correct: int
    mean_best_set: float
    sampled: bool
    comparators: list[dict] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    uninformative: list[str] = field(default_factory=list)

    @property
    def unique_share(self) -> float:
        return self.unique_correct / self.persons_attacked if self.persons_attacked else 0.0

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "persons_attacked": self.persons_attacked,
            "sampled": self.sampled,
            "mean_success": round(self.mean_success, 6),
            "unique_reidentified": self.unique_correct,
            "unique_reidentified_share": round(self.unique_share, 6),
            "mean_best_set": round(self.mean_best_set, 3),
            "facts": list(self.facts),
            "uninformative_facts": list(self.uninformative),
            "evidence_used": list(self.comparators),
        }


ALPHA = 2.0  # pseudo-count of the value-pair weights (a value seen once is not proof of a mapping)
MIN_SUPPORT = 3  # true pairs a value pair needs before its weight counts (no memorising of single pairs)
FALSE_ALARM = 0.001  # chance that noise (a keyed fake) passes for evidence, over all the tests of a run


def _z_for(tests: int) -> float:
    """The two-sided z that ``tests`` tests together exceed by chance with probability FALSE_ALARM
    (Bonferroni): weights are learnt from the data, so chance agreement must not become evidence."""
    return NormalDist().inv_cdf(1 - FALSE_ALARM / (2 * max(tests, 1)))


def _log_tail(k: int, lam: float) -> float:
    """log P(X >= k) for X ~ Poisson(lam): how likely ``k`` chance agreements are when ``lam`` are
    expected. Exact for small k, the dominant-term bound beyond (the normal approximation says a
    single coincidence among thousands of pairs is significant: it is not)."""
    if k <= 0:
        return 0.0
    if lam <= 0:
        return -math.inf
    if k <= 50:
        head = sum(math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1)) for i in range(k))
        if head < 1 - 1e-12:
            return math.log1p(-head)
    if k <= lam:
        return 0.0
    return -lam + k * math.log(lam) - math.lgamma(k + 1) - math.log1p(-lam / (k + 1))


def _clipped(u: float, total: float) -> float:
    """A rate measured on ``total`` pairs kept half a pair away from 0 and 1: none of N agreeing
    is not proof that agreement never happens (a weight log(m/0) would be infinite)."""
    return min(max(u, 0.5 / total), 1 - 0.5 / total)


def _u_se(b: np.ndarray, pairs: tuple[np.ndarray, np.ndarray] | None) -> float:
    """Standard error of a u measured on sampled pairs (``b``: 1 agree, 0 disagree, -1 unknown).

    The pairs are clustered: a person's competitors are all compared with the same original value
    and a competitor row (its one keyed fake) serves several people, so the pair-level binomial
    error understates the noise. The two-way cluster-robust variance (Cameron, Gelbach & Miller,
    "Robust Inference With Multiway Clustering", J. Bus. Econ. Stat. 2011), by person and by
    competitor row, and never below the binomial one. u is a sample estimate: a significance test
    that takes it as exact finds evidence in noise once enough true pairs are counted (a keyed fake
    agreeing by chance, 1/12 of the time for a birth month, passed at a million rows and broke the
    ties of whole classes)."""
    kn = b >= 0
    total = int(kn.sum())
    if total == 0:
        return 0.0
    x = (b[kn] == 1).astype(np.float64)
    u = float(x.mean())
    uc = _clipped(u, total)
    var = uc * (1 - uc) / total
    if pairs is not None:
        e = x - u
        v_pair = float((e * e).sum()) / total ** 2
        v_side = [float((np.bincount(g[kn], weights=e) ** 2).sum()) / total ** 2 for g in pairs]
        var = max(var, *v_side, v_side[0] + v_side[1] - v_pair)
    return math.sqrt(var)


def _chi2_z(chi2: float, df: int) -> float:
    """Chi-square statistic as a standard normal deviate (Wilson & Hilferty 1931)."""
    if df <= 0:
        return 0.0
    v = 2.0 / (9.0 * df)
    return ((chi2 / df) ** (1.0 / 3.0) - (1.0 - v)) / math.sqrt(v)


def _learn_mapping(c: Comparator, z_min: float) -> None:
    """A ``categorical`` comparator from the true pairs.

    Weights learnt from the very pairs being attacked could memorise them (a keyed fake seen
    once would "map" to its original). So the release is taken to treat the fact as a *function*
    of its value (kept, relabelled, generalised; ``*`` aside) only when the values seen at least
    twice — covering most pairs — each come out as one value; the mapping then applies to every
    value, rare ones included, as it would for an attacker who knows the method: an ``eq``
    comparator on the mapped value. Otherwise it is a table of log-likelihood ratios per
    (original, released) value pair, counted only where at least ``MIN_SUPPORT`` true pairs and a
    significant departure from chance (|z| >= z_min) support them."""
    orig, rel = c.orig, c.rel  # per row (made once: a comparator may hold them per distinct value)
    known = (orig != UNKNOWN) & (rel != UNKNOWN)
    a, b = orig[known], rel[known]
    if len(a) == 0:
        c.type = "eq"
        return
    na, nb = int(orig.max()) + 1, int(max(rel.max(), 0)) + 1
    # the distinct (a, b) pairs and their counts, sorted by a: plain NumPy (a table of a few rows
    # per column of a wide table costs more in pandas' fixed costs than in the counting)
    cell, count = np.unique(a * nb + b, return_counts=True)
    pa, pb = cell // nb, cell % nb
    seen_a, per_a = np.unique(pa, return_counts=True)  # per original value: how many released values
    n_of_a = np.bincount(a, minlength=na)
    supported = n_of_a[seen_a] >= 2
    covered = n_of_a[seen_a[supported]].sum() / len(a)
    if covered >= 0.5 and (per_a[supported] == 1).all():  # a function: compare the mapped value
        mapping = np.full(na, UNKNOWN, dtype=np.int64)
        mapping[pa] = pb  # each value shows one value (singletons: what they showed, the function's value)
        c.map_orig(lambda o: np.where(o == UNKNOWN, UNKNOWN, mapping[np.maximum(o, 0)]))
        c.type = "eq"
        return
    if na * nb > 4_000_000:  # too many values for a table: compare as they are written
        c.use_equal()
        c.type, c.how = "eq", "equal"
        return
    n_a = np.bincount(a, minlength=na).astype(np.float64)
    p_b = np.bincount(rel[rel != UNKNOWN], minlength=nb).astype(np.float64)
    p_b /= p_b.sum()
    n_ab = np.zeros((na, nb))
    n_ab[pa, pb] = count
    expected = n_a[:, None] * p_b[None, :]
    cells = expected > 0
    chi2 = float((((n_ab - expected) ** 2)[cells] / expected[cells]).sum())
    df = (int((n_a > 0).sum()) - 1) * (int((p_b > 0).sum()) - 1)
    if _chi2_z(chi2, df) < z_min:  # released values independent of the originals: no evidence at all
        c.table = np.zeros((na, nb))
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (n_ab - expected) / np.sqrt(expected * (1 - p_b[None, :]))
        w = np.log(((n_ab + ALPHA * p_b[None, :]) / (n_a[:, None] + ALPHA)) / p_b[None, :])
    evident = (np.abs(z) >= max(z_min, _z_for(int(cells.sum())))) & ((n_ab >= MIN_SUPPORT) | (n_ab == 0))
    w[~evident | ~np.isfinite(w)] = 0.0
    c.table = w
    c.w_agree = float(w.max()) if w.size else 0.0


def _agreeing_pairs(o: np.ndarray, r: np.ndarray) -> float:
    """How many (original, released) pairs of rows show equal codes: the two frequency tables'
    products summed (exact: integers below 2**53). Counted by ``bincount`` when the codes are small
    non-negative numbers (values coded by first appearance), else over the distinct codes."""
    lo, hi = min(o.min(), r.min()), max(o.max(), r.max())
    if lo >= 0 and hi < 4 * (len(o) + len(r)) + 64:
        fo = np.bincount(o, minlength=hi + 1)
        return float((fo.astype(np.float64) * np.bincount(r, minlength=hi + 1)).sum())
    vo, fo = np.unique(o, return_counts=True)
    vr, fr = np.unique(r, return_counts=True)
    _common, io, ir = np.intersect1d(vo, vr, assume_unique=True, return_indices=True)
    return float((fo[io].astype(np.float64) * fr[ir]).sum())


def _evident(m: float, known: int, u: float, se: float, z_min: float) -> bool:
    """Whether ``known`` true pairs agreeing at rate ``m`` are significantly more than chance
    agreement ``u``: the count is unlikely under u (Poisson tail, :func:`_log_tail`: a few
    coincidences among thousands of pairs are not evidence), and, when u was measured on sampled
    pairs (``se``: its error, :func:`_u_se`), m exceeds it by ``z_min`` standard errors of the
    difference (two-sample z test: at a million rows m is known to 1e-3 and the sampled u only to
    1e-2, so the tail test alone takes u's noise for evidence)."""
    if m <= u or _log_tail(round(m * known), u * known) > math.log(2 * NormalDist().cdf(-z_min)):
        return False
    if se <= 0.0:
        return True
    return (m - u) / math.sqrt(m * (1 - m) / max(known, 1) + se * se) >= z_min


TRUE_PAIRS_SHARE = 4  # a fact's distinct true pairs are used when at most a quarter of its rows
TRUE_PAIRS_ROWS = 10_000  # and it has at least this many rows (below, reading the rows costs less)


def _true_pairs(c: Comparator, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """For a comparator whose verdict depends only on the two values (read at the fact's value
    codes), a row holding each distinct (original value, released value) pair of the true pairs
    (i, i), and how many rows hold it: m counted over the distinct pairs, not the n rows (each
    comparator of a fact, twice, read its n true pairs: a third of the learning, issue #21).
    Once per fact; None when the comparator reads per row, or the distinct pairs are many."""
    if (c.value_codes is None or c.type == "member" or c.w_strata is not None
            or c.o_at is not c.value_codes[0] or c.r_at is not c.value_codes[1] or n < max(TRUE_PAIRS_ROWS, 1)):
        return None
    cache = c.extra.get("per_fact", c.extra)
    if "true_pairs" not in cache:
        o, r = c.value_codes
        cell = o.astype(np.int64) * (int(r.max()) + 1) + r
        inverse, uniq = pd.factorize(cell)
        del cell
        got = None
        if len(uniq) * TRUE_PAIRS_SHARE <= n:
            first = np.zeros(len(uniq), dtype=np.int64)
            first[inverse[::-1]] = np.arange(n)[::-1]
            got = (first, np.bincount(inverse, minlength=len(uniq)))
        cache["true_pairs"] = got
    return cache["true_pairs"]


def _exact_u_eq(c: Comparator) -> tuple[float, float] | None:
    """An ``eq`` comparator's agreement rate over all (original, released) pairs of rows and the
    number of pairs with both codes known, from its tables per distinct value and how many rows
    read each (``_agreeing_pairs`` of the per-row codes, without them: integer counts, exact in
    float64). None when it holds per-row codes, or no pair is known."""
    if c.o_at is None or c.r_at is None:
        return None
    to, tr = c._orig, c._rel
    no, nr = np.bincount(c.o_at, minlength=len(to)), np.bincount(c.r_at, minlength=len(tr))
    ko, kr = (to != UNKNOWN) & (no > 0), (tr != UNKNOWN) & (nr > 0)
    len_o, len_r = int(no[ko].sum()), int(nr[kr].sum())
    if len_o == 0 or len_r == 0:
        return 0.0, 0.0
    ids = np.unique(np.concatenate([to[ko], tr[kr]]), return_inverse=True)[1].reshape(-1)  # a few values: NumPy
    m = int(ids.max()) + 1
    fo = np.bincount(ids[:int(ko.sum())], weights=no[ko], minlength=m)
    fr = np.bincount(ids[int(ko.sum()):], weights=nr[kr], minlength=m)
    agree = float((fo * fr).sum())
    total = len_o * float(len_r)
    return float(agree / total), total


def _measure(c: Comparator, n: int, rng: np.random.Generator, z_min: float,
             pairs: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """m and u of one comparator, its weights and whether it is strict (module doc).

    ``pairs``: the (person, other row) pairs u is measured on — pairs inside the candidate blocks
    once the blocking is known (module doc); else u is measured over all pairs. m is counted over
    the fact's distinct true pairs (``_true_pairs``) when it has few, and the exact u of an ``eq``
    comparator from its tables (``_exact_u_eq``): the same counts as over the rows."""
    c.w_agree = c.w_disagree = 0.0
    c.strict = False
    if c.type == "categorical":
        _learn_mapping(c, z_min)
        if c.type == "categorical":  # a table: m and u say how often a pair scores above 0
            true = _true_pairs(c, n)
            if true is not None:
                rows, count = true
                c.known = int(count[(c.orig_of(rows) != UNKNOWN) & (c._r(rows) != UNKNOWN)].sum())
                c.m = float(int(count[c.contribution(rows, rows) > 0].sum()) / n)
            else:
                idx = np.arange(n)
                own = c.contribution(idx, idx)
                c.known = int(((c.orig != UNKNOWN) & (c.rel != UNKNOWN)).sum())
                c.m = float((own > 0).mean())
            k = min(U_PAIRS, n * (n - 1))
            i, j = rng.integers(0, n, size=k), rng.integers(0, max(n - 1, 1), size=k)
            c.u = float((c.contribution(i, j + (j >= i)) > 0).mean())
            return
    state = (id(c._orig), id(c._rel), c.type, n)  # what m depends on (learn measures twice: the same)
    got = c.extra.get("m_of")
    if got is None or got[0] != state:
        true = _true_pairs(c, n)
        if true is not None:
            rows, count = true
            a = c.agree(rows, rows)
            known = int(count[a >= 0].sum())
            m = float(int(count[a == 1].sum()) / known) if known else None
        else:
            idx = np.arange(n)
            a = c.agree(idx, idx)
            ok = a >= 0
            known = int(ok.sum())
            m = float((a[ok] == 1).mean()) if known else None
        got = c.extra["m_of"] = (state, known, m)
    c.known = got[1]
    if c.known == 0:
        return
    c.m = got[2]
    se = 0.0  # u's sampling error (0: counted exactly)
    if pairs is not None:
        b = c.agree(*pairs)
        kn = b >= 0
        if not kn.any():
            return
        c.u = float((b[kn] == 1).mean())
        total = float(kn.sum())
        se = _u_se(b, pairs)
    elif c.type == "eq":  # u exactly, from the two frequency tables
        exact = _exact_u_eq(c)
        if exact is None:
            orig, rel = c.orig, c.rel
            o, r = orig[orig != UNKNOWN], rel[rel != UNKNOWN]
            if len(o) == 0 or len(r) == 0:
                return
            exact = float(_agreeing_pairs(o, r) / (len(o) * float(len(r)))), len(o) * float(len(r))
        elif exact[1] == 0.0:
            return
        c.u, total = exact
    else:
        k = min(U_PAIRS, n * (n - 1))
        i = rng.integers(0, n, size=k)
        j = rng.integers(0, n - 1, size=k)
        j = j + (j >= i)  # another row
        b = c.agree(i, j)
        kn = b >= 0
        if not kn.any():
            return
        c.u = float((b[kn] == 1).mean())
        total = float(kn.sum())
        se = _u_se(b, None)  # independent random pairs
    u = _clipped(c.u, total)
    if not _evident(c.m, c.known, u, se, z_min):
        return
    c.w_agree = math.log(c.m / u)
    c.strict = c.m >= 1.0
    c.w_disagree = -math.inf if c.strict else math.log((1 - c.m) / (1 - u))


def _unique_bool_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, axis=0, return_inverse=True)`` of a boolean table (rows in lexicographic
    order, False first) through each row's bits packed into 64-bit words, first column most
    significant, sorted as numbers: the void sort of ``axis=0`` costs a second for 100,000 rows."""
    n, k = a.shape
    if n == 0 or k == 0:
        return a[:min(n, 1)], np.zeros(n, dtype=np.int64)
    packed = np.packbits(a, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    if width != packed.shape[1]:
        packed = np.concatenate([packed, np.zeros((n, width - packed.shape[1]), dtype=np.uint8)], axis=1)
    words = np.ascontiguousarray(packed).view(">u8").astype(np.uint64)
    order = np.lexsort(words.T[::-1]) if words.shape[1] > 1 else np.argsort(words[:, 0], kind="stable")
    ranked = words[order]
    new = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)]
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return a[order[new]], inverse


class _Blocks:
    """Released rows grouped by the strict codes they show, for the candidate search.

    A released row that hides a strict code (``*``) matches any value there, and an original
    whose value could not be read matches any released value: rows are grouped by their pattern
    of hidden codes (patterns in lexicographic order, False before True), and each (released
    pattern, original pattern) is looked up on the codes both show."""

    def __init__(self, strict: list[Comparator], n: int) -> None:
        self.n = n
        self.rel = (np.stack([c.rel for c in strict], axis=1) if strict
                    else np.zeros((n, 0), dtype=np.int64))
        patterns, inverse = _unique_bool_rows(self.rel == UNKNOWN)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(patterns) + 1))
        self.parts = [(order[bounds[p]:bounds[p + 1]], np.flatnonzero(~pattern))
                      for p, pattern in enumerate(patterns)]

    def candidates(self, key: np.ndarray) -> np.ndarray:
        """Released rows compatible with an original's strict codes ``key`` (UNKNOWN: any)."""
        return self.lookup(key[None, :]).rows(0, 1)[0]

    def each(self, keys: np.ndarray):
        """(i, candidates of ``keys[i]``) for every key in order, looked up a chunk at a time."""
        for lo, hi, rows, bounds in self.lookup(keys).chunks():
            for g in range(lo, hi):
                yield g, rows[bounds[g - lo]:bounds[g - lo + 1]]

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
                both = np.asarray(pd.factorize(_packed(self.rel[np.ix_(rows, cols)], keys[np.ix_(sel, cols)]))[0],
                                  dtype=np.int64)
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


def _packed(rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The tuples of codes of ``rows`` then ``keys`` (two tables, the same columns) as one int64 per
    tuple (:func:`values.arrays.packed_codes`): ``pd.factorize`` of it numbers the tuples as the
    column-by-column factorisation did (two per column), in one pass."""
    return packed_codes((np.concatenate([rows[:, j], keys[:, j]]) for j in range(rows.shape[1])),
                        len(rows) + len(keys))


@dataclass
class _Lookup:
    """The candidates of many keys: key i's are ``source[starts[i, p]:starts[i, p] + counts[i, p]]``
    for every pattern p, in pattern order."""

    source: np.ndarray
    starts: np.ndarray
    counts: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        return self.counts.sum(axis=1)

    def rows(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """The candidates of keys lo..hi-1, concatenated, and their bounds (from 0)."""
        st, ct = self.starts[lo:hi].reshape(-1), self.counts[lo:hi].reshape(-1)
        total = int(ct.sum())
        pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(ct) - ct, ct) + np.repeat(st, ct)
        return self.source[pos], np.r_[0, np.cumsum(self.counts[lo:hi].sum(axis=1))]

    def chunks(self, cap: int | None = None):
        """(lo, hi, rows, bounds) over consecutive keys, about ``cap`` candidates at a time
        (4 ``MAX_CELLS``)."""
        cap = 4 * MAX_CELLS if cap is None else cap
        sizes, lo, m = self.sizes, 0, len(self.counts)
        ends = np.cumsum(sizes)
        while lo < m:
            base = ends[lo - 1] if lo else 0
            hi = max(lo + 1, int(np.searchsorted(ends, base + cap, side="right")))
            hi = min(hi, m)
            rows, bounds = self.rows(lo, hi)
            yield lo, hi, rows, bounds
            lo = hi


def _row_dependent(c: Comparator) -> bool:
    """Whether a comparator's verdict depends on more than the two values: the row's free text
    (member), or the stratum of the row (weights per precision of the linked fact)."""
    return c.value_codes is None or c.type == "member" or c.w_strata is not None


def _by_fact(scored: list[Comparator]) -> list[Comparator]:
    """The order in which comparators add to a pair's score: those scored per (original value,
    released value) pair first, then the row-dependent ones (a fixed order keeps every score the
    same float)."""
    return [c for c in scored if not _row_dependent(c)] + [c for c in scored if _row_dependent(c)]


TABLE_CELLS = 4_000_000  # a comparator's (original value x released value) scores tabulated up to this size


def _reps(c: Comparator) -> tuple[np.ndarray, np.ndarray]:
    """A row holding each original value code and each released value code (the first one):
    a comparator that depends only on the two values is evaluated on these rows."""
    cache = c.extra.get("per_fact", c.extra)  # one for every comparator of the fact (the same value codes)
    got = cache.get("reps")
    if got is None:
        o, r = c.value_codes
        rep_o = np.zeros(int(o.max()) + 1 if len(o) else 0, dtype=np.int64)
        rep_o[o[::-1]] = np.arange(len(o))[::-1]
        rep_r = np.zeros(int(r.max()) + 1 if len(r) else 0, dtype=np.int64)
        rep_r[r[::-1]] = np.arange(len(r))[::-1]
        got = cache["reps"] = (rep_o, rep_r)
    return got


def _fact_table(c: Comparator, pairs: int) -> np.ndarray | None:
    """Every (original value, released value) score of a comparator, tabulated once (its verdict
    depends only on the two values) when the table is no larger than ``TABLE_CELLS`` nor than the
    ``pairs`` about to be scored (a table larger than its use costs more than it saves); the flat
    table, row-major over (original code, released code)."""
    cached = c.extra.get("table")
    if cached is not None:
        return cached
    rep_o, rep_r = _reps(c)
    no, nr = len(rep_o), len(rep_r)
    if no * nr == 0 or no * nr > min(TABLE_CELLS, pairs):
        return None
    c.extra["table"] = table = c.contribution(np.repeat(rep_o, nr), np.tile(rep_r, no))
    return table


def _agreement_table(c: Comparator, pairs: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``_fact_table`` of a comparator whose score is its weight for agreeing, disagreeing or
    saying nothing (not a categorical one: its table holds a weight per value pair): the flat
    (original value, released value) table of its agreement (int8: 1, 0, -1) and the three
    scores it reads, ``[w_disagree, w_agree, 0.0]`` (index -1 is the last). The same floats per
    pair as the float table (``contribution``), on an eighth of the memory: the tables of 105
    comparators were the scoring's peak (164 MiB at 100,000 rows, issue #21)."""
    cached = c.extra.get("agreement")
    if cached is not None:
        return cached
    if c.type == "categorical":
        return None
    rep_o, rep_r = _reps(c)
    no, nr = len(rep_o), len(rep_r)
    if no * nr == 0 or no * nr > min(TABLE_CELLS, pairs):
        return None
    agree = c.agree(np.repeat(rep_o, nr), np.tile(rep_r, no))
    # the scores ``contribution`` gives: a zero weight is no score (0.0)
    scores = np.array([c.w_disagree or 0.0, c.w_agree or 0.0, 0.0], dtype=np.float64)
    c.extra["agreement"] = got = (agree, scores)
    return got


def _released_sides(c: Comparator, n: int) -> list[np.ndarray]:
    """What a comparator reads of a released row, as codes per row: two rows with the same codes
    get the same score from it against any original."""
    if c.type == "member":
        out = [c.set_of if c.set_of is not None else np.arange(n, dtype=np.int64)]
    else:
        out = [c.value_codes[1] if c.value_codes is not None else np.arange(n, dtype=np.int64)]
    if c.extra.get("unknown_rows") is not None:
        out.append(np.asarray(c.extra["unknown_rows"], dtype=np.int64))
    if c.w_strata is not None:
        out.append(c.strata)
    return out


def _row_classes(scored: list[Comparator], n: int) -> np.ndarray | None:
    """Per released row, its class among the rows ``scored`` cannot tell apart (the same released
    value of every fact, the same swapped class...): the scores of a person against two rows of one
    class are the same floats, so each (person, class) is scored once. None when the classes are
    nearly as many as the rows (nothing to gain).

    A side read by several comparators (a fact's released codes, read by each of its comparators)
    is packed once: packing is one-to-one while every code is at least -1, so a side packed again
    splits no class, and the classes are numbered by first appearance at the end, whatever the
    packing (279 comparators read 66 sides in the 100,000-row gate's input attack, 0.6 s a call,
    issue #21). A code below -1 (never made so) takes every side in turn, as before."""
    sides: list[np.ndarray] = []
    seen: set[int] = set()
    for c in scored:
        for side in _released_sides(c, n):
            if id(side) not in seen:  # ``sides`` holds each one: no id is reused meanwhile
                seen.add(id(side))
                sides.append(side)
    if any(len(s) and int(np.min(s)) < -1 for s in sides):
        sides = [s for c in scored for s in _released_sides(c, n)]
    code = np.zeros(n, dtype=np.int64)
    span = 1  # the codes so far lie in [0, span): sides are packed into one number while it fits
    for side in sides:
        side = np.asarray(side, dtype=np.int64)
        if not len(side):
            continue
        lo, width = int(side.min()), int(side.max()) + 2
        if span * width >= 2**62 or lo < -1:  # renumbered (by first appearance, as at the end)
            code, _ = pd.factorize(code)
            code = np.asarray(code, dtype=np.int64)
            span = int(code.max()) + 1
        code = code * width + side + 1
        span *= width
        if lo < -1:  # values the packing would confuse: renumbered at once, as before
            code, _ = pd.factorize(code)
            code = np.asarray(code, dtype=np.int64)
            span = int(code.max()) + 1
    code = np.asarray(pd.factorize(code)[0], dtype=np.int64)
    return code if n and int(code.max()) + 1 <= n // 2 else None


def _score_pairs(ii: np.ndarray, rr: np.ndarray, scored: list[Comparator],
                 rclass: np.ndarray | None = None) -> np.ndarray:
    """Score of each pair (original ii[k], released rr[k]), comparator by comparator in the order
    of ``scored``: a comparator of two values from its table of (original value, released value)
    scores when it has one, else on the distinct value pairs present (each fact's pairs coded and
    deduplicated once for all its comparators); row-dependent comparators pair by pair.
    ``rclass`` (:func:`_row_classes` of ``scored``): each (original, class of released rows) is
    scored once, on its first pair."""
    if rclass is not None and len(ii) > 1:
        inverse, _pairs = pd.factorize(ii * (int(rclass.max()) + 1) + rclass[rr])
        if len(_pairs) < len(ii):
            first = np.zeros(len(_pairs), dtype=np.int64)
            first[inverse[::-1]] = np.arange(len(ii))[::-1]
            return _score_pairs(ii[first], rr[first], scored)[inverse]
    total = np.zeros(len(ii), dtype=np.float64)
    flat: dict[int, np.ndarray] = {}     # per fact (its value codes): each pair's (original, released) value cell
    distinct: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    # a fact's per-pair arrays are dropped after its last comparator: kept for every fact they were
    # two int64 arrays per fact and pair (76 facts x 4 million pairs: 2.4 GB, the attack's peak)
    last = {id(c.value_codes[0]): i for i, c in enumerate(scored) if not _row_dependent(c)}
    sets: dict[int, np.ndarray] = {}  # per member comparators' set array (the swapped facts share one): at rr
    for i, c in enumerate(scored):
        if _row_dependent(c):
            if c.type == "member" and c.set_of is not None:
                at = sets.get(id(c.set_of))  # ``scored`` holds every set array: no id is reused meanwhile
                if at is None:
                    at = sets[id(c.set_of)] = c.set_of[rr]
                total += c.contribution(ii, rr, at)
            else:
                total += c.contribution(ii, rr)
            continue
        o, r = c.value_codes
        nr = int(r.max()) + 1
        key = id(o)
        cell = flat.get(key)
        if cell is None:
            cell = flat[key] = o[ii].astype(np.int64) * nr + r[rr]  # int64: value codes may be int32
        done = last[key] == i
        if done:
            del flat[key]
        agreement = _agreement_table(c, len(ii))
        table = _fact_table(c, len(ii)) if agreement is None else None
        if agreement is not None:
            at, scores = agreement
            total += scores[at[cell]]
        if table is not None:
            total += table[cell]
        if agreement is not None or table is not None:
            if done:
                distinct.pop(key, None)
            continue
        got = distinct.pop(key, None) if done else distinct.get(key)
        if got is None:
            inverse, cells = pd.factorize(cell)
            rep_o, rep_r = _reps(c)
            got = (inverse, rep_o[cells // nr], rep_r[cells % nr])
            if not done:
                distinct[key] = got
        del cell
        inverse, ri, rj = got
        total += c.contribution(ri, rj)[inverse]
    return total


def _block_pairs(blocks: _Blocks, blocked: list[Comparator], n: int, rng: np.random.Generator,
                 limit: int = U_PAIRS) -> tuple[np.ndarray, np.ndarray] | None:
    """Random (person, other row of the person's candidates) pairs: what competes with the true
    row. None when no blocking applies (then every row competes: all pairs, as measured first)."""
    if not blocked or n < 2:
        return None
    people = rng.choice(n, size=min(n, 4000), replace=False)
    per = max(1, limit // len(people))
    keys = np.stack([c.orig_of(people) for c in blocked], axis=1)
    uniq, which = np.unique(keys, axis=0, return_inverse=True)
    rows, bounds = blocks.lookup(uniq).rows(0, len(uniq))
    lo, hi = bounds[which.reshape(-1)], bounds[which.reshape(-1) + 1]
    ii, jj = [], []
    for p, a, b in zip(people.tolist(), lo.tolist(), hi.tolist(), strict=True):
        cands = rows[a:b]
        others = cands[cands != p]
        if len(others) == 0:
            continue
        pick = others[rng.integers(0, len(others), size=min(per, len(others)))]
        ii.append(np.full(len(pick), p))
        jj.append(pick)
    if not ii:
        return None
    return np.concatenate(ii), np.concatenate(jj)


def _blockers(strict: list[Comparator]) -> list[Comparator]:
    """The strict comparators candidates are looked up by: per fact the one released rows hide
    least (a coarse bin known for every row beats a fine one that local recoding hides in half
    of them), added while the rows' patterns of hidden codes stay few (each pattern is an index).
    The others still rule candidates out, in the scoring."""
    # each comparator's hidden rows read once (``rel`` is made per row from a table at each read)
    hidden = [int(np.count_nonzero(c.rel == UNKNOWN)) for c in strict]
    best: dict[str, tuple[Comparator, int]] = {}
    for c, h in zip(strict, hidden, strict=True):
        if c.fact not in best or h < best[c.fact][1]:
            best[c.fact] = (c, h)
    chosen: list[Comparator] = []
    pattern = np.zeros(len(strict[0].r_at if strict[0].r_at is not None else strict[0].rel) if strict else 0,
                       dtype=np.int64)  # per row: its pattern so far
    for c, _h in sorted(best.values(), key=lambda ch: ch[1]):
        trial = pattern * 2 + (c.rel == UNKNOWN)
        inverse, distinct = pd.factorize(trial)  # the same partition as np.unique's, numbered otherwise
        if len(distinct) <= MAX_PATTERNS:
            chosen.append(c)
            pattern = np.asarray(inverse, dtype=np.int64)
    return chosen


@dataclass
class _Model:
    """What the attacker learnt: the primary comparators (the released columns themselves), the
    blocking ones, and the refining ones (values written inside others or in free text)."""

    primary: list[Comparator]
    blocked: list[Comparator]
    blocks: _Blocks
    n: int
    refining: list[Comparator] = field(default_factory=list)

    @cached_property
    def primary_classes(self) -> np.ndarray | None:
        """``_row_classes`` of ``_by_fact(self.primary)``, made once per model: the best-set sampling
        and the attack score the same primary comparators (two calls, 1.3 s of the 100,000-row gate,
        issue #21), whose released sides do not change once learnt (refining ones alone are measured
        after)."""
        return _row_classes(_by_fact(self.primary), self.n)


def learn(facts: list[Fact], texts: pd.Series | None = None, *, seed: int = 0, z_min: float = 3.0,
          members: tuple[np.ndarray, int] | None = None) -> _Model:
    """The attacker's comparators with their weights (module doc).

    Primary facts are compared first: their released values are the same for every row of a
    released class, so they never split one. Refining facts — a NIR's birth month, a date in a
    comment — can differ inside a class (a keyed fake differs per person), so they only choose
    among the rows the primary facts rank best, with weights measured there: among the true row's
    real competitors, a keyed fake agrees as often with them as with the true row and weighs
    nothing, while a value copied from the original still tells the true row apart.

    ``members``: :func:`facts.text_members` of ``texts`` (or ``facts.marks_members``), given instead
    of the texts."""
    n = len(facts[0].released) if facts else 0
    rng = np.random.default_rng(seed)
    primary: list[Comparator] = []
    refining: list[Comparator] = []
    if members is None and texts is not None and any(f.kind == "date" for f in facts):
        members = text_members(texts)
    for f in facts:
        (refining if f.derived else primary).extend(comparators(f))
        if members is not None and f.kind == "date" and not f.derived:
            t = text_mentions(f, texts, members)
            if t is not None:
                refining.append(t)
    z_run = max(z_min, _z_for(len(primary) + len(refining)))
    for k, c in enumerate(primary):
        _measure(c, n, rng, z_run)
        per_fact = c.extra.get("per_fact")
        if per_fact is not None and (k + 1 == len(primary) or primary[k + 1].extra.get("per_fact") is not per_fact):
            per_fact.pop("true_pairs", None)  # a fact's comparators come together: its true pairs are done
    # The blocking (strict comparators: every true pair agrees) says who competes with the true
    # row; the other primary comparators' u is measured among those competitors.
    blocked = _blockers([c for c in primary if c.w_agree > 0 and c.strict and c.type == "eq"])
    blocks = _Blocks(blocked, n)
    within = _block_pairs(blocks, blocked, n, rng)
    for c in primary:
        if not any(c is b for b in blocked) and c.type != "categorical" and within is not None:
            _measure(c, n, rng, z_run, pairs=within)
    model = _Model([c for c in primary if c.w_agree > 0], blocked, blocks, n)
    if refining and n > 1:
        pairs = _best_set_pairs(model, rng)
        released = {f.name: f for f in facts}
        for c in refining:
            if c.link in released:  # weights per precision of the linked released value
                c.strata = strata_of_coded(released[c.link].coded("released"))
                _measure_strata(c, n, z_run, pairs)
            else:
                _measure(c, n, rng, z_run, pairs=pairs)
        model.refining = [c for c in refining if c.w_agree > 0]
    for c in primary + refining:  # the distinct true pairs and m served the learning only
        c.extra.get("per_fact", c.extra).pop("true_pairs", None)
        c.extra.pop("m_of", None)
    return model


def _measure_strata(c: Comparator, n: int, z_min: float, pairs: tuple[np.ndarray, np.ndarray] | None) -> None:
    """A refining comparator's weights per stratum of the candidate row (the precision of the
    fact it is linked to: a NIR's birth year tells something only where the birth date is released
    coarser than the NIR shows it). m over the true rows of the stratum, u over the competitors
    of the stratum in the best sets."""
    c.w_agree = c.w_disagree = 0.0
    if pairs is None:
        return
    idx = np.arange(n)
    a = c.agree(idx, idx)
    b = c.agree(*pairs)
    strata_true, strata_other = c.strata[idx], c.strata[pairs[1]]
    count = int(c.strata.max()) + 1 if len(c.strata) else 0
    w = np.zeros((count, 2))
    for s_ in range(count):
        kt = (strata_true == s_) & (a >= 0)
        ko = (strata_other == s_) & (b >= 0)
        if not kt.any() or not ko.any():
            continue
        m = float((a[kt] == 1).mean())
        total = float(ko.sum())
        u = _clipped(float((b[ko] == 1).mean()), total)
        se = _u_se(np.where(ko, b, -1), pairs)
        if not _evident(m, int(kt.sum()), u, se, z_min):
            continue
        w[s_, 0] = math.log(m / u)
        w[s_, 1] = -math.inf if m >= 1.0 else math.log((1 - m) / (1 - u))
    known = a >= 0
    c.known = int(known.sum())
    c.m = float((a[known] == 1).mean()) if c.known else 0.0
    kb = b >= 0
    c.u = float((b[kb] == 1).mean()) if kb.any() else 0.0
    if (w[:, 0] > 0).any():
        c.w_strata = w
        c.w_agree = float(w[:, 0].max())
        c.strict = bool(np.isneginf(w[:, 1]).any())


@dataclass
class _Batch:
    """Pairs of many persons at once: ``owner[k]`` is the position (in the attacked persons) of
    pair k's person, ``ii``/``rr`` the original and released rows; each person's pairs are
    contiguous, starting at ``starts``."""

    owner: np.ndarray
    ii: np.ndarray
    rr: np.ndarray
    starts: np.ndarray
    people: np.ndarray  # the owners, in order (one per start)


@dataclass
class _ClassBatch(_Batch):
    """Pairs of persons and *classes* of candidate rows (rows the scored comparators cannot tell
    apart, :func:`_row_classes`): ``rr`` a row of the class, ``cls`` the class, ``mult`` how many
    of the person's candidates it holds, ``rows[seg:seg + mult]`` those candidates."""

    cls: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mult: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    seg: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # rows' places in the candidates


def _own_row_inside(model: _Model, persons: np.ndarray) -> np.ndarray:
    """Whether each person's own released row is among their candidates: it shows, for every
    blocking comparator, the person's code, or hides it, or the person's code is unknown."""
    if not model.blocked:
        return np.ones(len(persons), dtype=bool)
    key = np.stack([c.orig_of(persons) for c in model.blocked], axis=1)
    rel = model.blocks.rel[persons]
    return ((rel == UNKNOWN) | (key == UNKNOWN) | (rel == key)).all(axis=1)


def _ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Positions first[i] .. first[i] + count[i] - 1 for every i, concatenated."""
    total = int(count.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count - first, count)


def _class_batches(model: _Model, persons: np.ndarray, rclass: np.ndarray | None, rows: bool = True,
                   by_rows: bool = False):
    """Every (attacked person, class of their candidate rows) pair, strict key by strict key, in
    batches of about ``MAX_CELLS`` pairs: a person's score against a class is the same float for
    every row of it, so the rows of a class are scored once (without classes: each row its own).
    ``rows``: whether the batches list the rows of each class (``seg``, ``rows``, and ``pos``, the
    place of each in its key's candidates: within a person, ``pos`` order is candidate order).
    ``by_rows``: batches cut at about ``MAX_CELLS`` (person, candidate row) pairs, not classes,
    where the row-by-row batching cut them (``_batches`` in tests/attack/reference/linkage_v2.py):
    the same persons in the same batches, so the best-set sampling draws the same competitors.

    The classes of every key's candidates are found at once per chunk of keys (one factorisation
    of (key, class) pairs: first appearance within a key, as one per key would number them), and a
    batch's arrays are gathered from them in one go."""
    keys = (np.stack([c.orig_of(persons) for c in model.blocked], axis=1) if model.blocked
            else np.zeros((len(persons), 0), dtype=np.int64))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    parts: dict[str, list] = {k: [] for k in ("owner", "ii", "rr", "cls", "mult", "seg", "rows", "starts", "pos")}
    state = {"size": 0, "offset": 0, "cost": 0}  # cost: what the batch cut counts (classes, or rows)

    def flush() -> _ClassBatch:
        got = {}
        for k, v in parts.items():  # each list's pieces freed once joined: not every piece and its join at once
            got[k] = np.concatenate(v) if v else np.zeros(0, dtype=np.int64)
            v.clear()
        state["size"] = state["offset"] = state["cost"] = 0
        return _ClassBatch(got["owner"], got["ii"], got["rr"], got["starts"], got["owner"][got["starts"]],
                           cls=got["cls"], mult=got["mult"], seg=got["seg"], rows=got["rows"], pos=got["pos"])

    def gather(ch: dict, pieces_key: list[int], pieces_who: list[np.ndarray]) -> None:
        """The pairs of the pending pieces (a key of the chunk, some of its persons) into ``parts``."""
        if not pieces_key:
            return
        kidx = np.asarray(pieces_key, dtype=np.int64)
        sizes = np.fromiter((len(w) for w in pieces_who), dtype=np.int64, count=len(pieces_who))
        who = np.concatenate(pieces_who)
        key_m = np.repeat(kidx, sizes)
        u_m = ch["nclass"][key_m]
        cidx = _ranges(ch["cfirst"][key_m], u_m)
        owner = np.repeat(who, u_m)
        blen = ch["blen"][kidx]
        piece_off = state["offset"] + np.cumsum(blen) - blen
        parts["starts"].append(state["size"] + np.cumsum(u_m) - u_m)
        parts["owner"].append(owner)
        parts["ii"].append(persons[owner])
        parts["rr"].append(ch["reps"][cidx])
        parts["cls"].append(np.asarray(ch["cls"], dtype=np.int64)[cidx])
        parts["mult"].append(ch["mult"][cidx])
        parts["seg"].append(ch["seg"][cidx] + np.repeat(np.repeat(piece_off, sizes), u_m))
        listed = _ranges(ch["by_start"][kidx], blen)
        parts["rows"].append(ch["by_class"][listed])
        if ch["pos"] is not None:
            parts["pos"].append(ch["pos"][listed])
        state["offset"] += int(blen.sum())
        state["size"] += len(owner)
        pieces_key.clear()
        pieces_who.clear()

    for lo, hi, cands, cb in model.blocks.lookup(uniq).chunks(MAX_CELLS):
        ncand = np.diff(cb)
        pos = None
        if rclass is None:  # each row its own class
            cls_all, mult_all, reps_all = cands, np.ones(len(cands), dtype=np.int64), cands
            seg_all, by_class, nclass = _ranges(np.zeros(len(ncand), dtype=np.int64), ncand), cands, ncand
            blen = ncand
            pos = np.arange(len(cands), dtype=np.int64) if by_rows else None
        else:
            key_of = np.repeat(np.arange(hi - lo, dtype=np.int64), ncand)
            inv, _ = pd.factorize(key_of * (int(rclass.max()) + 1) + rclass[cands])
            inv = np.asarray(inv, dtype=np.int64)
            mult_all = np.bincount(inv, minlength=int(inv.max()) + 1 if len(inv) else 0)
            first = np.zeros(len(mult_all), dtype=np.int64)
            first[inv[::-1]] = np.arange(len(inv))[::-1]
            reps_all = cands[first]
            cls_all = rclass[reps_all]
            nclass = np.bincount(key_of[first], minlength=hi - lo)
            seg_all = np.cumsum(mult_all) - mult_all - np.repeat(cb[:-1], nclass)
            if rows:  # grouped by class, in class order, rows in order within a class
                grouped = np.argsort(inv, kind="stable")
                by_class, blen = cands[grouped], ncand
                pos = grouped if by_rows else None
            else:  # only a single candidate's row is listed (as one class of its own)
                single = ncand == 1
                by_class, blen = cands[np.repeat(single, ncand)], single.astype(np.int64)
        cfirst = np.cumsum(nclass) - nclass
        bfirst = np.cumsum(blen) - blen
        by_class_start = np.cumsum(ncand) - ncand if (rclass is None or rows) else bfirst
        ch = {"nclass": nclass, "cfirst": cfirst, "blen": blen, "reps": reps_all, "cls": cls_all,
              "mult": mult_all, "seg": seg_all, "by_class": by_class, "by_start": by_class_start, "pos": pos}
        pieces_key: list[int] = []
        pieces_who: list[np.ndarray] = []
        pending = 0
        cut = ncand if by_rows else nclass
        for g in range(lo, hi):
            if ncand[g - lo] == 0:
                continue
            members = order[bounds[g]:bounds[g + 1]]
            u = int(cut[g - lo])
            step = max(1, MAX_CELLS // u)
            for s_ in range(0, len(members), step):
                who = members[s_: s_ + step]
                pieces_key.append(g - lo)
                pieces_who.append(who)
                pending += len(who) * u
                if state["cost"] + pending >= MAX_CELLS:
                    gather(ch, pieces_key, pieces_who)
                    pending = 0
                    yield flush()
        gather(ch, pieces_key, pieces_who)
        state["cost"] += pending
        pending = 0
    if parts["owner"]:
        yield flush()


def _best_pairs(batch: _Batch, scores: np.ndarray) -> np.ndarray:
    """Pairs scoring their person's best (ties within 1e-9; nothing when the best is -inf)."""
    top = np.maximum.reduceat(scores, batch.starts) if len(scores) else scores
    per_pair = np.repeat(top, np.diff(np.append(batch.starts, len(scores))))
    return (scores >= per_pair - 1e-9) & np.isfinite(per_pair)


def _best_rows(model: _Model, sample: np.ndarray, scored: list[Comparator], rclass: np.ndarray | None):
    """Per batch of about ``MAX_CELLS`` (person, row) pairs, the (person, row, owner) pairs scoring their person's best, the
    person's own row left out, in that batch's order: each (person, class of rows) scored once, the
    rows of the best classes then listed in candidate order (a class's rows score the same float:
    the same pairs as scoring every row, without the tens of millions of pairs)."""
    for batch in _class_batches(model, sample, rclass, rows=True, by_rows=True):
        best = _best_pairs(batch, _score_pairs(batch.ii, batch.rr, scored))
        sel = np.flatnonzero(best)
        lens = batch.mult[sel]
        at = np.repeat(batch.seg[sel] - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
        owner = np.repeat(batch.owner[sel], lens)
        run = np.cumsum(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else owner  # a person's pairs are contiguous
        order = np.lexsort((batch.pos[at], run))  # each person's rows in candidate order
        owner, rr = owner[order], batch.rows[at][order]
        ii = sample[owner]
        mine = ii != rr
        yield ii[mine], rr[mine], owner[mine]


def _best_set_pairs(model: _Model, rng: np.random.Generator, people: int = 3000,
                    per: int = 50) -> tuple[np.ndarray, np.ndarray] | None:
    """(person, competitor) pairs from the primary best sets of a sample of people: where the
    refining comparators' u is measured."""
    sample = np.sort(rng.choice(model.n, size=min(model.n, people), replace=False))
    scored = _by_fact(model.primary)
    rclass = model.primary_classes
    ii, jj = [], []
    for pi, pj, owner in _best_rows(model, sample, scored, rclass):
        if len(pi) == 0:
            continue
        keep = np.zeros(len(pi), dtype=bool)  # at most ``per`` competitors per person, drawn at random
        shuffled = rng.permutation(len(pi))
        o_sorted = np.argsort(owner[shuffled], kind="stable")
        ranked = shuffled[o_sorted]
        first = np.r_[0, np.flatnonzero(np.diff(owner[ranked])) + 1]
        rank = np.arange(len(ranked)) - np.repeat(first, np.diff(np.r_[first, len(ranked)]))
        keep[ranked[rank < per]] = True
        ii.append(pi[keep])
        jj.append(pj[keep])
    if not ii:
        return None
    return np.concatenate(ii), np.concatenate(jj)


def linkage_attack(facts: list[Fact], *, texts: pd.Series | None = None, max_persons: int = 20_000,
                   seed: int = 0, z_min: float = 3.0, members: tuple[np.ndarray, int] | None = None) -> LinkageReport:
    """Attack every person (or a uniform sample) of ``facts`` (module doc).

    ``facts[k].original`` and ``.released`` are row-aligned: original row ``i`` is released as
    row ``i``. ``texts``: the released rows' free text (all free-text columns joined), searched
    for the attacker's dates; or ``members``, the dates they quote (:func:`learn`)."""
    model = learn(facts, texts, seed=seed, z_min=z_min, members=members)
    n = model.n
    used = model.primary + model.refining
    rng = np.random.default_rng(seed + 1)
    informative = {c.fact for c in used}
    uninformative = [f.name for f in facts if f.name not in informative]
    persons = np.arange(n) if n <= max_persons else np.sort(rng.choice(n, size=max_persons, replace=False))
    report = LinkageReport(records=n, persons_attacked=len(persons), mean_success=0.0, unique_correct=0,
                           mean_best_set=0.0, sampled=len(persons) < n,
                           facts=[f.name for f in facts], uninformative=uninformative,
                           comparators=[{"fact": c.fact, "comparison": c.how, "m": round(c.m, 6),
                                         "u": round(c.u, 6), "weight": round(c.w_agree, 3),
                                         "rules_out_others": c.strict} for c in used])
    if n == 0 or len(persons) == 0:
        return report
    # every primary comparator scores, the blocking ones too: among the rows they let through, a
    # row that agrees must outrank one that hides the value ('*', or a coarser level)
    scored = _by_fact(model.primary)
    refining = _by_fact(model.refining)
    rclass = model.primary_classes
    rclass_refining = _row_classes(refining, n) if refining else None
    success = np.zeros(len(persons))
    unique = np.zeros(len(persons), dtype=bool)
    best_size = np.zeros(len(persons))
    own_class = rclass[persons] if rclass is not None else persons
    inside = _own_row_inside(model, persons)
    for batch in _class_batches(model, persons, rclass, rows=bool(refining)):
        scores = _score_pairs(batch.ii, batch.rr, scored)
        best = _best_pairs(batch, scores)
        if refining:  # the rows of the best classes, scored on the refining facts
            sel = np.flatnonzero(best)
            lens = batch.mult[sel]
            first = np.repeat(batch.seg[sel] - (np.cumsum(lens) - lens), lens)
            rr = batch.rows[first + np.arange(len(first))]
            owner = np.repeat(batch.owner[sel], lens)
            ii = persons[owner]
            if not len(owner):
                continue
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            rows = _Batch(owner, ii, rr, starts, owner[starts])
            best = _best_pairs(rows, _score_pairs(ii, rr, refining, rclass_refining))
            counts = np.add.reduceat(best, starts, dtype=np.int64)
            mine = np.add.reduceat(best & (ii == rr), starts, dtype=np.int64) > 0
            people = rows.people
        else:  # a best class counts its rows; the person's own row is in it when its class is
            counts = np.add.reduceat(np.where(best, batch.mult, 0), batch.starts, dtype=np.int64)
            own = best & (batch.cls == own_class[batch.owner]) & inside[batch.owner]
            mine = np.add.reduceat(own, batch.starts, dtype=np.int64) > 0
            people = batch.people
        success[people] = np.where(mine, 1.0 / np.maximum(counts, 1), 0.0)
        unique[people] = mine & (counts == 1)
        best_size[people] = counts
    report.mean_success = float(success.mean())
    report.unique_correct = int(unique.sum())
    report.mean_best_set = float(best_size.mean())
    return report
