"""A deliberately simple, independent reference: try every transformation with plain pandas.

No roll-ups, no bounds, no pruning, no shared code with anonymizer.privacy: hierarchies are plain
lists of rows, classes come from ``DataFrame.groupby``, models and metrics are written out from
their definitions (ARX / Li et al. 2007 / Machanavajjhala et al. 2007).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd


def generalise(df, rows: dict[str, list[list[str]]], node: dict[str, int]) -> pd.DataFrame:
    out = df.copy()
    for col, lv in node.items():
        out[col] = df[col].map({r[0]: r[lv] for r in rows[col]})
    return out


def class_violates(sizes, dists, q, *, k, l, l_variant, c, t, t_variant, order):  # noqa: E741
    """dists: list of dict sensitive->count per class."""
    bad = []
    for size, dist in zip(sizes, dists, strict=True):
        v = False
        if k is not None and size < k:
            v = True
        if l is not None:
            counts = sorted(dist.values(), reverse=True)
            if l_variant == "distinct":
                v |= len(counts) < l
            elif l_variant == "entropy":
                h = -sum(x / size * math.log(x / size) for x in counts)
                v |= h < math.log(l) - 1e-12
            else:
                li = int(math.ceil(l))
                tail = sum(counts[li - 1:]) if len(counts) >= li else 0
                v |= not (counts[0] < c * tail)
        if t is not None:
            p = {s: dist.get(s, 0) / size for s in q}
            if t_variant == "equal":
                emd = 0.5 * sum(abs(p[s] - q[s]) for s in q)
            else:
                acc, tot = 0.0, 0.0
                for s in order:
                    acc += p[s] - q[s]
                    tot += abs(acc)
                emd = tot / (len(order) - 1) if len(order) > 1 else 0.0
            v |= emd > t + 1e-12
        bad.append(v)
    return bad


def metric_value(metric, df, g, rows, node, qis, suppressed_mask, class_sizes, class_bad):
    n = len(df)
    s = int(suppressed_mask.sum())
    if metric == "loss":
        per = []
        for col in qis:
            lv = node[col]
            hrows = rows[col]
            share = pd.Series([r[lv] for r in hrows]).value_counts() / len(hrows)
            vals = g[col].map(share).to_numpy(dtype=float)
            agg = np.where(suppressed_mask, 1.0, vals).sum()
            lo = n / len(hrows)
            per.append(max((agg - lo) / (n - lo), 0.0) if n - lo > 0 else 0.0)
        return float(np.prod([(v + 1) ** (1 / len(per)) for v in per]) - 1)
    if metric in ("entropy", "entropy_monotonic"):
        tot = 0.0
        for col in qis:
            a = df[col].map(df[col].value_counts())
            b = g[col].map(g[col].value_counts())
            tot += float(-(np.log2(a / b)).sum())
            if metric == "entropy" and s:
                cs = g.loc[suppressed_mask, col].value_counts()
                tot += float(-(cs * np.log2(cs / s)).sum())
        return tot
    if metric == "discernibility":
        return float(sum(x * x for x, b in zip(class_sizes, class_bad, strict=True) if not b) + n * s)
    if metric == "precision":
        vals = []
        for col in qis:
            h = len(rows[col][0]) - 1
            frac = node[col] / h if h else 0.0
            vals.append(((n - s) * frac + s) / n)
        return float(np.mean(vals))
    if metric == "aecs":
        groups = sum(1 for b in class_bad if not b) + (1 if s else 0)
        return n / groups
    if metric == "height":
        return float(sum(node.values()))
    raise ValueError(metric)


def brute_force(df, rows, *, k=None, l=None, l_variant="distinct", c=None, t=None, t_variant="equal",  # noqa: E741
                sensitive=None, max_suppression=0.0, metric="loss"):
    """Return (best value, list of optimal nodes, evaluate(node) -> (feasible, suppressed, value))."""
    qis = [col for col in df.columns if col in rows and col != sensitive]
    n = len(df)
    budget = math.floor(max_suppression * n + 1e-9)
    q, order = {}, []
    if sensitive is not None:
        q = (df[sensitive].value_counts() / n).to_dict()
        vals = list(q)
        try:
            order = sorted(vals, key=lambda v: float(v.replace(",", ".")))
        except ValueError:
            order = sorted(vals)

    def evaluate(node):
        g = generalise(df, rows, node)
        grp = g.groupby(qis, sort=False)
        keys = grp.ngroup().to_numpy()
        sizes = grp.size().to_numpy()
        n_cls = len(sizes)
        dists = [{} for _ in range(n_cls)]
        if sensitive is not None:
            for cls, sv in zip(keys, df[sensitive], strict=True):
                dists[cls][sv] = dists[cls].get(sv, 0) + 1
        bad = class_violates(sizes, dists, q, k=k, l=l, l_variant=l_variant, c=c, t=t, t_variant=t_variant,
                             order=order)
        bad = np.array(bad, dtype=bool)
        mask = bad[keys]
        sup = int(mask.sum())
        if sup > budget:
            return False, sup, None
        return True, sup, metric_value(metric, df, g, rows, node, qis, mask, sizes, bad)

    best, best_nodes = math.inf, []
    for levels in itertools.product(*[range(len(rows[col][0])) for col in qis]):
        node = dict(zip(qis, levels, strict=True))
        ok, _, val = evaluate(node)
        if not ok:
            continue
        if val < best - 1e-9:
            best, best_nodes = val, [node]
        elif abs(val - best) <= 1e-9:
            best_nodes.append(node)
    return best, best_nodes, evaluate
