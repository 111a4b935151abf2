"""Population uniqueness: how many sample uniques are also unique in the population.

The sample is the released table; the population is everyone it was drawn from (``N``
people, sampling fraction ``f = n / N``). Three estimators of the number of population
uniques, all computed from the sample's class-size histogram ``{size j: number of classes f_j}``,
and the decision rule of Dankar et al. that picks one, as ARX implements it
(``org.deidentifier.arx.risk.RiskModelPopulationUniqueness``):

* **Pitman** (Pitman 1996; Hoshino 2001, "Applying Pitman's sampling formula to microdata
  disclosure risk assessment", J. Official Statistics 17(4)): fit (θ, α) of the Pitman
  sampling formula by maximum likelihood, then ``uniques = Γ(θ+1)/Γ(θ+α) · N^α``.
* **Zayatz** (Zayatz 1991, "Estimation of the number of unique population elements using a
  sample", Census SRD report): share of sample uniques that are population uniques from
  hypergeometric draws, ``uniques = f_1 · P(unique | sample unique) / f``.
* **SNB** (Chen & Keller-McNulty 1998, "Estimation of identification disclosure risk in
  microdata", J. Official Statistics 14(1)): population class sizes follow a shifted negative
  binomial ``F - 1 ~ NB(α, β)``; α, β solved from the observed ``f_1`` and ``f_2``;
  ``uniques = K · β^α`` with ``K`` the number of non-empty population classes (Shlosser's
  estimator, Haas et al. 1995).
* **Dankar** (Dankar, El Emam, Neisa & Roffey 2012, "Estimating the re-identification risk of
  clinical data sets", BMC Med. Inform. Decis. Mak. 12:66): ``f <= 0.1`` → Pitman (Zayatz if
  Pitman does not converge); ``f > 0.1`` → the smaller of Zayatz and SNB (Zayatz if SNB fails).

No SciPy: the digamma/trigamma functions below use the recurrence ψ(x) = ψ(x+1) − 1/x and the
asymptotic series (Abramowitz & Stegun 6.3.18, 6.4.12).
"""

from __future__ import annotations

import math

import numpy as np


def digamma(x: np.ndarray | float) -> np.ndarray:
    """ψ(x) for x > 0 (recurrence up to x >= 10, then the asymptotic series; |error| < 1e-13)."""
    x = np.array(x, dtype=float, copy=True)
    acc = np.zeros_like(x)
    for _ in range(10):
        small = x < 10
        if not small.any():
            break
        acc[small] -= 1.0 / x[small]
        x[small] += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
    return acc + np.log(x) - 0.5 * inv - series


def trigamma(x: np.ndarray | float) -> np.ndarray:
    """ψ'(x) for x > 0 (recurrence ψ'(x) = ψ'(x+1) + 1/x², then the asymptotic series)."""
    x = np.array(x, dtype=float, copy=True)
    acc = np.zeros_like(x)
    for _ in range(10):
        small = x < 10
        if not small.any():
            break
        acc[small] += 1.0 / (x[small] * x[small])
        x[small] += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv + 0.5 * inv2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30))))
    return acc + series


def _histogram(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct class sizes j, number of classes f_j of each size)."""
    j, fj = np.unique(np.asarray(sizes, dtype=np.int64), return_counts=True)
    return j, fj.astype(float)


def population_size(n: int, population: int | None, sampling_fraction: float | None) -> int | None:
    """N from either argument; ARX rounds ``n / f`` to the nearest integer."""
    if population is not None:
        return int(population)
    if sampling_fraction is not None:
        return int(round(n / float(sampling_fraction)))
    return None


def pitman_uniques(sizes: np.ndarray, N: int, *, max_iter: int = 300, tol: float = 1e-10,
                   closed_form_above: int = 100_000) -> float:
    """Population uniques under Pitman's model (Hoshino 2001, eqs. for the ML estimates).

    The likelihood equations solved by Newton-Raphson (ARX's starting point) are::

        Σ_{i=1}^{u-1} 1/(θ+iα) = Σ_{i=1}^{n-1} 1/(θ+i)
        Σ_{i=1}^{u-1} i/(θ+iα) = Σ_j f_j Σ_{k=1}^{j-1} 1/(k-α)

    Returns NaN when the solver does not converge or the estimate is outside [0, N].
    Deviation from ARX: the Newton step is halved while it leaves the domain (α < 1, θ + iα > 0)
    or fails to reduce the residual, so some tables where ARX's plain Newton diverges (and ARX
    falls back to Zayatz) get a Pitman estimate; when plain Newton converges both find the same root.
    """
    j, fj = _histogram(sizes)
    n = float((j * fj).sum())
    u = float(fj.sum())
    c1 = float(fj[j == 1].sum())
    c2 = float(fj[j == 2].sum()) or 1.0
    if c1 == 0:
        return 0.0
    if u < 2:
        return math.nan
    c = c1 * (c1 - 1) / c2
    t = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c)
    a = (t * (c1 - n) + (n - 1) * c1) / (n * u)
    idx: list[np.ndarray] = []  # 1..u-1, built only when the explicit sums are used

    def ivec() -> np.ndarray:
        if not idx:
            idx.append(np.arange(1, int(u), dtype=float))
        return idx[0]

    big = j > 1
    jb, fb = j[big].astype(float), fj[big]

    closed = u > closed_form_above

    def sums(t: float, a: float) -> tuple[float, float, float, float, float]:
        """Σ 1/(θ+iα), Σ i/(θ+iα), Σ 1/(θ+iα)², Σ i/(θ+iα)², Σ i²/(θ+iα)² over i = 1..u−1.

        Explicit sums, or for very many classes their closed forms through ψ and ψ'
        (Σ_{i=1}^{u-1} 1/(θ+iα) = [ψ(θ/α+u) − ψ(θ/α+1)]/α, and the others follow by partial
        fractions), which cost O(1) instead of O(u) per Newton step.
        """
        if closed and a > 1e-3:
            x = t / a
            s1 = float(digamma(x + u) - digamma(x + 1)) / a
            s2 = float(trigamma(x + 1) - trigamma(x + u)) / (a * a)
            return (s1, ((u - 1) - t * s1) / a, s2, (s1 - t * s2) / a,
                    ((u - 1) - 2 * t * s1 + t * t * s2) / (a * a))
        i = ivec()
        inv = 1.0 / (t + i * a)
        inv2 = inv * inv
        return inv.sum(), (i * inv).sum(), inv2.sum(), (i * inv2).sum(), (i * i * inv2).sum()

    def residual(t: float, a: float) -> tuple[float, float] | None:
        if not (np.isfinite(t) and np.isfinite(a)) or a >= 1 or t + a <= 0 or t <= -1 or t + (u - 1) * a <= 0:
            return None
        s1, si, _, _, _ = sums(t, a)
        g1 = s1 - float(digamma(t + n) - digamma(t + 1))
        g2 = si - float((fb * (digamma(jb - a) - digamma(1 - a))).sum())
        return g1, g2

    g = residual(t, a)
    if g is None:  # ARX's moment start is outside the domain: start from a neutral point
        t, a = 1.0, 0.5
        g = residual(t, a)
    for _ in range(max_iter):
        if g is None:
            return math.nan
        g1, g2 = g
        _, _, s2, si2, sii2 = sums(t, a)
        j11 = -s2 + float(trigamma(t + 1) - trigamma(t + n))
        j12 = -si2
        j22 = -sii2 - float((fb * (trigamma(1 - a) - trigamma(jb - a))).sum())
        det = j11 * j22 - j12 * j12
        if det == 0 or not np.isfinite(det):
            return math.nan
        dt = (g1 * j22 - g2 * j12) / det
        da = (j11 * g2 - j12 * g1) / det
        # plain Newton step when it stays in the domain and reduces the residual (then the fixed
        # point is the same as ARX's undamped solver); otherwise halve it (backtracking)
        norm = math.hypot(g1, g2)
        lam = 1.0
        while lam > 1e-6:
            cand = residual(t - lam * dt, a - lam * da)
            if cand is not None and math.hypot(*cand) < norm * (1 - 1e-4 * lam) or (cand is not None and norm < 1e-12):
                break
            lam /= 2
        else:
            return math.nan
        t, a = t - lam * dt, a - lam * da
        g = cand
        if abs(lam * dt) < tol * max(1.0, abs(t)) and abs(lam * da) < tol:
            break
    else:
        return math.nan
    if a == 0 or not (np.isfinite(t) and np.isfinite(a)) or t + a <= 0:
        return math.nan
    try:
        est = math.exp(math.lgamma(t + 1) - math.lgamma(t + a) + a * math.log(N))
    except (OverflowError, ValueError):
        return math.nan
    return est if 0 <= est <= N else math.nan


_DIGAMMA_1 = -0.5772156649015329
_TRIGAMMA_1 = math.pi * math.pi / 6.0
_TETRAGAMMA_1 = -2.0 * 1.2020569031595942


def _arx_digamma1(x: float) -> float:
    """``arx_digamma`` of one number, in plain Python (the Newton steps call it a few hundred thousand times)."""
    if math.isinf(x) or math.isnan(x):
        return math.nan
    if x == 0:
        return -math.inf
    if x < 0:
        t = math.tan(-math.pi * x)
        return _arx_digamma1(1.0 - x) + (math.pi / t if t else math.copysign(math.inf, t))
    if x <= 1e-6:
        return _DIGAMMA_1 - 1.0 / x + _TRIGAMMA_1 * x
    acc = 0.0
    while x < 12.0:
        acc -= 1.0 / x
        x += 1.0
    r = 1.0 / x
    r2 = r * r
    return acc + math.log(x) - 0.5 * r - r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 / 132))))


def _arx_trigamma1(x: float) -> float:
    """``arx_trigamma`` of one number, in plain Python."""
    if math.isinf(x) or math.isnan(x):
        return math.nan
    if x == 0:
        return -math.inf
    if x < 0:
        s = math.sin(-math.pi * x)
        r = math.pi / s if s else math.inf
        return -_arx_trigamma1(1.0 - x) + r * r
    if x <= 1e-4:
        return 1.0 / (x * x) + _TRIGAMMA_1 + _TETRAGAMMA_1 * x
    acc = 0.0
    while x < 8.0:
        acc += 1.0 / (x * x)
        x += 1.0
    if x >= 12.0:
        r = 1.0 / (x * x)
        acc += 0.5 * r + (1.0 + r * (1 / 6 + r * (-1 / 30 + r * (1 / 42 + r * (-1 / 30 + r * 5 / 66))))) / x
    return acc


def arx_digamma(x) -> np.ndarray:
    """ψ as ARX's ``org.deidentifier.arx.risk.Gamma.digamma`` computes it (reflection below 0, Taylor near 0,
    recurrence to 12 then de Moivre's series), so that ARX's solver is followed step for step."""
    if np.ndim(x) == 0:
        return np.float64(_arx_digamma1(float(x)))
    x = np.array(x, dtype=float, copy=True)
    out = np.full(x.shape, np.nan)
    neg = x < 0
    with np.errstate(all="ignore"):
        refl = math.pi / np.tan(-math.pi * x[neg])
    x[neg] = 1.0 - x[neg]
    small = (x > 0) & (x <= 1e-6)
    out[small] = _DIGAMMA_1 - 1.0 / x[small] + _TRIGAMMA_1 * x[small]
    rest = np.isfinite(x) & (x > 1e-6)
    y = x[rest]
    acc = np.zeros_like(y)
    for _ in range(13):
        low = y < 12.0
        if not low.any():
            break
        acc[low] -= 1.0 / y[low]
        y[low] += 1.0
    r = 1.0 / y
    r2 = r * r
    out[rest] = acc + np.log(y) - 0.5 * r - r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 / 132))))
    out[x == 0] = -np.inf
    out[neg] = out[neg] + refl
    return out


def arx_trigamma(x) -> np.ndarray:
    """ψ' as ARX's ``Gamma.trigamma`` computes it, including its slip: the recurrence stops at 8 but the
    asymptotic tail is only added from 12, so below 12 ARX's ψ' is the bare sum Σ 1/(x+i)². It only enters
    the Jacobian of ARX's Newton steps; reproducing it makes the solver converge or fail where ARX's does."""
    if np.ndim(x) == 0:
        return np.float64(_arx_trigamma1(float(x)))
    x = np.array(x, dtype=float, copy=True)
    out = np.full(x.shape, np.nan)
    neg = x < 0
    with np.errstate(all="ignore"):
        refl = (math.pi / np.sin(-math.pi * x[neg])) ** 2
    x[neg] = 1.0 - x[neg]
    small = (x > 0) & (x <= 1e-4)
    out[small] = 1.0 / (x[small] * x[small]) + _TRIGAMMA_1 + _TETRAGAMMA_1 * x[small]
    rest = np.isfinite(x) & (x > 1e-4)
    y = x[rest]
    acc = np.zeros_like(y)
    for _ in range(9):
        low = y < 8.0
        if not low.any():
            break
        acc[low] += 1.0 / (y[low] * y[low])
        y[low] += 1.0
    big = y >= 12.0
    r = 1.0 / (y[big] * y[big])
    b2, b4, b6, b8, b10 = 1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66
    acc[big] += 0.5 * r + (1.0 + r * (b2 + r * (b4 + r * (b6 + r * (b8 + r * b10))))) / y[big]
    out[rest] = acc
    out[x == 0] = -np.inf
    out[neg] = -out[neg] + refl
    return out


#: ARX's ``ARXSolverConfiguration``: accuracy, iterations per try, and the deterministic start values
#: tried after the first (d1, d2 in 0, 0.33, 0.66, 0.99: ``getDefaultStartValues``)
ARX_ACCURACY = 1e-6
ARX_ITERATIONS_PER_TRY = 1000
ARX_START_VALUES = [(i * 0.33, j * 0.33) for i in range(4) for j in range(4)]


def newton_arx(master, start: tuple[float, float], constraint=None, *, accuracy: float = ARX_ACCURACY,
               per_try: int = ARX_ITERATIONS_PER_TRY) -> tuple[float, float]:
    """The 2-D Newton-Raphson solver ARX uses (de.linearbits.newtonraphson.NewtonRaphson2D 0.0.1, as ARX
    configures it: deterministic start values), step for step, so that its estimates fail where ARX's do:
    ``master(x, y)`` gives (f1, f2, J) with J = ((j11, j12), (j21, j22)); a try stops when |f1|, |f2| ≤
    ``accuracy`` (success), the step leaves ``constraint``, gives NaN or exceeds ``per_try`` + 1 steps; then
    the next start value is tried; at most (starts + 1) · ``per_try`` evaluations in all, and the solver stops
    right after the first step from the last start value. Returns (NaN, NaN) on failure. (ARX's time limits,
    100 ms a try and 1 s in all, are not reproduced.)"""
    total_limit = (len(ARX_START_VALUES) + 1) * per_try
    total, offset, first = 0, 0, True
    x = y = math.nan
    while total <= total_limit:
        if first:
            x, y = start
            first = False
        else:
            x, y = ARX_START_VALUES[offset]
            offset += 1
        iterations = 0
        while True:
            total += 1
            x, y = np.float64(x), np.float64(y)  # Java's doubles: x/0 is ±∞ or NaN, not an error
            f1, f2, ((a11, a12), (a21, a22)) = master(x, y)
            if abs(f1) <= accuracy and abs(f2) <= accuracy:
                return float(x), float(y)
            with np.errstate(all="ignore"):
                sc = float(np.float64(1.0) / np.float64(a11 * a22 - a12 * a21))  # Java: 1/0 = ∞, no error
                i11, i12, i21, i22 = a22 * sc, -a12 * sc, -a21 * sc, a11 * sc
                x, y = x - (i11 * f1 + i12 * f2), y - (i21 * f1 + i22 * f2)
            if offset == len(ARX_START_VALUES):
                return math.nan, math.nan
            if constraint is not None and not constraint(x, y):
                break
            if np.isnan(x) or np.isnan(y) or iterations >= per_try:
                break
            iterations += 1
    return math.nan, math.nan


def _pitman_start(j: np.ndarray, fj: np.ndarray) -> tuple[float, float, float, float]:
    """n, u and ARX's moment start (θ, α) of Pitman's solver (Hoshino 2001)."""
    n = float((j * fj).sum())
    u = float(fj.sum())
    c1 = float(fj[j == 1].sum())
    c2 = float(fj[j == 2].sum()) or 1.0
    c = c1 * (c1 - 1) / c2
    t = (n * u * c - c1 * (n - 1) * (2 * u + c)) / (2 * c1 * u + c1 * c - n * c) if (2 * c1 * u + c1 * c - n * c) else math.nan
    a = (t * (c1 - n) + (n - 1) * c1) / (n * u)
    return n, u, t, a


def pitman_uniques_arx(sizes: np.ndarray, N: int, *, per_try: int = ARX_ITERATIONS_PER_TRY) -> float:
    """Population uniques under Pitman's model exactly as ARX's ``ModelPitman`` computes them (the same
    likelihood equations as ``pitman_uniques``, solved by ``newton_arx``): the closed forms through ψ and ψ'
    first, checked against the explicit sums (|residual| ≤ 10⁻⁶), the explicit sums when that fails; the
    estimate Γ(θ+1)/Γ(θ+α)·N^α kept when in [0, N]. NaN when ARX's solver fails — then the privacy model
    counts as failed, as in ARX. ``per_try``: ARX's ``iterationsPerTry`` (its tests use 15)."""
    j, fj = _histogram(sizes)
    if not (j == 1).any():
        return 0.0
    n, u, t0, a0 = _pitman_start(j, fj)
    big = j > 1
    jb, fb = j[big].astype(float), fj[big]
    # Σ_{k=1}^{j−1} 1/(k−α) and 1/(k−α)² per class size j, through running sums over k = 1..max j − 1
    kmax = int(j.max())
    ks = np.arange(1, max(kmax, 2), dtype=float)
    iu = np.arange(1, int(u), dtype=float)
    inn = np.arange(1, int(n), dtype=float)

    def closed(t: float, a: float):
        with np.errstate(all="ignore"):
            v0 = u - 1.0
            v1 = float(arx_digamma(v0 + t / a + 1.0)) if a else math.nan
            v2 = float(arx_trigamma((a + t + a * v0) / a)) if a else math.nan
            v3 = float(arx_trigamma(t / a + 1.0)) if a else math.nan
            v4 = float(arx_digamma(t / a + 1.0)) if a else math.nan
            v5 = a * a
            d1 = (v3 - v2) / v5
            d5 = ((a * v1 + t * v2) - a * v4 - t * v3) / (v5 * a)
            d3 = ((((v5 * v0) - t * t * v2) + t * t * v3) - 2.0 * a * t * v1 + 2.0 * a * t * v4) / (v5 * v5)
            o1 = (v1 - v4) / a
            o3 = (-t * v1 + a * v0 + t * v4) / (a * a)
            o2 = float(arx_digamma(n + t) - arx_digamma(t + 1.0))
            d2 = float(arx_trigamma(t + 1.0) - arx_trigamma(n + t))
            d4 = float((fb * (arx_trigamma(1.0 - a) - arx_trigamma(jb - a))).sum())
            o4 = float((fb * (arx_digamma(jb - a) - arx_digamma(1.0 - a))).sum())
        return o1 - o2, o3 - o4, ((d2 - d1, -d5), (-d5, -d3 - d4))

    def per_size(a: float):
        inv = 1.0 / (ks - a)
        c1 = np.concatenate([[0.0], np.cumsum(inv)])
        c2 = np.concatenate([[0.0], np.cumsum(inv * inv)])
        idx = jb.astype(np.int64) - 1
        return float((fb * c1[idx]).sum()), float((fb * c2[idx]).sum())

    def objective(t: float, a: float) -> tuple[float, float]:
        t, a = np.float64(t), np.float64(a)
        with np.errstate(all="ignore"):
            v1 = 1.0 / (t + iu * a)
            o4, _ = per_size(a)
            return float(v1.sum() - (1.0 / (t + inn)).sum()), float((iu * v1).sum() - o4)

    def iterative(t: float, a: float):
        with np.errstate(all="ignore"):
            v0 = t + iu * a
            v1 = 1.0 / v0
            v3 = v1 * v1
            d1, d5, d3 = float(v3.sum()), float((iu * v3).sum()), float((iu * iu * v3).sum())
            o1, o3 = float(v1.sum()), float((iu * v1).sum())
            o4, d4 = per_size(a)
            w = 1.0 / (t + inn)
            o2, d2 = float(w.sum()), float((w * w).sum())
        return o1 - o2, o3 - o4, ((d2 - d1, -d5), (-d5, -d3 - d4))

    def nonneg(t: float, a: float) -> bool:
        return t >= 0

    t, a = newton_arx(closed, (t0, a0), nonneg, per_try=per_try)
    if math.isnan(t) or math.isnan(a):
        t, a = newton_arx(iterative, (t0, a0), nonneg, per_try=per_try)
    else:
        g1, g2 = objective(t, a)
        if math.isnan(g1) or math.isnan(g2) or abs(g1) > ARX_ACCURACY or abs(g2) > ARX_ACCURACY:
            t, a = newton_arx(iterative, (t0, a0), nonneg, per_try=per_try)
    if math.isnan(t) or math.isnan(a) or a == 0 or t + a <= 0:
        return math.nan
    try:
        est = math.exp(math.lgamma(t + 1.0) - math.lgamma(t + a) + a * math.log(N))
    except (OverflowError, ValueError):
        return math.nan
    return est if 0 <= est <= N else math.nan


def _log_comb(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lg = np.vectorize(math.lgamma, otypes=[float])
    return lg(a + 1) - lg(b + 1) - lg(a - b + 1)


def zayatz_uniques(sizes: np.ndarray, N: int) -> float:
    """Population uniques under Zayatz's model (Zayatz 1991), as ARX computes it.

    ``P(sample unique comes from a population unique) = (f_1/u)·h_1(1) / Σ_j (f_j/u)·h_j(1)``
    where ``h_j(1)`` is the hypergeometric probability of drawing exactly one of ``j`` marked
    units in ``n`` draws from ``N``; the sample class size stands for the population one.
    """
    j, fj = _histogram(sizes)
    n = float((j * fj).sum())
    c1 = float(fj[j == 1].sum())
    if c1 == 0:
        return 0.0
    f = n / N
    jf = j.astype(float)
    ok = (N - jf) >= (n - 1)
    h = np.zeros_like(jf)
    h[ok] = np.exp(np.log(jf[ok]) + _log_comb(np.full(ok.sum(), N) - jf[ok], np.full(ok.sum(), n - 1))
                   - _log_comb(np.array([float(N)]), np.array([n]))[0])
    h1 = n / N
    denom = float((fj * h).sum())
    if denom <= 0:
        return math.nan
    return c1 * (c1 * h1 / denom) / f


def shlosser_classes(sizes: np.ndarray, f: float) -> float:
    """Shlosser's estimate of the number of non-empty population classes (Haas et al. 1995)."""
    j, fj = _histogram(sizes)
    u = float(fj.sum())
    c1 = float(fj[j == 1].sum())
    q = 1.0 - f
    num = float((q**j * fj).sum())
    den = float((j * f * q ** (j - 1) * fj).sum())
    return u + c1 * num / den if den > 0 else u


def _snb_equations(a: float, b: float, K: float, f: float) -> tuple[float, float]:
    """Expected numbers of sample classes of size 1 and 2 under the SNB model (Chen & Keller-McNulty 1998)."""
    d = (1 - f) * (1 - b)
    e1 = K * f * (b / (1 - d)) ** a * (a * d / (1 - d) + 1)
    e2 = K * a * b**a * f * f * (1 - b) / 2 / (1 - d) ** (a + 2) * (2 - (1 - a) * d)
    return e1, e2


def snb_uniques(sizes: np.ndarray, N: int, *, max_iter: int = 200) -> float:
    """Population uniques under the shifted negative binomial model: ``K · β^α``.

    α > 0 and 0 < β < 1 solve E[f_1] = f_1, E[f_2] = f_2 (Newton with a numerical Jacobian,
    several starting points). NaN when no start converges or the sample has no class of size 2.
    """
    j, fj = _histogram(sizes)
    n = float((j * fj).sum())
    c1 = float(fj[j == 1].sum())
    c2 = float(fj[j == 2].sum())
    if c1 == 0:
        return 0.0
    f = n / N
    if f >= 1:
        return c1
    if c2 == 0:  # two moments, two parameters: without classes of size 2 the fit is degenerate (β → 1)
        return math.nan
    K = shlosser_classes(sizes, f)
    for a0 in (0.5, 1.0, 2.0, 0.1, 5.0):
        for b0 in (0.5, 0.1, 0.01, 0.9):
            a, b = a0, b0
            for _ in range(max_iter):
                if not (a > 0 and 0 < b < 1):
                    break
                r1, r2 = _snb_equations(a, b, K, f)
                r1, r2 = r1 - c1, r2 - c2
                if abs(r1) < 1e-7 * max(c1, 1) and abs(r2) < 1e-7 * max(c2, 1):
                    est = K * b**a
                    if 0 <= est <= N:
                        return est
                    break
                ha, hb = 1e-7 * max(a, 1e-3), 1e-7 * max(b, 1e-6)
                a1, a2 = _snb_equations(a + ha, b, K, f)
                b1, b2 = _snb_equations(a, b + hb, K, f)
                J = np.array([[(a1 - c1 - r1) / ha, (b1 - c1 - r1) / hb],
                              [(a2 - c2 - r2) / ha, (b2 - c2 - r2) / hb]])
                try:
                    step = np.linalg.solve(J, np.array([r1, r2]))
                except np.linalg.LinAlgError:
                    break
                if not np.isfinite(step).all():
                    break
                # damped step keeps the parameters in their domain
                lam = 1.0
                while lam > 1e-4 and not (a - lam * step[0] > 0 and 0 < b - lam * step[1] < 1):
                    lam /= 2
                a, b = a - lam * step[0], b - lam * step[1]
    return math.nan


def _valid(x: float) -> bool:
    return not math.isnan(x) and x != 0.0


def population_uniqueness(sizes: np.ndarray, N: int) -> dict:
    """All three estimates and Dankar et al.'s choice, as counts and shares of the population."""
    sizes = np.asarray(sizes, dtype=np.int64)
    n = int(sizes.sum())
    f = n / N if N else math.nan
    c1 = int((sizes == 1).sum())
    out: dict = {"population_size": int(N), "sampling_fraction": f, "sample_uniques": c1}
    if c1 == 0:
        est = {"pitman": 0.0, "zayatz": 0.0, "snb": 0.0}
        model, chosen = "none (no sample uniques)", 0.0
    else:
        est = {"pitman": pitman_uniques(sizes, N),
               "zayatz": zayatz_uniques(sizes, N),
               "snb": snb_uniques(sizes, N)}
        if f <= 0.1:
            if _valid(est["pitman"]):
                model, chosen = "pitman", est["pitman"]
            else:
                model, chosen = "zayatz", est["zayatz"]
        elif _valid(est["snb"]):
            model, chosen = ("zayatz", est["zayatz"]) if est["zayatz"] < est["snb"] else ("snb", est["snb"])
        else:
            model, chosen = "zayatz", est["zayatz"]
    def share(v: float) -> float | None:  # rounding may overshoot 1 by an ulp
        return None if math.isnan(v) else min(1.0, max(0.0, float(v) / N))

    out["estimates"] = {k: {"uniques": (None if math.isnan(v) else float(v)), "share": share(v)}
                        for k, v in est.items()}
    out["dankar"] = {"model": model, "uniques": None if math.isnan(chosen) else float(chosen), "share": share(chosen)}
    return out
