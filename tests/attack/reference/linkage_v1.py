# src/anonymizer/attack/linkage.py at commit 283e449 (before the release gate was made cheaper, issue
# #21), kept verbatim - only its imports point at this folder - as the reference the faster code must
# equal figure for figure (tests/attack/test_gate_equivalence.py). Do not edit.
# One deliberate edit (2026-12-04): the significance test of weak evidence is src's (_evident, _u_se:
# u measured on sampled pairs carries a sampling error, tests/attack/test_weak_evidence.py); these
# references pin the pairs, the scoring and the draws of the speed-ups, not that test.
# ruff: noqa
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
from statistics import NormalDist

import numpy as np
import pandas as pd

from anonymizer.attack.linkage import _evident as _src_evident, _u_se as _src_u_se

from .facts_v1 import UNKNOWN, Comparator, Fact, comparators, strata_of, text_mentions

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
    known = (c.orig != UNKNOWN) & (c.rel != UNKNOWN)
    a, b = c.orig[known], c.rel[known]
    if len(a) == 0:
        c.type = "eq"
        return
    na, nb = int(c.orig.max()) + 1, int(max(c.rel.max(), 0)) + 1
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
        c.orig = np.where(c.orig == UNKNOWN, UNKNOWN, mapping[np.maximum(c.orig, 0)])
        c.type = "eq"
        return
    if na * nb > 4_000_000:  # too many values for a table: compare as they are written
        c.orig, c.rel = c.extra["equal"]
        c.type, c.how = "eq", "equal"
        return
    n_a = np.bincount(a, minlength=na).astype(np.float64)
    p_b = np.bincount(c.rel[c.rel != UNKNOWN], minlength=nb).astype(np.float64)
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


def _measure(c: Comparator, n: int, rng: np.random.Generator, z_min: float,
             pairs: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """m and u of one comparator, its weights and whether it is strict (module doc).

    ``pairs``: the (person, other row) pairs u is measured on — pairs inside the candidate blocks
    once the blocking is known (module doc); else u is measured over all pairs."""
    c.w_agree = c.w_disagree = 0.0
    c.strict = False
    if c.type == "categorical":
        _learn_mapping(c, z_min)
        if c.type == "categorical":  # a table: m and u say how often a pair scores above 0
            idx = np.arange(n)
            own = c.contribution(idx, idx)
            c.known = int(((c.orig != UNKNOWN) & (c.rel != UNKNOWN)).sum())
            c.m = float((own > 0).mean())
            k = min(U_PAIRS, n * (n - 1))
            i, j = rng.integers(0, n, size=k), rng.integers(0, max(n - 1, 1), size=k)
            c.u = float((c.contribution(i, j + (j >= i)) > 0).mean())
            return
    idx = np.arange(n)
    a = c.agree(idx, idx)
    known = a >= 0
    c.known = int(known.sum())
    if c.known == 0:
        return
    c.m = float((a[known] == 1).mean())
    se = 0.0
    if pairs is not None:
        b = c.agree(*pairs)
        kn = b >= 0
        if not kn.any():
            return
        c.u = float((b[kn] == 1).mean())
        total = float(kn.sum())
        se = _src_u_se(b, pairs)
    elif c.type == "eq":  # u exactly, from the two frequency tables
        o, r = c.orig[c.orig != UNKNOWN], c.rel[c.rel != UNKNOWN]
        if len(o) == 0 or len(r) == 0:
            return
        c.u = float(_agreeing_pairs(o, r) / (len(o) * float(len(r))))
        total = len(o) * float(len(r))
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
        se = _src_u_se(b, None)
    u = min(max(c.u, 0.5 / total), 1 - 0.5 / total)
    if not _src_evident(c.m, c.known, u, se, z_min):
        return
    c.w_agree = math.log(c.m / u)
    c.strict = c.m >= 1.0
    c.w_disagree = -math.inf if c.strict else math.log((1 - c.m) / (1 - u))


class _Blocks:
    """Released rows grouped by the strict codes they show, for the candidate search.

    A released row that hides a strict code (``*``) matches any value there, and an original
    whose value could not be read matches any released value: rows are grouped by their pattern
    of hidden codes, and each (released pattern, original pattern) gets its own index on the
    codes both show, built once when first needed."""

    def __init__(self, strict: list[Comparator], n: int) -> None:
        self.n = n
        self.rel = (np.stack([c.rel for c in strict], axis=1) if strict
                    else np.zeros((n, 0), dtype=np.int64))
        hidden = self.rel == UNKNOWN
        patterns, inverse = np.unique(hidden, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        self.parts = [(np.flatnonzero(inverse == p), np.flatnonzero(~pattern)) for p, pattern in enumerate(patterns)]
        self._index: dict[tuple[int, tuple[int, ...]], dict] = {}

    def _table(self, p: int, cols: tuple[int, ...]) -> dict:
        got = self._index.get((p, cols))
        if got is None:
            rows = self.parts[p][0]
            if not cols:
                got = {(): rows}
            else:
                frame = pd.DataFrame(self.rel[np.ix_(rows, list(cols))])
                groups = frame.groupby(list(frame.columns), sort=False).indices
                got = {(k if isinstance(k, tuple) else (k,)): rows[v] for k, v in groups.items()}
            self._index[(p, cols)] = got
        return got

    def candidates(self, key: np.ndarray) -> np.ndarray:
        """Released rows compatible with an original's strict codes ``key`` (UNKNOWN: any)."""
        readable = key != UNKNOWN
        found = []
        for p, (_rows, shown) in enumerate(self.parts):
            cols = shown[readable[shown]]
            rows = self._table(p, tuple(cols.tolist())).get(tuple(key[cols].tolist()))
            if rows is not None:
                found.append(rows)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


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
    got = c.extra.get("reps")
    if got is None:
        o, r = c.value_codes
        rep_o = np.zeros(int(o.max()) + 1 if len(o) else 0, dtype=np.int64)
        rep_o[o[::-1]] = np.arange(len(o))[::-1]
        rep_r = np.zeros(int(r.max()) + 1 if len(r) else 0, dtype=np.int64)
        rep_r[r[::-1]] = np.arange(len(r))[::-1]
        got = c.extra["reps"] = (rep_o, rep_r)
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
    nearly as many as the rows (nothing to gain)."""
    code = np.zeros(n, dtype=np.int64)
    for c in scored:
        for side in _released_sides(c, n):
            side = np.asarray(side, dtype=np.int64)
            code, _ = pd.factorize(code * (int(side.max()) + 2) + side + 1 if len(side) else code)
            code = np.asarray(code, dtype=np.int64)
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
    for c in scored:
        if _row_dependent(c):
            total += c.contribution(ii, rr)
            continue
        o, r = c.value_codes
        nr = int(r.max()) + 1
        key = id(o)
        cell = flat.get(key)
        if cell is None:
            cell = flat[key] = o[ii] * nr + r[rr]
        table = _fact_table(c, len(ii))
        if table is not None:
            total += table[cell]
            continue
        got = distinct.get(key)
        if got is None:
            inverse, cells = pd.factorize(cell)
            rep_o, rep_r = _reps(c)
            got = distinct[key] = (inverse, rep_o[cells // nr], rep_r[cells % nr])
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
    keys = np.stack([c.orig[people] for c in blocked], axis=1)
    cache: dict[bytes, np.ndarray] = {}
    ii, jj = [], []
    for p, key in zip(people, keys, strict=True):
        k = key.tobytes()
        cands = cache.get(k)
        if cands is None:
            cands = cache[k] = blocks.candidates(key)
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
    best: dict[str, Comparator] = {}
    for c in strict:
        hidden = int((c.rel == UNKNOWN).sum())
        if c.fact not in best or hidden < int((best[c.fact].rel == UNKNOWN).sum()):
            best[c.fact] = c
    chosen: list[Comparator] = []
    pattern = np.zeros(len(strict[0].rel) if strict else 0, dtype=np.int64)  # per row: its pattern so far
    for c in sorted(best.values(), key=lambda c: int((c.rel == UNKNOWN).sum())):
        trial = pattern * 2 + (c.rel == UNKNOWN)
        distinct, inverse = np.unique(trial, return_inverse=True)
        if len(distinct) <= MAX_PATTERNS:
            chosen.append(c)
            pattern = inverse.reshape(-1).astype(np.int64)
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


def learn(facts: list[Fact], texts: pd.Series | None = None, *, seed: int = 0, z_min: float = 3.0) -> _Model:
    """The attacker's comparators with their weights (module doc).

    Primary facts are compared first: their released values are the same for every row of a
    released class, so they never split one. Refining facts — a NIR's birth month, a date in a
    comment — can differ inside a class (a keyed fake differs per person), so they only choose
    among the rows the primary facts rank best, with weights measured there: among the true row's
    real competitors, a keyed fake agrees as often with them as with the true row and weighs
    nothing, while a value copied from the original still tells the true row apart."""
    n = len(facts[0].released) if facts else 0
    rng = np.random.default_rng(seed)
    primary: list[Comparator] = []
    refining: list[Comparator] = []
    for f in facts:
        (refining if f.derived else primary).extend(comparators(f))
        if texts is not None and f.kind == "date" and not f.derived:
            t = text_mentions(f, texts)
            if t is not None:
                refining.append(t)
    z_run = max(z_min, _z_for(len(primary) + len(refining)))
    for c in primary:
        _measure(c, n, rng, z_run)
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
        released = {f.name: f.released for f in facts}
        for c in refining:
            if c.link in released:  # weights per precision of the linked released value
                c.strata = strata_of(released[c.link])
                _measure_strata(c, n, z_run, pairs)
            else:
                _measure(c, n, rng, z_run, pairs=pairs)
        model.refining = [c for c in refining if c.w_agree > 0]
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
    threshold = math.log(2 * NormalDist().cdf(-z_min))
    for s_ in range(count):
        kt = (strata_true == s_) & (a >= 0)
        ko = (strata_other == s_) & (b >= 0)
        if not kt.any() or not ko.any():
            continue
        m = float((a[kt] == 1).mean())
        total = float(ko.sum())
        u = min(max(float((b[ko] == 1).mean()), 0.5 / total), 1 - 0.5 / total)
        if not _src_evident(m, int(kt.sum()), u, _src_u_se(np.where(ko, b, -1), pairs), z_min):
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


def _batches(model: _Model, persons: np.ndarray):
    """Every (attacked person, candidate row) pair, strict key by strict key (persons of one key
    share their candidates), gathered into batches of about ``MAX_CELLS`` pairs."""
    keys = (np.stack([c.orig[persons] for c in model.blocked], axis=1) if model.blocked
            else np.zeros((len(persons), 0), dtype=np.int64))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(uniq) + 1))
    owners, ii, rr, people, starts, size = [], [], [], [], [], 0

    def flush():
        ow = np.concatenate(owners)
        return _Batch(ow, np.concatenate(ii), np.concatenate(rr), np.asarray(starts, dtype=np.int64),
                      np.asarray(people, dtype=np.int64))

    for g, key in enumerate(uniq):
        members = order[bounds[g]:bounds[g + 1]]
        cands = model.blocks.candidates(key)
        if len(cands) == 0:
            continue
        step = max(1, MAX_CELLS // len(cands))
        for s_ in range(0, len(members), step):
            who = members[s_: s_ + step]
            starts.extend(size + np.arange(len(who)) * len(cands))
            people.extend(who)
            owners.append(np.repeat(who, len(cands)))
            ii.append(np.repeat(persons[who], len(cands)))
            rr.append(np.tile(cands, len(who)))
            size += len(who) * len(cands)
            if size >= MAX_CELLS:
                yield flush()
                owners, ii, rr, people, starts, size = [], [], [], [], [], 0
    if owners:
        yield flush()


def _best_pairs(batch: _Batch, scores: np.ndarray) -> np.ndarray:
    """Pairs scoring their person's best (ties within 1e-9; nothing when the best is -inf)."""
    top = np.maximum.reduceat(scores, batch.starts) if len(scores) else scores
    per_pair = np.repeat(top, np.diff(np.append(batch.starts, len(scores))))
    return (scores >= per_pair - 1e-9) & np.isfinite(per_pair)


def _best_set_pairs(model: _Model, rng: np.random.Generator, people: int = 3000,
                    per: int = 50) -> tuple[np.ndarray, np.ndarray] | None:
    """(person, competitor) pairs from the primary best sets of a sample of people: where the
    refining comparators' u is measured."""
    sample = np.sort(rng.choice(model.n, size=min(model.n, people), replace=False))
    scored = _by_fact(model.primary)
    rclass = _row_classes(scored, model.n)
    ii, jj = [], []
    for batch in _batches(model, sample):
        best = _best_pairs(batch, _score_pairs(batch.ii, batch.rr, scored, rclass)) & (batch.ii != batch.rr)
        pi, pj, owner = batch.ii[best], batch.rr[best], batch.owner[best]
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
                   seed: int = 0, z_min: float = 3.0) -> LinkageReport:
    """Attack every person (or a uniform sample) of ``facts`` (module doc).

    ``facts[k].original`` and ``.released`` are row-aligned: original row ``i`` is released as
    row ``i``. ``texts``: the released rows' free text (all free-text columns joined), searched
    for the attacker's dates."""
    model = learn(facts, texts, seed=seed, z_min=z_min)
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
    rclass = _row_classes(scored, n)
    rclass_refining = _row_classes(refining, n) if refining else None
    success = np.zeros(len(persons))
    unique = np.zeros(len(persons), dtype=bool)
    best_size = np.zeros(len(persons))
    for batch in _batches(model, persons):
        best = _best_pairs(batch, _score_pairs(batch.ii, batch.rr, scored, rclass))
        if refining:  # among the best pairs only (a pair's score does not depend on the others)
            extra = np.full(len(best), -np.inf)
            extra[best] = _score_pairs(batch.ii[best], batch.rr[best], refining, rclass_refining)
            best &= _best_pairs(batch, extra)
        counts = np.add.reduceat(best.astype(np.int64), batch.starts)
        mine = np.add.reduceat((best & (batch.ii == batch.rr)).astype(np.int64), batch.starts) > 0
        success[batch.people] = np.where(mine, 1.0 / np.maximum(counts, 1), 0.0)
        unique[batch.people] = mine & (counts == 1)
        best_size[batch.people] = counts
    report.mean_success = float(success.mean())
    report.unique_correct = int(unique.sum())
    report.mean_best_set = float(best_size.mean())
    return report
